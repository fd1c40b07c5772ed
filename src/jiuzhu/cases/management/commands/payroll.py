"""`jiuzhu payroll --as USER --programme dibao --month 2024-10 [--street CODE …] [--export DIR]`: make the month's
payment rolls (one per street in the user's jurisdiction, or the streets named), print each roll's totals and what
is held, and with --export write the bank files of rolls already confirmed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.cases import bankfile, payments
from jiuzhu.cases.models import PaymentRoll
from jiuzhu.core.errors import JiuzhuError
from jiuzhu.org.models import OrgUnit, Staff


def _month(text: str) -> date:
    try:
        year, month = (int(x) for x in text.split("-")[:2])
        return date(year, month, 1)
    except ValueError:
        raise CommandError(f"月份应写成 YYYY-MM：{text}") from None


class Command(BaseCommand):
    help = "生成当月发放名册（按街道），可导出已审核名册的银行文件"

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="username", required=True, help="以哪位工作人员的身份（记入审计）")
        parser.add_argument("--programme", default="dibao", help="救助项目代码（默认 dibao）")
        parser.add_argument("--month", required=True, type=_month, help="发放月份 YYYY-MM")
        parser.add_argument("--street", action="append", default=[], help="街道区划代码（可多次；默认管辖内全部）")
        parser.add_argument("--export", type=Path, default=None, help="把已审核名册的银行文件写入此目录")

    def handle(self, *args, username, programme, month, street, export, **options):
        actor = Staff.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"没有启用的工作人员账号“{username}”")
        streets = actor.jurisdiction().filter(level=OrgUnit.Level.STREET, is_active=True).order_by("division_code")
        if street:
            streets = streets.filter(division_code__in=street)
        if not streets.exists():
            raise CommandError("管辖范围内没有符合的街道（乡镇）")
        for unit in streets:
            try:
                if export is not None:
                    roll = PaymentRoll.objects.filter(programme=programme, street=unit, month=month).first()
                    if roll is None or roll.status == PaymentRoll.Status.DRAFT:
                        self.stdout.write(f"{unit.name}：名册未审核，未导出")
                        continue
                    done = bankfile.roll_export(actor=actor, roll=roll)
                    export.mkdir(parents=True, exist_ok=True)
                    (export / done.filename).write_bytes(done.content)
                    self.stdout.write(f"{unit.name}：{done.rows}户 {done.total}元 → {export / done.filename}")
                    continue
                roll = payments.roll_generate(actor=actor, programme=programme, street=unit, month=month)
            except JiuzhuError as exc:
                self.stderr.write(f"{unit.name}：{exc.message}")
                continue
            self.stdout.write(
                f"{unit.name} {roll.programme_name} {roll.month:%Y-%m}：发放{roll.households}户，合计{roll.total}元，"
                f"变动{roll.changed}户，待核查{roll.held}户"
            )
