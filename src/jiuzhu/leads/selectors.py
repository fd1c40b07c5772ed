"""Reads of leads and points, scoped to the actor. Missing and not-allowed look the same (NotFound)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiuzhu.core.errors import NotFound
from jiuzhu.core.masking import mask_phone
from jiuzhu.leads.errors import LeadError
from jiuzhu.leads.models import ORIGIN, Lead, PointsEntry, Reporter
from jiuzhu.leads.phones import normalize_mobile
from jiuzhu.org.models import OrgUnit, Staff
from jiuzhu.org.permissions import CHANGE_HOUSEHOLD, VIEW_HOUSEHOLD

# Who may look a reporter up and see a points ledger (the supervisor reads; only casework roles redeem).
POINTS_READERS = {"admin", "district_approver", "street_officer", "community_coordinator", "supervisor"}


def lead_list(*, actor: Staff, status: str = "", channel: str = "", query: str = "") -> QuerySet[Lead]:
    """Leads the actor may see, newest first: those they entered, and those whose unit (the grid, the household's
    unit, or the street) or whose owner unit lies in their jurisdiction. A grid worker's jurisdiction is their grid;
    a community's or street's is everything below it. Department liaisons see none."""
    if not actor.is_active or not actor.has_perm(VIEW_HOUSEHOLD) or actor.is_department_member:
        return Lead.objects.none()
    path = actor.org_unit.path
    qs = Lead.objects.filter(
        Q(reported_by=actor) | Q(org_unit__path__startswith=path) | Q(owner_unit__path__startswith=path)
    )
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if query := query.strip():
        qs = qs.filter(
            Q(subject_name__contains=query)
            | Q(person__name__contains=query)
            | Q(reference__icontains=query)
            | Q(subject_address__contains=query)
        )
    return qs.select_related("person", "household", "org_unit", "owner_unit", "reported_by", "reporter")


def lead_get(*, actor: Staff, id: int) -> Lead:
    try:
        return lead_list(actor=actor).get(pk=id)
    except (Lead.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def lead_by_reference(*, channel: str, reference: str) -> Lead | None:
    return Lead.objects.filter(channel=channel, reference=reference).first() if reference else None


def lead_work_order(*, lead: Lead):
    """The lead's work order (origin="lead", origin_id=lead.pk), or None."""
    from jiuzhu.workorders.models import WorkOrder

    return (
        WorkOrder.objects.filter(origin=ORIGIN, origin_id=lead.pk)
        .select_related("owner_unit", "owner_department", "assignee")
        .first()
    )


def lead_can_verify(*, actor: Staff, lead: Lead) -> bool:
    """Casework roles whose jurisdiction holds the lead's owner unit or its own unit (not its grid worker)."""
    return (
        actor.is_active
        and actor.has_perm(CHANGE_HOUSEHOLD)
        and not actor.is_department_member
        and (actor.org_unit.contains(lead.owner_unit) or actor.org_unit.contains(lead.org_unit))
    )


def subject_search(*, actor: Staff, query: str, limit: int = 10) -> list[tuple]:
    """Registered persons of the actor's jurisdiction by name or by the last digits of the ID number (4 or more),
    with their household: [(person, household), …]. Nothing for a query shorter than one character or four digits."""
    from jiuzhu.registry.models import Membership
    from jiuzhu.registry.selectors import household_list

    query = "".join(query.split())
    if not query or (query.isdigit() and len(query) < 4):
        return []
    if query[:-1].isdigit() and len(query) >= 4:
        match = Q(person__id_number__endswith=query.upper())
    else:
        match = Q(person__name__contains=query)
    rows = (
        Membership.objects.filter(match, left_on__isnull=True, household__in=household_list(actor=actor))
        .select_related("person", "household", "household__org_unit")
        .order_by("person__name", "pk")[:limit]
    )
    return [(m.person, m.household) for m in rows]


def streets_for(*, actor: Staff | None) -> QuerySet[OrgUnit]:
    """Streets a lead may be sent to: for staff, those in their jurisdiction or the one above them; for a resident
    (no actor), every active street."""
    streets = OrgUnit.objects.filter(level=OrgUnit.Level.STREET, is_active=True).order_by("division_code")
    if actor is None:
        return streets
    ids = [int(p) for p in actor.org_unit.path.strip("/").split("/")]
    return streets.filter(Q(path__startswith=actor.org_unit.path) | Q(pk__in=ids))


def reporter_find(*, actor: Staff, phone: str) -> Reporter:
    """A reporter by the full mobile number (no browsing by part of a number). Raises NotFound."""
    if not actor.is_active or actor.role not in POINTS_READERS:
        raise NotFound
    try:
        return Reporter.objects.get(phone=normalize_mobile(phone))
    except (Reporter.DoesNotExist, LeadError):
        raise NotFound from None


def points_ledger(*, reporter: Reporter) -> QuerySet[PointsEntry]:
    return reporter.entries.select_related("lead", "recorded_by")


def public_balance(*, phone: str) -> dict:
    """What the public balance page shows for a mobile number: the number masked and the balance, nothing else.
    A number nobody reported with answers 0, exactly like an account without points, so the page cannot be used to
    learn whether a number is on file."""
    reporter = Reporter.objects.filter(phone=phone).only("balance").first()
    return {"phone": mask_phone(phone), "balance": reporter.balance if reporter else 0}
