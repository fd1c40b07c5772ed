"""The monthly 困难群众疑点信息反馈表 (003 附件1): departments send it in its five columns; the bureau's suspicions go
back to them in the same form."""

from __future__ import annotations

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from jiuzhu.exchange.feedback import COLUMNS
from jiuzhu.exchange.ingest import import_file
from jiuzhu.exchange.models import Suspicion
from jiuzhu.exchange.services import suspicion_send


@pytest.mark.django_db
def test_a_departments_feedback_table_becomes_suspicions(tmp_path, units, household_a):
    wb = Workbook()
    ws = wb.active
    ws.append(["区残联困难群众疑点信息反馈表"])
    ws.append(list(COLUMNS))
    ws.append([1, "张建国", household_a.residence_address, "持证一级肢体残疾，未享受低保", "13812345678"])
    ws.append([2, "李秀英", "鼓楼街道白塔路3号", "", "0871-65123456"])  # no suspicion written: returned
    path = tmp_path / "反馈.xlsx"
    wb.save(path)

    batch = import_file(source="disability_federation", path=path).batch

    assert (batch.kind, batch.accepted, batch.rejected) == ("feedback", 1, 1)
    suspicion = Suspicion.objects.get()
    assert (suspicion.direction, suspicion.department.code) == ("received", "disability_federation")
    assert (suspicion.seq, suspicion.head_name, suspicion.phone) == (1, "张建国", "13812345678")
    assert suspicion.content == "持证一级肢体残疾，未享受低保"
    assert suspicion.household == household_a  # its head and address name exactly one household on file


@pytest.mark.django_db
def test_the_suspicions_sent_to_a_department_export_in_the_same_five_columns(approver, household_a, units, tmp_path):
    department = units["department"]
    suspicion_send(actor=approver, department=department, household=household_a, content="领取养老金但申报无收入")
    client = Client()
    client.force_login(approver)
    month = Suspicion.objects.get().month

    response = client.get(f"/exchange/suspicions/{department.code}.xlsx?month={month:%Y-%m}&direction=sent")

    assert response.status_code == 200
    path = tmp_path / "sent.xlsx"
    with open(path, "wb") as f:
        f.write(response.content)
    rows = list(load_workbook(path).active.values)
    assert department.name in rows[0][0] and f"{month.year}年{month.month}月" in rows[0][0]
    assert rows[1] == COLUMNS
    assert rows[2] == (
        1,
        household_a.head().name,
        household_a.residence_address,
        "领取养老金但申报无收入",
        "13812345678",
    )


@pytest.mark.django_db
def test_a_street_officer_cannot_see_the_departments_tables(street_officer_a):
    client = Client()
    client.force_login(street_officer_a)

    assert client.get("/exchange/suspicions/").status_code == 404
    assert client.get("/exchange/").status_code == 404
