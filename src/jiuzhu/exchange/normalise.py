"""The import rules as DuckDB SQL: every cell understood exactly or refused with a reason in Chinese.

Department data (tens of millions of rows) is validated in bulk in DuckDB, by macros that compute, from a VARCHAR
cell, the normalised value and the error message by exactly the rules of the Python reference —
jiuzhu.core.id_number.parse_id_number and jiuzhu.core.parsing — with the same message text. `install(con)` creates
them (as TEMP macros, so once per connection; it is idempotent); `check_python(kind, raw, **opts)` is the
reference for one value, and tests/exchange/test_normalise.py holds the two equal on generated inputs.

Every kind has three macros: jz_<kind>(s, …) → STRUCT(value, error), jz_<kind>_value and jz_<kind>_error.

    jz_id(s, as_of DATE)                                value VARCHAR (18 characters)
    jz_date(s)                                          value DATE
    jz_month(s)                                         value DATE, the first of the month
    jz_amount(s, unit_multiplier, allow_negative)       value DECIMAL(18,2) in yuan; unit_multiplier 1 (元) or
                                                        10000 (万元) is the column's unit
    jz_int(s)                                           value BIGINT
    jz_phone(s)                                         value VARCHAR: 13812345678 or 0871-65123456
    jz_sex(s)                                           value 'M' or 'F'
    jz_text_value(s), jz_name_value(s)                  VARCHAR; these two never refuse
    jz_fold(s)                                          the narrow fold of core.parsing.fold

The conventions:
- A NULL cell is "not given": value and error are both NULL. Whether the column may be empty is the caller's
  rule (`value IS NULL`). Any other string is judged as typed: for an ID number "" and "  " are the reference's
  EMPTY error; for dates, months, amounts, integers, phones and sexes a blank string is unreadable.
- Folding is narrow: full-width ASCII U+FF01–U+FF5E to ASCII and U+3000 to a space; whitespace means what
  Python's str.isspace means (WHITESPACE); only ASCII digits are digits.
- No Python UDF: the SQL is plain functions (translate, regexp, integer arithmetic); the region codes are a TEMP
  table jz_region_code filled by `install` from python-stdnum's cn/loc table, every era, as region_name reads it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import duckdb
from django.utils import translation
from stdnum import numdb

from jiuzhu.core import parsing
from jiuzhu.core.id_number import (
    CHECK_CHARS,
    EARLIEST_BIRTH_DATE,
    INVISIBLE,
    WEIGHTS,
    IdNumberError,
    IdNumberErrorCode,
    parse_id_number,
    region_name,
)
from jiuzhu.core.parsing import fold, fold_width

# What str.isspace (and so str.strip and str.split) calls whitespace; a test holds it equal to Python's.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
FULL_WIDTH = "".join(map(chr, range(0xFF01, 0xFF5F)))
# Separators typed in minority names (买买提·艾力): middle dot, bullet, full stop (full-width ． folds to it),
# katakana and half-width katakana middle dots, hyphenation point, bullet and dot operators — all become U+00B7.
NAME_DOTS = "·•.・･‧∙⋅"

INT_UNREADABLE = "无法识别的整数“{value}”"
INT_BAD_COMMA = "无法识别的整数“{value}”：逗号只能用作千位分隔，如 12,000"
INT_NOT_WHOLE = "“{value}”不是整数"
INT_TOO_LARGE = "整数“{value}”过大"
PHONE_UNREADABLE = "无法识别的电话号码“{value}”，应为11位手机号（如 13812345678）或带区号的固定电话（如 0871-65123456）"
PHONE_MOBILE_LENGTH = "手机号“{value}”应为11位，实际为{length}位"
SEX_UNREADABLE = "无法识别的性别“{value}”，应填 男 或 女（也可填 M/F、1/2）"

_INVISIBLE_TABLE = dict.fromkeys(map(ord, INVISIBLE))
_NAME_DOTS_TABLE = dict.fromkeys(map(ord, NAME_DOTS), "·")
_SEXES = {"男": "M", "男性": "M", "M": "M", "m": "M", "1": "M", "女": "F", "女性": "F", "F": "F", "f": "F", "2": "F"}


_INT = re.compile(r"([+-]?)(\d+)(?:\.(\d+))?", re.ASCII)
_INT_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)
_LANDLINE = re.compile(r"(010|02\d|0[3-9]\d{2})([2-9]\d{6,7})", re.ASCII)
_PHONE_CHARS = re.compile(r"\+?[0-9()\-]+", re.ASCII)


# --- The Python reference, one value at a time -------------------------------------------------------------------


def parse_int(raw: str) -> int:
    """An integer from "12", "+12", "-3", "1,200" or "12.0" (a whole number with zero decimals); ValueError else.

    Whitespace inside is dropped and commas are thousands separators, as in amounts. The range is BIGINT's
    (at most 18 digits); a column's own range (an age, a count, whether it may be negative) is the caller's.
    """
    text = "".join(fold(raw).split())
    if "," in text:
        if not _INT_THOUSANDS.fullmatch(text):
            raise ValueError(INT_BAD_COMMA.format(value=raw))
        text = text.replace(",", "")
    m = _INT.fullmatch(text)
    if not m:
        raise ValueError(INT_UNREADABLE.format(value=raw))
    if (m[3] or "").strip("0"):
        raise ValueError(INT_NOT_WHOLE.format(value=raw))
    if len(m[2].lstrip("0")) > 18:
        raise ValueError(INT_TOO_LARGE.format(value=raw))
    return -int(m[2]) if m[1] == "-" else int(m[2])


def parse_phone(raw: str) -> str:
    """A mainland mobile → "13812345678", or a landline with its area code → "0871-65123456"; ValueError else.

    Whitespace, '-' and parentheses are dropped wherever they are ("138 0013 8000", "(0871)6512-3456"). A mobile
    is 11 digits 13x–19x and may carry +86 or 0086. A landline is an area code and a local number of 7 or 8 digits
    starting 2–9; the area code is 010 or 02x, otherwise 4 digits (0871), so the split is never a guess. Refused:
    a local number without its area code (Excel drops the leading 0 of a number cell), an extension, a foreign
    number, anything else. The value keeps digits and, for a landline, one '-' after the area code.
    """
    text = "".join(fold(raw).split())
    if not _PHONE_CHARS.fullmatch(text):
        raise ValueError(PHONE_UNREADABLE.format(value=raw))
    digits = text.translate(dict.fromkeys(map(ord, "()-")))
    international = digits.startswith(("+86", "0086"))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("+"):
        raise ValueError(PHONE_UNREADABLE.format(value=raw))
    if _MOBILE.fullmatch(digits):
        return digits
    if not international and (m := _LANDLINE.fullmatch(digits)):
        return f"{m[1]}-{m[2]}"
    if digits.startswith("1") and len(digits) != 11:
        raise ValueError(PHONE_MOBILE_LENGTH.format(value=raw, length=len(digits)))
    raise ValueError(PHONE_UNREADABLE.format(value=raw))


def parse_sex(raw: str) -> str:
    """'M' from 男, 男性, M, m or 1 (GB/T 2261.1); 'F' from 女, 女性, F, f or 2; ValueError otherwise."""
    sex = _SEXES.get(fold(raw))
    if sex is None:
        raise ValueError(SEX_UNREADABLE.format(value=raw))
    return sex


def clean_text(raw: str) -> str | None:
    """Folded, zero-width characters removed, trimmed, inner runs of whitespace one space; None when empty."""
    return " ".join(fold_width(raw).translate(_INVISIBLE_TABLE).split()) or None


def clean_name(raw: str) -> str | None:
    """Folded, zero-width characters and all whitespace removed, name dots (NAME_DOTS) made '·'; None when empty."""
    return "".join(fold_width(raw).translate(_INVISIBLE_TABLE).split()).translate(_NAME_DOTS_TABLE) or None


def _id(raw: str, *, as_of: date | None = None) -> str:
    return parse_id_number(raw, as_of=as_of or date.today()).number


def _amount(raw: str, *, unit: str = "元", allow_negative: bool = False) -> Decimal:
    return parsing.parse_amount(raw, unit=unit, allow_negative=allow_negative).quantize(Decimal("0.01"))


KINDS: dict[str, Callable[..., Any]] = {
    "id": _id,
    "date": parsing.parse_date,
    "month": parsing.parse_month,
    "amount": _amount,
    "int": parse_int,
    "phone": parse_phone,
    "sex": parse_sex,
    "text": clean_text,
    "name": clean_name,
}


def check_python(kind: str, raw: str | None, **opts: Any) -> tuple[Any, str | None]:
    """(value, None) or (None, the reason in Chinese) for one cell, exactly as the SQL macro jz_<kind> gives them.

    `kind` is a key of KINDS; `opts`: as_of (id; default today), unit ("元" or "万元") and allow_negative (amount).
    None is "not given": (None, None). An amount comes back with two places, like DECIMAL(18,2).
    """
    if raw is None:
        return None, None
    if not isinstance(raw, str):
        raise TypeError(f"a cell is checked as text, not {type(raw).__name__}")
    try:
        return KINDS[kind](raw, **opts), None
    except IdNumberError as exc:
        return None, exc.message
    except ValueError as exc:
        return None, str(exc)


@cache
def region_codes() -> tuple[str, ...]:
    """Every 6-digit code region_name knows: the leaves of python-stdnum's cn/loc tree, each confirmed by it."""
    codes: set[str] = set()
    for _length, low, high, _props, children in numdb.get("cn/loc").prefixes:
        for _length2, low2, high2, _props2, _children2 in children:
            for a in range(int(low), int(high) + 1):
                codes.update(f"{a:02d}{b:04d}" for b in range(int(low2), int(high2) + 1))
    return tuple(c for c in sorted(codes) if region_name(c) is not None)


