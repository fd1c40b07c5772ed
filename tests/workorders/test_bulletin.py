"""The monthly bulletin: the numbers add up, per department and per street, and the Excel export reads back."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook

from jiuzhu.audit.models import AuditEntry
from jiuzhu.workorders import services as s
from jiuzhu.workorders.bulletin import bulletin, parse_month, workbook
from jiuzhu.workorders.errors import WorkOrderError
from tests.workorders.conftest import aware


@pytest.fixture
def march(make_order, units, street_officer_a, street_officer_b, liaison, time_machine):
    """March 2024: street A gets 3 (one closed on time, one closed late, one left open and overdue), street B gets
    1 (closed on time), the department 2 (one closed on time, one open); one order of February stays open."""
    time_machine.move_to(aware("2024-02-20 09:00:00+08:00"), tick=False)
    make_order(title="二月遗留", kind="grid_lead")
    time_machine.move_to(aware("2024-03-04 09:00:00+08:00"), tick=False)
    a1 = make_order(title="A按期", kind="grid_lead")
    a2 = make_order(title="A逾期办结", kind="grid_lead")
    make_order(title="A未办", kind="grid_lead")
    b1 = make_order(title="B按期", kind="grid_lead", owner_unit=units["grid_b"])
    d1 = make_order(title="人社按期", kind="referral", owner_department=units["department"])
    make_order(title="人社未办", kind="referral", owner_department=units["department"])
    s.work_order_close(actor=street_officer_a, work_order=a1, feedback="已核实")
    s.work_order_close(actor=street_officer_b, work_order=b1, feedback="已核实")
    s.work_order_close(actor=liaison, work_order=d1, feedback="已纳入就业援助")
    time_machine.move_to(aware("2024-03-07 09:00:00+08:00"), tick=False)
    s.work_order_close(actor=street_officer_a, work_order=a2, feedback="迟了三天")
    time_machine.move_to(aware("2024-04-05 09:00:00+08:00"), tick=False)


def by_name(rows):
    return {r.name: r for r in rows}


def test_the_numbers_add_up(march, approver):
    report = bulletin(actor=approver, month=date(2024, 3, 1))
    assert report.title == "2024年3月 工单办理情况通报"
    streets, departments = by_name(report.streets), by_name(report.departments)
    a, b, d = streets["拓东街道"], streets["鼓楼街道"], departments["人力资源和社会保障局"]
    assert (a.received, a.closed_on_time, a.closed_late, a.still_open, a.overdue) == (3, 1, 1, 1, 1)
    assert (b.received, b.closed_on_time, b.still_open) == (1, 1, 0)
    assert (d.received, d.closed_on_time, d.still_open, d.overdue) == (2, 1, 1, 1)
    for row in [*report.streets, *report.departments, report.total]:
        assert row.received == row.closed_on_time + row.closed_late + row.still_open
    assert report.total.received == 6 and round(a.on_time_rate, 4) == round(1 / 3, 4)
    # the overdue list holds February's leftover too, as of the end of March
    assert {o.title for o in report.overdue} == {"二月遗留", "A未办", "人社未办"}


def test_a_street_sees_only_its_own_row(march, street_officer_a, liaison):
    report = bulletin(actor=street_officer_a, month=date(2024, 3, 1))
    assert [r.name for r in report.streets] == ["拓东街道"] and report.departments == []
    report = bulletin(actor=liaison, month=date(2024, 3, 1))
    assert [r.name for r in report.departments] == ["人力资源和社会保障局"] and report.total.received == 2


def test_the_excel_export_reads_back_and_is_audited(march, approver):
    client = Client()
    client.force_login(approver)
    response = client.get("/workorders/bulletin.xlsx?month=2024-03")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按部门", "按街道", "超期未办结"]
    streets = book["按街道"]
    assert streets["A1"].value == "2024年3月 工单办理情况通报"
    assert [c.value for c in streets[3]][:7] == ["单位", "收到", "已办结", "按期办结", "逾期办结", "未办结", "其中超期"]
    rows = {r[0]: r for r in streets.iter_rows(min_row=4, values_only=True)}
    assert rows["拓东街道"][1:7] == (3, 2, 1, 1, 1, 1)
    assert rows["合计"][1] == 6 and rows["合计"][8] == "50.0%"
    assert book["超期未办结"].max_row == 3 + 3
    assert AuditEntry.objects.filter(action="work_order.bulletin_export", actor=approver).exists()


def test_the_page_draws_charts_from_vendored_echarts(march, approver):
    client = Client()
    client.force_login(approver)
    page = client.get("/workorders/bulletin/?month=2024-03").content.decode()
    assert "2024年3月 工单办理情况通报" in page and 'id="chart-streets"' in page
    assert "/static/vendor/echarts.min.js" in page and "cdn" not in page.lower()
    assert 'id="bulletin-data"' in page
    # a bad month is said plainly and the current month is shown instead
    assert "应写成 2024-03" in client.get("/workorders/bulletin/?month=March", follow=True).content.decode()


def test_months_are_parsed_strictly():
    assert parse_month("2024-3") == date(2024, 3, 1)
    for bad in ("2024-13", "24-03", "2024/03"):
        with pytest.raises(WorkOrderError):
            parse_month(bad)


def test_an_empty_month_still_makes_a_workbook(approver):
    report = bulletin(actor=approver, month=date(2024, 1, 1))
    assert report.total.received == 0
    assert load_workbook(io.BytesIO(workbook(report)))["按部门"]["A1"].value == "2024年1月 工单办理情况通报"


def test_the_command_writes_the_same_workbook_for_an_account(march, approver, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "通报.xlsx"
    call_command("bulletin", "--month", "2024-03", "--as", approver.username, "--out", str(out))
    rows = {r[0]: r for r in load_workbook(out)["按街道"].iter_rows(min_row=4, values_only=True)}
    assert rows["拓东街道"][1:7] == (3, 2, 1, 1, 1, 1)
    assert AuditEntry.objects.filter(action="work_order.bulletin_export", actor=approver).exists()
