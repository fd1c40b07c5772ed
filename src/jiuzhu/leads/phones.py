"""Mobile numbers of reporters: one canonical form (11 digits), whatever was typed."""

from __future__ import annotations

import re

from jiuzhu.core.parsing import fold_width
from jiuzhu.leads.errors import LeadError
from jiuzhu.leads.errors import LeadErrorCode as E

_MOBILE = re.compile(r"1[3-9]\d{9}")


def normalize_mobile(raw: str | None) -> str:
    """'138 1234 5678', '+86-13812345678', full-width digits → '13812345678'; anything else raises LeadError."""
    text = re.sub(r"[\s\-()]", "", fold_width(raw or ""))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not _MOBILE.fullmatch(text):
        raise LeadError(E.PHONE_INVALID, phone=(raw or "").strip()[:20])
    return text
