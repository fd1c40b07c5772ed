"""Decisions with their reasons: every condition held or failed with the values it compared, the parameters used
with their legal references, and the amount broken down — the explanation a clerk prints for the applicant."""

from __future__ import annotations

from typing import Any

from jiuzhu.policy.compiler import Item, Program
from jiuzhu.policy.language import param_dtype

STATUS_LABELS = {True: "符合", False: "不符合", None: "未能判断"}


def _value(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 2) if abs(v - round(v)) > 1e-9 else (round(v) if abs(v) < 1e15 else v)
    return v


def _referenced(program: Program, item: Item, row: dict[str, Any]) -> list[dict[str, Any]]:
    """The values an item's expression read: other rules, facts, aggregates over members, parameters."""
    values = []
    for key in sorted(item.deps, key=lambda k: program.items[k].column):
        dep = program.items[key]
        if dep.kind in ("eligible", "benefit") and dep.programme == item.programme:
            continue
        if dep.column not in row:
            continue
        values.append({"name": dep.name or dep.column, "label": dep.label, "value": _value(row[dep.column])})
    for name in sorted(item.params):
        used = program.parameters.get(name)
        param = program.analysis.pack.parameters[name]
        if used is None:
            continue
        values.append(
            {
                "name": f"p.{name}",
                "label": param.label,
                "value": _shown(used.value),
                "unit": param.unit,
                "reference": used.reference,
                "effective_from": used.effective_from.isoformat(),
            }
        )
    return values


def _shown(value: Any) -> Any:
    """A table (分档表) as readable text, a list as its items, anything else as it is."""
    if param_dtype(value) == "table":
        return _table_text(value)
    if isinstance(value, list):
        return "、".join(map(str, value))
    return value


def _table_text(rows: list[dict]) -> str:
    parts = []
    for row in rows:
        label = f"{row['label']}：" if row.get("label") else ""
        if "below" in row:
            parts.append(f"{label}低于{row['below']}→{row['value']}")
        elif "upto" in row:
            parts.append(f"{label}不超过{row['upto']}→{row['value']}")
        else:
            parts.append(f"{label}其余→{row['value']}")
    return "；".join(parts)


def _rule_results(program: Program, code: str, row: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    conditions, amounts = [], []
    for item in program.items.values():
        if item.programme != code or item.kind not in ("condition", "amount"):
            continue
        entry: dict[str, Any] = {
            "name": item.name,
            "label": item.label,
            "expr": " ".join(str(item.source).split()),
            "values": _referenced(program, item, row),
        }
        value = row.get(item.column)
        if value is None:
            entry["reasons"] = program.missing_for(item.key, row)
        if item.kind == "condition":
            entry |= {"held": value, "status": STATUS_LABELS[value]}
            conditions.append(entry)
        else:
            entry["value"] = _value(value)
            amounts.append(entry)
    return conditions, amounts


def programme_result(program: Program, code: str, h: dict[str, Any], members: list[dict], names: list[str]) -> dict:
    pack = program.analysis.pack
    prog = pack.programmes[code]
    result: dict[str, Any] = {
        "code": code,
        "name": prog.name,
        "category": prog.category,
        "department": prog.department,
        "unit": prog.unit,
        "benefit_period": prog.benefit_period,
        "pays_cash": prog.benefit is not None,
        "where_to_apply": prog.where_to_apply,
        "materials": prog.materials,
        "legal_basis": prog.legal_basis,
    }
    if prog.unit == "household":
        eligible_key, benefit_key = f"{code}:eligible", f"{code}:benefit"
        eligible, benefit = h.get(f"{code}__eligible"), h.get(f"{code}__benefit")
        conditions, amounts = _rule_results(program, code, h)
        result |= {"conditions": conditions, "amounts": amounts}
    else:
        eligible_key, benefit_key = f"{code}:heligible", f"{code}:hbenefit"
        eligible, benefit = h.get(f"{code}__heligible"), h.get(f"{code}__hbenefit")
        people = []
        for i, m in enumerate(members):
            conditions, amounts = _rule_results(program, code, m)
            m_eligible = m.get(f"{code}__eligible")
            people.append(
                {
                    "member_no": m["member_no"],
                    "name": names[i] if i < len(names) else "",
                    "eligible": m_eligible,
                    "status": STATUS_LABELS[m_eligible],
                    "benefit": _value(m.get(f"{code}__benefit")),
                    "conditions": conditions,
                    "amounts": amounts,
                }
            )
        result["members"] = people
    result["eligible"] = eligible
    result["status"] = STATUS_LABELS[eligible]
    result["benefit"] = _value(benefit) if eligible else None
    if eligible is None:
        result["reasons"] = program.missing_for(eligible_key, h)
    elif eligible and benefit is None:
        result["reasons"] = program.missing_for(benefit_key, h)
    return result


def household_values(program: Program, h: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for item in program.items.values():
        if item.kind == "definition" and item.level == "household" and item.column in h:
            entry = {"name": item.name, "label": item.label, "value": _value(h[item.column])}
            if h[item.column] is None:
                entry["reasons"] = program.missing_for(item.key, h)
            out.append(entry)
    return out


def parameters_missing(program: Program) -> list[dict[str, Any]]:
    pack = program.analysis.pack
    return [{"name": n, "label": pack.parameters[n].label, "reason": r} for n, r in sorted(program.missing.items())]


def parameters_used(program: Program) -> list[dict[str, Any]]:
    pack = program.analysis.pack
    out = []
    for name, used in sorted(program.parameters.items()):
        param = pack.parameters[name]
        out.append(
            {
                "name": name,
                "label": param.label,
                "value": _shown(used.value),
                "unit": param.unit,
                "effective_from": used.effective_from.isoformat(),
                "reference": used.reference,
                "pack": param.pack,
            }
        )
    return out
