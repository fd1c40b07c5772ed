"""What-if (政策调整测算): a draft change to a pack — say the standard 735 → 760 — decided over every household in
a jurisdiction next to the rules in force, with the households that gain, lose or change amount and the budget
effect per month and per year, by street and by programme.

Both runs use the bulk engine (DuckDB) on the same facts: only the parameters differ.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from jiuzhu.core.parsing import parse_amount, parse_number
from jiuzhu.org.models import OrgUnit
from jiuzhu.policy.analysis import analyse
from jiuzhu.policy.compiler import Program, compile_analysis, compile_pack
from jiuzhu.policy.engine import plain, run_result, to_arrow
from jiuzhu.policy.errors import FactsInvalid, PolicyError, PolicyErrorCode
from jiuzhu.policy.facts import facts_rows, validate_facts
from jiuzhu.policy.language import param_dtype
from jiuzhu.policy.packs import load_pack
from jiuzhu.policy.registry_facts import household_documents

BATCH = 2000  # households read from the registry at a time


@dataclass
class Tally:
    households_gain: int = 0
    households_lose: int = 0
    households_change: int = 0
    monthly_before: float = 0.0
    monthly_after: float = 0.0

    @property
    def monthly_effect(self) -> float:
        return round(self.monthly_after - self.monthly_before, 2)

    @property
    def annual_effect(self) -> float:
        return round(self.monthly_effect * 12, 2)


@dataclass
class WhatIfResult:
    locality: str
    as_of: date
    changes: dict[str, Any]
    households: int
    skipped: list[tuple[str, str]]  # (household number, why it could not be decided)
    total: Tally
    by_street: dict[str, Tally]
    by_programme: dict[str, Tally]
    programme_names: dict[str, str]
    examples: list[dict[str, Any]] = field(default_factory=list)  # a few households that change, for a look


def parse_changes(locality: str, lines: list[str]) -> dict[str, Any]:
    """`name=value` lines → parameter values, each checked against the pack: a known name, and a value of the
    parameter's kind (a number, 是/否, text, or a JSON list/table)."""
    pack = load_pack(locality)
    changes: dict[str, Any] = {}
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        name, sep, value = (part.strip() for part in line.partition("="))
        if not sep or name not in pack.parameters:
            raise PolicyError(PolicyErrorCode.UNKNOWN_PARAMETER, name=name or line)
        changes[name] = _value_of_kind(pack.parameters[name], value)
    if not changes:
        raise PolicyError(PolicyErrorCode.NO_CHANGE)
    return changes


