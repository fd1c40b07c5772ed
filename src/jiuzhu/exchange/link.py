"""Which registered person each accepted record belongs to.

First by the normalised ID number (exact). A record with no usable ID number but a name is matched on name, birth
date, sex and address (Splink, exchange/linkage.py): at or above JIUZHU_LINK_AUTO it links by itself; from
JIUZHU_LINK_REVIEW it waits for a clerk; below, it stays unlinked. A clerk's earlier answer about the same record
(its fingerprint) is remembered: "same person" links at once, "not this person" is never proposed again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
from django.conf import settings

from jiuzhu.exchange.models import LinkDecision
from jiuzhu.exchange.sources import KindSpec
from jiuzhu.registry.models import Person

LINK_FIELDS = ("name", "birth_date", "sex", "address")


@dataclass
class Candidate:
    row: int
    person_id: int
    probability: float
    fingerprint: str
    record: dict


@dataclass
class Links:
    person_of_row: dict[int, int] = field(default_factory=dict)
    review: list[Candidate] = field(default_factory=list)
    by_id: int = 0
    by_match: int = 0
    to_review: int = 0
    unlinked: int = 0


def fingerprint(record: dict) -> str:
    from jiuzhu.exchange.linkage import fold_name

    parts = [fold_name(record.get("name") or ""), str(record.get("birth_date") or ""), record.get("sex") or ""]
    parts.append("".join((record.get("address") or "").split()))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _persons_by_id(ids: pa.Array) -> dict[str, int]:
    con = duckdb.connect()
    try:
        con.register("ids", pa.table({"id_number": ids}))
        wanted = con.execute("SELECT DISTINCT id_number FROM ids WHERE id_number IS NOT NULL").fetchall()
    finally:
        con.close()
    found: dict[str, int] = {}
    numbers = [w[0] for w in wanted]
    for start in range(0, len(numbers), 5000):
        chunk = numbers[start : start + 5000]
        found.update(Person.objects.filter(id_number__in=chunk).values_list("id_number", "pk"))
    return found


def _registry_for_matching() -> pa.Table:
    rows = list(
        Person.objects.values_list("pk", "name", "birth_date", "sex", "residence_address", "hukou_address").iterator(
            chunk_size=5000
        )
    )
    return pa.table(
        {
            "person_id": pa.array([r[0] for r in rows], pa.int64()),
            "name": pa.array([r[1] for r in rows], pa.string()),
            "birth_date": pa.array([r[2] for r in rows], pa.date32()),
            "sex": pa.array([r[3] or None for r in rows], pa.string()),
            "address": pa.array([r[4] or r[5] or None for r in rows], pa.string()),
        }
    )


def link_rows(kind: KindSpec, accepted: pa.Table) -> Links:
    links = Links()
    rows = accepted["_row"].to_pylist()
    has_id = "id_number" in kind.fields
    ids = accepted["id_number"].to_pylist() if has_id else [None] * len(rows)
    known = _persons_by_id(accepted["id_number"]) if has_id else {}
    unmatched: list[dict] = []
    can_match = "name" in kind.fields
    columns = {f: accepted[f].to_pylist() for f in LINK_FIELDS if f in kind.fields}
    for i, (row, id_number) in enumerate(zip(rows, ids, strict=True)):
        if id_number and id_number in known:
            links.person_of_row[row] = known[id_number]
            links.by_id += 1
        elif not id_number and can_match and columns["name"][i]:
            unmatched.append({"row": row, **{f: columns[f][i] for f in columns}})
        else:  # a valid ID number of someone not on file: the record stays in the store for screening
            links.unlinked += 1
    if unmatched:
        _match(unmatched, links)
    return links


def _match(records: list[dict], links: Links) -> None:
    from jiuzhu.exchange.linkage import link_probabilistic

    for r in records:
        r["fingerprint"] = fingerprint(r)
    decisions: dict[str, dict[int, bool]] = {}
    for fp, person_id, same in LinkDecision.objects.filter(
        fingerprint__in={r["fingerprint"] for r in records}
    ).values_list("fingerprint", "person_id", "same_person"):
        decisions.setdefault(fp, {})[person_id] = same
    pending = []
    for r in records:
        remembered = [p for p, same in decisions.get(r["fingerprint"], {}).items() if same]
        if len(remembered) == 1:
            links.person_of_row[r["row"]] = remembered[0]
            links.by_match += 1
        else:
            pending.append(r)
    if not pending:
        return
    table = pa.table(
        {
            "rec_id": pa.array([r["row"] for r in pending], pa.int64()),
            "name": pa.array([r.get("name") for r in pending], pa.string()),
            "birth_date": pa.array([r.get("birth_date") for r in pending], pa.date32()),
            "sex": pa.array([r.get("sex") for r in pending], pa.string()),
            "address": pa.array([r.get("address") for r in pending], pa.string()),
        }
    )
    registry = _registry_for_matching()
    best: dict[int, list[tuple[int, float]]] = {}
    if registry.num_rows:
        for rec_id, person_id, p in zip(
            *link_probabilistic(table, registry)
            .select(["rec_id", "person_id", "match_probability"])
            .to_pydict()
            .values(),
            strict=True,
        ):
            best.setdefault(rec_id, []).append((person_id, p))
    auto, review = settings.JIUZHU_LINK_AUTO, settings.JIUZHU_LINK_REVIEW
    for r in pending:
        refused = {p for p, same in decisions.get(r["fingerprint"], {}).items() if not same}
        candidates = [(p, prob) for p, prob in best.get(r["row"], []) if p not in refused and prob >= review]
        top = max((prob for _, prob in candidates), default=0.0)
        leaders = [(p, prob) for p, prob in candidates if prob == top]
        if len(leaders) == 1 and top >= auto:
            links.person_of_row[r["row"]] = leaders[0][0]
            links.by_match += 1
        elif leaders:
            record = {k: (str(v) if v is not None else None) for k, v in r.items() if k in LINK_FIELDS}
            links.review += [Candidate(r["row"], p, prob, r["fingerprint"], record) for p, prob in leaders]
            links.to_review += 1
        else:
            links.unlinked += 1
