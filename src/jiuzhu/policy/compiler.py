"""One compiler, two sizes: a pack's rules → a staged Ibis program → SQL run on DuckDB (or PySpark).

Every named rule becomes a column at household or member level. A household rule that aggregates over members
(`members.count(age >= 60)`) reads member columns; a member rule that names a household value reads household
columns. Rules are therefore grouped into *phases* that alternate between the two tables — household phases are
even, member phases odd — and each phase is one SQL step (an aggregate-and-join, then layers of projections).
The single-household check and the bulk run execute the very same steps; only the inputs differ in size.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import Any

import ibis
import ibis.expr.types as ir

from jiuzhu.policy import language as lang
from jiuzhu.policy.errors import PackError, PolicyError, PolicyErrorCode
from jiuzhu.policy.facts import HOUSEHOLD_FIELDS, MEMBER_FIELDS, Level
from jiuzhu.policy.packs import Pack, ParameterValue, Rule
from jiuzhu.policy.yamlsrc import Text

EPS = 1e-6  # money is compared and rounded in yuan with cents; 1e-6 absorbs binary floating error only
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
IBIS_TYPES = {"number": "float64", "integer": "int64", "bool": "boolean", "string": "string"}
KEYS = {"household": ("hh_id",), "member": ("hh_id", "member_no")}


@dataclass
class Item:
    """A column of the program: a fact, a definition, a programme's condition/amount/decision, an aggregate."""

    key: str
    column: str
    level: Level
    kind: str  # fact, definition, condition, eligible, amount, benefit, aggregate, aggregate_input
    label: str
    dtype: str
    programme: str = ""
    name: str = ""
    source: Text | None = None
    tree: lang.Node | None = None
    aggregate: lang.Aggregate | None = None
    deps: set[str] = field(default_factory=set)
    params: set[str] = field(default_factory=set)
    phase: int = 0


@dataclass
class Analysis:
    """A pack's rules resolved and typed, independent of the decision date."""

    pack: Pack
    items: dict[str, Item]
    order: list[str]  # every item after what it reads


# --- Analysis: names, types, dependencies, phases ------------------------------------------------------------


