"""Decisions (审批/审核确认, R6.2 and R6.4): who may decide what amount, the decision itself under a row lock (exactly
one decision however many approvers press at once), the letters' contents, emergency advance aid and 一事一议."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import OperationalError, transaction
from django.utils import timezone

from jiuzhu.audit import services as audit
from jiuzhu.cases import notify
from jiuzhu.cases.errors import CaseError
from jiuzhu.cases.errors import CaseErrorCode as E
from jiuzhu.cases.intake import application_close_if_done
from jiuzhu.cases.models import Case
from jiuzhu.cases.steps import _authorise, _check_fresh, _expect, _locked, _log, _refuse, workflow_of
from jiuzhu.cases.workflows import due_or_provisional
from jiuzhu.core.workdays import china_date
from jiuzhu.org.models import OrgUnit, Staff
from jiuzhu.org.permissions import APPROVE_CASE, REVIEW_CASE
from jiuzhu.policy.checks import eligibility_check
from jiuzhu.policy.errors import FactsInvalid, PolicyError
from jiuzhu.policy.packs import load_pack
from jiuzhu.policy.registry_facts import household_document

LEVEL_STREET, LEVEL_DISTRICT, LEVEL_GOVERNMENT = 1, 2, 3
LOCKED_WAITS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2)  # seconds, when SQLite reports the database locked
LEVEL_NAMES = {
    LEVEL_STREET: "街道（乡镇）",
    LEVEL_DISTRICT: "区县民政部门",
    LEVEL_GOVERNMENT: "区县人民政府（一事一议）",
}


@dataclass
class Assessment:
    """What the rules say for this programme as of a day: eligible or not, the amount, the failed conditions."""

    eligible: bool | None
    amount: Decimal | None
    failed: list[str] = field(default_factory=list)
    basis: dict = field(default_factory=dict)


def money(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def payment_start(decided_on: date) -> date:
    """Benefits are paid from the month after the decision (57号 第二十一条, 43号 第十七条)."""
    return date(decided_on.year + decided_on.month // 12, decided_on.month % 12 + 1, 1)


def assess(case: Case, as_of: date) -> Assessment:
    """The same compiled rules as the window's check, over the household's file (plus what the applicant declared
    about an emergency)."""
    document = household_document(case.household, as_of=as_of)
    declared = case.application.declared or {}
    if emergency := declared.get("emergency"):
        document["emergency"] = emergency
    try:
        result = eligibility_check(locality=case.application.locality, as_of=as_of, document=document)
    except (FactsInvalid, PolicyError) as exc:
        return Assessment(None, None, [str(exc)], {"error": str(exc)})
    found = next((p for p in result["programmes"] if p["code"] == case.programme), None)
    if found is None:
        return Assessment(None, None, ["政策包中没有该项目"], {})
    conditions = found.get("conditions")
    if conditions is None:  # decided person by person (特困, 单人保): the applicant's conditions, else everyone's
        people = found.get("members", [])
        name = case.application.applicant.name if case.application.applicant else case.application.applicant_name
        mine = next((p for p in people if p.get("name") == name), None)
        if mine is not None:
            conditions = mine.get("conditions", [])
        else:
            conditions = [c | {"label": f"{p['name']}：{c['label']}"} for p in people for c in p.get("conditions", [])]
    failed = [c["label"] for c in conditions if c.get("held") is False]
    amount = money(found.get("benefit")) if found.get("eligible") else None
    basis = {
        "as_of": as_of.isoformat(),
        "eligible": found.get("eligible"),
        "status": found.get("status"),
        "benefit": str(amount) if amount is not None else None,
        "conditions": [{"label": c["label"], "held": c.get("held"), "values": c.get("values", [])} for c in conditions],
        "amounts": [{"label": a["label"], "value": a.get("value")} for a in found.get("amounts", [])],
        "legal_basis": found.get("legal_basis", []),
        "parameters": [p for p in result.get("parameters", [])][:40],
    }
    return Assessment(found.get("eligible"), amount, failed, basis)


def approval_level(case: Case, amount: Decimal | None, as_of: date) -> tuple[int, str]:
    """Who must decide: temporary aid by amount tiers (the pack's temporary_aid_approval_tiers), else the workflow's
    level (district, or street where delegated)."""
    if case.programme == "temporary_aid" and amount is not None:
        parameter = load_pack(case.application.locality).parameters.get("temporary_aid_approval_tiers")
        try:
            tiers = parameter.at(as_of).value if parameter else None
        except PolicyError:
            tiers = None
        for tier in tiers or []:
            if "upto" not in tier or amount <= Decimal(str(tier["upto"])):
                return int(
                    tier["value"]
                ), f"{tier.get('label', '')}（不超过{tier['upto']}元）" if "upto" in tier else str(
                    tier.get("label", "")
                )
        return LEVEL_DISTRICT, "区县民政部门审批（本地未配置分级额度）"
    if workflow_of(case).approval_by == "street":
        return LEVEL_STREET, "审核确认权限下放街道（乡镇）"
    return LEVEL_DISTRICT, "区县民政部门审核确认"


def _may_decide(actor: Staff, level: int) -> bool:
    if actor.has_perm(APPROVE_CASE) and actor.org_unit.level == OrgUnit.Level.DISTRICT:
        return True
    return level == LEVEL_STREET and actor.has_perm(REVIEW_CASE)


def case_decide(
    *,
    actor: Staff,
    case: Case,
    approve: bool,
    opinion: str,
    reasons: list[str] | None = None,
    amount: Decimal | None = None,
) -> Case:
    """Decide (审批): approve with the amount (the rules' amount unless one is given with the opinion) or refuse with
    reasons (the failed conditions, unless given). Blocked while the verification is stale. Exactly one decision:
    the row is locked and a second approver finds it decided."""
    _authorise(actor, case, REVIEW_CASE if actor.has_perm(REVIEW_CASE) else APPROVE_CASE, "作出审批决定")
    today = china_date(timezone.now())
    wanted = money(amount) if amount is not None else (case.meeting_amount or case.proposed_amount)
    level, _label = approval_level(case, wanted, today)
    if not _may_decide(actor, level):
        raise _refuse(actor, case, f"审批（须由{LEVEL_NAMES[level]}决定）")
    for wait in (*LOCKED_WAITS, None):
        try:
            return _decide(actor, case, approve, opinion, reasons, amount)
        except OperationalError as exc:
            # SQLite has no row lock: where it answers "database (table) is locked" instead of waiting, the other
            # approver's decision holds the database. Its transaction was rolled back whole; wait for the other to
            # finish and try again, which then finds the case decided (ALREADY_DECIDED) — never two decisions.
            if wait is None or "locked" not in str(exc):
                raise
            time.sleep(wait * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")


@transaction.atomic
def _decide(actor, case, approve, opinion, reasons, amount) -> Case:
    from jiuzhu.registry.services import programme_status_set

    case = _locked(case)
    if case.status in (Case.Status.APPROVED, Case.Status.REFUSED):
        raise CaseError(
            E.ALREADY_DECIDED, who=getattr(case.decided_by, "full_name", ""), at=f"{case.decided_at:%Y-%m-%d %H:%M}"
        )
    _expect(case, "approval")
    opinion = (opinion or "").strip()
    if not opinion:
        raise CaseError(E.OPINION_REQUIRED)
    now = timezone.now()
    today = china_date(now)
    _check_fresh(case, now)
    workflow = workflow_of(case)
    if case.spot_check_required and case.spot_checked_at is None:
        raise CaseError(E.SPOT_CHECK_REQUIRED, ratio=round(workflow.spot_check_ratio * 100))
    result = assess(case, today)
    if approve:
        decided = money(amount) if amount is not None else (case.meeting_amount or result.amount)
        pays_cash = load_pack(case.application.locality).programmes[case.programme].benefit is not None
        if pays_cash and decided is None:
            raise CaseError(E.AMOUNT_REQUIRED)
        level, _label = approval_level(case, decided, today)
        if level == 3 and not case.meeting_reference:
            raise CaseError(E.MEETING_REQUIRED)
        if not _may_decide(actor, level):
            raise CaseError(E.NOT_ALLOWED, what=f"审批（须由{LEVEL_NAMES[level]}决定）")
        case.status, case.amount = Case.Status.APPROVED, decided
        case.reasons = [opinion]
        benefit_period = load_pack(case.application.locality).programmes[case.programme].benefit_period
        if benefit_period == "monthly":
            case.payment_from = payment_start(today)
        case.decision_number = _number(case, today)
        if benefit_period == "monthly" or not pays_cash:
            person = case.application.applicant if _member_programme(case) else None
            programme_status_set(
                actor=actor,
                household=case.household,
                programme=case.programme,
                status="active",
                since=case.payment_from or today,
                reason=f"审批同意（{case.decision_number}）",
                person=person,
                monthly_amount=decided if benefit_period == "monthly" else None,
                decision_ref=case.decision_number,
            )
    else:
        case.status = Case.Status.REFUSED
        case.reasons = [r.strip() for r in (reasons or []) if r and r.strip()] or result.failed or [opinion]
        case.decision_number = _number(case, today)
        if (limit := workflow.limit("refusal_letter")) is not None:
            case.letter_due_at, _ = due_or_provisional(limit.rule, now)
    case.decided_at, case.decided_by = now, actor
    case.amount_basis = case.amount_basis | {"decision": result.basis}
    case.step, case.step_due_at = "", None
    case.save()
    _log(
        case,
        "approve" if approve else "refuse",
        actor,
        step="approval",
        note=opinion,
        data={"amount": str(case.amount) if case.amount is not None else None, "reasons": case.reasons},
    )
    audit.record(
        actor=actor,
        action="case.approve" if approve else "case.refuse",
        obj=case,
        changes={"amount": str(case.amount) if case.amount is not None else None, "number": case.decision_number},
        reason=opinion,
    )
    application_close_if_done(case.application)
    if approve:
        start = f"，自{case.payment_from:%Y年%m月}起发放" if case.payment_from else ""
        notify.case_moved(case, f"已批准{start}。决定书编号{case.decision_number}。")
    else:
        notify.case_moved(case, "经审核不符合条件，书面告知书将送达您，如有异议可申请复核。")
    return case


def _member_programme(case: Case) -> bool:
    return load_pack(case.application.locality).programmes[case.programme].unit == "member"


def _number(case: Case, today: date) -> str:
    prefix = case.application.unit.name[:2]
    kind = "救决" if case.status == Case.Status.APPROVED else "救不决"
    return f"{prefix}{kind}〔{today.year}〕{case.pk:06d}号"


# --- Spot check, fast track, 一事一议, letters ---------------------------------------------------------------------


def case_spot_check(*, actor: Staff, case: Case, finding: str) -> Case:
    """Record the county's random spot check (43号 第十六条: at least 30 %)."""
    _authorise(actor, case, APPROVE_CASE, "记录抽查核实")
    return _spot_check(actor, case, finding)


@transaction.atomic
def _spot_check(actor, case, finding) -> Case:
    case = _locked(case)
    _expect(case, "approval")
    if not (finding or "").strip():
        raise CaseError(E.OPINION_REQUIRED)
    case.spot_checked_at = timezone.now()
    case.save(update_fields=["spot_checked_at"])
    _log(case, "spot_check", actor, note=finding.strip())
    audit.record(actor=actor, action="case.spot_check", obj=case, reason=finding.strip())
    return case


def case_advance_aid(*, actor: Staff, case: Case, amount: Decimal, note: str) -> Case:
    """Emergency advance aid (先行救助): the street pays within the limit (24 h) up to the delegated amount; the
    investigation, verification and decision follow as usual."""
    _authorise(actor, case, REVIEW_CASE, "先行救助")
    return _advance_aid(actor, case, money(amount), note)


@transaction.atomic
def _advance_aid(actor, case, amount, note) -> Case:
    case = _locked(case)
    if not case.is_open:
        raise CaseError(E.CASE_CLOSED, status=case.get_status_display())
    if not workflow_of(case).advance or not case.application.emergency:
        raise CaseError(E.NO_ADVANCE)
    if case.advance_paid_at is not None:
        raise CaseError(E.ADVANCE_DONE, at=f"{case.advance_paid_at:%Y-%m-%d %H:%M}")
    if amount is None or amount <= 0:
        raise CaseError(E.AMOUNT_REQUIRED)
    parameter = load_pack(case.application.locality).parameters.get("temporary_aid_advance_max")
    try:
        limit = Decimal(str(parameter.at(china_date(timezone.now())).value)) if parameter else None
    except PolicyError:
        limit = None
    if limit is None or amount > limit:
        raise CaseError(E.ADVANCE_OVER, amount=amount, limit=limit if limit is not None else "（本地未配置）")
    case.advance_amount, case.advance_paid_at = amount, timezone.now()
    case.save(update_fields=["advance_amount", "advance_paid_at"])
    late = case.advance_due_at is not None and case.advance_paid_at > case.advance_due_at
    _log(case, "advance", actor, note=note.strip(), data={"amount": str(amount), "late": late})
    audit.record(actor=actor, action="case.advance_aid", obj=case, changes={"amount": str(amount)}, reason=note)
    notify.case_moved(case, f"已先行救助{amount}元，后续手续由工作人员补办。")
    return case


def case_meeting_decision(*, actor: Staff, case: Case, amount: Decimal, meeting_reference: str) -> Case:
    """一事一议: a larger amount agreed by the county's coordination meeting, recorded with the meeting's decision."""
    _authorise(actor, case, APPROVE_CASE, "记录一事一议")
    return _meeting(actor, case, money(amount), meeting_reference)


@transaction.atomic
def _meeting(actor, case, amount, meeting_reference) -> Case:
    case = _locked(case)
    if not case.is_open:
        raise CaseError(E.CASE_CLOSED, status=case.get_status_display())
    if not (meeting_reference or "").strip():
        raise CaseError(E.MEETING_REQUIRED)
    if amount is None or amount <= 0:
        raise CaseError(E.AMOUNT_REQUIRED)
    case.meeting_amount, case.meeting_reference = amount, meeting_reference.strip()[:300]
    case.save(update_fields=["meeting_amount", "meeting_reference"])
    _log(case, "meeting", actor, note=meeting_reference.strip(), data={"amount": str(amount)})
    audit.record(
        actor=actor, action="case.meeting", obj=case, changes={"amount": str(amount)}, reason=meeting_reference
    )
    return case


def case_letter_delivered(*, actor: Staff, case: Case) -> Case:
    """The decision or refusal letter was handed to the applicant (送达), on time or not."""
    _authorise(actor, case, REVIEW_CASE, "登记文书送达")
    return _delivered(actor, case)


@transaction.atomic
def _delivered(actor, case) -> Case:
    case = _locked(case)
    if case.status not in (Case.Status.APPROVED, Case.Status.REFUSED):
        raise CaseError(E.WRONG_STEP, current=case.get_status_display(), step="文书送达")
    case.letter_delivered_at = timezone.now()
    case.save(update_fields=["letter_delivered_at"])
    _log(case, "delivered", actor, step="approval", note="决定文书已送达")
    audit.record(actor=actor, action="case.letter_delivered", obj=case)
    return case
