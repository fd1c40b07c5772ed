from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from jiuzhu.core.errors import NotFound
from jiuzhu.org.models import OrgUnit, ServicePoint, Staff


def org_unit_list(*, actor: Staff) -> QuerySet[OrgUnit]:
    return actor.org_unit.subtree()


def org_unit_get(*, actor: Staff, id: int) -> OrgUnit:
    try:
        return org_unit_list(actor=actor).get(pk=id)
    except (OrgUnit.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def org_tree(*, actor: Staff, max_level: str = OrgUnit.Level.COMMUNITY) -> list[dict]:
    """The actor's subtree as nested dicts with staff and household counts, down to `max_level`."""
    levels = OrgUnit.LEVEL_ORDER[: OrgUnit.LEVEL_ORDER.index(OrgUnit.Level(max_level)) + 1]
    units = list(
        org_unit_list(actor=actor)
        .filter(level__in=levels)
        .annotate(staff_count=Count("staff", distinct=True))
        .prefetch_related(
            Prefetch(
                "service_points",
                queryset=ServicePoint.objects.prefetch_related(
                    Prefetch("staff", queryset=Staff.objects.filter(is_active=True).order_by("full_name"))
                ),
            )
        )
        .order_by("path")
    )
    households = _household_counts_with_descendants(actor.org_unit)
    nodes = {u.pk: {"unit": u, "children": [], "households": households.get(u.pk, 0)} for u in units}
    roots = []
    for unit in units:
        parent = nodes.get(unit.parent_id)
        (parent["children"] if parent and unit.pk != actor.org_unit_id else roots).append(nodes[unit.pk])
    return roots


def _household_counts_with_descendants(root: OrgUnit) -> dict[int, int]:
    """Households per unit id, each unit counting its whole subtree: one grouped query, then up the paths."""
    from jiuzhu.registry.models import Household

    rows = (
        Household.objects.filter(org_unit__path__startswith=root.path).values("org_unit__path").annotate(n=Count("id"))
    )
    totals: dict[int, int] = {}
    for row in rows:
        for unit_id in row["org_unit__path"].strip("/").split("/"):
            totals[int(unit_id)] = totals.get(int(unit_id), 0) + row["n"]
    return totals


def staff_list(*, actor: Staff) -> QuerySet[Staff]:
    if not actor.has_perm("org.manage_staff"):
        return Staff.objects.filter(pk=actor.pk)
    return Staff.objects.filter(org_unit__path__startswith=actor.org_unit.path).select_related("org_unit")
