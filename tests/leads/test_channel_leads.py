"""R5.5 hotlines, petitions, police/governance and media: registered by a clerk, owned by the person's street,
due by the locality's rule from when they were received; one reference once; each street sees its own."""

from __future__ import annotations

import pytest
from django.test import Client

from jiuzhu.core.errors import NotFound
from jiuzhu.leads import selectors
from jiuzhu.leads.errors import LeadError
from jiuzhu.leads.models import Lead
from jiuzhu.leads.services import lead_register, lead_report
from jiuzhu.workorders.models import WorkOrder
from tests.leads.conftest import china

pytestmark = pytest.mark.django_db


def hotline(actor, reference="12345-20240308-0017", **extra):
    fields = {
        "channel": "hotline_12345",
        "reference": reference,
        "received_at": None,
        "situation": "income_loss",
        "description": "来电称丈夫失业三个月，家中无收入",
        "reporter_name": "赵先生",
        "reporter_phone": "0871-65123456",
        "reporter_relation": "self",
        "subject_name": "赵明",
        "subject_address": "拓东路 12 号",
    }
    return lead_register(actor=actor, **(fields | extra))


def test_a_hotline_lead_on_a_friday_is_due_the_next_working_day(street_officer_a, units, time_machine):
    # given a 12345 lead taken on Friday 8 March 2024
    time_machine.move_to(china("2024-03-08 10:30"))
    # when the street officer registers it
    lead = hotline(street_officer_a)
    # then it is the street's hotline_lead, due at the end of Monday 11 March (national default: 1 working day)
    order = WorkOrder.objects.get(origin="lead", origin_id=lead.pk)
    assert order.kind == "hotline_lead" and order.owner_unit == units["street_a"]
    assert order.due_at == china("2024-03-11 23:59:59")


def test_the_limit_runs_from_when_it_was_received(street_officer_a, time_machine):
    time_machine.move_to(china("2024-03-11 09:00"))
    lead = hotline(street_officer_a, received_at=china("2024-03-08 17:00"), channel="petition", reference="信2024-88")
    assert WorkOrder.objects.get(pk=lead.work_order_id).due_at == china("2024-03-11 23:59:59")


def test_the_same_reference_twice_is_refused_with_a_clear_message(street_officer_a, approver, time_machine):
    time_machine.move_to(china("2024-03-08 10:30"))
    first = hotline(street_officer_a)
    # when another clerk enters the same 12345 number again (spaces and all)
    with pytest.raises(LeadError) as refused:
        hotline(approver, reference=" 12345-20240308-0017 ")
    # then it is refused, naming the earlier lead and its day
    assert refused.value.code == "duplicate_reference"
    assert f"线索{first.pk}" in refused.value.message and "2024-03-08" in refused.value.message
    assert Lead.objects.count() == WorkOrder.objects.count() == 1
    # the same number on another channel is another matter
    hotline(street_officer_a, channel="hotline_179")


def test_a_registered_household_goes_to_its_street_whoever_registers_it(approver, household_b, units):
    lead = hotline(approver, household=household_b, subject_name="")
    assert lead.owner_unit == units["street_b"] and lead.org_unit == household_b.org_unit


def test_a_district_clerk_chooses_the_street_and_a_street_cannot_send_to_another(approver, street_officer_a, units):
    lead = hotline(approver, street=units["street_b"])
    assert lead.owner_unit == units["street_b"]
    with pytest.raises(LeadError, match="不是您可以派单的街道"):
        hotline(street_officer_a, reference="x-2", street=units["street_b"])
    with pytest.raises(LeadError, match="选择其居住地所在的街道"):
        hotline(approver, reference="x-3")


def test_a_grid_worker_does_not_register_hotline_leads(grid_worker_a):
    with pytest.raises(LeadError) as refused:
        hotline(grid_worker_a)
    assert refused.value.code == "not_allowed"


def test_a_street_officer_of_street_b_cannot_see_street_a_leads(
    street_officer_a, street_officer_b, grid_worker_a, household_a, coordinator_a
):
    # given a grid lead and a hotline lead in street A
    grid = lead_report(actor=grid_worker_a, household=household_a, situation="accident")
    line = hotline(street_officer_a)
    # then street A's officer and community see them, street B's officer does not, on the list or by id
    assert set(selectors.lead_list(actor=street_officer_a)) == {grid, line}
    assert set(selectors.lead_list(actor=coordinator_a)) == {grid}
    assert not selectors.lead_list(actor=street_officer_b).exists()
    with pytest.raises(NotFound):
        selectors.lead_get(actor=street_officer_b, id=grid.pk)
    client = Client()
    client.force_login(street_officer_b)
    assert client.get(f"/leads/{line.pk}/").status_code == 404
    assert household_a.head().name not in client.get("/leads/").content.decode()


def test_a_grid_worker_sees_their_own_leads_not_the_streets(
    grid_worker_a, grid_worker_b, street_officer_a, household_a
):
    mine = lead_report(actor=grid_worker_a, household=household_a, situation="accident")
    hotline(street_officer_a)  # about someone not on file, at the street
    assert list(selectors.lead_list(actor=grid_worker_a)) == [mine]
    assert not selectors.lead_list(actor=grid_worker_b).exists()


def test_the_clerk_form_registers_and_shows_the_due_time(street_officer_a, time_machine):
    time_machine.move_to(china("2024-03-08 10:30"))
    client = Client()
    client.force_login(street_officer_a)
    form = {
        "channel": "media",
        "reference": "网评-0415",
        "received_at": "2024-03-08T09:15",
        "reporter_relation": "anonymous",
        "subject_name": "刘奶奶",
        "subject_address": "鼓楼路 3 号",
        "situation": "elderly_alone",
    }
    response = client.post("/leads/register/", form, follow=True)
    assert "2024-03-11 23:59" in response.content.decode()
    again = client.post("/leads/register/", form)
    assert again.status_code == 400 and "不能重复登记" in again.content.decode()
