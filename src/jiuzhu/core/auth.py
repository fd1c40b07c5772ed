"""API authentication: the browser's session (with CSRF) for pages, a bearer token per client for machines."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from jiuzhu.org.models import ApiClient

LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        client = (
            ApiClient.objects.select_related("staff", "staff__org_unit")
            .filter(token_hash=ApiClient.hash_token(token), is_active=True, staff__is_active=True)
            .first()
        )
        if client is None:
            return None
        # Record use at most once a minute: a feed pushing every second must not write on every call.
        now = timezone.now()
        if client.last_used_at is None or now - client.last_used_at > LAST_USED_RESOLUTION:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        request.user = client.staff
        return client.staff


# The token first: a machine posting with a bearer token has no CSRF cookie, and the session check would refuse it
# (403) before the token was looked at. Without a token header the session, with its CSRF check, decides.
API_AUTH = [TokenAuth(), SessionAuth()]
