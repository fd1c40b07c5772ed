"""A whole population's facts for the bulk engine, derived in DuckDB from the registry's Parquet tables.

`population_relations(con, parquet_dir, as_of=…)` creates the two relations the compiled program reads —
`households` and `members`, with exactly the columns and types of `compiler.INPUT_SCHEMAS` — from the tables that
`jiuzhu synth --out` writes (registry/synth/parquet.py: households, persons, situations, incomes, assets, expenses,
programmes). Each relation is one SQL statement over the Parquet files; nothing passes through Python row by row.

The mapping is the one of `registry_facts.household_document` → `facts.validate_facts` → `facts.facts_rows`, the
path a single registered household takes, so that a household decided alone and in the whole population agree:

Keys
  hh_id      = households.household_id (the integer surrogate key; `number` is the natural household number).
  member_no  = 1, 2, … for the household's members on `as_of`, ordered by joined_on, then person_id (the order of
               the registry's memberships: joined_on, then the membership row, created in person order).
Members on `as_of`
  persons with joined_on ≤ as_of (and as_of < left_on, and no death_date ≤ as_of, where the table has those
  columns; the synthetic tables have neither). A household with no member on `as_of` has no row (its facts
  document would be refused: a household needs at least one member).
  The head is the first member (in member order) whose relation is `head`, else the first member.
Member columns
  age = whole years from birth_date to as_of; sex, relation, labor_capacity, employment, school_stage as recorded
  ('' when empty); disability_kind/disability_grade only when both are recorded, else '' and 0;
  serious_illness / chronic_illness = the text is not empty; self_care_failed = 0, supporter_able = true,
  institutional = false (the file does not record them: the registry path says so in its `assumed` list).
  is_<situation> = the person has a situation of that kind in force (valid_from ≤ as_of ≤ valid_to).
  income_<category> = the sum of the member's income records in force (valid_from ≤ as_of ≤ valid_to): monthly as
  is, annual ÷ 12 rounded to the fen half-to-even (Python's Decimal.quantize), one-off not counted. A record of no
  person counts for the head; a record of a person who is not a member on as_of is left out. Summed exactly in fen.
  on_<programme> = the member receives it (a programme status of this person, active or gradual_exit, since ≤
  as_of ≤ until) or the household does (such a status with no person).
Household columns
  area_type as recorded. Assets in force, of no person or of a member (an asset of a non-member is left out):
  financial_assets = Σ value of deposit, securities, insurance, internet_finance, claim;
  vehicles / vehicles_exempt = vehicles other than / of kind `disability` (no kind counts as a car);
  vehicle_value_max = the dearest counted vehicle (0 if none); vehicle_bought_12m_value_max = the dearest counted
  vehicle with valid_from after as_of − 365 days; homes = property records; business_registrations and
  business_capital = business records and Σ their value; non_residential_properties = 0 (not told apart).
  A missing value counts as 0.
  expense_<category>_12m: a one-off expense with as_of − 365 days < valid_from ≤ as_of; a monthly one in force × 12;
  an annual one in force as is.
  on_<programme> = the household or any member receives it (as above).
  exit_months / previous_benefit: a 低保 status in gradual_exit in force gives months_between(since, as_of) + 1 and
  its monthly amount (the one with the earliest `since` when there are several, as the registry's -since order
  leaves it); else 0 and 0.
  emergency_kind = '', emergency_loss = 0, hardship_months = 1: the defaults of a document that says nothing.
Records are taken as valid, as the synthetic generator writes them; the registry path would refuse a household
whose facts fail validation (a negative amount, a member born after as_of …), which this bulk path does not check.
Tables without an end-date column (valid_to, until, left_on, death_date) are read as open-ended.

No column of either relation is NULL, and every household has at least one member: the compiler's constant folding
relies on both (policy/folding.py), as it does for facts_rows.

tests/policy/test_population.py holds this mapping equal to the registry path on a synthetic district, and checks
those two properties.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb

from jiuzhu.policy.compiler import INPUT_SCHEMAS
from jiuzhu.policy.facts import EXPENSE_CATEGORIES, INCOME_CATEGORIES, PROGRAMME_CODES, SITUATIONS
from jiuzhu.registry import choices as c

FINANCIAL = (
    c.AssetKind.DEPOSIT,
    c.AssetKind.SECURITIES,
    c.AssetKind.INSURANCE,
    c.AssetKind.INTERNET_FINANCE,
    c.AssetKind.CLAIM,
)
RECEIVING = (c.ProgrammeStatusValue.ACTIVE, c.ProgrammeStatusValue.GRADUAL_EXIT)
SQL_TYPES = {"int64": "BIGINT", "float64": "DOUBLE", "boolean": "BOOLEAN", "string": "VARCHAR"}
TABLES = ("households", "persons", "situations", "incomes", "assets", "expenses", "programmes")


def _lit(value: str | date) -> str:
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def _in(values) -> str:
    return "(" + ", ".join(_lit(str(v)) for v in values) + ")"


class _Sources:
    """The Parquet tables of one directory, and which optional end-date columns each has."""

    def __init__(self, con: duckdb.DuckDBPyConnection, parquet_dir: str | Path) -> None:
        root = Path(parquet_dir)
        self.paths: dict[str, str] = {}
        self.columns: dict[str, set[str]] = {}
        for table in TABLES:
            path = root / f"{table}.parquet"
            if not path.exists():
                raise FileNotFoundError(f"{path}: no such Parquet table (write one with `jiuzhu synth --out`)")
            self.paths[table] = str(path).replace("'", "''")
            described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{self.paths[table]}')").fetchall()
            self.columns[table] = {row[0] for row in described}

    def scan(self, table: str) -> str:
        return f"read_parquet('{self.paths[table]}')"

    def until(self, table: str, alias: str, column: str, as_of: date, *, inclusive: bool = True) -> str:
        """The condition that an optional end date has not passed ('TRUE' when the table has no such column)."""
        if column not in self.columns[table]:
            return "TRUE"
        op = ">=" if inclusive else ">"
        return f"({alias}.{column} IS NULL OR {alias}.{column} {op} {_lit(as_of)})"


def _current_persons(src: _Sources, as_of: date) -> str:
    """Persons who are members of their household on as_of, with their member number; and each household's head."""
    d = _lit(as_of)
    return f"""
    current AS (
        SELECT p.*,
               row_number() OVER (PARTITION BY p.household_id ORDER BY p.joined_on, p.person_id) AS member_no
        FROM {src.scan("persons")} AS p
        WHERE p.joined_on <= {d}
          AND {src.until("persons", "p", "left_on", as_of, inclusive=False)}
          AND {src.until("persons", "p", "death_date", as_of, inclusive=False)}
    ),
    heads AS (
        SELECT household_id, arg_min(person_id, (relation <> 'head', member_no)) AS head_id
        FROM current GROUP BY household_id
    )"""


