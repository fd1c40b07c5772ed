"""Running a compiled program: one household (the window, the API, the self-check) or a whole population.

The program is one set of Ibis expressions, rendered as SQL for two embedded engines:

* a population runs on DuckDB, each result one query over whatever relations hold the input columns (Arrow
  tables, Parquet files, DuckDB tables);
* one household runs on SQLite (in memory, from the standard library): DuckDB plans every statement anew, at
  about 0.1 ms per expression — a pack's few hundred rules cost it 200–800 ms for a single row — while SQLite
  prepares the statement once per connection and then answers in under a millisecond.

Both render the same expressions, and tests/policy/test_single_and_bulk_agree.py holds them to the same answers.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import duckdb
import pyarrow as pa

from jiuzhu.policy.compiler import INPUT_SCHEMAS, Program

_ARROW_TYPES = {"int64": pa.int64(), "float64": pa.float64(), "boolean": pa.bool_(), "string": pa.string()}
_local = threading.local()


def arrow_schema(level: str) -> pa.Schema:
    return pa.schema([(name, _ARROW_TYPES[t]) for name, t in INPUT_SCHEMAS[level].items()])


def to_arrow(rows: list[dict[str, Any]], level: str) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=arrow_schema(level))


def plain(table: pa.Table) -> pa.Table:
    """DuckDB computes constants as exact decimals and sums as 128-bit integers; hand back float64 and int64."""
    for i, f in enumerate(table.schema):
        if pa.types.is_decimal(f.type):
            target = pa.int64() if f.type.scale == 0 else pa.float64()
            table = table.set_column(i, f.name, table.column(i).cast(target))
    return table


# --- One household: SQLite ----------------------------------------------------------------------------------

_INSERT = {
    level: 'INSERT INTO "{table}" VALUES ({marks})'.format(
        table="households" if level == "household" else "members", marks=", ".join("?" * len(schema))
    )
    for level, schema in INPUT_SCHEMAS.items()
}


def _sqlite() -> sqlite3.Connection:
    con = getattr(_local, "sqlite", None)
    if con is None:
        con = sqlite3.connect(":memory:", cached_statements=512, check_same_thread=True)
        for level, table in (("household", "households"), ("member", "members")):
            columns = ", ".join(f'"{name}"' for name in INPUT_SCHEMAS[level])
            con.execute(f'CREATE TABLE "{table}" ({columns})')
        _local.sqlite = con
    return con


def _single_queries(program: Program) -> tuple[str, str]:
    queries = getattr(program, "_single", None)
    if queries is None:
        queries = program._single = (  # type: ignore[attr-defined]
            query_with_steps(program, program.household_table, dialect="sqlite"),
            query_with_steps(program, program.member_table, dialect="sqlite"),
        )
    return queries


def query_with_steps(program: Program, target: str, *, dialect: str = "duckdb") -> str:
    """One SQL query computing `target` from the input tables through every earlier step (as CTEs)."""
    ctes = []
    for step in program.steps:
        if step.name in (program.household_table, program.member_table) and step.name != target:
            continue
        ctes.append(f'"{step.name}" AS (\n{step.sqlite if dialect == "sqlite" else step.sql}\n)')
        if step.name == target:
            break
    return "WITH " + ",\n".join(ctes) + f'\nSELECT * FROM "{target}"'


def _typed(program: Program, step_name: str, cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    schema = next(s for s in program.steps if s.name == step_name).expr.schema()
    names = [d[0] for d in cursor.description]
    casts = []
    for name in names:
        dtype = schema[name]
        casts.append(
            bool if dtype.is_boolean() else float if dtype.is_floating() else int if dtype.is_integer() else str
        )
    return [
        {n: (None if v is None else cast(v)) for n, v, cast in zip(names, row, casts, strict=True)} for row in cursor
    ]


def run_one(program: Program, household: dict[str, Any], members: list[dict[str, Any]]) -> tuple[dict, list[dict]]:
    """Decide one household: (household result row, member result rows in member order)."""
    con = _sqlite()
    h_sql, m_sql = _single_queries(program)
    h_cols, m_cols = list(INPUT_SCHEMAS["household"]), list(INPUT_SCHEMAS["member"])
    with con:  # one transaction, rolled back below: the tables are empty again for the next household
        con.execute(_INSERT["household"], [household[c] for c in h_cols])
        con.executemany(_INSERT["member"], [[m[c] for c in m_cols] for m in members])
        h = _typed(program, program.household_table, con.execute(h_sql))
        m = _typed(program, program.member_table, con.execute(m_sql))
        con.rollback()
    m.sort(key=lambda r: r["member_no"])
    return h[0], m


def run_one_duckdb(program: Program, household: dict[str, Any], members: list[dict[str, Any]]) -> tuple[dict, list]:
    """The same decision on DuckDB (slow for one row: kept to show the two engines agree)."""
    con = duckdb.connect(":memory:", config={"threads": 1})
    con.register("households", to_arrow([household], "household"))
    con.register("members", to_arrow(members, "member"))
    h_table, m_table = run_bulk(program, con)
    h = plain(con.table(h_table).to_arrow_table()).to_pylist()
    m = plain(con.table(m_table).to_arrow_table()).sort_by("member_no").to_pylist()
    con.close()
    return h[0], m


# --- A population: DuckDB -------------------------------------------------------------------------------------


def run_bulk(program: Program, con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """Decide a population in `con`, which must hold relations named households and members.

    Each result is one query with the steps as CTEs: DuckDB then keeps only the columns later steps read and
    fuses the steps, where a temporary table per step writes every step out (slower at every size measured, even
    with the columns nothing reads left out). The two queries share their first steps, which each computes.
    Returns the names of the household and member result tables.
    """
    return run_result(program, con, "household"), run_result(program, con, "member")


def run_result(program: Program, con: duckdb.DuckDBPyConnection, level: str) -> str:
    """One result of a population, household or member, as in `run_bulk`; returns the table's name."""
    target = program.household_table if level == "household" else program.member_table
    con.execute(f'CREATE OR REPLACE TEMP TABLE "{target}" AS {query_with_steps(program, target)}')
    return target
