"""Reading what departments actually send: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), XLSX and legacy XLS.

`read_table` finds the header row among the first rows (title rows and blank lines above it are skipped), cleans the
header texts, resolves two-level (merged) headers, and returns every data cell as text — the caller validates and
converts in bulk. Nothing is fixed up silently: an ID number that Excel turned into a number stays
"1.10105194912310E+17", so the ID check refuses it and the clerk sees why.

Two-level headers. Given an upper row U and the row L below it, column j is named
    L[j]                      if is_known(L[j]),
    else span(U, j) + L[j]    if that is known (a merged "收入情况" over "工资性收入" → "收入情况工资性收入"),
    else L[j]                 if non-empty,
    else own(U, j)            (a cell merged down over both rows, e.g. "姓名" merged over B4:B5).
span(U, j) is U's text over column j: its own cell, else the merged range covering it (Excel), else the nearest
non-empty cell to its left (CSV, where merges come out as "收入情况,,"). own(U, j) is U's own cell, or in Excel a
merged range reaching down into L.
The header row H is the row among the first `max_scan` with most cells known (ties: the first). The row above H is used
as U for H when that recognises more columns or an Excel merged cell joins the two rows. H is used as U for the row
below it (which then holds sub-headers; data starts after it) when that recognises more columns, when an Excel merged
cell joins the two rows, or when the row below is blank under every recognised column of H and holds only text (no
numbers or dates: a data row would have an ID or a name there). When both qualify, the row below wins.
`header_row` is the lower of the two rows: the data starts right below it.

Rows. `_row` is the row number Excel or WPS shows for the file: title rows, blank lines and the header count; in a CSV
a quoted newline does not start a row. Rows after a broken CSV row (or a skipped blank one) keep their exact numbers.
Excel cells become text as Excel shows them: 1200.0 → "1200", dates → "2024-03-05", TRUE → "是"; a value merged down
over several data rows is repeated on each.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import functools
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import python_calamine as calamine

from jiuzhu.exchange.errors import ExchangeErrorCode, ReaderError

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
_CHUNK = 1 << 24  # bytes per step when checking or transcoding a text file
_HEAD = 1 << 16  # bytes of a text file first parsed to find the header (grown until enough rows are seen)
_BATCH = 65_536  # Excel rows converted at a time
_SCI = 1e15  # from here on Excel shows (and keeps) only 15 significant digits
_CELL_LIMIT = 32_767  # characters an Excel cell can hold
_NUMBERISH = re.compile(r"[\d\s.,:/+\-%eE]+")
_WS = re.compile(r"\s+")


@dataclasses.dataclass(frozen=True)
class RawTable:
    headers: list[str]  # one per column, cleaned by clean_header(); "" for a column without a header
    table: pa.Table  # "c0".."c{n-1}" (string, None for empty cells) + "_row" (int64): the row number Excel/WPS shows
    problems: pa.Table  # rows that could not be split into cells: "_row" int64, "raw" string, "reason" string
    encoding: str | None  # "UTF-8", "UTF-8（带BOM）", "GB18030", "UTF-16" for text files; None for Excel
    sheet: str | None
    header_row: int  # 1-based; for a two-level header the lower row (data starts right below)
    blank_rows: int  # fully empty data rows skipped


def clean_header(text: object) -> str:
    """Header text as compared with known names: NFKC-folded (full-width letters and parentheses become ASCII),
    without any whitespace (spaces, newlines, U+3000), without leading/trailing required-markers '*' / '＊'."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", text if isinstance(text, str) else str(text))
    return _WS.sub("", folded).strip("*")


