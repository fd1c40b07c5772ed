"""Dates, months and amounts as people write them, understood exactly or refused — never guessed.

Used by the household-facts documents of the policy engine and by department feeds alike; the bulk form of the
same rules, in DuckDB SQL, is jiuzhu.exchange.normalise and is held equal to this module by its tests.

Folding is narrow on purpose: full-width ASCII (U+FF01–U+FF5E, what a Chinese input method types) becomes ASCII
and the ideographic space U+3000 a space — nothing else. NFKC would also read '①' as 1, '²' as 2 or '㎡' as "m2",
which is a guess; such characters are refused with the rest. Only ASCII digits are digits.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

# The messages, as templates: the bulk SQL of jiuzhu.exchange.normalise fills in the same text.
DATE_NOT_TEXT = "日期应写成 2024-03-05 或 2024年3月5日"
DATE_UNREADABLE = "无法识别的日期“{value}”，应写成 2024-03-05 或 2024年3月5日"
DATE_DOES_NOT_EXIST = "日期“{value}”不存在"
MONTH_NOT_TEXT = "月份应写成 2024-03 或 2024年3月"
MONTH_UNREADABLE = "无法识别的月份“{value}”，应写成 2024-03 或 2024年3月"
MONTH_DOES_NOT_EXIST = "月份“{value}”不存在"
MONTH_HAS_A_DAY = "月份“{value}”写了具体日期，应只写年月，如 2024-03（写成该月1日也可以）"
AMOUNT_NOT_A_NUMBER = "金额应为数字"
AMOUNT_UNREADABLE = "无法识别的金额“{value}”，应写成 1200、1200元 或 1.2万元"
AMOUNT_BAD_COMMA = "无法识别的金额“{value}”：逗号只能用作千位分隔，如 12,000"
AMOUNT_NEGATIVE = "金额不能为负数：{value}"
AMOUNT_BELOW_FEN = "金额“{value}”精确到分以下，无法确认"
AMOUNT_TOO_LARGE = "金额“{value}”过大，超出可记录的范围"
AMOUNT_BAD_UNIT = "金额的单位应为“元”或“万元”，而不是“{unit}”"

UNITS = {"元": 0, "万元": 4}  # the power of ten that turns an amount in the unit into yuan
AMOUNT_LIMIT = Decimal(10) ** 16  # DECIMAL(18,2): 16 digits of yuan and 2 of fen

_DATE_PATTERNS = tuple(
    re.compile(p, re.ASCII)
    for p in (
        r"(\d{4})-(\d{1,2})-(\d{1,2})",
        r"(\d{4})/(\d{1,2})/(\d{1,2})",
        r"(\d{4})\.(\d{1,2})\.(\d{1,2})",
        r"(\d{4})年(\d{1,2})月(\d{1,2})日",
        r"(\d{4})(\d{2})(\d{2})",
    )
)
_MONTH_PATTERNS = tuple(
    re.compile(p, re.ASCII) for p in (r"(\d{4})[-/.](\d{1,2})", r"(\d{4})年(\d{1,2})月", r"(\d{4})(\d{2})")
)
_AMOUNT = re.compile(r"([+-]?\d+(?:\.\d+)?)(万)?(元)?", re.ASCII)
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?万?元?", re.ASCII)


def fold_width(text: str) -> str:
    """Full-width ASCII (U+FF01–U+FF5E) to ASCII and the ideographic space U+3000 to ' '; nothing else."""
    return text.translate(_WIDTH)


def fold(text: str) -> str:
    """fold_width, then surrounding whitespace (anything str.isspace) removed."""
    return fold_width(text).strip()


def parse_date(value: object) -> date:
    """A calendar date from 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日 or 20240305; ValueError otherwise."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(DATE_NOT_TEXT)
    text = fold(value)
    for pattern in _DATE_PATTERNS:
        if m := pattern.fullmatch(text):
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise ValueError(DATE_DOES_NOT_EXIST.format(value=value)) from None
    raise ValueError(DATE_UNREADABLE.format(value=value))


