"""Colour conditions in the platform's rule language, evaluated over one household's facts.

A condition in colours.yaml is parsed by `jiuzhu.policy.language` — the same `ast` whitelist, the same names and
the same error messages (with file and line) as a policy pack's rules:

    receives("tekun")
    receives("dibao") and members.any(serious_illness or severely_disabled or age >= 60 or age < 18)
    lacking_drive or members.any(serious_illness)

Names are the household-facts columns (`jiuzhu.policy.facts`), the definitions of the locality's pack
(`severely_disabled`, `per_capita_income` …), its dated parameters (`p.…`), `receives("code")`, member aggregates,
and the locality's *recorded flags* (colours.yaml `flags:`; a coordinator sets them on the household with a reason).
`eligible()` and `benefit()` are refused: a colour describes the household as it stands, not a fresh decision.

Why not the compiler: the compiler's input tables have a fixed set of fact columns, and a recorded flag is not one
of them; a colour is decided for a few thousand households a night, where a small tree-walker over the parsed
tree is fast enough. It keeps the compiler's semantics: unknown (a parameter without a value on the date)
propagates by three-valued logic, numbers compare with the same tolerance, aggregates are unknown when a member's
value is unknown. A condition that comes out unknown does not match.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jiuzhu.policy import language as lang
from jiuzhu.policy.errors import PackError, PolicyError
from jiuzhu.policy.facts import HOUSEHOLD_FIELDS, MEMBER_FIELDS, PROGRAMME_CODES
from jiuzhu.policy.packs import Pack
from jiuzhu.policy.yamlsrc import Text

EPS = 1e-6  # as the compiler: far below one fen


@dataclass
class Names:
    """What a colour condition may name in one locality: facts, the pack's definitions and parameters, flags."""

    pack: Pack
    flags: dict[str, str]
    definitions: dict[str, lang.Node] = field(default_factory=dict)  # "d:h:name" / "d:m:name" → tree
    aggregates: dict[str, lang.Aggregate] = field(default_factory=dict)
    _texts: list[Text] = field(default_factory=list)

    def parse(self, text: Text, *, what: str = "条件") -> lang.Node:
        """A household-level yes/no expression; PackError with file and line otherwise."""
        tree = self._parse(text, "household")
        if tree.dtype != "bool":
            raise PackError(
                f"{what}的结果应为是/否（真/假），实际是数值或文字（表达式：{' '.join(str(text).split())}）",
                file=getattr(text, "file", None),
                line=getattr(text, "line", None) or None,
            )
        return tree

    def _parse(self, text: Text, level: str) -> lang.Node:
        self._texts.append(text)
        try:
            scope = lang.Scope(
                level=level,  # type: ignore[arg-type]
                resolve=self._resolve,
                parameter=self._parameter,
                programme_ref=self._programme_ref,
                aggregate=self._aggregate,
            )
            return lang.parse(text, scope)
        finally:
            self._texts.pop()

    def _resolve(self, name: str, level: str) -> lang.Ref | None:
        if level == "member":
            if name in MEMBER_FIELDS:
                return lang.Ref(MEMBER_FIELDS[name].dtype, f"m:{name}")
            if name in self.pack.definitions["member"]:
                return lang.Ref(self._definition("member", name).dtype, f"d:m:{name}")
        if name in HOUSEHOLD_FIELDS:
            return lang.Ref(HOUSEHOLD_FIELDS[name].dtype, f"h:{name}")
        if name in self.pack.definitions["household"]:
            return lang.Ref(self._definition("household", name).dtype, f"d:h:{name}")
        if name in self.flags:
            return lang.Ref("bool", f"f:{name}")
        return None

    def _definition(self, level: str, name: str) -> lang.Node:
        key = f"d:{level[0]}:{name}"
        if key not in self.definitions:
            rule = self.pack.definitions[level][name]
            if any(t is rule.expr for t in self._texts):  # the pack itself refuses cycles; never loop here
                raise PackError(f"定义“{name}”循环引用", file=getattr(rule.expr, "file", None))
            self.definitions[key] = self._parse(rule.expr, level)
        return self.definitions[key]

    def _parameter(self, name: str) -> str | None:
        param = self.pack.parameters.get(name)
        if param is None:
            return None
        for v in reversed(param.values):
            if v.value is not None:
                return lang.param_dtype(v.value)
        return param.declared_type or "number"

    def _programme_ref(self, fn: str, code: str, level: str) -> lang.Ref | None:
        if fn != "receives":
            text = self._texts[-1] if self._texts else None
            raise PackError(
                f'三色分类条件中不能使用 {fn}(…)：请用 receives("项目代码") 判断该户正在享受的救助',
                file=getattr(text, "file", None),
                line=getattr(text, "line", None) or None,
            )
        if code not in PROGRAMME_CODES:
            return None
        return lang.Ref("bool", f"{level[0]}:on_{code}")

    def _aggregate(self, agg: lang.Aggregate, dtype: str) -> lang.Ref:
        key = f"ag:{len(self.aggregates) + 1}"
        self.aggregates[key] = agg
        return lang.Ref(dtype, key)  # type: ignore[arg-type]


