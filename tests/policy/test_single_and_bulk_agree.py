"""One compiler, two sizes: the answer for one household at the window and the answer in a city-wide run agree.

Hypothesis generates households of every shape; each is decided alone (as the API and the self-check do, on
SQLite) and all are decided together in one bulk run (as screening and what-if do, on DuckDB), and every
programme's decision and amount must be the same. The first household of each draw is also decided alone on
DuckDB, so the three renderings of the one program are held to one answer.
"""

from __future__ import annotations

from datetime import date

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.policy.checks import program_for
from jiuzhu.policy.engine import plain, run_bulk, run_one, run_one_duckdb, to_arrow
from jiuzhu.policy.facts import facts_rows, validate_facts
from jiuzhu.registry import choices as c

AS_OF = date(2024, 8, 1)
ASSUMED = {  # the national rules with assumed local values, so that every rule has something to compute
    "dibao_standard_urban": 735,
    "dibao_standard_rural": 534,
    "dibao_financial_assets_months": 24,
    "dibao_max_vehicles": 0,
    "dibao_max_homes": 1,
    "dibao_max_business_registrations": 0,
    "marginal_financial_assets_months": 24,
    "tekun_basic_standard": 956,
    "tekun_financial_assets_months": 24,
    "care_institutional_full": 995,
    "care_institutional_partial": 498,
    "care_institutional_self": 299,
    "care_at_home_full": 179,
    "care_at_home_partial": 105,
    "care_at_home_self": 60,
    "disposable_income_per_capita": 40000,
    "rigid_expense_ratio": 0.6,
    "rigid_expense_financial_assets_months": 24,
    "temporary_aid_max_months": 6,
    "temporary_aid_cap": 6000,
    "temporary_aid_advance_max": 1000,
    "temporary_aid_approval_tiers": [{"upto": 500, "value": 1}, {"upto": 5000, "value": 2}, {"value": 3}],
    "dibao_min_topup_ratio": 0.2,
    "topup_rate_elderly": 0.1,
    "topup_rate_severe_disability": 0.3,
    "dibao_rounding": "up",
    "dibao_rounding_level": "person",
    "gradual_exit_schedule": [{"upto": 2, "value": 1.0}, {"upto": 4, "value": 0.8}, {"value": 0.6}],
    "disability_living_subsidy_amount": 100,
    "disability_care_subsidy_amount": 90,
}

money = st.one_of(st.just(0), st.integers(0, 5000), st.decimals(0, 3000, places=2).map(str))
member = st.fixed_dictionaries(
    {
        "age": st.integers(0, 100),
        "labor_capacity": st.sampled_from(c.LaborCapacity.values),
        "employment": st.sampled_from(["", *c.Employment.values]),
        "school_stage": st.sampled_from(c.SchoolStage.values),
        "serious_illness": st.booleans(),
        "supporter_able": st.booleans(),
        "institutional": st.booleans(),
        "self_care_failed": st.integers(0, 3),
        "income": st.dictionaries(st.sampled_from(["wage", "pension", "business", "excluded_basic_pension"]), money),
        "receives": st.lists(st.sampled_from(["tekun", "dibao"]), max_size=1),
    },
    optional={
        "disability": st.fixed_dictionaries(
            {"kind": st.sampled_from(c.DisabilityKind.values), "grade": st.integers(1, 4)}
        )
    },
)
household = st.fixed_dictionaries(
    {
        "area_type": st.sampled_from(c.AreaType.values),
        "members": st.lists(member, min_size=1, max_size=6),
        "assets": st.fixed_dictionaries(
            {"financial": money, "homes": st.integers(0, 2), "business_registrations": st.integers(0, 1)}
        ),
        "expenses_12m": st.dictionaries(st.sampled_from(["medical", "education"]), st.integers(0, 80000)),
        "receives": st.lists(st.sampled_from(["dibao", "marginal"]), max_size=1),
        "emergency": st.fixed_dictionaries(
            {"kind": st.sampled_from(["", "fire", "traffic_accident"]), "months": st.integers(1, 8)}
        ),
        "gradual_exit": st.fixed_dictionaries({"months": st.integers(0, 8), "previous_benefit": money}),
    }
)


def _decisions(row: dict, columns: list[str]) -> dict:
    return {col: (round(row[col], 2) if isinstance(row[col], float) else row[col]) for col in columns}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(household, min_size=1, max_size=120))
def test_one_household_and_a_whole_population_get_the_same_answer(documents):
    program = program_for("national", AS_OF, ASSUMED)
    decision_columns = [
        i.column
        for i in program.items.values()
        if i.kind in ("eligible", "benefit") or i.key.endswith((":heligible", ":hbenefit"))
    ]
    h_cols = [col for col in decision_columns if col in program.steps[-2].expr.columns]
    m_cols = [col for col in decision_columns if col in program.steps[-1].expr.columns]
    assert "dibao__benefit" in h_cols and "tekun__eligible" in m_cols

    households, members, alone_h, alone_m = [], [], {}, {}
    for hh_id, document in enumerate(documents, start=1):
        facts = validate_facts(document, as_of=AS_OF)
        h, m = facts_rows(facts, as_of=AS_OF, household_id=hh_id)
        households.append(h)
        members += m
        one_h, one_m = run_one(program, h, m)
        alone_h[hh_id] = _decisions(one_h, h_cols)
        alone_m |= {(hh_id, r["member_no"]): _decisions(r, m_cols) for r in one_m}
        if hh_id == 1:
            duck_h, duck_m = run_one_duckdb(program, h, m)
            assert _decisions(duck_h, h_cols) == alone_h[1]
            assert [_decisions(r, m_cols) for r in duck_m] == [_decisions(r, m_cols) for r in one_m]

    con = duckdb.connect()
    con.register("households", to_arrow(households, "household"))
    con.register("members", to_arrow(members, "member"))
    h_table, m_table = run_bulk(program, con)
    together_h = {r["hh_id"]: _decisions(r, h_cols) for r in plain(con.table(h_table).to_arrow_table()).to_pylist()}
    together_m = {
        (r["hh_id"], r["member_no"]): _decisions(r, m_cols)
        for r in plain(con.table(m_table).to_arrow_table()).to_pylist()
    }
    assert together_h == alone_h
    assert together_m == alone_m
