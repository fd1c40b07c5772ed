from __future__ import annotations

from django.db.models import QuerySet

from jiuzhu.audit.models import AuditEntry


def audit_list(*, actor, mine: bool = False) -> QuerySet[AuditEntry]:
    """Entries made by staff within the actor's jurisdiction (or by the actor alone)."""
    qs = AuditEntry.objects.select_related("actor")
    if mine:
        return qs.filter(actor=actor)
    return qs.filter(actor__org_unit__path__startswith=actor.org_unit.path)
