"""工单 over HTTP: the list and one order (scoped exactly like the pages), feedback and closing."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema

from jiuzhu.workorders import selectors, services
from jiuzhu.workorders.schemas import CloseIn, ErrorOut, FeedbackIn, WorkOrderOut

router = Router(tags=["工单"])


class ListFilters(Schema):
    status: str = Field("", description="open 待接收、in_progress 办理中、closed 已办结、active 未办结")
    kind: str = Field("", description="工单类型，如 grid_lead")
    overdue: bool = Field(False, description="只看超期未办结")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class WorkOrderPage(Schema):
    count: int
    items: list[WorkOrderOut]


@router.get("", response=WorkOrderPage, summary="工单列表（按调用者的管辖范围，新派的在前）")
def work_order_list(request, filters: Query[ListFilters]):
    qs = selectors.work_order_list(
        actor=request.user, status=filters.status, kind=filters.kind, overdue=filters.overdue
    )
    items = qs[filters.offset : filters.offset + filters.limit]
    return WorkOrderPage(count=qs.count(), items=[WorkOrderOut.of(o) for o in items])


@router.get("/{work_order_id}", response=WorkOrderOut, summary="单条工单，含办理记录")
def work_order_detail(request, work_order_id: int):
    order = selectors.work_order_get(actor=request.user, id=work_order_id)
    return WorkOrderOut.of(order, with_actions=True)


@router.post(
    "/{work_order_id}/feedback",
    response={200: WorkOrderOut, 400: ErrorOut, 403: ErrorOut},
    summary="反馈办理进展（照片请在网页上传）",
)
def work_order_feedback(request, work_order_id: int, payload: FeedbackIn):
    order = selectors.work_order_get(actor=request.user, id=work_order_id)
    services.work_order_feedback(actor=request.user, work_order=order, note=payload.note)
    return WorkOrderOut.of(selectors.work_order_get(actor=request.user, id=order.pk), with_actions=True)


@router.post(
    "/{work_order_id}/close",
    response={200: WorkOrderOut, 400: ErrorOut, 403: ErrorOut},
    summary="办结（须填写办理结果）",
)
def work_order_close(request, work_order_id: int, payload: CloseIn):
    order = selectors.work_order_get(actor=request.user, id=work_order_id)
    services.work_order_close(actor=request.user, work_order=order, feedback=payload.feedback)
    return WorkOrderOut.of(selectors.work_order_get(actor=request.user, id=order.pk), with_actions=True)