def read_table(
    path: Path, *, is_known: Callable[[str], bool], sheet: str | None = None, max_scan: int = 30
) -> RawTable:
    """Read a department's file into text cells. Raises ReaderError for a file that cannot be read as a table."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES | EXCEL_SUFFIXES:
        raise ReaderError(ExchangeErrorCode.UNSUPPORTED_TYPE, suffix=suffix or "（无扩展名）")
    if path.stat().st_size == 0:
        raise ReaderError(ExchangeErrorCode.FILE_EMPTY)
    known = functools.lru_cache(maxsize=None)(lambda text: bool(text) and bool(is_known(text)))
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, known, max_scan)
    return _read_excel(path, known, sheet, max_scan)


# ---------------------------------------------------------------------------------------------------------------------
# Header detection (shared by text and Excel files)

Merge = tuple[int, int, int, int]  # first row, first column, last row, last column (0-based, inclusive)


@dataclasses.dataclass(frozen=True)
class _Layout:
    score: int  # recognised columns
    row: int  # 0-based index of the header row (the lower row of a two-level header)
    headers: list[str]


def _score(cells: Sequence[str], known) -> int:
    return sum(1 for c in cells if known(c))


def _layout(rows: list[list[str]], known, max_scan: int, merges: list[Merge] | None) -> _Layout | None:
    """The header of `rows` (cells as text, None-free, uncleaned), or None when no row has a known column.
    `merges` is None for a text file (spans are read from empty cells), else the sheet's merged ranges."""
    width = max((len(r) for r in rows), default=0)
    clean = [[clean_header(c) for c in r] + [""] * (width - len(r)) for r in rows]
    scores = [_score(r, known) for r in clean[:max_scan]]
    if not scores or max(scores) == 0:
        return None
    h = scores.index(max(scores))
    best = _Layout(scores[h], h, clean[h])
    options = []
    if h > 0:
        above = _combine(clean, h - 1, known, merges)
        if _score(above, known) > best.score or _joined(merges, h - 1):
            options.append(_Layout(_score(above, known), h, above))
    if h + 1 < len(clean) and any(clean[h + 1]):
        below = _combine(clean, h, known, merges)
        if (
            _score(below, known) > best.score
            or _joined(merges, h)
            or _sub_headers(clean[h], clean[h + 1], rows[h + 1], known)
        ):
            options.append(_Layout(_score(below, known), h + 1, below))
    # the row below wins ties: its sub-headers would otherwise be read as a data row
    return max(reversed(options), key=lambda o: o.score, default=best)


def _combine(clean: list[list[str]], upper: int, known, merges: list[Merge] | None) -> list[str]:
    """Column names of the two-level header made of rows `upper` and `upper + 1` (the rule in the module docstring)."""
    up, low = clean[upper], clean[upper + 1]
    own, span = list(up), list(up)
    if merges is None:
        for j in range(1, len(up)):
            span[j] = span[j] or span[j - 1]
    else:
        for r0, c0, r1, c1 in merges:
            if r0 <= upper <= r1:
                for j in range(c0, min(c1 + 1, len(up))):
                    span[j] = clean[r0][c0]
                    if r1 > upper:
                        own[j] = clean[r0][c0]
    names = []
    for j, child in enumerate(low):
        if known(child):
            names.append(child)
        elif child and span[j] and known(span[j] + child):
            names.append(span[j] + child)
        else:
            names.append(child or own[j])
    return names


def _joined(merges: list[Merge] | None, upper: int) -> bool:
    """An Excel merged cell covers both the row `upper` and the row below it (a data row is never merged so)."""
    return any(r0 <= upper < r1 for r0, _, r1, _ in merges or ())


def _sub_headers(header: list[str], clean_next: list[str], raw_next: list[str], known) -> bool:
    """The row below the header is blank under each recognised column and holds only text (no numbers, no dates)."""
    filled = [j for j, c in enumerate(clean_next) if c]
    return (
        bool(filled)
        and all(j >= len(header) or not known(header[j]) for j in filled)
        and not any(_NUMBERISH.fullmatch(raw_next[j]) for j in filled)
    )


# ---------------------------------------------------------------------------------------------------------------------
# Text files


