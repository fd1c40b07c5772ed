"""The eligibility check (资格自测/一次性告知): one household's facts → a result for every programme of a locality."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from jiuzhu.policy import explain
from jiuzhu.policy.compiler import Program, analyse, compile_analysis, compile_pack
from jiuzhu.policy.engine import run_one
from jiuzhu.policy.facts import facts_rows, validate_facts
from jiuzhu.policy.packs import load_pack

_with_overrides: dict[tuple[str, date, str], Program] = {}


def program_for(locality: str, as_of: date, overrides: dict[str, Any] | None = None) -> Program:
    """The compiled program; with overrides (a test case's assumed values), compiled once per distinct set."""
    if not overrides:
        return compile_pack(locality, as_of, "all")
    key = (locality, as_of, json.dumps(overrides, sort_keys=True, ensure_ascii=False, default=str))
    if key not in _with_overrides:
        if len(_with_overrides) >= 256:
            _with_overrides.pop(next(iter(_with_overrides)))  # the oldest draft goes first
        _with_overrides[key] = compile_analysis(analyse(load_pack(locality)), as_of, "all", overrides)
    return _with_overrides[key]


def clear_cache() -> None:
    _with_overrides.clear()


def eligibility_check(*, locality: str, as_of: date, document: Any, overrides: dict[str, Any] | None = None) -> dict:
    """Every programme of the locality's pack, decided for one household as of a date, with the reasons.

    Raises FactsInvalid (every problem of the document, in Chinese) or PolicyError (unknown locality).
    """
    facts = validate_facts(document, as_of=as_of)
    program = program_for(locality, as_of, overrides)
    household, members = facts_rows(facts, as_of=as_of)
    h, m = run_one(program, household, members)
    names = [member.name or f"成员{i + 1}" for i, member in enumerate(facts.members)]
    pack = program.analysis.pack
    programmes = [explain.programme_result(program, code, h, m, names) for code in pack.programmes]
    return {
        "locality": {"code": pack.code, "name": pack.name, "pack": pack.folder, "inherits": pack.lineage[1:]},
        "as_of": as_of.isoformat(),
        "programmes": programmes,
        "household": explain.household_values(program, h),
        "parameters": explain.parameters_used(program),
        "parameters_missing": explain.parameters_missing(program),
    }
