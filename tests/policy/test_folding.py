"""Constant folding: the parameter values of the decision date, folded into the rules, change the SQL, never an answer.

Every program is compiled twice: folded, as the platform runs it, and with the values merely put in (`fold=False`,
the SQL as it was before folding). Given households of every shape, both give each household the same result row,
column by column, the same explanation, and the same decisions in a bulk run. The other tests show that folding
happens where it should — a deduction whose rate is 0 leaves the member → household → member pass, a branch chosen
by a parameter is the only one left, a NULL check stays only where an unknown can arrive — and not where it must
not: 0 × an unknown value is unknown.
"""

from __future__ import annotations

import functools
import json
from datetime import date

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.policy import explain
from jiuzhu.policy import language as lang
from jiuzhu.policy.analysis import analyse
from jiuzhu.policy.compiler import Program, compile_analysis
from jiuzhu.policy.engine import plain, run_bulk, run_one, to_arrow
from jiuzhu.policy.facts import facts_rows, validate_facts
from jiuzhu.policy.folding import refs
from jiuzhu.policy.packs import load_pack
from tests.policy.test_single_and_bulk_agree import ASSUMED, household

AS_OF = date(2024, 8, 1)
SWITCHED_ON = {  # the demo pack with the switches its dates leave off turned on: other branches, other folds
    "employment_cost_deduction_ratio": 0.2,
    "topup_rate_elderly": 0.1,
    "topup_stacking": True,
    "dibao_rounding": "half_up",
    "dibao_rounding_level": "person",
    "dibao_payment_method_urban": "tiered",
    "dibao_tiers_urban": [{"below": 300, "value": 400}, {"upto": 600, "value": 250}, {"value": 100}],
    "gradual_exit_schedule": [{"upto": 3, "value": 1.0}, {"value": 0.5}],
}
CASES = [
    ("national", ASSUMED),  # every rule computes: rounding up per person, top-ups, a gradual-exit schedule
    ("demo-530103", None),  # most switches off: no deduction, no top-ups, no rounding, a flat exit share
    ("demo-530103", SWITCHED_ON),
    ("530103-panlong", None),  # the values as published: asset limits missing, so 低保 is unknown (未能判断)
]


def programs(locality: str, overrides: dict | str | None, outputs: str = "all") -> tuple[Program, Program]:
    if isinstance(overrides, str):
        overrides = json.loads(overrides)
    analysis = analyse(load_pack(locality))
    return (
        compile_analysis(analysis, AS_OF, outputs, overrides),
        compile_analysis(analysis, AS_OF, outputs, overrides, fold=False),
    )


cached_programs = functools.cache(programs)  # the real packs, compiled once for every draw


def explanation(program: Program, h: dict, m: list[dict]) -> list:
    codes = list(program.analysis.pack.programmes)
    names = [f"成员{i + 1}" for i in range(len(m))]
    return [
        [explain.programme_result(program, code, h, m, names) for code in codes],
        explain.household_values(program, h),
        explain.parameters_used(program),
        explain.parameters_missing(program),
    ]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(household, min_size=1, max_size=25))
def test_folded_and_unfolded_programs_give_every_household_the_same_answer(documents):
    rows = []
    for hh_id, document in enumerate(documents, start=1):
        facts = validate_facts(document, as_of=AS_OF)
        rows.append(facts_rows(facts, as_of=AS_OF, household_id=hh_id))
    for locality, overrides in CASES:
        folded, flat = cached_programs(locality, _frozen(overrides))
        for h, m in rows:
            # when each household is decided alone (SQLite) by the folded and by the unfolded program
            got_h, got_m = run_one(folded, h, m)
            want_h, want_m = run_one(flat, h, m)
            # then every column of the result is the same, and so is what the clerk prints
            assert got_h == want_h, (locality, h["hh_id"])
            assert got_m == want_m, (locality, h["hh_id"])
            assert explanation(folded, got_h, got_m) == explanation(flat, want_h, want_m), (locality, h["hh_id"])

        # and in one bulk run on DuckDB, as screening makes it, every decision is the same
        folded, flat = cached_programs(locality, _frozen(overrides), "decisions")
        con = duckdb.connect()
        con.register("households", to_arrow([h for h, _ in rows], "household"))
        con.register("members", to_arrow([r for _, m in rows for r in m], "member"))
        results = []
        for program in (folded, flat):
            h_table, m_table = run_bulk(program, con)
            results.append(
                (
                    plain(con.table(h_table).order("hh_id").to_arrow_table()).to_pylist(),
                    plain(con.table(m_table).order("hh_id, member_no").to_arrow_table()).to_pylist(),
                )
            )
        assert results[0] == results[1], locality


def _frozen(overrides: dict | None) -> str | None:
    return None if overrides is None else json.dumps(overrides, sort_keys=True)


def first_step_with(program: Program, column: str) -> str:
    """The step that computes `column`."""
    return next(step.name for step in program.steps if f'AS "{column}"' in step.sql)


