"""线索 over HTTP: a partner system (12345, 信访, 综治, a media monitor) sends leads with its bearer token; list and
read them; record a verification. Scoped exactly like the pages; ID numbers and phones masked."""

from __future__ import annotations

from ninja import Router

from jiuzhu.leads import selectors, services
from jiuzhu.leads.errors import LeadError
from jiuzhu.leads.errors import LeadErrorCode as E
from jiuzhu.leads.models import Lead
from jiuzhu.leads.schemas import ErrorOut, LeadIn, LeadOut, VerifyIn
from jiuzhu.org.models import OrgUnit
from jiuzhu.registry import selectors as registry_selectors

router = Router(tags=["线索"])


@router.post(
    "",
    response={201: LeadOut, 400: ErrorOut, 403: ErrorOut},
    summary="登记线索并派单（同一渠道同一编号不能重复登记）",
)
def lead_create(request, payload: LeadIn):
    actor = request.user
    household = registry_selectors.household_get(actor=actor, id=payload.household_id) if payload.household_id else None
    person = registry_selectors.person_get(actor=actor, id=payload.person_id) if payload.person_id else None
    street = OrgUnit.objects.filter(pk=payload.street_id).first() if payload.street_id else None
    if payload.street_id and street is None:
        raise LeadError(E.STREET_NOT_ALLOWED, street=payload.street_id)
    lead = services.lead_register(
        actor=actor,
        channel=payload.channel,
        reference=payload.reference,
        received_at=payload.received_at,
        situation=payload.situation,
        description=payload.description,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        reporter_relation=payload.reporter_relation,
        household=household,
        person=person,
        subject_name=payload.subject_name,
        subject_id_number=payload.subject_id_number,
        subject_phone=payload.subject_phone,
        subject_address=payload.subject_address,
        street=street,
    )
    return 201, LeadOut.of(lead, lead.work_order)


@router.get("", response=list[LeadOut], summary="管辖范围内的线索（最新在前）")
def lead_list(request, status: str = "", channel: str = "", limit: int = 50, offset: int = 0):
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    status = status if status in Lead.Status.values else ""
    leads = list(selectors.lead_list(actor=request.user, status=status, channel=channel)[offset : offset + limit])
    return [LeadOut.of(lead) for lead in leads]


@router.get("/{lead_id}", response=LeadOut, summary="一条线索及其工单的期限和状态")
def lead_detail(request, lead_id: int):
    lead = selectors.lead_get(actor=request.user, id=lead_id)
    return LeadOut.of(lead, selectors.lead_work_order(lead=lead))


@router.post(
    "/{lead_id}/verify",
    response={200: LeadOut, 400: ErrorOut, 403: ErrorOut},
    summary="登记核实结果（属实/不属实/重复）；属实的居民、志愿者线索按积分规则计分",
)
def lead_verify(request, lead_id: int, payload: VerifyIn):
    lead = selectors.lead_get(actor=request.user, id=lead_id)
    duplicate_of = selectors.lead_get(actor=request.user, id=payload.duplicate_of) if payload.duplicate_of else None
    lead = services.lead_verify(
        actor=request.user, lead=lead, outcome=payload.outcome, note=payload.note, duplicate_of=duplicate_of
    )
    return LeadOut.of(lead, selectors.lead_work_order(lead=lead))
