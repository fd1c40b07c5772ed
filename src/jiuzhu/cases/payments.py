"""Paying benefits (发放): the monthly roll per programme and street, changes to a household's payment with their
reasons, and the bank file.

A roll is computed, never typed: each household receiving the programme on the 1st of the month is decided again by
the policy engine as of that day, over its file as it stands, and its line says what changed since last month and
why (standard, income, members, gradual exit, suspension). A household the rules no longer find eligible is not
stopped by the machine — stopping needs a decision and a written notice (57号 第三十二条) — but held (待核查): the
roll cannot be confirmed until the street suspends or stops it, or corrects the file. The one exception the rules
themselves provide for is gradual exit (渐退): a household over the standard through work enters it automatically,
month by month on the pack's schedule, and leaves it stopped when the schedule ends.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jiuzhu.audit import services as audit
from jiuzhu.cases.decisions import money
from jiuzhu.cases.errors import CaseError
from jiuzhu.cases.errors import CaseErrorCode as E
from jiuzhu.cases.intake import locality_of
from jiuzhu.cases.models import BenefitEvent, PayeeAccount, PaymentLine, PaymentRoll
from jiuzhu.cases.payroll_config import payroll_config
from jiuzhu.core.workdays import china_date
from jiuzhu.org.models import OrgUnit, Staff
from jiuzhu.org.permissions import CONFIRM_PAYROLL, PREPARE_PAYROLL
from jiuzhu.policy.checks import eligibility_check
from jiuzhu.policy.errors import FactsInvalid, PolicyError
from jiuzhu.policy.packs import load_pack
from jiuzhu.policy.registry_facts import household_documents
from jiuzhu.registry.choices import ProgrammeStatusValue as S
from jiuzhu.registry.models import Household, IncomeRecord, Person, ProgrammeStatus
from jiuzhu.registry.services import programme_status_change, programme_status_set
from jiuzhu.reviews.scheduling import add_months
from jiuzhu.workorders.deadlines import DeadlineRule
from jiuzhu.workorders.services import work_order_create

ACCOUNT_DIGITS = (8, 30)
# Household values whose change is worth a word on the line (the rest shows in the amounts).
EXPLAINED_FACTS = ("member_count", "total_income", "per_capita_income")


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def previous_month(day: date) -> date:
    return month_start(month_start(day) - timedelta(days=1))


def _refuse(actor: Staff, what: str, obj=None) -> CaseError:
    with transaction.atomic():
        audit.record(actor=actor, action="payment.refused", obj=obj, changes={"what": what})
    return CaseError(E.NOT_ALLOWED, what=what)


def _authorise(actor: Staff, perm: str, unit: OrgUnit, what: str, obj=None) -> None:
    allowed = actor is not None and actor.is_active and actor.has_perm(perm)
    allowed = allowed and not actor.is_read_only and not actor.is_department_member
    if not allowed or not actor.org_unit.contains(unit):
        raise _refuse(actor, what, obj)


def _street_of(household: Household) -> OrgUnit:
    unit = household.org_unit
    if unit.level == OrgUnit.Level.STREET:
        return unit
    return unit.ancestors().filter(level=OrgUnit.Level.STREET).last() or unit


def _monthly_programme(locality: str, programme: str):
    pack = load_pack(locality)
    found = pack.programmes.get(programme)
    if found is None or found.benefit_period != "monthly" or found.benefit is None:
        name = found.name if found is not None else programme
        raise CaseError(E.NOT_PAID_MONTHLY, programme=name)
    return found


# --- Changes to one household's payment ---------------------------------------------------------------------------


def _current(household: Household, programme: str, person: Person | None = None) -> ProgrammeStatus:
    """The standing record in force today (an exit may carry its planned end date)."""
    today = china_date(timezone.now())
    record = (
        ProgrammeStatus.objects.filter(household=household, programme=programme, person=person)
        .exclude(status=S.ENDED)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .order_by("-since", "-pk")
        .first()
    )
    if record is None:
        raise CaseError(E.NOT_RECEIVING, programme=programme)
    return record


def _event(household, programme, kind, month, reason, actor, person=None, **extra) -> BenefitEvent:
    event = BenefitEvent.objects.create(
        household=household,
        programme=programme,
        kind=kind,
        month=month,
        reason=reason[:300],
        actor=actor,
        person=person,
        **extra,
    )
    audit.record(
        actor=actor,
        action=f"payment.{kind}",
        obj=household,
        reason=reason,
        changes={"programme": programme, "month": month.isoformat()},
    )
    return event


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CaseError(E.REASON_REQUIRED)
    return reason


def benefit_suspend(
    *, actor: Staff, household: Household, programme: str, reason: str, month: date, person: Person | None = None
) -> BenefitEvent:
    """暂停发放 from `month` (e.g. the family cannot be reached for the review, a member in custody)."""
    _authorise(actor, PREPARE_PAYROLL, household.org_unit, "暂停发放", household)
    with transaction.atomic():
        reason = _reason(reason)
        record = _current(household, programme, person)
        if record.status == S.SUSPENDED:
            raise CaseError(
                E.ALREADY_STATUS, programme=record.get_programme_display(), status=record.get_status_display()
            )
        programme_status_change(
            actor=actor, record=record, status=S.SUSPENDED, until=record.until, reason=f"暂停发放：{reason}"
        )
        return _event(household, programme, BenefitEvent.Kind.SUSPEND, month_start(month), reason, actor, person)


def benefit_resume(
    *, actor: Staff, household: Household, programme: str, reason: str, month: date, person: Person | None = None
) -> BenefitEvent:
    """恢复发放 from `month`; the amount is decided again by the rules on the next roll."""
    _authorise(actor, PREPARE_PAYROLL, household.org_unit, "恢复发放", household)
    with transaction.atomic():
        reason = _reason(reason)
        record = _current(household, programme, person)
        if record.status != S.SUSPENDED:
            raise CaseError(
                E.ALREADY_STATUS, programme=record.get_programme_display(), status=record.get_status_display()
            )
        programme_status_change(
            actor=actor, record=record, status=S.ACTIVE, until=record.until, reason=f"恢复发放：{reason}"
        )
        return _event(household, programme, BenefitEvent.Kind.RESUME, month_start(month), reason, actor, person)


def benefit_stop(
    *,
    actor: Staff,
    household: Household,
    programme: str,
    reason: str,
    month: date,
    person: Person | None = None,
    kind: str = BenefitEvent.Kind.STOP,
) -> BenefitEvent:
    """停止发放 from `month` (the last payment is the month before), a decision of the district."""
    _authorise(actor, CONFIRM_PAYROLL, household.org_unit, "停止发放", household)
    with transaction.atomic():
        return _stop(actor, _current(household, programme, person), _reason(reason), month_start(month), kind)


def _stop(actor, record: ProgrammeStatus, reason: str, first: date, kind=BenefitEvent.Kind.STOP) -> BenefitEvent:
    programme_status_change(
        actor=actor, record=record, status=S.ENDED, until=first - timedelta(days=1), reason=f"停止发放：{reason}"
    )
    return _event(record.household, record.programme, kind, first, reason, actor, record.person)


def payee_account_set(
    *, actor: Staff, household: Household, holder: Person, bank: str, account_number: str, programme: str = ""
) -> PayeeAccount:
    """登记收款账户: the holder must be a member of the household; the number digits only (spaces allowed)."""
    from jiuzhu.core.parsing import fold_width

    _authorise(actor, PREPARE_PAYROLL, household.org_unit, "登记收款账户", household)
    with transaction.atomic():
        number = "".join(fold_width(account_number or "").split())
        if not number.isdigit() or not ACCOUNT_DIGITS[0] <= len(number) <= ACCOUNT_DIGITS[1]:
            raise CaseError(E.ACCOUNT_INVALID, number=account_number)
        if not household.current_memberships().filter(person=holder).exists():
            raise CaseError(E.HOLDER_NOT_MEMBER)
        account, _created = PayeeAccount.objects.update_or_create(
            household=household,
            programme=programme,
            defaults={"holder": holder, "bank": (bank or "").strip()[:100] or "—", "account_number": number},
        )
        audit.record(
            actor=actor,
            action="payment.account",
            obj=household,
            changes={"programme": programme, "bank": account.bank, "account": f"****{number[-4:]}"},
        )
        return account


# --- The monthly roll -------------------------------------------------------------------------------------------


def _receiving(programme: str, street: OrgUnit, month: date):
    """Statuses in force on the 1st of the month, and those that ended with the month before (a last 'stopped'
    line, so the roll shows who left and why)."""
    first = month_start(month)
    in_street = Q(household__org_unit__path__startswith=street.path)
    covering = Q(since__lte=first) & (Q(until__isnull=True) | Q(until__gte=first))
    just_ended = Q(status=S.ENDED, until__gte=previous_month(first), until__lt=first)
    rows = ProgrammeStatus.objects.filter(in_street, Q(programme=programme) & (covering | just_ended))
    return list(rows.select_related("household", "person").order_by("household__number", "person_id", "pk"))


def _programme_result(result: dict, programme: str, person: Person | None) -> dict | None:
    found = next((p for p in result["programmes"] if p["code"] == programme), None)
    if found is None or person is None:
        return found
    return next((m for m in found.get("members", []) if m.get("name") == person.name), None)


def _basis(found: dict, result: dict) -> dict:
    household = {v["name"]: v for v in result.get("household", []) if v.get("name") in EXPLAINED_FACTS}
    return {
        "eligible": found.get("eligible"),
        "benefit": found.get("benefit"),
        "conditions": [{"label": c["label"], "held": c.get("held")} for c in found.get("conditions", [])],
        "amounts": {a["label"]: a.get("value") for a in found.get("amounts", [])},
        "facts": {v["label"]: v.get("value") for v in household.values()},
        "parameters": {p["label"]: p.get("value") for p in result.get("parameters", []) if "label" in p},
    }


def _differences(before: dict, after: dict) -> list[str]:
    """What moved between last month's basis and this month's, in the words a clerk reads."""
    said = []
    for section in ("parameters", "facts", "amounts"):
        old, new = before.get(section, {}), after.get(section, {})
        for label in new:
            if label in old and old[label] != new[label]:
                said.append(f"{label}：{old[label]} → {new[label]}")
    return said[:8]


def _employment_income(household: Household, kinds: tuple[str, ...], on: date) -> Decimal:
    valid = Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    rows = IncomeRecord.objects.filter(valid, household=household, category__in=kinds, period="monthly")
    return sum((r.amount for r in rows), Decimal(0))


def _income_rose_through_work(household: Household, kinds: tuple[str, ...], first: date) -> bool:
    """The family's monthly income from work (configured kinds) is higher than a month ago."""
    if not kinds:
        return False
    return _employment_income(household, kinds, first) > _employment_income(household, kinds, previous_month(first))


