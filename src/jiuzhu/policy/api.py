"""The eligibility check over HTTP: household facts in, a decision for every programme of the locality out."""

from __future__ import annotations

from typing import Any

from ninja import Router

from jiuzhu.core.parsing import parse_date
from jiuzhu.policy.checks import eligibility_check
from jiuzhu.policy.errors import FactsInvalid
from jiuzhu.policy.localities import home_locality, pack_for, today
from jiuzhu.policy.schemas import CheckIn, ProblemsOut

router = Router(tags=["政策与资格"])


@router.post(
    "/check",
    response={200: dict[str, Any], 422: ProblemsOut},
    summary="资格检查：按家庭情况判断本地每一项救助（含理由、依据和金额构成）",
)
def check(request, payload: CheckIn):
    try:
        as_of = parse_date(payload.as_of) if payload.as_of else today()
    except ValueError as exc:
        raise FactsInvalid([{"field": "as_of", "where": "决定日期", "problem": str(exc)}]) from None
    locality = pack_for(payload.locality) if payload.locality else home_locality()
    return eligibility_check(locality=locality, as_of=as_of, document=payload.household)
