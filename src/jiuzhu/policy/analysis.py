"""Analysis of a policy pack, independent of the decision date: every rule's name, type, dependencies and phase
(the phase when no parameter value is known: on a given date `compiler` may place a rule earlier).

Every named rule becomes an `Item`: a column at household or member level. A household rule that aggregates over
members (`members.count(age >= 60)`) reads member columns; a member rule that names a household value reads
household columns. Rules are therefore grouped into *phases* that alternate between the two tables — household
phases are even, member phases odd. `compiler` turns an analysis into the SQL steps of one decision date (where
parameters known on that date may merge or empty phases); `check_pack` refuses a malformed pack at load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from jiuzhu.policy import language as lang
from jiuzhu.policy.errors import PackError
from jiuzhu.policy.facts import HOUSEHOLD_FIELDS, MEMBER_FIELDS, Level
from jiuzhu.policy.packs import Pack, Rule
from jiuzhu.policy.yamlsrc import Text

NAME = re.compile(r"^[a-z][a-z0-9_]*$")


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
        if item.kind != "fact":
            item.phase = phase_after(item.level, [(self.items[d].level, self.items[d].phase) for d in item.deps])


def phase_after(level: Level, reads: list[tuple[Level, int]]) -> int:
    """The first phase of `level` after the (level, phase) of everything a rule reads: household phases are even,
    member phases odd; a value of the other table is read in the next phase of this one."""
    phase = 0 if level == "household" else -1
    for read_level, read_phase in reads:
        phase = max(phase, read_phase if read_level == level else read_phase + 1)
    if (level == "household") != (phase % 2 == 0):
        phase += 1
    return phase


def _text(source: str, file: str) -> Text:
    t = Text(source)
    t.file, t.line = file, 0
    return t


def _where(src: Any) -> dict[str, Any]:
    return {"file": getattr(src, "file", None), "line": getattr(src, "line", None) or None}


def walk(node: lang.Node):
    yield node
    for value in vars(node).values():
        if isinstance(value, lang.Node):
            yield from walk(value)
        elif isinstance(value, tuple):
            for v in value:
                if isinstance(v, lang.Node):
                    yield from walk(v)


def _refs(node: lang.Node) -> set[str]:
    return {n.key for n in walk(node) if isinstance(n, lang.Ref)}


def _params(node: lang.Node) -> set[str]:
    return {n.name for n in walk(node) if isinstance(n, lang.Param)}


def analyse(pack: Pack) -> Analysis:
    return _Analyser(pack).run()


def check_pack(pack: Pack) -> None:
    """Refuse a malformed pack at load: names, types, forbidden constructs and cycles, with file and line."""
    analysis = analyse(pack)
    for item in analysis.items.values():
        for node in walk(item.tree) if item.tree is not None else ():
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
    _check_conditions_read(analysis)
    for name, param in pack.parameters.items():
        if not NAME.match(name):
            raise PackError(f"参数名“{name}”只能用小写字母、数字和下划线", file=param.file, line=param.line)
        for v in param.values:
            if v.value is not None and lang.param_dtype(v.value) is None:
                raise PackError(f"参数“{name}”在 {v.effective_from} 的取值类型不支持", file=param.file, line=param.line)
            if lang.param_dtype(v.value) == "table":
                _check_table(param, v.value)


def _check_conditions_read(analysis: Analysis) -> None:
    """A condition that nothing reads decides nothing, yet it would be listed (and could end in a refusal letter):
    where `eligible` is written out, it is most often a misspelt name meant to replace an inherited condition."""
    read = {dep for item in analysis.items.values() for dep in item.deps}
    for item in analysis.items.values():
        if item.kind == "condition" and item.key not in read:
            prog = analysis.pack.programmes[item.programme]
            others = "、".join(sorted(n for n in prog.conditions if n != item.name))
            raise PackError(
                f"救助项目“{item.programme}”的条件“{item.name}”没有被 eligible 或其他规则使用：eligible 已明确写出，"
                f"不会读它。若是要替换已有的条件，请检查名称（已有：{others}）；若是新增条件，请把它写进 eligible",
                **_where(item.source),
            )


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