def _check(locality: str, first: date, document: dict) -> dict | None:
    try:
        return eligibility_check(locality=locality, as_of=first, document=document)
    except (FactsInvalid, PolicyError):
        return None


def _death_rechecks(actor, household: Household, programme: str, locality: str, first: date) -> list[str]:
    """A member who died: one re-check within the configured months of the death (2022年通知), as a work order to
    the street, once per person. Returns the words for the line."""
    config = payroll_config(locality)
    said = []
    # deaths whose re-check window is still open this month (an older one was for an earlier month's roll)
    window_opened = add_months(first, -config.death_recheck_months)
    dead = Person.objects.filter(
        memberships__household=household, death_date__gte=window_opened, death_date__lte=month_end(first)
    )
    for person in dead.distinct():
        due = add_months(person.death_date, config.death_recheck_months)
        said.append(f"成员{person.name}于{person.death_date:%Y-%m-%d}去世，须于{due:%Y-%m-%d}前核查家庭状况")
        if BenefitEvent.objects.filter(household=household, kind=BenefitEvent.Kind.DEATH, person=person).exists():
            continue
        today = china_date(timezone.now())
        rule = DeadlineRule(
            label=f"死亡之日起{config.death_recheck_months}个月内核查",
            reference=config.death_recheck_reference or "payments.yaml death_recheck",
            form="days",
            amount=max((due - today).days, 0),
        )
        order = work_order_create(
            actor=None,
            kind="review",
            title=f"低保家庭成员死亡核查：{person.name}",
            description=f"{person.name}于{person.death_date:%Y年%m月%d日}去世。请核查家庭人口、收入和财产，"
            f"办理增发、减发或停发手续。",
            household=household,
            owner_unit=_street_of(household),
            origin="death_recheck",
            origin_id=person.pk,
            deadline=rule,
            locality=locality,
        )
        _event(
            household,
            programme,
            BenefitEvent.Kind.DEATH,
            first,
            f"成员{person.name}死亡，待核查",
            actor,
            person,
            due_on=due,
            work_order=order,
        )
    return said


