"""Writes of 三色管理 and 动态复核. Each checks the actor's right and scope, runs in a transaction and writes its
audit entry in the same transaction; the colour is changed on the household's file with its history and reason.

`actor=None` is the platform itself (the nightly task, the CLI).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.audit import services as audit
from jiuzhu.core.workdays import china_date
from jiuzhu.org.models import Staff
from jiuzhu.org.permissions import CHANGE_HOUSEHOLD
from jiuzhu.policy.localities import home_locality
from jiuzhu.registry import selectors as registry_selectors
from jiuzhu.registry.models import Household
from jiuzhu.reviews import scheduling
from jiuzhu.reviews.classify import Outcome, classify
from jiuzhu.reviews.config import ColourConfig, load_colours
from jiuzhu.reviews.errors import ReviewsError
from jiuzhu.reviews.errors import ReviewsErrorCode as E
from jiuzhu.reviews.models import ColourClassification, HouseholdFlag, Revisit

log = logging.getLogger(__name__)
BATCH = 500
# Who may run the classification on demand: the street and the district (003: 镇（街道）and 区民政局).
CLASSIFY_ROLES = {Staff.Role.ADMIN, Staff.Role.DISTRICT_APPROVER, Staff.Role.STREET_OFFICER}


def can_classify(actor: Staff) -> bool:
    return actor.is_active and actor.has_perm(CHANGE_HOUSEHOLD) and actor.role in CLASSIFY_ROLES


def can_record(actor: Staff) -> bool:
    """Coordinators (and the street above them) record revisits and flags."""
    return actor.is_active and actor.has_perm(CHANGE_HOUSEHOLD) and not actor.is_department_member


def _require_household(actor: Staff, household: Household) -> None:
    if not can_record(actor):
        raise ReviewsError(E.NOT_ALLOWED)
    if not actor.org_unit.contains(household.org_unit):
        raise ReviewsError(E.OUT_OF_JURISDICTION)


# --- The colour ----------------------------------------------------------------------------------------------


@transaction.atomic
def household_colour_set(*, actor: Staff | None, household: Household, colour: str, reason: str) -> bool:
    """Write `Household.color_class` with history (who, why) and an audit entry — only when it changes."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    old = household.color_class
    if old == colour:
        return False
    household.color_class = colour
    household._history_user = actor  # simple-history: who and why, as registry.services does
    household._change_reason = reason[:100]
    household.save(update_fields=["color_class", "updated_at"])
    audit.record(
        actor=actor, action="household.colour", obj=household, changes={"color_class": [old, colour]}, reason=reason
    )
    return True


@dataclass
class ClassifyRun:
    """What a classification run found (and, unless a dry run, wrote)."""

    locality: str
    file: str
    as_of: date
    dry_run: bool
    households: int = 0
    by_colour: Counter = field(default_factory=Counter)  # red/yellow/green, "" = 未分类, "out" = 不在范围
    changes: list[tuple[str, str, str, str]] = field(default_factory=list)  # number, old, new, reason
    skipped: list[tuple[str, str]] = field(default_factory=list)
    schedules_changed: int = 0

    def summary(self) -> dict:
        return {
            "locality": self.locality,
            "file": self.file,
            "as_of": self.as_of.isoformat(),
            "households": self.households,
            "by_colour": dict(self.by_colour),
            "changed": len(self.changes),
            "skipped": len(self.skipped),
        }


