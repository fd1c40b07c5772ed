"""Alerts from department events: raised with the events that commit them, deduplicated, explained and routed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.core.errors import NotFound
from jiuzhu.exchange.models import PersonEvent
from jiuzhu.monitoring import selectors
from jiuzhu.monitoring.models import Alert
from jiuzhu.monitoring.services import alert_dismiss, alerts_close_handled
from jiuzhu.registry import services as registry
from jiuzhu.workorders.models import WorkOrder
from tests.factories import add_income, make_household, new_id_number
from tests.monitoring.conftest import death, settlement


def orders_of(alert: Alert):
    return list(WorkOrder.objects.filter(origin="alert", origin_id=alert.pk).select_related("owner_unit"))


def test_a_large_medical_bill_of_someone_not_on_the_rolls_goes_to_their_street_with_the_reasons(
    push, household_a, units
):
    # given a registered family that receives nothing
    head = household_a.head()
    # when the medical insurance bureau pushes a settlement with 45,000 yuan self-paid
    push("medical_insurance", "settlement", [settlement(head, "45,000.00")])
    # then one alert is raised for the large medical spending, explaining the value and the line it crossed
    alert = Alert.objects.get(scenario="large_medical")
    assert (alert.person, alert.household, alert.is_recipient) == (head, household_a, False)
    check = alert.reasons[0]["checks"][0]
    assert (Decimal(check["value"]), Decimal(check["limit"])) == (Decimal("45000.00"), Decimal("40000"))
    assert "镇海" in check["reference"]
    # and the street of their household registration has a work order with a deadline, saying why
    [order] = orders_of(alert)
    assert order.owner_unit == units["street_a"]
    assert order.kind == "alert" and order.due_at > order.opened_at
    assert "45000.00" in order.description and "一次性告知" in order.description
    assert alert.status == Alert.Status.ROUTED


def test_settlements_that_add_up_within_a_year_raise_one_alert_and_later_ones_attach(push, household_a):
    head = household_a.head()
    push("medical_insurance", "settlement", [settlement(head, "15000", on=date(2026, 3, 1))])
    push("medical_insurance", "settlement", [settlement(head, "15000", on=date(2026, 6, 1))])
    assert not Alert.objects.exists()  # 30,000 in twelve months: under the line
    push("medical_insurance", "settlement", [settlement(head, "12000", on=date(2026, 9, 1))])
    alert = Alert.objects.get()
    assert Decimal(alert.reasons[0]["checks"][0]["value"]) == Decimal("42000")
    # a fourth settlement within the window attaches to the same alert and makes no new work order
    push("medical_insurance", "settlement", [settlement(head, "30000", on=date(2026, 10, 1))])
    assert Alert.objects.count() == 1
    alert.refresh_from_db()
    assert len(alert.reasons) == 2 and alert.last_event_on == date(2026, 10, 1)
    assert len(orders_of(alert)) == 1


def test_a_settlement_sent_late_still_completes_the_year(push, household_a):
    head = household_a.head()
    push("medical_insurance", "settlement", [settlement(head, "25000", on=date(2026, 9, 1))])
    assert not Alert.objects.exists()
    # the hospital sends an earlier settlement only now: 20,000 + 25,000 within a year
    push("medical_insurance", "settlement", [settlement(head, "20000", on=date(2026, 6, 1))])
    alert = Alert.objects.get()
    assert Decimal(alert.reasons[0]["checks"][0]["value"]) == Decimal("45000")


def test_events_further_apart_than_the_window_in_one_file_are_two_alerts(push, household_a):
    head = household_a.head()
    push(
        "medical_insurance",
        "settlement",
        [settlement(head, "50000", on=date(2024, 3, 1)), settlement(head, "50000", on=date(2026, 3, 1))],
    )
    assert Alert.objects.filter(scenario="large_medical").count() == 2


def test_a_flood_of_duplicate_events_raises_one_alert(push, household_a):
    head = household_a.head()
    push("medical_insurance", "settlement", [settlement(head, "50000") for _ in range(40)])
    alert = Alert.objects.get()
    assert alert.events.count() == 40
    assert len(orders_of(alert)) == 1


def test_sending_the_same_data_again_changes_nothing(push, household_a):
    record = settlement(household_a.head(), "45000", number="JS-SAME")
    push("medical_insurance", "settlement", [record])
    push("medical_insurance", "settlement", [dict(record, hospital="重复发送")])  # same key, corrected value
    assert Alert.objects.count() == 1
    assert WorkOrder.objects.filter(origin="alert").count() == 1


def test_a_recipient_family_goes_to_the_departments_whose_help_it_implies(push, household_a, street_officer_a, units):
    from jiuzhu.org.services import department_create

    department_create(actor=None, code="medical_insurance", name="医疗保障局", district=units["district"])
    registry.programme_status_set(
        actor=street_officer_a,
        household=household_a,
        programme="dibao",
        status="active",
        since=date(2025, 1, 1),
        reason="审批确认",
        monthly_amount=Decimal("600"),
    )
    push("medical_insurance", "settlement", [settlement(household_a.head(), "45000")])
    alert = Alert.objects.get()
    assert alert.is_recipient
    owners = {str(o.owner_department or o.owner_unit) for o in orders_of(alert)}
    assert owners == {"医疗保障局", units["street_a"].name}


def test_the_death_of_the_main_earner_is_an_alert_and_of_a_child_it_is_not(push, household_a):
    head = household_a.head()
    child = household_a.current_memberships().exclude(person=head).get().person
    add_income(household_a, "3200", valid_from=date(2025, 1, 1))
    push("public_security", "death", [death(child)])
    assert not Alert.objects.filter(scenario="main_earner_death").exists()
    push("public_security", "death", [death(head)])
    alert = Alert.objects.get(scenario="main_earner_death")
    assert alert.person == head
    assert alert.reasons[0]["checks"][0]["rule"].startswith("为家庭主要劳动力")


def test_a_member_death_in_a_recipient_family_asks_the_street_to_recheck(push, household_a, street_officer_a):
    registry.programme_status_set(
        actor=street_officer_a,
        household=household_a,
        programme="dibao",
        status="active",
        since=date(2025, 1, 1),
        reason="审批确认",
        monthly_amount=Decimal("600"),
    )
    child = household_a.current_memberships().exclude(relation="head").get().person
    push("public_security", "death", [death(child)])
    alert = Alert.objects.get(scenario="recipient_member_death")
    [order] = orders_of(alert)
    assert "调整" in order.description


def test_an_event_for_someone_not_on_file_becomes_a_linkage_task_at_the_district(push, units, admin):
    stranger = new_id_number(date(1960, 5, 5))
    push(
        "medical_insurance",
        "settlement",
        [
            {
                "id_number": stranger,
                "name": "王未知",
                "settlement_no": "X1",
                "settled_on": "2026-11-01",
                "self_paid": "60000",
            }
        ],
    )
    event = PersonEvent.objects.get()
    assert event.person is None and event.id_number == stranger
    alert = Alert.objects.get()
    assert alert.status == Alert.Status.UNLINKED
    [order] = orders_of(alert)
    assert order.owner_unit == units["district"] and "身份" in order.title


def test_someone_living_in_another_street_is_routed_to_both_streets(push, units, street_officer_a):
    household = make_household(street_officer_a, units["grid_a"], head_name="赵人户")
    registry.household_update(
        actor=street_officer_a,
        household=household,
        reason="户籍在鼓楼街道",
        hukou_division_code=units["community_b"].division_code,
    )
    push("medical_insurance", "settlement", [settlement(household.head(), "41000")])
    alert = Alert.objects.get()
    targets = {(o.owner_unit, o.title.rsplit("（", 1)[1]) for o in orders_of(alert)}
    assert targets == {(units["street_b"], "户籍地）"), (units["street_a"], "居住地）")}


def test_an_event_dated_in_the_future_is_rejected_with_the_reason(push, household_a):
    batch = push("public_security", "death", [death(household_a.head(), on=date(2027, 1, 5))])
    assert (batch.accepted, batch.rejected) == (0, 1)
    import pyarrow.parquet as pq

    from jiuzhu.exchange import store

    reason = pq.read_table(store.rejected_path(batch)).column("_reason")[0].as_py()
    assert "2027-01-05" in reason and "晚于" in reason
    assert not Alert.objects.exists()


def test_an_impossible_amount_is_rejected_with_the_reason(push, household_a):
    batch = push("medical_insurance", "settlement", [settlement(household_a.head(), "4,500,000,000")])
    assert (batch.accepted, batch.rejected) == (0, 1)
    import pyarrow.parquet as pq

    from jiuzhu.exchange import store

    reason = pq.read_table(store.rejected_path(batch)).column("_reason")[0].as_py()
    assert "超出该项的合理范围" in reason
    assert not Alert.objects.exists()


def test_a_street_sees_its_own_alerts_only(push, household_a, household_b, street_officer_a, street_officer_b):
    push("medical_insurance", "settlement", [settlement(household_a.head(), "45000")])
    alert = Alert.objects.get()
    assert selectors.alert_get(actor=street_officer_a, id=alert.pk) == alert
    with pytest.raises(NotFound):
        selectors.alert_get(actor=street_officer_b, id=alert.pk)


def test_dismissing_needs_the_right_and_a_reason_and_closes_the_work(
    push, household_a, street_officer_a, grid_worker_a
):
    from jiuzhu.audit.models import AuditEntry
    from jiuzhu.monitoring.errors import MonitoringError

    push("medical_insurance", "settlement", [settlement(household_a.head(), "45000")])
    alert = Alert.objects.get()
    with pytest.raises(MonitoringError):
        alert_dismiss(actor=grid_worker_a, alert=alert, reason="数据有误")
    assert AuditEntry.objects.filter(action="alert.dismiss.refused").exists()
    with pytest.raises(MonitoringError):
        alert_dismiss(actor=street_officer_a, alert=alert, reason=" ")
    alert_dismiss(actor=street_officer_a, alert=alert, reason="医保局确认结算数据录入错误")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DISMISSED
    assert all(o.status == WorkOrder.Status.CLOSED for o in orders_of(alert))


def test_an_alert_closes_when_all_its_work_orders_are_closed(push, household_a, street_officer_a):
    from jiuzhu.workorders.services import work_order_close

    push("medical_insurance", "settlement", [settlement(household_a.head(), "45000")])
    alert = Alert.objects.get()
    assert alerts_close_handled() == 0
    for order in orders_of(alert):
        work_order_close(actor=street_officer_a, work_order=order, feedback="已入户，协助申请医疗救助和临时救助")
    assert alerts_close_handled() == 1
    alert.refresh_from_db()
    assert alert.status == Alert.Status.CLOSED


def test_the_pages_and_the_api_show_an_alert_with_its_reasons_masked(client, push, household_a, street_officer_a):
    head = household_a.head()
    push("medical_insurance", "settlement", [settlement(head, "45000")])
    alert = Alert.objects.get()
    client.force_login(street_officer_a)
    listing = client.get("/alerts/").content.decode()
    assert "大额医疗支出" in listing and head.id_number not in listing and head.id_number[-4:] in listing
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "45000.00" in page and "一次性告知书" in page and f"/workorders/{orders_of(alert)[0].pk}/" in page
    api = client.get("/api/v1/monitoring/alerts").json()
    assert [a["id"] for a in api] == [alert.pk]
    assert api[0]["id_number_masked"] != head.id_number and api[0]["reasons"][0]["values"]["self_paid"] == "45000.00"