def _latest_event(household: Household, programme: str, kinds) -> BenefitEvent | None:
    return BenefitEvent.objects.filter(household=household, programme=programme, kind__in=kinds).first()


class _Line:
    """One line being worked out: what the rules say, what the status says, and the words for both."""

    def __init__(self, record: ProgrammeStatus, previous: PaymentLine | None, first: date):
        self.record, self.previous, self.first = record, previous, first
        self.amount, self.change, self.basis, self.said = Decimal(0), PaymentLine.Change.SAME, {}, []

    @property
    def previous_amount(self) -> Decimal | None:
        if self.previous is not None:
            return self.previous.amount
        return self.record.monthly_amount if self.record.since < self.first else None


def _decide_line(actor, line: _Line, locality: str, programme: str, documents: dict) -> None:
    record, first = line.record, line.first
    household = record.household
    config = payroll_config(locality)
    if record.status == S.ENDED:
        event = _latest_event(household, programme, [BenefitEvent.Kind.STOP, BenefitEvent.Kind.EXIT_END])
        line.change = PaymentLine.Change.STOPPED
        line.said.append(f"自{first:%Y年%m月}起停止发放：{event.reason if event else record.get_status_display()}")
        return
    if record.status == S.SUSPENDED:
        event = _latest_event(household, programme, [BenefitEvent.Kind.SUSPEND])
        line.change = PaymentLine.Change.SUSPENDED
        line.said.append(f"暂停发放：{event.reason if event else '—'}")
        return
    result = _check(locality, first, documents[household.pk])
    found = _programme_result(result, programme, record.person) if result else None
    if found is None:
        line.change = PaymentLine.Change.HELD
        line.said.append("家庭档案信息不全，规则无法测算，请补全档案后重新生成")
        return
    if not found.get("eligible") and record.person is None and programme in config.exit_programmes:
        if record.status == S.ACTIVE and _income_rose_through_work(household, config.employment_income, first):
            trial = documents[household.pk] | {
                "gradual_exit": {"months": 1, "previous_benefit": str(line.previous_amount or 0)}
            }
            trial_result = _check(locality, first, trial)
            trial_found = _programme_result(trial_result, programme, None) if trial_result else None
            if trial_found and trial_found.get("eligible"):
                _enter_gradual_exit(actor, record, first, line.previous_amount or Decimal(0))
                result, found = trial_result, trial_found
                line.change = PaymentLine.Change.GRADUAL_EXIT
                line.said.append("就业后家庭人均收入超过低保标准，自本月进入渐退期（57号 第三十三条）")
        elif record.status == S.GRADUAL_EXIT:
            _stop(actor, record, "渐退期满，家庭人均收入仍超过低保标准", first, BenefitEvent.Kind.EXIT_END)
            line.change = PaymentLine.Change.STOPPED
            line.said.append("渐退期满，家庭人均收入仍超过低保标准，自本月起停止发放")
            line.basis = _basis(found, result)
            return
    line.basis = _basis(found, result)
    if not found.get("eligible"):
        failed = [c["label"] for c in found.get("conditions", []) if c.get("held") is False]
        line.change = PaymentLine.Change.HELD
        line.said.append(
            "按本月规则测算不再符合条件：" + "；".join(failed[:5]) + "。须核查后决定暂停或停发，或更正档案"
        )
        return
    line.amount = money(found.get("benefit")) or Decimal(0)
    if record.status == S.GRADUAL_EXIT and line.change != PaymentLine.Change.GRADUAL_EXIT:
        line.change = PaymentLine.Change.GRADUAL_EXIT
        line.said.append(f"渐退期第{_exit_month(record, first)}个月，按原低保金的规定比例发放")
    previous = line.previous_amount
    if line.change == PaymentLine.Change.SAME:
        resumed = _latest_event(household, programme, [BenefitEvent.Kind.RESUME])
        if previous is None:
            line.change = PaymentLine.Change.NEW
            line.said.append(f"新纳入（{record.decision_ref or '审批决定'}），自{first:%Y年%m月}起发放")
        elif resumed is not None and resumed.month == first:
            line.change = PaymentLine.Change.RESUMED
            line.said.append(f"恢复发放：{resumed.reason}")
        elif previous != line.amount:
            line.change = PaymentLine.Change.CHANGED
    if previous is not None and previous != line.amount and line.change != PaymentLine.Change.NEW:
        if line.previous is None:  # no roll last month: compared with the amount on the household's standing
            line.said.append(
                f"金额 {previous} → {line.amount} 元：按本月标准和档案重新测算（上月无名册，与档案记载的金额比较）"
            )
        else:
            said = _differences(line.previous.basis, line.basis)
            line.said.append(f"金额 {previous} → {line.amount} 元" + ("：" + "；".join(said) if said else ""))


