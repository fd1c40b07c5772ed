"""What accepted records become in the registry: evidence, facts on persons, events, suspicions — with lineage.

Each derived row carries the batch and row it came from and a `source_key` (the record's identity), so the same
record sent again finds what it made before: unchanged → nothing is written; changed → corrected, with history.
Called inside the batch's commit transaction.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
from django.db import models
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from jiuzhu.exchange.link import Links
from jiuzhu.exchange.models import FeedBatch, LinkReview, PersonEvent, Suspicion
from jiuzhu.exchange.sources import KindSpec, SourceSpec, ref
from jiuzhu.registry import choices as c
from jiuzhu.registry.models import AssetRecord, ExpenseRecord, IncomeRecord, Membership, Person

EVIDENCE_MODELS = {"income": IncomeRecord, "asset": AssetRecord, "expense": ExpenseRecord}
Counts = tuple[int, int, int]


def resolve(value: Any, record: dict) -> Any:
    """A derivation value for one record: a `$field` reference (optionally .month_end/.year_end) or a literal."""
    r = ref(value)
    if r is None:
        return value
    name, suffix = r
    got = record.get(name)
    if isinstance(got, date) and suffix == "month_end":
        return got.replace(day=calendar.monthrange(got.year, got.month)[1])
    if isinstance(got, date) and suffix == "year_end":
        return got.replace(month=12, day=31)
    return got


def _json_safe(value: Any) -> Any:
    if isinstance(value, Decimal | date):
        return str(value)
    return value


def _complete(model, values: dict) -> dict | None:
    """Blank text where a text field is empty; None when a value the model needs is missing (nothing to derive)."""
    done = {}
    for name, value in values.items():
        if value is None:
            f = model._meta.get_field(name)
            if f.null:
                pass
            elif isinstance(f, models.CharField | models.TextField):
                value = ""
            else:
                return None
        done[name] = value
    return done


def _sub_key(key: str, what: str) -> str:
    return f"{key[:32]}:{what}"[:64]


def derive_all(*, batch: FeedBatch, source: SourceSpec, kind: KindSpec, accepted: pa.Table, links: Links) -> Counts:
    records = accepted.to_pylist()
    linked = [r for r in records if r["_row"] in links.person_of_row]
    households = _households([links.person_of_row[r["_row"]] for r in linked])
    totals = [0, 0, 0]
    for counts in (
        _evidence(batch, kind, linked, links, households),
        _person_facts(batch, kind, linked, links),
        _events(batch, source, kind, records, links),
        _suspicions(batch, kind, records),
    ):
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    _reviews(batch, links)
    return totals[0], totals[1], totals[2]


def derive_one(*, batch: FeedBatch, source: SourceSpec, kind: KindSpec, record: dict, person_id: int) -> Counts:
    """After a clerk confirms a match: what the record makes on the person, as if it had linked on arrival."""
    links = Links(person_of_row={record["_row"]: person_id})
    households = _households([person_id])
    totals = [0, 0, 0]
    for counts in (
        _evidence(batch, kind, [record], links, households),
        _person_facts(batch, kind, [record], links),
        _events(batch, source, kind, [record], links),
    ):
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    return totals[0], totals[1], totals[2]


def _households(person_ids: list[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    ids = list(set(person_ids))
    for start in range(0, len(ids), 5000):
        found.update(
            Membership.objects.filter(person_id__in=ids[start : start + 5000], left_on__isnull=True).values_list(
                "person_id", "household_id"
            )
        )
    return found


def _upsert(model, objects: list, fields: list[str], lineage: tuple[str, str]) -> Counts:
    """Create what is new, correct what changed (with history, pointing to the batch that corrected it), and leave
    what is the same."""
    existing: dict[str, Any] = {}
    keys = [o.source_key for o in objects]
    for start in range(0, len(keys), 5000):
        existing.update((o.source_key, o) for o in model.objects.filter(source_key__in=keys[start : start + 5000]))
    new, changed, same = [], [], 0
    for obj in objects:
        old = existing.get(obj.source_key)
        if old is None:
            new.append(obj)
        elif any(getattr(old, f) != getattr(obj, f) for f in fields):
            for f in (*fields, *lineage):
                setattr(old, f, getattr(obj, f))
            changed.append(old)
        else:
            same += 1
    history = hasattr(model, "history")
    if new:
        if history:
            bulk_create_with_history(new, model, batch_size=2000)
        else:
            model.objects.bulk_create(new, batch_size=2000)
    if changed:
        columns = [f.removesuffix("_id") if f.endswith("_id") else f for f in (*fields, *lineage)]
        if history:
            bulk_update_with_history(changed, model, columns, batch_size=2000, default_change_reason="部门数据更正")
        else:
            model.objects.bulk_update(changed, columns, batch_size=2000)
    return len(new), len(changed), same


EVIDENCE_LINEAGE = ("source_batch", "source_row")
EVENT_LINEAGE = ("batch_id", "row")


def _evidence(batch, kind: KindSpec, linked: list[dict], links: Links, households: dict[int, int]) -> Counts:
    totals = [0, 0, 0]
    for what, derivation in kind.evidence.items():
        model = EVIDENCE_MODELS[what]
        mapping = derivation.mapping
        objects = []
        for r in linked:
            person_id = links.person_of_row[r["_row"]]
            if person_id not in households:
                continue  # a registered person in no household: nowhere to put household evidence
            values = _complete(model, {k: resolve(v, r) for k, v in mapping.items()})
            if values is None:
                continue
            objects.append(
                model(
                    household_id=households[person_id],
                    person_id=person_id,
                    source=c.EvidenceSource.DEPARTMENT,
                    department_id=batch.department_id,
                    source_batch=str(batch.pk),
                    source_row=r["_row"],
                    source_key=_sub_key(r["_key"], what),
                    **values,
                )
            )
        fields = ["household_id", "person_id", *mapping]
        totals = [a + b for a, b in zip(totals, _upsert(model, objects, fields, EVIDENCE_LINEAGE), strict=True)]
    return totals[0], totals[1], totals[2]


def _person_facts(batch, kind: KindSpec, linked: list[dict], links: Links) -> Counts:
    if not kind.person or not linked:
        return 0, 0, 0
    persons = Person.objects.in_bulk({links.person_of_row[r["_row"]] for r in linked})
    changed, same = [], 0
    for r in linked:
        person = persons[links.person_of_row[r["_row"]]]
        values = {k: resolve(v, r) for k, v in kind.person.items()}
        values = {k: v for k, v in values.items() if v is not None}
        if all(getattr(person, k) == v for k, v in values.items()):
            same += 1
            continue
        for k, v in values.items():
            setattr(person, k, v)
        person._change_reason = f"部门数据：{batch.source}/{batch.kind} 批次 {batch.pk} 第{r['_row']}行"
        changed.append(person)
    if changed:
        bulk_update_with_history(changed, Person, list(kind.person), batch_size=2000, default_change_reason="部门数据")
    return 0, len(changed), same


def _events(batch, source: SourceSpec, kind: KindSpec, records: list[dict], links: Links) -> Counts:
    if not kind.events:
        return 0, 0, 0
    objects = []
    for r in records:
        person_id = links.person_of_row.get(r["_row"])
        id_number = r.get("id_number") or ""
        if person_id is None and not id_number:
            continue  # nobody to route it to: the record stays in the store
        for event in kind.events:
            if event.registered_only and person_id is None:
                continue
            occurred = resolve(event.date, r)
            if occurred is None:
                continue
            objects.append(
                PersonEvent(
                    kind=event.kind,
                    occurred_on=occurred,
                    person_id=person_id,
                    id_number=id_number,
                    name=r.get("name") or "",
                    values={k: _json_safe(resolve(v, r)) for k, v in event.values.items()},
                    source=source.code,
                    batch=batch,
                    row=r["_row"],
                    source_key=_sub_key(r["_key"], event.kind),
                )
            )
    return _upsert(PersonEvent, objects, ["kind", "occurred_on", "person_id", "values"], EVENT_LINEAGE)


def _suspicions(batch, kind: KindSpec, records: list[dict]) -> Counts:
    if not kind.suspicion:
        return 0, 0, 0
    month = batch.received_at.date().replace(day=1)
    objects = []
    for r in records:
        values = _complete(Suspicion, {"month": month, **{k: resolve(v, r) for k, v in kind.suspicion.items()}})
        if values is None:
            continue
        objects.append(
            Suspicion(
                household_id=_household_of(values.get("head_name"), values.get("address")),
                direction=Suspicion.Direction.RECEIVED,
                department_id=batch.department_id,
                batch=batch,
                row=r["_row"],
                source_key=_sub_key(r["_key"], "suspicion"),
                **values,
            )
        )
    fields = list(dict.fromkeys([*kind.suspicion, "month", "household_id"]))
    return _upsert(Suspicion, objects, fields, EVENT_LINEAGE)


def _household_of(head_name: str | None, address: str | None) -> int | None:
    """The household a feedback line names, when its head and address identify exactly one on file."""
    if not head_name or not address:
        return None
    found = list(
        Membership.objects.filter(person__name=head_name, relation=c.Relation.HEAD, left_on__isnull=True)
        .filter(models.Q(household__residence_address=address) | models.Q(household__hukou_address=address))
        .values_list("household_id", flat=True)[:2]
    )
    return found[0] if len(found) == 1 else None


def _reviews(batch, links: Links) -> None:
    LinkReview.objects.bulk_create(
        [
            LinkReview(
                batch=batch,
                row=cand.row,
                record=cand.record,
                fingerprint=cand.fingerprint,
                person_id=cand.person_id,
                probability=cand.probability,
            )
            for cand in links.review
        ],
        ignore_conflicts=True,
    )
