"""Reads of the household file, always scoped to the actor (R1.3). Missing and not-allowed look the same."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiuzhu.core.errors import NotFound
from jiuzhu.core.id_number import IdNumberError, normalize_id_number
from jiuzhu.org.models import Staff
from jiuzhu.registry.models import (
    AssetRecord,
    ExpenseRecord,
    Household,
    IncomeRecord,
    Membership,
    Person,
    ProgrammeStatus,
    SpecialSituation,
)


def household_list(*, actor: Staff, query: str = "") -> QuerySet[Household]:
    if not actor.is_active or not actor.has_perm("registry.view_household"):
        return Household.objects.none()
    if actor.is_department_member:
        qs = Household.objects.filter(
            shares__department_id=actor.department_id, shares__closed_at__isnull=True
        ).distinct()
    else:
        qs = Household.objects.filter(org_unit__path__startswith=actor.org_unit.path)
    query = query.strip()
    if query:
        qs = qs.filter(_search_filter(query)).distinct()
    return qs.select_related("org_unit").order_by("number")


def _search_filter(query: str) -> Q:
    """Name, ID number (whole or its last digits), phone, address or household number."""
    try:
        return Q(memberships__left_on__isnull=True, memberships__person__id_number=normalize_id_number(query))
    except IdNumberError:
        pass
    compact = query.replace(" ", "")
    q = (
        Q(number__icontains=compact)
        | Q(residence_address__icontains=query)
        | Q(hukou_address__icontains=query)
        | Q(memberships__left_on__isnull=True, memberships__person__name__contains=compact)
    )
    if compact.isdigit() and len(compact) >= 4:
        q |= Q(phone__endswith=compact) | Q(
            memberships__left_on__isnull=True, memberships__person__phone__endswith=compact
        )
        q |= Q(memberships__left_on__isnull=True, memberships__person__id_number__endswith=compact)
    return q


def household_get(*, actor: Staff, id: int) -> Household:
    try:
        return household_list(actor=actor).get(pk=id)
    except (Household.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def person_list(*, actor: Staff) -> QuerySet[Person]:
    households = household_list(actor=actor)
    return Person.objects.filter(memberships__left_on__isnull=True, memberships__household__in=households)


def person_get(*, actor: Staff, id: int) -> Person:
    try:
        return person_list(actor=actor).get(pk=id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def household_file(*, household: Household) -> dict:
    """Everything on a household's file page, fetched in a handful of queries."""
    memberships = list(household.current_memberships().order_by("joined_on", "pk"))
    person_ids = [m.person_id for m in memberships]
    return {
        "memberships": memberships,
        "former_memberships": list(
            household.memberships.filter(left_on__isnull=False).select_related("person").order_by("-left_on")
        ),
        "incomes": list(household.incomerecord_records.select_related("person", "department").order_by("-valid_from")),
        "assets": list(household.assetrecord_records.select_related("person", "department").order_by("-valid_from")),
        "expenses": list(
            household.expenserecord_records.select_related("person", "department").order_by("-valid_from")
        ),
        "programmes": list(household.programmes.select_related("person")),
        "situations": list(SpecialSituation.objects.filter(person_id__in=person_ids).select_related("person")),
        "plan": getattr(household, "plan", None),
    }


def household_history(*, household: Household, limit: int = 100) -> list[dict]:
    """The file's change log, newest first: who, when, why, and each field's old → new value.

    One query per kind of record: each record's previous version is found in memory (simple-history's
    `prev_record` would ask the database once per row), and labels never follow a foreign key.
    """
    members = dict(household.memberships.values_list("person_id", "person__name"))
    sources = [
        (household.history.all(), lambda r: r.number),
        (Person.history.filter(id__in=members), lambda r: r.name),
        (Membership.history.filter(household_id=household.pk), lambda r: members.get(r.person_id, "")),
    ]
    for model in (IncomeRecord, AssetRecord, ExpenseRecord, ProgrammeStatus):
        sources.append((model.history.filter(household_id=household.pk), lambda r: str(r.instance)))
    entries = []
    for history, label in sources:
        previous_of_object: dict[int, object] = {}
        for record in history.select_related("history_user").order_by("id", "history_date", "history_id"):
            previous = previous_of_object.get(record.id)
            previous_of_object[record.id] = record
            changes = []
            if previous is not None and record.history_type == "~":
                changes = [(ch.field, ch.old, ch.new) for ch in record.diff_against(previous).changes]
            entries.append(
                {
                    "at": record.history_date,
                    "who": getattr(record.history_user, "full_name", "") or "系统",
                    "what": record.instance_type._meta.verbose_name,
                    "object": label(record),
                    "type": {"+": "新增", "~": "修改", "-": "删除"}[record.history_type],
                    "reason": record.history_change_reason or "",
                    "changes": changes,
                }
            )
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:limit]


def head_names(*, households: list[Household]) -> dict[int, str]:
    """Head of each household in one query (for lists)."""
    rows = Membership.objects.filter(household__in=households, left_on__isnull=True, relation="head").values_list(
        "household_id", "person__name"
    )
    return dict(rows)


def plan_reviews_due(*, actor: Staff, by):
    """Households in scope whose plan (一户一策) is due for review by the given day."""
    from jiuzhu.registry.models import HouseholdPlan

    return (
        HouseholdPlan.objects.filter(household__in=household_list(actor=actor), next_review_on__lte=by)
        .select_related("household", "household__org_unit")
        .order_by("next_review_on")
    )


VISIT_SITUATIONS = ("living_alone", "disabled_care_needed", "left_behind", "orphan", "unsupported_child")


def households_to_visit(*, actor: Staff, today) -> QuerySet[Household]:
    """Households in scope with a member alone, disabled needing care, left behind or without carers now."""
    current = Q(situations__valid_to__isnull=True) | Q(situations__valid_to__gte=today)
    people = Person.objects.filter(current, situations__kind__in=VISIT_SITUATIONS, memberships__left_on__isnull=True)
    return (
        household_list(actor=actor).filter(memberships__left_on__isnull=True, memberships__person__in=people).distinct()
    )


def assisted_households_without_plan(*, actor: Staff) -> QuerySet[Household]:
    """Households receiving a programme now but with no plan (一户一策) yet."""
    return household_list(actor=actor).filter(programmes__until__isnull=True, plan__isnull=True).distinct()


def open_shares(*, actor: Staff):
    """What has been sent to the actor's department and is still open."""
    from jiuzhu.registry.models import HouseholdShare

    if not actor.is_department_member:
        return HouseholdShare.objects.none()
    return (
        HouseholdShare.objects.filter(department_id=actor.department_id, closed_at__isnull=True)
        .select_related("household")
        .order_by("-shared_at")
    )