# --- The same rules as SQL ---------------------------------------------------------------------------------------
#
# Speed shapes the SQL (1 M rows × ID number + date + amount + name in well under a second on two cores), by three
# facts of DuckDB 2.0 measured on this data:
# - translate() and trim(s, characters) build their table of characters for every row (microseconds): trim is
#   not used, translate and regexp_replace run only behind a regexp_matches that finds a character to change;
# - a lambda (list_transform) sets up its body again for every chunk of 2048 rows that reaches it, so one
#   unusual row in each chunk costs as much as the whole chunk: lambdas are used only to report rare errors;
# - a sub-expression that occurs more than once is computed once per row only if one occurrence is evaluated
#   for every row (not inside a CASE branch or a later WHEN). So each kind computes its intermediate values as
#   expressions that are cheap on the common form (CASE WHEN fast THEN NULL ...), and names them all in the
#   first WHEN — list_position([...], true): a list evaluates every element — which also picks the common form.
# The fast path takes the common form (an 18-digit ID number, 2024-03-05, 1200.5); the rest follows the rules.


def _q(text: str) -> str:
    """A SQL string literal (DuckDB's are standard: only the quote is doubled, a backslash is itself)."""
    return "'" + text.replace("'", "''") + "'"


def _class(chars: str) -> str:
    """A regular-expression class of exactly these characters, runs of consecutive ones as ranges."""
    codes = sorted(set(map(ord, chars)))
    runs: list[list[int]] = []
    for c in codes:
        if runs and c == runs[-1][1] + 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    return "[" + "".join(f"\\x{{{a:x}}}" + (f"-\\x{{{b:x}}}" if b > a else "") for a, b in runs) + "]"


