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

from jiuzhu.core import parsing as p
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
    return p.parse_amount(raw, unit=unit, allow_negative=allow_negative).quantize(Decimal("0.01"))


KINDS: dict[str, Callable[..., Any]] = {
    "id": _id,
    "date": p.parse_date,
    "month": p.parse_month,
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
# Speed shapes the SQL (1 M rows × ID number + date + amount + name in well under a second on two cores):
# - translate() and trim(s, characters) build their table of characters again for every row (microseconds), so
#   they run only behind a regexp_matches guard that finds a character they would change;
# - the common form of each kind (an 18-character ID number, 2024-03-05, 1200.5) takes a fast path decided by one
#   cheap test, and the general rules run only for the other rows;
# - DuckDB computes a repeated sub-expression once only if one occurrence is evaluated for every row (outside any
#   CASE branch), so the ID number's intermediate values are the fields of one struct, read in the first WHEN;
#   the general paths, taken by few rows, bind their values with _let (a one-element list through a lambda).
# Lambda parameters are named jz_… so that they cannot hide a column passed in as an argument.


def _q(text: str) -> str:
    """A SQL string literal (DuckDB's are standard: only the quote is doubled, a backslash is itself)."""
    return "'" + text.replace("'", "''") + "'"


def _class(chars: str) -> str:
    """A regular-expression class of exactly these characters."""
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in dict.fromkeys(chars)) + "]"


def _let(name: str, value: str, body: str) -> str:
    return f"list_transform([{value}], lambda {name}: {body})[1]"