def _write(outcomes: list[Outcome], *, config: ColourConfig, actor: Staff | None, run: ClassifyRun) -> None:
    now = timezone.now()
    current = {
        c.household_id: c for c in ColourClassification.objects.filter(household__in=[o.household for o in outcomes])
    }
    for outcome in outcomes:
        household = outcome.household
        if outcome.skipped:
            run.skipped.append((household.number, outcome.skipped))
            continue
        run.by_colour[outcome.colour if outcome.in_scope else "out"] += 1
        reason = outcome.reason(config)
        if outcome.colour != household.color_class:
            run.changes.append((household.number, household.color_class, outcome.colour, reason))
        if run.dry_run:
            continue
        if household_colour_set(actor=actor, household=household, colour=outcome.colour, reason=reason):
            household.color_class = outcome.colour
        fields = {
            "colour": outcome.colour,
            "in_scope": outcome.in_scope,
            "rule_index": outcome.rule.index if outcome.rule else None,
            "rule_label": outcome.rule.label if outcome.rule else "",
            "reference": outcome.rule.reference[:300] if outcome.rule else "",
            "locality": config.locality,
            "config_file": config.file,
        }
        row = current.get(household.pk)
        if row is None:
            ColourClassification.objects.create(household=household, since=now, checked_at=now, **fields)
        elif any(getattr(row, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(row, k, v)
            row.since = row.checked_at = now
            row.save()
    if not run.dry_run:
        ColourClassification.objects.filter(household__in=[o.household for o in outcomes if not o.skipped]).update(
            checked_at=now
        )
        run.schedules_changed += scheduling.schedules_sync(outcomes, today=run.as_of)


def colours_classify(
    *,
    actor: Staff | None,
    locality: str | None = None,
    as_of: date | None = None,
    dry_run: bool = False,
    households=None,
) -> ClassifyRun:
    """Classify the households in the actor's jurisdiction (every household for the platform) by the locality's
    colours.yaml, writing each colour that changes and keeping the review schedules in line. A dry run writes
    nothing and says what would change."""
    if actor is not None and not can_classify(actor):
        raise ReviewsError(E.NOT_ALLOWED)
    config = load_colours(locality or home_locality())
    as_of = as_of or china_date(timezone.now())
    run = ClassifyRun(locality=config.locality, file=config.file, as_of=as_of, dry_run=dry_run)
    if households is None:
        households = registry_selectors.household_list(actor=actor) if actor is not None else Household.objects.all()
    ids = list(households.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = list(Household.objects.filter(pk__in=ids[start : start + BATCH]).select_related("org_unit"))
        outcomes = classify(batch, config=config, as_of=as_of)
        run.households += len(batch)
        with transaction.atomic():
            _write(outcomes, config=config, actor=actor, run=run)
    if not dry_run:
        audit.record(actor=actor, action="colours.classify", changes=run.summary())
    return run


# --- Flags the rules read (e.g. 内生动力不足) -------------------------------------------------------------------


def _reclassify(household: Household, actor: Staff) -> None:
    """A flag changes what the rules see: the household's colour and schedules follow at once, by the actor."""
    config = load_colours(home_locality())
    run = ClassifyRun(config.locality, config.file, china_date(timezone.now()), dry_run=False)
    _write(classify([household], config=config, as_of=run.as_of), config=config, actor=actor, run=run)


@transaction.atomic
def household_flag_set(*, actor: Staff, household: Household, code: str, reason: str) -> HouseholdFlag:
    """Record a flag declared in the locality's colours.yaml (with a reason) and re-classify the household."""
    _require_household(actor, household)
    flags = load_colours(home_locality()).flags
    if code not in flags:
        raise ReviewsError(E.UNKNOWN_FLAG, flag=code, known="、".join(flags.values()) or "无")
    if not reason.strip():
        raise ReviewsError(E.REASON_REQUIRED)
    existing = HouseholdFlag.objects.filter(household=household, code=code, cleared_at__isnull=True).first()
    if existing is not None:
        raise ReviewsError(E.FLAG_ALREADY_SET, label=existing.label, day=china_date(existing.set_at).isoformat())
    flag = HouseholdFlag(
        household=household, code=code, label=flags[code], reason=reason.strip(), set_by=actor, set_at=timezone.now()
    )
    try:
        with transaction.atomic():
            flag.save()
    except IntegrityError:  # set by someone else a moment ago
        raise ReviewsError(E.FLAG_ALREADY_SET, label=flags[code], day=china_date(timezone.now()).isoformat()) from None
    audit.record(actor=actor, action="household.flag_set", obj=flag, reason=flag.reason, changes={"code": code})
    _reclassify(household, actor)
    return flag


@transaction.atomic
def household_flag_clear(*, actor: Staff, household: Household, code: str, reason: str) -> HouseholdFlag:
    _require_household(actor, household)
    if not reason.strip():
        raise ReviewsError(E.REASON_REQUIRED)
    flag = HouseholdFlag.objects.select_for_update().filter(household=household, code=code, cleared_at__isnull=True)
    flag = flag.first()
    if flag is None:
        raise ReviewsError(E.FLAG_NOT_SET, label=code)
    flag.cleared_by, flag.cleared_at, flag.clear_reason = actor, timezone.now(), reason.strip()
    flag.save(update_fields=["cleared_by", "cleared_at", "clear_reason"])
    audit.record(actor=actor, action="household.flag_clear", obj=flag, reason=flag.clear_reason, changes={"code": code})
    _reclassify(household, actor)
    return flag


# --- Ledger revisits ------------------------------------------------------------------------------------------


@transaction.atomic
def revisit_add(*, actor: Staff, household: Household, visited_on: date, notes: str, findings: str = "") -> Revisit:
    """Record a revisit (回访) of a household; it counts as the household's revisit of the current period."""
    _require_household(actor, household)
    if not notes.strip():
        raise ReviewsError(E.NOTES_REQUIRED)
    if visited_on > china_date(timezone.now()):
        raise ReviewsError(E.VISIT_IN_FUTURE, day=visited_on.isoformat())
    revisit = Revisit.objects.create(
        household=household, visited_on=visited_on, visited_by=actor, notes=notes.strip(), findings=findings.strip()
    )
    audit.record(actor=actor, action="revisit.add", obj=revisit, changes={"visited_on": visited_on.isoformat()})
    scheduling.schedule_revisit_done(household=household, visited_on=visited_on, actor=actor)
    return revisit


def ledger_export_record(*, actor: Staff, category: str, rows: int) -> None:
    """Downloading a ledger is a sensitive read (导出留痕)."""
    audit.record(actor=actor, action="ledger.export", changes={"category": category, "rows": rows})


# --- The nightly run -----------------------------------------------------------------------------------------


def reviews_run(*, today: date | None = None, locality: str | None = None) -> dict:
    """Everything the night does, in order: count closed review work orders as done, classify every household
    (writing colours and schedules), then open the reviews that are due."""
    today = today or china_date(timezone.now())
    done = scheduling.review_closings_collect()
    run = colours_classify(actor=None, locality=locality, as_of=today)
    opened = scheduling.review_orders_open(today=today, locality=run.locality)
    return {"done": done, **run.summary(), **opened}
