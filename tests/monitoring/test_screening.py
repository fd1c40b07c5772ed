"""政策找人: the whole registry decided by the policy engine; who qualifies but does not receive, who receives but
may no longer qualify; scoped by street, compared with the previous run, and the same answers as one-by-one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from jiuzhu.monitoring.errors import MonitoringError
from jiuzhu.monitoring.models import ScreeningFinding, ScreeningRun
from jiuzhu.monitoring.screening import (
    compare,
    screenable_programmes,
    screening_dispatch,
    screening_execute,
    screening_start,
)
from jiuzhu.policy.checks import eligibility_check
from jiuzhu.policy.registry_facts import household_document
from jiuzhu.registry import services as registry
from jiuzhu.registry.models import Household
from tests.factories import add_income, make_household

AS_OF = date(2026, 11, 1)


@pytest.fixture(autouse=True)
def demo(settings):
    settings.JIUZHU_LOCALITY = "demo-530103"


def run_now(actor) -> ScreeningRun:
    run = screening_start(actor=actor, as_of=AS_OF, queue=False)
    return screening_execute(run)


def found(run) -> set[tuple[int, str, str]]:
    return {f.key for f in run.findings.all()}


def on_dibao(officer, household, amount="600"):
    registry.programme_status_set(
        actor=officer,
        household=household,
        programme="dibao",
        status="active",
        since=date(2025, 1, 1),
        reason="审批确认",
        monthly_amount=Decimal(amount),
    )


def test_a_poor_family_not_on_dibao_and_a_rich_one_on_it_are_both_found(
    approver, household_a, household_b, street_officer_b
):
    # given a family of two living on 100 yuan a month, and a family on dibao that now earns 9,000
    add_income(household_a, "100", valid_from=date(2025, 1, 1))
    add_income(household_b, "9000", valid_from=date(2025, 1, 1))
    on_dibao(street_officer_b, household_b)
    # when the district screens the registry
    run = run_now(approver)
    # then the first qualifies for dibao without receiving it, and the second may no longer qualify
    assert run.status == ScreeningRun.Status.DONE, run.error
    assert (household_a.pk, "dibao", "missing") in found(run)
    assert (household_b.pk, "dibao", "ineligible") in found(run)
    missing = run.findings.get(household=household_a, programme="dibao", kind="missing")
    assert missing.monthly_amount == Decimal(744 * 2 - 100)  # 2025-07 standard 744 for two, less their income
    assert missing.street.name == "拓东街道"
    assert (run.households, run.persons) == (2, 4)


def test_the_whole_population_answers_as_each_household_checked_alone(approver, units, street_officer_a):
    # given households across the range of incomes, some on dibao
    households = []
    for i, income in enumerate(["0", "300", "700", "1400", "1480", "2000", "5000"]):
        h = make_household(street_officer_a, units["grid_a"], head_name=f"孙{i}号", members=1 + i % 3)
        add_income(h, income, valid_from=date(2025, 1, 1))
        if i % 2:
            on_dibao(street_officer_a, h)
        households.append(h)
    run = run_now(approver)
    # then the findings are exactly what a check of each household alone says
    expected = set()
    programmes = screenable_programmes("demo-530103")
    for h in Household.objects.all():
        result = eligibility_check(locality="demo-530103", as_of=AS_OF, document=household_document(h, as_of=AS_OF))
        document = household_document(h, as_of=AS_OF)
        receives = set(document["receives"]).union(*(m["receives"] for m in document["members"]))
        for p in result["programmes"]:
            code = p["code"]
            if code not in programmes:
                continue
            if p["eligible"] is True and code not in receives:
                expected.add((h.pk, code, "missing"))
            if p["eligible"] is False and code in receives:
                expected.add((h.pk, code, "ineligible"))
    assert found(run) == expected
    assert expected  # the population is built to have some of each


def test_a_run_compares_with_the_previous_one(approver, household_a, household_b, street_officer_a, units):
    add_income(household_a, "100", valid_from=date(2025, 1, 1))
    add_income(household_b, "5000", valid_from=date(2025, 1, 1))
    first = run_now(approver)
    # the street puts household A on dibao; a family in hardship moves into the district
    on_dibao(street_officer_a, household_a, amount="1388")
    newcomer = make_household(street_officer_a, units["grid_a"], head_name="钱新来")
    add_income(newcomer, "50", valid_from=date(2025, 1, 1))
    second = run_now(approver)
    comparison = compare(second, actor=approver)
    assert comparison.previous == first
    assert (household_a.pk, "dibao", "missing") in {f.key for f in comparison.resolved}
    assert (newcomer.pk, "dibao", "missing") in {f.key for f in comparison.new}
    assert household_b.pk not in {f.household_id for f in comparison.new + comparison.still_open}


def test_a_street_sees_the_findings_of_its_own_households(approver, household_a, household_b, street_officer_b):
    add_income(household_a, "100", valid_from=date(2025, 1, 1))
    add_income(household_b, "100", valid_from=date(2025, 1, 1))
    run = run_now(approver)
    seen = compare(run, actor=street_officer_b).new
    assert seen and {f.household_id for f in seen} == {household_b.pk}


def test_a_grid_worker_may_not_start_a_run_and_the_refusal_is_recorded(grid_worker_a):
    from jiuzhu.audit.models import AuditEntry

    with pytest.raises(MonitoringError):
        screening_start(actor=grid_worker_a)
    assert AuditEntry.objects.filter(action="screening.start.refused").exists()
    assert not ScreeningRun.objects.exists()


def test_a_failed_run_says_why_and_leaves_no_findings(approver, household_a, monkeypatch):
    from jiuzhu.monitoring import screening

    add_income(household_a, "100", valid_from=date(2025, 1, 1))

    def broken(run, work):  # the engine failing half-way (fault injection)
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(screening, "_decide", broken)
    run = run_now(approver)
    assert run.status == ScreeningRun.Status.FAILED and "磁盘已满" in run.error
    assert not ScreeningFinding.objects.exists()


def test_the_command_prints_the_findings_and_the_comparison(household_a, capsys, db):
    add_income(household_a, "100", valid_from=date(2025, 1, 1))
    call_command("screen", "--as-of", AS_OF.isoformat())
    call_command("screen", "--as-of", AS_OF.isoformat())
    out = capsys.readouterr().out
    assert "应享未享" in out and "最低生活保障" in out
    assert "新增 0，仍未解决" in out


def test_the_pages_start_a_run_and_show_it(client, approver, household_a, django_capture_on_commit_callbacks):
    add_income(household_a, "100", valid_from=date(2025, 1, 1))
    client.force_login(approver)
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs the queued run (huey immediate mode)
        response = client.post("/screening/start/")
    run = ScreeningRun.objects.get()
    assert response.status_code == 302 and response.url == f"/screening/{run.pk}/"
    page = client.get(f"/screening/{run.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert household_a.number in html and "符合条件但未享受" in html


def test_findings_go_once_to_the_communities_and_the_work_order_stays_with_an_open_finding(
    approver, street_officer_a, grid_worker_a, household_a, units
):
    from jiuzhu.workorders.models import WorkOrder

    add_income(household_a, "100", valid_from=date(2025, 1, 1))
    run = run_now(approver)
    with pytest.raises(MonitoringError):
        screening_dispatch(actor=grid_worker_a, run=run)
    assert screening_dispatch(actor=street_officer_a, run=run) == 1
    order = WorkOrder.objects.get(origin="screening")
    assert order.owner_unit == units["community_a"] and order.household == household_a
    assert "最低生活保障" in order.description and "协助申请" in order.description
    assert screening_dispatch(actor=street_officer_a, run=run) == 0  # sent already
    second = run_now(approver)
    assert second.findings.get(household=household_a, programme="dibao").work_order_id == order.pk
    assert screening_dispatch(actor=street_officer_a, run=second) == 0
