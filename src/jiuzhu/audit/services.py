"""Writing to and checking the audit chain. Call `record` inside the transaction of the change it describes."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from jiuzhu.audit.context import client_address
from jiuzhu.audit.models import GENESIS_HASH, AuditEntry, AuditHead


@transaction.atomic
def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    changes: dict | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry. `actor` is a Staff or None for the system itself."""
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    entry = AuditEntry(
        seq=head.seq + 1,
        at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_name=getattr(actor, "full_name", "") or getattr(actor, "username", "") or "系统",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
        reason=reason,
        ip_address=client_address.get(),
        prev_hash=head.hash,
    )
    entry.hash = entry.compute_hash()
    entry.save()
    head.seq, head.hash = entry.seq, entry.hash
    head.save(update_fields=["seq", "hash"])
    return entry


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def verify_chain(*, batch_size: int = 5000) -> tuple[int, list[ChainProblem]]:
    """Walk the whole chain in order. Returns (entries checked, problems found)."""
    problems: list[ChainProblem] = []
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    last_seq = 0
    while True:
        chunk = list(AuditEntry.objects.filter(seq__gt=last_seq).order_by("seq")[:batch_size])
        if not chunk:
            break
        for entry in chunk:
            checked += 1
            if entry.seq != expected_seq:
                problems.append(ChainProblem(entry.seq, f"序号不连续：缺少第 {expected_seq} 条至第 {entry.seq - 1} 条"))
            if entry.prev_hash != expected_prev:
                problems.append(ChainProblem(entry.seq, "前一条哈希不符：记录被插入、删除或修改"))
            if entry.compute_hash() != entry.hash:
                problems.append(ChainProblem(entry.seq, "内容哈希不符：该记录被篡改"))
            expected_prev, expected_seq, last_seq = entry.hash, entry.seq + 1, entry.seq
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != last_seq or head.hash != expected_prev):
        problems.append(ChainProblem(head.seq, "链尾与记录不符：末尾的记录被删除"))
    return checked, problems
