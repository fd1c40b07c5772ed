"""A snapshot of the registry (the OLTP database) as Parquet tables for the bulk engine.

The tables have the layout `jiuzhu synth --out` writes (registry/synth/parquet.py) plus the end dates the registry
keeps (`left_on`, `death_date`, `valid_to`, `until`), which is what `policy.population.population_relations` reads:
one row per membership in `persons`, evidence and programme statuses with their household and person. Rows stream
from the database in chunks, so memory stays bounded by the chunk, not the registry.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.db.models import QuerySet

from jiuzhu.registry.models import (
    AssetRecord,
    ExpenseRecord,
    Household,
    IncomeRecord,
    Membership,
    ProgrammeStatus,
    SpecialSituation,
)

CHUNK = 50_000
MONEY = pa.decimal128(14, 2)

# table → [(column, arrow type, ORM lookup)]
LAYOUT: dict[str, list[tuple[str, pa.DataType, str]]] = {
    "households": [
        ("household_id", pa.int64(), "pk"),
        ("number", pa.string(), "number"),
        ("org_unit_id", pa.int64(), "org_unit_id"),
        ("area_type", pa.string(), "area_type"),
    ],
    "persons": [
        ("household_id", pa.int64(), "household_id"),
        ("person_id", pa.int64(), "person_id"),
        ("relation", pa.string(), "relation"),
        ("joined_on", pa.date32(), "joined_on"),
        ("left_on", pa.date32(), "left_on"),
        ("birth_date", pa.date32(), "person__birth_date"),
        ("death_date", pa.date32(), "person__death_date"),
        ("sex", pa.string(), "person__sex"),
        ("labor_capacity", pa.string(), "person__labor_capacity"),
        ("disability_kind", pa.string(), "person__disability_kind"),
        ("disability_grade", pa.int8(), "person__disability_grade"),
        ("serious_illness", pa.string(), "person__serious_illness"),
        ("chronic_illness", pa.string(), "person__chronic_illness"),
        ("employment", pa.string(), "person__employment"),
        ("school_stage", pa.string(), "person__school_stage"),
    ],
    "situations": [
        ("person_id", pa.int64(), "person_id"),
        ("kind", pa.string(), "kind"),
        ("valid_from", pa.date32(), "valid_from"),
        ("valid_to", pa.date32(), "valid_to"),
    ],
    "incomes": [
        ("household_id", pa.int64(), "household_id"),
        ("person_id", pa.int64(), "person_id"),
        ("category", pa.string(), "category"),
        ("amount", MONEY, "amount"),
        ("period", pa.string(), "period"),
        ("valid_from", pa.date32(), "valid_from"),
        ("valid_to", pa.date32(), "valid_to"),
    ],
    "assets": [
        ("household_id", pa.int64(), "household_id"),
        ("person_id", pa.int64(), "person_id"),
        ("kind", pa.string(), "kind"),
        ("value", MONEY, "value"),
        ("vehicle_kind", pa.string(), "vehicle_kind"),
        ("valid_from", pa.date32(), "valid_from"),
        ("valid_to", pa.date32(), "valid_to"),
    ],
    "expenses": [
        ("household_id", pa.int64(), "household_id"),
        ("person_id", pa.int64(), "person_id"),
        ("category", pa.string(), "category"),
        ("amount", MONEY, "amount"),
        ("period", pa.string(), "period"),
        ("valid_from", pa.date32(), "valid_from"),
        ("valid_to", pa.date32(), "valid_to"),
    ],
    "programmes": [
        ("household_id", pa.int64(), "household_id"),
        ("person_id", pa.int64(), "person_id"),
        ("programme", pa.string(), "programme"),
        ("status", pa.string(), "status"),
        ("since", pa.date32(), "since"),
        ("until", pa.date32(), "until"),
        ("monthly_amount", MONEY, "monthly_amount"),
    ],
}


def _querysets(households: QuerySet[Household]) -> dict[str, QuerySet]:
    ids = households.values("pk")
    return {
        "households": households,
        "persons": Membership.objects.filter(household__in=ids),
        "situations": SpecialSituation.objects.filter(person__memberships__household__in=ids),
        "incomes": IncomeRecord.objects.filter(household__in=ids),
        "assets": AssetRecord.objects.filter(household__in=ids),
        "expenses": ExpenseRecord.objects.filter(household__in=ids),
        "programmes": ProgrammeStatus.objects.filter(household__in=ids),
    }


def _write(path: Path, layout: list[tuple[str, pa.DataType, str]], rows: Iterable[tuple]) -> int:
    schema = pa.schema([(name, dtype) for name, dtype, _ in layout])
    written = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        chunk: list[tuple] = []

        def flush() -> None:
            columns = list(zip(*chunk, strict=True)) if chunk else [[] for _ in layout]
            arrays = [pa.array(col, type=dtype) for col, (_, dtype, _) in zip(columns, layout, strict=True)]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))

        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                flush()
                written += len(chunk)
                chunk = []
        if chunk or not written:
            flush()
            written += len(chunk)
    return written


def registry_snapshot(out_dir: Path, *, households: QuerySet[Household] | None = None) -> dict[str, int]:
    """Write the registry (or the given households) as Parquet tables in `out_dir`; returns rows per table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    households = households if households is not None else Household.objects.all()
    counts = {}
    for table, qs in _querysets(households).items():
        layout = LAYOUT[table]
        lookups = [lookup for _, _, lookup in layout]
        rows = qs.order_by().values_list(*lookups).iterator(chunk_size=CHUNK)
        counts[table] = _write(out_dir / f"{table}.parquet", layout, rows)
    return counts
