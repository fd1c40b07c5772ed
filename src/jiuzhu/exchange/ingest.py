"""Receiving a department's batch: read, validate, store, link, derive — all or nothing.

A batch is opened (its receipt committed on its own), its rows are checked in DuckDB and written to the columnar store,
then everything it changes in the registry is written in ONE transaction together with its counts and status. A crash
anywhere before that commit leaves the batch "receiving" with nothing derived; sending the same data again finds the
batch by its content and completes it. Data already received (same content, or same idempotency key) changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.audit import services as audit
from jiuzhu.exchange import derive, link, store
from jiuzhu.exchange.errors import ExchangeError, ExchangeErrorCode
from jiuzhu.exchange.models import FeedBatch, SourceToken
from jiuzhu.exchange.readers import RawTable, read_table
from jiuzhu.exchange.sources import SourceSpec, get_source
from jiuzhu.exchange.validate import detect_kind, known_header, map_columns, validate
from jiuzhu.monitoring.alerts import alerts_for_batch
from jiuzhu.org.models import Department, OrgUnit
from jiuzhu.org.services import department_create
from jiuzhu.policy.localities import today

Progress = Callable[[str, int], None]
PUSH_LIMIT = 50_000


@dataclass
class Outcome:
    batch: FeedBatch
    duplicate: bool  # the same data had been received before: nothing changed


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _department(spec: SourceSpec) -> Department:
    """The source's department, registered under the top unit the first time it sends data."""
    found = Department.objects.filter(code=spec.department.code).first()
    if found:
        return found
    top = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    if top is None:
        raise ExchangeError(ExchangeErrorCode.NO_ORGANISATION)
    return department_create(actor=None, code=spec.department.code, name=spec.department.name, district=top)


def _open(
    *,
    spec: SourceSpec,
    content_hash: str,
    channel: str,
    filename: str = "",
    kind: str = "",
    idempotency_key: str = "",
    actor=None,
    token: SourceToken | None = None,
) -> Outcome:
    """Find the batch this content already made, or open a new one. Its receipt commits on its own."""
    with transaction.atomic():
        if idempotency_key:
            keyed = FeedBatch.objects.filter(source=spec.code, idempotency_key=idempotency_key).first()
            if keyed and keyed.content_hash != content_hash:
                raise ExchangeError(ExchangeErrorCode.IDEMPOTENCY_CONFLICT, key=idempotency_key)
        existing = FeedBatch.objects.select_for_update().filter(source=spec.code, content_hash=content_hash).first()
        if existing and existing.status == FeedBatch.Status.COMMITTED:
            return Outcome(existing, duplicate=True)
        if existing:  # cut off or refused before: start it over
            existing.status, existing.stage, existing.progress, existing.error = FeedBatch.Status.RECEIVING, "", 0, ""
            existing.save(update_fields=["status", "stage", "progress", "error"])
            return Outcome(existing, duplicate=False)
        try:
            with transaction.atomic():
                batch = FeedBatch.objects.create(
                    source=spec.code,
                    kind=kind,
                    department=_department(spec),
                    channel=channel,
                    filename=filename[:255],
                    content_hash=content_hash,
                    idempotency_key=idempotency_key,
                    submitted_by=actor if actor is not None and actor.pk else None,
                    token=token,
                )
        except IntegrityError:  # the same data arrived at the same moment through another door
            return Outcome(FeedBatch.objects.get(source=spec.code, content_hash=content_hash), duplicate=True)
    return Outcome(batch, duplicate=False)


