from __future__ import annotations

import os
import shutil

import pytest

from tests.factories import build_district, make_household, make_staff


@pytest.fixture
def units(db):
    return build_district()


@pytest.fixture
def admin(units):
    staff = make_staff("admin", "admin", units["district"])
    staff.is_superuser = True
    staff.save()
    return staff


@pytest.fixture
def approver(units):
    return make_staff("approver", "district_approver", units["district"])


@pytest.fixture
def street_officer_a(units):
    return make_staff("street_a", "street_officer", units["street_a"])


@pytest.fixture
def street_officer_b(units):
    return make_staff("street_b", "street_officer", units["street_b"])


@pytest.fixture
def coordinator_a(units):
    return make_staff("coord_a", "community_coordinator", units["community_a"])


@pytest.fixture
def grid_worker_a(units):
    return make_staff("grid_a", "grid_worker", units["grid_a"])


@pytest.fixture
def supervisor(units):
    return make_staff("supervisor", "supervisor", units["district"])


@pytest.fixture
def liaison(units):
    return make_staff("liaison", "department_liaison", units["district"], department=units["department"])


@pytest.fixture
def household_a(units, street_officer_a):
    return make_household(street_officer_a, units["grid_a"], head_name="张建国")


@pytest.fixture
def household_b(units, street_officer_b):
    return make_household(street_officer_b, units["grid_b"], head_name="李秀英")


# --- Browser: Debian's Chromium (/usr/bin/chromium) driven by Playwright. Never a downloaded browser. -------------
CHROMIUM = os.environ.get("JIUZHU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run installs Debian's chromium package")
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: run `make test` (installs Debian's chromium) or set JIUZHU_CHROMIUM"
        )
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
