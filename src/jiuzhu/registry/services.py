"""Writes to the household file. Each runs in one transaction, checks the actor's right and scope, keeps the
history (simple-history, with actor and reason) and writes its audit entry in the same transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.audit import services as audit
from jiuzhu.core.id_number import parse_id_number
from jiuzhu.core.masking import mask_id_number
from jiuzhu.org.models import Department, OrgUnit, Staff
from jiuzhu.org.permissions import CHANGE_HOUSEHOLD, UNMASK_IDENTITY
from jiuzhu.registry import choices as c
from jiuzhu.registry.errors import RegistryError
from jiuzhu.registry.errors import RegistryErrorCode as E
from jiuzhu.registry.models import (
    AssetRecord,
    ExpenseRecord,
    Household,
    HouseholdPlan,
    HouseholdShare,
    IncomeRecord,
    Membership,
    Person,
    ProgrammeStatus,
)

PERSON_EDITABLE = (
    "name",
    "phone",
    "ethnicity",
    "labor_capacity",
    "disability_kind",
    "disability_grade",
    "serious_illness",
    "chronic_illness",
    "employment",
    "school_stage",
    "death_date",
    "hukou_division_code",
    "hukou_address",
    "residence_division_code",
    "residence_address",
)
HOUSEHOLD_EDITABLE = {
    "org_unit",
    "area_type",
    "phone",
    "color_class",
    "hukou_division_code",
    "hukou_address",
    "residence_division_code",
    "residence_address",
}
SENSITIVE_FIELDS = {"id_number", "phone"}


def _require(actor: Staff, perm: str) -> None:
    if not actor.has_perm(perm):
        raise RegistryError(E.NOT_ALLOWED)


def _require_unit(actor: Staff, unit: OrgUnit) -> None:
    if actor.is_department_member or not actor.org_unit.contains(unit):
        raise RegistryError(E.OUT_OF_JURISDICTION)


def _stamp(obj, actor: Staff | None, reason: str = "") -> None:
    """Tell simple-history who made this change and why."""
    obj._history_user = actor
    obj._change_reason = reason


def _audit_value(field: str, value) -> object:
    if value is None:
        return None
    if field == "id_number":
        return mask_id_number(value)
    if field == "phone":
        return f"***{str(value)[-4:]}" if value else ""
    return str(value) if isinstance(value, Decimal | date | OrgUnit) else value


@transaction.atomic
def household_create(
    *,
    actor: Staff,
    org_unit: OrgUnit,
    number: str | None = None,
    area_type: str = c.AreaType.URBAN,
    phone: str = "",
    hukou_division_code: str = "",
    hukou_address: str = "",
    residence_division_code: str = "",
    residence_address: str = "",
) -> Household:
    _require(actor, CHANGE_HOUSEHOLD)
    _require_unit(actor, org_unit)
    household = Household(
        org_unit=org_unit,
        number=number or _next_household_number(org_unit),
        area_type=area_type,
        phone=phone,
        hukou_division_code=hukou_division_code,
        hukou_address=hukou_address,
        residence_division_code=residence_division_code,
        residence_address=residence_address,
    )
    household.full_clean()
    _stamp(household, actor, "建档")
    household.save()
    audit.record(actor=actor, action="household.create", obj=household)
    return household


def _next_household_number(org_unit: OrgUnit) -> str:
    """Community code + a five-digit serial: the next after the highest already issued there."""
    prefix = org_unit.division_code[:12]
    last = (
        Household.objects.filter(number__startswith=prefix, number__regex=rf"^{prefix}\d{{5}}$")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:05d}"


@transaction.atomic
def person_create(
    *,
    actor: Staff,
    name: str,
    id_number: str | None = None,
    sex: str | None = None,
    birth_date: date | None = None,
    **attributes,
) -> Person:
    """Register a person. Sex and birth date come from the ID number; a contradicting value is refused."""
    _require(actor, CHANGE_HOUSEHOLD)
    unknown = set(attributes) - set(PERSON_EDITABLE)
    if unknown:
        raise RegistryError(E.UNKNOWN_FIELD, field=", ".join(sorted(unknown)))
    normalised = None
    if id_number:
        parsed = parse_id_number(id_number)
        normalised = parsed.number
        if sex and sex != parsed.sex:
            raise RegistryError(E.ID_MISMATCH, field="性别", expected=c.Sex(parsed.sex).label)
        if birth_date and birth_date != parsed.birth_date:
            raise RegistryError(E.ID_MISMATCH, field="出生日期", expected=parsed.birth_date.isoformat())
        sex, birth_date = parsed.sex, parsed.birth_date
        existing = Person.objects.filter(id_number=normalised).first()
        if existing is not None:
            raise RegistryError(E.DUPLICATE_ID_NUMBER, name=existing.name)
    elif not (sex and birth_date):
        raise RegistryError(E.BIRTH_DATE_REQUIRED)
    person = Person(name=name.strip(), id_number=normalised, sex=sex, birth_date=birth_date, **attributes)
    person.full_clean(validate_unique=False)
    _stamp(person, actor, "登记")
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise RegistryError(E.DUPLICATE_ID_NUMBER, name="他人") from None
    audit.record(actor=actor, action="person.create", obj=person)
    return person


@transaction.atomic
def membership_add(
    *, actor: Staff, household: Household, person: Person, relation: str, joined_on: date, reason: str = ""
) -> Membership:
    """Add a person to a household. A person belongs to one household at a time; a household has one head."""
    _require(actor, CHANGE_HOUSEHOLD)
    _require_unit(actor, household.org_unit)
    current = Membership.objects.select_for_update().filter(person=person, left_on__isnull=True).first()
    if current is not None:
        raise RegistryError(E.IN_ANOTHER_HOUSEHOLD, name=person.name, number=current.household.number)
    if relation == c.Relation.HEAD:
        head = household.head()
        if head is not None:
            raise RegistryError(E.HEAD_EXISTS, name=head.name)
    membership = Membership(household=household, person=person, relation=relation, joined_on=joined_on)
    membership.full_clean(validate_constraints=False)
    _stamp(membership, actor, reason or "加入家庭")
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:  # a concurrent add won the race; the database constraint holds the line
        raise RegistryError(E.IN_ANOTHER_HOUSEHOLD, name=person.name, number="（其他户）") from None
    audit.record(
        actor=actor,
        action="membership.add",
        obj=membership,
        reason=reason,
        changes={"relation": relation, "joined_on": joined_on.isoformat()},
    )
    return membership


@transaction.atomic
def membership_end(*, actor: Staff, membership: Membership, left_on: date, reason: str) -> Membership:
    _require(actor, CHANGE_HOUSEHOLD)
    _require_unit(actor, membership.household.org_unit)
    if not reason.strip():
        raise RegistryError(E.REASON_REQUIRED)
    membership.left_on = left_on
    _stamp(membership, actor, reason)
    membership.save(update_fields=["left_on"])
    audit.record(
        actor=actor,
        action="membership.end",
        obj=membership,
        reason=reason,
        changes={"left_on": [None, left_on.isoformat()]},
    )
    return membership


def _apply_changes(obj, fields: dict, editable) -> dict:
    unknown = set(fields) - set(editable)
    if unknown:
        raise RegistryError(E.UNKNOWN_FIELD, field=", ".join(sorted(unknown)))
    changes = {}
    for field, new in fields.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = [_audit_value(field, old), _audit_value(field, new)]
            setattr(obj, field, new)
    return changes


@transaction.atomic
def person_update(*, actor: Staff, person: Person, reason: str, **fields) -> Person:
    """Change a person's attributes; a reason is required and kept with the old and new values."""
    _require(actor, CHANGE_HOUSEHOLD)
    membership = person.current_membership()
    if membership is not None:
        _require_unit(actor, membership.household.org_unit)
    if not reason.strip():
        raise RegistryError(E.REASON_REQUIRED)
    changes = _apply_changes(person, fields, PERSON_EDITABLE)
    if changes:
        person.full_clean(validate_unique=False)
        _stamp(person, actor, reason)
        person.save()
        audit.record(actor=actor, action="person.update", obj=person, changes=changes, reason=reason)
    return person


