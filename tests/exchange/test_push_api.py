"""A department system pushes JSON batches with its own token and an idempotency key."""

from __future__ import annotations

import pytest

from jiuzhu.exchange.models import FeedBatch, PersonEvent
from jiuzhu.exchange.services import source_token_create

URL = "/api/v1/feeds/medical_insurance/records"


@pytest.fixture
def token(admin):
    return source_token_create(actor=admin, source="medical_insurance", name="医保局前置机")[1]


def _settlement(person, number="JS100", self_paid="45,000.00"):
    return {
        "姓名": person.name,
        "id_number": person.id_number,
        "结算单号": number,
        "settled_on": "2024年5月6日",
        "self_paid": self_paid,
        "total": 52000,
    }


def _push(client, token, body, **headers):
    return client.post(
        URL, body, content_type="application/json", headers={"Authorization": f"Bearer {token}", **headers}
    )


@pytest.mark.django_db
def test_a_push_is_accepted_row_by_row_and_repeating_it_changes_nothing(client, token, household_a):
    head = household_a.head()
    body = {
        "kind": "settlement",
        "idempotency_key": "2024-05-06-001",
        "records": [_settlement(head), _settlement(head, "JS101", "一万")],
    }

    first = _push(client, token, body)
    again = _push(client, token, body)

    assert first.status_code == 201, first.content
    result = first.json()
    assert (result["rows_in"], result["accepted"], result["rejected"], result["linked_id"]) == (2, 1, 1, 1)
    assert result["rejections"][0]["row"] == 2 and "个人自付" in result["rejections"][0]["reason"]
    assert again.status_code == 200 and again.json()["duplicate"] and again.json()["batch"] == result["batch"]
    assert PersonEvent.objects.filter(kind="medical_settlement").count() == 1
    assert FeedBatch.objects.count() == 1


@pytest.mark.django_db
def test_the_same_idempotency_key_with_other_data_is_a_conflict(client, token, household_a):
    head = household_a.head()
    _push(client, token, {"kind": "settlement", "idempotency_key": "k1", "records": [_settlement(head)]})

    clash = _push(client, token, {"kind": "settlement", "idempotency_key": "k1", "records": [_settlement(head, "JS9")]})

    assert clash.status_code == 409 and "幂等键" in clash.json()["detail"]


@pytest.mark.django_db
def test_a_token_is_good_for_its_own_source_only(client, token, household_a, admin):
    other = source_token_create(actor=admin, source="disability_federation", name="残联")[1]
    body = {"kind": "settlement", "records": [_settlement(household_a.head())]}

    assert _push(client, other, body).status_code == 401
    assert _push(client, "jzf_not-a-token", body).status_code == 401
    assert client.post(URL, body, content_type="application/json").status_code == 401
    assert _push(client, token, body).status_code == 201