class _Analyser:
    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.items: dict[str, Item] = {}
        self.n_aggregates = 0
        self.parsing: list[Item] = []  # rules being read, to name a cycle when one closes
        for f in HOUSEHOLD_FIELDS.values():
            self.add(Item(f"h:{f.name}", f.name, "household", "fact", f.label, f.dtype, name=f.name, phase=0))
        for f in MEMBER_FIELDS.values():
            self.add(Item(f"m:{f.name}", f.name, "member", "fact", f.label, f.dtype, name=f.name, phase=-1))

    def add(self, item: Item) -> Item:
        self.items[item.key] = item
        return item

    def run(self) -> Analysis:
        pack = self.pack
        # Declare every named rule first, so that order in the files does not matter.
        pending: list[tuple[Item, Rule, Level, str]] = []
        for level in ("household", "member"):
            facts = HOUSEHOLD_FIELDS if level == "household" else MEMBER_FIELDS
            for name, rule in pack.definitions[level].items():
                self.check_name(name, rule, facts)
                item = self.add(
                    Item(f"d:{level[0]}:{name}", f"d_{name}", level, "definition", rule.label, "", name=name)
                )
                pending.append((item, rule, level, ""))
        for code, prog in pack.programmes.items():
            if not NAME.match(code):
                raise PackError(f"救助项目代码“{code}”只能用小写字母、数字和下划线", file=prog.file)
            for name, rule in prog.conditions.items():
                self.check_name(name, rule, {})
                item = self.add(
                    Item(f"{code}:c:{name}", f"{code}__c_{name}", prog.unit, "condition", rule.label, "bool")
                )
                item.programme, item.name = code, name
                pending.append((item, rule, prog.unit, code))
            for name, rule in prog.amounts.items():
                self.check_name(name, rule, {})
                item = self.add(Item(f"{code}:a:{name}", f"{code}__a_{name}", prog.unit, "amount", rule.label, ""))
                item.programme, item.name = code, name
                pending.append((item, rule, prog.unit, code))
            conditions = " and ".join(prog.conditions) or "True"
            eligible_src = prog.eligible or _text(conditions, prog.file)
            item = self.add(Item(f"{code}:eligible", f"{code}__eligible", prog.unit, "eligible", "符合条件", "bool"))
            item.programme = code
            pending.append((item, Rule("eligible", "符合条件", eligible_src, prog.pack), prog.unit, code))
            benefit_src = prog.benefit or _text("0", prog.file)
            item = self.add(Item(f"{code}:benefit", f"{code}__benefit", prog.unit, "benefit", "救助金额", "number"))
            item.programme = code
            pending.append((item, Rule("benefit", "救助金额", benefit_src, prog.pack), prog.unit, code))
            if prog.unit == "member":
                # Household view of a per-person programme: anyone eligible, and the sum of their amounts.
                for kind, op, dtype in (("eligible", "any", "bool"), ("benefit", "sum", "number")):
                    agg = self.add(
                        Item(f"{code}:h{kind}", f"{code}__h{kind}", "household", "aggregate", f"家庭{kind}", dtype)
                    )
                    agg.programme = code
                    agg.aggregate = lang.Aggregate(
                        op, lang.Ref("bool" if kind == "eligible" else "number", f"{code}:{kind}"), ""
                    )
                    agg.deps = {f"{code}:{kind}"}
        for item, rule, level, code in pending:
            if item.tree is None:
                self.parse(item, rule, level, code)
        order = self.order()
        for key in order:
            self.place(self.items[key])
        return Analysis(pack=pack, items=self.items, order=order)

    def check_name(self, name: str, rule: Rule, facts: dict) -> None:
        if not NAME.match(str(name)):
            raise PackError(f"名称“{name}”只能用小写字母、数字和下划线，并以字母开头", **_where(rule.expr))
        if name in facts or name in HOUSEHOLD_FIELDS or name in MEMBER_FIELDS:
            raise PackError(f"名称“{name}”与基础字段同名，请换一个名称", **_where(rule.expr))

    def parse(self, item: Item, rule: Rule, level: Level, code: str) -> None:
        scope = lang.Scope(
            level=level,
            resolve=lambda name, lvl: self.resolve(name, lvl, code),
            parameter=self.parameter_dtype,
            programme_ref=self.programme_ref,
            aggregate=self.new_aggregate,
        )
        tree = lang.parse(rule.expr, scope)
        want = {"condition": ("bool",), "eligible": ("bool",), "amount": lang.NUMERIC, "benefit": lang.NUMERIC}
        if item.kind in want and tree.dtype not in want[item.kind]:
            kind = {"condition": "条件", "eligible": "eligible", "amount": "金额", "benefit": "benefit"}[item.kind]
            raise PackError(
                f"{kind}“{rule.name}”的结果应为{'是/否' if want[item.kind] == ('bool',) else '数值'}",
                **_where(rule.expr),
            )
        if tree.dtype in ("table", "list"):
            raise PackError(f"“{rule.name}”不能直接等于分档表或列表", **_where(rule.expr))
        item.source, item.tree = rule.expr, tree
        item.dtype = item.dtype or tree.dtype
        item.deps |= scope.refs
        item.params |= scope.params
        if item.kind == "benefit":
            item.deps.add(f"{code}:eligible")

    def resolve(self, name: str, level: str, code: str) -> lang.Ref | None:
        candidates = []
        if level == "member":
            candidates += [f"m:{name}", f"d:m:{name}"]
        if code:
            candidates += [f"{code}:c:{name}", f"{code}:a:{name}"]
        candidates += [f"h:{name}", f"d:h:{name}"]
        for key in candidates:
            item = self.items.get(key)
            if item is None:
                continue
            if item.level == "member" and level == "household":
                return None
            return lang.Ref(item.dtype or self.pending_dtype(item), key)
        if level == "household" and (f"m:{name}" in self.items or f"d:m:{name}" in self.items):
            return None
        return None

    def pending_dtype(self, item: Item) -> str:
        # A rule not yet parsed: parse it now (recursion follows references; cycles are caught by the marker).
        if item.dtype:
            return item.dtype
        rule, level, code = self._rule_of(item)
        if item in self.parsing:
            cycle = [*self.parsing[self.parsing.index(item) :], item]
            names = " → ".join(i.name for i in cycle)
            raise PackError(f"规则之间循环引用：{names}", **_where(self._rule_of(cycle[0])[0].expr))
        self.parsing.append(item)
        try:
            self.parse(item, rule, level, code)
        finally:
            self.parsing.pop()
        return item.dtype

    def _rule_of(self, item: Item) -> tuple[Rule, Level, str]:
        if item.kind == "definition":
            level = item.level
            return self.pack.definitions[level][item.name], level, ""
        prog = self.pack.programmes[item.programme]
        rules = prog.conditions if item.kind == "condition" else prog.amounts
        return rules[item.name], prog.unit, item.programme

    def parameter_dtype(self, name: str) -> str | None:
        param = self.pack.parameters.get(name)
        if param is None:
            return None
        for v in reversed(param.values):
            if v.value is not None:
                return lang.param_dtype(v.value)
        return param.declared_type or "number"  # only missing values so far: the declared type, else a number

    def programme_ref(self, fn: str, code: str, level: str) -> lang.Ref | None:
        prog = self.pack.programmes.get(code)
        if fn == "receives":
            from jiuzhu.policy.facts import PROGRAMME_CODES

            if code not in PROGRAMME_CODES:
                return None
            return lang.Ref("bool", f"{level[0]}:on_{code}")
        if prog is None:
            return None
        kind = "eligible" if fn == "eligible" else "benefit"
        dtype = "bool" if kind == "eligible" else "number"
        if prog.unit == "member" and level == "household":
            return lang.Ref(dtype, f"{code}:h{kind}")
        if prog.unit == "household" or level == "member":
            return lang.Ref(dtype, f"{code}:{kind}")
        return None

    def new_aggregate(self, agg: lang.Aggregate, dtype: str) -> lang.Ref:
        self.n_aggregates += 1
        n = self.n_aggregates
        deps: set[str] = set()
        if agg.inner is not None:
            inner = self.add(Item(f"ai:{n}", f"aggin_{n}", "member", "aggregate_input", agg.source, agg.inner.dtype))
            inner.tree = agg.inner
            inner.deps = _refs(agg.inner)
            inner.params = _params(agg.inner)
            agg = lang.Aggregate(agg.op, lang.Ref(agg.inner.dtype, inner.key), agg.source)
            deps = {inner.key}
        item = self.add(Item(f"ag:{n}", f"agg_{n}", "household", "aggregate", agg.source, dtype, aggregate=agg))
        item.deps = deps
        return lang.Ref(dtype, item.key)

    def order(self) -> list[str]:
        state: dict[str, int] = {}
        order: list[str] = []

        def visit(key: str, path: list[str]) -> None:
            if state.get(key) == 2:
                return
            if state.get(key) == 1:
                cycle = [*path[path.index(key) :], key]
                labels = " → ".join(self.items[k].name or self.items[k].label for k in cycle)
                raise PackError(f"规则之间循环引用：{labels}", **_where(self.items[cycle[0]].source))
            state[key] = 1
            for dep in sorted(self.items[key].deps):
                visit(dep, [*path, key])
            state[key] = 2
            order.append(key)

        for key in list(self.items):
            visit(key, [])
        return order

    def place(self, item: Item) -> None:
        if item.kind == "fact":
            return
        phase = 0 if item.level == "household" else -1
        for dep in item.deps:
            d = self.items[dep]
            phase = max(phase, d.phase if d.level == item.level else d.phase + 1)
        if (item.level == "household") != (phase % 2 == 0):
            phase += 1
        item.phase = phase


