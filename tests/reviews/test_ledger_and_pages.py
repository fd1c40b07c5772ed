"""Ledgers of 低保边缘 and 刚性支出困难 households (R2.6, R5.6): revisits, next revisit due, the Excel export read
back, scoping; the colour page and the household file's section."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook

from jiuzhu.audit.models import AuditEntry
from jiuzhu.reviews import services
from jiuzhu.reviews.errors import ReviewsError
from jiuzhu.reviews.models import ReviewSchedule
from tests.reviews.conftest import ADULT, china, family


@pytest.fixture
def marginal_a(chengbei, street_officer_a, units):
    return family(
        street_officer_a,
        units["grid_a"],
        [{**ADULT, "name": "赵大勇"}],
        programmes=("marginal",),
        since=date(2024, 9, 1),
    )


@pytest.fixture
def marginal_b(chengbei, street_officer_b, units):
    return family(street_officer_b, units["grid_b"], [{**ADULT, "name": "钱小红"}], programmes=("marginal",))


@pytest.fixture
def rigid_a(chengbei, street_officer_a, units):
    return family(street_officer_a, units["grid_a"], [{**ADULT, "name": "孙立"}], programmes=("rigid_expense",))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_revisit_moves_the_next_revisit(marginal_a, coordinator_a, time_machine):
    # given a 低保边缘 household, scheduled for a revisit every 6 months from when it entered the ledger
    services.colours_classify(actor=None)
    schedule = ReviewSchedule.objects.get(household=marginal_a, kind="revisit")
    assert (schedule.every_months, schedule.next_due_on) == (6, date(2025, 3, 1))
    # when the coordinator records a revisit on 20 January
    time_machine.move_to(china("2025-01-20 16:00"))
    revisit = services.revisit_add(
        actor=coordinator_a,
        household=marginal_a,
        visited_on=date(2025, 1, 20),
        notes="家中二人，收入无变化",
        findings="无",
    )
    # then the next revisit is six months later, and the record is audited
    schedule.refresh_from_db()
    assert (schedule.last_done_on, schedule.next_due_on) == (date(2025, 1, 20), date(2025, 7, 20))
    assert AuditEntry.objects.get(action="revisit.add").object_id == str(revisit.pk)


def test_a_revisit_in_the_future_or_without_notes_is_refused(marginal_a, coordinator_a, grid_worker_a):
    with pytest.raises(ReviewsError, match="晚于今天"):
        services.revisit_add(actor=coordinator_a, household=marginal_a, visited_on=date(2025, 1, 7), notes="x")
    with pytest.raises(ReviewsError, match="回访情况"):
        services.revisit_add(actor=coordinator_a, household=marginal_a, visited_on=date(2025, 1, 6), notes=" ")
    with pytest.raises(ReviewsError, match="无权"):
        services.revisit_add(actor=grid_worker_a, household=marginal_a, visited_on=date(2025, 1, 6), notes="x")


def test_the_ledger_lists_the_category_with_colour_and_revisits(marginal_a, rigid_a, coordinator_a, street_officer_a):
    services.colours_classify(actor=None)
    services.revisit_add(actor=coordinator_a, household=marginal_a, visited_on=date(2025, 1, 3), notes="走访")
    page = client_for(street_officer_a).get("/ledger/?category=marginal")
    assert page.status_code == 200
    text = page.content.decode()
    assert "赵大勇" in text and "孙立" not in text
    assert "2025-01-03" in text and "2025-07-03" in text  # last revisit, next revisit
    rigid = client_for(street_officer_a).get("/ledger/?category=rigid_expense").content.decode()
    assert "孙立" in rigid and "赵大勇" not in rigid


def test_street_a_does_not_see_street_bs_ledger(marginal_a, marginal_b, street_officer_a, approver):
    services.colours_classify(actor=None)
    a = client_for(street_officer_a)
    assert "钱小红" not in a.get("/ledger/?category=marginal").content.decode()
    book = load_workbook(io.BytesIO(a.get("/ledger/export.xlsx?category=marginal").content))
    names = [row[2] for row in book.active.iter_rows(min_row=3, values_only=True)]
    assert names == ["赵大勇"]
    assert a.get(f"/households/{marginal_b.pk}/reviews/").status_code == 404
    # the district sees both streets
    district = client_for(approver).get("/ledger/?category=marginal").content.decode()
    assert "钱小红" in district and "赵大勇" in district


def test_the_excel_export_reads_back_in_chinese_and_is_audited(marginal_a, coordinator_a, street_officer_a):
    services.colours_classify(actor=None)
    services.revisit_add(actor=coordinator_a, household=marginal_a, visited_on=date(2025, 1, 3), notes="走访")
    response = client_for(street_officer_a).get("/ledger/export.xlsx?category=marginal")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("低保边缘家庭台账（拓东街道，2025-01-06导出，共1户）")
    assert rows[1][:4] == ("序号", "户编号", "户主姓名", "街道（镇）")
    first = dict(zip(rows[1], rows[2], strict=True))
    assert first["户编号"] == marginal_a.number and first["户主姓名"] == "赵大勇"
    assert first["纳入日期"] == "2024-09-01" and first["上次回访"] == "2025-01-03"
    assert first["下次回访/复核"] == "2025-07-03" and first["类型"] == "回访"
    assert first["三色分类"] == "未分类"  # 城北区 colours only 低保/特困 families
    entry = AuditEntry.objects.get(action="ledger.export")
    assert entry.actor == street_officer_a and entry.changes == {"category": "marginal", "rows": 1}


def test_the_colour_page_shows_the_distribution_and_the_rule(chengbei, street_officer_a, approver, units):
    red = family(street_officer_a, units["grid_a"], [{"born": date(1950, 1, 1)}], programmes=("tekun",))
    services.colours_classify(actor=None)
    page = client_for(approver).get("/colours/")
    text = page.content.decode()
    assert page.status_code == 200 and "拓东街道" in text and "鼓楼街道" in text
    assert "特困供养对象" in text and red.number in text
    assert 'id="classify-now"' in text


def test_the_classify_button_is_for_the_street_and_the_district(chengbei, street_officer_a, coordinator_a, units):
    red = family(street_officer_a, units["grid_a"], [{"born": date(1950, 1, 1)}], programmes=("tekun",))
    assert 'id="classify-now"' not in client_for(coordinator_a).get("/colours/").content.decode()
    assert client_for(coordinator_a).post("/colours/run/").status_code == 404
    response = client_for(street_officer_a).post("/colours/run/", follow=True)
    assert "颜色改变" in response.content.decode()
    red.refresh_from_db()
    assert red.color_class == "red"


def test_the_household_file_shows_colour_and_next_reviews(chengbei, street_officer_a, units):
    yellow = family(street_officer_a, units["grid_a"], [ADULT, {"born": date(2015, 3, 1)}])
    services.colours_classify(actor=None)
    text = client_for(street_officer_a).get(f"/households/{yellow.pk}/").content.decode()
    assert 'id="household-reviews"' in text and "18岁以下未成年人" in text
    assert "动态复核" in text and "家庭经济状况核对" in text and "2025-01-06" in text
    nav = client_for(street_officer_a).get("/").content.decode()
    assert 'href="/colours/"' in nav and 'href="/ledger/"' in nav


def test_a_coordinator_records_a_revisit_and_a_flag_on_the_page(zhaotong, street_officer_a, coordinator_a, units):
    household = family(street_officer_a, units["grid_a"], [ADULT], programmes=("dibao", "marginal"))
    client = client_for(coordinator_a)
    url = f"/households/{household.pk}/reviews/"
    response = client.post(
        url, {"action": "revisit", "visited_on": "2025-01-05", "notes": "入户了解，无变化", "findings": ""}, follow=True
    )
    assert "已记录回访" in response.content.decode() and "入户了解，无变化" in response.content.decode()
    response = client.post(url, {"action": "flag_set", "code": "lacking_drive", "reason": "拒绝就业推荐"}, follow=True)
    household.refresh_from_db()
    assert household.color_class == "yellow" and "拒绝就业推荐" in response.content.decode()
