"""Write a synthetic district to Parquet for the bulk engine, in bounded memory.

One file per table, each written with a ParquetWriter in row groups of `row_group_size` rows; rows are buffered
only until a group is full, so two million households take no more memory than twenty thousand. Persons and
households carry integer surrogate keys (`person_id`, `household_id`); a person's household and relation to its
head sit on the person row. Amounts are decimal(14, 2) yuan.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from operator import attrgetter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from jiuzhu.registry.synth.district import DistrictSpec, build_district_spec, district_names, grid_code, grid_count
from jiuzhu.registry.synth.generator import HouseholdGenerator
from jiuzhu.registry.synth.records import HouseholdRec

TYPES = {
    "str": pa.string(),
    "int": pa.int64(),
    "int8": pa.int8(),
    "date": pa.date32(),
    "money": pa.decimal128(14, 2),
    "float": pa.float64(),
    "bool": pa.bool_(),
}
# Per table, "column[=record attribute]:type". Every table but households starts with household_id.
TABLES: dict[str, str] = {
    "households": "household_id=key:int number:str street_code:str community_code:str grid_code:str area_type:str "
    "phone:str color_class:str hukou_division_code:str hukou_address:str residence_division_code:str "
    "residence_address:str composition:str tier:str per_capita_income:money plan_needs:str plan_measures:str "
    "plan_next_review_on:date",
    "persons": "person_id=key:int relation:str joined_on:date id_number:str name:str sex:str birth_date:date "
    "ethnicity:str phone:str labor_capacity:str disability_kind:str disability_grade:int8 serious_illness:str "
    "chronic_illness:str employment:str school_stage:str",
    "situations": "person_id=person_key:int kind:str valid_from:date note:str",
    "incomes": "person_id=person_key:int category:str amount:money period:str source:str department:str "
    "valid_from:date",
    "assets": "person_id=person_key:int kind:str value:money quantity:float vehicle_kind:str identifier:str "
    "description:str source:str department:str valid_from:date",
    "expenses": "person_id=person_key:int category:str amount:money period:str source:str department:str "
    "valid_from:date note:str",
    "programmes": "person_id=person_key:int programme:str status:str since:date until:date monthly_amount:money "
    "decision_ref:str",
}
ORG_SCHEMA = pa.schema(
    [
        ("division_code", pa.string()),
        ("name", pa.string()),
        ("level", pa.string()),
        ("parent_code", pa.string()),
        ("is_urban", pa.bool_()),
        ("households", pa.int64()),
    ]
)


def _parse(table: str, spec: str) -> tuple[pa.Schema, attrgetter]:
    """The table's schema and a getter of its columns from a record (household_id added for child tables)."""
    fields, attrs = [] if table == "households" else [("household_id", pa.int64())], []
    for item in spec.split():
        name_attr, kind = item.split(":")
        name, _, attr = name_attr.partition("=")
        fields.append((name, TYPES[kind]))
        attrs.append(attr or name)
    return pa.schema(fields), attrgetter(*attrs)


class _Sink:
    """Rows of one table: Python tuples are turned into compact Arrow batches every `BATCH_ROWS` rows, and the
    batches are written as one row group once they hold `row_group_size` rows."""

    BATCH_ROWS = 10_000

    def __init__(self, path: Path, table: str, row_group_size: int) -> None:
        self.schema, self.get = _parse(table, TABLES[table])
        self.row_group_size = row_group_size
        self.writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        self.rows: list[tuple] = []
        self.batches: list[pa.RecordBatch] = []
        self.pending = 0  # rows in self.batches
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.BATCH_ROWS:
            self._to_arrow()

    def _to_arrow(self) -> None:
        if not self.rows:
            return
        arrays = []
        for column, f in zip(zip(*self.rows, strict=True), self.schema, strict=True):
            if pa.types.is_decimal(f.type):  # whole yuan → decimal without going through Python Decimal
                arrays.append(pa.array(column, pa.int64()).cast(pa.decimal128(19, 0)).cast(f.type))
            else:
                arrays.append(pa.array(column, f.type))
        self.batches.append(pa.RecordBatch.from_arrays(arrays, schema=self.schema))
        self.pending += len(self.rows)
        self.rows = []
        if self.pending >= self.row_group_size:
            self._write()

    def _write(self) -> None:
        if self.pending:
            table = pa.Table.from_batches(self.batches, schema=self.schema)
            self.writer.write_table(table, row_group_size=self.row_group_size)
            self.written += self.pending
            self.batches, self.pending = [], 0

    def close(self) -> None:
        self._to_arrow()
        self._write()
        self.writer.close()


def _org_table(spec: DistrictSpec, allocation: list[int]) -> pa.Table:
    rows = [(spec.code, spec.name, "district", None, True, sum(allocation))]
    sizes = dict(zip((c.code for c in spec.communities), allocation, strict=True))
    for s in spec.streets:
        rows.append((s.code, s.name, "street", spec.code, s.is_urban, sum(sizes[c.code] for c in s.communities)))
        for c in s.communities:
            rows.append((c.code, c.name, "community", s.code, c.is_urban, sizes[c.code]))
            grids = grid_count(sizes[c.code])
            for g in range(1, grids + 1):
                n = sizes[c.code]  # the generator puts household i (0-based) in grid i * grids // n + 1
                share = -(-g * n // grids) + ((g - 1) * n // -grids) if n else 0
                rows.append((grid_code(c.code, g), f"{c.name}第{g}网格", "grid", c.code, c.is_urban, share))
    return pa.Table.from_pylist([dict(zip(ORG_SCHEMA.names, r, strict=True)) for r in rows], schema=ORG_SCHEMA)


def _write_household(h: HouseholdRec, sinks: dict[str, _Sink]) -> None:
    k = h.key
    sinks["households"].add(sinks["households"].get(h))
    for table, records in (
        ("persons", h.members),
        ("situations", h.situations),
        ("incomes", h.incomes),
        ("assets", h.assets),
        ("expenses", h.expenses),
        ("programmes", h.programmes),
    ):
        sink = sinks[table]
        for record in records:
            sink.add((k, *sink.get(record)))


def write_parquet(
    *,
    out_dir: str | Path,
    households: int,
    seed: int,
    as_of: date,
    district_code: str = "530103",
    district_name: str | None = None,
    city: str | None = None,
    row_group_size: int = 100_000,
    progress: bool = True,
) -> dict:
    """Generate `households` households and write `<table>.parquet` files into `out_dir`; return the counts.

    Tables: org_units, households, persons (with household_id and relation), situations, incomes, assets,
    expenses, programmes. The returned dict has the generator's summary plus `rows` (rows written per table).
    """
    if households < 1:
        raise ValueError("households must be a positive integer")
    default_name, default_city = district_names(district_code)
    spec = build_district_spec(
        district_code=district_code, district_name=district_name or default_name, city=city or default_city
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    generator = HouseholdGenerator(spec, households=households, seed=seed, as_of=as_of)
    org = _org_table(spec, generator.allocation)
    pq.write_table(org, out / "org_units.parquet", compression="zstd")
    sinks = {name: _Sink(out / f"{name}.parquet", name, row_group_size) for name in TABLES}
    try:
        for h in tqdm(generator, total=households, disable=not progress, unit="户", desc="写出 Parquet"):
            _write_household(h, sinks)
    finally:
        for sink in sinks.values():
            sink.close()
    rows = {name: sink.written for name, sink in sinks.items()} | {"org_units": org.num_rows}
    return {
        "district_code": spec.code,
        "district_name": spec.name,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "out_dir": str(out),
        "rows": rows,
        **asdict(generator.summary),
    }
