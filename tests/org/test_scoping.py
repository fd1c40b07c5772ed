from __future__ import annotations

import pytest

from jiuzhu.core.errors import NotFound
from jiuzhu.org.errors import OrgError
from jiuzhu.org.models import OrgUnit
from jiuzhu.org.services import org_unit_create, staff_create
from jiuzhu.registry import selectors
from jiuzhu.registry.services import household_share, household_share_close


def test_street_officer_sees_only_their_street(street_officer_a, household_a, household_b):
    # given households in two streets
    # when the officer of street A lists households
    visible = set(selectors.household_list(actor=street_officer_a))
    # then only street A's household is there, and B's answers like a missing one
    assert visible == {household_a}
    with pytest.raises(NotFound):
        selectors.household_get(actor=street_officer_a, id=household_b.pk)
    with pytest.raises(NotFound):
        selectors.household_get(actor=street_officer_a, id=999_999)


def test_district_approver_and_supervisor_see_the_whole_district(approver, supervisor, household_a, household_b):
    assert set(selectors.household_list(actor=approver)) == {household_a, household_b}
    assert set(selectors.household_list(actor=supervisor)) == {household_a, household_b}


def test_grid_worker_sees_their_grid(grid_worker_a, household_a, household_b):
    assert set(selectors.household_list(actor=grid_worker_a)) == {household_a}


def test_liaison_sees_only_households_sent_to_their_department(liaison, approver, household_a, household_b, units):
    assert list(selectors.household_list(actor=liaison)) == []
    share = household_share(
        actor=approver, household=household_b, department=units["department"], reason="转介就业援助"
    )
    assert list(selectors.household_list(actor=liaison)) == [household_b]
    household_share_close(actor=liaison, share=share, reason="已办结")
    assert list(selectors.household_list(actor=liaison)) == []


def test_units_must_follow_the_four_levels(units):
    with pytest.raises(OrgError, match="层级"):
        org_unit_create(actor=None, name="错层网格", level="grid", division_code="530103003", parent=units["district"])


def test_subtree_paths(units):
    street = units["street_a"]
    assert set(street.subtree()) == {street, units["community_a"], units["grid_a"]}
    assert units["district"].contains(units["grid_b"]) and not street.contains(units["grid_b"])
    assert [u.level for u in units["grid_a"].ancestors()] == [lv.value for lv in OrgUnit.LEVEL_ORDER]


def test_accounts_are_delegated_down_the_levels(street_officer_a, units):
    # a street officer may create a coordinator for a community of their street…
    coordinator = staff_create(
        actor=street_officer_a,
        username="c1",
        full_name="王协理",
        role="community_coordinator",
        org_unit=units["community_a"],
    )
    assert coordinator.org_unit == units["community_a"]
    # …but not for another street, nor an account at their own level
    with pytest.raises(OrgError, match="管辖范围"):
        staff_create(
            actor=street_officer_a,
            username="c2",
            full_name="赵协理",
            role="community_coordinator",
            org_unit=units["community_b"],
        )
    with pytest.raises(OrgError, match="下级"):
        staff_create(
            actor=street_officer_a,
            username="s2",
            full_name="钱事务员",
            role="street_officer",
            org_unit=units["street_a"],
        )


def test_role_permissions(street_officer_a, grid_worker_a, supervisor):
    assert street_officer_a.has_perm("registry.unmask_identity")
    assert not grid_worker_a.has_perm("registry.unmask_identity")
    assert not supervisor.has_perm("registry.change_household")
    assert supervisor.has_perm("audit.view_auditentry")


def test_org_tree_counts_each_units_whole_subtree(approver, household_a, household_b, units):
    from jiuzhu.org.selectors import org_tree

    (district,) = org_tree(actor=approver)
    streets = {node["unit"]: node for node in district["children"]}
    assert district["households"] == 2
    assert streets[units["street_a"]]["households"] == 1
    assert streets[units["street_a"]]["children"][0]["households"] == 1