def _read_csv(path: Path, known, max_scan: int) -> RawTable:
    """The header is found in the first records, parsed by Python's csv module (only they are); the data after it is
    parsed by Arrow. Fields are split at tabs when that recognises more header columns than commas do (a header line
    with tabs and no commas), else at commas."""
    with pa.memory_map(str(path)) as mapped:
        data = mapped.read_buffer()
    data, skip, encoding = _as_utf8(data)
    head = _HEAD
    while True:
        chunk = memoryview(data)[skip : skip + head]
        complete = skip + head >= len(data)
        text = codecs.getincrementaldecoder("utf-8")().decode(chunk, final=complete)
        choices = []
        if complete and not text.strip():
            raise ReaderError(ExchangeErrorCode.FILE_EMPTY)
        for delimiter in (",", "\t") if "\t" in text else (",",):
            records, ends = _records(text, delimiter, max_scan + 1, complete)
            choices.append((_layout(records, known, max_scan, None), delimiter, records, ends))
        if complete or len(choices[0][2]) > max_scan:
            break
        head *= 4
    choices = [c for c in choices if c[0]]
    if not choices:
        raise ReaderError(ExchangeErrorCode.HEADER_NOT_FOUND, max_scan=max_scan)
    layout, delimiter, records, ends = max(choices, key=lambda c: c[0].score)  # comma wins ties
    width = len(records[layout.row])
    headers = (layout.headers + [""] * width)[:width]
    offset = skip + len(text[: ends[layout.row]].encode("utf-8"))
    table, problems, spaces = _parse_csv(data.slice(offset), width, delimiter, layout.row + 1)
    _check_cell_sizes(table, width)
    raw = _finish(headers, table, problems, encoding=encoding, sheet=None, header_row=layout.row + 1)
    return dataclasses.replace(raw, blank_rows=raw.blank_rows + spaces) if spaces else raw


def _as_utf8(data: pa.Buffer) -> tuple[pa.Buffer, int, str]:
    """(UTF-8 bytes, bytes to skip at the start, the file's encoding as shown to a clerk).

    UTF-8 is checked strictly over the whole file, in chunks (an incremental decoder carries a character cut at a chunk
    border over to the next); a file that is not UTF-8 is decoded as GB18030 (a superset of GBK and GB2312) into UTF-8.
    """
    view = memoryview(data)
    start = bytes(view[:3])
    if start == codecs.BOM_UTF8:
        if _decodes(view[3:], "utf-8"):
            return data, 3, "UTF-8（带BOM）"
        raise ReaderError(ExchangeErrorCode.ENCODING_UNKNOWN)
    if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):  # Excel's "Unicode 文本"
        transcoded = _transcode(view, "utf-16")
        if transcoded is None:
            raise ReaderError(ExchangeErrorCode.ENCODING_UNKNOWN)
        return transcoded, 0, "UTF-16"
    if _decodes(view, "utf-8"):
        return data, 0, "UTF-8"
    transcoded = _transcode(view, "gb18030")
    if transcoded is None:
        raise ReaderError(ExchangeErrorCode.ENCODING_UNKNOWN)
    return transcoded, 0, "GB18030"


