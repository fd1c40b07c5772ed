"""The request's client address, carried to the audit log without passing requests through services."""

from __future__ import annotations

from contextvars import ContextVar

client_address: ContextVar[str] = ContextVar("client_address", default="")
