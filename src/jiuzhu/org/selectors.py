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
    household_counts = _household_counts(actor.org_unit)
    nodes = {u.pk: {"unit": u, "children": [], "households": 0} for u in units}
    for unit in units:
        nodes[unit.pk]["households"] = sum(n for path, n in household_counts.items() if path.startswith(unit.path))
    roots = []
    for unit in units:
        parent = nodes.get(unit.parent_id)
        (parent["children"] if parent and unit.pk != actor.org_unit_id else roots).append(nodes[unit.pk])
    return roots


def _household_counts(root: OrgUnit) -> dict[str, int]:
    from jiuzhu.registry.models import Household

    rows = (
        Household.objects.filter(org_unit__path__startswith=root.path).values("org_unit__path").annotate(n=Count("id"))
    )
    return {r["org_unit__path"]: r["n"] for r in rows}


def staff_list(*, actor: Staff) -> QuerySet[Staff]:
    if not actor.has_perm("org.manage_staff"):
        return Staff.objects.filter(pk=actor.pk)
    return Staff.objects.filter(org_unit__path__startswith=actor.org_unit.path).select_related("org_unit")
