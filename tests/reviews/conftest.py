"""Households described member by member, the seed localities, and the review work orders (the workorders app's
when it is installed; otherwise a stand-in with the same interface, so that this app's rules stay tested)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.utils import timezone, translation

from jiuzhu.core.id_number import make_id_number
from jiuzhu.registry import services as registry
from jiuzhu.registry.models import SpecialSituation
from jiuzhu.reviews import config, scheduling

CHINA = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(300)
REAL_WORK_ORDERS = "jiuzhu.workorders" in django_settings.INSTALLED_APPS


def china(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """No calendar.yaml from this machine."""
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def fresh_colours():
    config.clear_cache()
    yield
    config.clear_cache()
    translation.deactivate()


@pytest.fixture(autouse=True)
def fixed_now(time_machine):
    """Every test starts on Monday 6 January 2025, 10:00 in China, unless it travels."""
    time_machine.move_to(china("2025-01-06 10:00"))


@pytest.fixture
def chengbei(settings):
    settings.JIUZHU_LOCALITY = "630105-chengbei"
    return "630105-chengbei"


@pytest.fixture
def zhaotong(settings):
    settings.JIUZHU_LOCALITY = "530600-zhaotong"
    return "530600-zhaotong"


def person(actor, name: str, born: date, **attributes):
    number = make_id_number("530103", born, next(_seq) % 1000)
    return registry.person_create(actor=actor, name=name, id_number=number, **attributes)


def family(actor, grid, members: list[dict], *, programmes=("dibao",), since=date(2024, 1, 1)):
    """A household from a list of members: {"name", "born", "relation", "situations": [...], **Person fields}.
    The first member is the head. Each programme is received since `since`."""
    household = registry.household_create(actor=actor, org_unit=grid, residence_address=f"测试路{next(_seq)}号")
    for i, spec in enumerate(members):
        spec = dict(spec)
        situations = spec.pop("situations", [])
        relation = spec.pop("relation", "head" if i == 0 else "child")
        p = person(actor, spec.pop("name", f"成员{i + 1}"), spec.pop("born"), **spec)
        registry.membership_add(
            actor=actor, household=household, person=p, relation=relation, joined_on=date(2015, 1, 1)
        )
        for kind in situations:
            SpecialSituation.objects.create(person=p, kind=kind, valid_from=date(2020, 1, 1))
    for code in programmes:
        registry.programme_status_set(
            actor=actor, household=household, programme=code, status="active", since=since, reason="审批"
        )
    household.refresh_from_db()
    return household


ADULT = {"born": date(1985, 5, 1), "labor_capacity": "full", "employment": "flexible"}


# --- Review work orders ---------------------------------------------------------------------------------------


@dataclass
class FakeOrder:
    pk: int
    title: str
    description: str
    household: object
    owner_unit: object
    origin: str
    origin_id: int
    kind: str
    opened_at: datetime
    status: str = "open"
    closed_at: datetime | None = None


@dataclass
class Orders:
    """The review work orders the tests see: create (by the app), list and close (as the community would)."""

    made: list = field(default_factory=list)

    def all(self) -> list:
        if REAL_WORK_ORDERS:
            from jiuzhu.workorders.models import WorkOrder

            return list(WorkOrder.objects.filter(origin="review").order_by("pk"))
        return list(self.made)

    def open(self) -> list:
        return [o for o in self.all() if o.status != "closed"]

    def close(self, order) -> None:
        if REAL_WORK_ORDERS:
            # The row as work_order_close leaves it (status, time, feedback); written directly so that these tests
            # do not depend on that app's locking (its select_for_update + select_related fails on PostgreSQL).
            type(order).objects.filter(pk=order.pk).update(
                status="closed", closed_at=timezone.now(), feedback="已入户复核，情况无变化"
            )
            order.refresh_from_db()
            return
        order.status, order.closed_at = "closed", timezone.now()

    # the stand-in
    def create(self, **fields):
        fields.pop("actor", None)
        fields.pop("locality", None)
        fields.pop("opened_at", None)
        order = FakeOrder(pk=len(self.made) + 1, opened_at=timezone.now(), **fields)
        self.made.append(order)
        return order

    def closed(self, record_ids):
        wanted = set(record_ids)
        return [(o.origin_id, o.closed_at) for o in self.made if o.status == "closed" and o.origin_id in wanted]


@pytest.fixture
def orders(monkeypatch):
    found = Orders()
    if not REAL_WORK_ORDERS:
        monkeypatch.setattr(scheduling, "_create_order", found.create)
        monkeypatch.setattr(scheduling, "_closed_orders", found.closed)
    return found