def _value_of_kind(param, text: str) -> Any:
    known = [v.value for v in param.values if v.value is not None]
    kind = param_dtype(known[-1]) if known else (param.declared_type or "number")

    def refuse(expected: str) -> PolicyError:
        return PolicyError(PolicyErrorCode.BAD_VALUE, name=param.name, value=text, expected=expected)

    if kind == "number":
        try:
            number = parse_number(text)  # a ratio such as 0.125 or a multiplier 1.5 …
        except ValueError:
            try:
                number = parse_amount(text, allow_negative=True)  # … or an amount written 1.2万元
            except ValueError:
                raise refuse("数值") from None
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "bool":
        answer = {"true": True, "是": True, "false": False, "否": False}.get(text.lower())
        if answer is None:
            raise refuse("true/false（是/否）")
        return answer
    if kind in ("table", "list"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            raise refuse("JSON 列表") from None
        if param_dtype(value) != kind:
            raise refuse('分档表，如 [{"below": 200, "value": 534}, {"value": 220}]' if kind == "table" else "列表")
        return value
    return text


def what_if(*, households, locality: str, as_of: date, changes: dict[str, Any]) -> WhatIfResult:
    """Decide every household of `households` (a queryset, already scoped to the actor) before and after."""
    before = compile_pack(locality, as_of, "decisions")
    after = compile_analysis(analyse(load_pack(locality)), as_of, "decisions", changes)
    pack = load_pack(locality)
    monthly = [code for code, prog in pack.programmes.items() if prog.benefit_period == "monthly"]
    streets = {u.path: u.name for u in OrgUnit.objects.filter(level=OrgUnit.Level.STREET)}

    h_rows, m_rows, numbers, street_of, skipped = [], [], {}, {}, []
    households = households.select_related("org_unit")
    for start in range(0, households.count(), BATCH):
        batch = list(households.order_by("pk")[start : start + BATCH])
        documents = household_documents(batch, as_of=as_of)
        for h in batch:
            if not documents[h.pk]["members"]:
                skipped.append((h.number, "测算日期没有在册的家庭成员"))
                continue
            try:
                facts = validate_facts(documents[h.pk], as_of=as_of)
            except FactsInvalid as exc:
                skipped.append((h.number, "；".join(p["where"] + "：" + p["problem"] for p in exc.problems[:3])))
                continue
            row, members = facts_rows(facts, as_of=as_of, household_id=h.pk)
            h_rows.append(row)
            m_rows += members
            numbers[h.pk] = h.number
            street_of[h.pk] = next((name for path, name in streets.items() if h.org_unit.path.startswith(path)), "")

    decided_before = _decide(before, h_rows, m_rows)
    decided_after = _decide(after, h_rows, m_rows)
    total, by_street, by_programme = Tally(), defaultdict(Tally), defaultdict(Tally)
    examples = []
    for hid, old in decided_before.items():
        new = decided_after[hid]
        street = by_street[street_of[hid]]
        gain_any = lose_any = change_any = False
        for code in pack.programmes:
            (was, was_amount), (now, now_amount) = old[code], new[code]
            gain, lose = was is not True and now is True, was is True and now is not True
            change = was is True and now is True and abs((was_amount or 0) - (now_amount or 0)) > 0.005
            programme = by_programme[code]
            programme.households_gain += gain
            programme.households_lose += lose
            programme.households_change += change
            if code in monthly:
                before_amount = (was_amount or 0) if was else 0
                after_amount = (now_amount or 0) if now else 0
                for t in (total, street, programme):
                    t.monthly_before += before_amount
                    t.monthly_after += after_amount
            gain_any, lose_any, change_any = gain_any or gain, lose_any or lose, change_any or change
        # Households are counted once however many programmes change for them (a programme's own row counts
        # its own households): "changed" is any change at all — in, out or amount.
        for t in (total, street):
            t.households_gain += gain_any
            t.households_lose += lose_any
            t.households_change += gain_any or lose_any or change_any
        if (gain_any or lose_any or change_any) and len(examples) < 20:
            examples.append({"household_id": hid, "number": numbers[hid], "before": old, "after": new})
    return WhatIfResult(
        locality=pack.folder,
        as_of=as_of,
        changes=changes,
        households=len(decided_before),
        skipped=skipped,
        total=total,
        by_street=dict(sorted(by_street.items())),
        by_programme={c: by_programme[c] for c in pack.programmes},
        programme_names={c: p.name for c, p in pack.programmes.items()},
        examples=examples,
    )


def _decide(program: Program, h_rows: list[dict], m_rows: list[dict]) -> dict[int, dict[str, tuple]]:
    """(eligible, amount) of every programme for every household, from one bulk run."""
    con = duckdb.connect(":memory:")
    con.register("households", to_arrow(h_rows, "household"))
    con.register("members", to_arrow(m_rows, "member"))
    h_table = run_result(program, con, "household")  # the member result is not read
    rows = plain(con.table(h_table).to_arrow_table()).to_pylist()
    con.close()
    pack = program.analysis.pack
    out = {}
    for row in rows:
        decisions = {}
        for code, prog in pack.programmes.items():
            suffix = "h" if prog.unit == "member" else ""
            decisions[code] = (row[f"{code}__{suffix}eligible"], row[f"{code}__{suffix}benefit"])
        out[row["hh_id"]] = decisions
    return out
