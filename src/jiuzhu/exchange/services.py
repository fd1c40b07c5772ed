"""Writes of the exchange that a person makes: push tokens, uploads, link decisions, suspicions sent."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jiuzhu.audit import services as audit
from jiuzhu.exchange import derive, store
from jiuzhu.exchange.errors import ExchangeError, ExchangeErrorCode
from jiuzhu.exchange.ingest import Outcome, open_file
from jiuzhu.exchange.models import FeedBatch, LinkDecision, LinkReview, SourceToken, Suspicion
from jiuzhu.exchange.sources import SourceSpec, get_source
from jiuzhu.monitoring.alerts import alerts_for_batch
from jiuzhu.org.models import Department, Staff
from jiuzhu.org.permissions import IMPORT_FEED, MANAGE_FEED_TOKENS, REVIEW_LINK
from jiuzhu.registry.models import Household


def _require(actor: Staff, perm: str) -> None:
    if not actor.has_perm(perm):
        raise ExchangeError(ExchangeErrorCode.NOT_ALLOWED)


def may_import(actor: Staff, spec: SourceSpec) -> bool:
    """District staff import any source; a department's liaison only their own department's."""
    if not actor.has_perm(IMPORT_FEED):
        return False
    if actor.role == Staff.Role.DEPARTMENT_LIAISON:
        return actor.department is not None and actor.department.code == spec.department.code
    return True


@transaction.atomic
def source_token_create(*, actor: Staff, source: str, name: str) -> tuple[SourceToken, str]:
    """Issue a push token for one source. The token is shown once; only its hash is kept."""
    _require(actor, MANAGE_FEED_TOKENS)
    get_source(source)
    plain = SourceToken.new_token()
    token = SourceToken.objects.create(
        source=source, name=name, token_hash=SourceToken.hash_token(plain), token_prefix=plain[:12], created_by=actor
    )
    audit.record(actor=actor, action="source_token.create", obj=token)
    return token, plain


@transaction.atomic
def source_token_revoke(*, actor: Staff, token: SourceToken) -> SourceToken:
    _require(actor, MANAGE_FEED_TOKENS)
    token.is_active = False
    token.save(update_fields=["is_active"])
    audit.record(actor=actor, action="source_token.revoke", obj=token)
    return token


def upload_receive(*, actor: Staff, source: str, uploaded, kind: str = "", sheet: str = "") -> Outcome:
    """Keep an uploaded file and open its batch; the rows are processed by a background task (progress on the page)."""
    from jiuzhu.exchange.tasks import process_upload

    spec = get_source(source)
    if not may_import(actor, spec):
        raise ExchangeError(ExchangeErrorCode.NOT_ALLOWED)
    folder = Path(settings.DATA_DIR) / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    path = folder / Path(uploaded.name).name
    with open(path, "wb") as f:
        for chunk in uploaded.chunks():
            f.write(chunk)
    outcome = open_file(source=source, path=path, channel=FeedBatch.Channel.UPLOAD, actor=actor, filename=uploaded.name)
    if outcome.duplicate:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        batch_id = str(outcome.batch.pk)
        transaction.on_commit(lambda: process_upload(batch_id, str(path), kind or "", sheet or "", actor.pk))
    return outcome


def _record_of(batch: FeedBatch, row: int) -> dict:
    table = pq.read_table(store.accepted_path(batch))
    found = table.filter(pc.equal(table["_row"], row)).to_pylist()
    return found[0]


@transaction.atomic
def link_review_decide(*, actor: Staff, review: LinkReview, same_person: bool) -> LinkReview:
    """A clerk says whether the record is this person. "Yes" lands the record's evidence on the person; either
    answer is remembered for the next time the same record arrives."""
    _require(actor, REVIEW_LINK)
    review = LinkReview.objects.select_for_update(of=("self",)).select_related("batch", "decided_by").get(pk=review.pk)
    if not review.can_decide():
        raise ExchangeError(
            ExchangeErrorCode.ALREADY_DECIDED,
            who=getattr(review.decided_by, "full_name", ""),
            when=timezone.localtime(review.decided_at).strftime("%Y-%m-%d %H:%M"),
        )
    now = timezone.now()
    review.status = LinkReview.Status.ACCEPTED if same_person else LinkReview.Status.REJECTED
    review.decided_by, review.decided_at = actor, now
    review.save(update_fields=["status", "decided_by", "decided_at"])
    LinkDecision.objects.update_or_create(
        fingerprint=review.fingerprint,
        person=review.person,
        defaults={"same_person": same_person, "decided_by": actor},
    )
    batch = review.batch
    siblings = LinkReview.objects.filter(batch=batch, row=review.row, status=LinkReview.Status.PENDING)
    if same_person:
        siblings.update(status=LinkReview.Status.REJECTED, decided_by=actor, decided_at=now)
        spec = get_source(batch.source)
        derive.derive_one(
            batch=batch,
            source=spec,
            kind=spec.kind(batch.kind),
            record=_record_of(batch, review.row),
            person_id=review.person_id,
        )
        FeedBatch.objects.filter(pk=batch.pk).update(to_review=F("to_review") - 1, linked_match=F("linked_match") + 1)
        alerts_for_batch(batch, row=review.row)
    elif not siblings.exists():
        FeedBatch.objects.filter(pk=batch.pk).update(to_review=F("to_review") - 1, unlinked=F("unlinked") + 1)
    audit.record(
        actor=actor,
        action="link_review.accept" if same_person else "link_review.reject",
        obj=review,
        changes={"batch": str(batch.pk), "row": review.row, "person": review.person_id},
    )
    return review


@transaction.atomic
def suspicion_send(
    *, actor: Staff, department: Department, household: Household, content: str, month=None
) -> Suspicion:
    """Note a suspicion to send to a department in its monthly 疑点信息反馈表."""
    _require(actor, IMPORT_FEED)
    head = household.head()
    day = timezone.localdate()
    suspicion = Suspicion.objects.create(
        direction=Suspicion.Direction.SENT,
        department=department,
        month=month or day.replace(day=1),
        head_name=head.name if head else "",
        address=household.residence_address or household.hukou_address,
        content=content,
        phone=household.phone,
        household=household,
        created_by=actor,
    )
    audit.record(actor=actor, action="suspicion.send", obj=suspicion)
    return suspicion
