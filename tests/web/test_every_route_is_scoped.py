"""Walk every URL of the URL conf and every API route with an object outside the actor's jurisdiction:
each must answer 404 (or refuse the method), never the object. New routes are covered automatically."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from jiuzhu.config.api import api

# Routes whose parameter is not an object id, or that are not ours to scope; the policy list is public (R3.8)
# and its editing is tested per department in tests/policy/test_pages.py. A 政策找人 run is the whole district's:
# everyone who may screen sees the run, and its findings are scoped by street (tests/monitoring/test_screening.py).
# The citizen's application pages are scoped by the phone number verified by SMS, not by a jurisdiction
# (tests/cases/test_citizen.py).
NOT_OBJECT_ROUTES = ("admin/", "i18n/", "static/", "policies/", "screening/", "public/")
NOT_OBJECT_API = ("/api/v1/monitoring/screening-runs/",)


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def page_routes() -> list[str]:
    routes = [r for r in walk(get_resolver().url_patterns) if "<" in r and not r.startswith(NOT_OBJECT_ROUTES)]
    return [r for r in routes if not r.startswith("api/")]


def api_routes() -> list[tuple[str, str]]:
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                full = "/api/v1/" + (prefix.strip("/") + "/" + path.lstrip("/")).strip("/")
                if "{" in full and not full.startswith(NOT_OBJECT_API):
                    found.extend((method, full) for method in operation.methods)
    return found


def fill(route: str, ids: dict[str, int]) -> str:
    def value(name: str) -> str:
        for key, v in ids.items():
            if name.startswith(key):
                return str(v)
        if name in ("field",):
            return "id_number"
        raise AssertionError(f"route parameter {name!r} has no out-of-scope object in this test: add one")

    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), route)
    return re.sub(r"\{(\w+)\}", lambda m: value(m.group(1)), route)


@pytest.fixture
def foreign_ids(household_b, units, street_officer_b):
    from datetime import date

    from django.utils import timezone

    from jiuzhu.cases import intake
    from jiuzhu.cases.models import PaymentRoll
    from jiuzhu.exchange.models import FeedBatch, LinkReview
    from jiuzhu.leads.services import lead_register
    from jiuzhu.monitoring.models import Alert
    from jiuzhu.verification.models import VerificationRequest
    from jiuzhu.workorders.services import work_order_create

    verification = VerificationRequest.objects.create(
        household=household_b,
        purpose="application",
        requested_by=street_officer_b,
        requested_at=timezone.now(),
        authorization_signed_on=date(2024, 6, 1),
        start_due_at=timezone.now(),
    )
    batch = FeedBatch.objects.create(
        source="hrss", kind="pension", department=units["department"], channel="cli", content_hash="x"
    )
    review = LinkReview.objects.create(
        batch=batch, row=2, record={}, fingerprint="f", person=household_b.head(), probability=0.9
    )
    order = work_order_create(
        actor=None, kind="alert", title="外街道工单", description="", owner_unit=units["street_b"], locality="national"
    )
    alert = Alert.objects.create(
        scenario="large_medical",
        scenario_name="大额医疗支出",
        locality="national",
        severity="high",
        person=household_b.head(),
        household=household_b,
        subject_key=f"p{household_b.head().pk}",
        first_event_on=date(2026, 11, 1),
        last_event_on=date(2026, 11, 1),
        first_received_at=timezone.now(),
    )
    lead = lead_register(
        actor=street_officer_b,
        channel="hotline_12345",
        reference="12345-B-1",
        received_at=None,
        situation="other",
        description="外街道线索",
        household=household_b,
    )
    application = intake.application_create(
        actor=street_officer_b,
        unit=units["street_b"],
        channel="window",
        applicant_name=household_b.head().name,
        phone="13900002222",
        programmes=["dibao"],
        household=household_b,
        materials_provided=["低保申请书", "家庭成员收入情况声明"],
        authorization_signed_on=date(2024, 6, 1),
    )
    application = intake.application_accept(actor=street_officer_b, application=application)
    roll = PaymentRoll.objects.create(
        locality="demo-530103",
        programme="dibao",
        programme_name="最低生活保障",
        street=units["street_b"],
        month=date(2024, 10, 1),
        generated_at=timezone.now(),
    )
    return {
        "roll": roll.pk,
        "household": household_b.pk,
        "application": application.pk,
        "case": application.cases.get().pk,
        "photo": 1,
        "action": "start",
        "work_order": order.pk,
        "attachment": 1,
        "alert": alert.pk,
        "lead": lead.pk,
        "person": household_b.head().pk,
        "unit": units["street_b"].pk,
        "verification": verification.pk,
        "batch": batch.pk,
        "review": review.pk,
        "source": "hrss",
        "department_code": units["department"].code,
    }


def test_there_are_routes_to_walk():
    assert page_routes() and api_routes()


def test_every_page_route_hides_other_streets_objects(street_officer_a, foreign_ids):
    client = Client()
    client.force_login(street_officer_a)
    for route in page_routes():
        url = "/" + fill(route, foreign_ids)
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            assert status in (404, 405), f"{method.upper()} {url} answered {status}"


def test_every_api_route_hides_other_streets_objects(street_officer_a, foreign_ids):
    client = Client()
    client.force_login(street_officer_a)
    for method, route in api_routes():
        url = fill(route, foreign_ids)
        response = client.generic(method, url, "{}", content_type="application/json")
        # department feeds authenticate with their own source token only: a staff session is no credential there
        expected = 401 if url.startswith("/api/v1/feeds/") else 404
        assert response.status_code == expected, f"{method} {url} answered {response.status_code}"