def _members_sql(src: _Sources, as_of: date) -> str:
    d = _lit(as_of)
    # Annual amounts: fen ÷ 12 rounded half to even, on absolute values (Decimal.quantize is symmetric).
    fen = "CAST(round(i.amount * 100) AS BIGINT)"
    annual = (
        f"sign({fen}) * (abs({fen}) // 12 + CASE WHEN 2 * (abs({fen}) % 12) > 12 "
        f"OR (2 * (abs({fen}) % 12) = 12 AND (abs({fen}) // 12) % 2 = 1) THEN 1 ELSE 0 END)"
    )
    income_cols = ",\n".join(
        f"coalesce(sum(fen) FILTER (WHERE category = {_lit(k)}), 0) AS income_{k}" for k in INCOME_CATEGORIES
    )
    situation_cols = ",\n".join(f"bool_or(kind = {_lit(s)}) AS is_{s}" for s in SITUATIONS)
    programme_cols = ",\n".join(f"bool_or(programme = {_lit(p)}) AS on_{p}" for p in PROGRAMME_CODES)
    values = {
        "hh_id": "m.household_id",
        "member_no": "m.member_no",
        "age": (
            f"year({d}) - year(m.birth_date) - CASE WHEN month(m.birth_date) > {as_of.month} OR "
            f"(month(m.birth_date) = {as_of.month} AND day(m.birth_date) > {as_of.day}) THEN 1 ELSE 0 END"
        ),
        "sex": "coalesce(m.sex, '')",
        "relation": "coalesce(m.relation, '')",
        "labor_capacity": "coalesce(m.labor_capacity, '')",
        "disability_kind": (
            "CASE WHEN coalesce(m.disability_kind, '') <> '' AND coalesce(m.disability_grade, 0) <> 0 "
            "THEN m.disability_kind ELSE '' END"
        ),
        "disability_grade": (
            "CASE WHEN coalesce(m.disability_kind, '') <> '' AND coalesce(m.disability_grade, 0) <> 0 "
            "THEN m.disability_grade ELSE 0 END"
        ),
        "serious_illness": "coalesce(m.serious_illness, '') <> ''",
        "chronic_illness": "coalesce(m.chronic_illness, '') <> ''",
        "employment": "coalesce(m.employment, '')",
        "school_stage": "coalesce(m.school_stage, '')",
        "self_care_failed": "0",
        "supporter_able": "TRUE",
        "institutional": "FALSE",
    }
    values |= {f"is_{s}": f"coalesce(s.is_{s}, FALSE)" for s in SITUATIONS}
    values |= {f"income_{k}": f"coalesce(i.income_{k}, 0) / 100.0" for k in INCOME_CATEGORIES}
    values |= {f"on_{p}": f"(coalesce(mp.on_{p}, FALSE) OR coalesce(hp.on_{p}, FALSE))" for p in PROGRAMME_CODES}
    return f"""
    WITH {_current_persons(src, as_of).strip()},
    income_rows AS (
        SELECT i.household_id,
               coalesce(m.person_id, h.head_id) AS person_id,
               i.category,
               CASE i.period WHEN 'monthly' THEN {fen} WHEN 'annual' THEN {annual} ELSE 0 END AS fen
        FROM {src.scan("incomes")} AS i
        JOIN heads AS h ON h.household_id = i.household_id
        LEFT JOIN current AS m ON m.household_id = i.household_id AND m.person_id = i.person_id
        WHERE i.valid_from <= {d} AND {src.until("incomes", "i", "valid_to", as_of)}
          AND (i.person_id IS NULL OR m.person_id IS NOT NULL)
    ),
    incomes AS (SELECT household_id, person_id, {income_cols} FROM income_rows GROUP BY household_id, person_id),
    situations AS (
        SELECT s.person_id, {situation_cols}
        FROM {src.scan("situations")} AS s
        WHERE s.valid_from <= {d} AND {src.until("situations", "s", "valid_to", as_of)}
        GROUP BY s.person_id
    ),
    receiving AS (
        SELECT * FROM {src.scan("programmes")} AS g
        WHERE g.status IN {_in(RECEIVING)} AND g.since <= {d} AND {src.until("programmes", "g", "until", as_of)}
    ),
    programmes AS (
        SELECT household_id, person_id, {programme_cols} FROM receiving GROUP BY household_id, person_id
    )
    SELECT {", ".join(f"CAST({values[n]} AS {SQL_TYPES[t]}) AS {n}" for n, t in INPUT_SCHEMAS["member"].items())}
    FROM current AS m
    LEFT JOIN incomes AS i ON i.household_id = m.household_id AND i.person_id = m.person_id
    LEFT JOIN situations AS s ON s.person_id = m.person_id
    LEFT JOIN programmes AS mp ON mp.household_id = m.household_id AND mp.person_id = m.person_id
    LEFT JOIN programmes AS hp ON hp.household_id = m.household_id AND hp.person_id IS NULL
    """


