"""Applications and cases over HTTP (/api/v1/cases): the pages' services, scoping and masking.

An object outside the caller's jurisdiction is 404 (before its body is looked at); a body with problems is 422 with
every problem in Chinese; a change the caller's role may not make is 403 (refused and audited by the service) and
nothing moves; a change the procedure does not allow now (wrong step, notice still running…) is 400 with the
service's message."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from jiuzhu.cases import decisions, intake, selectors, steps
from jiuzhu.cases.api_input import (
    ApiErrorCode,
    ErrorOut,
    InputInvalid,
    UnknownAction,
    body_schema,
    parse_body,
    problem,
)
from jiuzhu.cases.errors import CaseError
from jiuzhu.cases.errors import CaseErrorCode as E
from jiuzhu.cases.forms import EMERGENCY_KINDS
from jiuzhu.cases.materials import materials_for
from jiuzhu.cases.models import Application, Case
from jiuzhu.cases.page_support import WORKER_ROLES_EXCLUDED
from jiuzhu.cases.schemas import (
    AcceptIn,
    AdvanceIn,
    ApplicationDetail,
    ApplicationIn,
    ApplicationOut,
    ApplicationPage,
    AppraiseIn,
    CaseDetail,
    CaseOut,
    CasePage,
    DecideIn,
    ExtendIn,
    InvestigateIn,
    MaterialsIn,
    MeetingIn,
    ObjectionIn,
    ReviewIn,
    SpotCheckIn,
    StartIn,
    WithdrawIn,
)
from jiuzhu.cases.workflows import STEP_LABELS
from jiuzhu.core.errors import NotFound
from jiuzhu.core.id_number import IdNumberError, parse_id_number
from jiuzhu.core.parsing import fold_width
from jiuzhu.org.models import OrgUnit, Staff
from jiuzhu.org.permissions import APPLY_ON_BEHALF
from jiuzhu.policy.packs import load_pack
from jiuzhu.registry import selectors as registry_selectors
from jiuzhu.registry.models import Household

router = Router(tags=["救助申请与审核"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_PAGE = 200
STAFF_CHANNELS = {c.value: c.label for c in Application.Channel if c != Application.Channel.ONLINE}
BASED_ON = {"hukou": "户籍地", "residence": "居住地", "incident": "急难发生地"}
PROGRAMME_CODE = re.compile(r"^[a-z0-9_]{1,40}$")


def _may(actor: Staff, perm: str) -> bool:
    """The actor's role may make this kind of change at all (as the pages decide whether to offer the form)."""
    return actor.is_active and actor.has_perm(perm) and not actor.is_read_only and not actor.is_department_member


def _choices(values) -> str:
    return _("应为以下之一：%(v)s") % {"v": "、".join(str(v) for v in values)}


def _window(qs, limit: int, offset: int):
    limit, offset = max(1, min(limit, MAX_PAGE)), max(0, offset)
    return qs[offset : offset + limit]


def _programme_names(localities) -> dict[str, dict[str, str]]:
    names: dict[str, dict[str, str]] = {}
    for locality in set(localities):
        try:
            names[locality] = {code: p.name for code, p in load_pack(locality).programmes.items()}
        except Exception:  # a pack that no longer loads: the codes rather than a failed list
            names[locality] = {}
    return names


def _detail(application: Application) -> ApplicationDetail:
    names = _programme_names([application.locality])[application.locality]
    return ApplicationDetail.of(application, names, intake.materials_of(application))


# --- Applications -------------------------------------------------------------------------------------------------


class ApplicationFilters(Schema):
    status: str = Field(
        "", description="draft 待补齐材料、submitted 待受理、accepted 办理中、closed 已办结、withdrawn 已撤回"
    )
    programme: str = Field("", description="申请项目代码，如 dibao")
    q: str = Field("", description="申请编号或申请人姓名")
    limit: int = Field(50, description=f"每页条数（1–{MAX_PAGE}）")
    offset: int = Field(0)