def _exit_month(record: ProgrammeStatus, first: date) -> int:
    return (first.year - record.since.year) * 12 + first.month - record.since.month + 1


def _enter_gradual_exit(actor, record: ProgrammeStatus, first: date, previous: Decimal) -> None:
    household, programme = record.household, record.programme
    programme_status_change(
        actor=actor, record=record, status=S.ACTIVE, until=first - timedelta(days=1), reason="进入渐退期"
    )
    programme_status_set(
        actor=actor,
        household=household,
        programme=programme,
        status=S.GRADUAL_EXIT,
        since=first,
        reason="就业后收入超过低保标准，进入渐退期",
        monthly_amount=previous,
        decision_ref=record.decision_ref,
    )
    _event(household, programme, BenefitEvent.Kind.GRADUAL_EXIT, first, "就业后家庭人均收入超过低保标准", actor)


def roll_generate(*, actor: Staff, programme: str, street: OrgUnit, month: date) -> PaymentRoll:
    """编制 (or re-make, while a draft) the roll of `programme` in `street` for `month`."""
    _authorise(actor, PREPARE_PAYROLL, street, "编制发放名册", street)
    with transaction.atomic():
        locality = locality_of(street)
        prog = _monthly_programme(locality, programme)
        first = month_start(month)
        roll, _created = PaymentRoll.objects.get_or_create(
            programme=programme,
            street=street,
            month=first,
            defaults={"locality": locality, "programme_name": prog.name, "generated_at": timezone.now()},
        )
        roll = PaymentRoll.objects.select_for_update().get(pk=roll.pk)
        if roll.status != PaymentRoll.Status.DRAFT:
            raise CaseError(E.ROLL_NOT_DRAFT, status=roll.get_status_display())
        roll.lines.all().delete()
        previous_lines = {
            (p.household_id, p.person_id): p
            for p in PaymentLine.objects.filter(
                roll__programme=programme, roll__street=street, roll__month=previous_month(first)
            )
        }
        records = _receiving(programme, street, first)
        documents = household_documents({r.household for r in records}, as_of=first)
        accounts = _accounts({r.household_id for r in records}, programme)
        lines = []
        for record in records:
            line = _Line(record, previous_lines.get((record.household_id, record.person_id)), first)
            _decide_line(actor, line, locality, programme, documents)
            if record.status != S.ENDED:
                line.said += _death_rechecks(actor, record.household, programme, locality, first)
            head = record.person or record.household.head()
            account = accounts.get(record.household_id)
            lines.append(
                PaymentLine(
                    roll=roll,
                    household=record.household,
                    person=record.person,
                    payee_name=(account.holder.name if account else (head.name if head else "")),
                    members=len(documents[record.household_id]["members"]),
                    amount=line.amount,
                    previous=line.previous_amount,
                    change=line.change,
                    explanation="；".join(line.said),
                    basis=line.basis,
                    has_account=account is not None,
                )
            )
        PaymentLine.objects.bulk_create(lines)
        paid = [x for x in lines if x.amount > 0]
        roll.locality, roll.programme_name = locality, prog.name
        roll.households, roll.total = len(paid), sum((x.amount for x in paid), Decimal(0))
        roll.changed = sum(1 for x in lines if x.change != PaymentLine.Change.SAME)
        roll.held = sum(1 for x in lines if x.change == PaymentLine.Change.HELD)
        roll.generated_by, roll.generated_at = actor, timezone.now()
        roll.save()
        audit.record(
            actor=actor,
            action="payment.roll_generate",
            obj=roll,
            changes={"lines": len(lines), "households": roll.households, "total": str(roll.total), "held": roll.held},
        )
        return roll