def parse_month(value: object) -> date:
    """The first day of a month written 2024-03, 2024-3, 2024/03, 2024.03, 2024年3月 or 202403; ValueError otherwise.

    A full date (any form parse_date reads) is accepted only when it is the 1st of its month — the form in which
    a spreadsheet stores a month cell (2024-03-01); any other day is refused, because which month was meant by
    "2024-03-15" (that one, or the month it was reported for?) is a guess. A date object follows the same rule.
    """
    if isinstance(value, date):
        if value.day != 1:
            raise ValueError(MONTH_HAS_A_DAY.format(value=value))
        return date(value.year, value.month, 1)
    if not isinstance(value, str):
        raise ValueError(MONTH_NOT_TEXT)
    text = fold(value)
    for pattern in _MONTH_PATTERNS:
        if m := pattern.fullmatch(text):
            try:
                return date(int(m[1]), int(m[2]), 1)
            except ValueError:
                raise ValueError(MONTH_DOES_NOT_EXIST.format(value=value)) from None
    if any(pattern.fullmatch(text) for pattern in _DATE_PATTERNS):
        day = parse_date(value)
        if day.day != 1:
            raise ValueError(MONTH_HAS_A_DAY.format(value=value))
        return day
    raise ValueError(MONTH_UNREADABLE.format(value=value))


def _scaled(amount: Decimal, power: int) -> Decimal:
    """amount × 10**power, exactly (Decimal arithmetic would round to the context's 28 digits)."""
    sign, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)
    return Decimal((sign, digits, exponent + power))


def _exact_to_the_fen(amount: Decimal) -> bool:
    _sign, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)
    below_fen = -2 - exponent
    return below_fen <= 0 or not any(digits[-below_fen:])


def parse_amount(value: object, *, unit: str = "元", allow_negative: bool = False) -> Decimal:
    """An amount in yuan from 1200, "1,200", "1200元", "1.2万" or "1.2万元", exactly; ValueError otherwise.

    `unit` ("元" or "万元") is the column's unit, used when the value carries none of its own: an explicit 元, 万
    or 万元 in the value wins ("1.2" in a 万元 column is 12000 yuan, "800元" there is 800). The amount in yuan must
    be exact to the fen ("1.234" is refused, "1.230" is 1.23) and below 10^16. A negative amount in text is refused
    unless `allow_negative`. A Python number (int, float, Decimal) is scaled and held to the fen the same way; its
    sign is left to the caller, which has its own message for it (policy.facts does).
    """
    if unit not in UNITS:
        raise ValueError(AMOUNT_BAD_UNIT.format(unit=unit))
    if isinstance(value, bool):
        raise ValueError(AMOUNT_NOT_A_NUMBER)
    if isinstance(value, int | float | Decimal):
        amount = (
            Decimal(value) if isinstance(value, int) else Decimal(repr(value)) if isinstance(value, float) else value
        )
        if not amount.is_finite():
            raise ValueError(AMOUNT_NOT_A_NUMBER)
        amount = _scaled(amount, UNITS[unit])
    elif isinstance(value, str):
        text = "".join(fold(value).split())  # "1 200" is 1200, whatever the space
        if "," in text:  # a full-width ， has been folded to a comma
            if not _THOUSANDS.fullmatch(text):
                raise ValueError(AMOUNT_BAD_COMMA.format(value=value))
            text = text.replace(",", "")
        m = _AMOUNT.fullmatch(text)
        if not m:
            raise ValueError(AMOUNT_UNREADABLE.format(value=value))
        power = 4 if m[2] else 0 if m[3] else UNITS[unit]
        amount = _scaled(Decimal(m[1]), power)
        if amount < 0 and not allow_negative:
            raise ValueError(AMOUNT_NEGATIVE.format(value=value))
    else:
        raise ValueError(AMOUNT_NOT_A_NUMBER)
    if not _exact_to_the_fen(amount):
        raise ValueError(AMOUNT_BELOW_FEN.format(value=value))
    if amount.copy_abs() >= AMOUNT_LIMIT:  # copy_abs and >= are exact; abs() would round
        raise ValueError(AMOUNT_TOO_LARGE.format(value=value))
    return amount


_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?", re.ASCII)


def parse_number(value: str) -> Decimal:
    """A plain number as typed ("760", "1.5", "0.125", "-3", "12,000"), exactly: no unit, no rounding."""
    text = "".join(fold(value).split())
    if "," in text and re.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", text, re.ASCII):
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"无法识别的数值“{value}”")
    return Decimal(text)
