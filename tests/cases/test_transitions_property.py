"""No transition skips a required step, whoever tries what in whatever order.

Hypothesis plays random sequences on a fresh case: every service of cases.steps and cases.decisions called by a
random role (grid worker, coordinators, street officers of this and another street, the district approver, a
supervisor) with random choices (recommend or not, contested or not, approve or refuse), mixed with the right next
move by the right person (so that sequences get far), the county completing verifications, time passing and the
escalation job. After every attempt and every sequence:

- a refused attempt changed nothing (the case, its record, the registry, the application);
- the steps recorded as completed form, pass after pass, the workflow's required steps in order: the first pass from
  the investigation, a pass after an objection from the investigation again, a contested review through the
  democratic appraisal — each pass following `Workflow.required_steps` (given contested, and without the notice after
  a refusal recommended at review);
- a decided case was decided at the approval step, after every required step.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.forms.models import model_to_dict
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from jiuzhu.cases import intake, steps
from jiuzhu.cases.decisions import (
    case_advance_aid,
    case_decide,
    case_letter_delivered,
    case_meeting_decision,
    case_spot_check,
)
from jiuzhu.cases.errors import CaseError
from jiuzhu.cases.models import Application, Case, CaseAction
from jiuzhu.cases.workflows import config
from jiuzhu.registry.models import ProgrammeStatus
from jiuzhu.verification.models import VerificationRequest
from jiuzhu.verification.services import verification_complete, verification_start
from tests.cases.conftest import china
from tests.factories import add_income, make_household

ROLES = ("grid_worker", "coordinator", "street_officer", "other_street", "approver", "supervisor")
SERVICES = (
    "investigation_start",
    "investigate",
    "verification_done",
    "appraise",
    "review",
    "objection",
    "notice_close",
    "decide",
    "extend",
    "spot_check",
    "advance",
    "meeting",
    "letter",
)
ENVIRONMENT = ("county_verifies", "wait", "escalate")
NEXT = "next"  # the right next move by the right person
MATERIALS = {
    "dibao": ["低保申请书", "家庭成员收入情况声明"],
    "tekun": ["特困人员救助供养申请书", "法定义务人无履行义务能力的证明材料"],
}

moves = st.tuples(
    st.sampled_from((NEXT,) * 16 + SERVICES + ENVIRONMENT),
    st.sampled_from(ROLES),
    st.booleans(),  # approve / recommend / object during the notice
    st.booleans(),  # contested at review
    st.sampled_from((1, 8, 40)),  # days to wait
)


def snapshot(case: Case) -> tuple:
    fresh = Case.objects.get(pk=case.pk)
    return (
        model_to_dict(fresh),
        list(CaseAction.objects.filter(case=fresh).values_list("pk", flat=True)),
        list(ProgrammeStatus.objects.filter(household=fresh.household).values_list("pk", "status", "monthly_amount")),
        Application.objects.values_list("status", flat=True).get(pk=fresh.application_id),
        list(VerificationRequest.objects.filter(household=fresh.household).values_list("pk", "status")),
    )


def check_path(case: Case) -> None:
    """Replay the case's record against the workflow's required steps (an oracle independent of cases.steps)."""
    workflow = config(case.application.locality).workflows[case.workflow]
    contested, refused_at_review, current, decided = False, False, "investigation", False

    def following(step: str) -> str:
        required = workflow.required_steps(contested=contested)
        if refused_at_review:
            required = [s for s in required if s != "notice"]
        return required[required.index(step) + 1]

    passes: list[list[str]] = [[]]
    for action in case.actions.order_by("at", "pk"):
        if decided:  # after the decision only its letter is handed over
            assert action.action == "delivered", f"an action after the decision: {action.action}"
            continue
        if action.action == steps.DONE:
            assert action.step == current, f"completed {action.step} while at {current}: {passes}"
            passes[-1].append(action.step)
            if action.step == "review":
                refused_at_review = not action.data["recommend"]
            current = following(action.step)
        elif action.action == "contested":
            assert current == "review" and workflow.appraisal == "when_contested"
            contested, current = True, "appraisal"
            passes.append([])
        elif action.action == "objection":
            assert current == "notice"
            contested, refused_at_review, current = True, False, "investigation"
            passes.append([])
        elif action.action in ("approve", "refuse"):
            assert current == "approval", f"decided at {current}: {passes}"
            decided = True
    assert case.is_open != decided or case.status == Case.Status.WITHDRAWN
    if case.is_open:
        assert case.step == current, (case.step, current, passes)
    if decided:
        required = workflow.required_steps(contested=contested)
        if refused_at_review:
            required = [s for s in required if s != "notice"]
        done = {step for one in passes for step in one} | {"approval"}
        assert set(required) <= done, (required, passes)
        # and the last pass ran without a gap to the decision
        last = passes[-1]
        assert last == required[required.index(last[0]) : -1] if last else current == "approval"


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(programme=st.sampled_from(["dibao", "tekun"]), poor=st.booleans(), sequence=st.lists(moves, max_size=25))
def test_no_transition_skips_a_required_step(
    programme,
    poor,
    sequence,
    apply,
    time_machine,
    units,
    grid_worker_a,
    coordinator_a,
    coordinator_a2,
    street_officer_a,
    street_officer_b,
    approver,
    supervisor,
):
    time_machine.move_to(china("2024-10-14 09:00"), tick=False)
    staff = {
        "grid_worker": grid_worker_a,
        "coordinator": coordinator_a,
        "street_officer": street_officer_a,
        "other_street": street_officer_b,
        "approver": approver,
        "supervisor": supervisor,
    }
    household = make_household(street_officer_a, units["grid_a"], head_name="周全", members=1 if poor else 2)
    add_income(household, "200" if poor else "4000")
    application = apply(
        [programme], household=household, applicant_name="周全", materials_provided=MATERIALS[programme]
    )
    case = intake.application_accept(actor=street_officer_a, application=application).cases.get()

    def attempt(service: str, actor, yes: bool, contested: bool) -> None:
        current = Case.objects.get(pk=case.pk)
        calls = {
            "investigation_start": lambda: steps.case_investigation_start(actor=actor, case=current),
            "investigate": lambda: steps.case_investigate(
                actor=actor, case=current, investigators=[coordinator_a, coordinator_a2], findings="入户调查情况"
            ),
            "verification_done": lambda: steps.case_verification_done(actor=actor, case=current),
            "appraise": lambda: steps.case_appraise(actor=actor, case=current, attendees=7, outcome="评议意见"),
            "review": lambda: steps.case_review(
                actor=actor, case=current, recommend=yes, opinion="审核意见", contested=contested
            ),
            "objection": lambda: steps.case_objection(actor=actor, case=current, objection="群众反映有异议"),
            "notice_close": lambda: steps.case_notice_close(actor=actor, case=current),
            "decide": lambda: case_decide(actor=actor, case=current, approve=yes, opinion="审批意见"),
            "extend": lambda: steps.case_extend(actor=actor, case=current, reason="人户分离"),
            "spot_check": lambda: case_spot_check(actor=actor, case=current, finding="抽查属实"),
            "advance": lambda: case_advance_aid(actor=actor, case=current, amount=Decimal("300"), note="先行救助"),
            "meeting": lambda: case_meeting_decision(
                actor=actor, case=current, amount=Decimal("900"), meeting_reference="联席会议纪要"
            ),
            "letter": lambda: case_letter_delivered(actor=actor, case=current),
        }
        before = snapshot(case)
        try:
            calls[service]()
        except CaseError:
            assert snapshot(case) == before, f"refused {service} by {actor.username} changed the case"

    def county_verifies() -> None:
        current = Case.objects.select_related("verification").get(pk=case.pk)
        request = current.verification
        if request is not None and request.status == VerificationRequest.Status.REQUESTED:
            request = verification_start(actor=approver, request=request)
        if request is not None and request.status == VerificationRequest.Status.STARTED:
            verification_complete(actor=approver, request=request)

    def next_move(yes: bool, contested: bool, days: int) -> None:
        step = Case.objects.get(pk=case.pk).step
        if step == "investigation":
            attempt("investigate", coordinator_a, yes, contested)
        elif step == "verification":
            county_verifies()
            attempt("verification_done", coordinator_a, yes, contested)
        elif step == "appraisal":
            attempt("appraise", coordinator_a, yes, contested)
        elif step == "review":
            attempt("review", street_officer_a, yes, contested)
        elif step == "notice" and contested:
            attempt("objection", coordinator_a, yes, contested)
        elif step == "notice":
            time_machine.shift(timedelta(days=8))
            attempt("notice_close", street_officer_a, yes, contested)
        elif step == "approval":
            current = Case.objects.get(pk=case.pk)
            if current.spot_check_required and current.spot_checked_at is None:
                attempt("spot_check", approver, yes, contested)
            attempt("decide", approver, yes, contested)

    for kind, role, yes, contested, days in sequence:
        if kind == NEXT:
            next_move(yes, contested, days)
        elif kind == "county_verifies":
            county_verifies()
        elif kind == "wait":
            time_machine.shift(timedelta(days=days))
        elif kind == "escalate":
            steps.cases_escalate_overdue()
        else:
            attempt(kind, staff[role], yes, contested)
        check_path(Case.objects.get(pk=case.pk))
    final = Case.objects.get(pk=case.pk)
    check_path(final)
    # what the sequences reached (shown with --hypothesis-show-statistics)
    event(f"{programme} ended {final.status} {final.step}".strip())
    for marker in ("objection", "contested", "refused"):
        if final.actions.filter(action=marker).exists():
            event(f"with {marker}")
