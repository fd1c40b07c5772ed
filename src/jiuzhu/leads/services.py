"""Writes of leads and points. Each runs in one transaction, checks the actor's right and scope, and writes its
audit entry in the same transaction. A lead and its work order are made together or not at all."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.audit import services as audit
from jiuzhu.core.id_number import normalize_id_number
from jiuzhu.core.masking import mask_id_number, mask_phone
from jiuzhu.core.workdays import china_date
from jiuzhu.leads import photos, selectors
from jiuzhu.leads.errors import LeadError
from jiuzhu.leads.errors import LeadErrorCode as E
from jiuzhu.leads.models import (
    EARNS_POINTS,
    ORIGIN,
    STAFF_CHANNELS,
    Channel,
    Lead,
    PointsEntry,
    PublicRequest,
    Reporter,
    ReporterRelation,
    Situation,
)
from jiuzhu.leads.phones import normalize_mobile
from jiuzhu.leads.points import points_for
from jiuzhu.org.models import OrgUnit, Staff
from jiuzhu.registry.models import Household, Person

GRID_REPORTERS = {"grid_worker", "community_coordinator"}
CHANNEL_CLERKS = {"admin", "district_approver", "street_officer", "community_coordinator"}
REDEEMERS = {"admin", "district_approver", "street_officer", "community_coordinator"}


def _ancestor(unit: OrgUnit, level: str) -> OrgUnit | None:
    if unit.level == level:
        return unit
    return next((u for u in unit.ancestors() if u.level == level), None)


def _who(
    actor: Staff | None, *, person, household, subject_name, subject_id_number, subject_phone, subject_address
) -> dict:
    """Who the lead is about: a registered person/household of the actor's jurisdiction, or what was typed (the ID
    number validated by GB 11643 and refused with its reason, never kept as typed)."""
    from jiuzhu.registry.selectors import household_list, person_list

    if person is not None and household is None and (membership := person.current_membership()):
        household = membership.household
    if actor is not None:
        if household is not None and not household_list(actor=actor).filter(pk=household.pk).exists():
            raise LeadError(E.OUT_OF_JURISDICTION)
        if person is not None and not person_list(actor=actor).filter(pk=person.pk).exists():
            raise LeadError(E.OUT_OF_JURISDICTION)
    name = " ".join((subject_name or "").split())
    if len(name) > 50:
        raise LeadError(E.NAME_TOO_LONG)
    number = ""
    if (subject_id_number or "").strip():
        number = normalize_id_number(subject_id_number, as_of=china_date(timezone.now()))
        if person is None and actor is not None:  # the typed number of someone on file in one's own jurisdiction
            found = person_list(actor=actor).filter(id_number=number).first()
            if found is not None:
                person, household = found, found.current_membership().household
    if person is None and household is None and not name:
        raise LeadError(E.WHO_REQUIRED)
    return {
        "person": person,
        "household": household,
        "subject_name": name,
        "subject_id_number": number,
        "subject_phone": (subject_phone or "").strip()[:20],
        "subject_address": (subject_address or "").strip()[:200],
    }


def _what(situation: str, description: str) -> str:
    if situation not in Situation.values:
        raise LeadError(E.UNKNOWN_SITUATION)
    description = (description or "").strip()
    if situation == Situation.OTHER and not description:
        raise LeadError(E.OTHER_NEEDS_TEXT)
    return description


def _reporter(name: str, phone: str, relation: str) -> tuple[dict, Reporter | None]:
    """The reporter's fields, and their points account when a resident or volunteer (made on first report)."""
    name, phone = " ".join((name or "").split())[:50], (phone or "").strip()[:40]
    relation = relation or ReporterRelation.ANONYMOUS
    if relation not in ReporterRelation.values:
        relation = ReporterRelation.ANONYMOUS
    account = None
    if relation in EARNS_POINTS:
        if not name or not phone:
            raise LeadError(E.REPORTER_REQUIRED)
        phone = normalize_mobile(phone)
        account = Reporter.objects.select_for_update().filter(phone=phone).first()
        if account is None:
            account = Reporter.objects.create(phone=phone, name=name, relation=relation, created_at=timezone.now())
    fields = {"reporter_name": name, "reporter_phone": phone, "reporter_relation": relation, "reporter": account}
    return fields, account


