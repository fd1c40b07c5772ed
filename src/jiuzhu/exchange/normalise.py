"""The import rules as DuckDB SQL: every cell understood exactly or refused with a reason in Chinese.

Department data (tens of millions of rows) is validated in bulk in DuckDB by macros that compute, from a VARCHAR
cell, the normalised value and the error message by exactly the rules of the Python reference —
jiuzhu.core.id_number.parse_id_number and jiuzhu.core.parsing — with the same message text, parameters filled in.
`install(con)` creates them; `check_python(kind, raw, **opts)` is the reference for one cell; the tests in
tests/exchange/test_normalise.py hold the two equal on generated inputs, evaluated in bulk.

Each kind has jz_<kind>(…) → STRUCT(value, error) and jz_<kind>_value(…), jz_<kind>_error(…) (its two fields; used
side by side in one SELECT they are computed once):

    jz_id(s, as_of)                                  VARCHAR(18); as_of: the DATE the number is checked on
    jz_date(s)                                       DATE
    jz_month(s)                                      DATE, the first of the month
    jz_amount(s, unit_multiplier, allow_negative)    DECIMAL(18,2) in yuan; unit_multiplier is the column's unit,
                                                     1 (元) or 10000 (万元); allow_negative BOOLEAN
    jz_int(s)                                        BIGINT
    jz_phone(s)                                      VARCHAR: 13812345678 or 0871-65123456
    jz_sex(s)                                        'M' or 'F'
    jz_text_value(s), jz_name_value(s)               VARCHAR, never an error
    jz_fold(s)                                       core.parsing.fold

and `install` also registers jz_region_code(code VARCHAR), the 6-digit codes region_name knows (python-stdnum's
cn/loc, every era); jz_id reads the same codes as a bitmap built in with it.

The rules (the Python reference is the definition; what is decided here):
- NULL is "not given": value and error both NULL — whether a column may be empty is the caller's rule. Any other
  text is judged as typed: "" is the ID number's EMPTY error and is unreadable for the other kinds.
- Folding is narrow (core.parsing): full-width ASCII to ASCII and U+3000 to a space; '①', '²' or '٣' are never
  digits. Whitespace is what Python's str.isspace says (WHITESPACE).
- Month: 2024-03, 2024-3, 2024/03, 2024.3, 2024年3月 or 202403; a full date only when it is the 1st (the form a
  spreadsheet stores a month cell in) — any other day is refused, as the month meant would be a guess.
- Amount: the column's unit unless the text says 元, 万 or 万元; exact to the fen after scaling, else refused (no
  rounding ever); below 10^16 yuan (DECIMAL(18,2)); negative only where the column allows it.
- Integer: digits with an optional sign, thousands commas, and decimals only if all zeros ("12.0"); at most 18
  digits. A column's range is the caller's.
- Phone: a mobile 1[3-9] + 9 digits (+86 / 0086 allowed) → 11 digits; a landline with its area code (010, 02x, or
  4 digits) and a 7–8 digit local number starting 2–9 → "0871-65123456". Spaces, '-' and parentheses anywhere are
  dropped. No local number without its area code, no extension, nothing foreign.
- Sex: 男/男性/M/m/1 → 'M', 女/女性/F/f/2 → 'F' (GB/T 2261.1 codes 1 and 2; 0 and 9 are refused).
- Text: folded, zero-width characters removed, whitespace runs one space, trimmed, "" → NULL. Name: folded,
  zero-width characters and all whitespace removed, the separator of a minority name (NAME_DOTS) made '·'.

Nothing here needs a DuckDB extension or a Python UDF; how the SQL is written for speed is told below.
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
# Speed shapes the SQL: 1 M rows × (ID number + date + amount + name) take about 1.4 s of CPU, 0.7–0.9 s on two
# cores. What DuckDB 2.0 was measured to do, and how the macros answer it:
# - The common form of each kind (an 18-digit ID number, 2024-03-05, 1200.5) takes a fast path: a few plain
#   functions of the text. Only the other texts follow the rules step by step.
# - translate() and trim(s, characters) build their table of characters for every row (microseconds): translate
#   runs only when there is a full-width character to fold, trim(s, characters) is not used.
# - A lambda sets its body up again for every chunk of 2048 rows that reaches it, so one unusual row per chunk
#   costs as much as the chunk: no lambda on any path but the report of stray characters in an ID number.
# - A macro is pasted in wherever it is used and the whole tree is planned: an intermediate value is used in few
#   places, and built by chains of functions that each use the previous value once.
# - A repeated sub-expression is computed once per row only if at least two of its uses are evaluated for every
#   row (not in a CASE branch, a later WHEN, or the right side of AND/OR). So each intermediate value of the
#   general path is a macro "CASE WHEN <fast> THEN <NULL or the text> ELSE ... END" (cheap on the fast path), named
#   twice in the first WHEN, in a list (a list evaluates all its elements) that also decides the fast path:
#   _anchors. Later WHENs then read it as a column.
# - A macro applied to constants is computed while the query is planned, every part on its own: no part may fail
#   on any text (TRY_CAST, never CAST or make_date; get_bit's index clamped).


def _q(text: str) -> str:
    """A SQL string literal (DuckDB's are standard: only the quote is doubled, a backslash is itself)."""
    return "'" + text.replace("'", "''") + "'"


def _class(chars: str) -> str:
    """A regular-expression class of exactly these characters, runs of consecutive ones as ranges."""
    runs: list[list[int]] = []
    for c in sorted(set(map(ord, chars))):
        if runs and c == runs[-1][1] + 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    return "[" + "".join(f"\\x{{{a:x}}}" + (f"-\\x{{{b:x}}}" if b > a else "") for a, b in runs) + "]"


def _anchors(*values: str) -> str:
    """List elements naming each value twice (see above). They follow the element that decides the fast path; for
    the ID number, whose list names the first check that fails, they are false whenever s is not NULL."""
    return ", ".join(f"({v}) IS NULL AND s IS NOT NULL" for v in values for _ in range(2))


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
    return f"struct_pack(value := TRY_CAST(({value}) AS {sql_type}), error := CAST(NULL AS VARCHAR))"


def _err(sql_type: str, template: str, **exprs: str) -> str:
    return f"struct_pack(value := CAST(NULL AS {sql_type}), error := {_message(template, **exprs)})"


def _macro(signature: str, body: str) -> str:
    return f"CREATE OR REPLACE TEMP MACRO {signature} AS {body}"


def _sub(expr: str, pattern: str, rewrite: str) -> str:
    """regexp_replace with a rewrite whose \\1 … \\9 are groups."""
    return f"regexp_replace({expr}, {_q(pattern)}, {_q(rewrite)})"


_WS = _class(WHITESPACE)
_YMD = "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
_EXCEL_RE = r"^(?:[+-]?[0-9]+(?:\.[0-9]*)?[Ee][+-]?[0-9]+|[+-]?[0-9]*\.[0-9]*)$"
_AREA_RE = "(010|02[0-9]|0[3-9][0-9]{2})"
_AMOUNT_RE = r"[+-]?[0-9]+(?:\.[0-9]+)?万?元?"
_AMOUNT_THOUSANDS_RE = r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?万?元?"
_INT_RE = r"[+-]?[0-9]+(?:\.[0-9]+)?"
_INT_THOUSANDS_RE = r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?"


def _dashed_date(t: str) -> str:
    """A date in one of parse_date's forms, whose separators must agree, written 2024-3-5; any other text as is."""
    for first, second, end in (("/", "/", ""), (r"\.", r"\.", ""), ("年", "月", "日")):
        t = _sub(t, f"^([0-9]{{4}}){first}([0-9]{{1,2}}){second}([0-9]{{1,2}}){end}$", r"\1-\2-\3")
    return _sub(t, "^([0-9]{4})([0-9]{2})([0-9]{2})$", r"\1-\2-\3")


def _dashed_month(t: str) -> str:
    """A month in one of parse_month's own forms written 2024-3; any other text as is."""
    t = _sub(t, "^([0-9]{4})[/.]([0-9]{1,2})$", r"\1-\2")
    t = _sub(t, "^([0-9]{4})年([0-9]{1,2})月$", r"\1-\2")
    return _sub(t, "^([0-9]{4})([0-9]{2})$", r"\1-\2")


def _shared_macros() -> list[str]:
    source = FULL_WIDTH + "\u3000"
    return [
        # core.parsing.fold_width, fold, and fold_width with every whitespace character removed
        _macro(
            "jz__narrow(s)",
            f"CASE WHEN regexp_matches(s, {_q(_class(source))})"
            f" THEN translate(s, {_q(source)}, {_q(''.join(map(fold_width, source)))}) ELSE s END",
        ),
        _macro("jz_fold(s)", f"regexp_replace(jz__narrow(s), {_q(f'^{_WS}+|{_WS}+$')}, '', 'g')"),
        _macro("jz__squeeze(s)", f"regexp_replace(jz__narrow(s), {_q(_WS)}, '', 'g')"),
        # what datetime.date accepts (years 1–9999)
        _macro(
            "jz__date_exists(y, m, d)",
            "y >= 1 AND m BETWEEN 1 AND 12 AND d >= 1 AND d <= CASE WHEN m = 2 THEN CASE WHEN y % 4 = 0"
            " AND (y % 100 <> 0 OR y % 400 = 0) THEN 29 ELSE 28 END WHEN m IN (4, 6, 9, 11) THEN 30 ELSE 31 END",
        ),
    ]


def _date_macros() -> list[str]:
    def err(template: str) -> str:
        return _err("DATE", template, value="s")

    # fast: text exactly as DuckDB writes a date (2024-03-05) is that date; c: otherwise the folded text, a date
    # in any of the forms written 2024-3-5.
    fast = "(CAST(TRY_CAST(s AS DATE) AS VARCHAR) = s AND strlen(s) = 10)"
    c = "jz__date_c(s)"
    date = f"""
        CASE
          WHEN list_position([{fast}, {_anchors(c)}], true) = 1 THEN {_ok("TRY_CAST(s AS DATE)", "DATE")}
          WHEN s IS NULL THEN NULL
          WHEN NOT regexp_full_match({c}, '{_YMD}') THEN {err(parsing.DATE_UNREADABLE)}
          WHEN TRY_CAST({c} AS DATE) IS NULL OR starts_with({c}, '0000') THEN {err(parsing.DATE_DOES_NOT_EXIST)}
          ELSE {_ok(f"TRY_CAST({c} AS DATE)", "DATE")}
        END"""
    # Months: fast: 2024-03; c: the folded text, a month of parse_month's own forms written 2024-3, a full date
    # written 2024-3-5.
    fast_month = "(CAST(TRY_CAST(s || '-01' AS DATE) AS VARCHAR) = s || '-01' AND strlen(s) = 7)"
    c = "jz__month_c(s)"
    month = f"""
        CASE
          WHEN list_position([{fast_month}, {_anchors(c)}], true) = 1 THEN {_ok("TRY_CAST(s || '-01' AS DATE)", "DATE")}
          WHEN s IS NULL THEN NULL
          WHEN regexp_full_match({c}, '[0-9]{{4}}-[0-9]{{1,2}}') THEN
            CASE WHEN TRY_CAST({c} || '-1' AS DATE) IS NULL OR starts_with({c}, '0000')
                 THEN {err(parsing.MONTH_DOES_NOT_EXIST)} ELSE {_ok(f"TRY_CAST({c} || '-1' AS DATE)", "DATE")} END
          WHEN NOT regexp_full_match({c}, '{_YMD}') THEN {err(parsing.MONTH_UNREADABLE)}
          WHEN TRY_CAST({c} AS DATE) IS NULL OR starts_with({c}, '0000') THEN {err(parsing.DATE_DOES_NOT_EXIST)}
          WHEN day(TRY_CAST({c} AS DATE)) <> 1 THEN {err(parsing.MONTH_HAS_A_DAY)}
          ELSE {_ok(f"TRY_CAST({c} AS DATE)", "DATE")}
        END"""
    return [
        _macro("jz__date_c(s)", f"CASE WHEN {fast} THEN NULL ELSE {_dashed_date('jz_fold(s)')} END"),
        _macro("jz_date(s)", date),
        _macro(
            "jz__month_c(s)", f"CASE WHEN {fast_month} THEN NULL ELSE {_dashed_month(_dashed_date('jz_fold(s)'))} END"
        ),
        _macro("jz_month(s)", month),
    ]


def _id_macros(codes: tuple[str, ...]) -> list[str]:
    C = IdNumberErrorCode

    def err(code: IdNumberErrorCode, **exprs: str) -> str:
        return _err("VARCHAR", str(code.label), **exprs)

    a = "coalesce(CAST(as_of AS DATE), error('jz_id: as_of, the day the number is checked on, is NULL'))"
    as_of_ymd = f"(year({a}) * 10000 + month({a}) * 100 + day({a}))"
    earliest = f"{EARLIEST_BIRTH_DATE:%Y%m%d}"
    # The fast path: text already 18 digits (or 17 and X) whose digits pass every check is its own value. The
    # checks are elements of the list, so n (the first 17 digits as a number), used in all, is computed once.
    n = "TRY_CAST(substr(s, 1, 17) AS BIGINT)"
    weighted = " + ".join(f"{w} * ({n} // {10 ** (16 - i)} % 10)" for i, w in enumerate(WEIGHTS))
    ymd = f"({n} // 1000 % 100000000)"
    fails = [
        "NOT coalesce(regexp_full_match(s, '[0-9]{17}[0-9X]'), false)",
        f"substr(s, 18, 1) <> substr({_q(CHECK_CHARS)}, ({weighted}) % 11 + 1, 1)",
        "TRY_STRPTIME(substr(s, 7, 8), '%Y%m%d') IS NULL",  # 8 digits here; a year before 1800 fails below
        f"{ymd} > {as_of_ymd}",
        f"{ymd} < {earliest}",
        f"NOT jz__region_known({n} // 100000000000)",
    ]
    # The general path, parse_id_number step by step: u — the text folded, zero-width characters and whitespace
    # removed, x raised, Excel's leading ' dropped; t — u without '-'; k — t as 17 digits and the check character
    # given, or '?' for a 15-digit number (which gets 19 put in and its check character added).
    u, t, k = "jz__id_u(s)", "jz__id_t(s)", "jz__id_k(s)"
    expected = f"jz__check_character(left({k}, 17))"
    shown = f"substr({k}, 7, 4) || '-' || substr({k}, 11, 2) || '-' || substr({k}, 13, 2)"
    number = f"""
        CASE
          WHEN list_position([{", ".join(fails)}, {_anchors(u, t, k)}], true) IS NULL THEN {_ok("s", "VARCHAR")}
          WHEN s IS NULL THEN NULL
          WHEN regexp_matches({u}, {_q(_EXCEL_RE)}) AND regexp_matches({u}, '[0-9]') THEN {err(C.EXCEL_MANGLED)}
          WHEN {t} = '' THEN {err(C.EMPTY)}
          WHEN NOT regexp_full_match({t}, '[0-9X]+') THEN {err(C.BAD_CHARACTERS, chars=f"jz__other_chars({t})")}
          WHEN length({t}) NOT IN (15, 18) THEN {err(C.WRONG_LENGTH, length=f"length({t})")}
          WHEN contains(left({t}, 17), 'X') OR (length({t}) = 15 AND contains({t}, 'X'))
            THEN {err(C.BAD_CHARACTERS, chars="'X'")}
          WHEN substr({k}, 18, 1) NOT IN ('?', {expected}) THEN
            CASE WHEN ends_with({k}, '000') THEN {err(C.EXCEL_MANGLED)}
                 ELSE {err(C.CHECK_DIGIT, expected=expected, actual=f"substr({k}, 18, 1)")} END
          WHEN TRY_CAST({shown} AS DATE) IS NULL OR substr({k}, 7, 4) = '0000' THEN {err(C.BIRTH_DATE, date=shown)}
          WHEN TRY_CAST(substr({k}, 7, 8) AS INTEGER) > {as_of_ymd}
            THEN {err(C.BIRTH_DATE_FUTURE, date=shown, as_of=f"strftime({a}, '%Y-%m-%d')")}
          WHEN TRY_CAST(substr({k}, 7, 8) AS INTEGER) < {earliest}
            THEN {err(C.BIRTH_DATE_TOO_EARLY, date=shown, earliest=_q(EARLIEST_BIRTH_DATE.isoformat()))}
          WHEN NOT jz__region_known(TRY_CAST(left({k}, 6) AS INTEGER)) THEN {err(C.REGION, region=f"left({k}, 6)")}
          ELSE {_ok(f"left({k}, 17) || {expected}", "VARCHAR")}
        END"""
    fast = "regexp_full_match(s, '[0-9]{17}[0-9X]')"
    cleaned = (
        f"regexp_replace(replace(regexp_replace(jz__narrow(s), {_q(_class(WHITESPACE + INVISIBLE))}, '', 'g'),"
        " 'x', 'X'), '^''', '')"
    )
    low, high = int(codes[0]), int(codes[-1])
    known = set(map(int, codes))
    bits = "".join("1" if c in known else "0" for c in range(low, high + 1))
    # (any text gives some character: a macro applied to a constant is computed while the query is planned)
    digits = "rpad(left(regexp_replace(b, '[^0-9]', '0', 'g'), 17), 17, '0')"
    dot = f"list_dot_product(CAST(string_split({digits}, '') AS INTEGER[]), {list(WEIGHTS)})"
    return [
        _macro(
            "jz__region_known(code)",
            f"CASE WHEN code BETWEEN {low} AND {high} THEN get_bit('{bits}'::BIT,"
            f" CAST(least(greatest(code - {low}, 0), {high - low}) AS INTEGER)) = 1 ELSE false END",
        ),
        # the check character of the 17 digits b (a list: fewer expressions than arithmetic)
        _macro("jz__check_character(b)", f"substr({_q(CHECK_CHARS)}, CAST({dot} AS INTEGER) % 11 + 1, 1)"),
        # the characters of t other than digits and X, each once, in order (a lambda: only for that error)
        _macro(
            "jz__other_chars(t)",
            "list_transform([regexp_extract_all(t, '[^0-9X]')], lambda jz_l: array_to_string("
            "list_filter(jz_l, lambda jz_c, jz_i: list_position(jz_l, jz_c) = jz_i), ''))[1]",
        ),
        _macro("jz__id_u(s)", f"CASE WHEN {fast} THEN s ELSE {cleaned} END"),
        _macro("jz__id_t(s)", f"CASE WHEN {fast} THEN s ELSE replace({u}, '-', '') END"),
        _macro(
            "jz__id_k(s)",
            f"CASE WHEN {fast} THEN s ELSE {_sub(t, '^([0-9]{6})([0-9]{9})$', chr(92) + '119' + chr(92) + '2?')} END",
        ),
        _macro("jz_id(s, as_of)", number),
    ]


def _amount_macros() -> list[str]:
    def err(template: str) -> str:
        return _err("DECIMAL(18,2)", template, value="s")

    # fast: up to 12 digits and 2 decimals, which no unit takes out of range. t: the text folded and squeezed;
    # v: t without commas if it is then an amount (NULL if not); i: its integer digits without leading zeros;
    # f: its decimals without trailing zeros; k: the power of ten of its unit, explicit or the column's.
    fast = r"regexp_full_match(s, '[0-9]{1,12}(?:\.[0-9]{1,2})?')"
    t, v, i, f = "jz__amount_t(s)", "jz__amount_v(s)", "jz__amount_i(s)", "jz__amount_f(s)"
    unit = (
        "CASE WHEN unit_multiplier = 10000 THEN 4 WHEN unit_multiplier = 1 THEN 0"
        " ELSE error('jz_amount: unit_multiplier must be 1 (元) or 10000 (万元), not ' || unit_multiplier) END"
    )
    k = f"CASE WHEN contains({v}, '万') THEN 4 WHEN ends_with({v}, '元') THEN 0 ELSE {unit} END"
    exact = (
        f"TRY_CAST(CASE WHEN starts_with({v}, '-') THEN '-' ELSE '' END || CASE WHEN {i} = '' THEN '0' ELSE {i} END"
        f" || '.' || CASE WHEN {f} = '' THEN '0' ELSE {f} END AS DECIMAL(38,6))"
        f" * CASE WHEN {k} = 4 THEN 10000 ELSE 1 END"
    )
    amount = f"""
        CASE
          WHEN list_position([{fast}, {_anchors(t, v, i, f)}], true) = 1
            THEN {_ok(f"TRY_CAST(s AS DECIMAL(18,2)) * CASE WHEN {unit} = 4 THEN 10000 ELSE 1 END", "DECIMAL(18,2)")}
          WHEN s IS NULL THEN NULL
          WHEN contains({t}, ',') AND NOT regexp_full_match({t}, {_q(_AMOUNT_THOUSANDS_RE)})
            THEN {err(parsing.AMOUNT_BAD_COMMA)}
          WHEN {v} IS NULL THEN {err(parsing.AMOUNT_UNREADABLE)}
          WHEN starts_with({v}, '-') AND ({i} <> '' OR {f} <> '') AND NOT allow_negative
            THEN {err(parsing.AMOUNT_NEGATIVE)}
          WHEN length({f}) > {k} + 2 THEN {err(parsing.AMOUNT_BELOW_FEN)}
          WHEN {i} <> '' AND length({i}) + {k} > 16 THEN {err(parsing.AMOUNT_TOO_LARGE)}
          ELSE {_ok(exact, "DECIMAL(18,2)")}
        END"""
    return [
        _macro("jz__amount_t(s)", f"CASE WHEN {fast} THEN NULL ELSE jz__squeeze(s) END"),
        _macro(
            "jz__amount_v(s)",
            f"CASE WHEN regexp_full_match(replace({t}, ',', ''), {_q(_AMOUNT_RE)}) THEN replace({t}, ',', '') END",
        ),
        _macro("jz__amount_i(s)", f"ltrim(regexp_extract({v}, '^[+-]?([0-9]+)', 1), '0')"),
        _macro("jz__amount_f(s)", f"rtrim(regexp_extract({v}, '\\.([0-9]+)', 1), '0')"),
        _macro("jz_amount(s, unit_multiplier, allow_negative)", amount),
    ]


def _int_macros() -> list[str]:
    def err(template: str) -> str:
        return _err("BIGINT", template, value="s")

    # fast: text exactly as DuckDB writes the number (no sign, no leading zero). t: the text folded and squeezed;
    # v: t without commas if it is then a number (NULL if not).
    n = "TRY_CAST(s AS BIGINT)"
    fast = f"(CAST({n} AS VARCHAR) = s AND {n} BETWEEN -{'9' * 18} AND {'9' * 18})"
    t, v = "jz__int_t(s)", "jz__int_v(s)"
    number = f"""
        CASE
          WHEN list_position([{fast}, {_anchors(t, v)}], true) = 1 THEN {_ok(n, "BIGINT")}
          WHEN s IS NULL THEN NULL
          WHEN contains({t}, ',') AND NOT regexp_full_match({t}, {_q(_INT_THOUSANDS_RE)}) THEN {err(INT_BAD_COMMA)}
          WHEN {v} IS NULL THEN {err(INT_UNREADABLE)}
          WHEN rtrim(regexp_extract({v}, '\\.([0-9]+)', 1), '0') <> '' THEN {err(INT_NOT_WHOLE)}
          WHEN length(ltrim(regexp_extract({v}, '^[+-]?([0-9]+)', 1), '0')) > 18 THEN {err(INT_TOO_LARGE)}
          ELSE {_ok(f"regexp_extract({v}, '^([+-]?[0-9]+)', 1)", "BIGINT")}
        END"""
    return [
        _macro("jz__int_t(s)", f"CASE WHEN {fast} THEN NULL ELSE jz__squeeze(s) END"),
        _macro(
            "jz__int_v(s)",
            f"CASE WHEN regexp_full_match(replace({t}, ',', ''), {_q(_INT_RE)}) THEN replace({t}, ',', '') END",
        ),
        _macro("jz_int(s)", number),
    ]


def _phone_macros() -> list[str]:
    def err(template: str, **exprs: str) -> str:
        return _err("VARCHAR", template, value="s", **exprs)

    # fast: a mobile as it should be. t: the text folded and squeezed; d0: its digits without '-' and parentheses
    # (NULL if it has other characters); d: without +86 or 0086.
    fast = "regexp_full_match(s, '1[3-9][0-9]{9}')"
    t, d0 = "jz__phone_t(s)", "jz__phone_d0(s)"
    d = f"regexp_replace({d0}, '^(\\+86|0086)', '')"
    intl = f"regexp_matches({d0}, '^(\\+86|0086)')"
    phone = f"""
        CASE
          WHEN list_position([{fast}, {_anchors(t, d0)}], true) = 1 THEN {_ok("s", "VARCHAR")}
          WHEN s IS NULL THEN NULL
          WHEN {d0} IS NULL OR starts_with({d}, '+') THEN {err(PHONE_UNREADABLE)}
          WHEN regexp_full_match({d}, '1[3-9][0-9]{{9}}') THEN {_ok(d, "VARCHAR")}
          WHEN NOT {intl} AND regexp_full_match({d}, '{_AREA_RE}[2-9][0-9]{{6,7}}')
            THEN {_ok(f"regexp_replace({d}, '^{_AREA_RE}', {_q(chr(92) + '1-')})", "VARCHAR")}
          WHEN starts_with({d}, '1') AND length({d}) <> 11 THEN {err(PHONE_MOBILE_LENGTH, length=f"length({d})")}
          ELSE {err(PHONE_UNREADABLE)}
        END"""
    return [
        _macro("jz__phone_t(s)", f"CASE WHEN {fast} THEN NULL ELSE jz__squeeze(s) END"),
        _macro(
            "jz__phone_d0(s)",
            f"CASE WHEN regexp_full_match({t}, '\\+?[0-9()\\-]+')"
            f" THEN replace(replace(replace({t}, '(', ''), ')', ''), '-', '') END",
        ),
        _macro("jz_phone(s)", phone),
    ]


def _sex_macros() -> list[str]:
    keys = "[" + ", ".join(map(_q, _SEXES)) + "]"
    values = "[" + ", ".join(map(_q, _SEXES.values())) + "]"
    raw = " ".join(f"WHEN s = {_q(key)} THEN {_ok(_q(value), 'VARCHAR')}" for key, value in _SEXES.items())
    sex = f"""
        CASE {raw}
          WHEN s IS NULL THEN NULL
          WHEN list_position({keys}, jz_fold(s)) IS NULL THEN {_err("VARCHAR", SEX_UNREADABLE, value="s")}
          ELSE {_ok(f"{values}[list_position({keys}, jz_fold(s))]", "VARCHAR")}
        END"""
    return [_macro("jz_sex(s)", sex)]


def _text_macros() -> list[str]:
    unusual = _q(_class(FULL_WIDTH + INVISIBLE + WHITESPACE.replace(" ", "")) + "|^ | $|  ")
    squeezed = (
        f"regexp_replace(regexp_replace(regexp_replace(jz__narrow(s), {_q(_class(INVISIBLE))}, '', 'g'),"
        f" {_q(_WS + '+')}, ' ', 'g'), '^ | $', '', 'g')"
    )
    dots = NAME_DOTS.replace("·", "")
    unusual_name = _q(_class(FULL_WIDTH + WHITESPACE + INVISIBLE + dots))
    name = (
        f"regexp_replace(regexp_replace(jz__narrow(s), {_q(_class(WHITESPACE + INVISIBLE))}, '', 'g'),"
        f" {_q(_class(dots))}, '·', 'g')"
    )
    return [
        _macro("jz_text_value(s)", f"nullif(CASE WHEN regexp_matches(s, {unusual}) THEN {squeezed} ELSE s END, '')"),
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