def _text(source: str, file: str) -> Text:
    t = Text(source)
    t.file, t.line = file, 0
    return t


def _where(src: Any) -> dict[str, Any]:
    return {"file": getattr(src, "file", None), "line": getattr(src, "line", None) or None}


def _walk(node: lang.Node):
    yield node
    for value in vars(node).values():
        if isinstance(value, lang.Node):
            yield from _walk(value)
        elif isinstance(value, tuple):
            for v in value:
                if isinstance(v, lang.Node):
                    yield from _walk(v)


def _refs(node: lang.Node) -> set[str]:
    return {n.key for n in _walk(node) if isinstance(n, lang.Ref)}


def _params(node: lang.Node) -> set[str]:
    return {n.name for n in _walk(node) if isinstance(n, lang.Param)}


def analyse(pack: Pack) -> Analysis:
    return _Analyser(pack).run()


def check_pack(pack: Pack) -> None:
    """Refuse a malformed pack at load: names, types, forbidden constructs and cycles, with file and line."""
    analysis = analyse(pack)
    for item in analysis.items.values():
        for node in _walk(item.tree) if item.tree is not None else ():
            if isinstance(node, lang.Call) and node.mode_param:
                param = pack.parameters[node.mode_param]
                for v in param.values:
                    if v.value is not None and v.value not in lang.ROUND_MODES:
                        raise PackError(
                            f"参数“{param.name}”在 {v.effective_from} 的取值应为取舍方式 "
                            f"{'/'.join(lang.ROUND_MODES)} 之一，不是“{v.value}”",
                            file=param.file,
                            line=param.line,
                        )
    for name, param in pack.parameters.items():
        if not NAME.match(name):
            raise PackError(f"参数名“{name}”只能用小写字母、数字和下划线", file=param.file, line=param.line)
        for v in param.values:
            if v.value is not None and lang.param_dtype(v.value) is None:
                raise PackError(f"参数“{name}”在 {v.effective_from} 的取值类型不支持", file=param.file, line=param.line)
            if lang.param_dtype(v.value) == "table":
                _check_table(param, v.value)


