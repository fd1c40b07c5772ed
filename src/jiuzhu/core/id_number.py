"""Chinese resident ID numbers (公民身份号码, GB 11643-1999): normalisation, validation and parsing.

Import files come from Excel, so the normaliser is strict about one thing: a number that Excel has turned into
a float (1.10105E+17, trailing ".0", last digits rounded to 000) is refused with EXCEL_MANGLED, never guessed.
Region codes are checked against python-stdnum's GB/T 2260 table in any era, because the address code is the
one where the card was issued, not necessarily one that existed when the holder was born.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum import numdb

from jiuzhu.core.errors import JiuzhuError
from jiuzhu.core.parsing import fold_width

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH_DATE = date(1800, 1, 1)  # GB 11643 allows 18xx; its own worked example is born 1880

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"  # zero-width space, non-joiner, joiner, word joiner, BOM
_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))
_EXCEL_NUMBER = re.compile(r"[+-]?\d+(\.\d*)?E[+-]?\d+|[+-]?\d*\.\d*", re.IGNORECASE | re.ASCII)
_NOT_PLACE_NAMES = frozenset({"市辖区", "县", "省直辖县级行政单位", "省直辖行政单位", "自治区直辖县级行政单位"})


class IdNumberErrorCode(models.TextChoices):
    EMPTY = "empty", _("身份证号为空")
    WRONG_LENGTH = "wrong_length", _("身份证号应为18位（或旧版15位），实际为{length}位")
    BAD_CHARACTERS = "bad_characters", _("身份证号含有非法字符：{chars}（只允许数字，末位可为X）")
    CHECK_DIGIT = "check_digit", _("身份证号校验位错误：应为{expected}，实际为{actual}，请核对号码是否抄错")
    BIRTH_DATE = "birth_date", _("身份证号中的出生日期不存在：{date}")
    BIRTH_DATE_FUTURE = "birth_date_future", _("身份证号中的出生日期{date}晚于当前日期{as_of}")
    BIRTH_DATE_TOO_EARLY = "birth_date_too_early", _("身份证号中的出生日期{date}早于{earliest}，不可能")
    REGION = "region", _("身份证号前6位地址码{region}不是有效的行政区划代码")
    EXCEL_MANGLED = (
        "excel_mangled",
        _("身份证号疑似被 Excel 转换为数字（如 1.10105E+17 或末尾变成000），请将该列设为文本后重新导出"),
    )


class IdNumberError(JiuzhuError):
    """An ID number that cannot be accepted; `code` is an IdNumberErrorCode."""


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date
    sex: str  # "M" or "F"
    region_code: str
    region_name: str
    upgraded_from_15: bool


def check_digit(body17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') for a 17-digit body."""
    if len(body17) != 17 or not body17.isascii() or not body17.isdigit():
        raise ValueError(f"expected 17 digits, got {body17!r}")
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(body17, WEIGHTS, strict=True)) % 11]


def _era_name(entry: str) -> str:
    """The most recent name of a table entry such as '[1983-2003]新城区,[2004-]青秀区' → '青秀区'."""
    return re.sub(r"^\[[^\]]*\]", "", entry.split(",")[-1])


@lru_cache(maxsize=4096)
def region_name(code: str) -> str | None:
    """Full name of a 6-digit GB/T 2260 code present in any era of the table, else None."""
    if len(code) != 6 or not code.isdigit():
        return None
    db = numdb.get("cn/loc")
    info = {k: v for _part, props in db.info(code) for k, v in props.items()}
    if "county" not in info:
        return None
    province, county = info["province"], _era_name(info["county"])
    parts = [province]
    if code[4:] != "00":  # a county: add its prefecture when that is a real place name
        pref = {k: v for _p, props in db.info(code[:4] + "00") for k, v in props.items()}.get("county")
        if pref and _era_name(pref) not in _NOT_PLACE_NAMES and _era_name(pref) != province:
            parts.append(_era_name(pref))
    if county not in parts:
        parts.append(county)
    return "".join(parts)