@router.get(
    "/applications", response={200: ApplicationPage, 422: ErrorOut}, summary="救助申请列表（按管辖范围，新登记的在前）"
)
def application_list(request, filters: Query[ApplicationFilters]):
    problems = []
    if filters.status and filters.status not in Application.Status.values:
        problems.append(problem("status", _("状态"), _choices(Application.Status.values)))
    if filters.programme and not PROGRAMME_CODE.match(filters.programme):
        problems.append(problem("programme", _("申请项目"), _("应为项目代码，如 dibao")))
    if problems:
        raise InputInvalid(problems)
    qs = selectors.application_list(actor=request.user, status=filters.status, query=filters.q.strip()[:50])
    if filters.programme:
        qs = qs.filter(programmes__icontains=json.dumps(filters.programme))  # the code, quoted, in the JSON list
    page = list(_window(qs.order_by("-created_at", "-pk"), filters.limit, filters.offset))
    names = _programme_names(a.locality for a in page)
    return ApplicationPage(count=qs.count(), items=[ApplicationOut.of(a, names[a.locality]) for a in page])


def _streets(actor: Staff, household: Household | None) -> list[OrgUnit]:
    """Where the application may be registered (as on the page): the household's street, else the actor's; a
    district officer chooses among the district's streets."""
    if household is not None:
        return [intake.street_of(household.org_unit)]
    street = intake.street_of(actor.org_unit)
    if street.level == OrgUnit.Level.STREET:
        return [street]
    return list(actor.org_unit.subtree().filter(level=OrgUnit.Level.STREET, is_active=True).order_by("path"))


def _household(actor: Staff, household_id: int | None, problems: list) -> Household | None:
    if household_id is None:
        return None
    try:
        return registry_selectors.household_get(actor=actor, id=household_id)
    except NotFound:
        text = _("编号 %(id)s 的家庭户不存在或不在您的管辖范围内") % {"id": household_id}
        problems.append(problem("household_id", _("家庭户"), text))
        return None


