"""Background work of the exchange (huey): processing an uploaded file, and the watched folder."""

from __future__ import annotations

import contextlib
import logging
import shutil
from pathlib import Path

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from jiuzhu.exchange import store
from jiuzhu.exchange.errors import ExchangeError
from jiuzhu.exchange.ingest import import_file, process_file
from jiuzhu.exchange.models import FeedBatch
from jiuzhu.exchange.sources import all_sources

log = logging.getLogger(__name__)
FILE_TYPES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls"}


@db_task()
def process_upload(batch_id: str, path: str, kind: str, sheet: str, actor_id: int | None) -> None:
    from jiuzhu.org.models import Staff

    batch = FeedBatch.objects.get(pk=batch_id)
    actor = Staff.objects.filter(pk=actor_id).first() if actor_id else None
    with contextlib.suppress(ExchangeError):  # a refused file: the batch carries the reason, its page shows it
        process_file(batch, Path(path), kind=kind or None, sheet=sheet or None, actor=actor)


def scan_inbox(inbox: Path | None = None) -> list[tuple[Path, str]]:
    """Import every file waiting in inbox/<source>/; move each to done/ (with its rejected rows as .xlsx beside it)
    or, if refused as a whole, to failed/ with the reason in a .txt. Returns (file, outcome) pairs."""
    inbox = Path(inbox or settings.JIUZHU_FEED_INBOX)
    results = []
    for code in all_sources():
        folder = inbox / code
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FILE_TYPES):
            results.append((path, _import_waiting(code, path, folder)))
    return results


def _import_waiting(code: str, path: Path, folder: Path) -> str:
    try:
        outcome = import_file(source=code, path=path, channel=FeedBatch.Channel.FOLDER)
    except ExchangeError as exc:
        (folder / "failed").mkdir(exist_ok=True)
        shutil.move(path, folder / "failed" / path.name)
        (folder / "failed" / f"{path.name}.退回原因.txt").write_text(exc.message + "\n", encoding="utf-8")
        return f"退回：{exc.message}"
    batch = outcome.batch
    (folder / "done").mkdir(exist_ok=True)
    shutil.move(path, folder / "done" / path.name)
    if batch.rejected:
        store.rejected_workbook(batch, folder / "done" / f"{path.stem}.退回数据.xlsx")
    if outcome.duplicate:
        return f"此前已导入（批次 {batch.pk}），未做改动"
    return f"收到 {batch.rows_in} 行：接收 {batch.accepted}，退回 {batch.rejected}"


@db_periodic_task(crontab(minute="*"))
def watch_inbox() -> None:
    for path, result in scan_inbox():
        log.info("inbox %s: %s", path.name, result)