def _narrow(expr: str) -> str:
    """fold_width: full-width ASCII to ASCII and U+3000 to a space (translate() only when there is one)."""
    source = FULL_WIDTH + "\u3000"
    target = "".join(map(fold_width, source))
    return (
        f"CASE WHEN regexp_matches({expr}, {_q(_class(source))})"
        f" THEN translate({expr}, {_q(source)}, {_q(target)}) ELSE {expr} END"
    )


def _replace(expr: str, chars: str, by: str = "") -> str:
    """Every one of `chars` in `expr` replaced by `by` (regexp_replace() only when there is one)."""
    found = _q(_class(chars))
    return (
        f"CASE WHEN regexp_matches({expr}, {found}) THEN regexp_replace({expr}, {found}, {_q(by)}, 'g') ELSE {expr} END"
    )


def _message(template: str, **exprs: str) -> str:
    """SQL building the text that template.format(**values) builds, each value given as a SQL expression."""
    parts = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        if literal:
            parts.append(_q(literal))
        if field is not None:
            parts.append(f"CAST(({exprs[field]}) AS VARCHAR)")
    return "(" + " || ".join(parts) + ")"


def _ok(value: str, sql_type: str) -> str:
    return f"struct_pack(value := CAST(({value}) AS {sql_type}), error := CAST(NULL AS VARCHAR))"


def _err(sql_type: str, template: str, **exprs: str) -> str:
    return f"struct_pack(value := CAST(NULL AS {sql_type}), error := {_message(template, **exprs)})"


def _macro(signature: str, body: str) -> str:
    return f"CREATE OR REPLACE TEMP MACRO {signature} AS {body}"


_WS = _class(WHITESPACE)
_DATE_GROUPS = "['y', 's1', 'm', 's2', 'd', 'e', 'm8', 'd8']"
_DATE_RE = r"^([0-9]{4})(?:([-/.年])([0-9]{1,2})([-/.月])([0-9]{1,2})(日?)|([0-9]{2})([0-9]{2}))$"
_MONTH_RE = r"^([0-9]{4})(?:[-/.]([0-9]{1,2})|年([0-9]{1,2})月|([0-9]{2}))$"
_AMOUNT_RE = r"^([+-]?)([0-9]+)(?:\.([0-9]+))?(万)?(元)?$"
_THOUSANDS_RE = r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?万?元?$"
_INT_RE = r"^([+-]?)([0-9]+)(?:\.([0-9]+))?$"
_INT_THOUSANDS_RE = r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$"
_EXCEL_RE = r"^(?:[+-]?[0-9]+(?:\.[0-9]*)?[Ee][+-]?[0-9]+|[+-]?[0-9]*\.[0-9]*)$"
_AREA_RE = "(010|02[0-9]|0[3-9][0-9]{2})"