def _registration(actor: Staff, p: ApplicationIn) -> dict:
    """The service's arguments from the body, or InputInvalid listing every problem (the service's own checks, each
    run on its own so none hides another, and the page form's)."""
    problems: list[dict] = []
    household = _household(actor, p.household_id, problems)
    streets = _streets(actor, household)
    unit = None
    if p.unit_id is None:
        if len(streets) == 1:
            unit = streets[0]
        else:
            listed = "、".join(f"{s.pk} {s.name}" for s in streets[:20])
            problems.append(problem("unit_id", _("受理街道（乡镇）"), _("请选择：%(s)s") % {"s": listed or "—"}))
    else:
        unit = next((s for s in streets if s.pk == p.unit_id), None)
        if unit is None:
            text = _("编号 %(id)s 不是您可以登记申请的街道（乡镇）") % {"id": p.unit_id}
            if household is not None:
                text += _("（该户属于%(s)s）") % {"s": streets[0].name}
            problems.append(problem("unit_id", _("受理街道（乡镇）"), text))
    channel = p.channel or (Application.Channel.GRID if actor.role == Staff.Role.GRID_WORKER else "window")
    if channel not in STAFF_CHANNELS:
        known = [f"{code}（{label}）" for code, label in STAFF_CHANNELS.items()]
        problems.append(problem("channel", _("申请方式"), _choices(known)))
    elif channel in intake.ASSISTED_CHANNELS and not p.authorisation.strip():
        problems.append(problem("authorisation", _("委托/授权情况"), str(E.AUTHORISATION_REQUIRED.label)))
    phone = fold_width(p.phone).strip()
    if phone and not intake.PHONE.match(phone):
        problems.append(problem("phone", _("联系电话"), CaseError(E.PHONE_INVALID, phone=phone).message))
    id_number = ""
    if p.applicant_id_number.strip():
        try:
            id_number = parse_id_number(p.applicant_id_number).number
        except IdNumberError as exc:
            problems.append(
                problem("applicant_id_number", _("申请人身份证号"), CaseError(E.ID_INVALID, reason=exc.message).message)
            )
    locality = intake.locality_of(unit or streets[0]) if (unit or streets) else None
    programmes: list[str] = []
    if not p.programmes:
        problems.append(problem("programmes", _("申请项目"), str(E.NO_PROGRAMME.label)))
    elif locality is not None:
        for index, code in enumerate(p.programmes):
            try:
                programmes += [c for c in intake._check_programmes(locality, [code]) if c not in programmes]
            except CaseError as exc:
                where = _("申请项目第%(n)s项") % {"n": index + 1}
                problems.append(problem(f"programmes.{index}", where, exc.message))
    if programmes and len(programmes) == len(set(p.programmes)):
        known = materials_for(locality, programmes)
        for index, material in enumerate(p.materials_provided):
            if material not in known:
                text = _("“%(m)s”不是所申请项目要求的材料；可提交：%(k)s") % {"m": material, "k": "、".join(known)}
                problems.append(
                    problem(f"materials_provided.{index}", _("已提交的材料第%(n)s项") % {"n": index + 1}, text)
                )
    if p.based_on not in BASED_ON:
        problems.append(problem("based_on", _("申请地依据"), _choices(f"{k}（{v}）" for k, v in BASED_ON.items())))
    kinds = dict(EMERGENCY_KINDS)
    if p.emergency and not p.emergency_kind:
        problems.append(problem("emergency_kind", _("急难情形类别"), _("请选择急难情形")))
    elif p.emergency_kind and p.emergency_kind not in kinds:
        problems.append(problem("emergency_kind", _("急难情形类别"), _choices(f"{k}（{v}）" for k, v in kinds.items())))
    if p.conflict_of_interest and not p.conflict_note.strip():
        text = _("请写明与哪位经办人员或村（居）委会成员是什么关系")
        problems.append(problem("conflict_note", _("近亲属关系说明"), text))
    if problems:
        raise InputInvalid(problems)
    declared = {}
    if p.emergency:
        loss = str(p.emergency_loss if p.emergency_loss is not None else 0)
        declared = {"emergency": {"kind": p.emergency_kind, "loss": loss, "months": p.emergency_months}}
    return {
        "unit": unit,
        "channel": channel,
        "applicant_name": p.applicant_name,
        "phone": phone or intake.phone_on_file(household),
        "programmes": programmes,
        "household": household,
        "applicant": intake.applicant_of(household, p.applicant_name, id_number),
        "applicant_id_number": id_number,
        "situation": p.situation,
        "materials_provided": list(dict.fromkeys(p.materials_provided)),
        "authorisation": p.authorisation,
        "authorization_signed_on": p.authorization_signed_on,
        "declared": declared,
        "conflict_of_interest": p.conflict_of_interest,
        "conflict_note": p.conflict_note,
        "emergency": p.emergency,
        "based_on": p.based_on,
    }


@router.post(
    "/applications",
    response={201: ApplicationDetail, **ERRORS},
    summary="登记救助申请（材料不齐保存为“待补齐材料”，并列出一次性告知的材料）",
    openapi_extra=body_schema(ApplicationIn),
)
def application_create(request):
    actor: Staff = request.user
    if not _may(actor, APPLY_ON_BEHALF):
        raise CaseError(E.NOT_ALLOWED, what=_("登记救助申请"))
    arguments = _registration(actor, parse_body(request, ApplicationIn))
    application = intake.application_create(actor=actor, **arguments)
    return 201, _detail(application)


@router.get(
    "/applications/{application_id}",
    response=ApplicationDetail,
    summary="单个申请：各项目的审核事项、转介和尚缺的材料",
)
def application_detail(request, application_id: int):
    return _detail(selectors.application_get(actor=request.user, id=application_id))


@router.post(
    "/applications/{application_id}/materials",
    response={200: ApplicationDetail, **ERRORS},
    summary="补齐材料（材料齐全的“待补齐材料”申请转为待受理）",
    openapi_extra=body_schema(MaterialsIn),
)
def application_materials(request, application_id: int):
    application = selectors.application_get(actor=request.user, id=application_id)
    payload = parse_body(request, MaterialsIn)
    known = intake.materials_of(application).required
    problems = [
        problem(
            f"materials_provided.{index}",
            _("本次补交的材料第%(n)s项") % {"n": index + 1},
            _("“%(m)s”不是该申请要求的材料；可提交：%(k)s") % {"m": material, "k": "、".join(known)},
        )
        for index, material in enumerate(payload.materials_provided)
        if material not in known
    ]
    if not payload.materials_provided and payload.authorization_signed_on is None:
        problems.append(problem("materials_provided", _("本次补交的材料"), _("请填写补交的材料，或授权书签署日期")))
    if problems:
        raise InputInvalid(problems)
    application = intake.application_update_materials(
        actor=request.user,
        application=application,
        materials_provided=list(dict.fromkeys(payload.materials_provided)),
        authorization_signed_on=payload.authorization_signed_on,
    )
    return _detail(application)