def _check_table(param: Any, rows: list[dict]) -> None:
    for i, row in enumerate(rows):
        bounds = [k for k in ("below", "upto") if k in row]
        last = i == len(rows) - 1
        if len(bounds) > 1 or (not bounds and not last) or set(row) - {"below", "upto", "value", "label"}:
            raise PackError(
                f"分档表“{param.name}”第{i + 1}档应写成 {{below: 上限, value: 值}} 或 {{upto: 上限, value: 值}}，"
                "只有最后一档可以不写上限",
                file=param.file,
                line=param.line,
            )


# --- Code generation: the staged Ibis program for one decision date ----------------------------------------


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


INPUT_SCHEMAS = {"household": _input_schema("household"), "member": _input_schema("member")}


class _Generator:
    """Builds the program. Unknowns are NULL and propagate by three-valued logic: a parameter with no value on
    the date makes exactly the decisions that depend on it unknown (未能判断), and nothing else."""

    def __init__(self, analysis: Analysis, as_of: date, outputs: str, overrides: dict[str, Any] | None = None) -> None:
        self.analysis, self.as_of, self.outputs = analysis, as_of, outputs
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

    def build(self) -> Program:
        items = self.items
        tables = {
            "household": ibis.table(INPUT_SCHEMAS["household"], name="households"),
            "member": ibis.table(INPUT_SCHEMAS["member"], name="members"),
        }
        computed = {level: set(tables[level].columns) for level in tables}
        by_phase: dict[int, list[Item]] = defaultdict(list)
        for key in self.analysis.order:
            item = items[key]
            if item.kind != "fact":
                by_phase[item.phase].append(item)
        steps: list[Step] = []
        for phase in sorted(by_phase):
            level: Level = "household" if phase % 2 == 0 else "member"
            t = tables[level]
            phase_items = by_phase[phase]
            if level == "household":
                aggs = [i for i in phase_items if i.kind == "aggregate"]
                if aggs:
                    m = tables["member"]
                    grouped = m.group_by("hh_id").aggregate(**{a.column: self.aggregate(a, m) for a in aggs})
                    grouped = grouped.rename(hh_id_agg="hh_id")
                    t = t.left_join(grouped, t.hh_id == grouped.hh_id_agg).drop("hh_id_agg")
                    computed[level] |= {a.column for a in aggs}
                phase_items = [i for i in phase_items if i.kind != "aggregate"]
            else:
                needed = sorted(
                    {
                        items[d].column
                        for i in phase_items
                        for d in i.deps
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
                    i for i in remaining if all(items[d].column in done or items[d].level != level for d in i.deps)
                ]
                if not layer:
                    raise AssertionError("phase ordering broken")  # cannot happen: order() is topological
                t = t.mutate(**{i.column: self.column(i, t) for i in layer})
                done |= {i.column for i in layer}
                remaining = [i for i in remaining if i not in layer]
            computed[level] = done
            name = f"{level[0]}{phase + 1}"
            steps.append(Step(name, level, t))
            tables[level] = ibis.table(t.schema(), name=name)
        final = {level: self.final(level, tables[level]) for level in tables}
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
        )

    def final(self, level: Level, t: ir.Table) -> ir.Table:
        keys = list(KEYS[level])
        if self.outputs == "all":
            cols = [c for c in t.columns if c not in keys]
        else:
            cols = [
                i.column
                for i in self.items.values()
                if i.level == level and (i.kind in ("eligible", "benefit") or (i.kind == "aggregate" and i.programme))
            ]
        return t.select(*keys, *sorted(set(cols)))

    def aggregate(self, item: Item, m: ir.Table) -> ir.Value:
        """Aggregates over members, unknown if any member's value is unknown (SQL's own ignore NULLs)."""
        agg = item.aggregate
        assert agg is not None
        if agg.inner is None:
            return m.count()
        col = m[self.items[agg.inner.key].column]  # type: ignore[union-attr]
        unknown = col.isnull().any()
        null = ibis.null(IBIS_TYPES[item.dtype])
        if agg.op == "any":  # true if anyone is; unknown if nobody is and someone is unknown
            return ibis.cases((col.any(), True), (unknown, null), else_=False)
        if agg.op == "all":
            return ibis.cases((~col.fill_null(True).all(), False), (unknown, null), else_=True)
        value = col.ifelse(1, 0).sum() if agg.op == "count" else getattr(col, agg.op)()
        return unknown.ifelse(null, value)

    def column(self, item: Item, t: ir.Table) -> ir.Value:
        assert item.tree is not None
        value = self.gen(item.tree, t)
        if item.kind == "benefit":
            eligible = t[f"{item.programme}__eligible"]
            value = ibis.cases(
                (eligible.isnull(), ibis.null("float64")), (eligible, _round(value, 2, "half_up")), else_=0.0
            )
        return value.cast(IBIS_TYPES[item.dtype]) if item.dtype in IBIS_TYPES else value

    def gen(self, node: lang.Node, t: ir.Table) -> Any:
        g = self.gen
        if isinstance(node, lang.Const):
            return ibis.literal(node.value, type=IBIS_TYPES.get(node.dtype))
        if isinstance(node, lang.Ref):
            return t[self.items[node.key].column]
        if isinstance(node, lang.Param):
            value = self.param(node.name)
            if node.dtype not in IBIS_TYPES:
                return value
            return (
                ibis.null(IBIS_TYPES[node.dtype]) if value is None else ibis.literal(value, type=IBIS_TYPES[node.dtype])
            )
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
            x = g(node.operand, t)
            if isinstance(node.values, lang.Const):
                values = node.values.value
            else:
                values = self.param(node.values.name)  # type: ignore[attr-defined]
                if values is None:
                    return ibis.null("boolean")
            result = x.isin(list(values))
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
            null = ibis.null(IBIS_TYPES[node.dtype])
            return ibis.cases((test.isnull(), null), (test, then), else_=other)
        if isinstance(node, lang.Call):
            return self.call(node, t)
        raise AssertionError(f"unknown node {node!r}")

    def call(self, node: lang.Call, t: ir.Table) -> Any:
        if node.fn == "bracket":
            value = self.gen(node.args[0], t)
            rows = self.param(node.args[1].name)  # type: ignore[attr-defined]
            if rows is None:
                return ibis.null("float64")
            branches, default = [(value.isnull(), ibis.null("float64"))], ibis.literal(0.0)
            for row in rows:
                if "below" in row:
                    branches.append((value < row["below"] - EPS, ibis.literal(float(row["value"]))))
                elif "upto" in row:
                    branches.append((value <= row["upto"] + EPS, ibis.literal(float(row["value"]))))
                else:
                    default = ibis.literal(float(row["value"]))
            return ibis.cases(*branches, else_=default)
        args = [self.gen(a, t) for a in node.args]
        if node.fn in ("min", "max"):
            # SQL's LEAST/GREATEST skip NULLs; an unknown argument must make the result unknown.
            any_null = args[0].isnull()
            for a in args[1:]:
                any_null = any_null | a.isnull()
            extremum = (ibis.least if node.fn == "min" else ibis.greatest)(*args)
            return ibis.cases((any_null, ibis.null(IBIS_TYPES[node.dtype])), else_=extremum)
        if node.fn == "abs":
            return args[0].abs()
        if node.fn == "round":
            mode = node.mode
            if node.mode_param:
                mode = self.param(node.mode_param)
                if mode is None:
                    return ibis.null("float64")
                if mode not in lang.ROUND_MODES:
                    param = self.analysis.pack.parameters[node.mode_param]
                    raise PackError(
                        f"参数“{param.name}”应为取舍方式 {'/'.join(lang.ROUND_MODES)} 之一，不是“{mode}”",
                        file=param.file,
                        line=param.line,
                    )
            return args[0].cast("float64") if mode == "none" else _round(args[0], node.digits, mode)
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
    analysis: Analysis, as_of: date, outputs: str = "all", overrides: dict[str, Any] | None = None
) -> Program:
    """A program with some parameters replaced (pack test cases, what-if drafts); not cached."""
    unknown = sorted(set(overrides or {}) - set(analysis.pack.parameters))
    if unknown:
        raise PolicyError(PolicyErrorCode.UNKNOWN_PARAMETER, name="、".join(unknown))
    return _Generator(analysis, as_of, outputs, overrides).build()
