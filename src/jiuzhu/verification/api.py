"""家庭经济状况核对 over HTTP: request one, follow it, start and complete it. Scoped exactly like the pages."""

from __future__ import annotations

from ninja import Router

from jiuzhu.registry import selectors as registry_selectors
from jiuzhu.verification import selectors, services
from jiuzhu.verification.schemas import ErrorOut, VerificationIn, VerificationOut

router = Router(tags=["家庭经济状况核对"])


@router.post(
    "",
    response={201: VerificationOut, 400: ErrorOut, 403: ErrorOut},
    summary="提请核对（须已签署授权书；3 个工作日内启动）",
)
def verification_create(request, payload: VerificationIn):
    household = registry_selectors.household_get(actor=request.user, id=payload.household_id)
    verification = services.verification_request(
        actor=request.user,
        household=household,
        purpose=payload.purpose,
        authorization_signed_on=payload.authorization_signed_on,
    )
    return 201, VerificationOut.of(verification)


@router.get("/{verification_id}", response=VerificationOut, summary="核对状态；完成后含固定的核对结果")
def verification_detail(request, verification_id: int):
    verification = selectors.verification_get(actor=request.user, id=verification_id)
    if verification.is_completed:
        services.verification_report_record(actor=request.user, request=verification)
    return VerificationOut.of(verification)


@router.post(
    "/{verification_id}/start", response={200: VerificationOut, 400: ErrorOut, 403: ErrorOut}, summary="启动核对"
)
def verification_start(request, verification_id: int):
    verification = selectors.verification_get(actor=request.user, id=verification_id)
    return VerificationOut.of(services.verification_start(actor=request.user, request=verification))


@router.post(
    "/{verification_id}/complete",
    response={200: VerificationOut, 400: ErrorOut, 403: ErrorOut},
    summary="完成核对：生成并固定经济状况画像和比对结果",
)
def verification_complete(request, verification_id: int):
    verification = selectors.verification_get(actor=request.user, id=verification_id)
    return VerificationOut.of(services.verification_complete(actor=request.user, request=verification))