@transaction.atomic
def household_update(*, actor: Staff, household: Household, reason: str, **fields) -> Household:
    _require(actor, CHANGE_HOUSEHOLD)
    _require_unit(actor, household.org_unit)
    if not reason.strip():
        raise RegistryError(E.REASON_REQUIRED)
    if "org_unit" in fields:
        _require_unit(actor, fields["org_unit"])
    changes = _apply_changes(household, fields, HOUSEHOLD_EDITABLE)
    if changes:
        household.full_clean()
        _stamp(household, actor, reason)
        household.save()
        audit.record(actor=actor, action="household.update", obj=household, changes=changes, reason=reason)
    return household


EVIDENCE_MODELS = {"income": IncomeRecord, "asset": AssetRecord, "expense": ExpenseRecord}


@transaction.atomic
def evidence_add(*, actor: Staff | None, kind: str, household: Household, reason: str = "", **fields):
    """Add a dated income, asset or expense record. `actor` None means the platform itself (a department feed)."""
    if actor is not None:
        _require(actor, CHANGE_HOUSEHOLD)
        _require_unit(actor, household.org_unit)
    record = EVIDENCE_MODELS[kind](household=household, recorded_by=actor, **fields)
    record.full_clean()
    _stamp(record, actor, reason or record.get_source_display())
    record.save()
    audit.record(actor=actor, action=f"evidence.{kind}.add", obj=record, reason=reason)
    return record


