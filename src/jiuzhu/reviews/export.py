"""A ledger (台账) as an Excel workbook, in Chinese: a title row, the column heads, one row per household."""

from __future__ import annotations

from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

COLUMNS = (
    ("序号", 6),
    ("户编号", 20),
    ("户主姓名", 12),
    ("街道（镇）", 14),
    ("社区（村）/网格", 18),
    ("居住地址", 32),
    ("纳入日期", 12),
    ("三色分类", 10),
    ("分类依据", 36),
    ("上次回访", 12),
    ("回访人", 12),
    ("下次回访/复核", 14),
    ("类型", 14),
    ("是否逾期", 10),
    ("复核安排", 40),
)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def ledger_workbook(rows: list[dict], *, title: str, out) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([name for name, _ in COLUMNS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for i, r in enumerate(rows, start=1):
        h = r["household"]
        ws.append(
            [
                i,
                h.number,
                r["head"],
                r["street"],
                r["unit"],
                h.residence_address,
                _day(r["since"]),
                r["colour_label"] or "未分类",
                r["rule"],
                _day(r["last_revisit"]),
                r["last_revisit_by"],
                _day(r["next_due"]),
                r["next_kind"],
                "逾期" if r["overdue"] else "",
                r["schedules"],
            ]
        )
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"
    wb.save(out)
