"""Demo applications in every state, so that each page of intake and handling has something to show: families of the
demo street officer's street apply and move along the procedure with the demo accounts; those that reach a decision
are ones the first screening found eligible but not receiving (应享未享). One was approved last month and is on this
month's payment roll."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from jiuzhu.cases import intake, steps
from jiuzhu.cases.decisions import case_advance_aid, case_decide
from jiuzhu.cases.models import Application, Case
from jiuzhu.cases.workflows import config
from jiuzhu.core.workdays import china_date
from jiuzhu.org.models import Staff
from jiuzhu.registry.models import Household
from jiuzhu.verification.services import verification_complete, verification_start

# How far each demo family gets: (programmes, last step reached or "approved"/"refused", extra)
# The families the screening found come first: those that reach a decision must be ones the rules find eligible.
STAGES = [
    (["dibao"], "approved", {"last_month": True}),
    (["dibao"], "approval", {}),
    (["dibao"], "notice", {}),
    (["dibao", "medical_aid"], "investigation", {}),
    (["dibao"], "verification", {}),
    (["dibao"], "draft", {}),
    (["temporary_aid"], "investigation", {"emergency": True}),
]


def _household_pool(unit) -> list[Household]:
    from jiuzhu.monitoring.models import ScreeningFinding

    found = (
        ScreeningFinding.objects.filter(
            programme="dibao", kind="missing", household__org_unit__path__startswith=unit.path
        )
        .order_by("household_id")
        .values_list("household_id", flat=True)
        .distinct()
    )
    ids = list(found[: len(STAGES) + 5])
    households = list(Household.objects.filter(pk__in=ids).order_by("pk"))
    if len(households) < len(STAGES):
        extra = Household.objects.filter(org_unit__path__startswith=unit.path).exclude(pk__in=ids).order_by("pk")
        households += list(extra[: len(STAGES) - len(households)])
    return households


def load_demo_cases() -> int:
    """Create the demo applications once. Returns how many were created."""
    if Application.objects.exists():
        return 0
    street_officer = Staff.objects.get(username="street1")
    coordinator = Staff.objects.get(username="coord1")
    approver = Staff.objects.get(username="approver")
    # Families that reach a decision: found eligible by the screening anywhere in the street; the others live in the
    # demo coordinator's community, so that coord1 has investigations to do.
    deciding = [s for s in STAGES if s[1] in ("approved", "approval", "notice")]
    pool = _household_pool(street_officer.org_unit)[: len(deciding)]
    others = [h for h in _household_pool(coordinator.org_unit) if h not in pool]
    created = 0
    for household, (programmes, stage, extra) in zip(pool + others, STAGES, strict=False):
        with transaction.atomic():
            _one(household, programmes, stage, extra, street_officer, coordinator, approver)
        created += 1
    _demo_payments(street_officer)
    return created


def _demo_payments(street_officer: Staff) -> None:
    """Demo bank accounts (obviously fake numbers) for the street's 低保 households, and this month's roll."""
    from jiuzhu.cases import payments
    from jiuzhu.registry.models import ProgrammeStatus

    street = street_officer.org_unit
    receiving = ProgrammeStatus.objects.filter(
        programme="dibao", until__isnull=True, household__org_unit__path__startswith=street.path
    ).select_related("household")
    for status in receiving:
        head = status.household.head()
        if head is not None:
            payments.payee_account_set(
                actor=street_officer,
                household=status.household,
                holder=head,
                bank="演示银行",
                account_number=f"9999{status.household.pk:012d}",
            )
    payments.roll_generate(
        actor=street_officer, programme="dibao", street=street, month=china_date(timezone.now()).replace(day=1)
    )


def _one(household, programmes, stage, extra, street_officer, coordinator, approver) -> None:
    head = household.head()
    locality = intake.locality_of(street_officer.org_unit)
    handling = config(locality)
    wanted = [p for p in programmes if handling.workflow_for(p) or p in handling.referrals]
    materials = [] if stage == "draft" else _all_materials(locality, wanted)
    declared = {"emergency": {"kind": "fire", "loss": "8000", "months": 2}} if extra.get("emergency") else {}
    application = intake.application_create(
        actor=street_officer,
        unit=street_officer.org_unit,
        channel="window",
        applicant_name=head.name if head else "申请人",
        phone=household.phone or "",
        programmes=wanted,
        household=household,
        applicant=head,
        materials_provided=materials,
        authorization_signed_on=None if stage == "draft" else china_date(timezone.now()),
        situation="家中失火，急需生活救助" if extra.get("emergency") else "家庭收入低，生活困难",
        declared=declared,
        emergency=bool(extra.get("emergency")),
    )
    if stage == "draft":
        return
    application = intake.application_accept(actor=street_officer, application=application)
    for case in application.cases.all():
        if extra.get("emergency"):
            case_advance_aid(actor=street_officer, case=case, amount=500, note="现场查看后先行发放")
        _walk(case, stage, street_officer, coordinator, approver)
    if extra.get("last_month"):  # decided ten days before this month began: the first payment is this month's
        back = china_date(timezone.now()).day + 10
        _backdate(application, back)


def _all_materials(locality: str, programmes: list[str]) -> list[str]:
    from jiuzhu.cases.materials import materials_for

    return materials_for(locality, programmes)


def _walk(case: Case, stage: str, street_officer, coordinator, approver) -> None:
    target = "approval" if stage in ("approved", "refused") else stage
    while case.is_open and case.step != target:
        if case.step == "investigation":
            team = [coordinator, street_officer] if coordinator.org_unit.contains(case.household.org_unit) else []
            steps.case_investigate(
                actor=street_officer,
                case=case,
                investigators=team or [street_officer, approver],
                findings="入户核实，情况属实",
            )
        elif case.step == "verification":
            verification = case.verification
            if verification is not None and not verification.is_completed:
                if verification.can_start():
                    verification_start(actor=approver, request=verification)
                verification_complete(actor=approver, request=verification)
            steps.case_verification_done(actor=street_officer, case=case)
        elif case.step == "appraisal":
            steps.case_appraise(actor=street_officer, case=case, attendees=7, outcome="评议同意")
        elif case.step == "review":
            steps.case_review(actor=street_officer, case=case, recommend=True, opinion="经审核，符合条件")
        elif case.step == "notice":
            Case.objects.filter(pk=case.pk).update(notice_ends_on=china_date(timezone.now()) - timedelta(days=1))
            case.refresh_from_db()
            steps.case_notice_close(actor=street_officer, case=case)
        case.refresh_from_db()
    if stage in ("approved", "refused") and case.step == "approval":
        case_decide(actor=approver, case=case, approve=stage == "approved", opinion="经审核确认，同意救助")


def _backdate(application: Application, days: int) -> None:
    """The approved family applied and was decided last month, so its first payment falls in this month."""
    shift = timedelta(days=days)
    Application.objects.filter(pk=application.pk).update(
        created_at=application.created_at - shift,
        submitted_at=application.submitted_at - shift if application.submitted_at else None,
        accepted_at=application.accepted_at - shift if application.accepted_at else None,
        closed_at=application.closed_at - shift if application.closed_at else None,
    )
    for case in application.cases.all():
        if case.decided_at is None:
            continue
        from jiuzhu.cases.decisions import payment_start
        from jiuzhu.registry.models import ProgrammeStatus

        decided = case.decided_at - shift
        start = payment_start(china_date(decided))
        Case.objects.filter(pk=case.pk).update(decided_at=decided, payment_from=start, due_at=case.due_at - shift)
        ProgrammeStatus.objects.filter(decision_ref=case.decision_number).update(since=start)