def _clean(raw: str | int | float | None) -> str:
    """Reduce the raw value to the candidate characters, refusing anything Excel has turned into a number."""
    if raw is None:
        raise IdNumberError(IdNumberErrorCode.EMPTY)
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise TypeError(f"ID number must be str, int or float, not {type(raw).__name__}")
    if isinstance(raw, float):
        raise IdNumberError(IdNumberErrorCode.EXCEL_MANGLED)
    if isinstance(raw, int):
        text = str(raw)
        if len(text) != 18:  # only a full-precision 18-digit int can be trusted; it is still fully checked
            raise IdNumberError(IdNumberErrorCode.EXCEL_MANGLED)
        return text
    # Narrow fold (full-width ASCII and U+3000 only: '①' stays '①' and is refused), zero-width characters and
    # all whitespace removed, lower-case x raised.
    text = "".join(fold_width(raw).translate(_INVISIBLE).split()).replace("x", "X")
    text = text.removeprefix("'")  # Excel's "store as text" marker
    if _EXCEL_NUMBER.fullmatch(text) and any(c.isdigit() for c in text):
        raise IdNumberError(IdNumberErrorCode.EXCEL_MANGLED)
    return text.replace("-", "")


def parse_id_number(raw: str | int | float | None, *, as_of: date | None = None) -> IdNumber:
    """Normalise and fully validate an ID number; raise IdNumberError with the precise reason."""
    text = _clean(raw)
    if not text:
        raise IdNumberError(IdNumberErrorCode.EMPTY)
    bad = [c for c in text if not (c.isascii() and (c.isdigit() or c == "X"))]
    if bad:
        raise IdNumberError(IdNumberErrorCode.BAD_CHARACTERS, chars="".join(dict.fromkeys(bad)))
    if len(text) not in (15, 18):
        raise IdNumberError(IdNumberErrorCode.WRONG_LENGTH, length=len(text))
    if "X" in text[:-1] or (len(text) == 15 and "X" in text):
        raise IdNumberError(IdNumberErrorCode.BAD_CHARACTERS, chars="X")
    upgraded = len(text) == 15
    if upgraded:
        body = text[:6] + "19" + text[6:]
        text = body + check_digit(body)
    expected = check_digit(text[:17])
    if text[17] != expected:
        if text.endswith("000"):  # Excel keeps 15 significant digits: the rounded tail reads 000
            raise IdNumberError(IdNumberErrorCode.EXCEL_MANGLED)
        raise IdNumberError(IdNumberErrorCode.CHECK_DIGIT, expected=expected, actual=text[17])
    shown = f"{text[6:10]}-{text[10:12]}-{text[12:14]}"
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise IdNumberError(IdNumberErrorCode.BIRTH_DATE, date=shown) from None
    today = as_of or date.today()
    if born > today:
        raise IdNumberError(IdNumberErrorCode.BIRTH_DATE_FUTURE, date=shown, as_of=today.isoformat())
    if born < EARLIEST_BIRTH_DATE:
        raise IdNumberError(
            IdNumberErrorCode.BIRTH_DATE_TOO_EARLY, date=shown, earliest=EARLIEST_BIRTH_DATE.isoformat()
        )
    name = region_name(text[:6])
    if name is None:
        raise IdNumberError(IdNumberErrorCode.REGION, region=text[:6])
    return IdNumber(
        number=text,
        birth_date=born,
        sex="M" if int(text[16]) % 2 else "F",
        region_code=text[:6],
        region_name=name,
        upgraded_from_15=upgraded,
    )


def normalize_id_number(raw: str | int | float | None, *, as_of: date | None = None) -> str:
    """Return the canonical 18-character form of a valid ID number, or raise IdNumberError."""
    return parse_id_number(raw, as_of=as_of).number


def is_valid_id_number(raw: str | int | float | None) -> bool:
    """True if `raw` normalises to a valid ID number as of today."""
    try:
        parse_id_number(raw)
    except IdNumberError:
        return False
    return True


def make_id_number(region_code: str, birth_date: date, sequence: int) -> str:
    """Build an 18-character number with a correct check digit (sex follows the parity of `sequence`).

    Only the shape of `region_code` is checked here, not its presence in the region table.
    """
    if len(region_code) != 6 or not region_code.isascii() or not region_code.isdigit():
        raise ValueError(f"region code must be 6 digits, got {region_code!r}")
    if not 0 <= sequence <= 999:
        raise ValueError(f"sequence must be in 0..999, got {sequence}")
    body = f"{region_code}{birth_date.year:04d}{birth_date:%m%d}{sequence:03d}"
    return body + check_digit(body)
