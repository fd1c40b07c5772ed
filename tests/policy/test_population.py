"""The whole population's facts, derived in DuckDB from Parquet, equal each registered household's own facts.

Given one synthetic district loaded into the database and written to Parquet from the same seed and date, every
household's facts rows from `population_relations` equal those of the registry path (household_document →
validate_facts → facts_rows), on the synthetic date and on dates before and after it; and the bulk run over the
population decides every household as the single check does. A few hand-made households cover what the
generator never writes (annual incomes, end dates, members who left or died, disability vehicles, one-off expenses).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jiuzhu.policy.checks import program_for
from jiuzhu.policy.engine import plain, run_bulk, run_one
from jiuzhu.policy.errors import FactsInvalid
from jiuzhu.policy.facts import facts_rows, validate_facts
from jiuzhu.policy.population import population_relations
from jiuzhu.policy.registry_facts import household_documents
from jiuzhu.registry.models import (
    AssetRecord,
    ExpenseRecord,
    Household,
    IncomeRecord,
    Membership,
    Person,
    ProgrammeStatus,
    SpecialSituation,
)
from jiuzhu.registry.synth.loader import load_district
from jiuzhu.registry.synth.parquet import write_parquet

SEED, AS_OF, HOUSEHOLDS = 11, date(2024, 8, 1), 300
# Panlong's rules with the local values its pack lacks filled in (marked as demo assumptions), so that every
# programme computes something: unknown decisions would hide disagreements.
DEMO_PACK = "demo-530103"


@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("district")
    write_parquet(out_dir=out, households=HOUSEHOLDS, seed=SEED, as_of=AS_OF, progress=False)
    return out


def registry_rows(as_of: date) -> dict[str, tuple[dict, list[dict]] | None]:
    """Household number → (household row, member rows) by the registry path; None where the facts are refused."""
    found: dict[str, tuple[dict, list[dict]] | None] = {}
    households = list(Household.objects.order_by("number"))
    documents = household_documents(households, as_of=as_of)
    for household in households:
        try:
            facts = validate_facts(documents[household.pk], as_of=as_of)
        except FactsInvalid:
            found[household.number] = None
            continue
        found[household.number] = facts_rows(facts, as_of=as_of)
    return found


def population_rows(con: duckdb.DuckDBPyConnection, parquet_dir: Path, as_of: date) -> dict[str, tuple[dict, list]]:
    """Household number → (household row, member rows in member order) from population_relations."""
    population_relations(con, parquet_dir, as_of=as_of)
    members: dict[int, list[dict]] = {}
    for m in con.table("members").order("hh_id, member_no").to_arrow_table().to_pylist():
        members.setdefault(m["hh_id"], []).append(m)
    assert_engine_inputs(con)
    numbers = household_numbers(con, parquet_dir)
    return {numbers[h["hh_id"]]: (h, members[h["hh_id"]]) for h in con.table("households").to_arrow_table().to_pylist()}


def assert_engine_inputs(con: duckdb.DuckDBPyConnection) -> None:
    """What the compiler's constant folding relies on (folding.py): no fact is NULL, every household has a member."""
    for table in ("households", "members"):
        columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
        nulls = con.execute(f"SELECT {', '.join(f'count(*) - count({c})' for c in columns)} FROM {table}").fetchall()
        assert dict(zip(columns, nulls[0], strict=True)) == dict.fromkeys(columns, 0), f"NULLs in {table}"
    alone = con.execute("SELECT count(*) FROM households WHERE hh_id NOT IN (SELECT hh_id FROM members)").fetchall()
    assert alone == [(0,)], "households without members"


def household_numbers(con: duckdb.DuckDBPyConnection, parquet_dir: Path) -> dict[int, str]:
    sql = f"SELECT household_id, number FROM read_parquet('{parquet_dir}/households.parquet')"
    return dict(con.execute(sql).fetchall())


def _without_keys(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("hh_id", "member_no")}


def assert_same_facts(registry: dict, population: dict) -> None:
    """Equal rows for every household of `registry` (all of them or a sample), and no row where it refuses."""
    refused = {number for number, rows in registry.items() if rows is None}
    assert set(population) & set(registry) == set(registry) - refused, "the households the registry does not refuse"
    for number in set(registry) - refused:
        household, members = population[number]
        want_h, want_m = registry[number]
        assert _without_keys(household) == _without_keys(want_h), f"household {number}"
        assert [m["member_no"] for m in members] == [m["member_no"] for m in want_m], f"members of {number}"
        for got, want in zip(members, want_m, strict=True):
            assert _without_keys(got) == _without_keys(want), f"household {number}, member {got['member_no']}"