def _shared_macros() -> list[str]:
    edges = _q(f"^{_WS}+|{_WS}+$")
    return [
        _macro("jz__narrow(s)", _narrow("s")),
        # core.parsing.fold; and the same with every whitespace character removed (amounts, integers, phones)
        _macro(
            "jz_fold(s)",
            f"CASE WHEN regexp_matches(jz__narrow(s), {edges}) THEN regexp_replace(jz__narrow(s), {edges}, '', 'g')"
            " ELSE jz__narrow(s) END",
        ),
        _macro("jz__squeeze(s)", _replace("jz__narrow(s)", WHITESPACE)),
        # what datetime.date accepts (years 1–9999)
        _macro(
            "jz__date_exists(y, m, d)",
            "y >= 1 AND m BETWEEN 1 AND 12 AND d >= 1 AND d <= CASE WHEN m = 2 THEN CASE WHEN y % 4 = 0"
            " AND (y % 100 <> 0 OR y % 400 = 0) THEN 29 ELSE 28 END WHEN m IN (4, 6, 9, 11) THEN 30 ELSE 31 END",
        ),
        # STRUCT(y, m, d) of the groups p of _DATE_RE, when the form's separators agree (2024-03/05 is no date)
        _macro(
            "jz__ymd(p)",
            "CASE WHEN (p.s1 = '-' AND p.s2 = '-' AND p.e = '') OR (p.s1 = '/' AND p.s2 = '/' AND p.e = '')"
            " OR (p.s1 = '.' AND p.s2 = '.' AND p.e = '') OR (p.s1 = '年' AND p.s2 = '月' AND p.e = '日')"
            " OR p.m8 <> '' THEN struct_pack(y := CAST(p.y AS INTEGER), m := CAST(p.m || p.m8 AS INTEGER),"
            " d := CAST(p.d || p.d8 AS INTEGER)) END",
        ),
        # the characters of t other than digits and X, each once, in order (a lambda: only for that error)
        _macro(
            "jz__other_chars(t)",
            "list_transform([regexp_extract_all(t, '[^0-9X]')], lambda jz_l: array_to_string("
            "list_filter(jz_l, lambda jz_c, jz_i: list_position(jz_l, jz_c) = jz_i), ''))[1]",
        ),
    ]


def _date_macros() -> list[str]:
    def err(template: str) -> str:
        return _err("DATE", template, value="s")

    # A text that is exactly how DuckDB writes a date (2024-03-05) is that date; the rest: p, the groups of the
    # folded text, and ymd, the date it names.
    fast = "(CAST(TRY_CAST(s AS DATE) AS VARCHAR) = s AND strlen(s) = 10)"
    p = f"CASE WHEN {fast} THEN NULL ELSE regexp_extract(jz_fold(s), {_q(_DATE_RE)}, {_DATE_GROUPS}) END"
    date = f"""
        CASE
          WHEN list_position([{fast}, jz__date_ymd(s) IS NULL], true) = 1 THEN {_ok("TRY_CAST(s AS DATE)", "DATE")}
          WHEN s IS NULL THEN NULL
          WHEN jz__date_ymd(s) IS NULL THEN {err(parsing.DATE_UNREADABLE)}
          WHEN NOT jz__date_exists(jz__date_ymd(s).y, jz__date_ymd(s).m, jz__date_ymd(s).d)
            THEN {err(parsing.DATE_DOES_NOT_EXIST)}
          ELSE {_ok("make_date(jz__date_ymd(s).y, jz__date_ymd(s).m, jz__date_ymd(s).d)", "DATE")}
        END"""
    # Months: 2024-03 is the fast path; m: the groups of a month form; ymd: those of a full date otherwise.
    fast_month = "(CAST(TRY_CAST(s || '-01' AS DATE) AS VARCHAR) = s || '-01' AND strlen(s) = 7)"
    m = f"CASE WHEN {fast_month} THEN NULL ELSE regexp_extract(jz_fold(s), {_q(_MONTH_RE)}, ['y', 'm1', 'm2', 'm3']) END"
    ym = (
        "CASE WHEN jz__month_groups(s) IS NULL OR jz__month_groups(s).y = '' THEN NULL ELSE struct_pack("
        "y := CAST(jz__month_groups(s).y AS INTEGER), m := CAST(jz__month_groups(s).m1 || jz__month_groups(s).m2"
        " || jz__month_groups(s).m3 AS INTEGER)) END"
    )
    full = (
        "CASE WHEN jz__month_groups(s) IS NULL OR jz__month_groups(s).y <> '' THEN NULL"
        f" ELSE jz__ymd(regexp_extract(jz_fold(s), {_q(_DATE_RE)}, {_DATE_GROUPS})) END"
    )
    month = f"""
        CASE
          WHEN list_position([{fast_month}, jz__month_ym(s) IS NULL, jz__month_ymd(s) IS NULL], true) = 1
            THEN {_ok("TRY_CAST(s || '-01' AS DATE)", "DATE")}
          WHEN s IS NULL THEN NULL
          WHEN jz__month_ym(s) IS NOT NULL THEN
            CASE WHEN jz__date_exists(jz__month_ym(s).y, jz__month_ym(s).m, 1)
                 THEN {_ok("make_date(jz__month_ym(s).y, jz__month_ym(s).m, 1)", "DATE")}
                 ELSE {err(parsing.MONTH_DOES_NOT_EXIST)} END
          WHEN jz__month_ymd(s) IS NULL THEN {err(parsing.MONTH_UNREADABLE)}
          WHEN NOT jz__date_exists(jz__month_ymd(s).y, jz__month_ymd(s).m, jz__month_ymd(s).d)
            THEN {err(parsing.DATE_DOES_NOT_EXIST)}
          WHEN jz__month_ymd(s).d <> 1 THEN {err(parsing.MONTH_HAS_A_DAY)}
          ELSE {_ok("make_date(jz__month_ymd(s).y, jz__month_ymd(s).m, 1)", "DATE")}
        END"""
    return [
        _macro("jz__date_ymd(s)", f"jz__ymd({p})"),
        _macro("jz_date(s)", date),
        _macro("jz__month_groups(s)", m),
        _macro("jz__month_ym(s)", ym),
        _macro("jz__month_ymd(s)", full),
        _macro("jz_month(s)", month),
    ]