def _crash_point(name: str) -> None:
    """Fault injection for the crash-recovery test: JIUZHU_CRASH_AT=<name> kills this process here, as kill -9 would."""
    if os.environ.get("JIUZHU_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _stage(batch: FeedBatch, stage: str, pct: int, progress: Progress | None) -> None:
    FeedBatch.objects.filter(pk=batch.pk).update(stage=stage, progress=pct)
    if progress:
        progress(stage, pct)


def _fail(batch: FeedBatch, error: ExchangeError) -> None:
    FeedBatch.objects.filter(pk=batch.pk).update(
        status=FeedBatch.Status.FAILED, error=error.message, finished_at=timezone.now(), stage="", progress=0
    )


def open_file(*, source: str, path: Path, channel: str, actor=None, filename: str = "") -> Outcome:
    """Receive a file: find the batch its content made before, or open one (committed at once, so a page can show
    its progress while `process_file` runs in the background)."""
    spec = get_source(source)
    return _open(spec=spec, content_hash=file_hash(path), channel=channel, filename=filename or path.name, actor=actor)


def process_file(
    batch: FeedBatch, path: Path, *, kind: str | None = None, sheet: str | None = None, actor=None, progress=None
) -> FeedBatch:
    spec = get_source(batch.source)
    _stage(batch, "读取文件", 5, progress)
    try:
        raw = read_table(path, is_known=known_header(spec), sheet=sheet)
        kind_spec = detect_kind(spec, raw.headers, kind)
    except ExchangeError as exc:
        _fail(batch, exc)
        raise
    batch.kind = kind_spec.code
    return _process(batch, spec, raw, progress=progress, actor=actor)


def import_file(
    *,
    source: str,
    path: Path,
    kind: str | None = None,
    sheet: str | None = None,
    channel: str = FeedBatch.Channel.CLI,
    actor=None,
    filename: str = "",
    progress: Progress | None = None,
) -> Outcome:
    """Import one department file (CSV in UTF-8/GBK/GB18030, XLSX, XLS). Raises ExchangeError for a refused file."""
    outcome = open_file(source=source, path=path, channel=channel, actor=actor, filename=filename)
    if outcome.duplicate:
        return outcome
    batch = process_file(outcome.batch, path, kind=kind, sheet=sheet, actor=actor, progress=progress)
    return Outcome(batch, duplicate=False)


def _cell(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def import_records(
    *, source: str, kind: str, records: list[dict], token: SourceToken, idempotency_key: str = ""
) -> Outcome:
    """A JSON push: records keyed by field name (or by any of the field's header synonyms)."""
    spec = get_source(source)
    kind_spec = spec.kind(kind)
    if len(records) > PUSH_LIMIT:
        raise ExchangeError(ExchangeErrorCode.BATCH_TOO_LARGE, limit=PUSH_LIMIT, count=len(records))
    canonical = json.dumps([kind, records], ensure_ascii=False, sort_keys=True, default=str)
    outcome = _open(
        spec=spec,
        content_hash=hashlib.sha256(canonical.encode()).hexdigest(),
        channel=FeedBatch.Channel.PUSH,
        kind=kind,
        filename=f"推送 {idempotency_key}" if idempotency_key else "推送",
        idempotency_key=idempotency_key,
        token=token,
    )
    if outcome.duplicate:
        return outcome
    headers = list(dict.fromkeys(k for r in records for k in r))
    aliases = {name: spec.headers[0] for name, spec in kind_spec.fields.items()}
    columns = {f"c{i}": [_cell(r.get(h)) for r in records] for i, h in enumerate(headers)}
    table = pa.table({**columns, "_row": pa.array(range(1, len(records) + 1), pa.int64())})
    raw = RawTable(
        headers=[aliases.get(h, h) for h in headers],
        table=table,
        problems=_no_problems(),
        encoding=None,
        sheet=None,
        header_row=0,
        blank_rows=0,
    )
    outcome.batch.kind = kind
    return Outcome(_process(outcome.batch, spec, raw, progress=None, actor=None), duplicate=False)


def _no_problems() -> pa.Table:
    return pa.table(
        {"_row": pa.array([], pa.int64()), "raw": pa.array([], pa.string()), "reason": pa.array([], pa.string())}
    )


def _process(batch: FeedBatch, spec: SourceSpec, raw: RawTable, *, progress: Progress | None, actor) -> FeedBatch:
    kind = spec.kind(batch.kind)
    try:
        columns = map_columns(kind, raw.headers)
    except ExchangeError as exc:
        _fail(batch, exc)
        raise
    _stage(batch, "逐行校验", 20, progress)
    con = duckdb.connect()
    try:
        accepted, rejected = validate(con, source=spec, kind=kind, raw=raw.table, columns=columns, as_of=today())
    finally:
        con.close()
    rejected = _with_reader_problems(rejected, raw.problems)
    meta = {"source": spec.code, "kind": kind.code, "batch": str(batch.pk)}
    _stage(batch, "写入数据仓", 50, progress)
    store.write_immutable(accepted, store.accepted_path(batch), meta)
    store.write_immutable(rejected, store.rejected_path(batch), meta)
    _crash_point("stored")
    _stage(batch, "关联人员", 65, progress)
    links = link.link_rows(kind, accepted)
    _stage(batch, "更新档案", 85, progress)
    with transaction.atomic():
        batch = FeedBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == FeedBatch.Status.COMMITTED:  # finished meanwhile by a concurrent rerun
            return batch
        counts = derive.derive_all(batch=batch, source=spec, kind=kind, accepted=accepted, links=links)
        alerts_for_batch(batch)  # in the same transaction: an event is never stored without its alert
        _crash_point("derived")
        batch.kind = kind.code
        batch.encoding = raw.encoding or ""
        batch.sheet = raw.sheet or ""
        batch.header_row = raw.header_row or None
        batch.columns = {"_headers": raw.headers, **{c.header: c.field for c in columns}}
        batch.rows_in = accepted.num_rows + rejected.num_rows
        batch.accepted, batch.rejected, batch.blank_rows = accepted.num_rows, rejected.num_rows, raw.blank_rows
        batch.linked_id, batch.linked_match = links.by_id, links.by_match
        batch.to_review, batch.unlinked = links.to_review, links.unlinked
        batch.derived_new, batch.derived_changed, batch.derived_same = counts
        batch.status, batch.stage, batch.progress = FeedBatch.Status.COMMITTED, "完成", 100
        batch.finished_at = timezone.now()
        batch.save()
        audit.record(
            actor=actor,
            action="feed_batch.commit",
            obj=batch,
            changes={"rows_in": batch.rows_in, "accepted": batch.accepted, "rejected": batch.rejected},
        )
    if progress:
        progress("完成", 100)
    return batch


def _with_reader_problems(rejected: pa.Table, problems: pa.Table) -> pa.Table:
    """Rows the reader could not split into cells are rejected too, with their text in the first column."""
    if problems.num_rows == 0:
        return rejected
    cols = {n: pa.nulls(problems.num_rows, pa.string()) for n in rejected.column_names if n not in ("_row", "_reason")}
    if cols:
        first = next(iter(cols))
        cols[first] = problems["raw"]
    extra = pa.table({"_row": problems["_row"], **cols, "_reason": problems["reason"]}).select(rejected.column_names)
    return pa.concat_tables([rejected, extra.cast(rejected.schema)]).sort_by("_row")
