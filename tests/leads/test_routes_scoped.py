"""Every page and API route of the leads app with another street's lead answers 404 (or refuses the method), the
way tests/web/test_every_route_is_scoped.py walks the other apps."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from jiuzhu.config.api import api
from jiuzhu.leads.services import lead_register

pytestmark = pytest.mark.django_db


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def test_every_leads_route_hides_another_streets_lead(street_officer_a, street_officer_b, household_b, units):
    lead = lead_register(
        actor=street_officer_b,
        channel="petition",
        reference="信-1",
        received_at=None,
        situation="family_crisis",
        household=household_b,
    )
    pages = [r for r in walk(get_resolver().url_patterns) if "<int:lead_id>" in r]
    routes = [
        (method, "/api/v1/leads/" + path.lstrip("/"))
        for prefix, router in api._routers
        if prefix.strip("/") == "leads"
        for path, view in router.path_operations.items()
        if "{" in path
        for operation in view.operations
        for method in operation.methods
    ]
    assert len(pages) == 3 and len(routes) == 2
    client = Client()
    client.force_login(street_officer_a)
    for route in pages:
        url = "/" + re.sub(r"<int:lead_id>", str(lead.pk), route)
        for method in ("get", "post"):
            assert getattr(client, method)(url).status_code in (404, 405), f"{method} {url}"
    for method, route in routes:
        url = route.replace("{lead_id}", str(lead.pk))
        response = client.generic(method, url, '{"outcome": "confirmed", "note": "x"}', content_type="application/json")
        assert response.status_code == 404, f"{method} {url}"
