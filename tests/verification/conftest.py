"""A household with a head, a spouse and a child; evidence from the applicant and from departments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from jiuzhu.org.services import department_create
from jiuzhu.registry import services as registry
from jiuzhu.registry.models import AssetRecord, ExpenseRecord, IncomeRecord
from tests.factories import new_id_number

CHINA = ZoneInfo("Asia/Shanghai")


def china(text: str) -> datetime:
    """'2024-06-14 10:00' in China time, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=CHINA)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """No calendar.yaml from this machine, and the default tolerance unless a test sets one."""
    settings.DATA_DIR = tmp_path
    for name in ("RATE", "INCOME", "ASSET"):
        setattr(settings, f"JIUZHU_VERIFICATION_TOLERANCE_{name}", None)
    return tmp_path


@pytest.fixture(autouse=True)
def chinese_after_each_test():
    """A page request in English leaves English active in this thread (LocaleMiddleware); later tests expect Chinese."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fixed_now(time_machine):
    """Deadlines depend on the calendar: every test starts on Friday 14 June 2024, 10:00 in China, unless it travels."""
    time_machine.move_to(china("2024-06-14 10:00"))


@pytest.fixture
def spouse(household_a, street_officer_a):
    person = registry.person_create(actor=street_officer_a, name="王芳", id_number=new_id_number(date(1962, 8, 9)))
    registry.membership_add(
        actor=street_officer_a, household=household_a, person=person, relation="spouse", joined_on=date(2010, 1, 1)
    )
    return person


@pytest.fixture
def hrss(units):
    return units["department"]  # 人力资源和社会保障局


@pytest.fixture
def vehicles_office(units):
    return department_create(actor=None, code="traffic", name="公安交管局", district=units["district"])


def income(household, person, category, amount, *, source="declared", period="monthly", department=None, **dates):
    return IncomeRecord.objects.create(
        household=household,
        person=person,
        category=category,
        amount=Decimal(amount),
        period=period,
        source=source,
        department=department,
        source_batch=dates.pop("batch", "B-2024-06" if source == "department" else ""),
        source_row=dates.pop("row", 7 if source == "department" else None),
        valid_from=dates.pop("valid_from", date(2023, 1, 1)),
        valid_to=dates.pop("valid_to", None),
    )


def asset(household, person, kind, *, source="declared", department=None, value=None, **fields):
    return AssetRecord.objects.create(
        household=household,
        person=person,
        kind=kind,
        source=source,
        department=department,
        value=Decimal(value) if value is not None else None,
        valid_from=fields.pop("valid_from", date(2020, 1, 1)),
        source_batch=fields.pop("batch", "V-2024-06" if source == "department" else ""),
        source_row=fields.pop("row", 3 if source == "department" else None),
        **fields,
    )


def expense(household, person, category, amount, *, period="one_off", source="declared", **fields):
    return ExpenseRecord.objects.create(
        household=household,
        person=person,
        category=category,
        amount=Decimal(amount),
        period=period,
        source=source,
        valid_from=fields.pop("valid_from", date(2024, 2, 1)),
        **fields,
    )