@router.post(
    "/applications/{application_id}/accept",
    response={200: ApplicationDetail, **ERRORS},
    summary="受理：每个项目开启一个审核事项，其他部门办理的部分转介",
    openapi_extra=body_schema(AcceptIn, required=False),
)
def application_accept(request, application_id: int):
    application = selectors.application_get(actor=request.user, id=application_id)
    payload = parse_body(request, AcceptIn)
    problems: list[dict] = []
    household = _household(request.user, payload.household_id, problems)
    if problems:
        raise InputInvalid(problems)
    application = intake.application_accept(actor=request.user, application=application, household=household)
    return _detail(application)


@router.post(
    "/applications/{application_id}/withdraw",
    response={200: ApplicationDetail, **ERRORS},
    summary="撤回申请（须写明原因；办理中的事项随之结束）",
    openapi_extra=body_schema(WithdrawIn),
)
def application_withdraw(request, application_id: int):
    application = selectors.application_get(actor=request.user, id=application_id)
    payload = parse_body(request, WithdrawIn)
    application = intake.application_withdraw(actor=request.user, application=application, reason=payload.reason)
    return _detail(application)


# --- Cases --------------------------------------------------------------------------------------------------------


class CaseFilters(Schema):
    step: str = Field("", description="当前环节：" + "、".join(f"{k} {v}" for k, v in STEP_LABELS.items()))
    status: str = Field("", description="in_progress 办理中、approved 已批准、refused 不予批准、withdrawn 已撤回")
    overdue: bool = Field(False, description="只看超期（环节期限或办结期限已过）")
    escalated: bool = Field(False, description="只看已督办")
    limit: int = Field(50, description=f"每页条数（1–{MAX_PAGE}）")
    offset: int = Field(0)


@router.get("/cases", response={200: CasePage, 422: ErrorOut}, summary="审核事项列表（按管辖范围，期限近的在前）")
def case_list(request, filters: Query[CaseFilters]):
    problems = []
    if filters.step and filters.step not in STEP_LABELS:
        problems.append(problem("step", _("当前环节"), _choices(STEP_LABELS)))
    if filters.status and filters.status not in Case.Status.values:
        problems.append(problem("status", _("状态"), _choices(Case.Status.values)))
    if problems:
        raise InputInvalid(problems)
    qs = selectors.case_list(
        actor=request.user,
        step=filters.step,
        status=filters.status,
        overdue=filters.overdue,
        escalated=filters.escalated,
    )
    ordered = qs.annotate(next_due=Coalesce("step_due_at", "due_at")).order_by("status", "next_due", "pk")
    return CasePage(count=qs.count(), items=[CaseOut.of(c) for c in _window(ordered, filters.limit, filters.offset)])


@router.get(
    "/cases/{case_id}",
    response=CaseDetail,
    summary="单个事项：当前环节及期限、办结期限、必经环节、办理记录、决定、金额和理由",
)
def case_detail(request, case_id: int):
    return CaseDetail.of(selectors.case_get(actor=request.user, id=case_id))


def _investigators(case: Case, ids: list[int]) -> list[Staff]:
    """The staff named, each of whom may investigate this household (as the page's list); InputInvalid otherwise,
    without telling whether someone of another place exists."""
    household = case.household or case.application.household
    ids = list(dict.fromkeys(ids))
    team = Staff.objects.filter(pk__in=ids, is_active=True).exclude(role__in=WORKER_ROLES_EXCLUDED)
    if household is not None:
        team = team.filter(org_unit__in=household.org_unit.ancestors())
    found = {s.pk: s for s in team.select_related("org_unit")}
    problems = [
        problem(
            f"investigators.{index}",
            _("调查人员第%(n)s项") % {"n": index + 1},
            _("编号 %(id)s 的工作人员不存在，或不能参加该户的入户调查") % {"id": staff_id},
        )
        for index, staff_id in enumerate(ids)
        if staff_id not in found
    ]
    if problems:
        raise InputInvalid(problems)
    return [found[i] for i in ids]


