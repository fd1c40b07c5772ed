"""Reads of the exchange, scoped to the actor: batches by department, link reviews by jurisdiction."""

from __future__ import annotations

from django.db.models import QuerySet

from jiuzhu.core.errors import NotFound
from jiuzhu.exchange.models import FeedBatch, LinkReview, Suspicion
from jiuzhu.exchange.services import may_import
from jiuzhu.exchange.sources import SourceSpec, all_sources
from jiuzhu.org.models import Staff
from jiuzhu.org.permissions import IMPORT_FEED, REVIEW_LINK


def importable_sources(*, actor: Staff) -> list[SourceSpec]:
    return [spec for spec in all_sources().values() if may_import(actor, spec)]


def batch_list(*, actor: Staff) -> QuerySet[FeedBatch]:
    if not actor.has_perm(IMPORT_FEED):
        return FeedBatch.objects.none()
    qs = FeedBatch.objects.select_related("department", "submitted_by")
    if actor.role == Staff.Role.DEPARTMENT_LIAISON:
        return qs.filter(department=actor.department) if actor.department_id else qs.none()
    return qs


def batch_get(*, actor: Staff, id) -> FeedBatch:
    try:
        return batch_list(actor=actor).get(pk=id)
    except (FeedBatch.DoesNotExist, ValueError):
        raise NotFound from None


def review_list(*, actor: Staff, pending_only: bool = True) -> QuerySet[LinkReview]:
    """Probable matches onto persons whose household lies in the actor's jurisdiction."""
    if not actor.has_perm(REVIEW_LINK):
        return LinkReview.objects.none()
    qs = LinkReview.objects.filter(
        person__memberships__left_on__isnull=True,
        person__memberships__household__org_unit__in=actor.jurisdiction(),
    ).select_related("person", "batch", "batch__department")
    return qs.filter(status=LinkReview.Status.PENDING) if pending_only else qs


def review_get(*, actor: Staff, id: int) -> LinkReview:
    try:
        return review_list(actor=actor, pending_only=False).get(pk=id)
    except LinkReview.DoesNotExist:
        raise NotFound from None


def suspicion_list(*, actor: Staff) -> QuerySet[Suspicion]:
    """District staff see every department's; a liaison their own department's."""
    if not actor.has_perm(IMPORT_FEED):
        return Suspicion.objects.none()
    qs = Suspicion.objects.select_related("department", "household")
    if actor.role == Staff.Role.DEPARTMENT_LIAISON:
        return qs.filter(department=actor.department) if actor.department_id else qs.none()
    return qs
