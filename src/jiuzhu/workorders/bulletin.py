"""The monthly bulletin (月度通报, R5.7 / R9.1): how each department and each street handled the work orders it
received in a month, as of the end of that month (or now, for the month under way).

    received     orders opened in the month (attributed to their owner now: after a reassignment, the new owner)
    closed       of them, closed by the cut-off; split into on time (closed_at ≤ due_at) and late
    still open   of them, not closed by the cut-off; of which overdue (due before the cut-off)
    received = closed on time + closed late + still open, row by row and in total.
    办结率 = closed / received; 按期办结率 = closed on time / received.

The overdue list holds every order (of any month up to this one) still open and past its due time at the cut-off.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from jiuzhu.core.workdays import CHINA
from jiuzhu.org.models import Department, OrgUnit, Staff
from jiuzhu.workorders.errors import WorkOrderError
from jiuzhu.workorders.errors import WorkOrderErrorCode as E
from jiuzhu.workorders.models import WorkOrder
from jiuzhu.workorders.selectors import work_order_list

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
DISTRICT_OWN = "区本级"


def parse_month(text: str | None, *, today: date | None = None) -> date:
    """ "2024-03" → date(2024, 3, 1); empty → the current month (China time)."""
    if not text:
        today = today or timezone.now().astimezone(CHINA).date()
        return today.replace(day=1)
    m = MONTH.match(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
        raise WorkOrderError(E.BAD_MONTH, month=text)
    return date(int(m.group(1)), int(m.group(2)), 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=CHINA)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=CHINA)
    return start, end


def title_of(month: date) -> str:
    return f"{month.year}年{month.month}月 工单办理情况通报"


@dataclass
class Row:
    name: str
    received: int = 0
    closed_on_time: int = 0
    closed_late: int = 0
    still_open: int = 0
    overdue: int = 0  # of still_open

    @property
    def closed(self) -> int:
        return self.closed_on_time + self.closed_late

    @property
    def closed_rate(self) -> float | None:
        return self.closed / self.received if self.received else None

    @property
    def on_time_rate(self) -> float | None:
        return self.closed_on_time / self.received if self.received else None

    def add(self, other: Row) -> None:
        for name in ("received", "closed_on_time", "closed_late", "still_open", "overdue"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Bulletin:
    month: date
    title: str
    cutoff: datetime
    departments: list[Row] = field(default_factory=list)
    streets: list[Row] = field(default_factory=list)
    total: Row = field(default_factory=lambda: Row("合计"))
    overdue: list[WorkOrder] = field(default_factory=list)


def _street_names(actor: Staff) -> dict[int, str]:
    """Streets of the actor's jurisdiction (or the street above their unit), by id."""
    if actor.is_department_member:
        return {}
    unit = actor.org_unit
    streets = OrgUnit.objects.filter(level=OrgUnit.Level.STREET)
    if unit.level in (OrgUnit.Level.DISTRICT, OrgUnit.Level.STREET):
        streets = streets.filter(path__startswith=unit.path)
    else:
        streets = streets.filter(pk__in=[int(p) for p in unit.path.strip("/").split("/")])
    return dict(streets.order_by("path").values_list("pk", "name"))


def _departments(actor: Staff) -> dict[int, str]:
    if actor.is_department_member:
        return dict(Department.objects.filter(pk=actor.department_id).values_list("pk", "name"))
    if actor.role == Staff.Role.GRID_WORKER:
        return {}
    return dict(
        Department.objects.filter(district__path__startswith=actor.org_unit.path)
        .order_by("code")
        .values_list("pk", "name")
    )


def bulletin(*, actor: Staff, month: date, now: datetime | None = None) -> Bulletin:
    start, end = month_bounds(month)
    now = now or timezone.now()
    cutoff = min(now, end)
    result = Bulletin(month=month, title=title_of(month), cutoff=cutoff)
    visible = work_order_list(actor=actor)
    dept_rows = {pk: Row(name) for pk, name in _departments(actor).items()}
    street_rows = {pk: Row(name) for pk, name in _street_names(actor).items()}
    own = Row(DISTRICT_OWN)
    received = visible.filter(opened_at__gte=start, opened_at__lt=end).values_list(
        "owner_department_id", "owner_department__name", "owner_unit__path", "closed_at", "due_at"
    )
    unit_names: dict[int, str] = {}
    for dept_id, dept_name, unit_path, closed_at, due_at in received.iterator(chunk_size=2000):
        if dept_id:
            row = dept_rows.setdefault(dept_id, Row(dept_name))
        else:
            ids = [int(p) for p in unit_path.strip("/").split("/")]
            if len(ids) < 2:
                row = own
            else:
                if ids[1] not in street_rows:
                    unit_names = unit_names or dict(OrgUnit.objects.filter(level="street").values_list("pk", "name"))
                    street_rows[ids[1]] = Row(unit_names.get(ids[1], str(ids[1])))
                row = street_rows[ids[1]]
        row.received += 1
        if closed_at is not None and closed_at <= cutoff:
            if closed_at <= due_at:
                row.closed_on_time += 1
            else:
                row.closed_late += 1
        else:
            row.still_open += 1
            row.overdue += due_at < cutoff
    result.departments = list(dept_rows.values())
    result.streets = list(street_rows.values()) + ([own] if own.received else [])
    for row in result.departments + result.streets:
        result.total.add(row)
    result.overdue = list(
        visible.filter(opened_at__lt=end, due_at__lt=cutoff)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=cutoff))
        .order_by("due_at", "pk")[:1000]
    )
    return result


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


HEADERS = ["单位", "收到", "已办结", "按期办结", "逾期办结", "未办结", "其中超期", "办结率", "按期办结率"]


def row_values(row: Row) -> list:
    return [
        row.name,
        row.received,
        row.closed,
        row.closed_on_time,
        row.closed_late,
        row.still_open,
        row.overdue,
        _percent(row.closed_rate),
        _percent(row.on_time_rate),
    ]


def workbook(report: Bulletin) -> bytes:
    """The bulletin as .xlsx: one sheet per department, per street, and the overdue list; Chinese headers and the
    title row "YYYY年M月 工单办理情况通报" on each sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    as_of = f"统计截至 {report.cutoff.astimezone(CHINA):%Y-%m-%d %H:%M}"

    def sheet(ws, headers: list[str], rows: list[list]) -> None:
        ws.append([report.title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = Alignment(horizontal="center")
        ws.append([as_of])
        ws.append(headers)
        for cell in ws[3]:
            cell.font = Font(bold=True)
        for values in rows:
            ws.append(values)
        for i, _ in enumerate(headers):
            ws.column_dimensions[chr(ord("A") + i)].width = 14 if i else 24

    first = book.active
    first.title = "按部门"
    sheet(first, HEADERS, [row_values(r) for r in report.departments])
    sheet(book.create_sheet("按街道"), HEADERS, [row_values(r) for r in report.streets] + [row_values(report.total)])
    sheet(
        book.create_sheet("超期未办结"),
        ["工单编号", "类型", "标题", "责任单位", "派单时间", "办理期限", "时限要求", "督办单位"],
        [
            [
                o.pk,
                str(o.get_kind_display()),
                o.title,
                o.owner_name,
                o.opened_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
                o.due_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
                o.deadline_label,
                o.escalated_to.name if o.escalated_to_id else "",
            ]
            for o in report.overdue
        ],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
