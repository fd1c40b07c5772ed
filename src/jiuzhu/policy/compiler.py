"""One compiler, two sizes: a pack's analysed rules → a staged Ibis program for one decision date → SQL run on
DuckDB (or PySpark), and on SQLite for one household.

The analysis (`analysis.py`) names, types and orders the rules; here, for a decision date, parameters take their
values and are folded into the rules (`folding.py`), the rules are placed in phases that alternate between the
household and member tables — each phase one SQL step (an aggregate-and-join, then layers of projections) — and
each step is rendered through Ibis. The single-household check and the bulk run execute the very same steps; only
the inputs differ in size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import Any

import ibis
import ibis.expr.types as ir

from jiuzhu.policy import language as lang
from jiuzhu.policy.analysis import Analysis, Item, analyse, check_pack, phase_after, walk
from jiuzhu.policy.errors import PackError, PolicyError, PolicyErrorCode
from jiuzhu.policy.facts import HOUSEHOLD_FIELDS, MEMBER_FIELDS, Level
from jiuzhu.policy.folding import EPS, Cast, Folder
from jiuzhu.policy.packs import ParameterValue

# The analysis names stay importable from here, where checks, explain and packs import them.
__all__ = ["INPUT_SCHEMAS", "Analysis", "Item", "Program", "Step", "analyse", "check_pack", "compile_analysis"]
__all__ += ["compile_pack"]

IBIS_TYPES = {"number": "float64", "integer": "int64", "bool": "boolean", "string": "string"}
KEYS = {"household": ("hh_id",), "member": ("hh_id", "member_no")}


@dataclass
class Step:
    """One SQL step: `name` is made from the tables named before it."""

    name: str
    level: Level
    expr: ir.Table

    @cached_property
    def sql(self) -> str:
        """DuckDB: bulk runs."""
        return ibis.to_sql(self.expr, dialect="duckdb")

    @cached_property
    def sqlite(self) -> str:
        """SQLite: the one-household check, whose statement SQLite prepares once and keeps."""
        return ibis.to_sql(self.expr, dialect="sqlite")


@dataclass
class Program:
    analysis: Analysis
    as_of: date
    steps: list[Step]
    household_table: str
    member_table: str
    parameters: dict[str, Any]  # name → ParameterValue used on this date
    missing: dict[str, str]  # parameter name → why it has no value on this date
    folded: dict[str, lang.Node] = field(default_factory=dict)  # item key → its expression with the date's values

    @property
    def items(self) -> dict[str, Item]:
        return self.analysis.items

    def closure(self, code: str) -> list[Item]:
        """Every rule a programme reads, directly or through definitions and aggregates."""
        stack = [key for key, item in self.items.items() if item.programme == code]
        seen: set[str] = set()
        while stack:
            key = stack.pop()
            if key not in seen:
                seen.add(key)
                stack += self.items[key].deps
        return [self.items[k] for k in seen]

    def missing_for(self, key: str, row: dict[str, Any] | None = None) -> list[str]:
        """Why an item is unknown: the parameters without a value that it reads, directly or through others.

        With the result `row`, only rules that are themselves unknown there are followed, so an urban household
        is not told that the rural standard is missing.
        """
        seen, stack, names = set(), [key], set()
        while stack:
            item = self.items[stack.pop()]
            if item.key in seen:
                continue
            seen.add(item.key)
            names |= {p for p in item.params if p in self.missing}
            for dep in item.deps:
                column = self.items[dep].column
                if row is None or column not in row or row[column] is None:
                    stack.append(dep)
        return [self.missing[name] for name in sorted(names)]


def _input_schema(level: Level) -> dict[str, str]:
    fields = HOUSEHOLD_FIELDS if level == "household" else MEMBER_FIELDS
    schema = {"hh_id": "int64"} if level == "household" else {"hh_id": "int64", "member_no": "int64"}
    schema |= {f.name: IBIS_TYPES[f.dtype] for f in fields.values()}
    return schema


# The inputs a program reads. No value is NULL and every household has a member (facts_rows and population_relations
# make them so): folding.py relies on it.
INPUT_SCHEMAS = {"household": _input_schema("household"), "member": _input_schema("member")}


class _Generator:
    """Builds the program. Unknowns are NULL and propagate by three-valued logic: a parameter with no value on
    the date makes exactly the decisions that depend on it unknown (未能判断), and nothing else."""

    def __init__(
        self,
        analysis: Analysis,
        as_of: date,
        outputs: str,
        overrides: dict[str, Any] | None = None,
        *,
        programmes: Collection[str] | None = None,
        fold: bool = True,
    ) -> None:
        if outputs not in ("all", "decisions"):
            raise ValueError(f"outputs: 'all' or 'decisions', not {outputs!r}")
        self.analysis, self.as_of, self.outputs, self.fold = analysis, as_of, outputs, fold
        self.programmes = None if programmes is None else set(programmes)
        self.overrides = overrides or {}
        self.items = analysis.items
        self.param_values: dict[str, Any] = {}
        self.missing: dict[str, str] = {}

    def param(self, name: str) -> Any:
        """The parameter's value on the decision date, or None (recorded with the reason) when it has none."""
        if name in self.missing:
            return None
        if name not in self.param_values:
            if name in self.overrides:
                self.param_values[name] = ParameterValue(self.as_of, self.overrides[name], "假设值（测算）")
            else:
                try:
                    self.param_values[name] = self.analysis.pack.parameters[name].at(self.as_of)
                except PolicyError as exc:
                    if exc.code != PolicyErrorCode.PARAMETER_MISSING:
                        raise
                    self.missing[name] = exc.message
                    return None
        return self.param_values[name].value

    def round_mode(self, name: str) -> str | None:
        mode = self.param(name)
        if mode is not None and mode not in lang.ROUND_MODES:
            param = self.analysis.pack.parameters[name]
            raise PackError(
                f"参数“{param.name}”应为取舍方式 {'/'.join(lang.ROUND_MODES)} 之一，不是“{mode}”",
                file=param.file,
                line=param.line,
            )
        return mode

    def build(self) -> Program:
        items, order = self.items, self.analysis.order
        # Every parameter a rule names is looked up (a rounding mode checked) even where folding drops it: the
        # program records every value its decisions rest on, for the explanation.
        for key in order:
            for node in walk(items[key].tree) if items[key].tree is not None else ():
                if isinstance(node, lang.Param):
                    self.param(node.name)
                elif isinstance(node, lang.Call) and node.mode_param:
                    self.round_mode(node.mode_param)
        self.folded = folded = Folder(items, order, self.param, self.round_mode, simplify=self.fold)
        outputs = {level: self.output_columns(level) for level in ("household", "member")}
        wanted = self.wanted(outputs)
        # Phases from what each rule still reads once the date's values are in: a rule that no longer reads a
        # household value joins the first member pass, and a phase left with nothing to do is no step at all.
        phase: dict[str, int] = {}
        for key in order:
            phase[key] = phase_after(items[key].level, [(items[d].level, phase[d]) for d in folded.deps[key]])
        by_phase: dict[int, list[Item]] = defaultdict(list)
        for key in order:
            if key in wanted:
                by_phase[phase[key]].append(items[key])
        # What each level's table must still hold after each phase: the columns later phases read, and the outputs.
        keep_after: dict[tuple[Level, int], set[str]] = {}
        later: dict[Level, set[str]] = {level: set(outputs[level]) for level in ("household", "member")}
        for p in sorted(by_phase, reverse=True):
            for level in ("household", "member"):
                keep_after[(level, p)] = set(later[level])
            for item in by_phase[p]:
                for dep in folded.deps[item.key]:
                    later[items[dep].level].add(items[dep].column)

        tables = {
            "household": ibis.table(INPUT_SCHEMAS["household"], name="households"),
            "member": ibis.table(INPUT_SCHEMAS["member"], name="members"),
        }
        computed = {level: set(tables[level].columns) for level in tables}
        steps: list[Step] = []
        for p in sorted(by_phase):
            level: Level = "household" if p % 2 == 0 else "member"
            t = tables[level]
            phase_items = by_phase[p]
            if level == "household":
                aggs = [i for i in phase_items if i.kind == "aggregate" and i.key not in folded.consts]
                if aggs:
                    m = tables["member"]
                    grouped = m.group_by("hh_id").aggregate(**{a.column: self.aggregate(a, m) for a in aggs})
                    grouped = grouped.rename(hh_id_agg="hh_id")
                    t = t.left_join(grouped, t.hh_id == grouped.hh_id_agg).drop("hh_id_agg")
                    computed[level] |= {a.column for a in aggs}
                phase_items = [i for i in phase_items if i not in aggs]
            else:
                needed = sorted(
                    {
                        items[d].column
                        for i in phase_items
                        for d in folded.deps[i.key]
                        if items[d].level == "household" and items[d].column not in computed["member"]
                    }
                )
                if needed:
                    h = tables["household"].select("hh_id", *needed).rename(hh_id_h="hh_id")
                    t = t.inner_join(h, t.hh_id == h.hh_id_h).drop("hh_id_h")
                    computed["member"] |= set(needed)
            done = set(computed[level])
            remaining = list(phase_items)
            while remaining:
                layer = [
                    i
                    for i in remaining
                    if all(items[d].column in done or items[d].level != level for d in folded.deps[i.key])
                ]
                if not layer:
                    raise AssertionError("phase ordering broken")  # cannot happen: order() is topological
                t = t.mutate(**{i.column: self.column(i, t) for i in layer})
                done |= {i.column for i in layer}
                remaining = [i for i in remaining if i not in layer]
            if self.outputs != "all":  # what nothing later reads is not carried on
                keep = keep_after[(level, p)] | set(KEYS[level])
                t = t.select(*[c for c in t.columns if c in keep])
                done &= keep
            computed[level] = done
            name = f"{level[0]}{p + 1}"
            steps.append(Step(name, level, t))
            tables[level] = ibis.table(t.schema(), name=name)
        member = tables["member"]
        joined = [c for c in outputs["member"] if c not in member.columns]  # household values (outputs="all")
        if joined:
            h = tables["household"].select("hh_id", *joined).rename(hh_id_h="hh_id")
            member = member.inner_join(h, member.hh_id == h.hh_id_h).drop("hh_id_h")
        final = {
            "household": tables["household"].select(*KEYS["household"], *outputs["household"]),
            "member": member.select(*KEYS["member"], *outputs["member"]),
        }
        steps.append(Step("household_result", "household", final["household"]))
        steps.append(Step("member_result", "member", final["member"]))
        return Program(
            analysis=self.analysis,
            as_of=self.as_of,
            steps=steps,
            household_table="household_result",
            member_table="member_result",
            parameters=dict(self.param_values),
            missing=dict(self.missing),
            folded=dict(folded.trees),
        )

    def output_columns(self, level: Level) -> list[str]:
        """The result's columns: with outputs="all" every fact and rule (what an explanation reads), else each
        programme's decision (eligible, benefit; a per-person programme's household view too)."""
        if self.outputs == "all":  # a member's row also holds the household values its rules read
            facts = [c for c in INPUT_SCHEMAS[level] if c not in KEYS[level]]
            rules = [i.column for i in self.items.values() if i.level == level and i.kind != "fact"]
            read = [
                self.items[d].column
                for i in self.items.values()
                if i.level == "member" == level
                for d in i.deps
                if self.items[d].level == "household"
            ]
            return sorted({*facts, *rules, *read})
        return sorted(
            i.column
            for i in self.items.values()
            if i.level == level
            and (i.kind in ("eligible", "benefit") or (i.kind == "aggregate" and i.programme))
            and (self.programmes is None or i.programme in self.programmes)
        )

    def wanted(self, outputs: dict[str, list[str]]) -> set[str]:
        """The items to compute: all (outputs="all"), else the outputs and what they read once folded."""
        items = self.items
        if self.outputs == "all":
            return {key for key, item in items.items() if item.kind != "fact"}
        by_column = {(i.level, i.column): key for key, i in items.items()}
        stack = [by_column[(level, c)] for level, columns in outputs.items() for c in columns]
        seen: set[str] = set()
        while stack:
            key = stack.pop()
            if key not in seen and items[key].kind != "fact":
                seen.add(key)
                stack += self.folded.deps[key]
        return seen

    def aggregate(self, item: Item, m: ir.Table) -> ir.Value:
        """Aggregates over members, unknown if any member's value is unknown (SQL's own ignore NULLs)."""
        agg = item.aggregate
        assert agg is not None
        if agg.inner is None:
            return m.count()
        inner = agg.inner.key  # type: ignore[union-attr]
        col = m[self.items[inner].column]
        null = ibis.null(IBIS_TYPES[item.dtype])
        if not self.folded.nullable[inner]:
            return col.ifelse(1, 0).sum() if agg.op == "count" else getattr(col, agg.op)()
        if self.fold and agg.op in ("any", "all"):
            # One aggregate, not two: true 2, unknown 1, false 0; any is the largest, all the smallest.
            code = ibis.cases((col, 2), (col.isnull(), 1), else_=0).cast("int8")
            v = code.max() if agg.op == "any" else code.min()
            return ibis.cases((v == 2, True), (v == 0, False), else_=null)
        unknown = col.isnull().any()
        if agg.op == "any":  # true if anyone is; unknown if nobody is and someone is unknown
            return ibis.cases((col.any(), True), (unknown, null), else_=False)
        if agg.op == "all":
            return ibis.cases((~col.fill_null(True).all(), False), (unknown, null), else_=True)
        value = col.ifelse(1, 0).sum() if agg.op == "count" else getattr(col, agg.op)()
        return unknown.ifelse(null, value)

    def column(self, item: Item, t: ir.Table) -> ir.Value:
        value = self.gen(self.folded.trees[item.key], t)
        return value.cast(IBIS_TYPES[item.dtype]) if item.dtype in IBIS_TYPES else value

    def nullable(self, node: lang.Node) -> bool:
        return self.folded.can_be_null(node)

    def gen(self, node: lang.Node, t: ir.Table) -> Any:
        g = self.gen
        if isinstance(node, lang.Const):
            if node.value is None:
                return ibis.null(IBIS_TYPES[node.dtype])
            return ibis.literal(node.value, type=IBIS_TYPES.get(node.dtype))
        if isinstance(node, lang.Ref):
            return t[self.items[node.key].column]
        if isinstance(node, Cast):
            return g(node.operand, t).cast(IBIS_TYPES[node.dtype])
        if isinstance(node, lang.Unary):
            x = g(node.operand, t)
            return ~x if node.op == "not" else -x
        if isinstance(node, lang.Binary):
            a, b = g(node.left, t), g(node.right, t)
            if node.op == "/":
                return a.cast("float64") / b.nullif(0)
            if node.op == "//":
                return (a.cast("float64") / b.nullif(0)).floor()
            return {"+": a.__add__, "-": a.__sub__, "*": a.__mul__, "%": a.__mod__}[node.op](b)
        if isinstance(node, lang.Compare):
            return _compare(node, g(node.left, t), g(node.right, t))
        if isinstance(node, lang.InList):
            result = g(node.operand, t).isin(list(node.values.value))  # type: ignore[attr-defined]
            return ~result if node.negate else result
        if isinstance(node, lang.BoolOp):
            parts = [g(p, t) for p in node.operands]
            result = parts[0]
            for p in parts[1:]:
                result = (result & p) if node.op == "and" else (result | p)
            return result
        if isinstance(node, lang.IfElse):
            test = g(node.test, t)
            then, other = g(node.then, t), g(node.other, t)
            if not self.nullable(node.test):
                return ibis.cases((test, then), else_=other)
            return ibis.cases((test.isnull(), ibis.null(IBIS_TYPES[node.dtype])), (test, then), else_=other)
        if isinstance(node, lang.Call):
            return self.call(node, t)
        raise AssertionError(f"unknown node {node!r}")

    def call(self, node: lang.Call, t: ir.Table) -> Any:
        if node.fn == "bracket":
            value = self.gen(node.args[0], t)
            branches, default = [], ibis.literal(0.0)
            if self.nullable(node.args[0]):
                branches.append((value.isnull(), ibis.null("float64")))
            for row in map(dict, node.args[1].value):  # type: ignore[attr-defined]
                if "below" in row:
                    branches.append((value < row["below"] - EPS, ibis.literal(float(row["value"]))))
                elif "upto" in row:
                    branches.append((value <= row["upto"] + EPS, ibis.literal(float(row["value"]))))
                else:
                    default = ibis.literal(float(row["value"]))
            return ibis.cases(*branches, else_=default) if branches else default
        args = [self.gen(a, t) for a in node.args]
        if node.fn in ("min", "max"):
            # SQL's LEAST/GREATEST skip NULLs; an unknown argument must make the result unknown.
            extremum = (ibis.least if node.fn == "min" else ibis.greatest)(*args)
            unknown = [a for a, n in zip(args, node.args, strict=True) if self.nullable(n)]
            if not unknown:
                return extremum
            any_null = unknown[0].isnull()
            for a in unknown[1:]:
                any_null = any_null | a.isnull()
            return ibis.cases((any_null, ibis.null(IBIS_TYPES[node.dtype])), else_=extremum)
        if node.fn == "abs":
            return args[0].abs()
        if node.fn == "round":
            assert not node.mode_param  # put in by the folding
            return args[0].cast("float64") if node.mode == "none" else _round(args[0], node.digits, node.mode)
        raise AssertionError(node.fn)