def _id_macros(codes: tuple[str, ...]) -> list[str]:
    C = IdNumberErrorCode

    def err(code: IdNumberErrorCode, **exprs: str) -> str:
        return _err("VARCHAR", str(code.label), **exprs)

    # parse_id_number step by step, as macros of s: fast — already 18 digits (or 17 and X); u — the text folded,
    # zero-width characters and whitespace removed, x raised, Excel's leading ' dropped; t — u without '-';
    # shape — 0 if t is 15 or 18 digits (X only last), else which of the reasons (9: no value); b — the 17-digit
    # body (a 15-digit number with 19 put in); n — b as a number; x — its check character; a — the one given.
    text = _replace("jz__narrow(s)", WHITESPACE + INVISIBLE)
    weighted = " + ".join(f"{w} * (jz__id_n(s) // {10 ** (16 - i)} % 10)" for i, w in enumerate(WEIGHTS))
    a = "CAST(as_of AS DATE)"
    ymd = "(jz__id_n(s) // 1000 % 100000000)"
    failures = [
        "jz__id_shape(s) <> 0",
        "jz__id_a(s) <> jz__id_x(s)",
        f"NOT jz__date_exists({ymd} // 10000, {ymd} // 100 % 100, {ymd} % 100)",
        f"{ymd} > year({a}) * 10000 + month({a}) * 100 + day({a})",
        f"{ymd} < {EARLIEST_BIRTH_DATE:%Y%m%d}",
        "NOT jz__region_known(jz__id_n(s) // 100000000000)",
    ]
    fails = f"list_position([{', '.join(failures)}], true)"
    shown = "substr(jz__id_b(s), 7, 4) || '-' || substr(jz__id_b(s), 11, 2) || '-' || substr(jz__id_b(s), 13, 2)"
    shape_error = f"""
        CASE jz__id_shape(s)
          WHEN 1 THEN {err(C.EXCEL_MANGLED)}
          WHEN 2 THEN {err(C.EMPTY)}
          WHEN 3 THEN {err(C.BAD_CHARACTERS, chars="jz__other_chars(jz__id_t(s))")}
          WHEN 4 THEN {err(C.WRONG_LENGTH, length="length(jz__id_t(s))")}
          ELSE {err(C.BAD_CHARACTERS, chars="'X'")}
        END"""
    number = f"""
        CASE
          WHEN {fails} IS NULL THEN {_ok("jz__id_b(s) || jz__id_x(s)", "VARCHAR")}
          WHEN jz__id_shape(s) = 9 THEN NULL
          WHEN {fails} = 1 THEN {shape_error}
          WHEN {fails} = 2 THEN
            CASE WHEN ends_with(jz__id_b(s) || jz__id_a(s), '000') THEN {err(C.EXCEL_MANGLED)}
                 ELSE {err(C.CHECK_DIGIT, expected="jz__id_x(s)", actual="jz__id_a(s)")} END
          WHEN {fails} = 3 THEN {err(C.BIRTH_DATE, date=shown)}
          WHEN {fails} = 4 THEN {err(C.BIRTH_DATE_FUTURE, date=shown, as_of=f"strftime({a}, '%Y-%m-%d')")}
          WHEN {fails} = 5
            THEN {err(C.BIRTH_DATE_TOO_EARLY, date=shown, earliest=_q(EARLIEST_BIRTH_DATE.isoformat()))}
          ELSE {err(C.REGION, region="substr(jz__id_b(s), 1, 6)")}
        END"""
    low, high = int(codes[0]), int(codes[-1])
    known = set(map(int, codes))
    bits = "".join("1" if c in known else "0" for c in range(low, high + 1))
    return [
        _macro(
            "jz__region_known(code)",
            f"CASE WHEN code BETWEEN {low} AND {high} THEN get_bit('{bits}'::BIT, CAST(code - {low} AS INTEGER)) = 1"
            " ELSE false END",
        ),
        _macro("jz__id_fast(s)", "regexp_full_match(s, '[0-9]{17}[0-9X]')"),
        _macro("jz__id_text(s)", f"replace({text}, 'x', 'X')"),
        _macro(
            "jz__id_u(s)",
            "CASE WHEN jz__id_fast(s) THEN s WHEN starts_with(jz__id_text(s), chr(39)) THEN substr(jz__id_text(s), 2)"
            " ELSE jz__id_text(s) END",
        ),
        _macro("jz__id_t(s)", "replace(jz__id_u(s), '-', '')"),
        _macro(
            "jz__id_shape(s)",
            f"""CASE
                  WHEN jz__id_fast(s) THEN 0
                  WHEN s IS NULL THEN 9
                  WHEN (contains(jz__id_u(s), '.') OR contains(jz__id_u(s), 'E') OR contains(jz__id_u(s), 'e'))
                       AND regexp_matches(jz__id_u(s), {_q(_EXCEL_RE)}) AND regexp_matches(jz__id_u(s), '[0-9]')
                    THEN 1
                  WHEN jz__id_t(s) = '' THEN 2
                  WHEN NOT regexp_full_match(jz__id_t(s), '[0-9X]+') THEN 3
                  WHEN length(jz__id_t(s)) NOT IN (15, 18) THEN 4
                  WHEN contains(left(jz__id_t(s), 17), 'X') OR (length(jz__id_t(s)) = 15 AND contains(jz__id_t(s), 'X'))
                    THEN 5
                  ELSE 0
                END""",
        ),
        _macro(
            "jz__id_b(s)",
            "CASE WHEN length(jz__id_t(s)) = 15 THEN substr(jz__id_t(s), 1, 6) || '19' || substr(jz__id_t(s), 7)"
            " ELSE substr(jz__id_t(s), 1, 17) END",
        ),
        _macro("jz__id_n(s)", "TRY_CAST(jz__id_b(s) AS BIGINT)"),
        _macro("jz__id_x(s)", f"substr({_q(CHECK_CHARS)}, ({weighted}) % 11 + 1, 1)"),
        _macro(
            "jz__id_a(s)", "CASE WHEN length(jz__id_t(s)) = 15 THEN jz__id_x(s) ELSE substr(jz__id_t(s), 18, 1) END"
        ),
        _macro("jz_id(s, as_of)", number),
    ]