def _households_sql(src: _Sources, as_of: date, members: str = "members") -> str:
    """The household relation; `members` names the member relation already made (for what members receive)."""
    d, year_ago = _lit(as_of), _lit(as_of - timedelta(days=365))
    value = "CAST(round(coalesce(a.value, 0) * 100) AS BIGINT)"
    counted = "(a.kind = 'vehicle' AND coalesce(nullif(a.vehicle_kind, ''), 'car') <> 'disability')"
    exempt = "(a.kind = 'vehicle' AND a.vehicle_kind = 'disability')"
    expense_cols = ",\n".join(
        f"coalesce(sum(fen) FILTER (WHERE category = {_lit(k)}), 0) AS expense_{k}_12m" for k in EXPENSE_CATEGORIES
    )
    expense_fen = "CAST(round(e.amount * 100) AS BIGINT)"
    values = {
        "hh_id": "h.household_id",
        "area_type": "coalesce(h.area_type, '')",
        "financial_assets": "coalesce(a.financial, 0) / 100.0",
        "vehicles": "coalesce(a.vehicles, 0)",
        "vehicles_exempt": "coalesce(a.vehicles_exempt, 0)",
        "vehicle_value_max": "coalesce(a.vehicle_value_max, 0) / 100.0",
        "vehicle_bought_12m_value_max": "coalesce(a.vehicle_bought_12m_value_max, 0) / 100.0",
        "homes": "coalesce(a.homes, 0)",
        "non_residential_properties": "0",
        "business_registrations": "coalesce(a.business_registrations, 0)",
        "business_capital": "coalesce(a.business_capital, 0) / 100.0",
        "emergency_kind": "''",
        "emergency_loss": "0.0",
        "hardship_months": "1",
        "exit_months": "coalesce(x.exit_months, 0)",
        "previous_benefit": "coalesce(x.previous_benefit, 0) / 100.0",
    }
    values |= {f"expense_{k}_12m": f"coalesce(e.expense_{k}_12m, 0) / 100.0" for k in EXPENSE_CATEGORIES}
    values |= {f"on_{p}": f"m.on_{p}" for p in PROGRAMME_CODES}
    return f"""
    WITH {_current_persons(src, as_of).strip()},
    member_view AS (
        SELECT hh_id, {", ".join(f"bool_or(on_{p}) AS on_{p}" for p in PROGRAMME_CODES)}
        FROM {members} GROUP BY hh_id
    ),
    asset_totals AS (
        SELECT a.household_id,
               sum({value}) FILTER (WHERE a.kind IN {_in(FINANCIAL)}) AS financial,
               count(*) FILTER (WHERE {counted}) AS vehicles,
               count(*) FILTER (WHERE {exempt}) AS vehicles_exempt,
               max({value}) FILTER (WHERE {counted}) AS vehicle_value_max,
               max({value}) FILTER (WHERE {counted} AND a.valid_from > {year_ago})
                   AS vehicle_bought_12m_value_max,
               count(*) FILTER (WHERE a.kind = 'property') AS homes,
               count(*) FILTER (WHERE a.kind = 'business') AS business_registrations,
               sum({value}) FILTER (WHERE a.kind = 'business') AS business_capital
        FROM {src.scan("assets")} AS a
        LEFT JOIN current AS owner ON owner.household_id = a.household_id AND owner.person_id = a.person_id
        WHERE a.valid_from <= {d} AND {src.until("assets", "a", "valid_to", as_of)}
          AND (a.person_id IS NULL OR owner.person_id IS NOT NULL)
        GROUP BY a.household_id
    ),
    expense_rows AS (
        SELECT e.household_id, e.category,
               CASE WHEN e.period = 'one_off' THEN {expense_fen}
                    WHEN e.period = 'monthly' THEN {expense_fen} * 12
                    ELSE {expense_fen} END AS fen
        FROM {src.scan("expenses")} AS e
        WHERE e.valid_from <= {d}
          AND CASE WHEN e.period = 'one_off' THEN e.valid_from > {year_ago}
                   ELSE {src.until("expenses", "e", "valid_to", as_of)} END
    ),
    expense_totals AS (SELECT household_id, {expense_cols} FROM expense_rows GROUP BY household_id),
    gradual_exit AS (
        SELECT g.household_id,
               arg_min((year({d}) - year(g.since)) * 12 + {as_of.month} - month(g.since) + 1, g.since) AS exit_months,
               arg_min(CAST(round(coalesce(g.monthly_amount, 0) * 100) AS BIGINT), g.since) AS previous_benefit
        FROM {src.scan("programmes")} AS g
        WHERE g.programme = 'dibao' AND g.status = 'gradual_exit' AND g.since <= {d}
          AND {src.until("programmes", "g", "until", as_of)}
        GROUP BY g.household_id
    )
    SELECT {", ".join(f"CAST({values[n]} AS {SQL_TYPES[t]}) AS {n}" for n, t in INPUT_SCHEMAS["household"].items())}
    FROM {src.scan("households")} AS h
    JOIN member_view AS m ON m.hh_id = h.household_id
    LEFT JOIN asset_totals AS a ON a.household_id = h.household_id
    LEFT JOIN expense_totals AS e ON e.household_id = h.household_id
    LEFT JOIN gradual_exit AS x ON x.household_id = h.household_id
    """


def population_relations(
    con: duckdb.DuckDBPyConnection, parquet_dir: str | Path, *, as_of: date, materialize: bool = True
) -> None:
    """Create `members` and `households` in `con` from the registry Parquet tables in `parquet_dir`, as of a date.

    With `materialize` (the default) they are tables in DuckDB's own format, built once and read by every step of
    the program; without, views over the Parquet files (each read of them re-derives the facts).
    """
    src = _Sources(con, parquet_dir)
    kind = "TABLE" if materialize else "VIEW"
    for name in ("households", "members"):  # replace what an earlier call made, table or view
        found = con.execute(
            "SELECT table_type FROM information_schema.tables WHERE table_name = ? AND table_schema = current_schema()",
            [name],
        ).fetchall()  # all rows: DuckDB 2.0 refuses further work while a result is left half read
        if found:
            con.execute(f"DROP {'VIEW' if found[0][0] == 'VIEW' else 'TABLE'} {name}")
    con.execute(f"CREATE {kind} members AS {_members_sql(src, as_of)}")
    con.execute(f"CREATE {kind} households AS {_households_sql(src, as_of)}")
