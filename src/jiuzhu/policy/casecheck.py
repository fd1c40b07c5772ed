"""A pack's own test cases: run each, compare with what the pack author expected, and measure coverage.

    - name: 三口之家，月收入800元
      as_of: 2024-08-01
      parameters: {dibao_standard_urban: 735}      # optional: a value assumed for this case (national rules)
      household: {members: [...], ...}              # the household-facts document (docs/household-facts.md)
      expect:
        dibao: {eligible: true, benefit: 1405, amounts: {gap: 1405}, conditions: {income_below_standard: true}}
        tekun: {members: {张三: {eligible: true, benefit: 1135}}}
        marginal: {eligible: null}                  # null: cannot be judged (a local value is missing)

Coverage: every programme a pack writes must be expected eligible in one case and not eligible in another;
every condition it writes must fail in a case that asserts its programme; every parameter it gives a value must
be read by a case that asserts a programme using it. A pack short of this fails the build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jiuzhu.policy.checks import eligibility_check
from jiuzhu.policy.packs import Case, Pack

TOLERANCE = 0.005


@dataclass
class CaseOutcome:
    case: Case
    failures: list[str]
    result: dict[str, Any] | None
    seen_failing: set[tuple[str, str]] = field(default_factory=set)  # (programme, condition)
    eligible_seen: set[tuple[str, bool]] = field(default_factory=set)
    amounts_asserted: set[str] = field(default_factory=set)  # programmes whose amount a case checked
    definitions_read: set[str] = field(default_factory=set)
    values_read: set[tuple[str, Any]] = field(default_factory=set)  # (parameter, date its value took effect)


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, bool) or expected is None or isinstance(actual, bool) or actual is None:
        return actual is expected or (actual == expected and type(actual) is type(expected))
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return abs(actual - expected) <= TOLERANCE
    return actual == expected


def _check_rules(where: str, entries: list[dict], expected: dict, key: str, failures: list[str]) -> None:
    by_name = {e["name"]: e for e in entries}
    for name, want in expected.items():
        if name not in by_name:
            failures.append(f"{where}：没有名为 {name} 的{'条件' if key == 'held' else '金额'}")
        elif not _same(by_name[name][key], want):
            failures.append(f"{where} · {by_name[name]['label']}（{name}）：期望 {want}，实际 {by_name[name][key]}")


def _check_programme(code: str, result: dict, want: dict, failures: list[str]) -> None:
    where = f"{result['name']}（{code}）"
    for key in ("eligible", "benefit"):
        if key in want and not _same(result[key], want[key]):
            label = "是否符合" if key == "eligible" else "金额"
            failures.append(f"{where} {label}：期望 {want[key]}，实际 {result[key]}")
    if "conditions" in want:
        _check_rules(where, result.get("conditions", []), want["conditions"], "held", failures)
    if "amounts" in want:
        _check_rules(where, result.get("amounts", []), want["amounts"], "value", failures)
    for ref, member_want in (want.get("members") or {}).items():
        people = result.get("members") or []
        person = next((m for m in people if m["name"] == str(ref) or str(m["member_no"]) == str(ref)), None)
        if person is None:
            failures.append(f"{where}：没有成员 {ref}")
            continue
        _check_programme_member(f"{where} · {person['name']}", person, member_want, failures)
    unknown = set(want) - {"eligible", "benefit", "conditions", "amounts", "members"}
    if unknown:
        failures.append(f"{where}：不认识的期望项 {sorted(unknown)}")


def _check_programme_member(where: str, person: dict, want: dict, failures: list[str]) -> None:
    for key in ("eligible", "benefit"):
        if key in want and not _same(person[key], want[key]):
            failures.append(
                f"{where} {'是否符合' if key == 'eligible' else '金额'}：期望 {want[key]}，实际 {person[key]}"
            )
    if "conditions" in want:
        _check_rules(where, person["conditions"], want["conditions"], "held", failures)
    if "amounts" in want:
        _check_rules(where, person["amounts"], want["amounts"], "value", failures)


def run_case(pack: Pack, case: Case) -> CaseOutcome:
    from jiuzhu.policy.checks import program_for

    failures: list[str] = []
    result = eligibility_check(
        locality=pack.folder, as_of=case.as_of, document=case.facts, overrides=case.parameters or None
    )
    outcome = CaseOutcome(case=case, failures=failures, result=result)
    by_code = {p["code"]: p for p in result["programmes"]}
    program = program_for(pack.folder, case.as_of, case.parameters or None)
    for code, want in case.expect.items():
        if code not in by_code:
            failures.append(f"政策包中没有救助项目 {code}")
            continue
        if not isinstance(want, dict):
            failures.append(f"{code} 的期望应写成 {{eligible: …, benefit: …}}")
            continue
        _check_programme(code, by_code[code], want, failures)
        prog = by_code[code]
        if prog["eligible"] is not None:
            outcome.eligible_seen.add((code, prog["eligible"]))
        for entry in [*prog.get("conditions", []), *(c for m in prog.get("members", []) for c in m["conditions"])]:
            if entry["held"] is False:
                outcome.seen_failing.add((code, entry["name"]))
        checks_amount = "benefit" in want or "amounts" in want
        checks_amount |= any("benefit" in m or "amounts" in m for m in (want.get("members") or {}).values())
        if checks_amount and prog["eligible"]:
            outcome.amounts_asserted.add(code)
        # What the asserted programme read: its rules, the definitions and parameters they reach.
        for item in program.closure(code):
            if item.kind == "definition":
                outcome.definitions_read.add(item.name)
            for name in item.params:
                if name in program.parameters and name not in case.parameters:
                    outcome.values_read.add((name, program.parameters[name].effective_from))
    return outcome


def coverage_gaps(pack: Pack, outcomes: list[CaseOutcome]) -> list[str]:
    """What the pack writes that none of its own cases tests."""

    def union(attr: str) -> set:
        return set().union(*(getattr(o, attr) for o in outcomes)) if outcomes else set()

    gaps: list[str] = []
    eligible_seen, failing = union("eligible_seen"), union("seen_failing")
    amounts, definitions, values = union("amounts_asserted"), union("definitions_read"), union("values_read")
    for code in sorted(pack.own_programmes & set(pack.programmes)):
        name = pack.programmes[code].name
        for value, word in ((True, "符合"), (False, "不符合")):
            if (code, value) not in eligible_seen:
                gaps.append(f"救助项目“{name}”（{code}）没有一个期望“{word}”的测试用例")
    for code, rule in sorted(pack.own_rules):
        prog = pack.programmes.get(code)
        if not code:
            if rule not in definitions and any(rule in d for d in pack.definitions.values()):
                gaps.append(f"定义“{rule}”没有被任何断言了结果的测试用例用到")
        elif prog is None:
            continue
        elif rule in prog.conditions and (code, rule) not in failing:
            gaps.append(f"条件“{prog.conditions[rule].label}”（{code}.{rule}）没有一个不满足它的测试用例")
        elif (rule in prog.amounts or rule == "benefit") and code not in amounts:
            gaps.append(f"救助项目“{prog.name}”（{code}）的金额规则 {rule} 没有一个核对金额的测试用例")
    for name in sorted(pack.own_parameters):
        for value in pack.parameters[name].values:
            if value.value is not None and (name, value.effective_from) not in values:
                label = pack.parameters[name].label
                gaps.append(f"参数“{label}”（{name}）自 {value.effective_from} 起的取值没有被任何测试用例用到")
    return gaps