def _compare(node: lang.Compare, a: Any, b: Any) -> Any:
    if node.left.dtype not in lang.NUMERIC:
        return a == b if node.op == "==" else a != b
    # Numbers are compared with a tolerance far below one fen: 0.1 + 0.2 must equal 0.3.
    if node.op == "<":
        return a < b - EPS
    if node.op == "<=":
        return a <= b + EPS
    if node.op == ">":
        return a > b + EPS
    if node.op == ">=":
        return a >= b - EPS
    close = (a - b).abs() <= EPS
    return close if node.op == "==" else ~close


def _round(x: Any, digits: int, mode: str) -> Any:
    scale = 10.0**digits
    scaled = x.cast("float64") * scale
    if mode == "up":
        r = (scaled - EPS).ceil()
    elif mode == "down":
        r = (scaled + EPS).floor()
    else:  # half_up: half away from zero
        r = (scaled.abs() + 0.5 + EPS).floor() * scaled.sign()
    return r.cast("float64") / scale


@lru_cache(maxsize=64)
def compile_pack(locality: str, as_of: date, outputs: str = "all") -> Program:
    """The program of a locality's pack on a date; the most recent 64 are kept (about a second to compile)."""
    from jiuzhu.policy.packs import load_pack

    pack = load_pack(locality)
    return _Generator(analyse(pack), as_of, outputs).build()


def compile_analysis(
    analysis: Analysis,
    as_of: date,
    outputs: str = "all",
    overrides: dict[str, Any] | None = None,
    *,
    programmes: Collection[str] | None = None,
    fold: bool = True,
) -> Program:
    """A program with some parameters replaced (pack test cases, what-if drafts); not cached.

    `programmes` (with outputs="decisions") keeps only those programmes' decisions in the results, and computes
    only what they read. `fold=False` leaves the date's values unfolded: the reference the tests hold folding to.
    """
    unknown = sorted(set(overrides or {}) - set(analysis.pack.parameters))
    if unknown:
        raise PolicyError(PolicyErrorCode.UNKNOWN_PARAMETER, name="、".join(unknown))
    return _Generator(analysis, as_of, outputs, overrides, programmes=programmes, fold=fold).build()