def _open(lead: Lead, *, actor: Staff | None, photo, action: str, opened_at: datetime | None = None) -> Lead:
    """Save the lead, open its work order, keep the photo and write the audit entry (inside the caller's
    transaction). The photo's file is removed again when anything after it fails."""
    from jiuzhu.policy.localities import home_locality
    from jiuzhu.workorders.services import work_order_create

    checked = photos.checked_image(photo) if photo else None
    lead.locality = home_locality()
    lead.created_at = timezone.now()
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError:  # another clerk registered the same reference a moment ago
        raise _duplicate(lead.channel, lead.reference) from None
    who = lead.who or lead.subject_name
    title = f"{lead.get_channel_display()}：{who} {lead.get_situation_display()}"
    lines = [
        f"情形：{lead.get_situation_display()}",
        f"情况：{lead.description}" if lead.description else "",
        f"地址：{lead.subject_address}" if lead.subject_address else "",
        f"来源编号：{lead.reference}" if lead.reference else "",
        f"反映人：{lead.reporter_name or '匿名'}（{lead.get_reporter_relation_display()}）",
        f"核实后请在线索页面登记结果：/leads/{lead.pk}/",
    ]
    order = work_order_create(
        actor=actor,
        kind=lead.work_order_kind,
        title=title,
        description="\n".join(line for line in lines if line),
        household=lead.household,
        person=lead.person,
        owner_unit=lead.owner_unit,
        origin=ORIGIN,
        origin_id=lead.pk,
        locality=lead.locality,
        opened_at=opened_at,
    )
    lead.work_order_id = order.pk
    written = None
    try:
        if checked is not None:
            data, content_type, extension = checked
            written = photos.store(lead.pk, data, extension)
            lead.photo_path, lead.photo_type = written, content_type
        lead.save(update_fields=["work_order_id", "photo_path", "photo_type"])
        audit.record(
            actor=actor,
            action=action,
            obj=lead,
            changes={
                "channel": lead.channel,
                "reference": lead.reference,
                "situation": lead.situation,
                "subject_id_number": mask_id_number(lead.subject_id_number) if lead.subject_id_number else "",
                "reporter_phone": mask_phone(lead.reporter_phone) if lead.reporter_phone else "",
                "work_order": order.pk,
                "owner": str(lead.owner_unit),
                "due_at": order.due_at.isoformat(),
                "photo": bool(written),
            },
        )
    except BaseException:
        if written:
            photos.remove(written)
        raise
    lead.work_order = order  # for the caller's page: the due time without another query
    return lead


def _duplicate(channel: str, reference: str) -> LeadError:
    existing = selectors.lead_by_reference(channel=channel, reference=reference)
    return LeadError(
        E.DUPLICATE_REFERENCE,
        channel=Channel(channel).label,
        reference=reference,
        day=china_date(existing.received_at).isoformat() if existing else china_date(timezone.now()).isoformat(),
        lead=existing.pk if existing else "",
    )


