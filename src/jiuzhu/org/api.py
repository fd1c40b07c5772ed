from __future__ import annotations

from ninja import Router, Schema

from jiuzhu.org import selectors

router = Router(tags=["组织"])


class OrgUnitOut(Schema):
    id: int
    name: str
    level: str
    division_code: str
    parent_id: int | None


@router.get("/units", response=list[OrgUnitOut], summary="管辖范围内的组织单元")
def unit_list(request):
    return list(selectors.org_unit_list(actor=request.user))


@router.get("/units/{unit_id}", response=OrgUnitOut, summary="组织单元")
def unit_detail(request, unit_id: int):
    return selectors.org_unit_get(actor=request.user, id=unit_id)
