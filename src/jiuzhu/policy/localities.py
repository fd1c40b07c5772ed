"""Which pack decides for a place: the most specific pack up the division-code chain (district → city → province →
national), so a district without a pack of its own is decided by its city's or province's rules."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.packs import available_packs, resolve_folder

CHINA = ZoneInfo("Asia/Shanghai")


def pack_for_division(code: str) -> str:
    """The folder of the pack that applies to a division code (GB/T 2260, 6 or more digits)."""
    code = (code or "")[:6]
    candidates = [code, code[:4] + "00", code[:2] + "0000"] if len(code) == 6 else []
    for candidate in candidates:
        try:
            return resolve_folder(candidate).name
        except PolicyError:
            continue
    return "national"


def pack_for(locality: str) -> str:
    """The pack asked for: a folder name or a pack's code, or for a division code without a pack of its own, the
    city's or the province's pack. Never silently the national rules for a place nobody has described."""
    try:
        return resolve_folder(locality).name
    except PolicyError:
        if len(locality) == 6 and locality.isdigit():
            found = pack_for_division(locality)
            if found != "national":
                return found
        raise


def home_locality() -> str:
    """The platform's own locality: JIUZHU_LOCALITY, else the top unit of the organisation tree, else national."""
    if configured := getattr(settings, "JIUZHU_LOCALITY", ""):
        return resolve_folder(configured).name
    from jiuzhu.org.models import OrgUnit

    top = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    return pack_for_division(top.division_code) if top else "national"


def today() -> date:
    """Today in China: decisions are dated by the local calendar, never by the server's UTC date."""
    return datetime.now(CHINA).date()


def locality_choices() -> list[tuple[str, str]]:
    from jiuzhu.policy.packs import load_pack

    return [(folder, load_pack(folder).name) for folder in sorted(available_packs())]
