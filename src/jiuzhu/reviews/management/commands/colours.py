import json

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.core.errors import JiuzhuError
from jiuzhu.core.parsing import parse_date
from jiuzhu.registry.choices import ColorClass
from jiuzhu.reviews.services import colours_classify, reviews_run

LABELS = {**{c.value: str(c.label) for c in ColorClass}, "": "未分类", "out": "不在三色管理范围"}


class Command(BaseCommand):
    help = "三色分类：按本地 colours.yaml 给全部在册家庭定色（只改变了的才写入，留痕），并更新复核安排"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只显示会有哪些变化，不写入")
        parser.add_argument("--locality", default="", help="区划代码或政策包目录名，默认本平台所在地区")
        parser.add_argument("--as-of", default="", help="按哪一天的档案分类 YYYY-MM-DD，默认今天")
        parser.add_argument(
            "--reviews", action="store_true", help="同每晚的任务：先收回已办结的复核工单，分类后派发到期的复核工单"
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="输出 JSON")

    def handle(self, *args, dry_run: bool, locality: str, as_of: str, reviews: bool, as_json: bool, **options):
        try:
            day = parse_date(as_of) if as_of else None
        except ValueError as exc:
            raise CommandError(f"--as-of：{exc}") from None
        if reviews and dry_run:
            raise CommandError("--reviews 不能与 --dry-run 同用")
        try:
            if reviews:
                result = reviews_run(today=day, locality=locality or None)
                self.stdout.write(self._json(result) if as_json else self._reviews(result))
                return
            run = colours_classify(actor=None, locality=locality or None, as_of=day, dry_run=dry_run)
        except JiuzhuError as exc:
            raise CommandError(exc.message) from None
        if as_json:
            self.stdout.write(self._json(run.summary() | {"changes": run.changes, "skipped": run.skipped}))
            return
        head = "（试运行，未写入）" if dry_run else ""
        self.stdout.write(f"三色分类{head}：{run.file}，按 {run.as_of} 的档案，共 {run.households} 户")
        for key in ("red", "yellow", "green", "", "out"):
            self.stdout.write(f"  {LABELS[key]}：{run.by_colour.get(key, 0)} 户")
        verb = "将改变" if dry_run else "已改变"
        self.stdout.write(f"{verb} {len(run.changes)} 户：")
        for number, old, new, reason in run.changes[:200]:
            self.stdout.write(f"  {number}  {LABELS[old]} → {LABELS[new]}  {reason}")
        if len(run.changes) > 200:
            self.stdout.write(f"  ……另有 {len(run.changes) - 200} 户")
        for number, why in run.skipped:
            self.stdout.write(f"  未能分类 {number}：{why}")

    @staticmethod
    def _json(data) -> str:
        return json.dumps(data, ensure_ascii=False, indent=2, default=str)

    @staticmethod
    def _reviews(result: dict) -> str:
        return (
            f"复核工单已办结并计入 {result['done']} 项；"
            f"三色分类 {result['households']} 户，改变 {result['changed']} 户；"
            f"派发到期复核工单 {result['opened']} 项，未能派发 {result['failed']} 项"
        )