def _accounts(household_ids: set[int], programme: str) -> dict[int, PayeeAccount]:
    found: dict[int, PayeeAccount] = {}
    rows = PayeeAccount.objects.filter(household_id__in=household_ids, programme__in=[programme, ""])
    for account in rows.select_related("holder").order_by("programme"):  # "" first, the programme's own wins
        found[account.household_id] = account
    return found


def roll_confirm(*, actor: Staff, roll: PaymentRoll) -> PaymentRoll:
    """审核: the district confirms a draft roll with nothing held and every paid line with an account."""
    _authorise(actor, CONFIRM_PAYROLL, roll.street, "审核发放名册", roll)
    with transaction.atomic():
        roll = PaymentRoll.objects.select_for_update().get(pk=roll.pk)
        if roll.status != PaymentRoll.Status.DRAFT:
            raise CaseError(E.ROLL_NOT_DRAFT, status=roll.get_status_display())
        if roll.held:
            raise CaseError(E.ROLL_HELD, count=roll.held)
        without = roll.lines.filter(amount__gt=0, has_account=False).count()
        if without:
            raise CaseError(E.ROLL_NO_ACCOUNT, count=without)
        roll.status, roll.confirmed_by, roll.confirmed_at = PaymentRoll.Status.CONFIRMED, actor, timezone.now()
        roll.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        audit.record(actor=actor, action="payment.roll_confirm", obj=roll, changes={"total": str(roll.total)})
        return roll


def roll_lines_by_change(roll: PaymentRoll) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for change in roll.lines.values_list("change", flat=True):
        counts[change] += 1
    return dict(counts)
