from __future__ import annotations

import pytest
from django.test import Client

from jiuzhu.audit.models import AuditEntry
from jiuzhu.org.services import api_client_create


@pytest.fixture
def token(street_officer_a):
    _, token = api_client_create(actor=None, name="街道自助终端", staff=street_officer_a)
    return token


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_api_needs_credentials(client, household_a):
    assert client.get("/api/v1/households").status_code == 401
    assert client.get("/api/v1/households", **bearer("jz_wrong")).status_code == 401


def test_a_token_lists_only_its_jurisdiction_with_masked_numbers(client, token, household_a, household_b):
    body = client.get("/api/v1/households", **bearer(token)).json()
    assert body["count"] == 1 and body["items"][0]["number"] == household_a.number
    detail = client.get(f"/api/v1/households/{household_a.pk}", **bearer(token)).json()
    head = household_a.head()
    member = next(m for m in detail["members"] if m["person_id"] == head.pk)
    assert head.id_number not in str(detail)
    assert member["id_number_masked"] == head.id_number[:6] + "********" + head.id_number[-4:]


def test_out_of_scope_household_is_404_like_a_missing_one(client, token, household_b):
    out_of_scope = client.get(f"/api/v1/households/{household_b.pk}", **bearer(token))
    missing = client.get("/api/v1/households/987654", **bearer(token))
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.json() == missing.json()


def test_reveal_through_the_api_is_logged(client, token, household_a, street_officer_a):
    head = household_a.head()
    response = client.post(
        f"/api/v1/households/persons/{head.pk}/reveal",
        {"field": "id_number", "reason": "核对"},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 200 and response.json()["value"] == head.id_number
    entry = AuditEntry.objects.get(action="person.reveal_id_number")
    assert entry.actor == street_officer_a and entry.reason == "核对"


def test_session_auth_works_for_pages_calling_the_api(household_a, street_officer_a):
    client = Client()
    client.force_login(street_officer_a)
    assert client.get("/api/v1/households?q=张建国").json()["count"] == 1


def test_openapi_schema_is_published(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/households" in schema["paths"]


def test_a_tokens_last_use_is_recorded(client, street_officer_a, household_a):

    api_client, token = api_client_create(actor=None, name="民政一体机", staff=street_officer_a)
    assert api_client.last_used_at is None
    client.get("/api/v1/households", **bearer(token))
    api_client.refresh_from_db()
    assert api_client.last_used_at is not None
