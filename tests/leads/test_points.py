"""R5.4 / R7.6 积分: a confirmed lead of a resident or volunteer earns points by the locality's points.yaml;
an unfounded one earns nothing; a redemption never takes the balance below zero."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from jiuzhu.leads.errors import LeadError
from jiuzhu.leads.models import PointsEntry, Reporter
from jiuzhu.leads.points import load_points
from jiuzhu.leads.services import lead_report, lead_verify, points_redeem
from jiuzhu.workorders.models import WorkOrder
from tests.leads.conftest import china

pytestmark = pytest.mark.django_db


def resident_lead(grid_worker, household, situation="elderly_alone", phone="13800001111"):
    return lead_report(
        actor=grid_worker,
        household=household,
        situation=situation,
        reporter_name="陈阿姨",
        reporter_phone=phone,
        reporter_relation="resident",
    )


def test_a_confirmed_lead_earns_points_by_the_table(grid_worker_a, coordinator_a, household_a, time_machine):
    time_machine.move_to(china("2024-03-05 15:00"))
    # given a lead a resident gave the grid worker
    lead = resident_lead(grid_worker_a, household_a)
    # when the community confirms it
    lead_verify(actor=coordinator_a, lead=lead, outcome="confirmed", note="已入户，临时救助先行发放 1000 元")
    # then the resident earns 10 (confirmed) + 20 (an urgent situation) by the national default table
    table = load_points("530103-panlong").table_on(china("2024-03-05 15:00").date())
    assert table.points_for("elderly_alone") == 30
    reporter = Reporter.objects.get(phone="13800001111")
    entry = PointsEntry.objects.get(lead=lead)
    assert (reporter.balance, entry.points, entry.kind) == (30, 30, "earned")
    assert "平台默认值" in entry.reference
    # and the lead's work order is closed with the same words
    order = WorkOrder.objects.get(pk=lead.work_order_id)
    assert order.status == "closed" and "属实" in order.feedback


def test_an_unfounded_or_duplicate_lead_earns_nothing(grid_worker_a, coordinator_a, household_a):
    first = resident_lead(grid_worker_a, household_a)
    second = resident_lead(grid_worker_a, household_a, situation="income_loss")
    lead_verify(actor=coordinator_a, lead=first, outcome="unfounded", note="入户核实，家中有人照料")
    lead_verify(actor=coordinator_a, lead=second, outcome="duplicate", note="同一情况", duplicate_of=first)
    assert Reporter.objects.get().balance == 0 and not PointsEntry.objects.exists()


def test_a_staff_members_own_lead_earns_nothing(grid_worker_a, coordinator_a, household_a):
    lead = lead_report(actor=grid_worker_a, household=household_a, situation="accident")
    lead_verify(actor=coordinator_a, lead=lead, outcome="confirmed", note="属实，已转介医疗救助")
    assert not Reporter.objects.exists() and not PointsEntry.objects.exists()


def test_a_lead_is_verified_once_and_not_by_its_grid_worker(grid_worker_a, coordinator_a, household_a):
    lead = resident_lead(grid_worker_a, household_a)
    with pytest.raises(LeadError) as refused:
        lead_verify(actor=grid_worker_a, lead=lead, outcome="confirmed", note="属实")
    assert refused.value.code == "not_allowed"
    lead_verify(actor=coordinator_a, lead=lead, outcome="confirmed", note="属实")
    with pytest.raises(LeadError, match="不能再次核实"):
        lead_verify(actor=coordinator_a, lead=lead, outcome="confirmed", note="属实")
    assert Reporter.objects.get().balance == 30


def test_a_redemption_cannot_exceed_the_balance(grid_worker_a, coordinator_a, household_a):
    lead = resident_lead(grid_worker_a, household_a, situation="income_loss")  # 10 + 10
    lead_verify(actor=coordinator_a, lead=lead, outcome="confirmed", note="属实，已纳入低保边缘监测")
    reporter = Reporter.objects.get()
    # when the community exchanges 15 points for a bag of rice
    points_redeem(actor=coordinator_a, reporter=reporter, points=15, item="大米 5 公斤")
    # then 5 are left, and 6 more are refused with the balance named
    with pytest.raises(LeadError) as refused:
        points_redeem(actor=coordinator_a, reporter=reporter, points=6, item="食用油 1 桶")
    assert refused.value.message == "积分余额 5 分，不足以兑换 6 分"
    reporter.refresh_from_db()
    assert reporter.balance == 5
    assert list(reporter.entries.values_list("kind", "points", "balance_after")) == [
        ("redeemed", 15, 5),
        ("earned", 20, 20),
    ]


def test_the_staff_page_looks_up_by_phone_and_records_a_redemption(grid_worker_a, coordinator_a, household_a):
    lead = resident_lead(grid_worker_a, household_a)
    lead_verify(actor=coordinator_a, lead=lead, outcome="confirmed", note="属实")
    client = Client()
    client.force_login(coordinator_a)
    page = client.post("/points/", {"phone": "138 0000 1111"}).content.decode()
    assert "陈阿姨" in page and "138****1111" in page and "13800001111" not in page
    client.post("/points/", {"points": "30", "item": "洗衣液两瓶"})
    assert Reporter.objects.get().balance == 0
    refused = client.post("/points/", {"points": "1", "item": "毛巾"})
    assert refused.status_code == 400 and "不足以兑换" in refused.content.decode()


def test_a_locality_replaces_the_platform_default(settings, tmp_path, grid_worker_a, coordinator_a, household_a):
    # given a district pack with its own points.yaml (copied next to the repository's packs)
    base = Path(django_settings.BASE_POLICY_DIR)
    for folder in ("national", "530000-yunnan", "530100-kunming", "530103-panlong"):
        shutil.copytree(base / folder, tmp_path / "packs" / folder)
    (tmp_path / "packs" / "530103-panlong" / "points.yaml").write_text(
        "name: 盘龙区线索积分（测试）\n"
        "tables:\n"
        "  2020-01-01:\n"
        "    reference: 测试用积分办法 第三条\n"
        "    per_confirmed_lead: 5\n"
        "    by_severity: {high: 50, low: 1}\n"
        "    situations: {elderly_alone: high, sudden_illness: high, accident: high, child_unattended: high,\n"
        "                 housing_damage: low, income_loss: low, family_crisis: low, other: low}\n",
        encoding="utf-8",
    )
    settings.JIUZHU_POLICY_DIRS = [tmp_path / "packs"]
    # when a resident's lead about an elderly person living alone is confirmed
    lead = resident_lead(grid_worker_a, household_a)
    lead_verify(actor=coordinator_a, lead=lead, outcome="confirmed", note="属实")
    # then the district's table counts: 5 + 50
    assert Reporter.objects.get().balance == 55
    assert PointsEntry.objects.get().reference.startswith("测试用积分办法 第三条")


def test_a_malformed_points_file_is_refused_with_file_and_line(tmp_path):
    from jiuzhu.leads.points import read

    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "points.yaml").write_text(
        "tables:\n  2022-01-01:\n    reference: x\n    per_confirmed_lead: 10\n    by_severity: {urgent: 20}\n"
        "    situations: {accident: severe}\n",
        encoding="utf-8",
    )
    with pytest.raises(LeadError) as refused:
        read(folder / "points.yaml")
    assert "demo/points.yaml" in refused.value.message and "第6行" in refused.value.message
    assert "severe" in refused.value.message