@transaction.atomic
def lead_report(
    *,
    actor: Staff,
    situation: str,
    description: str = "",
    person: Person | None = None,
    household: Household | None = None,
    subject_name: str = "",
    subject_id_number: str = "",
    subject_phone: str = "",
    subject_address: str = "",
    photo=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_relation: str = "",
) -> Lead:
    """A grid worker (or the community) reports a lead found on the rounds (网格线索). It becomes a work order of
    kind grid_lead owned by the community above the grid, due by the locality's rule (same day by default).

    The person is picked from the registry of one's grid, or typed (name; ID number optional but, when given,
    valid). A resident or volunteer who told the grid worker may be named, so that they earn points."""
    if not actor.is_active or actor.role not in GRID_REPORTERS:
        raise LeadError(E.NOT_ALLOWED)
    community = _ancestor(actor.org_unit, OrgUnit.Level.COMMUNITY)
    if community is None:
        raise LeadError(E.NOT_GRID_LEVEL)
    subject = _who(
        actor,
        person=person,
        household=household,
        subject_name=subject_name,
        subject_id_number=subject_id_number,
        subject_phone=subject_phone,
        subject_address=subject_address,
    )
    description = _what(situation, description)
    if reporter_name or reporter_phone:
        reporter, _account = _reporter(reporter_name, reporter_phone, reporter_relation or ReporterRelation.RESIDENT)
    else:
        reporter = {"reporter_name": actor.full_name, "reporter_phone": "", "reporter_relation": "staff"}
    lead = Lead(
        channel=Channel.GRID,
        received_at=timezone.now(),
        situation=situation,
        description=description,
        reported_by=actor,
        org_unit=subject["household"].org_unit if subject["household"] else actor.org_unit,
        owner_unit=community,
        **subject,
        **reporter,
    )
    return _open(lead, actor=actor, photo=photo, action="lead.report")


@transaction.atomic
def lead_register(
    *,
    actor: Staff,
    channel: str,
    reference: str,
    received_at: datetime | None,
    situation: str,
    description: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_relation: str = "",
    person: Person | None = None,
    household: Household | None = None,
    subject_name: str = "",
    subject_id_number: str = "",
    subject_phone: str = "",
    subject_address: str = "",
    street: OrgUnit | None = None,
    photo=None,
) -> Lead:
    """A clerk registers a lead from a hotline (12345/2345/179), a petition, the police or governance network, or
    the media (登记线索). It becomes a work order owned by the street where the person lives (or the street chosen),
    due by the locality's rule counted from when it was received. The same reference twice is refused."""
    if not actor.is_active or actor.role not in CHANNEL_CLERKS:
        raise LeadError(E.NOT_ALLOWED)
    if channel not in STAFF_CHANNELS:
        raise LeadError(E.UNKNOWN_CHANNEL, channel=channel)
    label = Channel(channel).label
    reference = "".join((reference or "").split())[:64]
    if not reference:
        raise LeadError(E.REFERENCE_REQUIRED, channel=label)
    if selectors.lead_by_reference(channel=channel, reference=reference):
        raise _duplicate(channel, reference)
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + timedelta(minutes=5):
        raise LeadError(E.RECEIVED_IN_FUTURE, at=timezone.localtime(received_at).strftime("%Y-%m-%d %H:%M"))
    subject = _who(
        actor,
        person=person,
        household=household,
        subject_name=subject_name,
        subject_id_number=subject_id_number,
        subject_phone=subject_phone,
        subject_address=subject_address,
    )
    description = _what(situation, description)
    allowed = selectors.streets_for(actor=actor)
    if subject["household"] is not None:
        street = _ancestor(subject["household"].org_unit, OrgUnit.Level.STREET)
    elif street is None:
        street = _ancestor(actor.org_unit, OrgUnit.Level.STREET)
        if street is None:
            raise LeadError(E.STREET_REQUIRED)
    elif not allowed.filter(pk=street.pk).exists():
        raise LeadError(E.STREET_NOT_ALLOWED, street=street.name)
    reporter, _account = _reporter(reporter_name, reporter_phone, reporter_relation)
    lead = Lead(
        channel=channel,
        reference=reference,
        received_at=received_at,
        situation=situation,
        description=description,
        reported_by=actor,
        org_unit=subject["household"].org_unit if subject["household"] else street,
        owner_unit=street,
        **subject,
        **reporter,
    )
    return _open(lead, actor=actor, photo=photo, action="lead.register", opened_at=received_at)


