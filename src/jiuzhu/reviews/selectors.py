"""Reads of 三色管理, schedules and ledgers, scoped to the actor's jurisdiction. Department liaisons see none of it:
the colours and the ledgers are the civil-affairs office's working lists, not a department's."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jiuzhu.org.models import OrgUnit, Staff
from jiuzhu.registry import selectors as registry_selectors
from jiuzhu.registry.choices import ColorClass, Programme
from jiuzhu.registry.models import Household, ProgrammeStatus
from jiuzhu.reviews.errors import ReviewsError, ReviewsErrorCode
from jiuzhu.reviews.models import ColourClassification, HouseholdFlag, ReviewKind, ReviewRecord, ReviewSchedule, Revisit
from jiuzhu.reviews.scheduling import RECEIVING

# The low-income population ledger by category (R2.6), as far as the file records it. 脱贫不稳定户、边缘易致贫户 and
# 突发严重困难户 are kept together on the file as 防止返贫监测对象.
LEDGER_CATEGORIES = {
    Programme.MARGINAL: _("低保边缘家庭"),
    Programme.RIGID_EXPENSE: _("刚性支出困难家庭"),
    Programme.RELAPSE_WATCH: _("防止返贫监测对象（脱贫不稳定户、边缘易致贫户、突发严重困难户）"),
    Programme.DIBAO: _("低保家庭"),
    Programme.TEKUN: _("特困人员"),
}


def households_in_scope(*, actor: Staff) -> QuerySet[Household]:
    if actor.is_department_member:
        return Household.objects.none()
    return registry_selectors.household_list(actor=actor)


def classification_list(*, actor: Staff, colour: str = "", street: OrgUnit | None = None, rule: str = ""):
    """Classified households in scope (in the three-colour scope), with the rule each one matched."""
    qs = ColourClassification.objects.filter(household__in=households_in_scope(actor=actor), in_scope=True)
    if colour == "none":
        qs = qs.filter(colour="")
    elif colour:
        qs = qs.filter(colour=colour)
    if street is not None:
        qs = qs.filter(household__org_unit__path__startswith=street.path)
    if rule:
        qs = qs.filter(rule_label=rule)
    return qs.select_related("household", "household__org_unit").order_by("household__number")


def streets_in_scope(*, actor: Staff) -> list[OrgUnit]:
    """The streets the actor sees: all of the district's, their own, or the one above their community or grid."""
    unit = actor.org_unit
    if unit.depth <= 1:
        return list(unit.subtree().filter(level=OrgUnit.Level.STREET).order_by("path"))
    return list(unit.ancestors().filter(level=OrgUnit.Level.STREET))


def colour_distribution(*, actor: Staff) -> dict:
    """Counts by street and colour, and by rule (what matched), for the households in scope."""
    streets = streets_in_scope(actor=actor)
    rows = {s.pk: {"street": s, "red": 0, "yellow": 0, "green": 0, "none": 0, "total": 0} for s in streets}
    by_rule: dict[tuple, int] = defaultdict(int)
    qs = classification_list(actor=actor).values_list("household__org_unit__path", "colour", "rule_index", "rule_label")
    for path, colour, index, label in qs:
        street = next((s for s in streets if path.startswith(s.path)), None)
        if street is not None:
            row = rows[street.pk]
            row[colour or "none"] += 1
            row["total"] += 1
        by_rule[(index or 999, colour, label or "未分类")] += 1
    total = {k: sum(r[k] for r in rows.values()) for k in ("red", "yellow", "green", "none", "total")}
    rules = [
        {"index": i if i != 999 else None, "colour": c, "label": label, "count": n}
        for (i, c, label), n in sorted(by_rule.items())
    ]
    return {"rows": list(rows.values()), "total": total, "rules": rules}


def household_reviews(*, household: Household) -> dict:
    """The household page's section: colour and rule, flags, schedules per kind, recent reviews and revisits."""
    return {
        "classification": ColourClassification.objects.filter(household=household).first(),
        "flags": list(HouseholdFlag.objects.filter(household=household, cleared_at__isnull=True)),
        "flag_history": list(HouseholdFlag.objects.filter(household=household, cleared_at__isnull=False)[:10]),
        "schedules": list(ReviewSchedule.objects.filter(household=household, active=True).order_by("next_due_on")),
        "records": list(ReviewRecord.objects.filter(household=household)[:24]),
        "revisits": list(Revisit.objects.filter(household=household).select_related("visited_by")[:20]),
    }


def ledger_households(*, actor: Staff, category: str, today: date, street: OrgUnit | None = None):
    """Households of a ledger category in scope: receiving that programme on `today` (or in its gradual exit)."""
    if category not in LEDGER_CATEGORIES:
        raise ReviewsError(ReviewsErrorCode.UNKNOWN_CATEGORY, category=category)
    current = ProgrammeStatus.objects.filter(
        Q(until__isnull=True) | Q(until__gte=today), programme=category, status__in=RECEIVING, since__lte=today
    )
    qs = households_in_scope(actor=actor).filter(pk__in=current.values("household_id"))
    if street is not None:
        qs = qs.filter(org_unit__path__startswith=street.path)
    return qs.annotate(last_revisit=Max("revisits__visited_on")).order_by("number")


def ledger_rows(*, households: list[Household], category: str, today: date) -> list[dict]:
    """One row per household for the ledger page and its Excel export."""
    ids = [h.pk for h in households]
    heads = registry_selectors.head_names(households=households)
    since = {}
    for hid, day in ProgrammeStatus.objects.filter(household_id__in=ids, programme=category).values_list(
        "household_id", "since"
    ):
        since[hid] = min(since.get(hid, day), day)
    schedules: dict[int, list[ReviewSchedule]] = defaultdict(list)
    for s in ReviewSchedule.objects.filter(household_id__in=ids, active=True).order_by("next_due_on"):
        schedules[s.household_id].append(s)
    last_visit = {}
    for r in Revisit.objects.filter(household_id__in=ids).select_related("visited_by").order_by("visited_on", "pk"):
        last_visit[r.household_id] = r
    rules = dict(ColourClassification.objects.filter(household_id__in=ids).values_list("household_id", "rule_label"))
    streets = {u.path: u.name for u in OrgUnit.objects.filter(level=OrgUnit.Level.STREET)}
    rows = []
    for h in households:
        mine = schedules[h.pk]
        revisit = next((s for s in mine if s.kind == ReviewKind.REVISIT), None)
        upcoming = revisit or (mine[0] if mine else None)
        visit = last_visit.get(h.pk)
        rows.append(
            {
                "household": h,
                "head": heads.get(h.pk, ""),
                "street": next((n for p, n in streets.items() if h.org_unit.path.startswith(p)), ""),
                "unit": h.org_unit.name,
                "colour": h.color_class,
                "colour_label": str(ColorClass(h.color_class).label) if h.color_class else "",
                "rule": rules.get(h.pk, ""),
                "since": since.get(h.pk),
                "last_revisit": visit.visited_on if visit else None,
                "last_revisit_by": visit.visited_by.full_name if visit else "",
                "next_due": upcoming.next_due_on if upcoming else None,
                "next_kind": str(ReviewKind(upcoming.kind).label) if upcoming else "",
                "overdue": bool(upcoming and upcoming.next_due_on < today),
                "schedules": "；".join(f"{s.get_kind_display()}每{s.every_months}个月" for s in mine),
            }
        )
    return rows