def _translate(expr: str, step: Callable[[str], str], chars: str) -> str:
    """`expr` with what `step` (a per-character map to at most one character) does to each of `chars` done.

    translate() runs only when a character it changes is present (see above)."""
    mapping = {c: step(c) for c in dict.fromkeys(chars)}
    assert all(len(v) <= 1 for v in mapping.values())
    kept = [(c, v) for c, v in mapping.items() if v and v != c]
    dropped = [c for c, v in mapping.items() if not v]
    source = "".join(c for c, _ in kept) + "".join(dropped)
    changed = _q(_class(source))
    return (
        f"CASE WHEN regexp_matches({expr}, {changed})"
        f" THEN translate({expr}, {_q(source)}, {_q(''.join(v for _, v in kept))}) ELSE {expr} END"
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


def _fold(expr: str) -> str:
    """core.parsing.fold: the narrow fold, then surrounding whitespace removed."""
    needs = _q(f"{_class(FULL_WIDTH + chr(0x3000))}|^{_class(WHITESPACE)}|{_class(WHITESPACE)}$")
    folded = _translate(expr, fold_width, FULL_WIDTH + "\u3000")
    return f"CASE WHEN regexp_matches({expr}, {needs}) THEN trim({folded}, {_q(WHITESPACE)}) ELSE {expr} END"


def _squeeze(expr: str) -> str:
    """The narrow fold with every whitespace character removed (how amounts, integers and phones are read)."""
    return _translate(expr, lambda c: "".join(fold_width(c).split()), FULL_WIDTH + WHITESPACE)


_EXCEL_RE = r"^(?:[+-]?[0-9]+(?:\.[0-9]*)?[Ee][+-]?[0-9]+|[+-]?[0-9]*\.[0-9]*)$"
_DATE_RE = r"^([0-9]{4})(?:([-/.年])([0-9]{1,2})([-/.月])([0-9]{1,2})(日?)|([0-9]{2})([0-9]{2}))$"
_MONTH_RE = r"^([0-9]{4})(?:[-/.]([0-9]{1,2})|年([0-9]{1,2})月|([0-9]{2}))$"
_AMOUNT_RE = r"^([+-]?)([0-9]+)(?:\.([0-9]+))?(万)?(元)?$"
_THOUSANDS_RE = r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?万?元?$"
_INT_RE = r"^([+-]?)([0-9]+)(?:\.([0-9]+))?$"
_INT_THOUSANDS_RE = r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$"
_AREA_RE = "(010|02[0-9]|0[3-9][0-9]{2})"


def _date_macros() -> list[str]:
    # jz__ymd(t): STRUCT(y, m, d) of a folded text in one of parse_date's forms (whose separators agree: 2024-03/05
    # is none of them), else NULL. jz__date_exists: what datetime.date accepts (years 1–9999).
    forms = (
        "(jz_p.s1 = '-' AND jz_p.s2 = '-' AND jz_p.e = '') OR (jz_p.s1 = '/' AND jz_p.s2 = '/' AND jz_p.e = '')"
        " OR (jz_p.s1 = '.' AND jz_p.s2 = '.' AND jz_p.e = '')"
        " OR (jz_p.s1 = '年' AND jz_p.s2 = '月' AND jz_p.e = '日') OR jz_p.m8 <> ''"
    )
    ymd = _let(
        "jz_p",
        f"regexp_extract(t, {_q(_DATE_RE)}, ['y', 's1', 'm', 's2', 'd', 'e', 'm8', 'd8'])",
        f"CASE WHEN {forms} THEN struct_pack(y := CAST(jz_p.y AS INTEGER), m := CAST(jz_p.m || jz_p.m8 AS INTEGER),"
        " d := CAST(jz_p.d || jz_p.d8 AS INTEGER)) END",
    )
    exists = (
        "y >= 1 AND m BETWEEN 1 AND 12 AND d >= 1 AND d <= CASE WHEN m = 2 THEN CASE WHEN y % 4 = 0"
        " AND (y % 100 <> 0 OR y % 400 = 0) THEN 29 ELSE 28 END WHEN m IN (4, 6, 9, 11) THEN 30 ELSE 31 END"
    )
    general_date = _let(
        "jz_d",
        f"jz__ymd({_fold('s')})",
        f"""CASE WHEN jz_d IS NULL THEN {_err("DATE", p.DATE_UNREADABLE, value="s")}
                 WHEN NOT jz__date_exists(jz_d.y, jz_d.m, jz_d.d) THEN {_err("DATE", p.DATE_DOES_NOT_EXIST, value="s")}
                 ELSE {_ok("make_date(jz_d.y, jz_d.m, jz_d.d)", "DATE")} END""",
    )
    # The fast path: text that is exactly how DuckDB writes a date (2024-03-05) is that date.
    date = f"""
        CASE WHEN CAST(TRY_CAST(s AS DATE) AS VARCHAR) = s AND strlen(s) = 10 THEN {_ok("TRY_CAST(s AS DATE)", "DATE")}
             WHEN s IS NULL THEN NULL
             ELSE {general_date} END"""
    month_of_date = _let(
        "jz_d",
        "jz__ymd(jz_t)",
        f"""CASE WHEN jz_d IS NULL THEN {_err("DATE", p.MONTH_UNREADABLE, value="s")}
                 WHEN NOT jz__date_exists(jz_d.y, jz_d.m, jz_d.d) THEN {_err("DATE", p.DATE_DOES_NOT_EXIST, value="s")}
                 WHEN jz_d.d <> 1 THEN {_err("DATE", p.MONTH_HAS_A_DAY, value="s")}
                 ELSE {_ok("make_date(jz_d.y, jz_d.m, 1)", "DATE")} END""",
    )
    general_month = _let(
        "jz_t",
        _fold("s"),
        _let(
            "jz_p",
            f"regexp_extract(jz_t, {_q(_MONTH_RE)}, ['y', 'm1', 'm2', 'm3'])",
            _let(
                "jz_m",
                "struct_pack(y := TRY_CAST(jz_p.y AS INTEGER), m := TRY_CAST(jz_p.m1 || jz_p.m2 || jz_p.m3 AS INTEGER))",
                f"""CASE WHEN jz_p.y = '' THEN {month_of_date}
                         WHEN NOT jz__date_exists(jz_m.y, jz_m.m, 1) THEN {_err("DATE", p.MONTH_DOES_NOT_EXIST, value="s")}
                         ELSE {_ok("make_date(jz_m.y, jz_m.m, 1)", "DATE")} END""",
            ),
        ),
    )
    month = f"""
        CASE WHEN CAST(TRY_CAST(s || '-01' AS DATE) AS VARCHAR) = s || '-01' AND strlen(s) = 7
               THEN {_ok("TRY_CAST(s || '-01' AS DATE)", "DATE")}
             WHEN s IS NULL THEN NULL
             ELSE {general_month} END"""
    return [
        f"CREATE OR REPLACE TEMP MACRO jz__ymd(t) AS {ymd}",
        f"CREATE OR REPLACE TEMP MACRO jz__date_exists(y, m, d) AS {exists}",
        f"CREATE OR REPLACE TEMP MACRO jz_date(s) AS {date}",
        f"CREATE OR REPLACE TEMP MACRO jz_month(s) AS {month}",
    ]


def _id_macros(codes: tuple[str, ...]) -> list[str]:
    C = IdNumberErrorCode

    def err(code: IdNumberErrorCode, **exprs: str) -> str:
        return _err("VARCHAR", str(code.label), **exprs)

    a = "CAST(as_of AS DATE)"
    as_of_ymd = f"(year({a}) * 10000 + month({a}) * 100 + day({a}))"
    earliest = f"{EARLIEST_BIRTH_DATE:%Y%m%d}"

    def checksum(n: str) -> str:
        terms = " + ".join(f"{w} * ({n} // {10 ** (16 - i)} % 10)" for i, w in enumerate(WEIGHTS))
        return f"substr({_q(CHECK_CHARS)}, ({terms}) % 11 + 1, 1)"

    def born_exists(n: str) -> str:
        return f"jz__date_exists({n} // 10000000 % 10000, {n} // 100000 % 100, {n} // 1000 % 100)"

    # The fast path: an 18-character number already in canonical form that passes every check is its own value.
    fast = "regexp_full_match(s, '[0-9]{17}[0-9X]') AND " + _let(
        "jz_n",
        "TRY_CAST(substr(s, 1, 17) AS BIGINT)",
        f"substr(s, 18, 1) = {checksum('jz_n')} AND {born_exists('jz_n')} AND jz_n // 1000 % 100000000 <= {as_of_ymd}"
        f" AND jz_n // 1000 % 100000000 >= {earliest} AND jz__region_known(jz_n // 100000000000)",
    )
    # The general path, parse_id_number step by step. jz_u: the text folded, zero-width characters and whitespace
    # removed, x raised, Excel's leading ' dropped; jz_t: without '-'; jz_b: the 17-digit body (a 15-digit number
    # with 19 put in); jz_n: jz_b as a number; jz_x: the check character; jz_a: the one given.
    shown = "substr(jz_b, 7, 4) || '-' || substr(jz_b, 11, 2) || '-' || substr(jz_b, 13, 2)"
    digits = f"""
        CASE
          WHEN jz_a <> jz_x THEN
            CASE WHEN ends_with(jz_b || jz_a, '000') THEN {err(C.EXCEL_MANGLED)}
                 ELSE {err(C.CHECK_DIGIT, expected="jz_x", actual="jz_a")} END
          WHEN NOT {born_exists("jz_n")} THEN {err(C.BIRTH_DATE, date=shown)}
          WHEN jz_n // 1000 % 100000000 > {as_of_ymd}
            THEN {err(C.BIRTH_DATE_FUTURE, date=shown, as_of=f"strftime({a}, '%Y-%m-%d')")}
          WHEN jz_n // 1000 % 100000000 < {earliest}
            THEN {err(C.BIRTH_DATE_TOO_EARLY, date=shown, earliest=_q(EARLIEST_BIRTH_DATE.isoformat()))}
          WHEN NOT jz__region_known(jz_n // 100000000000) THEN {err(C.REGION, region="substr(jz_b, 1, 6)")}
          ELSE {_ok("jz_b || jz_x", "VARCHAR")}
        END"""
    body = _let(
        "jz_b",
        "CASE WHEN length(jz_t) = 15 THEN substr(jz_t, 1, 6) || '19' || substr(jz_t, 7) ELSE substr(jz_t, 1, 17) END",
        _let(
            "jz_n",
            "TRY_CAST(jz_b AS BIGINT)",
            _let(
                "jz_x",
                checksum("jz_n"),
                _let("jz_a", "CASE WHEN length(jz_t) = 18 THEN substr(jz_t, 18, 1) ELSE jz_x END", digits),
            ),
        ),
    )
    text = f"""
        CASE
          WHEN jz_t = '' THEN {err(C.EMPTY)}
          WHEN NOT regexp_full_match(jz_t, '[0-9X]+') THEN {err(C.BAD_CHARACTERS, chars="jz__distinct_chars(jz_t)")}
          WHEN length(jz_t) NOT IN (15, 18) THEN {err(C.WRONG_LENGTH, length="length(jz_t)")}
          WHEN contains(left(jz_t, 17), 'X') OR (length(jz_t) = 15 AND contains(jz_t, 'X'))
            THEN {err(C.BAD_CHARACTERS, chars="'X'")}
          ELSE {body}
        END"""
    unquoted = f"""
        CASE
          WHEN (contains(jz_u, '.') OR contains(jz_u, 'E') OR contains(jz_u, 'e'))
               AND regexp_matches(jz_u, {_q(_EXCEL_RE)}) AND regexp_matches(jz_u, '[0-9]')
            THEN {err(C.EXCEL_MANGLED)}
          ELSE {_let("jz_t", "replace(jz_u, '-', '')", text)}
        END"""
    clean = _translate(
        "s",
        lambda c: "".join(fold_width(c).translate(_INVISIBLE_TABLE).split()).replace("x", "X"),
        FULL_WIDTH + "x" + INVISIBLE + WHITESPACE,
    )
    general = _let(
        "jz_u",
        _let("jz_c", clean, "CASE WHEN starts_with(jz_c, chr(39)) THEN substr(jz_c, 2) ELSE jz_c END"),
        unquoted,
    )
    distinct = _let(
        "jz_l",
        "regexp_extract_all(t, '[^0-9X]')",
        "array_to_string(list_filter(jz_l, lambda jz_c, jz_i: list_position(jz_l, jz_c) = jz_i), '')",
    )
    low, high = int(codes[0]), int(codes[-1])
    known = set(map(int, codes))
    bits = "".join("1" if c in known else "0" for c in range(low, high + 1))
    return [
        f"CREATE OR REPLACE TEMP MACRO jz__region_known(code) AS CASE WHEN code BETWEEN {low} AND {high}"
        f" THEN get_bit('{bits}'::BIT, CAST(code - {low} AS INTEGER)) = 1 ELSE false END",
        f"CREATE OR REPLACE TEMP MACRO jz__distinct_chars(t) AS {distinct}",
        f"CREATE OR REPLACE TEMP MACRO jz__id_fast(s, as_of) AS {fast}",
        f"CREATE OR REPLACE TEMP MACRO jz__id_general(s, as_of) AS {general}",
        f"CREATE OR REPLACE TEMP MACRO jz_id(s, as_of) AS CASE WHEN jz__id_fast(s, as_of) THEN {_ok('s', 'VARCHAR')}"
        " WHEN s IS NULL THEN NULL ELSE jz__id_general(s, as_of) END",
    ]


def _amount_macros() -> list[str]:
    def err(template: str) -> str:
        return _err("DECIMAL(18,2)", template, value="s")

    unit = "CASE WHEN jz_p.wan <> '' THEN 4 WHEN jz_p.yuan <> '' THEN 0 WHEN unit_multiplier = 10000 THEN 4 ELSE 0 END"
    # i: the integer digits, f: the decimals without trailing zeros, k: the power of ten of the unit;
    # w: the digits of whole yuan, the fen follow them in f.
    scaled = _let(
        "jz_a",
        f"struct_pack(neg := jz_p.sign = '-', i := ltrim(jz_p.int, '0'), f := rtrim(jz_p.frac, '0'), k := {unit})",
        _let(
            "jz_w",
            "jz_a.i || left(rpad(jz_a.f, jz_a.k, '0'), jz_a.k)",
            f"""CASE
                  WHEN jz_a.neg AND (jz_a.i <> '' OR jz_a.f <> '') AND NOT allow_negative THEN {err(p.AMOUNT_NEGATIVE)}
                  WHEN length(jz_a.f) > jz_a.k + 2 THEN {err(p.AMOUNT_BELOW_FEN)}
                  WHEN length(ltrim(jz_w, '0')) > 16 THEN {err(p.AMOUNT_TOO_LARGE)}
                  ELSE {
                _ok(
                    "CASE WHEN jz_a.neg THEN '-' ELSE '' END || CASE WHEN jz_w = '' THEN '0' ELSE jz_w END"
                    " || '.' || rpad(substr(jz_a.f, jz_a.k + 1), 2, '0')",
                    "DECIMAL(18,2)",
                )
            }
                END""",
        ),
    )
    parsed = _let(
        "jz_p",
        f"regexp_extract(replace(jz_t, ',', ''), {_q(_AMOUNT_RE)}, ['sign', 'int', 'frac', 'wan', 'yuan'])",
        f"CASE WHEN jz_p.int = '' THEN {err(p.AMOUNT_UNREADABLE)} ELSE {scaled} END",
    )
    general = _let(
        "jz_t",
        _squeeze("s"),
        f"""CASE WHEN contains(jz_t, ',') AND NOT regexp_matches(jz_t, {_q(_THOUSANDS_RE)}) THEN {err(p.AMOUNT_BAD_COMMA)}
                 ELSE {parsed} END""",
    )
    # The fast path: up to 12 digits and up to 2 decimals, which no unit can take out of range.
    amount = f"""
        CASE
          WHEN unit_multiplier NOT IN (1, 10000)
            THEN error('jz_amount: unit_multiplier must be 1 (元) or 10000 (万元), not ' || unit_multiplier)
          WHEN regexp_full_match(s, '[0-9]{{1,12}}(?:\\.[0-9]{{1,2}})?')
            THEN {_ok("CAST(s AS DECIMAL(18,2)) * CAST(unit_multiplier AS INTEGER)", "DECIMAL(18,2)")}
          WHEN s IS NULL THEN NULL
          ELSE {general}
        END"""
    return [f"CREATE OR REPLACE TEMP MACRO jz_amount(s, unit_multiplier, allow_negative) AS {amount}"]


def _int_macros() -> list[str]:
    def err(template: str) -> str:
        return _err("BIGINT", template, value="s")

    parsed = _let(
        "jz_p",
        f"regexp_extract(replace(jz_t, ',', ''), {_q(_INT_RE)}, ['sign', 'int', 'frac'])",
        f"""CASE WHEN jz_p.int = '' THEN {err(INT_UNREADABLE)}
                 WHEN rtrim(jz_p.frac, '0') <> '' THEN {err(INT_NOT_WHOLE)}
                 WHEN length(ltrim(jz_p.int, '0')) > 18 THEN {err(INT_TOO_LARGE)}
                 ELSE {_ok("jz_p.sign || jz_p.int", "BIGINT")} END""",
    )
    general = _let(
        "jz_t",
        _squeeze("s"),
        f"""CASE WHEN contains(jz_t, ',') AND NOT regexp_matches(jz_t, {_q(_INT_THOUSANDS_RE)}) THEN {err(INT_BAD_COMMA)}
                 ELSE {parsed} END""",
    )
    # The fast path: text that is exactly how DuckDB writes the number (no sign, no leading zero) is it.
    number = f"""
        CASE WHEN CAST(TRY_CAST(s AS BIGINT) AS VARCHAR) = s AND TRY_CAST(s AS BIGINT) BETWEEN -{"9" * 18} AND {"9" * 18}
               THEN {_ok("TRY_CAST(s AS BIGINT)", "BIGINT")}
             WHEN s IS NULL THEN NULL
             ELSE {general} END"""
    return [f"CREATE OR REPLACE TEMP MACRO jz_int(s) AS {number}"]


def _phone_macros() -> list[str]:
    def err(template: str, **exprs: str) -> str:
        return _err("VARCHAR", template, value="s", **exprs)

    landline = f"regexp_replace(jz_d, '^{_AREA_RE}', {_q(chr(92) + '1-')})"
    choose = f"""
        CASE
          WHEN starts_with(jz_d, '+') THEN {err(PHONE_UNREADABLE)}
          WHEN regexp_full_match(jz_d, '1[3-9][0-9]{{9}}') THEN {_ok("jz_d", "VARCHAR")}
          WHEN NOT jz_i AND regexp_full_match(jz_d, '{_AREA_RE}[2-9][0-9]{{6,7}}') THEN {_ok(landline, "VARCHAR")}
          WHEN starts_with(jz_d, '1') AND length(jz_d) <> 11 THEN {err(PHONE_MOBILE_LENGTH, length="length(jz_d)")}
          ELSE {err(PHONE_UNREADABLE)}
        END"""
    digits = _let(
        "jz_d0",
        "translate(jz_t, '()-', '')",
        _let(
            "jz_i",
            "starts_with(jz_d0, '+86') OR starts_with(jz_d0, '0086')",
            _let(
                "jz_d",
                "CASE WHEN starts_with(jz_d0, '+86') THEN substr(jz_d0, 4)"
                " WHEN starts_with(jz_d0, '0086') THEN substr(jz_d0, 5) ELSE jz_d0 END",
                choose,
            ),
        ),
    )
    general = _let(
        "jz_t",
        _squeeze("s"),
        f"CASE WHEN regexp_full_match(jz_t, '\\+?[0-9()\\-]+') THEN {digits} ELSE {err(PHONE_UNREADABLE)} END",
    )
    phone = f"""
        CASE WHEN regexp_full_match(s, '1[3-9][0-9]{{9}}') THEN {_ok("s", "VARCHAR")}
             WHEN s IS NULL THEN NULL
             ELSE {general} END"""
    return [f"CREATE OR REPLACE TEMP MACRO jz_phone(s) AS {phone}"]


def _sex_macros() -> list[str]:
    cases = " ".join(f"WHEN {_q(k)} THEN {_ok(_q(v), 'VARCHAR')}" for k, v in _SEXES.items())
    sex = _let("jz_t", _fold("s"), f"CASE jz_t {cases} ELSE {_err('VARCHAR', SEX_UNREADABLE, value='s')} END")
    return [f"CREATE OR REPLACE TEMP MACRO jz_sex(s) AS CASE WHEN s IS NOT NULL THEN {sex} END"]


def _text_macros() -> list[str]:
    text = _translate("s", lambda c: fold_width(c).translate(_INVISIBLE_TABLE), FULL_WIDTH + "\u3000" + INVISIBLE)
    squeezed = f"nullif(trim(regexp_replace({text}, {_q(_class(WHITESPACE) + '+')}, ' ', 'g'), ' '), '')"
    unusual = _class(FULL_WIDTH + INVISIBLE + WHITESPACE.replace(" ", ""))
    name = _translate(
        "s",
        lambda c: "".join(fold_width(c).translate(_INVISIBLE_TABLE).split()).translate(_NAME_DOTS_TABLE),
        FULL_WIDTH + INVISIBLE + WHITESPACE + NAME_DOTS,
    )
    return [
        f"CREATE OR REPLACE TEMP MACRO jz_fold(s) AS {_fold('s')}",
        f"CREATE OR REPLACE TEMP MACRO jz_text_value(s) AS CASE WHEN regexp_matches(s, {_q(unusual + '|^ | $|  ')})"
        f" THEN {squeezed} ELSE nullif(s, '') END",
        f"CREATE OR REPLACE TEMP MACRO jz_name_value(s) AS nullif({name}, '')",
    ]


def _value_and_error(kind: str, params: str) -> list[str]:
    return [
        f"CREATE OR REPLACE TEMP MACRO jz_{kind}_value({params}) AS jz_{kind}({params}).value",
        f"CREATE OR REPLACE TEMP MACRO jz_{kind}_error({params}) AS jz_{kind}({params}).error",
    ]


@cache
def _macro_sql(language: str | None) -> tuple[str, ...]:
    return (
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
