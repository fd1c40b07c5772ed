"""The two public pages (no log-in): a resident's own report, stored only with consent, and the points balance by
phone number — masked, nothing else, and limited per address so numbers cannot be tried one after another."""

from __future__ import annotations

import pytest
from django.test import Client

from jiuzhu.leads.models import Lead, PublicRequest, Reporter
from jiuzhu.leads.services import lead_report, lead_verify
from jiuzhu.workorders.models import WorkOrder
from tests.leads.conftest import china

pytestmark = pytest.mark.django_db


def report(units, **extra) -> dict:
    return {
        "name": "陈桂芳",
        "phone": "13800002222",
        "relation": "resident",
        "subject_name": "楼下的李大爷",
        "situation": "elderly_alone",
        "description": "三天没见出门，敲门无人应",
        "street": units["street_b"].pk,
        "address": "鼓楼路 5 号 2 栋 101",
    } | extra


def test_without_consent_nothing_is_stored(client, units):
    # when a resident fills in everything but does not tick consent
    response = client.post("/public/leads/new/", report(units))
    # then the form comes back with the reason and nothing is kept: no lead, no account, no work order
    assert response.status_code == 400 and "不勾选将不保存任何内容" in response.content.decode()
    assert not Lead.objects.exists() and not Reporter.objects.exists() and not WorkOrder.objects.exists()


def test_with_consent_the_chosen_street_gets_a_same_day_work_order(client, units, time_machine):
    time_machine.move_to(china("2024-03-05 20:00"))
    response = client.post("/public/leads/new/", report(units, consent="on"))
    assert response.status_code == 200 and "鼓楼街道" in response.content.decode()
    lead = Lead.objects.get()
    order = WorkOrder.objects.get(pk=lead.work_order_id)
    assert (lead.channel, lead.owner_unit, lead.reported_by) == ("public", units["street_b"], None)
    assert lead.consent_at is not None and lead.reporter.phone == "13800002222"
    assert order.owner_unit == units["street_b"] and order.due_at == china("2024-03-05 23:59:59")


def test_the_balance_page_shows_only_a_masked_number_and_the_balance(
    client, units, grid_worker_a, coordinator_a, household_a
):
    # given a resident with 30 points
    lead = lead_report(
        actor=grid_worker_a,
        household=household_a,
        situation="accident",
        reporter_name="陈桂芳",
        reporter_phone="13800002222",
        reporter_relation="resident",
    )
    lead_verify(actor=coordinator_a, lead=lead, outcome="confirmed", note="属实")
    # when anyone enters the number on the public page
    page = client.post("/public/points/", {"phone": "13800002222"}).content.decode()
    # then the number is masked and the balance shown, and nothing else about the resident or the lead
    result = page[page.index('id="result"') :]
    assert "138****2222" in result and "<b>30</b>" in result
    for private in ("13800002222", "陈桂芳", household_a.head().name, "意外事故", "积分记录"):
        assert private not in page
    # and a number nobody reported with answers 0, like any account without points
    unknown = client.post("/public/points/", {"phone": "13900009999"}).content.decode()
    assert "139****9999" in unknown and "<b>0</b>" in unknown


def test_one_address_may_ask_five_times_in_ten_minutes(client, time_machine):
    time_machine.move_to(china("2024-03-05 10:00"), tick=False)
    for n in range(5):
        assert 'id="result"' in client.post("/public/points/", {"phone": f"1390000000{n}"}).content.decode()
    refused = client.post("/public/points/", {"phone": "13900000009"}).content.decode()
    assert "操作过于频繁" in refused and 'id="result"' not in refused
    # another address is not held up, and ten minutes later the first may ask again
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert 'id="result"' in other.post("/public/points/", {"phone": "13900000009"}).content.decode()
    time_machine.move_to(china("2024-03-05 10:11"), tick=False)
    assert 'id="result"' in client.post("/public/points/", {"phone": "13900000009"}).content.decode()
    # only a keyed hash of the address is kept, never the address or the numbers asked
    assert not PublicRequest.objects.filter(client="127.0.0.1").exists()
