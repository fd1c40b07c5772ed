"""Moving a case along its workflow (R6.2): each step's record, its time limit, and the one way forward — completing the
current step. Refusals by role are audited; the decision is taken under a row lock, so two approvers cannot both
decide."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jiuzhu.audit import services as audit
from jiuzhu.cases import notify
from jiuzhu.cases.errors import CaseError
from jiuzhu.cases.errors import CaseErrorCode as E
from jiuzhu.cases.models import Application, Case, CaseAction
from jiuzhu.cases.workflows import STEP_LABELS, Workflow, config, due_or_provisional
from jiuzhu.core.workdays import china_date
from jiuzhu.org.models import OrgUnit, Staff
from jiuzhu.org.permissions import INVESTIGATE, REVIEW_CASE

DONE = "完成"


def workflow_of(case: Case) -> Workflow:
    found = config(case.application.locality).workflows.get(case.workflow)
    if found is None:
        raise CaseError(E.NO_WORKFLOW, programme=case.programme_name)
    return found


def refused_at_review(actions) -> bool:
    """The last review recommended refusal (so the notice was skipped)."""
    reviews = [a for a in actions if a.step == "review" and a.action == DONE]
    return bool(reviews) and reviews[-1].data.get("recommend") is False


def step_states(case: Case, actions) -> list[tuple[str, str]]:
    """The steps this case must pass, in order, each with where the case stands: done, current, pending or
    skipped (a decided case's steps it never passed)."""
    required = required_steps(case, refused_at_review=refused_at_review(actions))
    done = {a.step for a in actions if a.action == DONE}
    states = []
    for index, step in enumerate(required):
        if case.is_open:
            at = required.index(case.step) if case.step in required else -1
            state = "done" if index < at else "current" if index == at else "pending"
        elif case.status in (Case.Status.APPROVED, Case.Status.REFUSED):
            state = "done" if step in done or step == "approval" else "skipped"
        else:
            state = "done" if step in done else "skipped"
        states.append((step, state))
    return states


def required_steps(case: Case, *, refused_at_review: bool = False) -> list[str]:
    """The steps this case must pass, in order. A refusal recommended at review is not publicised (公示 is of the
    initial approval) and goes straight to the decision."""
    steps = workflow_of(case).required_steps(contested=case.contested)
    if refused_at_review:
        steps = [s for s in steps if s != "notice"]
    return steps


def _log(case: Case, action: str, actor: Staff | None, *, step: str = "", note: str = "", data=None) -> CaseAction:
    return CaseAction.objects.create(
        case=case,
        step=step or case.step,
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=getattr(actor, "full_name", "") or "系统",
        note=note,
        data=data or {},
    )


def _refuse(actor: Staff, case: Case, what: str) -> CaseError:
    with transaction.atomic():
        audit.record(actor=actor, action="case.refused", obj=case, changes={"what": what, "step": case.step})
    return CaseError(E.NOT_ALLOWED, what=what)


def _authorise(actor: Staff, case: Case, perm: str, what: str) -> None:
    household = case.household or case.application.household
    if not actor.is_active or not actor.has_perm(perm) or actor.is_read_only or actor.is_department_member:
        raise _refuse(actor, case, what)
    if household is None or not actor.org_unit.contains(household.org_unit):
        raise _refuse(actor, case, what)


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("application", "household").get(pk=case.pk)


def _expect(case: Case, step: str) -> None:
    if not case.is_open:
        raise CaseError(E.CASE_CLOSED, status=case.get_status_display())
    if case.step != step:
        raise CaseError(
            E.WRONG_STEP, current=STEP_LABELS.get(case.step, case.step or "—"), step=STEP_LABELS.get(step, step)
        )


def _enter(case: Case, step: str, now: datetime, *, again: bool = False) -> None:
    """Make `step` current and set its limit (counted from acceptance where configured, except on a second pass)."""
    workflow = workflow_of(case)
    case.step, case.step_started_at = step, now
    limit = workflow.limit(step)
    if limit is None:
        case.step_due_at, case.step_due_label, case.step_due_reference = None, "", ""
    else:
        accepted = case.application.accepted_at or now
        if again:
            case.step_due_at, note = due_or_provisional(limit.rule, now)
        else:
            case.step_due_at, note = limit.due(accepted_at=accepted, step_started_at=now)
        case.step_due_label, case.step_due_reference = (limit.rule.label + note)[:100], limit.rule.reference[:300]
    if step == "notice":
        today = china_date(now)
        case.notice_starts_on = today
        case.notice_ends_on = today + timedelta(days=max(workflow.notice_days - 1, 0))
    if step == "approval":
        case.spot_check_required = _spot_check_drawn(case, workflow)


def _advance(case: Case, actor: Staff | None, now: datetime, *, refused_at_review: bool = False) -> None:
    steps = required_steps(case, refused_at_review=refused_at_review)
    following = steps[steps.index(case.step) + 1 :] if case.step in steps else []
    if not following:
        raise CaseError(E.WRONG_STEP, current=STEP_LABELS.get(case.step, case.step), step="下一环节")
    _enter(case, following[0], now)
    if case.step == "verification":
        _link_verification(case, actor)


def _spot_check_drawn(case: Case, workflow: Workflow) -> bool:
    """Keep the share of spot-checked cases of this workflow at or above the configured ratio (43号: ≥ 30 %)."""
    if workflow.spot_check_ratio <= 0:
        return False
    seen = Case.objects.filter(workflow=case.workflow, step__in=["approval", ""]).exclude(pk=case.pk)
    seen = seen.exclude(status=Case.Status.WITHDRAWN).filter(
        application__locality=case.application.locality, notice_ends_on__isnull=False
    )
    total = seen.count() + 1
    drawn = seen.filter(spot_check_required=True).count()
    return drawn < math.ceil(workflow.spot_check_ratio * total)


# --- Opening -----------------------------------------------------------------------------------------------------


def case_open(*, actor: Staff, application: Application, programme: str, name: str, workflow: Workflow) -> Case:
    """A case for one programme of an accepted application (called by application_accept, in its transaction)."""
    now = application.accepted_at or timezone.now()
    delegated = workflow.approval_by == "street"
    total = (workflow.limit("total_delegated") if delegated else None) or workflow.limit("total")
    due_at, note = total.due(accepted_at=now, step_started_at=now)
    case = Case(
        application=application,
        household=application.household,
        programme=programme,
        programme_name=name,
        workflow=workflow.name,
        approval_by=workflow.approval_by,
        due_at=due_at,
        due_label=(total.rule.label + note)[:100],
        due_reference=total.rule.reference[:300],
    )
    _enter(case, workflow.steps[0], now)
    if workflow.advance and application.emergency and (advance := workflow.limit("advance")) is not None:
        case.advance_due_at, _ = due_or_provisional(advance.rule, now)
    case.save()
    _log(case, "open", actor, note=f"受理，进入{STEP_LABELS[case.step]}", data={"workflow": workflow.label})
    if application.conflict_of_interest:
        _log(case, "conflict", actor, note=f"近亲属关系单独登记备案：{application.conflict_note}")
    if case.step == "verification":
        _link_verification(case, actor)
    audit.record(
        actor=actor,
        action="case.open",
        obj=case,
        changes={"programme": programme, "workflow": workflow.name, "due_at": case.due_at.isoformat()},
    )
    return case


# --- Home investigation (入户调查) --------------------------------------------------------------------------------


def case_investigation_start(*, actor: Staff, case: Case) -> Case:
    """The investigation has started (启动调查): the 3-working-day start limit is met."""
    _authorise(actor, case, INVESTIGATE, "启动入户调查")
    return _investigation_start(actor, case)


@transaction.atomic
def _investigation_start(actor: Staff, case: Case) -> Case:
    case = _locked(case)
    _expect(case, "investigation")
    limit = workflow_of(case).limit("investigation")
    if limit is not None and limit.start_only:
        case.step_due_at = None
        case.save(update_fields=["step_due_at"])
    _log(case, "start", actor, note="启动入户调查")
    audit.record(actor=actor, action="case.investigation_start", obj=case)
    return case


def case_investigate(
    *,
    actor: Staff,
    case: Case,
    investigators: list[Staff],
    findings: str,
    form: dict | None = None,
    photos: list[tuple[bytes, str, str]] = (),
) -> Case:
    """Record the home investigation (入户调查表): at least the configured number of investigators (57号 第十六条:
    two), the findings, photos; with a conflict-of-interest flag, one of them from the district (第二十条)."""
    _authorise(actor, case, INVESTIGATE, "记录入户调查")
    return _investigate(actor, case, investigators, findings, form or {}, photos)


@transaction.atomic
def _investigate(actor, case, investigators, findings, form, photos) -> Case:
    from jiuzhu.cases.photos import store_photo

    case = _locked(case)
    _expect(case, "investigation")
    workflow = workflow_of(case)
    people = list({s.pk: s for s in [*investigators]}.values())
    if len(people) < workflow.min_investigators:
        raise CaseError(E.INVESTIGATORS, count=workflow.min_investigators, found=len(people))
    household = case.household
    for person in people:
        if not (person.org_unit.contains(household.org_unit)) or person.is_department_member:
            raise CaseError(E.INVESTIGATOR_SCOPE, name=person.full_name)
    if case.application.conflict_of_interest and not any(p.org_unit.level == OrgUnit.Level.DISTRICT for p in people):
        raise CaseError(E.CONFLICT_VISIT)
    findings = (findings or "").strip()
    if not findings:
        raise CaseError(E.FINDINGS_REQUIRED)
    now = timezone.now()
    action = _log(
        case,
        DONE,
        actor,
        note=findings,
        data={"investigators": [{"id": p.pk, "name": p.full_name, "unit": p.org_unit.name} for p in people]}
        | {"form": form},
    )
    for data, content_type, extension in photos:
        store_photo(case=case, action=action, data=data, content_type=content_type, extension=extension)
    _advance(case, actor, now)
    case.save()
    audit.record(
        actor=actor,
        action="case.investigate",
        obj=case,
        changes={"investigators": [p.full_name for p in people], "photos": len(photos)},
    )
    return case


# --- Economic verification (家庭经济状况核对) ---------------------------------------------------------------------


def _fresh_verification(case: Case, now: datetime):
    from jiuzhu.verification.models import VerificationRequest

    valid = timedelta(days=workflow_of(case).verification_valid_days)
    return (
        VerificationRequest.objects.filter(
            household=case.household, status=VerificationRequest.Status.COMPLETED, completed_at__gte=now - valid
        )
        .order_by("-completed_at")
        .first()
    )


def _link_verification(case: Case, actor: Staff | None) -> None:
    """Use a completed verification still within its validity, else the open one, else request one now."""
    from jiuzhu.verification.errors import VerificationError
    from jiuzhu.verification.selectors import open_verification
    from jiuzhu.verification.services import verification_request

    now = timezone.now()
    found = _fresh_verification(case, now) or open_verification(household=case.household)
    if found is None and actor is not None and case.application.authorization_signed_on is not None:
        try:
            with transaction.atomic():
                found = verification_request(
                    actor=actor,
                    household=case.household,
                    purpose="application",
                    authorization_signed_on=case.application.authorization_signed_on,
                )
        except VerificationError as exc:
            _log(case, "note", actor, note=f"未能自动提请核对：{exc.message}")
    if found is not None and case.verification_id != found.pk:
        case.verification = found
        Case.objects.filter(pk=case.pk).update(verification=found)
    if found is not None and found.started_at is not None:
        _verification_start_met(case)


def _verification_start_met(case: Case) -> bool:
    """The verification step's limit is to *start* the check (57号 第十七条); once the county started it, the limit
    is met and no longer counts (as starting the investigation meets its own)."""
    limit = workflow_of(case).limit("verification")
    if case.step != "verification" or limit is None or not limit.start_only or case.step_due_at is None:
        return False
    case.step_due_at = None
    Case.objects.filter(pk=case.pk).update(step_due_at=None)
    return True


def case_verification_done(*, actor: Staff, case: Case) -> Case:
    """The verification is complete: take its result and move on (核对完成)."""
    _authorise(actor, case, INVESTIGATE, "确认核对结果")
    return _verification_done(actor, case)


@transaction.atomic
def _verification_done(actor: Staff, case: Case) -> Case:
    case = _locked(case)
    _expect(case, "verification")
    if case.verification is None or not case.verification.is_completed:
        _link_verification(case, actor)
        case.refresh_from_db()
    if case.verification is None:
        raise CaseError(
            E.NO_AUTHORIZATION if case.application.authorization_signed_on is None else E.VERIFICATION_NOT_DONE
        )
    if not case.verification.is_completed:
        raise CaseError(E.VERIFICATION_NOT_DONE)
    _check_fresh(case, timezone.now())
    _log(case, DONE, actor, note="家庭经济状况核对完成", data={"verification": case.verification_id})
    _advance(case, actor, timezone.now())
    case.save()
    audit.record(actor=actor, action="case.verification_done", obj=case, changes={"verification": case.verification_id})
    return case


def _check_fresh(case: Case, now: datetime) -> None:
    workflow = workflow_of(case)
    if "verification" not in workflow.steps:
        return
    verification = case.verification
    stale = verification is not None and verification.is_completed
    stale = stale and verification.completed_at < now - timedelta(days=workflow.verification_valid_days)
    if (verification is None or stale) and (fresh := _fresh_verification(case, now)) is not None:
        case.verification = verification = fresh  # the family was verified again since: decide on that
    if verification is None or not verification.is_completed:
        raise CaseError(E.VERIFICATION_NOT_DONE)
    if verification.completed_at < now - timedelta(days=workflow.verification_valid_days):
        raise CaseError(
            E.VERIFICATION_STALE,
            day=china_date(verification.completed_at).isoformat(),
            days=workflow.verification_valid_days,
        )


# --- Democratic appraisal, review, public notice -----------------------------------------------------------------


def case_appraise(*, actor: Staff, case: Case, attendees: int, outcome: str) -> Case:
    """Record the democratic appraisal (民主评议): who took part and what they concluded."""
    _authorise(actor, case, INVESTIGATE, "记录民主评议")
    return _appraise(actor, case, attendees, outcome)


@transaction.atomic
def _appraise(actor, case, attendees, outcome) -> Case:
    case = _locked(case)
    _expect(case, "appraisal")
    if not (outcome or "").strip():
        raise CaseError(E.OPINION_REQUIRED)
    _log(case, DONE, actor, note=outcome.strip(), data={"attendees": int(attendees)})
    _advance(case, actor, timezone.now())
    case.save()
    audit.record(actor=actor, action="case.appraise", obj=case, changes={"attendees": int(attendees)})
    return case


def case_review(*, actor: Staff, case: Case, recommend: bool, opinion: str, contested: bool = False) -> Case:
    """The street's review (审核/初审): an opinion and the amount the rules give as of today. `contested` (家庭经济状况
    难以核实) sends it to democratic appraisal first where the workflow says so."""
    _authorise(actor, case, REVIEW_CASE, "街道（乡镇）审核")
    return _review(actor, case, recommend, opinion, contested)


@transaction.atomic
def _review(actor, case, recommend, opinion, contested) -> Case:
    from jiuzhu.cases.decisions import assess

    case = _locked(case)
    _expect(case, "review")
    if not (opinion or "").strip():
        raise CaseError(E.OPINION_REQUIRED)
    now = timezone.now()
    if contested and not case.contested and workflow_of(case).appraisal == "when_contested":
        case.contested = True
        _log(case, "contested", actor, note=opinion.strip())
        _enter(case, "appraisal", now, again=True)
        case.save()
        audit.record(actor=actor, action="case.contested", obj=case, reason=opinion.strip())
        return case
    result = assess(case, china_date(now))
    case.proposed_amount = result.amount
    case.amount_basis = result.basis
    _log(case, DONE, actor, note=opinion.strip(), data={"recommend": bool(recommend), "amount": str(result.amount)})
    _advance(case, actor, now, refused_at_review=not recommend)
    case.save()
    audit.record(
        actor=actor,
        action="case.review",
        obj=case,
        changes={"recommend": bool(recommend), "amount": str(result.amount)},
    )
    if case.step == "notice":
        notify.case_moved(case, f"已通过街道审核，在社区公示至{case.notice_ends_on}。")
    return case


def case_objection(*, actor: Staff, case: Case, objection: str) -> Case:
    """An objection during the public notice (公示异议): recorded; back to investigation (57号 第十九条)."""
    _authorise(actor, case, INVESTIGATE, "记录公示异议")
    return _objection(actor, case, objection)


@transaction.atomic
def _objection(actor, case, objection) -> Case:
    case = _locked(case)
    if case.step != "notice" or not case.is_open:
        raise CaseError(E.NOT_ON_NOTICE)
    if not (objection or "").strip():
        raise CaseError(E.OBJECTION_REQUIRED)
    case.contested = True
    _log(case, "objection", actor, note=objection.strip())
    _enter(case, "investigation", timezone.now(), again=True)
    case.notice_starts_on = case.notice_ends_on = None
    case.save()
    audit.record(actor=actor, action="case.objection", obj=case, reason=objection.strip())
    return case


def case_notice_close(*, actor: Staff, case: Case) -> Case:
    """The notice period ended without objection (公示期满无异议): on to approval."""
    _authorise(actor, case, REVIEW_CASE, "结束公示")
    return _notice_close(actor, case)


@transaction.atomic
def _notice_close(actor, case) -> Case:
    case = _locked(case)
    _expect(case, "notice")
    today = china_date(timezone.now())
    if case.notice_ends_on is not None and today <= case.notice_ends_on:
        raise CaseError(E.NOTICE_RUNNING, day=case.notice_ends_on.isoformat())
    _log(case, DONE, actor, note=f"公示期满无异议（{case.notice_starts_on} 至 {case.notice_ends_on}）")
    _advance(case, actor, timezone.now())
    case.save()
    audit.record(actor=actor, action="case.notice_close", obj=case)
    return case


# --- Extension, escalation ---------------------------------------------------------------------------------------


def case_extend(*, actor: Staff, case: Case, reason: str) -> Case:
    """Extend the whole limit to the configured special-case limit (57号 第二十二条: 45 working days), with reason."""
    _authorise(actor, case, REVIEW_CASE, "延长办理期限")
    return _extend(actor, case, reason)


@transaction.atomic
def _extend(actor, case, reason) -> Case:
    case = _locked(case)
    if not case.is_open:
        raise CaseError(E.CASE_CLOSED, status=case.get_status_display())
    if case.extended_reason:
        raise CaseError(E.ALREADY_EXTENDED)
    if not (reason or "").strip():
        raise CaseError(E.EXTENSION_REASON)
    limit = workflow_of(case).limit("total_extended")
    if limit is None:
        raise CaseError(E.ALREADY_EXTENDED)
    before = case.due_at
    case.due_at, note = limit.due(accepted_at=case.application.accepted_at, step_started_at=timezone.now())
    case.due_label, case.due_reference = (limit.rule.label + note)[:100], limit.rule.reference[:300]
    case.extended_reason = reason.strip()[:300]
    case.save()
    _log(case, "extend", actor, note=reason.strip(), data={"from": before.isoformat(), "to": case.due_at.isoformat()})
    audit.record(actor=actor, action="case.extend", obj=case, reason=reason.strip())
    return case


def _supervising_unit(case: Case) -> OrgUnit | None:
    unit = case.application.unit
    return unit.parent if unit.parent_id else None


def cases_escalate_overdue(*, now: datetime | None = None) -> int:
    """Escalate every open case whose step or whole limit has passed, once per step, to the unit above (督办)."""
    now = now or timezone.now()
    overdue = Q(due_at__lt=now) | Q(step_due_at__lt=now)
    candidates = Case.objects.filter(overdue, status=Case.Status.IN_PROGRESS).select_related(
        "application__unit", "verification"
    )
    count = 0
    for case in candidates:
        if case.escalated_at is not None and case.step_started_at and case.escalated_at >= case.step_started_at:
            continue
        started = case.verification is not None and case.verification.started_at is not None
        if case.due_at >= now and started and _verification_start_met(case):
            continue
        with transaction.atomic():
            locked = _locked(case)
            target = _supervising_unit(locked) or locked.application.unit
            locked.escalation_level += 1
            locked.escalated_to, locked.escalated_at = target, now
            locked.save(update_fields=["escalation_level", "escalated_to", "escalated_at"])
            what = "办结期限" if now > locked.due_at else f"{STEP_LABELS.get(locked.step, locked.step)}期限"
            _log(locked, "escalate", None, note=f"{what}已过，提请{target.name}督办")
            audit.record(actor=None, action="case.escalate", obj=locked, changes={"to": target.name})
        count += 1
    return count
