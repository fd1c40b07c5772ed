"""Applications and cases over HTTP (/api/v1/cases): the same services, scoping and masking as the pages. A change a
role may not make answers 403 and is audited; an object outside the caller's jurisdiction is 404."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema

from jiuzhu.cases import decisions, intake, selectors, steps
from jiuzhu.cases.errors import CaseError
from jiuzhu.cases.errors import CaseErrorCode as E
from jiuzhu.cases.schemas import ActionIn, ApplicationIn, ApplicationOut, CaseOut, MaterialsIn, WithdrawIn
from jiuzhu.core.errors import NotFound
from jiuzhu.org.models import OrgUnit, Staff
from jiuzhu.registry import selectors as registry_selectors
from jiuzhu.workorders.schemas import ErrorOut

router = Router(tags=["救助申请与审核"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ApplicationFilters(Schema):
    status: str = Field(
        "", description="draft 待补齐材料、submitted 待受理、accepted 已受理、closed 已办结、withdrawn 已撤回"
    )
    q: str = Field("", description="申请编号或申请人姓名")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class ApplicationPage(Schema):
    count: int
    items: list[ApplicationOut]


class CaseFilters(Schema):
    status: str = Field("", description="in_progress 办理中、approved 已批准、refused 不予批准、withdrawn 已撤回")
    step: str = Field("", description="当前环节，如 investigation")
    overdue: bool = Field(False, description="只看超期")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class CasePage(Schema):
    count: int
    items: list[CaseOut]


def _staff_of(ids: list[int]) -> list[Staff]:
    found = {s.pk: s for s in Staff.objects.filter(pk__in=ids, is_active=True)}
    return [found[i] for i in ids if i in found]


@router.get("/applications", response=ApplicationPage, summary="救助申请列表（按调用者的管辖范围）")
def application_list(request, filters: Query[ApplicationFilters]):
    qs = selectors.application_list(actor=request.user, status=filters.status, query=filters.q.strip()[:50])
    items = qs.order_by("-created_at", "-pk")[filters.offset : filters.offset + filters.limit]
    return ApplicationPage(count=qs.count(), items=[ApplicationOut.of(a) for a in items])


@router.post("/applications", response={201: ApplicationOut, **ERRORS}, summary="登记救助申请（材料不齐保存为待补齐）")
def application_create(request, payload: ApplicationIn):
    actor: Staff = request.user
    unit = actor.jurisdiction().filter(pk=payload.unit_id, level=OrgUnit.Level.STREET).first()
    if unit is None:
        raise CaseError(E.OUT_OF_JURISDICTION)
    household = None
    if payload.household_id is not None:
        household = registry_selectors.household_get(actor=actor, id=payload.household_id)
    data = payload.model_dump(exclude={"unit_id", "household_id"})
    application = intake.application_create(actor=actor, unit=unit, household=household, **data)
    return 201, ApplicationOut.of(application, with_parts=True)


@router.get("/applications/{application_id}", response=ApplicationOut, summary="单个申请，含各项目事项和转介")
def application_detail(request, application_id: int):
    return ApplicationOut.of(selectors.application_get(actor=request.user, id=application_id), with_parts=True)


@router.post("/applications/{application_id}/materials", response={200: ApplicationOut, **ERRORS}, summary="补齐材料")
def application_materials(request, application_id: int, payload: MaterialsIn):
    application = selectors.application_get(actor=request.user, id=application_id)
    application = intake.application_update_materials(
        actor=request.user,
        application=application,
        materials_provided=payload.materials_provided,
        authorization_signed_on=payload.authorization_signed_on,
    )
    return ApplicationOut.of(application, with_parts=True)


@router.post("/applications/{application_id}/accept", response={200: ApplicationOut, **ERRORS}, summary="受理")
def application_accept(request, application_id: int):
    application = selectors.application_get(actor=request.user, id=application_id)
    application = intake.application_accept(actor=request.user, application=application)
    return ApplicationOut.of(application, with_parts=True)


@router.post("/applications/{application_id}/withdraw", response={200: ApplicationOut, **ERRORS}, summary="撤回")
def application_withdraw(request, application_id: int, payload: WithdrawIn):
    application = selectors.application_get(actor=request.user, id=application_id)
    application = intake.application_withdraw(actor=request.user, application=application, reason=payload.reason)
    return ApplicationOut.of(application, with_parts=True)


@router.get("/cases", response=CasePage, summary="审核事项列表（按调用者的管辖范围）")
def case_list(request, filters: Query[CaseFilters]):
    qs = selectors.case_list(actor=request.user, status=filters.status, step=filters.step, overdue=filters.overdue)
    items = qs.order_by("due_at", "pk")[filters.offset : filters.offset + filters.limit]
    return CasePage(count=qs.count(), items=[CaseOut.of(c) for c in items])


@router.get("/cases/{case_id}", response=CaseOut, summary="单个事项：当前环节、期限、必经环节、办理记录、决定")
def case_detail(request, case_id: int):
    return CaseOut.of(selectors.case_get(actor=request.user, id=case_id), with_actions=True)


ACTIONS = {
    "start": lambda a, c, p: steps.case_investigation_start(actor=a, case=c),
    "investigate": lambda a, c, p: steps.case_investigate(
        actor=a, case=c, investigators=_staff_of(p.investigators), findings=p.findings
    ),
    "verified": lambda a, c, p: steps.case_verification_done(actor=a, case=c),
    "appraise": lambda a, c, p: steps.case_appraise(actor=a, case=c, attendees=p.attendees, outcome=p.outcome),
    "review": lambda a, c, p: steps.case_review(
        actor=a, case=c, recommend=p.recommend, opinion=p.opinion, contested=p.contested
    ),
    "objection": lambda a, c, p: steps.case_objection(actor=a, case=c, objection=p.objection),
    "close_notice": lambda a, c, p: steps.case_notice_close(actor=a, case=c),
    "decide": lambda a, c, p: decisions.case_decide(
        actor=a, case=c, approve=p.approve, opinion=p.opinion, reasons=p.reasons, amount=p.amount
    ),
    "spot_check": lambda a, c, p: decisions.case_spot_check(actor=a, case=c, finding=p.finding),
    "meeting": lambda a, c, p: decisions.case_meeting_decision(
        actor=a, case=c, amount=p.amount, meeting_reference=p.meeting
    ),
    "advance": lambda a, c, p: decisions.case_advance_aid(actor=a, case=c, amount=p.amount, note=p.note),
    "extend": lambda a, c, p: steps.case_extend(actor=a, case=c, reason=p.reason),
    "delivered": lambda a, c, p: decisions.case_letter_delivered(actor=a, case=c),
}


@router.post(
    "/cases/{case_id}/actions/{action}",
    response={200: CaseOut, **ERRORS},
    summary="办理：start 启动调查、investigate 入户调查、verified 核对完成、appraise 民主评议、review 审核、"
    "objection 公示异议、close_notice 公示期满、decide 审批、spot_check 抽查、meeting 一事一议、advance 先行救助、"
    "extend 延期、delivered 文书送达",
)
def case_act(request, case_id: int, action: str, payload: ActionIn):
    case = selectors.case_get(actor=request.user, id=case_id)
    run = ACTIONS.get(action)
    if run is None:
        raise NotFound
    run(request.user, case, payload)
    return CaseOut.of(selectors.case_get(actor=request.user, id=case.pk), with_actions=True)
