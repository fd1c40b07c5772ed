from __future__ import annotations

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
