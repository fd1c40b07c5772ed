"""The policy pages: a citizen's self-check without log-in that stores nothing, the public policy list kept by the
departments, and a registered household's eligibility with reasons, printable as PDF."""

from __future__ import annotations

import re
import zlib
from datetime import date

import pytest
from django.apps import apps

from jiuzhu.audit.models import AuditEntry
from jiuzhu.org.services import department_create
from jiuzhu.policy.models import CatalogueEntry
from tests.factories import add_income, make_staff


@pytest.fixture
def home(settings):
    settings.JIUZHU_LOCALITY = "530103"


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label != "sessions"}


def _answers(**extra) -> dict[str, str]:
    data = {
        "size": "3",
        "area_type": "urban",
        "financial": "3000",
        "homes": "1",
        "m0-relation": "head",
        "m0-age": "45",
        "m0-labor_capacity": "full",
        "m0-employment": "employed",
        "m0-wage": "800",
        "m0-self_care": "0",
        "m0-supporter_able": "on",
        "m1-relation": "spouse",
        "m1-age": "44",
        "m1-labor_capacity": "full",
        "m1-employment": "unemployed",
        "m1-self_care": "0",
        "m2-relation": "child",
        "m2-age": "10",
        "m2-labor_capacity": "none",
        "m2-school_stage": "primary",
        "m2-self_care": "0",
    }
    return data | extra


def test_a_citizen_checks_without_logging_in_and_nothing_is_stored(client, db, home):
    assert client.get("/self-check/?size=3").status_code == 200
    before = _row_counts()
    response = client.post("/self-check/", _answers())
    page = response.content.decode()
    assert response.status_code == 200
    assert "最低生活保障" in page and "一次性告知" in page and "户口簿、居民身份证" in page
    assert 'data-code="education_aid"' in page
    assert _row_counts() == before


def test_a_citizen_sees_every_mistake_in_plain_chinese(client, db, home):
    page = client.post("/self-check/", _answers(**{"m0-age": "-1", "m1-disability_kind": "physical"})).content.decode()
    assert "第1位家人 · 年龄（周岁）" in page
    assert "有残疾证时请同时选择类别和等级" in page


def test_the_policy_list_is_public_with_the_standard_in_force_and_its_source(client, db, home):
    listing = client.get("/policies/").content.decode()
    assert "最低生活保障" in listing and "特困人员救助供养" in listing
    detail = client.get("/policies/dibao/").content.decode()
    assert "城市低保标准" in detail and "昆民发" in detail


@pytest.fixture
def civil_affairs(units):
    return department_create(actor=None, code="mz", name="民政局", district=units["district"])


def test_a_liaison_keeps_their_own_departments_entry_and_the_change_is_kept(client, units, civil_affairs, home):
    liaison = make_staff("mz_liaison", "department_liaison", units["district"], department=civil_affairs)
    client.force_login(liaison)
    form = client.get("/policies/dibao/edit/").content.decode()
    assert "最低生活保障" in form  # the pack's wording is the starting point
    response = client.post(
        "/policies/dibao/edit/",
        {
            "department": civil_affairs.pk,
            "name": "最低生活保障",
            "category": "基本生活救助",
            "description": "城乡低保，按月发放。",
            "materials": "户口簿\n身份证\n授权书",
            "where_to_apply": "各街道便民服务中心一楼社会救助窗口",
            "contact": "0871-12345678",
            "legal_basis": "民发〔2021〕57号",
        },
    )
    assert response.status_code == 302
    entry = CatalogueEntry.objects.get(programme="dibao")
    assert entry.updated_by == liaison and entry.material_list() == ["户口簿", "身份证", "授权书"]
    assert AuditEntry.objects.filter(action="catalogue_entry.save", object_id=str(entry.pk)).exists()
    detail = client.get("/policies/dibao/").content.decode()
    assert "0871-12345678" in detail and "各街道便民服务中心一楼社会救助窗口" in detail


def _entry(programme: str, name: str, department, by, reviewed_on: date) -> CatalogueEntry:
    return CatalogueEntry.objects.create(
        locality="530103-panlong",
        programme=programme,
        department=department,
        name=name,
        description="按月发放。",
        where_to_apply="街道社会救助窗口",
        reviewed_on=reviewed_on,
        updated_by=by,
    )


def test_a_liaison_cannot_edit_another_departments_entry(client, units, civil_affairs, home):
    other = make_staff("hrss_liaison", "department_liaison", units["district"], department=units["department"])
    _entry("dibao", "最低生活保障", civil_affairs, other, date(2026, 4, 10))
    client.force_login(other)
    assert client.get("/policies/dibao/edit/").status_code == 404
    grid = make_staff("grid_x", "grid_worker", units["grid_a"])
    client.force_login(grid)
    assert client.get("/policies/dibao/edit/").status_code == 404


def test_in_april_a_liaison_is_reminded_of_entries_not_yet_confirmed(client, units, civil_affairs, home, time_machine):
    liaison = make_staff("mz2", "department_liaison", units["district"], department=civil_affairs)
    _entry("tekun", "特困人员救助供养", civil_affairs, liaison, date(2025, 4, 20))
    time_machine.move_to("2026-03-20 10:00+08:00")
    client.force_login(liaison)
    assert "review-reminder" not in client.get("/policies/").content.decode()
    time_machine.move_to("2026-04-02 10:00+08:00")
    client.force_login(liaison)  # a new day, a new session
    assert "特困人员救助供养" in client.get("/policies/").content.decode().split("review-reminder")[1]
    assert "特困人员救助供养" in client.get("/").content.decode().split("catalogue-due")[1]  # and on the workbench


@pytest.fixture
def poor_household(household_a):
    add_income(household_a, "600")  # the head earns 600 a month; nothing else in the file
    return household_a


def test_staff_see_a_households_eligibility_with_reasons_and_the_look_is_logged(
    client, street_officer_a, poor_household, home
):
    client.force_login(street_officer_a)
    page = client.get(f"/households/{poor_household.pk}/eligibility/?as_of=2024-08-01").content.decode()
    assert "最低生活保障" in page and "家庭月人均收入低于低保标准" in page and "735" in page
    assert "档案未记录" in page
    assert AuditEntry.objects.filter(action="household.view", object_id=str(poor_household.pk)).exists()


def test_the_eligibility_letter_prints_as_a_chinese_pdf(client, street_officer_a, poor_household, home):
    client.force_login(street_officer_a)
    response = client.get(f"/households/{poor_household.pk}/eligibility.pdf?as_of=2024-08-01")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"NotoSansCJK" in _inflated(response.content)  # the Chinese font is embedded, not boxes


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams expanded, so font names can be read."""
    out = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            out.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return b"".join(out)


def test_a_household_with_nobody_on_the_date_is_explained_not_guessed(client, street_officer_a, household_a, home):
    client.force_login(street_officer_a)
    page = client.get(f"/households/{household_a.pk}/eligibility/?as_of=2000-01-01").content.decode()
    assert "信息不全，无法测算" in page and "至少需要 1 项" in page
    assert client.get(f"/households/{household_a.pk}/eligibility.pdf?as_of=2000-01-01").status_code == 422


def test_another_streets_household_is_not_found(client, street_officer_a, household_b, home):
    client.force_login(street_officer_a)
    assert client.get(f"/households/{household_b.pk}/eligibility/").status_code == 404
    assert client.get(f"/households/{household_b.pk}/eligibility.pdf").status_code == 404
