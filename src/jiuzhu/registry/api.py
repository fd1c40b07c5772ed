"""Household endpoints, scoped exactly like the pages: the same selectors answer both."""

from __future__ import annotations

from ninja import Query, Router, Schema

from jiuzhu.core.masking import mask_phone
from jiuzhu.registry import selectors, services
from jiuzhu.registry.schemas import (
    HouseholdDetail,
    HouseholdPage,
    HouseholdSummary,
    MemberOut,
    ProgrammeOut,
    RevealIn,
    RevealOut,
)

router = Router(tags=["一户一档"])


class ListParams(Schema):
    q: str = ""
    offset: int = 0
    limit: int = 50


def _summary(household, head_name: str) -> HouseholdSummary:
    return HouseholdSummary(
        id=household.pk,
        number=household.number,
        org_unit=household.org_unit.name,
        area_type=household.area_type,
        residence_address=household.residence_address,
        head_name=head_name,
        color_class=household.color_class,
    )


@router.get("", response=HouseholdPage, summary="查询家庭户（按管辖范围）")
def household_list(request, params: Query[ListParams]):
    qs = selectors.household_list(actor=request.user, query=params.q)
    limit = max(1, min(params.limit, 200))
    page = list(qs[params.offset : params.offset + limit])
    heads = selectors.head_names(households=page)
    return HouseholdPage(count=qs.count(), items=[_summary(h, heads.get(h.pk, "")) for h in page])


@router.get("/{household_id}", response=HouseholdDetail, summary="家庭户档案")
def household_detail(request, household_id: int):
    household = selectors.household_get(actor=request.user, id=household_id)
    services.household_view_record(actor=request.user, household=household)
    memberships = list(household.current_memberships().order_by("joined_on", "pk"))
    head = next((m.person.name for m in memberships if m.relation == "head"), "")
    return HouseholdDetail(
        **_summary(household, head).dict(),
        hukou_address=household.hukou_address,
        phone_masked=mask_phone(household.phone),
        members=[MemberOut.from_membership(m) for m in memberships],
        programmes=[ProgrammeOut.from_orm(p) for p in household.programmes.all()],
    )


@router.post("/persons/{person_id}/reveal", response=RevealOut, summary="查看完整身份证号或电话（留痕）")
def person_reveal(request, person_id: int, payload: RevealIn):
    person = selectors.person_get(actor=request.user, id=person_id)
    value = services.identity_reveal(actor=request.user, person=person, field=payload.field, reason=payload.reason)
    return RevealOut(person_id=person.pk, field=payload.field, value=value)
