"""The citizen's side of R6 (网上申请): log-in by mobile number and a one-time code sent by SMS, and the reads a
verified phone may make — its own applications, nothing else.

A code is six random digits, valid 10 minutes, at most 5 tries; only its keyed hash (HMAC with SECRET_KEY) is
kept. Sending is limited per phone and per client address (1 a minute, 5 an hour; settings
JIUZHU_CITIZEN_CODE_LIMITS overrides). Only the newest code of a phone counts: asking again replaces the last one.
A verified phone is never a staff log-in: the pages keep it under its own session key (see citizen_views).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.audit import services as audit
from jiuzhu.cases.errors import CaseError
from jiuzhu.cases.errors import CaseErrorCode as E
from jiuzhu.cases.intake import application_create, locality_of
from jiuzhu.cases.models import Application, CitizenCode
from jiuzhu.cases.workflows import config
from jiuzhu.core import sms
from jiuzhu.core.errors import NotFound
from jiuzhu.core.masking import mask_phone
from jiuzhu.core.parsing import fold_width
from jiuzhu.org.models import OrgUnit

CODE_DIGITS = 6
CODE_VALID = timedelta(minutes=10)
CODE_TRIES = 5
LIMIT_PURPOSE = "citizen_code"  # leads.PublicRequest rows: one per code sent, keyed by a hash of the address


@dataclass(frozen=True)
class SendLimit:
    gap: timedelta  # at least this long between two sends
    per_window: int  # at most this many sends …
    window: timedelta  # … in this long


LIMITS = {
    "phone": SendLimit(timedelta(seconds=60), 5, timedelta(hours=1)),
    "address": SendLimit(timedelta(seconds=60), 5, timedelta(hours=1)),
}

_MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)


def citizen_phone_normalize(raw: str | None) -> str:
    """'138 1234 5678', '+86 13812345678', full-width digits → '13812345678'; anything else is refused."""
    text = re.sub(r"[\s\-()]", "", fold_width(raw or ""))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not _MOBILE.fullmatch(text):
        raise CaseError(E.PHONE_INVALID, phone=(raw or "").strip()[:20])
    return text


def code_hash(phone: str, code: str) -> str:
    """The only trace of a code that is kept: an HMAC keyed with SECRET_KEY (a stolen table alone reveals nothing)."""
    return hmac.new(settings.SECRET_KEY.encode(), f"citizen-code|{phone}|{code}".encode(), hashlib.sha256).hexdigest()


def _client_key(address: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}|{address}".encode()).hexdigest()


def _limits() -> dict[str, SendLimit]:
    return getattr(settings, "JIUZHU_CITIZEN_CODE_LIMITS", None) or LIMITS


def _wait_minutes(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


def _check(sent: list[datetime], limit: SendLimit, now: datetime) -> None:
    """Raise CODE_TOO_MANY when `sent` (the send times within the window, newest first) leaves no room now."""
    if sent and now - sent[0] < limit.gap:
        raise CaseError(E.CODE_TOO_MANY, minutes=_wait_minutes(sent[0] + limit.gap, now))
    if len(sent) >= limit.per_window:
        raise CaseError(E.CODE_TOO_MANY, minutes=_wait_minutes(sent[limit.per_window - 1] + limit.window, now))


def code_text(code: str) -> str:
    sign = getattr(settings, "JIUZHU_SMS_SIGN", "") or "民政救助"
    minutes = int(CODE_VALID.total_seconds() // 60)
    return f"【{sign}】您的验证码为{code}，{minutes}分钟内有效。如非本人操作请忽略。"


@transaction.atomic
def citizen_code_send(*, phone: str, address: str = "") -> CitizenCode:
    """Send a one-time log-in code to `phone` (from the client at `address`). Raises CaseError PHONE_INVALID or
    CODE_TOO_MANY (with the minutes to wait). The code itself leaves only in the text message."""
    from jiuzhu.leads.models import PublicRequest

    phone = citizen_phone_normalize(phone)
    now = timezone.now()
    limits = _limits()
    by_phone, by_address = limits["phone"], limits["address"]
    CitizenCode.objects.filter(sent_at__lt=now - max(timedelta(days=1), by_phone.window)).delete()
    # one send at a time per phone: lock the phone's rows (PostgreSQL; SQLite serialises writers anyway)
    sent = list(
        CitizenCode.objects.select_for_update()
        .filter(phone=phone, sent_at__gte=now - by_phone.window)
        .order_by("-sent_at", "-pk")
        .values_list("sent_at", flat=True)
    )
    _check(sent, by_phone, now)
    client = _client_key(address)
    requests = PublicRequest.objects.filter(purpose=LIMIT_PURPOSE, client=client, at__gte=now - by_address.window)
    _check(list(requests.order_by("-at").values_list("at", flat=True)), by_address, now)
    PublicRequest.objects.filter(purpose=LIMIT_PURPOSE, at__lt=now - by_address.window).delete()
    PublicRequest.objects.create(purpose=LIMIT_PURPOSE, client=client, at=now)
    # only the newest code counts: an earlier one still unused stops working
    CitizenCode.objects.filter(phone=phone, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = CitizenCode.objects.create(
        phone=phone, code_hash=code_hash(phone, code), sent_at=now, expires_at=now + CODE_VALID
    )
    text = code_text(code)
    transaction.on_commit(lambda: sms.send(phone, text))
    return row


def citizen_code_verify(*, phone: str, code: str) -> str:
    """Check a code typed for `phone`; return the normalised phone once verified (the code is then used up) and audit
    the log-in. A wrong code counts one try (kept even though the error is raised); after 5 the code is dead."""
    phone = citizen_phone_normalize(phone)
    typed = re.sub(r"\s", "", fold_width(code or ""))
    now = timezone.now()
    with transaction.atomic():
        row = (
            CitizenCode.objects.select_for_update()
            .filter(phone=phone, used_at__isnull=True)
            .order_by("-sent_at", "-pk")
            .first()
        )
        if row is None or row.expires_at <= now:
            outcome = "expired"
        elif row.attempts >= CODE_TRIES:
            outcome = "dead"
        else:
            row.attempts += 1
            ok = typed.isdigit() and hmac.compare_digest(row.code_hash, code_hash(phone, typed))
            if ok:
                row.used_at = now
                outcome = "ok"
            else:
                outcome = "dead" if row.attempts >= CODE_TRIES else "wrong"
            row.save(update_fields=["attempts", "used_at"])
            if ok:
                audit.record(actor=None, action="citizen.login", changes={"phone": mask_phone(phone)})
    if outcome == "ok":
        return phone
    if outcome == "wrong":
        left = CODE_TRIES - row.attempts
        raise CaseError(E.CODE_WRONG, detail=_("验证码不正确，还可以再试 %(left)s 次") % {"left": left})
    if outcome == "dead":
        raise CaseError(E.CODE_WRONG, detail=_("验证码输错次数过多，已失效，请重新获取验证码"))
    raise CaseError(E.CODE_WRONG, detail=_("验证码不正确或已过期，请重新获取验证码"))


# --- Applying online ----------------------------------------------------------------------------------------------


def citizen_apply(
    *,
    phone: str,
    street: OrgUnit,
    based_on: str,
    applicant_name: str,
    applicant_id_number: str,
    address: str,
    members: list[dict],
    programmes: list[str],
    situation: str = "",
    emergency_kind: str = "",
    emergency_loss: Decimal | None = None,
    consent_personal: bool,
    consent_verification: bool,
) -> Application:
    """A verified phone applies online (channel online, no staff actor). Nothing is kept without both consents —
    to the processing of the family's personal information and to the economic verification (CONSENT_REQUIRED).
    The declared members and address go into `declared` for the window, which registers or links the family at
    acceptance; the paper authorization still has to be signed there by everyone."""
    if not (consent_personal and consent_verification):
        raise CaseError(E.CONSENT_REQUIRED)
    phone = citizen_phone_normalize(phone)
    if street.level != OrgUnit.Level.STREET or not street.is_active:
        raise CaseError(E.OUT_OF_JURISDICTION)
    if based_on not in ("hukou", "residence"):
        based_on = "hukou"
    if based_on == "residence" and not config(locality_of(street)).residence_applications:
        raise CaseError(E.WRONG_PLACE, detail=_("本地未开放按居住地申请，请按户籍地申请（民发〔2021〕57号 第五条）"))
    now = timezone.now()
    declared: dict = {
        "address": address.strip()[:200],
        "members": [
            {"name": m["name"].strip()[:50], "relation": m.get("relation", ""), "id_number": m.get("id_number", "")}
            for m in members
            if (m.get("name") or "").strip()
        ],
        "consent": {
            "at": now.isoformat(),
            "personal_information": True,
            "verification_authorization": True,
        },
    }
    if emergency_kind:
        declared["emergency"] = {"kind": emergency_kind, "loss": str(emergency_loss or 0), "months": 1}
    return application_create(
        actor=None,
        unit=street,
        channel=Application.Channel.ONLINE,
        applicant_name=applicant_name,
        programmes=list(programmes),
        phone=phone,
        applicant_id_number=applicant_id_number,
        situation=situation,
        declared=declared,
        emergency=bool(emergency_kind),
        based_on=based_on,
    )


# --- Reads by a verified phone -----------------------------------------------------------------------------------


def citizen_application_list(*, phone: str) -> QuerySet[Application]:
    """The applications whose contact phone is the verified phone — whatever the channel — and nothing else."""
    if not phone:
        return Application.objects.none()
    return Application.objects.filter(phone=phone).select_related("unit").order_by("-created_at", "-pk")


def citizen_application_get(*, phone: str, number: str) -> Application:
    """One application by its number, only if it is the verified phone's; otherwise NotFound, alike for missing."""
    try:
        return citizen_application_list(phone=phone).get(number=number)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise NotFound from None