def _decisions(row: dict, columns: list[str]) -> dict:
    return {col: (round(row[col], 2) if isinstance(row[col], float) else row[col]) for col in columns}


def assert_same_decisions(program, con: duckdb.DuckDBPyConnection, parquet_dir: Path, registry: dict) -> int:
    """The bulk run over `con`'s relations against run_one on each registry household; returns 低保-eligible count."""
    h_cols = [col for col in program.steps[-2].expr.columns if "__" in col]
    m_cols = [col for col in program.steps[-1].expr.columns if "__" in col]
    numbers = household_numbers(con, parquet_dir)
    h_table, m_table = run_bulk(program, con)
    bulk_h = {numbers[r["hh_id"]]: r for r in plain(con.table(h_table).to_arrow_table()).to_pylist()}
    bulk_m: dict[str, list] = {}
    for r in plain(con.table(m_table).order("hh_id, member_no").to_arrow_table()).to_pylist():
        bulk_m.setdefault(numbers[r["hh_id"]], []).append(_decisions(r, m_cols))
    eligible = 0
    for number, (household, members) in registry.items():
        one_h, one_m = run_one(program, household, members)
        assert _decisions(bulk_h[number], h_cols) == _decisions(one_h, h_cols), number
        assert bulk_m[number] == [_decisions(r, m_cols) for r in one_m], number
        eligible += bool(one_h["dibao__eligible"])
    return eligible


@pytest.mark.django_db
def test_a_synthetic_district_has_the_same_facts_and_decisions_from_parquet_as_from_its_files(parquet_dir):
    # given the district loaded into the database from the same seed and date as the Parquet files
    load_district(households=HOUSEHOLDS, seed=SEED, as_of=AS_OF, progress=False)
    con = duckdb.connect()
    parquet = con.execute(
        f"SELECT h.number, count(p.person_id) FROM read_parquet('{parquet_dir}/households.parquet') h "
        f"JOIN read_parquet('{parquet_dir}/persons.parquet') p USING (household_id) GROUP BY h.number"
    ).fetchall()
    assert dict(parquet) == {h.number: h.memberships.count() for h in Household.objects.all()}  # the same district
    assert len(parquet) == HOUSEHOLDS

    # when the whole population's facts come from Parquet in DuckDB, and each household's from its file
    population = population_rows(con, parquet_dir, AS_OF)
    registry = registry_rows(AS_OF)
    # then they are equal, household by household and member by member
    assert_same_facts(registry, population)
    # and the bulk run over the population decides every household as the single check does
    assert assert_same_decisions(program_for(DEMO_PACK, AS_OF), con, parquet_dir, registry) > 0

    # and so on other dates: before the synthetic date (members not yet joined, evidence not yet in force,
    # households with nobody yet, which neither path gives facts for) and after it (programmes ended, birthdays)
    for shift in (-400, 200):
        as_of = AS_OF + timedelta(days=shift)
        population = population_rows(con, parquet_dir, as_of)
        registry = registry_rows(as_of)
        assert (len(population) < HOUSEHOLDS) == (shift < 0)
        assert_same_facts(registry, population)


# --- Hand-made households: what the generator never writes ---------------------------------------------------

PARQUET_COLUMNS = {
    "households": ("household_id", "number", "area_type"),
    "persons": (
        "household_id",
        "person_id",
        "relation",
        "joined_on",
        "left_on",
        "death_date",
        "sex",
        "birth_date",
        "labor_capacity",
        "disability_kind",
        "disability_grade",
        "serious_illness",
        "chronic_illness",
        "employment",
        "school_stage",
    ),
    "situations": ("household_id", "person_id", "kind", "valid_from", "valid_to"),
    "incomes": ("household_id", "person_id", "category", "amount", "period", "valid_from", "valid_to"),
    "assets": ("household_id", "person_id", "kind", "value", "vehicle_kind", "valid_from", "valid_to"),
    "expenses": ("household_id", "person_id", "category", "amount", "period", "valid_from", "valid_to"),
    "programmes": ("household_id", "person_id", "programme", "status", "since", "until", "monthly_amount"),
}