def _amount_macros() -> list[str]:
    def err(template: str) -> str:
        return _err("DECIMAL(18,2)", template, value="s")

    # fast — up to 12 digits and 2 decimals, which no unit takes out of range; t — the text folded and squeezed;
    # comma — a comma that is no thousands separator; a — the parts: neg, i (the integer digits), f (the
    # decimals without trailing zeros), k (the power of ten of the unit); w — the digits of whole yuan.
    fast = r"regexp_full_match(s, '[0-9]{1,12}(?:\.[0-9]{1,2})?')"
    groups = (
        f"regexp_extract(replace(jz__amount_t(s), ',', ''), {_q(_AMOUNT_RE)}, ['sign', 'int', 'frac', 'wan', 'yuan'])"
    )
    unit = (
        "CASE WHEN jz__amount_p(s).wan <> '' THEN 4 WHEN jz__amount_p(s).yuan <> '' THEN 0"
        " WHEN unit_multiplier = 10000 THEN 4 ELSE 0 END"
    )
    parts = (
        "CASE WHEN jz__amount_p(s) IS NULL OR jz__amount_p(s).int = '' THEN NULL ELSE struct_pack("
        "neg := jz__amount_p(s).sign = '-', i := ltrim(jz__amount_p(s).int, '0'), f := rtrim(jz__amount_p(s).frac, '0'),"
        f" k := {unit}) END"
    )
    a = "jz__amount_a(s, unit_multiplier)"
    whole = f"CASE WHEN {a} IS NULL THEN NULL ELSE {a}.i || left(rpad({a}.f, {a}.k, '0'), {a}.k) END"
    w = "jz__amount_w(s, unit_multiplier)"
    exact = (
        f"CASE WHEN {a}.neg THEN '-' ELSE '' END || CASE WHEN {w} = '' THEN '0' ELSE {w} END"
        f" || '.' || rpad(substr({a}.f, {a}.k + 1), 2, '0')"
    )
    amount = f"""
        CASE
          WHEN unit_multiplier NOT IN (1, 10000)
            THEN error('jz_amount: unit_multiplier must be 1 (元) or 10000 (万元), not ' || unit_multiplier)
          WHEN list_position([{fast}, jz__amount_comma(s), {w} IS NULL], true) = 1
            THEN {_ok("CAST(s AS DECIMAL(18,2)) * CAST(unit_multiplier AS INTEGER)", "DECIMAL(18,2)")}
          WHEN s IS NULL THEN NULL
          WHEN jz__amount_comma(s) THEN {err(parsing.AMOUNT_BAD_COMMA)}
          WHEN {a} IS NULL THEN {err(parsing.AMOUNT_UNREADABLE)}
          WHEN {a}.neg AND ({a}.i <> '' OR {a}.f <> '') AND NOT allow_negative THEN {err(parsing.AMOUNT_NEGATIVE)}
          WHEN length({a}.f) > {a}.k + 2 THEN {err(parsing.AMOUNT_BELOW_FEN)}
          WHEN length(ltrim({w}, '0')) > 16 THEN {err(parsing.AMOUNT_TOO_LARGE)}
          ELSE {_ok(exact, "DECIMAL(18,2)")}
        END"""
    return [
        _macro("jz__amount_t(s)", f"CASE WHEN {fast} THEN NULL ELSE jz__squeeze(s) END"),
        _macro(
            "jz__amount_comma(s)",
            f"contains(jz__amount_t(s), ',') AND NOT regexp_matches(jz__amount_t(s), {_q(_THOUSANDS_RE)})",
        ),
        _macro("jz__amount_p(s)", f"CASE WHEN jz__amount_t(s) IS NULL THEN NULL ELSE {groups} END"),
        _macro("jz__amount_a(s, unit_multiplier)", parts),
        _macro("jz__amount_w(s, unit_multiplier)", whole),
        _macro("jz_amount(s, unit_multiplier, allow_negative)", amount),
    ]