@transaction.atomic
def programme_status_set(
    *,
    actor: Staff,
    household: Household,
    programme: str,
    status: str,
    since: date,
    reason: str,
    person: Person | None = None,
    until: date | None = None,
    monthly_amount: Decimal | None = None,
    decision_ref: str = "",
) -> ProgrammeStatus:
    _require(actor, CHANGE_HOUSEHOLD)
    _require_unit(actor, household.org_unit)
    if not reason.strip():
        raise RegistryError(E.REASON_REQUIRED)
    record, created = ProgrammeStatus.objects.get_or_create(
        household=household,
        person=person,
        programme=programme,
        until__isnull=True,
        defaults={
            "status": status,
            "since": since,
            "monthly_amount": monthly_amount,
            "decision_ref": decision_ref,
        },
    )
    if not created:
        record.status, record.until, record.monthly_amount = status, until, monthly_amount
        record.decision_ref = decision_ref or record.decision_ref
        _stamp(record, actor, reason)
        record.save()
    audit.record(
        actor=actor,
        action="programme.set",
        obj=record,
        reason=reason,
        changes={
            "programme": programme,
            "status": status,
            "monthly_amount": _audit_value("", monthly_amount),
        },
    )
    return record


@transaction.atomic
def programme_status_change(
    *,
    actor: Staff,
    record: ProgrammeStatus,
    status: str,
    reason: str,
    until: date | None = None,
    monthly_amount: Decimal | None = None,
) -> ProgrammeStatus:
    """Change one standing record in place (a payment stopped or suspended, an exit that ends): status, end date and
    amount, with the reason in its history and the audit."""
    _require(actor, CHANGE_HOUSEHOLD)
    _require_unit(actor, record.household.org_unit)
    if not reason.strip():
        raise RegistryError(E.REASON_REQUIRED)
    record.status, record.until = status, until
    if monthly_amount is not None:
        record.monthly_amount = monthly_amount
    _stamp(record, actor, reason)
    record.save()
    audit.record(
        actor=actor,
        action="programme.set",
        obj=record,
        reason=reason,
        changes={"programme": record.programme, "status": status, "until": _audit_value("", until)},
    )
    return record


@transaction.atomic
def household_plan_update(*, actor: Staff, household: Household, reason: str, **fields) -> HouseholdPlan:
    _require(actor, CHANGE_HOUSEHOLD)
    _require_unit(actor, household.org_unit)
    if not reason.strip():
        raise RegistryError(E.REASON_REQUIRED)
    plan, _ = HouseholdPlan.objects.get_or_create(household=household)
    changes = _apply_changes(plan, fields, {"needs", "measures", "responsible", "next_review_on"})
    _stamp(plan, actor, reason)
    plan.save()
    audit.record(
        actor=actor,
        action="household_plan.update",
        obj=plan,
        reason=reason,
        changes={k: [str(a), str(b)] for k, (a, b) in changes.items()},
    )
    return plan


def household_view_record(*, actor: Staff, household: Household) -> None:
    """A look at a household's file is itself a sensitive read (查阅留痕)."""
    audit.record(actor=actor, action="household.view", obj=household)


@transaction.atomic
def identity_reveal(*, actor: Staff, person: Person, field: str, reason: str = "") -> str:
    """Show a full ID number or phone to a user with the right; the look itself is an audit entry."""
    if field not in SENSITIVE_FIELDS:
        raise RegistryError(E.UNKNOWN_FIELD, field=field)
    if not actor.has_perm(UNMASK_IDENTITY):
        raise RegistryError(E.NOT_ALLOWED)
    audit.record(actor=actor, action=f"person.reveal_{field}", obj=person, reason=reason)
    return getattr(person, field) or ""


@transaction.atomic
def household_share(*, actor: Staff, household: Household, department: Department, reason: str) -> HouseholdShare:
    """Send a household to a department or social organisation; its liaisons then see the file."""
    _require(actor, CHANGE_HOUSEHOLD)
    _require_unit(actor, household.org_unit)
    if not reason.strip():
        raise RegistryError(E.REASON_REQUIRED)
    share = HouseholdShare.objects.create(household=household, department=department, reason=reason, shared_by=actor)
    audit.record(actor=actor, action="household.share", obj=share, reason=reason)
    return share


@transaction.atomic
def household_share_close(*, actor: Staff, share: HouseholdShare, reason: str) -> HouseholdShare:
    """The department has finished with the household: its liaisons no longer see the file."""
    is_own_department = actor.is_department_member and actor.department_id == share.department_id
    if not is_own_department:
        _require(actor, CHANGE_HOUSEHOLD)
        _require_unit(actor, share.household.org_unit)
    share.closed_at = timezone.now()
    share.save(update_fields=["closed_at"])
    audit.record(actor=actor, action="household.share_close", obj=share, reason=reason)
    return share
