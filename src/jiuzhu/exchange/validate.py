"""From raw cells to typed records: every row accepted or rejected with a reason a clerk can read.

The rules are DuckDB macros (exchange/normalise.py, held equal to the Python parsers by tests), so a million rows are
checked in one vectorised query. Header matching maps each column of the file to a field of the source's record kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import duckdb
import pyarrow as pa

from jiuzhu.exchange import normalise
from jiuzhu.exchange.errors import ExchangeError, ExchangeErrorCode
from jiuzhu.exchange.linkage import fold_name
from jiuzhu.exchange.readers import clean_header
from jiuzhu.exchange.sources import FieldSpec, KindSpec, SourceSpec

_UNIT_SUFFIX = re.compile(r"^(.*?)\((元|万元)\)$")


@dataclass(frozen=True)
class Column:
    index: int  # position in the raw table (c{index})
    header: str
    field: str
    unit: str  # an amount column's unit: the header's "(万元)" wins over the source's default


@lru_cache(maxsize=4096)
def _header_text(header: str) -> str:
    """A header as matched: cleaned, and in simplified characters (some systems export 金額 for 金额)."""
    return fold_name(clean_header(header))


def match_header(kind: KindSpec, header: str) -> tuple[str, str | None] | None:
    """(field, unit from the header) for a header text, or None if the kind does not know it."""
    index = kind.header_index()
    text = _header_text(header)
    if text in index:
        return index[text], None
    if (m := _UNIT_SUFFIX.match(text)) and m[1] in index:
        return index[m[1]], m[2]
    return None


def known_header(source: SourceSpec):
    """A predicate for the file reader: is this cleaned header text a column of any kind of the source?"""

    def is_known(text: str) -> bool:
        return any(match_header(kind, text) for kind in source.kinds.values())

    return is_known


def detect_kind(source: SourceSpec, headers: list[str], kind: str | None) -> KindSpec:
    """The record kind named by the caller, or the one whose required columns are all present (most matches wins)."""
    if kind:
        return source.kind(kind)
    scored = []
    for spec in source.kinds.values():
        fields = {m[0] for h in headers if (m := match_header(spec, h))}
        if set(spec.required_fields) <= fields:
            scored.append((len(fields), spec))
    if len(scored) == 1 or (scored and sorted(s for s, _ in scored)[-1] > sorted(s for s, _ in scored)[-2]):
        return max(scored, key=lambda s: s[0])[1]
    raise ExchangeError(
        ExchangeErrorCode.KIND_UNDETECTED, known="、".join(f"{k}（{v.label}）" for k, v in source.kinds.items())
    )


def map_columns(kind: KindSpec, headers: list[str]) -> list[Column]:
    """The file's columns that feed fields (the first column wins when two mean the same field)."""
    columns: dict[str, Column] = {}
    for i, header in enumerate(headers):
        if (m := match_header(kind, header)) and m[0] not in columns:
            field, unit = m
            columns[field] = Column(i, header, field, unit or kind.fields[field].unit)
    missing = [f for f in kind.required_fields if f not in columns]
    if missing:
        described = "；".join(
            f"{kind.fields[f].label or f}（可用列名：{'、'.join(kind.fields[f].headers)}）" for f in missing
        )
        raise ExchangeError(ExchangeErrorCode.MISSING_COLUMNS, columns=described)
    return list(columns.values())


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _field_sql(spec: FieldSpec, col: str, unit: str, as_of: str) -> tuple[str, str | None]:
    """(value SQL, error SQL or None) for one field of the raw column `col`."""
    t = spec.type
    if t == "id_number":
        return f"jz_id_value({col}, {as_of})", f"jz_id_error({col}, {as_of})"
    if t in ("date", "month", "int", "phone", "sex"):
        return f"jz_{t}_value({col})", f"jz_{t}_error({col})"
    if t == "integer":
        return f"jz_int_value({col})", f"jz_int_error({col})"
    if t == "amount":
        args = f"{col}, {10000 if unit == '万元' else 1}, {'true' if spec.allow_negative else 'false'}"
        return f"jz_amount_value({args})", f"jz_amount_error({args})"
    if t == "name":
        return f"jz_name_value({col})", None
    if t == "choice":
        folded = f"jz_text_value({col})"
        cases = " ".join(f"WHEN {_quote(clean_header(k))} THEN {_quote(v)}" for k, v in spec.values.items())
        value = f"CASE replace({folded}, ' ', '') {cases} END"
        allowed = "、".join(dict.fromkeys(spec.values))
        error = (
            f"CASE WHEN {folded} IS NOT NULL AND ({value}) IS NULL "
            f"THEN '无法识别“' || {folded} || '”（可填：{allowed}）' END"
        )
        return value, error
    # free text keeps its own punctuation (a full-width ， is right in Chinese); only spacing is tidied
    return f"nullif(trim(regexp_replace(replace({col}, '\u3000', ' '), '\\s+', ' ', 'g')), '')", None


