import json

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.audit import services as audit
from jiuzhu.core.parsing import parse_date
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.localities import home_locality, today
from jiuzhu.policy.whatif import parse_changes, what_if
from jiuzhu.registry.models import Household


class Command(BaseCommand):
    help = "政策调整测算：按拟调整的参数重新计算全部在册家庭，输出新增、退出、金额变化和资金影响（按街道、按项目）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--set", action="append", default=[], metavar="参数=新值", help="如 dibao_standard_urban=760"
        )
        parser.add_argument("--locality", default="", help="区划代码或政策包目录名，默认本平台所在地区")
        parser.add_argument("--as-of", default="", help="测算日期 YYYY-MM-DD，默认今天")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, set: list[str], locality: str, as_of: str, json: bool, **options):
        try:
            day = parse_date(as_of) if as_of else today()
            locality = locality or home_locality()
            changes = parse_changes(locality, set)
            result = what_if(households=Household.objects.all(), locality=locality, as_of=day, changes=changes)
        except (PolicyError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        audit.record(
            actor=None, action="policy.what_if", changes={"draft": changes, "as_of": str(day), "via": "jiuzhu whatif"}
        )
        if json:
            self.stdout.write(_json(result))
            return
        w = self.stdout.write
        w(f"政策包 {result.locality}，测算日期 {result.as_of}，调整 {result.changes}")
        w(f"参与测算 {result.households} 户（另有 {len(result.skipped)} 户档案不全未测算）")
        t = result.total
        w(f"新增符合 {t.households_gain} 户，不再符合 {t.households_lose} 户，结果有变化 {t.households_change} 户")
        w(f"按月发放资金：现行 {t.monthly_before:.2f} 元/月 → 调整后 {t.monthly_after:.2f} 元/月，")
        w(f"  每月变化 {t.monthly_effect:+.2f} 元，每年变化 {t.annual_effect:+.2f} 元")
        w("\n按街道：新增 / 退出 / 金额变化 / 每年资金变化（元）")
        for street, s in result.by_street.items():
            counts = f"{s.households_gain}\t{s.households_lose}\t{s.households_change}"
            w(f"  {street or '—'}\t{counts}\t{s.annual_effect:+.2f}")
        w("\n按项目：新增 / 退出 / 金额变化 / 每月资金变化（元）")
        for code, s in result.by_programme.items():
            if s.households_gain or s.households_lose or s.households_change:
                name = result.programme_names[code]
                w(f"  {name}\t{s.households_gain}\t{s.households_lose}\t{s.households_change}\t{s.monthly_effect:+.2f}")


def _json(result) -> str:
    def tally(t):
        return {
            "households_gain": t.households_gain,
            "households_lose": t.households_lose,
            "households_change": t.households_change,
            "monthly_before": round(t.monthly_before, 2),
            "monthly_after": round(t.monthly_after, 2),
            "monthly_effect": t.monthly_effect,
            "annual_effect": t.annual_effect,
        }

    return json.dumps(
        {
            "locality": result.locality,
            "as_of": str(result.as_of),
            "changes": result.changes,
            "households": result.households,
            "skipped": [{"number": n, "reason": r} for n, r in result.skipped],
            "total": tally(result.total),
            "by_street": {k: tally(v) for k, v in result.by_street.items()},
            "by_programme": {k: tally(v) for k, v in result.by_programme.items()},
        },
        ensure_ascii=False,
        indent=2,
    )
