"""Masking of personal identifiers for display to roles that must not see them in full."""

from __future__ import annotations

import re

_MOBILE = re.compile(r"(?:\+?86)?(1\d{10})")
# Area codes: 010 and 02x have three digits, every other one (0xxx) has four.
_LANDLINE = re.compile(r"(010|02\d|0[3-9]\d\d)(\d{7,8})")


def _mask_all_but_last_two(value: str) -> str:
    return "*" * len(value) if len(value) <= 2 else "*" * (len(value) - 2) + value[-2:]


def mask_id_number(number: str | None) -> str:
    """Keep the first 6 (region) and last 4 characters: '530102199001011234' → '530102********1234'.

    Values too short to hide at least four characters that way keep only their last two.
    """
    value = (number or "").strip()
    if len(value) < 14:
        return _mask_all_but_last_two(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(phone: str | None) -> str:
    """Mask a phone number: mobile '13812345678' → '138****5678', landline '0871-65123456' → '0871-****3456'.

    Anything else keeps only its last two characters.
    """
    value = (phone or "").strip()
    compact = re.sub(r"[\s\-()]", "", value)
    if m := _MOBILE.fullmatch(compact):
        mobile = m.group(1)
        return f"{mobile[:3]}****{mobile[-4:]}"
    if m := _LANDLINE.fullmatch(compact):
        area, local = m.groups()
        return f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
    return _mask_all_but_last_two(value)