def _int_macros() -> list[str]:
    def err(template: str) -> str:
        return _err("BIGINT", template, value="s")

    # fast — text exactly as DuckDB writes the number (no sign, no leading zero); t — the text folded and
    # squeezed; p — its parts.
    n = "TRY_CAST(s AS BIGINT)"
    fast = f"(CAST({n} AS VARCHAR) = s AND {n} BETWEEN -{'9' * 18} AND {'9' * 18})"
    groups = f"regexp_extract(replace(jz__int_t(s), ',', ''), {_q(_INT_RE)}, ['sign', 'int', 'frac'])"
    number = f"""
        CASE
          WHEN list_position([{fast}, jz__int_comma(s), jz__int_p(s) IS NULL], true) = 1 THEN {_ok(n, "BIGINT")}
          WHEN s IS NULL THEN NULL
          WHEN jz__int_comma(s) THEN {err(INT_BAD_COMMA)}
          WHEN jz__int_p(s).int = '' THEN {err(INT_UNREADABLE)}
          WHEN rtrim(jz__int_p(s).frac, '0') <> '' THEN {err(INT_NOT_WHOLE)}
          WHEN length(ltrim(jz__int_p(s).int, '0')) > 18 THEN {err(INT_TOO_LARGE)}
          ELSE {_ok("jz__int_p(s).sign || jz__int_p(s).int", "BIGINT")}
        END"""
    return [
        _macro("jz__int_t(s)", f"CASE WHEN {fast} THEN NULL ELSE jz__squeeze(s) END"),
        _macro(
            "jz__int_comma(s)",
            f"contains(jz__int_t(s), ',') AND NOT regexp_matches(jz__int_t(s), {_q(_INT_THOUSANDS_RE)})",
        ),
        _macro("jz__int_p(s)", f"CASE WHEN jz__int_t(s) IS NULL THEN NULL ELSE {groups} END"),
        _macro("jz_int(s)", number),
    ]