def _decide(actor: Staff, case: Case, p: DecideIn) -> Case:
    if not p.approve and p.amount is not None:
        raise InputInvalid([problem("amount", _("金额（元）"), _("不予批准时不填写金额"))])
    return decisions.case_decide(
        actor=actor, case=case, approve=p.approve, opinion=p.opinion, reasons=p.reasons, amount=p.amount
    )


@dataclass(frozen=True)
class Act:
    schema: type[Schema]
    run: Callable[[Staff, Case, Schema], Case]


ACTS: dict[str, Act] = {
    "start": Act(StartIn, lambda a, c, p: steps.case_investigation_start(actor=a, case=c)),
    "investigate": Act(
        InvestigateIn,
        lambda a, c, p: steps.case_investigate(
            actor=a,
            case=c,
            investigators=_investigators(c, p.investigators),
            findings=p.findings,
            form={"living": p.living, "income": p.income, "assets": p.assets, "conclusion": p.conclusion},
        ),
    ),
    "verified": Act(StartIn, lambda a, c, p: steps.case_verification_done(actor=a, case=c)),
    "appraise": Act(
        AppraiseIn, lambda a, c, p: steps.case_appraise(actor=a, case=c, attendees=p.attendees, outcome=p.outcome)
    ),
    "review": Act(
        ReviewIn,
        lambda a, c, p: steps.case_review(
            actor=a, case=c, recommend=p.recommend, opinion=p.opinion, contested=p.contested
        ),
    ),
    "objection": Act(ObjectionIn, lambda a, c, p: steps.case_objection(actor=a, case=c, objection=p.objection)),
    "close_notice": Act(StartIn, lambda a, c, p: steps.case_notice_close(actor=a, case=c)),
    "decide": Act(DecideIn, _decide),
    "spot_check": Act(SpotCheckIn, lambda a, c, p: decisions.case_spot_check(actor=a, case=c, finding=p.finding)),
    "meeting": Act(
        MeetingIn,
        lambda a, c, p: decisions.case_meeting_decision(actor=a, case=c, amount=p.amount, meeting_reference=p.meeting),
    ),
    "advance": Act(
        AdvanceIn, lambda a, c, p: decisions.case_advance_aid(actor=a, case=c, amount=p.amount, note=p.note)
    ),
    "extend": Act(ExtendIn, lambda a, c, p: steps.case_extend(actor=a, case=c, reason=p.reason)),
    "delivered": Act(StartIn, lambda a, c, p: decisions.case_letter_delivered(actor=a, case=c)),
}


@router.post(
    "/cases/{case_id}/actions/{action}",
    response={200: CaseDetail, **ERRORS},
    summary="办理：start 启动调查、investigate 入户调查、verified 核对完成、appraise 民主评议、review 审核、"
    "objection 公示异议、close_notice 公示期满、decide 审批、spot_check 抽查、meeting 一事一议、advance 先行救助、"
    "extend 延期、delivered 文书送达；请求内容按操作而定",
    openapi_extra=body_schema(
        StartIn,
        InvestigateIn,
        AppraiseIn,
        ReviewIn,
        ObjectionIn,
        DecideIn,
        SpotCheckIn,
        MeetingIn,
        AdvanceIn,
        ExtendIn,
        required=False,
    ),
)
def case_act(request, case_id: int, action: str):
    actor: Staff = request.user
    case = selectors.case_get(actor=actor, id=case_id)
    act = ACTS.get(action)
    if act is None:
        raise UnknownAction(ApiErrorCode.UNKNOWN_ACTION, action=action[:40], known="、".join(ACTS))
    act.run(actor, case, parse_body(request, act.schema))
    return CaseDetail.of(selectors.case_get(actor=actor, id=case.pk))