def _decodes(view: memoryview, codec: str) -> bool:
    decoder = codecs.getincrementaldecoder(codec)("strict")
    try:
        for i in range(0, len(view), _CHUNK):
            decoder.decode(view[i : i + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _transcode(view: memoryview, codec: str) -> pa.Buffer | None:
    decoder = codecs.getincrementaldecoder(codec)("strict")
    parts = []
    try:
        for i in range(0, len(view), _CHUNK):
            parts.append(decoder.decode(view[i : i + _CHUNK]).encode("utf-8"))
        parts.append(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError:
        return None
    return pa.py_buffer(b"".join(parts))


def _records(text: str, delimiter: str, limit: int, complete: bool) -> tuple[list[list[str]], list[int]]:
    """The first `limit` records of `text` (quoted commas and newlines allowed, as Excel writes them) and the character
    offset where each ends. A record that may be cut off at the end of an incomplete `text` is left out."""
    ends: list[int] = []
    position = 0

    def lines() -> Iterable[str]:
        nonlocal position
        for line in io.StringIO(text, newline=""):
            position += len(line)
            yield line

    records: list[list[str]] = []
    try:
        for record in csv.reader(lines(), delimiter=delimiter):
            records.append(record)
            ends.append(position)
            if len(records) >= limit:
                break
    except csv.Error:
        pass
    if not complete and records and ends[-1] >= len(text):
        records.pop()
        ends.pop()
    return records, ends


def _parse_csv(data: pa.Buffer, width: int, delimiter: str, header_row: int) -> tuple[pa.Table, pa.Table, int]:
    """Parse the data rows with Arrow (all text): (rows, rows with the wrong number of fields, lines of mere spaces).

    Row numbers count records, not lines (a quoted newline does not start a new row), as Excel/WPS show them. Arrow
    numbers a broken row only when it parses on one thread, so a file with broken rows is parsed again on one thread:
    the numbers of broken rows and of the rows after them are then exact.
    """
    names = [f"c{i}" for i in range(width)]
    convert = pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True, null_values=[""]
    )
    if len(data) == 0:
        return _with_rows(_empty(names), np.arange(0)), _problems([], [], []), 0

    def parse(threads: bool) -> tuple[pa.Table, list[pacsv.InvalidRow]]:
        invalid: list[pacsv.InvalidRow] = []

        def keep(row: pacsv.InvalidRow) -> str:
            invalid.append(row)
            return "skip"

        try:
            table = pacsv.read_csv(
                pa.BufferReader(data),
                read_options=pacsv.ReadOptions(use_threads=threads, column_names=names),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=keep
                ),
                convert_options=convert,
            )
        except pa.ArrowInvalid as exc:
            raise ReaderError(ExchangeErrorCode.CSV_UNREADABLE) from exc
        return table, invalid

    table, invalid = parse(threads=True)
    if not invalid:
        return _with_rows(table, np.arange(header_row + 1, header_row + 1 + table.num_rows)), _problems([], [], []), 0
    table, invalid = parse(threads=False)  # numbers the broken rows
    invalid.sort(key=lambda r: r.number)
    broken = np.array([r.number - 1 for r in invalid], dtype=np.int64)  # 0-based record index in the data
    kept = np.arange(table.num_rows, dtype=np.int64)
    kept += np.searchsorted(broken - np.arange(len(broken)), kept, side="right")
    broken_rows = [r for r in invalid if r.text.strip()]  # a line of mere spaces is a blank row, not an error
    problems = _problems(
        [header_row + r.number for r in broken_rows],
        [r.text for r in broken_rows],
        [f"该行有 {r.actual_columns} 列，表头有 {r.expected_columns} 列" for r in broken_rows],
    )
    return _with_rows(table, header_row + 1 + kept), problems, len(invalid) - len(broken_rows)


def _check_cell_sizes(table: pa.Table, width: int) -> None:
    """A cell longer than Excel allows does not come from a spreadsheet: a field opened with a quote that is never
    closed has swallowed the rows after it. Refuse the file rather than lose those rows silently. (A quote left open
    near the end of the file swallows less and goes unnoticed here; the caller's checks then refuse that one row.)"""
    for i in range(width):
        column = table.column(i)
        if (pc.max(pc.binary_length(column)).as_py() or 0) > _CELL_LIMIT:
            too_long = pc.fill_null(pc.greater(pc.utf8_length(column), _CELL_LIMIT), False)
            if pc.any(too_long).as_py():
                row = table.column("_row").filter(too_long)[0].as_py()
                raise ReaderError(ExchangeErrorCode.QUOTE_UNBALANCED, row=row)


# ---------------------------------------------------------------------------------------------------------------------
# Excel files


def _read_excel(path: Path, known, sheet: str | None, max_scan: int) -> RawTable:
    with open(path, "rb") as f:
        magic = f.read(8)
    if not (magic.startswith(b"PK\x03\x04") or magic.startswith(b"\xd0\xcf\x11\xe0")):
        raise ReaderError(ExchangeErrorCode.NOT_EXCEL, suffix=path.suffix.lower())
    try:
        with open(path, "rb") as f:
            book = calamine.CalamineWorkbook.from_filelike(f)
        return _read_book(book, known, sheet, max_scan)
    except calamine.PasswordError as exc:
        raise ReaderError(ExchangeErrorCode.FILE_ENCRYPTED) from exc
    except calamine.CalamineError as exc:
        raise ReaderError(ExchangeErrorCode.FILE_DAMAGED) from exc


def _read_book(book: calamine.CalamineWorkbook, known, sheet: str | None, max_scan: int) -> RawTable:
    """The named sheet, else the one whose header recognises most columns (ties: the first). Hidden sheets (often code
    tables) are looked at only when no visible sheet has a header."""
    if sheet is not None:
        if sheet not in book.sheet_names:
            raise ReaderError(ExchangeErrorCode.SHEET_NOT_FOUND, sheet=sheet, available="、".join(book.sheet_names))
        groups = [[sheet]]
    else:
        sheets = [m for m in book.sheets_metadata if m.typ == calamine.SheetTypeEnum.WorkSheet]
        shown = calamine.SheetVisibleEnum.Visible
        groups = [[m.name for m in sheets if m.visible == shown], [m.name for m in sheets if m.visible != shown]]
    best = None
    seen_cells = False
    for names in groups:
        for name in names:
            ws = book.get_sheet_by_name(name)
            if ws.start is None:
                continue
            seen_cells = True
            left = ws.start[1]
            head = [[_cell(v) or "" for v in r[left:]] for r in ws.to_python(skip_empty_area=False, nrows=max_scan + 1)]
            merges = [(r0, max(c0 - left, 0), r1, c1 - left) for (r0, c0), (r1, c1) in ws.merged_cell_ranges or ()]
            merges = [m for m in merges if m[3] >= 0]
            layout = _layout(head, known, max_scan, merges)
            if layout and (best is None or layout.score > best[0].score):
                best = (layout, ws, merges)
        if best:
            break
    if best is None:
        if not seen_cells:
            raise ReaderError(ExchangeErrorCode.FILE_EMPTY)
        raise ReaderError(ExchangeErrorCode.HEADER_NOT_FOUND, max_scan=max_scan)
    layout, ws, merges = best
    width = ws.end[1] - ws.start[1] + 1
    headers = (layout.headers + [""] * width)[:width]
    table = _sheet_rows(ws, layout.row + 1, width, merges)
    return _finish(headers, table, _problems([], [], []), encoding=None, sheet=ws.name, header_row=layout.row + 1)


def _sheet_rows(ws: calamine.CalamineSheet, first: int, width: int, merges: list[Merge]) -> pa.Table:
    """Rows from the 0-based sheet row `first` on, as text. A value merged down over several data rows is repeated on
    each of them (the clerk reads it so); merges across columns are not spread."""
    blocks = [(r0, c0, r1) for r0, c0, r1, _ in merges if r0 >= first and r1 > r0 and c0 < width]
    tops: dict[tuple[int, int], object] = {}
    rows = itertools.islice(ws.iter_rows(), first, None)  # iter_rows starts at sheet row 0, at the first used column
    names = [f"c{i}" for i in range(width)]
    batches = []
    r = first
    # a batch is flattened row after row; column j is then cells[j::width] (much faster than zip(*rows))
    while cells := list(itertools.chain.from_iterable(itertools.islice(rows, _BATCH))):
        n = len(cells) // width
        for r0, c0, r1 in blocks:
            if r <= r0 < r + n:
                tops[(r0, c0)] = cells[(r0 - r) * width + c0]
            for row in range(max(r0 + 1, r), min(r1 + 1, r + n)):
                if cells[(row - r) * width + c0] == "":
                    cells[(row - r) * width + c0] = tops.get((r0, c0), "")
        table = pa.table({name: _text_column(cells[j::width]) for j, name in enumerate(names)})
        batches.append(_with_rows(table, np.arange(r + 1, r + 1 + n)))
        r += n
    if not batches:
        return _with_rows(_empty(names), np.arange(0))
    return pa.concat_tables(batches)


def _text_column(values: Sequence) -> pa.Array:
    """Excel cell values as text, as `_cell` gives it. Numbers, dates and texts are converted in bulk by Arrow, each
    kind on its own (a column mixes them: amounts with blank cells, IDs with some that Excel made numbers)."""
    kinds = set(map(type, values))
    parts = []
    for kind in kinds:
        same = values if len(kinds) == 1 else [v if type(v) is kind else None for v in values]
        if kind is str:
            array = pa.array(same, pa.string())
            blank = pc.equal(pc.utf8_trim_whitespace(array), "")
            parts.append(pc.if_else(blank, pa.scalar(None, pa.string()), array) if blank.true_count else array)
        elif kind is float:
            parts.append(_number_column(pa.array(same, pa.float64())))
        elif kind is dt.date:
            parts.append(pa.array(same, pa.date32()).cast(pa.string()))
        elif kind is int:  # legacy .xls keeps small whole numbers as integers
            parts.append(_number_column(pa.array(same, pa.int64()).cast(pa.float64())))
        else:  # datetimes, times, booleans: rarer, one by one
            parts.append(pa.array([None if v is None else _cell(v) for v in same], pa.string()))
    return parts[0] if len(parts) == 1 else pc.coalesce(*parts)


def _number_column(numbers: pa.Array) -> pa.Array:
    """`_number` over a float64 array, in bulk (the same texts): whole numbers below 1e15 as integers, other numbers
    below 1e15 in the shortest form that reads back the same ("1200.5"), larger ones as Excel shows them."""
    size = pc.abs(numbers)
    whole = pc.and_(pc.equal(pc.floor(numbers), numbers), pc.less(size, _SCI))
    text = pc.if_else(
        whole, pc.cast(pc.if_else(whole, numbers, 0.0), pa.int64()).cast(pa.string()), numbers.cast(pa.string())
    )
    # where Arrow's shortest form is not Python's (an exponent in "2.050014949305946e+10", none in "0.00001"), and
    # from 1e15 on, the numbers are written one by one
    tiny = pc.and_(pc.less(size, 1e-4), pc.greater(size, 0.0))
    odd = pc.or_(pc.or_(pc.greater_equal(size, _SCI), tiny), pc.match_substring(text, "e"))
    if odd.true_count:
        fixed = [_number(v) if o else None for v, o in zip(numbers.to_pylist(), odd.to_pylist(), strict=True)]
        text = pc.if_else(odd, pa.array(fixed, pa.string()), text)
    return text


def _cell(value) -> str | None:
    """One Excel cell as the text a clerk sees (numbers without a spurious ".0"; dates in ISO form)."""
    kind = type(value)
    if kind is str:
        return value if value.strip() else None
    if kind is float or kind is int:
        return _number(value)
    if kind is bool:
        return "是" if value else "否"
    if kind is dt.datetime:
        if value.microsecond >= 500_000:
            value += dt.timedelta(microseconds=1_000_000 - value.microsecond)
        if value.hour == value.minute == value.second == 0:
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if kind is dt.date:
        return value.isoformat()
    if kind is dt.time:
        return value.isoformat(timespec="seconds")
    return None if value is None else str(value)


def _number(value: float) -> str:
    """1200.0 → "1200", 1200.5 → "1200.5"; from 1e15 on the scientific form Excel shows, with its 15 significant
    digits ("1.10105194912310E+17"): an ID number stored as a number has lost its last digits and must look so."""
    if abs(value) >= _SCI:
        return f"{float(value):.14E}"
    if type(value) is int:
        return str(value)
    return str(int(value)) if value.is_integer() else repr(value)


# ---------------------------------------------------------------------------------------------------------------------
# Assembling the result


def _empty(names: list[str]) -> pa.Table:
    return pa.table({n: pa.array([], pa.string()) for n in names})


def _with_rows(table: pa.Table, rows: np.ndarray) -> pa.Table:
    return table.append_column("_row", pa.array(rows, pa.int64()))


def _problems(rows: list[int], texts: list[str], reasons: list[str]) -> pa.Table:
    return pa.table(
        {
            "_row": pa.array(rows, pa.int64()),
            "raw": pa.array(texts, pa.string()),
            "reason": pa.array(reasons, pa.string()),
        }
    )


def _finish(
    headers: list[str], table: pa.Table, problems: pa.Table, *, encoding: str | None, sheet: str | None, header_row: int
) -> RawTable:
    """Drop trailing columns without a header or data, then rows without any data."""
    width = len(headers)
    while width and not headers[width - 1] and table.column(f"c{width - 1}").null_count == table.num_rows:
        width -= 1
    table = table.select([f"c{i}" for i in range(width)] + ["_row"])
    blank_rows = 0
    if table.num_rows:
        if width:
            blank = functools.reduce(pc.and_, (pc.is_null(table.column(i)) for i in range(width)))
            blank_rows = pc.sum(blank).as_py() or 0
            if blank_rows:
                table = table.filter(pc.invert(blank))
        else:
            blank_rows, table = table.num_rows, table.slice(0, 0)
    return RawTable(
        headers=headers[:width],
        table=table,
        problems=problems,
        encoding=encoding,
        sheet=sheet,
        header_row=header_row,
        blank_rows=blank_rows,
    )