def export_registry(out: Path) -> None:
    """The database's households as the Parquet tables population_relations reads, with the end-date columns."""
    out.mkdir(parents=True, exist_ok=True)
    money = pa.decimal128(14, 2)
    rows: dict[str, list[dict]] = {t: [] for t in PARQUET_COLUMNS}
    for h in Household.objects.all():
        rows["households"].append({"household_id": h.pk, "number": h.number, "area_type": h.area_type})
    for m in Membership.objects.select_related("person"):
        p = m.person
        rows["persons"].append(
            {
                "household_id": m.household_id,
                "person_id": p.pk,
                "relation": m.relation,
                "joined_on": m.joined_on,
                "left_on": m.left_on,
                "death_date": p.death_date,
                **{k: getattr(p, k) for k in PARQUET_COLUMNS["persons"][6:]},
            }
        )
    for s in SpecialSituation.objects.all():
        household = Membership.objects.filter(person=s.person).first().household_id
        rows["situations"].append({"household_id": household, "person_id": s.person_id} | _fields(s, "situations"))
    for table, model in (("incomes", IncomeRecord), ("assets", AssetRecord), ("expenses", ExpenseRecord)):
        for r in model.objects.all():
            rows[table].append({"household_id": r.household_id, "person_id": r.person_id} | _fields(r, table))
    for g in ProgrammeStatus.objects.all():
        rows["programmes"].append({"household_id": g.household_id, "person_id": g.person_id} | _fields(g, "programmes"))
    types = {
        "amount": money,
        "value": money,
        "monthly_amount": money,
        "disability_grade": pa.int8(),
        "household_id": pa.int64(),
        "person_id": pa.int64(),
    }
    dates = {"joined_on", "left_on", "death_date", "birth_date", "valid_from", "valid_to", "since", "until"}
    for table, columns in PARQUET_COLUMNS.items():
        schema = pa.schema([(col, pa.date32() if col in dates else types.get(col, pa.string())) for col in columns])
        pq.write_table(pa.Table.from_pylist(rows[table], schema=schema), out / f"{table}.parquet")


def _fields(record, table: str) -> dict:
    return {col: getattr(record, col) for col in PARQUET_COLUMNS[table][2:]}