@transaction.atomic
def lead_submit_public(
    *,
    consent: bool,
    name: str,
    phone: str,
    relation: str,
    situation: str,
    description: str,
    subject_name: str,
    address: str,
    street: OrgUnit | None,
) -> Lead:
    """A resident reports a lead themselves from the public page (群众自报, no log-in). Nothing at all is stored
    without their consent. It becomes a work order owned by the street they chose, verified the same day."""
    if not consent:
        raise LeadError(E.CONSENT_REQUIRED)
    if relation not in {ReporterRelation.RESIDENT, ReporterRelation.VOLUNTEER, ReporterRelation.SELF}:
        relation = ReporterRelation.RESIDENT
    if not (name or "").strip() or not (phone or "").strip():
        raise LeadError(E.REPORTER_REQUIRED)
    phone = normalize_mobile(phone)
    if not (address or "").strip():
        raise LeadError(E.ADDRESS_REQUIRED)
    if street is None or not selectors.streets_for(actor=None).filter(pk=street.pk).exists():
        raise LeadError(E.STREET_REQUIRED)
    description = _what(situation, description)
    if relation == ReporterRelation.SELF:
        subject_name = subject_name or name
    subject = _who(
        None,
        person=None,
        household=None,
        subject_name=subject_name or "（未留姓名）",
        subject_id_number="",
        subject_phone=phone if relation == ReporterRelation.SELF else "",
        subject_address=address,
    )
    reporter, _account = _reporter(name, phone, relation)
    now = timezone.now()
    lead = Lead(
        channel=Channel.PUBLIC,
        received_at=now,
        situation=situation,
        description=description,
        consent_at=now,
        org_unit=street,
        owner_unit=street,
        **subject,
        **reporter,
    )
    return _open(lead, actor=None, photo=None, action="lead.submit_public")


@transaction.atomic
def lead_verify(*, actor: Staff, lead: Lead, outcome: str, note: str, duplicate_of: Lead | None = None) -> Lead:
    """Record what the check found (核实): 属实 (confirmed, with what was done), 不属实 or 重复. A confirmed lead of
    a resident or volunteer earns them points by the locality's points.yaml in force today. The lead's work order is
    closed with the same words when it is still open and the actor may close it; otherwise it stays with its
    handler."""
    if not selectors.lead_can_verify(actor=actor, lead=lead):
        raise LeadError(E.NOT_ALLOWED)
    if outcome not in Lead.OUTCOMES:
        raise LeadError(E.UNKNOWN_OUTCOME)
    note = (note or "").strip()
    if not note:
        raise LeadError(E.NOTE_REQUIRED)
    lead = Lead.objects.select_for_update().select_related("owner_unit", "org_unit").get(pk=lead.pk)
    if not lead.can_verify():
        raise LeadError(E.CANNOT_VERIFY, status=lead.get_status_display())
    if duplicate_of is not None and duplicate_of.pk == lead.pk:
        raise LeadError(E.DUPLICATE_OF_SELF)
    now = timezone.now()
    lead.status = outcome
    lead.outcome_note = note
    lead.verified_by = actor
    lead.verified_at = now
    lead.duplicate_of = duplicate_of if outcome == Lead.Status.DUPLICATE else None
    lead.save(update_fields=["status", "outcome_note", "verified_by", "verified_at", "duplicate_of"])
    earned = None
    if outcome == Lead.Status.CONFIRMED and lead.earns_points:
        earned = _earn(actor, lead, now)
    audit.record(
        actor=actor,
        action="lead.verify",
        obj=lead,
        changes={"outcome": outcome, "note": note[:200], "points": earned.points if earned else 0},
    )
    _close_work_order(actor, lead, f"线索核实：{lead.get_status_display()}。{note}")
    return lead


