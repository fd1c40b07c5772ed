"""Dates and amounts as people write them, understood exactly or refused — never guessed.

Used by the household-facts documents of the policy engine and by department feeds alike.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_AMOUNT = re.compile(r"^([+-]?\d+(?:\.\d+)?)(万)?(元)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?(万)?(元)?$")


def fold(text: str) -> str:
    """Full-width digits and punctuation to ASCII (NFKC), surrounding spaces removed."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_date(value: object) -> date:
    """A calendar date from 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日 or 20240305; ValueError otherwise."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("日期应写成 2024-03-05 或 2024年3月5日")
    text = fold(value)
    for pattern in _DATE_PATTERNS:
        if m := pattern.match(text):
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise ValueError(f"日期“{value}”不存在") from None
    raise ValueError(f"无法识别的日期“{value}”，应写成 2024-03-05 或 2024年3月5日")


def parse_amount(value: object) -> Decimal:
    """An amount in yuan from 1200, "1,200", "1200元", "1.2万" or "1.2万元", exactly; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("金额应为数字")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise ValueError("金额应为数字")
    text = fold(value).replace(" ", "")  # NFKC has made a full-width ， a comma
    if "," in text:
        if not _THOUSANDS.match(text):
            raise ValueError(f"无法识别的金额“{value}”：逗号只能用作千位分隔，如 12,000")
        text = text.replace(",", "")
    m = _AMOUNT.match(text)
    if not m:
        raise ValueError(f"无法识别的金额“{value}”，应写成 1200、1200元 或 1.2万元")
    try:
        amount = Decimal(m[1])
    except InvalidOperation:
        raise ValueError(f"无法识别的金额“{value}”") from None
    return amount * 10000 if m[2] else amount