class Evaluation:
    """One household on one date: its facts row, member rows and recorded flags."""

    def __init__(self, names: Names, *, as_of: date, household: dict, members: list[dict], flags: set[str]):
        self.names, self.as_of = names, as_of
        self.h, self.members, self.flags = household, members, flags
        self._cache: dict[tuple[str, int], Any] = {}

    def holds(self, tree: lang.Node) -> bool | None:
        """True, False, or None when the answer depends on something unknown on the date."""
        return self.value(tree, None)

    def value(self, node: lang.Node, m: dict | None) -> Any:  # one branch per node kind
        if isinstance(node, lang.Const):
            return node.value
        if isinstance(node, lang.Ref):
            return self.ref(node.key, m)
        if isinstance(node, lang.Param):
            return self.param(node.name)
        if isinstance(node, lang.Unary):
            x = self.value(node.operand, m)
            return None if x is None else (not x if node.op == "not" else -x)
        if isinstance(node, lang.Binary):
            a, b = self.value(node.left, m), self.value(node.right, m)
            if a is None or b is None:
                return None
            if node.op in ("/", "//"):
                if b == 0:
                    return None  # as SQL's x / NULLIF(y, 0)
                return a / b if node.op == "/" else math.floor(a / b)
            return {"+": a.__add__, "-": a.__sub__, "*": a.__mul__, "%": a.__mod__}[node.op](b)
        if isinstance(node, lang.Compare):
            return _compare(node, self.value(node.left, m), self.value(node.right, m))
        if isinstance(node, lang.InList):
            x = self.value(node.operand, m)
            values = node.values.value if isinstance(node.values, lang.Const) else self.value(node.values, m)
            if x is None or values is None:
                return None
            found = x in values
            return not found if node.negate else found
        if isinstance(node, lang.BoolOp):
            parts = [self.value(p, m) for p in node.operands]
            decisive = node.op == "or"  # True decides an `or`, False decides an `and`
            if any(p is decisive for p in parts):
                return decisive
            return None if any(p is None for p in parts) else not decisive
        if isinstance(node, lang.IfElse):
            test = self.value(node.test, m)
            if test is None:
                return None
            return self.value(node.then if test else node.other, m)
        if isinstance(node, lang.Call):
            return self.call(node, m)
        raise AssertionError(f"unknown node {node!r}")

    def ref(self, key: str, m: dict | None) -> Any:
        kind, _, name = key.partition(":")
        if kind == "m":
            return m[name] if m is not None else None
        if kind == "h":
            return self.h[name]
        if kind == "f":
            return name in self.flags
        if kind == "d":
            level, _, name = name.partition(":")
            cache_key = (key, m["member_no"] if level == "m" and m is not None else 0)
            if cache_key not in self._cache:
                self._cache[cache_key] = self.value(self.names.definitions[key], m if level == "m" else None)
            return self._cache[cache_key]
        if kind == "ag":
            if (key, 0) not in self._cache:
                self._cache[(key, 0)] = self.aggregate(self.names.aggregates[key])
            return self._cache[(key, 0)]
        raise AssertionError(key)

    def param(self, name: str) -> Any:
        try:
            return self.names.pack.parameters[name].at(self.as_of).value
        except PolicyError:
            return None  # no value on the date: unknown, as in the compiler

    def aggregate(self, agg: lang.Aggregate) -> Any:
        if agg.inner is None:
            return len(self.members)
        values = [self.value(agg.inner, m) for m in self.members]
        unknown = any(v is None for v in values)
        if agg.op == "any":
            return True if any(v is True for v in values) else (None if unknown else False)
        if agg.op == "all":
            return False if any(v is False for v in values) else (None if unknown else True)
        if unknown or not values:
            return None
        if agg.op == "count":
            return sum(1 for v in values if v)
        return {"sum": sum, "max": max, "min": min}[agg.op](values)

    def call(self, node: lang.Call, m: dict | None) -> Any:
        if node.fn == "bracket":
            value, rows = self.value(node.args[0], m), self.param(node.args[1].name)  # type: ignore[attr-defined]
            if value is None or rows is None:
                return None
            for row in rows:
                if ("below" in row and value < row["below"] - EPS) or ("upto" in row and value <= row["upto"] + EPS):
                    return float(row["value"])
                if "below" not in row and "upto" not in row:
                    return float(row["value"])
            return 0.0
        args = [self.value(a, m) for a in node.args]
        if any(a is None for a in args):
            return None
        if node.fn in ("min", "max"):
            return min(args) if node.fn == "min" else max(args)
        if node.fn == "abs":
            return abs(args[0])
        mode = node.mode or self.param(node.mode_param)
        if mode is None:
            return None
        return float(args[0]) if mode == "none" else _round(float(args[0]), node.digits, mode)


def _compare(node: lang.Compare, a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return None
    if node.left.dtype not in lang.NUMERIC:
        return a == b if node.op == "==" else a != b
    return {
        "<": lambda: a < b - EPS,
        "<=": lambda: a <= b + EPS,
        ">": lambda: a > b + EPS,
        ">=": lambda: a >= b - EPS,
        "==": lambda: abs(a - b) <= EPS,
        "!=": lambda: abs(a - b) > EPS,
    }[node.op]()


def _round(x: float, digits: int, mode: str) -> float:
    scaled = x * 10.0**digits
    if mode == "up":
        r = math.ceil(scaled - EPS)
    elif mode == "down":
        r = math.floor(scaled + EPS)
    else:  # half_up: half away from zero
        r = math.floor(abs(scaled) + 0.5 + EPS) * (1 if scaled >= 0 else -1)
    return r / 10.0**digits