def _earn(actor: Staff, lead: Lead, now: datetime) -> PointsEntry:
    points, table = points_for(locality=lead.locality, situation=lead.situation, as_of=china_date(now))
    reporter = Reporter.objects.select_for_update().get(pk=lead.reporter_id)
    reporter.balance += points
    reporter.save(update_fields=["balance"])
    return PointsEntry.objects.create(
        reporter=reporter,
        kind=PointsEntry.Kind.EARNED,
        points=points,
        balance_after=reporter.balance,
        lead=lead,
        note=f"线索{lead.pk}属实（{lead.get_situation_display()}）：{table.explain(lead.situation)}"[:200],
        reference=f"{table.reference}（{table.since.isoformat()}起）"[:300],
        recorded_by=actor,
        at=now,
    )


def _close_work_order(actor: Staff, lead: Lead, feedback: str) -> None:
    from jiuzhu.core.errors import JiuzhuError
    from jiuzhu.workorders.services import work_order_close

    order = selectors.lead_work_order(lead=lead)
    if order is None or order.is_closed or not order.can_close(actor):
        return
    try:
        with transaction.atomic():
            work_order_close(actor=actor, work_order=order, feedback=feedback)
    except JiuzhuError:  # e.g. the kind needs a photo first: the order stays open with its handler
        pass


@transaction.atomic
def points_redeem(*, actor: Staff, reporter: Reporter, points: int, item: str) -> PointsEntry:
    """Book a redemption (积分兑换): what was exchanged and for how many points. Never more than the balance."""
    if not actor.is_active or actor.role not in REDEEMERS:
        raise LeadError(E.NOT_ALLOWED)
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise LeadError(E.POINTS_INVALID)
    item = " ".join((item or "").split())[:200]
    if not item:
        raise LeadError(E.ITEM_REQUIRED)
    reporter = Reporter.objects.select_for_update().get(pk=reporter.pk)
    if points > reporter.balance:
        raise LeadError(E.BALANCE_TOO_LOW, balance=reporter.balance, points=points)
    reporter.balance -= points
    reporter.save(update_fields=["balance"])
    entry = PointsEntry.objects.create(
        reporter=reporter,
        kind=PointsEntry.Kind.REDEEMED,
        points=points,
        balance_after=reporter.balance,
        note=item,
        recorded_by=actor,
        at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action="points.redeem",
        obj=reporter,
        changes={"points": points, "item": item, "balance_after": reporter.balance},
    )
    return entry


def points_lookup_record(*, actor: Staff, reporter: Reporter) -> None:
    """A staff member looked a reporter's ledger up (查阅留痕)."""
    audit.record(actor=actor, action="points.view", obj=reporter)


# --- The public pages: how often one address may ask ----------------------------------------------------------

PUBLIC_LIMITS = {  # purpose: (per address, for everyone together, window)
    "balance": (5, 300, timedelta(minutes=10)),
    "report": (5, 500, timedelta(hours=1)),
}


def _client_key(address: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}|{address}".encode()).hexdigest()


@transaction.atomic
def public_request_allow(*, purpose: str, address: str) -> None:
    """Count one request to a public page; raise TOO_MANY_REQUESTS when this address, or everyone together, has
    asked too often in the window (settings.JIUZHU_PUBLIC_LIMITS overrides the defaults). Rows older than the
    longest window are deleted as we go."""
    limits = getattr(settings, "JIUZHU_PUBLIC_LIMITS", None) or PUBLIC_LIMITS
    per_client, overall, window = limits[purpose]
    now = timezone.now()
    PublicRequest.objects.filter(at__lt=now - max(w for _c, _o, w in limits.values())).delete()
    recent = PublicRequest.objects.filter(purpose=purpose, at__gte=now - window)
    client = _client_key(address)
    if recent.filter(client=client).count() >= per_client or recent.count() >= overall:
        raise LeadError(E.TOO_MANY_REQUESTS, minutes=int(window.total_seconds() // 60))
    PublicRequest.objects.create(purpose=purpose, client=client, at=now)
