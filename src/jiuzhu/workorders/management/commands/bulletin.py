"""`jiuzhu bulletin`: the monthly work-order bulletin (月度通报) as Excel, as a named account sees it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.audit import services as audit
from jiuzhu.core.errors import JiuzhuError
from jiuzhu.org.models import Staff
from jiuzhu.workorders.bulletin import bulletin, parse_month, workbook


class Command(BaseCommand):
    help = "月度工单办理情况通报：按部门、街道统计收到、办结、按期办结、超期，导出 Excel"

    def add_arguments(self, parser):
        parser.add_argument("--month", default="", help="月份 YYYY-MM（默认本月）")
        parser.add_argument("--as", dest="username", required=True, help="以哪个账号的管辖范围统计（如区民政局账号）")
        parser.add_argument("--out", default="", help="Excel 文件路径（默认 工单通报-YYYY-MM.xlsx）")

    def handle(self, *args, month: str, username: str, out: str, **options):
        actor = Staff.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"没有启用的账号“{username}”")
        try:
            report = bulletin(actor=actor, month=parse_month(month))
        except JiuzhuError as exc:
            raise CommandError(exc.message) from None
        path = Path(out or f"工单通报-{report.month:%Y-%m}.xlsx")
        path.write_bytes(workbook(report))
        audit.record(
            actor=actor,
            action="work_order.bulletin_export",
            changes={"month": f"{report.month:%Y-%m}", "received": report.total.received},
            reason="命令行导出",
        )
        self.stdout.write(f"{report.title}：已写入 {path}")
