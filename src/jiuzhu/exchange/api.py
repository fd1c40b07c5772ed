"""Department systems push records: POST /api/v1/feeds/{source}/records with the source's own bearer token."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.security import HttpBearer

from jiuzhu.core.errors import NotFound
from jiuzhu.exchange import store
from jiuzhu.exchange.ingest import import_records
from jiuzhu.exchange.models import FeedBatch, SourceToken

REJECTIONS_SHOWN = 1000


class SourceTokenAuth(HttpBearer):
    """A push token belongs to one source; it is good for that source's URLs only."""

    def authenticate(self, request, token: str):
        found = SourceToken.objects.filter(token_hash=SourceToken.hash_token(token), is_active=True).first()
        source = (request.resolver_match.kwargs or {}).get("source") if request.resolver_match else None
        if found is None or found.source != source:
            return None
        SourceToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        return found


router = Router(tags=["exchange"], auth=SourceTokenAuth())


class PushIn(Schema):
    kind: str = Field(description="记录类型，如 pension、settlement")
    records: list[dict[str, Any]] = Field(description="记录：键为字段名（或表头名），值为文本或数字")
    idempotency_key: str = Field("", max_length=100, description="同一个键只处理一次；重发同一批数据不做改动")


class Rejection(Schema):
    row: int
    reason: str


class BatchOut(Schema):
    batch: str
    status: str
    duplicate: bool = False
    rows_in: int
    accepted: int
    rejected: int
    linked_id: int
    linked_match: int
    to_review: int
    unlinked: int
    error: str = ""
    rejections: list[Rejection] = []


def _out(batch: FeedBatch, *, duplicate: bool = False) -> dict:
    table = store.read_rejected(batch)
    shown = table.slice(0, REJECTIONS_SHOWN).to_pydict() if table.num_rows else {"_row": [], "_reason": []}
    return {
        "batch": str(batch.pk),
        "status": batch.status,
        "duplicate": duplicate,
        **{f: getattr(batch, f) for f in ("rows_in", "accepted", "rejected", "linked_id", "linked_match")},
        "to_review": batch.to_review,
        "unlinked": batch.unlinked,
        "error": batch.error,
        "rejections": [{"row": r, "reason": m} for r, m in zip(shown["_row"], shown["_reason"], strict=True)],
    }


@router.post("/{source}/records", response={200: BatchOut, 201: BatchOut})
def push_records(request, source: str, payload: PushIn):
    """Every record is accepted or rejected with a reason (rows counted from 1). 201 for new data; 200 with
    `duplicate: true` when the same data (or idempotency key) was received before — nothing changes then."""
    key = payload.idempotency_key or request.headers.get("Idempotency-Key", "")
    outcome = import_records(
        source=source, kind=payload.kind, records=payload.records, token=request.auth, idempotency_key=key
    )
    return (200 if outcome.duplicate else 201), _out(outcome.batch, duplicate=outcome.duplicate)


@router.get("/{source}/batches/{batch_id}", response=BatchOut)
def batch_status(request, source: str, batch_id: str):
    batch = FeedBatch.objects.filter(pk=batch_id, source=source).first() if _is_uuid(batch_id) else None
    if batch is None:
        raise NotFound
    return _out(batch)


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