def test_hand_made_households_have_the_same_facts(units, tmp_path):
    day = date(2024, 8, 1)
    grid = units["grid_a"]
    born = date(1960, 8, 2)  # turns 64 the day after the decision date

    def person(name: str, birth: date = born, **kw) -> Person:
        return Person.objects.create(name=name, sex="F", birth_date=birth, **kw)

    def household(number: str, area: str = "urban") -> Household:
        return Household.objects.create(number=number, org_unit=grid, area_type=area)

    def evidence(model, hh, who=None, since=date(2024, 1, 1), **kw):
        return model.objects.create(household=hh, person=who, source="declared", valid_from=since, **kw)

    # a household whose head joined after the spouse, with a son who left and a father who died
    a = household("A1", "rural")
    spouse, head = person("配偶"), person("户主", date(1958, 8, 1), disability_kind="physical", disability_grade=2)
    son, father = person("儿子", date(1990, 1, 1)), person("父亲", date(1930, 1, 1), death_date=date(2024, 3, 1))
    grade_only = person("只有类别", date(1985, 5, 5), disability_kind="visual", serious_illness="恶性肿瘤")
    Membership.objects.create(household=a, person=spouse, relation="spouse", joined_on=date(2000, 1, 1))
    Membership.objects.create(household=a, person=head, relation="head", joined_on=date(2001, 1, 1))
    Membership.objects.create(household=a, person=father, relation="parent", joined_on=date(2001, 1, 1))
    Membership.objects.create(household=a, person=grade_only, relation="other", joined_on=date(2001, 1, 1))
    Membership.objects.create(
        household=a, person=son, relation="child", joined_on=date(1990, 1, 1), left_on=date(2024, 6, 1)
    )
    for amount in ("0.06", "0.18", "100.30", "12345.67"):  # annual ÷ 12 to the fen, half to even
        evidence(IncomeRecord, a, spouse, category="wage", amount=Decimal(amount), period="annual")
    evidence(IncomeRecord, a, None, category="pension", amount=Decimal("1200.50"))  # no person → the head
    evidence(IncomeRecord, a, son, category="wage", amount=Decimal("3000"))  # left the household: not counted
    evidence(IncomeRecord, a, head, category="other", amount=Decimal("500"), period="one_off")  # not monthly
    evidence(IncomeRecord, a, head, category="wage", amount=Decimal("999"), valid_to=date(2024, 7, 31))  # ended
    evidence(IncomeRecord, a, head, category="wage", amount=Decimal("777"), since=date(2024, 8, 2))  # not yet
    evidence(IncomeRecord, a, head, category="excluded_basic_pension", amount=Decimal("163"))
    evidence(AssetRecord, a, head, kind="deposit", value=Decimal("1000.10"))
    evidence(AssetRecord, a, None, kind="claim", value=Decimal("200.20"))
    evidence(AssetRecord, a, son, kind="securities", value=Decimal("50000"))  # a non-member's: left out
    evidence(AssetRecord, a, None, kind="insurance", value=Decimal("70"), valid_to=date(2024, 1, 31))  # ended
    evidence(
        AssetRecord, a, None, kind="vehicle", vehicle_kind="disability", value=Decimal("9000"), since=date(2024, 5, 1)
    )
    evidence(AssetRecord, a, None, kind="vehicle", vehicle_kind="", value=Decimal("30000"), since=date(2020, 5, 1))
    evidence(AssetRecord, a, None, kind="vehicle", vehicle_kind="truck", value=None, since=date(2024, 2, 1))
    evidence(AssetRecord, a, None, kind="property", value=Decimal("1"))
    evidence(AssetRecord, a, head, kind="property", value=None)
    evidence(AssetRecord, a, spouse, kind="business", value=Decimal("30000"))
    evidence(AssetRecord, a, None, kind="business", value=None)
    evidence(AssetRecord, a, None, kind="other", value=Decimal("5"))
    evidence(
        ExpenseRecord, a, head, category="medical", amount=Decimal("100"), period="one_off", since=date(2023, 8, 3)
    )
    evidence(ExpenseRecord, a, head, category="medical", amount=Decimal("7"), period="one_off", since=date(2023, 8, 2))
    evidence(ExpenseRecord, a, head, category="medical", amount=Decimal("250.50"), period="monthly")
    evidence(ExpenseRecord, a, head, category="education", amount=Decimal("5000"), period="annual")
    evidence(ExpenseRecord, a, head, category="other", amount=Decimal("9"), period="monthly", valid_to=date(2024, 3, 1))
    ProgrammeStatus.objects.create(
        household=a, programme="dibao", status="gradual_exit", since=date(2024, 3, 15), monthly_amount=Decimal("820.5")
    )
    ProgrammeStatus.objects.create(
        household=a, person=head, programme="disability_care_subsidy", status="active", since=date(2020, 1, 1)
    )
    ProgrammeStatus.objects.create(
        household=a, person=son, programme="medical_aid", status="active", since=date(2020, 1, 1)
    )
    ProgrammeStatus.objects.create(
        household=a, programme="marginal", status="active", since=date(2020, 1, 1), until=date(2024, 7, 1)
    )
    ProgrammeStatus.objects.create(household=a, programme="tekun", status="suspended", since=date(2020, 1, 1))
    SpecialSituation.objects.create(person=head, kind="disabled_care_needed", valid_from=date(2022, 1, 1))
    SpecialSituation.objects.create(
        person=spouse, kind="empty_nest", valid_from=date(2022, 1, 1), valid_to=date(2024, 1, 1)
    )
    SpecialSituation.objects.create(person=spouse, kind="living_alone", valid_from=date(2024, 8, 2))

    # a household with no head recorded: the first member takes what belongs to nobody
    b = household("B1")
    first, second = person("甲", date(2010, 8, 1)), person("乙", date(1980, 2, 29))
    Membership.objects.create(household=b, person=second, relation="sibling", joined_on=date(2015, 1, 1))
    Membership.objects.create(household=b, person=first, relation="sibling", joined_on=date(2010, 8, 1))
    evidence(IncomeRecord, b, None, category="support_received", amount=Decimal("600"))
    ProgrammeStatus.objects.create(
        household=b,
        person=first,
        programme="education_aid",
        status="active",
        since=date(2024, 8, 1),
        until=date(2024, 8, 1),
    )

    # a household whose only member has left: no facts on either path
    c_ = household("C1")
    gone = person("丙")
    Membership.objects.create(
        household=c_, person=gone, relation="head", joined_on=date(2000, 1, 1), left_on=date(2024, 1, 1)
    )

    out = tmp_path / "registry"
    export_registry(out)
    for as_of in (day, date(2024, 2, 29), date(2025, 3, 16)):
        registry = registry_rows(as_of)
        assert registry["C1"] is None
        population = population_rows(duckdb.connect(), out, as_of)
        assert_same_facts(registry, population)
    # and the branches above were taken (a mapping that ignored them would not pass this by chance)
    household_a, members_a = registry_rows(day)["A1"]
    assert [m["relation"] for m in members_a] == ["spouse", "head", "other"]
    assert members_a[0]["income_wage"] == 1037.19  # 0.00 + 0.02 + 8.36 + 1028.81: half to even, not half up
    assert members_a[1]["income_pension"] == 1200.5 and members_a[1]["income_wage"] == 0
    assert (household_a["vehicles"], household_a["vehicles_exempt"], household_a["homes"]) == (2, 1, 2)
    assert household_a["exit_months"] == 6 and household_a["previous_benefit"] == 820.5
    assert household_a["expense_medical_12m"] == 100 + 250.5 * 12 and household_a["expense_education_12m"] == 5000
