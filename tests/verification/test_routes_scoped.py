"""Every verification route, page and API, with another street's verification and household: 404, never the data.

tests/web/test_every_route_is_scoped.py walks every route of the platform; this runs the same walk over the
verification routes with a real verification of street B to point at."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from jiuzhu.verification import services
from tests.web.test_every_route_is_scoped import api_routes, fill, page_routes


@pytest.fixture
def foreign_ids(street_officer_b, household_b, units):
    verification = services.verification_request(
        actor=street_officer_b, household=household_b, purpose="application", authorization_signed_on=date(2024, 6, 1)
    )
    return {
        "verification": verification.pk,
        "household": household_b.pk,
        "person": household_b.head().pk,
        "unit": units["street_b"].pk,
    }


def test_there_are_verification_routes_to_walk():
    assert len([r for r in page_routes() if "verification" in r]) >= 6
    assert len([r for _, r in api_routes() if "verification" in r]) >= 3


def test_every_verification_page_hides_other_streets_objects(street_officer_a, foreign_ids):
    client = Client()
    client.force_login(street_officer_a)
    for route in (r for r in page_routes() if "verification" in r):
        url = "/" + fill(route, foreign_ids)
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            assert status in (404, 405), f"{method.upper()} {url} answered {status}"


def test_every_verification_api_route_hides_other_streets_objects(street_officer_a, foreign_ids):
    client = Client()
    client.force_login(street_officer_a)
    for method, route in (x for x in api_routes() if "verification" in x[1]):
        url = fill(route, foreign_ids)
        response = client.generic(method, url, "{}", content_type="application/json")
        assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
