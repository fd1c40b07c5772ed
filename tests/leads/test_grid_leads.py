"""R5.4 网格线索: a grid worker's lead becomes the community's work order, due the same day."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jiuzhu.core.id_number import IdNumberError
from jiuzhu.leads.errors import LeadError
from jiuzhu.leads.models import Lead
from jiuzhu.leads.services import lead_report
from jiuzhu.workorders.models import WorkOrder
from tests.factories import new_id_number
from tests.leads.conftest import china, png

pytestmark = pytest.mark.django_db


def test_a_grid_lead_at_three_is_due_at_midnight_with_the_community(grid_worker_a, household_a, units, time_machine):
    # given a grid worker on the rounds at 15:00
    time_machine.move_to(china("2024-03-05 15:00"))
    # when they report a lead about a registered person of their grid
    lead = lead_report(actor=grid_worker_a, person=household_a.head(), situation="elderly_alone")
    # then a grid_lead work order lands with the community above the grid, due 23:59:59 the same day
    order = WorkOrder.objects.get(origin="lead", origin_id=lead.pk)
    assert order.kind == "grid_lead" and order.owner_unit == units["community_a"]
    assert order.due_at == china("2024-03-05 23:59:59")
    assert lead.work_order_id == order.pk and lead.household == household_a and lead.org_unit == units["grid_a"]


def test_a_lead_about_someone_not_on_file_keeps_what_was_typed(grid_worker_a, time_machine):
    time_machine.move_to(china("2024-03-05 09:00"))
    number = new_id_number()
    # when the grid worker types a name, an ID number with a lower-case x-free full-width form, phone and address
    lead = lead_report(
        actor=grid_worker_a,
        subject_name="王 桂兰",
        subject_id_number=" " + number.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        subject_phone="139 0000 1111",
        subject_address="拓东路 8 号 3 单元",
        situation="sudden_illness",
        description="昨夜突发脑梗，独自在家",
    )
    # then the name and the normalised ID number are kept on the lead
    lead.refresh_from_db()
    assert (lead.subject_name, lead.subject_id_number, lead.person) == ("王 桂兰", number, None)
    assert lead.subject_address == "拓东路 8 号 3 单元"


def test_an_invalid_id_number_is_refused_with_its_reason_and_nothing_is_kept(grid_worker_a):
    number = new_id_number()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    # when the typed ID number has a wrong check digit
    with pytest.raises(IdNumberError) as refused:
        lead_report(actor=grid_worker_a, subject_name="王桂兰", subject_id_number=wrong, situation="accident")
    # then the reason is the Chinese one of core/id_number, and no lead or work order is left
    assert "校验位错误" in refused.value.message
    assert not Lead.objects.exists() and not WorkOrder.objects.exists()


def test_a_grid_worker_cannot_report_about_another_grids_household(grid_worker_a, household_b):
    with pytest.raises(LeadError) as refused:
        lead_report(actor=grid_worker_a, household=household_b, situation="accident")
    assert refused.value.code == "out_of_jurisdiction"


def test_other_needs_a_few_words_and_someone_must_be_named(grid_worker_a):
    with pytest.raises(LeadError, match="其他"):
        lead_report(actor=grid_worker_a, subject_name="王桂兰", situation="other")
    with pytest.raises(LeadError, match="在册人员"):
        lead_report(actor=grid_worker_a, situation="accident")


def test_the_photo_is_kept_privately_and_shown_only_within_scope(
    grid_worker_a, household_a, street_officer_b, coordinator_a, data_dir
):
    # given a lead with a photo
    lead = lead_report(actor=grid_worker_a, household=household_a, situation="housing_damage", photo=png())
    # then the file lies under DATA_DIR/media/leads, not in any public folder
    assert (data_dir / "media" / "leads" / lead.photo_path).is_file() and lead.photo_type == "image/png"
    # and the community sees it, the other street does not
    own, other = Client(), Client()
    own.force_login(coordinator_a)
    other.force_login(street_officer_b)
    url = f"/leads/{lead.pk}/photo/"
    response = own.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert other.get(url).status_code == 404


def test_a_file_that_is_not_an_image_is_refused(grid_worker_a, household_a):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(LeadError, match="不是可识别的照片"):
        lead_report(actor=grid_worker_a, household=household_a, situation="accident", photo=fake)
    assert not Lead.objects.exists()


def test_the_phone_form_reports_and_shows_the_due_time(grid_worker_a, household_a, time_machine):
    time_machine.move_to(china("2024-03-05 15:00"))
    client = Client()
    client.force_login(grid_worker_a)
    # the scoped search finds the head by the last four digits of the ID number
    head = household_a.head()
    found = client.get("/leads/subjects/", {"q": head.id_number[-4:]})
    assert f'value="{head.pk}"' in found.content.decode() and head.id_number not in found.content.decode()
    response = client.post(
        "/leads/new/", {"person": head.pk, "situation": "elderly_alone", "photo": png()}, follow=True
    )
    assert "2024-03-05 23:59" in response.content.decode()
    assert Lead.objects.get().photo_path
