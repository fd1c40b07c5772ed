"""Raising alerts (预警) from department events, in the transaction that stores the events.

`alerts_for_events(events)` is called by the exchange when a batch commits (and when a clerk confirms a match):
the events and the alerts they raise are committed together, so an event is never stored without its alert, and
an alert exists the moment its event does. Re-sending the same data creates no event and so no alert; an event
already attached to an alert of a scenario is never evaluated again for it.

Deduplication: the same subject (person, or ID number not on file) and scenario within the scenario's
`dedupe_days` of the alert's last event is one alert; later events attach to it and extend its window.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from jiuzhu.audit import services as audit
from jiuzhu.exchange.models import PersonEvent
from jiuzhu.monitoring.models import Alert, AlertEvent
from jiuzhu.monitoring.scenarios import MonitoringConfig, Scenario, load_config
from jiuzhu.policy.localities import home_locality
from jiuzhu.registry import choices as c
from jiuzhu.registry.models import Household, IncomeRecord, Membership, Person, ProgrammeStatus

RECEIVING = (c.ProgrammeStatusValue.ACTIVE, c.ProgrammeStatusValue.GRADUAL_EXIT)


@dataclass
class _Context:
    """What the evaluation of a batch of events reads, loaded once for all of them."""

    config: MonitoringConfig
    household_of: dict[int, int]  # person → current household
    recipients: dict[int, set[str]]  # household → programmes it receives (any date in the batch's span)
    history: dict[tuple[int | str, str], list[PersonEvent]]  # (subject, kind) → earlier events
    main_earners: dict[tuple[int, date], int | None]  # (household, day) → member with the largest income in force
    first_seen: dict[tuple[str, str], tuple[date, int]]  # (subject, kind) → (date, pk) of its earliest event


def alerts_for_batch(batch, *, row: int | None = None) -> list[Alert]:
    """The alerts of what a feed batch (or one confirmed row of it) brought: its new and corrected events."""
    events = PersonEvent.objects.filter(batch=batch).select_related("batch")
    if row is not None:
        events = events.filter(row=row)
    return alerts_for_events(list(events))


def subject_key(event: PersonEvent) -> str:
    return f"p{event.person_id}" if event.person_id else f"id{event.id_number}"


@transaction.atomic
def alerts_for_events(events: list[PersonEvent], *, locality: str | None = None) -> list[Alert]:
    """Evaluate every scenario for these events; raise new alerts (routed at once) or attach to open ones."""
    config = load_config(locality or home_locality())
    events = [e for e in events if e.kind in config.event_kinds and (e.person_id or e.id_number)]
    if not events:
        return []
    done = set(AlertEvent.objects.filter(event__in=[e.pk for e in events]).values_list("event_id", "alert__scenario"))
    ctx = _context(config, events)
    groups: dict[tuple[str, str], list[tuple[PersonEvent, list[dict]]]] = defaultdict(list)
    for event in sorted(events, key=lambda e: (e.occurred_on, e.pk)):
        for scenario in config.for_event(event.kind):
            if (event.pk, scenario.code) in done:
                continue
            checks = _evaluate(scenario, event, ctx)
            if checks is not None:
                groups[(scenario.code, subject_key(event))].append((event, checks))
    _lock([f"{code}:{key}" for code, key in groups])
    raised: list[Alert] = []
    for (code, key), hits in groups.items():
        scenario = config.scenarios[code]
        for cluster in _clusters(hits, scenario.dedupe_days):
            alert = _existing(scenario, key, cluster[0][0].occurred_on)
            new = alert is None
            if new:
                alert = _new_alert(scenario, config, cluster[0][0], ctx)
            _attach(alert, scenario, cluster, config)
            if new:
                from jiuzhu.monitoring.routing import route_alert

                route_alert(alert=alert, scenario=scenario)
                raised.append(alert)
    return raised


def _clusters(hits: list, dedupe_days: int) -> list[list]:
    """A subject's hits of one scenario (in date order) split where two are further apart than the window: a file
    spanning two years of settlements is two alerts, as the same events sent one by one would be."""
    clusters = [[hits[0]]]
    for hit in hits[1:]:
        if (hit[0].occurred_on - clusters[-1][-1][0].occurred_on).days > dedupe_days:
            clusters.append([hit])
        else:
            clusters[-1].append(hit)
    return clusters


def _lock(keys: list[str]) -> None:
    """Serialise alerts of the same subject and scenario across concurrent batches (PostgreSQL); SQLite already
    runs one writing transaction at a time."""
    if connection.vendor != "postgresql" or not keys:
        return
    with connection.cursor() as cursor:
        for key in sorted(keys):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def _context(config: MonitoringConfig, events: list[PersonEvent]) -> _Context:
    person_ids = {e.person_id for e in events if e.person_id}
    household_of = dict(
        Membership.objects.filter(person_id__in=person_ids, left_on__isnull=True).values_list(
            "person_id", "household_id"
        )
    )
    first, last = min(e.occurred_on for e in events), max(e.occurred_on for e in events)
    recipients: dict[int, set[str]] = defaultdict(set)
    for household_id, programme in ProgrammeStatus.objects.filter(
        Q(until__isnull=True) | Q(until__gte=first),
        household_id__in=set(household_of.values()),
        programme__in=config.recipient_programmes,
        status__in=RECEIVING,
        since__lte=last,
    ).values_list("household_id", "programme"):
        recipients[household_id].add(programme)
    window = max((cond.sum_within_days for s in config.scenarios.values() for cond in s.conditions), default=0)
    history: dict[tuple[int | str, str], list[PersonEvent]] = defaultdict(list)
    if window:
        kinds = {k for s in config.scenarios.values() if any(x.sum_within_days for x in s.conditions) for k in s.events}
        ids = {e.id_number for e in events if not e.person_id and e.id_number}
        # both sides of each event: a settlement sent late still completes the window of a later one
        earlier = PersonEvent.objects.filter(
            Q(person_id__in=person_ids) | Q(person__isnull=True, id_number__in=ids),
            kind__in=kinds,
            occurred_on__gte=first - timedelta(days=window),
            occurred_on__lte=last + timedelta(days=window),
        )
        for e in earlier:
            history[(subject_key(e), e.kind)].append(e)
    main_earners: dict[tuple[int, date], int | None] = {}
    earner_kinds = {k for s in config.scenarios.values() if any(x.main_earner for x in s.conditions) for k in s.events}
    days: dict[date, set[int]] = defaultdict(set)
    for e in events:
        if e.kind in earner_kinds and e.person_id in household_of:
            days[e.occurred_on].add(household_of[e.person_id])
    for day, households in days.items():  # each death judged on its own date
        main_earners |= {(h, day): p for h, p in _main_earners(households, day).items()}
    return _Context(config, household_of, recipients, history, main_earners, _first_seen(config, events))


def _first_seen(config: MonitoringConfig, events: list[PersonEvent]) -> dict[tuple[str, str], tuple[date, int]]:
    """The earliest event (date, then pk) of each subject and kind among those a `first_time` condition reads."""
    kinds = {k for s in config.scenarios.values() if any(x.first_time for x in s.conditions) for k in s.events}
    mine = [e for e in events if e.kind in kinds]
    if not mine:
        return {}
    persons = {e.person_id for e in mine if e.person_id}
    ids = {e.id_number for e in mine if not e.person_id}
    earliest: dict[tuple[str, str], tuple[date, int]] = {}
    rows = PersonEvent.objects.filter(
        Q(person_id__in=persons) | Q(person__isnull=True, id_number__in=ids), kind__in={e.kind for e in mine}
    ).values_list("person_id", "id_number", "kind", "occurred_on", "pk")
    for person_id, id_number, kind, day, pk in rows.iterator(chunk_size=20000):
        key = (f"p{person_id}" if person_id else f"id{id_number}", kind)
        if key not in earliest or (day, pk) < earliest[key]:
            earliest[key] = (day, pk)
    return earliest


def _main_earners(household_ids: set[int], day: date) -> dict[int, int | None]:
    """Per household, the member with the largest monthly income in force on `day`; without recorded income, the
    head if of working age (18–59) and able to work; else nobody."""
    income: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for household_id, person_id, amount, period in (
        IncomeRecord.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            household_id__in=household_ids,
            person__isnull=False,
            valid_from__lte=day,
            period__in=(c.Period.MONTHLY, c.Period.ANNUAL),
        )
        .exclude(category__startswith="excluded_")
        .values_list("household_id", "person_id", "amount", "period")
    ):
        income[household_id][person_id] += amount if period == c.Period.MONTHLY else amount / 12
    found: dict[int, int | None] = {}
    heads = {
        m.household_id: m.person
        for m in Membership.objects.filter(
            household_id__in=household_ids, relation=c.Relation.HEAD, left_on__isnull=True
        ).select_related("person")
    }
    for household_id in household_ids:
        earners = income.get(household_id)
        if earners:
            found[household_id] = max(earners.items(), key=lambda kv: kv[1])[0]
            continue
        head = heads.get(household_id)
        able = head is not None and 18 <= head.age_on(day) < 60 and head.labor_capacity != c.LaborCapacity.NONE
        found[household_id] = head.pk if able else None
    return found


def _number(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _evaluate(scenario: Scenario, event: PersonEvent, ctx: _Context) -> list[dict] | None:
    """The checks that held (each with its values), or None when the scenario does not apply to this event."""
    household = ctx.household_of.get(event.person_id) if event.person_id else None
    is_recipient = bool(household and ctx.recipients.get(household))
    if scenario.subject == "recipients" and not is_recipient:
        return None
    if scenario.subject == "others" and is_recipient:
        return None
    checks = []
    for cond in scenario.conditions:
        if cond.main_earner or cond.first_time:
            earner = ctx.main_earners.get((household, event.occurred_on))
            if cond.main_earner and (household is None or earner != event.person_id):
                return None
            if cond.first_time and ctx.first_seen.get((subject_key(event), event.kind)) != (
                event.occurred_on,
                event.pk,
            ):
                return None
            checks.append({"rule": cond.describe(ctx.config.parameters), "held": True})
            continue
        raw = event.values.get(cond.field)
        if cond.op in ("equals", "in"):
            shown = str(raw) if raw is not None else ""
            target = cond.operand if cond.op == "in" else (str(cond.operand),)
            if shown not in target:
                return None
            checks.append({"rule": cond.describe(ctx.config.parameters), "value": shown, "held": True})
            continue
        value = _number(raw)
        if value is None:
            return None
        limit, reference = cond.operand, ""
        if isinstance(limit, str):
            dated = ctx.config.parameters[limit].at(event.occurred_on)
            if dated is None:  # no value on that date: the scenario cannot be decided, never a guessed limit
                return None
            limit, reference = dated.value, dated.reference
        total = value
        if cond.sum_within_days:
            total = _largest_window(event, value, cond.field, cond.sum_within_days, ctx)
        held = total >= limit if cond.op == "at_least" else total <= limit
        if not held:
            return None
        checks.append(
            {
                "rule": cond.describe(ctx.config.parameters),
                "value": str(total),
                "limit": str(limit),
                "reference": reference,
                "held": True,
            }
        )
    return checks


def _largest_window(event: PersonEvent, value: Decimal, field: str, days: int, ctx: _Context) -> Decimal:
    """The largest sum over any `days`-day window holding this event: windows ending on it, and those ending on a
    later event within reach (an earlier settlement sent late completes them)."""
    span = timedelta(days=days - 1)
    dated = [(event.occurred_on, value)] + [
        (e.occurred_on, _number(e.values.get(field)) or Decimal(0))
        for e in ctx.history.get((subject_key(event), event.kind), [])
        if e.pk != event.pk
    ]
    ends = {d for d, _ in dated if event.occurred_on <= d <= event.occurred_on + span}
    return max(sum((v for d, v in dated if end - span <= d <= end), Decimal(0)) for end in ends)


def _existing(scenario: Scenario, key: str, first_day: date) -> Alert | None:
    since = first_day - timedelta(days=scenario.dedupe_days)
    return (
        Alert.objects.select_for_update()
        .filter(scenario=scenario.code, subject_key=key, last_event_on__gte=since)
        .order_by("-last_event_on")
        .first()
    )


def _new_alert(scenario: Scenario, config: MonitoringConfig, event: PersonEvent, ctx: _Context) -> Alert:
    household_id = ctx.household_of.get(event.person_id) if event.person_id else None
    person = Person.objects.filter(pk=event.person_id).first() if event.person_id else None
    alert = Alert.objects.create(
        scenario=scenario.code,
        scenario_name=scenario.name,
        locality=config.locality,
        severity=scenario.severity,
        person=person,
        household=Household.objects.filter(pk=household_id).first() if household_id else None,
        id_number=event.id_number or (person.id_number if person else "") or "",
        name=event.name or (person.name if person else ""),
        subject_key=subject_key(event),
        is_recipient=bool(household_id and ctx.recipients.get(household_id)),
        first_event_on=event.occurred_on,
        last_event_on=event.occurred_on,
        first_received_at=event.batch.received_at,  # when the department's data arrived
    )
    audit.record(actor=None, action="alert.raise", obj=alert, changes={"scenario": scenario.code})
    return alert


def _attach(alert: Alert, scenario: Scenario, hits: list[tuple[PersonEvent, list[dict]]], config) -> None:
    AlertEvent.objects.bulk_create([AlertEvent(alert=alert, event=e) for e, _ in hits], ignore_conflicts=True)
    for event, checks in hits:
        alert.reasons.append(
            {
                "event": event.pk,
                "kind": event.kind,
                "occurred_on": event.occurred_on.isoformat(),
                "source": event.source,
                "batch": str(event.batch_id),
                "row": event.row,
                "values": event.values,
                "checks": checks,
                "scenario_reference": scenario.reference,
            }
        )
    alert.last_event_on = max(alert.last_event_on, *(e.occurred_on for e, _ in hits))
    alert.first_event_on = min(alert.first_event_on, *(e.occurred_on for e, _ in hits))
    alert.save(update_fields=["reasons", "last_event_on", "first_event_on"])