def validate(
    con: duckdb.DuckDBPyConnection,
    *,
    source: SourceSpec,
    kind: KindSpec,
    raw: pa.Table,
    columns: list[Column],
    as_of: date,
) -> tuple[pa.Table, pa.Table]:
    """Split the raw rows into (accepted, rejected).

    accepted: `_row`, one typed column per field, `_key` (the record's identity), `_note` (what was set aside, e.g. an
    unusable ID number on a kind that may link by name). rejected: `_row`, the raw cells by header, `_reason`.
    """
    normalise.install(con)
    con.register("raw_in", raw)
    day = f"DATE '{as_of.isoformat()}'"
    selects, reasons, notes = ["_row"], [], []
    by_field = {c.field: c for c in columns}
    for name, spec in kind.fields.items():
        label = spec.label or spec.headers[0]
        if name not in by_field:
            selects.append(f"NULL AS {name}")
            continue
        col = f"c{by_field[name].index}"
        value, error = _field_sql(spec, col, by_field[name].unit, day)
        if spec.not_future and error:
            future = f"'日期' || strftime({value}, '%Y-%m-%d') || '晚于接收日期 {as_of.isoformat()}，不可能已发生'"
            error = f"coalesce({error}, CASE WHEN {value} > {day} THEN {future} END)"
        if spec.max is not None and error:
            too_big = f"'金额' || CAST({value} AS VARCHAR) || '元超出该项的合理范围（不超过 {spec.max} 元），请核实'"
            error = f"coalesce({error}, CASE WHEN {value} > {spec.max} THEN {too_big} END)"
        selects.append(f"{value} AS {name}")
        if spec.required:
            reasons.append(f"CASE WHEN jz_text_value({col}) IS NULL THEN '{label}为空' END")
        if error:
            selects.append(f"{error} AS {name}__err")
            if spec.type == "id_number" and not spec.required:
                set_aside = f"'{label}不可用（' || {name}__err || '），按姓名等信息匹配'"
                notes.append(f"CASE WHEN {name}__err IS NOT NULL THEN {set_aside} END")
            else:
                # "身份证号校验位错误…" already names its column; other messages get the column's label in front
                err = f"{name}__err"
                said = f"CASE WHEN starts_with({err}, '{label}') THEN {err} ELSE '{label}：' || {err} END"
                reasons.append(f"CASE WHEN jz_text_value({col}) IS NOT NULL THEN {said} END")
    key_parts = " || '|' || ".join(
        f"coalesce(CAST({k} AS VARCHAR), jz_text_value(c{by_field[k].index}), '')" if k in by_field else "''"
        for k in kind.key
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE checked AS
        WITH typed AS (SELECT {", ".join(selects)}, * EXCLUDE (_row) FROM raw_in),
        reasoned AS (
            SELECT *,
                md5({_quote(source.code + "|" + kind.code + "|")} || {key_parts}) AS _key,
                nullif(concat_ws('；', {", ".join(reasons) or "NULL"}), '') AS _field_reason,
                nullif(concat_ws('；', {", ".join(notes) or "NULL"}), '') AS _note
            FROM typed
        )
        SELECT *,
            CASE WHEN _field_reason IS NULL THEN
                min(CASE WHEN _field_reason IS NULL THEN _row END) OVER (PARTITION BY _key) END AS _first_row
        FROM reasoned
    """)
    field_names = ", ".join(kind.fields)
    accepted = (
        con.sql(f"""
        SELECT _row, {field_names}, _key, _note FROM checked
        WHERE _field_reason IS NULL AND _first_row = _row
    """)
        .to_arrow_table()
        .sort_by("_row")
    )
    raw_cols = ", ".join(n for n in raw.column_names if n != "_row")
    key_labels = "、".join(kind.fields[k].label or kind.fields[k].headers[0] for k in kind.key)
    rejected = (
        con.sql(f"""
        SELECT _row, {raw_cols},
            coalesce(_field_reason, '与第' || _first_row || '行重复（{key_labels}相同），本行未导入') AS _reason
        FROM checked WHERE _field_reason IS NOT NULL OR _first_row <> _row
    """)
        .to_arrow_table()
        .sort_by("_row")
    )
    con.unregister("raw_in")
    return accepted, rejected
