"""Text messages (短信) through a pluggable provider, chosen by JIUZHU_SMS_BACKEND:

  console  (default) the message is written to the log — a laptop or a demo, where nobody should be texted
  memory   kept in `outbox` in this process — the tests read codes from there
  http     POSTed as JSON {"phone": …, "text": …, "sign": JIUZHU_SMS_SIGN} to JIUZHU_SMS_URL with the bearer token
           JIUZHU_SMS_TOKEN — an intranet SMS gateway (政务短信平台) or a vendor's adapter in front of one

A provider failure never breaks the transaction that wanted to notify: it is logged and reported as not sent.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from dataclasses import dataclass

from django.conf import settings

log = logging.getLogger("jiuzhu.sms")
outbox: list[dict[str, str]] = []


@dataclass(frozen=True)
class Sent:
    ok: bool
    provider: str
    error: str = ""


def backend() -> str:
    return getattr(settings, "JIUZHU_SMS_BACKEND", "console") or "console"


def send(phone: str, text: str) -> Sent:
    name = backend()
    try:
        if name == "memory":
            outbox.append({"phone": phone, "text": text})
        elif name == "http":
            body = json.dumps({"phone": phone, "text": text, "sign": settings.JIUZHU_SMS_SIGN}).encode()
            request = urllib.request.Request(
                settings.JIUZHU_SMS_URL,
                data=body,
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.JIUZHU_SMS_TOKEN}"},
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                if response.status >= 300:
                    raise OSError(f"HTTP {response.status}")
        else:
            log.info("短信 → %s：%s", phone, text)
        return Sent(True, name)
    except Exception as exc:  # the provider's failure is reported, never raised into the caller's transaction
        log.warning("短信发送失败 → %s：%s", phone, exc)
        return Sent(False, name, str(exc)[:300])