def test_a_zero_deduction_leaves_the_member_household_member_pass():
    # given the demo pack on a date where the employment cost deduction ratio is 0
    folded, flat = programs("demo-530103", None, "decisions")
    assert folded.parameters["employment_cost_deduction_ratio"].value == 0
    # then the deduction no longer reads the household's standard, and the counted income is computed in the first
    # member pass (summed in the first household pass) instead of after a household pass
    assert "d:h:dibao_standard" not in refs(folded.folded["d:m:employment_cost_deduction"])
    assert first_step_with(folded, "d_counted_income") == "m0"
    assert first_step_with(flat, "d_counted_income") == "m2"
    # but with a ratio it reads the standard again
    with_ratio, _ = programs("demo-530103", {"employment_cost_deduction_ratio": 0.2}, "decisions")
    assert first_step_with(with_ratio, "d_counted_income") == "m2"


def test_rules_switched_off_by_their_parameters_are_known_values():
    folded, _ = programs("demo-530103", None, "decisions")
    zero = lang.Const("number", 0.0)
    # top-up rates of 0: each top-up is 0 whatever the member, so is their sum over the household
    assert folded.folded["d:m:topup_share"] == zero
    assert folded.folded["dibao:a:category_topup"] == zero
    # the payment method is "difference" in town and country: the tiered branch is gone, and what it read
    assert "dibao:a:tier_per_person" not in refs(folded.folded["dibao:a:base"])
    # a flat gradual-exit share: the bracket is its value
    assert "h:exit_months" not in refs(folded.folded["dibao:a:gradual_exit_amount"])
    # with a schedule that depends on the month, the bracket stays
    switched, _ = programs("demo-530103", SWITCHED_ON, "decisions")
    assert "h:exit_months" in refs(switched.folded["dibao:a:gradual_exit_amount"])
    assert "dibao:a:tier_per_person" in refs(switched.folded["dibao:a:base"])


def test_a_null_check_stays_only_where_an_unknown_can_arrive():
    # given 低保 alone in the demo pack, every value it reads known on the date
    analysis = analyse(load_pack("demo-530103"))
    dibao = compile_analysis(analysis, AS_OF, "decisions", programmes={"dibao"})
    flat = compile_analysis(analysis, AS_OF, "decisions", programmes={"dibao"}, fold=False)
    # then its SQL checks nothing for NULL (facts are never NULL, a household has at least one member)
    assert not any("IS NULL" in step.sql for step in dibao.steps)
    assert any("IS NULL" in step.sql for step in flat.steps)
    # and it computes less: only 低保's decision is a result, and fewer columns pass from step to step
    assert [c for c in dibao.steps[-2].expr.columns] == ["hh_id", "dibao__benefit", "dibao__eligible"]
    assert sum(len(s.expr.columns) for s in dibao.steps) < sum(len(s.expr.columns) for s in flat.steps)
    # but where the asset limits have no value (the pack as published), the checks stay and 低保 is unknown
    published = compile_analysis(analyse(load_pack("530103-panlong")), AS_OF, "decisions", programmes={"dibao"})
    assert "dibao_max_vehicles" in published.missing
    assert any("IS NULL" in step.sql for step in published.steps)
    assert published.folded["dibao:c:vehicles_within_limit"] == lang.Const("bool", None)


PACK = {
    "pack.yaml": 'code: "990104"\nname: 折叠测试\ninherits: national\n',
    "parameters.yaml": """
    fold_rate:
      label: 比例
      unit: 比例
      values:
        2024-01-01: {value: 0, reference: 测试值}
    fold_unknown:
      label: 未录入的数额
      unit: 元
      values:
        2024-01-01: {value: null, missing: 测试：未录入}
    """,
    "programmes/fold_test.yaml": """
    code: fold_test
    name: 折叠测试
    conditions:
      someone:
        label: 有成员
        expr: member_count >= 1
    amounts:
      zero_times_fact:
        label: 零乘事实
        expr: p.fold_rate * financial_assets
      zero_times_unknown:
        label: 零乘未知
        expr: p.fold_rate * p.fold_unknown
      zero_times_quotient:
        label: 零乘可能未知的商
        expr: p.fold_rate * (financial_assets / homes)
    benefit: zero_times_fact + zero_times_quotient
    """,
}


def test_zero_times_an_unknown_stays_unknown(write_pack):
    write_pack("990104-fold", PACK)
    folded, flat = programs("990104-fold", None)
    # 0 × a fact is 0; 0 × a missing value, and 0 × a quotient whose divisor may be 0, are not known to be 0
    assert folded.folded["fold_test:a:zero_times_fact"] == lang.Const("number", 0.0)
    assert folded.folded["fold_test:a:zero_times_unknown"] == lang.Const("number", None)
    assert isinstance(folded.folded["fold_test:a:zero_times_quotient"], lang.Binary)
    document = {"area_type": "urban", "members": [{"age": 40}], "assets": {"financial": "900", "homes": 0}}
    facts = validate_facts(document, as_of=AS_OF)
    h, m = facts_rows(facts, as_of=AS_OF)
    got, _ = run_one(folded, h, m)
    assert got == run_one(flat, h, m)[0]
    assert got["fold_test__a_zero_times_fact"] == 0
    assert got["fold_test__a_zero_times_unknown"] is None  # a missing value is unknown, even times 0
    assert got["fold_test__a_zero_times_quotient"] is None  # 900 / 0 homes is unknown (NULLIF), and so is 0 × it
    assert got["fold_test__eligible"] is True and got["fold_test__benefit"] is None
