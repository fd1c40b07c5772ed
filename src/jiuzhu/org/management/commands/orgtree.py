"""`jiuzhu orgtree FILE [--dry-run]`: load or update the organisation tree from the bureau's list (see
org/tree_file.py for the columns)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.core.errors import JiuzhuError
from jiuzhu.org.tree_file import load_tree_file


class Command(BaseCommand):
    help = "从 Excel/CSV 名单导入或更新组织架构（区县、街道/镇、社区/村、网格）"

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="名单文件（.xlsx/.xls/.csv，列：行政区划代码、名称，可选 层级、上级代码、城乡）"
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            result = load_tree_file(file, dry_run=dry_run)
        except JiuzhuError as exc:
            raise CommandError(exc.message) from None
        if result.problems:
            for problem in result.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(result.problems)} 处问题，未导入任何单元；请修改后重新导入")
        prefix = "（试运行，未写入）" if dry_run else ""
        self.stdout.write(
            f"{prefix}共 {result.rows} 行：新建 {len(result.created)} 个单元，更新 {len(result.renamed)} 个，"
            f"无变化 {result.unchanged} 个"
        )
