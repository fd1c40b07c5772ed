"""Running a compiled program on DuckDB: one household (the window, the API, the self-check) or a whole population.

Both sizes run the program's SQL steps unchanged. One household: its facts become a one-row household table and
its member rows, and the steps run as one query of common table expressions. A population: the steps run as
temporary tables over whatever relations hold the same columns (Arrow tables, Parquet files, DuckDB tables).
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import duckdb
import pyarrow as pa

from jiuzhu.policy.compiler import INPUT_SCHEMAS, Program, compile_pack

_ARROW_TYPES = {"int64": pa.int64(), "float64": pa.float64(), "boolean": pa.bool_(), "string": pa.string()}
_local = threading.local()


def arrow_schema(level: str) -> pa.Schema:
    return pa.schema([(name, _ARROW_TYPES[t]) for name, t in INPUT_SCHEMAS[level].items()])


def to_arrow(rows: list[dict[str, Any]], level: str) -> pa.Table:
    schema = arrow_schema(level)
    return pa.Table.from_pylist(rows, schema=schema)


def _connection() -> duckdb.DuckDBPyConnection:
    con = getattr(_local, "con", None)
    if con is None:
        con = _local.con = duckdb.connect(":memory:", config={"threads": 1})
    return con


def query_with_steps(program: Program, target: str) -> str:
    """One SQL query that computes `target` from the input tables through every earlier step (as CTEs)."""
    ctes = []
    for step in program.steps:
        if step.name in (program.household_table, program.member_table) and step.name != target:
            continue
        ctes.append(f'"{step.name}" AS (\n{step.sql}\n)')
        if step.name == target:
            break
    return "WITH " + ",\n".join(ctes) + f'\nSELECT * FROM "{target}"'


def run_one(program: Program, household: dict[str, Any], members: list[dict[str, Any]]) -> tuple[dict, list[dict]]:
    """Decide one household: (household result row, member result rows in member order)."""
    con = _connection()
    con.register("households", to_arrow([household], "household"))
    con.register("members", to_arrow(members, "member"))
    try:
        sqls = getattr(program, "_single_sql", None)
        if sqls is None:
            sqls = program._single_sql = (  # type: ignore[attr-defined]
                query_with_steps(program, program.household_table),
                query_with_steps(program, program.member_table),
            )
        h = plain(con.sql(sqls[0]).to_arrow_table()).to_pylist()
        m = plain(con.sql(sqls[1]).to_arrow_table()).sort_by("member_no").to_pylist()
    finally:
        con.unregister("households")
        con.unregister("members")
    return h[0], m


def plain(table: pa.Table) -> pa.Table:
    """DuckDB computes constants as exact decimals and sums as 128-bit integers; hand back float64 and int64."""
    for i, f in enumerate(table.schema):
        if pa.types.is_decimal(f.type):
            target = pa.int64() if f.type.scale == 0 else pa.float64()
            table = table.set_column(i, f.name, table.column(i).cast(target))
    return table


def run_bulk(program: Program, con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """Run every step as a temporary table in `con`, which must hold relations named households and members.

    Returns the names of the household and member result tables; the intermediate steps are dropped.
    """
    for step in program.steps:
        con.execute(f'CREATE OR REPLACE TEMP TABLE "{step.name}" AS {step.sql}')
    for step in program.steps:
        if step.name not in (program.household_table, program.member_table):
            con.execute(f'DROP TABLE IF EXISTS "{step.name}"')
    return program.household_table, program.member_table


def compiled(locality: str, as_of: date, outputs: str = "all") -> Program:
    return compile_pack(locality, as_of, outputs)