def _phone_macros() -> list[str]:
    def err(template: str, **exprs: str) -> str:
        return _err("VARCHAR", template, value="s", **exprs)

    # fast — a mobile as it should be; t — the text folded and squeezed; d — its digits (NULL if t has other
    # characters than digits, '+', '-' and parentheses), without +86 or 0086; intl — whether it had one.
    fast = "regexp_full_match(s, '1[3-9][0-9]{9}')"
    digits = (
        "CASE WHEN jz__phone_t(s) IS NOT NULL AND regexp_full_match(jz__phone_t(s), '\\+?[0-9()\\-]+')"
        " THEN replace(replace(replace(jz__phone_t(s), '(', ''), ')', ''), '-', '') END"
    )
    d = "jz__phone_d(s)"
    landline = f"regexp_replace({d}, '^{_AREA_RE}', {_q(chr(92) + '1-')})"
    phone = f"""
        CASE
          WHEN list_position([{fast}, {d} IS NULL, jz__phone_intl(s)], true) = 1 THEN {_ok("s", "VARCHAR")}
          WHEN s IS NULL THEN NULL
          WHEN {d} IS NULL OR starts_with({d}, '+') THEN {err(PHONE_UNREADABLE)}
          WHEN regexp_full_match({d}, '1[3-9][0-9]{{9}}') THEN {_ok(d, "VARCHAR")}
          WHEN NOT jz__phone_intl(s) AND regexp_full_match({d}, '{_AREA_RE}[2-9][0-9]{{6,7}}')
            THEN {_ok(landline, "VARCHAR")}
          WHEN starts_with({d}, '1') AND length({d}) <> 11 THEN {err(PHONE_MOBILE_LENGTH, length=f"length({d})")}
          ELSE {err(PHONE_UNREADABLE)}
        END"""
    return [
        _macro("jz__phone_t(s)", f"CASE WHEN {fast} THEN NULL ELSE jz__squeeze(s) END"),
        _macro("jz__phone_d0(s)", digits),
        _macro("jz__phone_intl(s)", "starts_with(jz__phone_d0(s), '+86') OR starts_with(jz__phone_d0(s), '0086')"),
        _macro(
            "jz__phone_d(s)",
            "CASE WHEN starts_with(jz__phone_d0(s), '+86') THEN substr(jz__phone_d0(s), 4)"
            " WHEN starts_with(jz__phone_d0(s), '0086') THEN substr(jz__phone_d0(s), 5) ELSE jz__phone_d0(s) END",
        ),
        _macro("jz_phone(s)", phone),
    ]


def _sex_macros() -> list[str]:
    cases = " ".join(f"WHEN jz_fold(s) = {_q(k)} THEN {_ok(_q(v), 'VARCHAR')}" for k, v in _SEXES.items())
    return [
        _macro(
            "jz_sex(s)", f"CASE {cases} WHEN s IS NULL THEN NULL ELSE {_err('VARCHAR', SEX_UNREADABLE, value='s')} END"
        )
    ]


def _text_macros() -> list[str]:
    cleaned = _replace("jz__narrow(s)", INVISIBLE)
    squeezed = f"nullif(regexp_replace(regexp_replace({cleaned}, {_q(_WS + '+')}, ' ', 'g'), '^ | $', '', 'g'), '')"
    unusual = _q(_class(FULL_WIDTH + INVISIBLE + WHITESPACE.replace(" ", "")) + "|^ | $|  ")
    dots = "".join(c for c in NAME_DOTS if c != "·") + "．"  # ． folds to . first: the same either way
    name = _replace(_replace("jz__narrow(s)", WHITESPACE + INVISIBLE), dots, "·")
    unusual_name = _q(_class(FULL_WIDTH + WHITESPACE + INVISIBLE + dots))
    return [
        _macro("jz_text_value(s)", f"CASE WHEN regexp_matches(s, {unusual}) THEN {squeezed} ELSE nullif(s, '') END"),
        _macro("jz_name_value(s)", f"nullif(CASE WHEN regexp_matches(s, {unusual_name}) THEN {name} ELSE s END, '')"),
    ]


def _value_and_error(kind: str, params: str) -> list[str]:
    return [
        _macro(f"jz_{kind}_value({params})", f"jz_{kind}({params}).value"),
        _macro(f"jz_{kind}_error({params})", f"jz_{kind}({params}).error"),
    ]


@cache
def _macro_sql(language: str | None) -> tuple[str, ...]:
    return (
        *_shared_macros(),
        *_text_macros(),
        *_date_macros(),
        *_id_macros(region_codes()),
        *_amount_macros(),
        *_int_macros(),
        *_phone_macros(),
        *_sex_macros(),
        *_value_and_error("id", "s, as_of"),
        *_value_and_error("date", "s"),
        *_value_and_error("month", "s"),
        *_value_and_error("amount", "s, unit_multiplier, allow_negative"),
        *_value_and_error("int", "s"),
        *_value_and_error("phone", "s"),
        *_value_and_error("sex", "s"),
    )


def macro_sql() -> tuple[str, ...]:
    """The CREATE statements of every macro, with the ID number's messages in the active language."""
    return _macro_sql(translation.get_language())


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Create the jz_… macros and the jz_region_code table on this connection; idempotent.

    They are TEMP objects: a cursor (a new connection to the same database) needs its own install."""
    con.execute("CREATE OR REPLACE TEMP TABLE jz_region_code (code VARCHAR PRIMARY KEY)")
    con.execute("INSERT INTO jz_region_code SELECT unnest(?::VARCHAR[])", [list(region_codes())])
    for statement in macro_sql():
        con.execute(statement)
