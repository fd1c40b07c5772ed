"""The monthly 困难群众疑点信息反馈表 (003 附件1) as a workbook: exactly the seed's columns under a title row."""

from __future__ import annotations

from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

COLUMNS = ("序号", "户主姓名", "家庭住址", "疑点内容", "联系电话")
WIDTHS = (8, 14, 36, 60, 16)


def feedback_workbook(suspicions, *, department_name: str, month: date, out) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = f"{month:%Y年%m月}"
    ws.append([f"{department_name}困难群众疑点信息反馈表（{month.year}年{month.month}月）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(list(COLUMNS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for i, s in enumerate(suspicions, start=1):
        ws.append([i, s.head_name, s.address, s.content, s.phone])
        ws.cell(row=ws.max_row, column=4).alignment = Alignment(wrap_text=True, vertical="top")
    for i, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    wb.save(out)
