"""`jiuzhu import --source NAME FILE…`: import department files, with a progress bar and a summary in Chinese."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from jiuzhu.exchange import store
from jiuzhu.exchange.errors import ExchangeError
from jiuzhu.exchange.ingest import import_file
from jiuzhu.exchange.sources import all_sources
from jiuzhu.exchange.tasks import scan_inbox


class Command(BaseCommand):
    help = "导入部门数据文件（CSV/XLSX/XLS），每行接收或退回并说明原因；同一文件重复导入不做改动"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path, metavar="FILE")
        parser.add_argument("--source", default="", help="数据源代码，见 --list")
        parser.add_argument("--kind", default="", help="记录类型（默认按表头自动判断）")
        parser.add_argument("--sheet", default="", help="工作表名（默认自动选择）")
        parser.add_argument("--rejected-out", type=Path, help="把退回的行写成 Excel（含原行号和退回原因）")
        parser.add_argument("--watch", action="store_true", help="导入监控目录（inbox/<数据源>/）中等待的文件")
        parser.add_argument("--list", action="store_true", help="列出已配置的数据源和记录类型")

    def handle(self, *args, files, source, kind, sheet, rejected_out, watch, list, **options):
        if list:
            for code, spec in all_sources().items():
                kinds = "、".join(f"{k}（{v.label}）" for k, v in spec.kinds.items())
                self.stdout.write(f"{code}\t{spec.department.name}\t{kinds}")
            return
        if watch:
            for path, result in scan_inbox():
                self.stdout.write(f"{path.parent.name}/{path.name}：{result}")
            return
        if not source or not files:
            raise CommandError("请指定 --source 数据源 和要导入的文件，如：jiuzhu import --source hrss 养老金.xlsx")
        refused = 0
        for path in files:
            refused += not self._import_one(path, source, kind, sheet, rejected_out)
        if refused:
            raise CommandError(f"{refused} 个文件被整体退回")

    def _import_one(self, path: Path, source: str, kind: str, sheet: str, rejected_out: Path | None) -> bool:
        if not path.is_file():
            self.stderr.write(f"{path}：文件不存在")
            return False
        bar = tqdm(total=100, desc=path.name, unit="%", bar_format="{desc} {bar} {n_fmt}% {postfix}", leave=False)

        def progress(stage: str, pct: int) -> None:
            bar.set_postfix_str(stage)
            bar.update(pct - bar.n)

        try:
            outcome = import_file(source=source, path=path, kind=kind or None, sheet=sheet or None, progress=progress)
        except ExchangeError as exc:
            bar.close()
            self.stderr.write(f"{path.name}：整体退回。{exc.message}")
            return False
        bar.close()
        b = outcome.batch
        if outcome.duplicate:
            self.stdout.write(
                f"{path.name}：此前已导入（批次 {b.pk}，{b.finished_at:%Y-%m-%d %H:%M}），本次未做任何改动"
            )
        else:
            self.stdout.write(
                f"{path.name}：{b.kind}，收到 {b.rows_in} 行 = 接收 {b.accepted} + 退回 {b.rejected}"
                f"（空行 {b.blank_rows} 已跳过）；按身份证号关联 {b.linked_id}，按姓名等自动匹配 {b.linked_match}，"
                f"待人工确认 {b.to_review}，未在册 {b.unlinked}；档案新增 {b.derived_new}、更正 {b.derived_changed}、"
                f"未变 {b.derived_same}。批次 {b.pk}"
            )
        if rejected_out and b.rejected:
            store.rejected_workbook(b, rejected_out)
            self.stdout.write(f"退回的 {b.rejected} 行已写入 {rejected_out}")
        return True
