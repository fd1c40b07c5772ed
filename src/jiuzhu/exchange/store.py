"""The columnar store of received batches: immutable Parquet, one file of accepted and one of rejected rows a batch.

Files are written next to their final name and renamed into place, so a crash never leaves half a file under the
final name; once in place they are read-only. Rejected rows download as Excel in the department's own columns plus
the row number and the reason, so the department can fix them and send the file again.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Font


def batch_dir(source: str, kind: str) -> Path:
    return Path(settings.JIUZHU_FEED_STORE) / source / kind


def accepted_path(batch) -> Path:
    return batch_dir(batch.source, batch.kind) / f"{batch.pk}.parquet"


def rejected_path(batch) -> Path:
    return batch_dir(batch.source, batch.kind) / f"{batch.pk}.rejected.parquet"


def write_immutable(table: pa.Table, path: Path, metadata: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():  # a rerun after a crash between writing and committing: the same content again
        path.chmod(0o644)
    tmp = path.with_suffix(path.suffix + ".tmp")
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    pq.write_table(table, tmp, compression="zstd")
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)
    path.chmod(0o444)


def read_rejected(batch) -> pa.Table:
    path = rejected_path(batch)
    return pq.read_table(path) if path.exists() else pa.table({"_row": pa.array([], pa.int64())})


def rejected_workbook(batch, out) -> None:
    """Write the rejected rows of `batch` to `out` (a path or a binary file) as .xlsx."""
    table = read_rejected(batch)
    headers = batch.columns.get("_headers", [])
    raw_cols = [n for n in table.column_names if n.startswith("c") and n[1:].isdigit()]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("退回数据")
    bold = Font(bold=True)
    titles = [headers[int(n[1:])] if int(n[1:]) < len(headers) else "" for n in raw_cols] + ["原行号", "退回原因"]
    ws.append([_bold_cell(ws, t, bold) for t in titles])
    data = table.to_pydict()
    for i in range(table.num_rows):
        ws.append([data[n][i] for n in raw_cols] + [data["_row"][i], data["_reason"][i]])
    wb.save(out)


def _bold_cell(ws, value, font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.font = font
    return cell
