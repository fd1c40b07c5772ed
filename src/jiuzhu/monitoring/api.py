"""/api/v1/monitoring: alerts (read) and 政策找人 runs (start, read), scoped like the pages."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema

from jiuzhu.core.masking import mask_id_number
from jiuzhu.monitoring import screening, selectors

router = Router(tags=["monitoring"])


class AlertOut(Schema):
    id: int
    scenario: str
    scenario_name: str
    severity: str
    status: str
    name: str
    id_number_masked: str
    household_id: int | None
    is_recipient: bool
    first_event_on: date
    last_event_on: date
    raised_at: datetime
    reasons: list[dict]
    route: list[dict]


def _alert(a) -> dict:
    return {
        "id": a.pk,
        "scenario": a.scenario,
        "scenario_name": a.scenario_name,
        "severity": a.severity,
        "status": a.status,
        "name": a.name,
        "id_number_masked": mask_id_number(a.id_number),
        "household_id": a.household_id,
        "is_recipient": a.is_recipient,
        "first_event_on": a.first_event_on,
        "last_event_on": a.last_event_on,
        "raised_at": a.raised_at,
        "reasons": a.reasons,
        "route": a.route,
    }


@router.get("/alerts", response=list[AlertOut])
def alerts(request, status: str = "open", scenario: str = "", limit: int = 100, offset: int = 0):
    qs = selectors.alert_list(actor=request.user, status=status, scenario=scenario)
    return [_alert(a) for a in qs[offset : offset + min(limit, 1000)]]


@router.get("/alerts/{alert_id}", response=AlertOut)
def alert(request, alert_id: int):
    return _alert(selectors.alert_get(actor=request.user, id=alert_id))


class RunIn(Schema):
    as_of: date | None = None


class RunOut(Schema):
    id: int
    locality: str
    as_of: date
    status: str
    stage: str
    progress: int
    households: int
    persons: int
    missing: int
    ineligible: int
    seconds: float | None
    error: str


def _run(r) -> dict:
    return {f: getattr(r, f) for f in RunOut.model_fields if f != "id"} | {"id": r.pk}


@router.post("/screening-runs", response={202: RunOut})
def start_run(request, payload: RunIn):
    return 202, _run(screening.screening_start(actor=request.user, as_of=payload.as_of))


@router.get("/screening-runs/{run_id}", response=RunOut)
def run(request, run_id: int):
    return _run(selectors.screening_run_get(actor=request.user, id=run_id))
