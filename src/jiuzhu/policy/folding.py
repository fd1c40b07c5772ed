"""Parameters known on the decision date, folded into the rules before SQL is generated.

A pack is written for every place and year; on one date most of its switches are set. With the local values in,
`p.topup_rate_elderly * dibao_standard if age >= 60 else 0` is `0` when the rate is 0, a branch chosen by a
parameter (`… if p.dibao_rounding_level == "person" else …`) is the branch taken, and a rule that no longer reads a
household value can move to an earlier phase — a whole member → household → member pass may disappear. The folded
rules compute exactly what the unfolded ones do; only what is decided before any row is read goes.

What the folding relies on, and the engine's inputs guarantee (facts.facts_rows, population.population_relations):
no input fact is NULL, and every household has at least one member. Unknowns (NULL) then come only from parameters
without a value on the date and from what is computed from them, so a NULL check is kept only where a NULL can
arrive: `x IS NULL` on a fact or a known value is dropped, and `x * 0` is 0 only when x cannot be unknown.

Arithmetic on two numbers is left to the SQL engine (which folds constants itself), except exact integer sums and
the identities x·0, x·1, x + 0, x − 0; comparisons and choices between known values are decided here with the
same tolerance (EPS) as the generated SQL.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jiuzhu.policy import language as lang
from jiuzhu.policy.analysis import Item

EPS = 1e-6  # the tolerance of numeric comparisons, as in the generated SQL


@dataclass(frozen=True)
class Cast(lang.Node):
    """A value widened to the node's type (integer → number), where folding removed the node that widened it."""

    operand: lang.Node


def const(dtype: str, value: Any) -> lang.Const:
    if value is not None and dtype == "number" and not isinstance(value, bool):
        value = float(value)
    return lang.Const(dtype, value)  # type: ignore[arg-type]


def is_const(node: lang.Node, *values: Any) -> bool:
    """A known value (any, or one of `values`; 0 matches 0.0 but not False)."""
    if not isinstance(node, lang.Const) or node.dtype in ("list", "table"):
        return False
    if not values:
        return True
    return any(node.value == v and isinstance(node.value, bool) == isinstance(v, bool) for v in values)


def widen(node: lang.Node, dtype: str) -> lang.Node:
    """`node` in place of a node of type `dtype` (integer → number keeps SQL's type; other types are equal)."""
    if node.dtype == dtype or dtype not in lang.NUMERIC:
        return node
    if isinstance(node, lang.Const):
        return const(dtype, node.value)
    return Cast(dtype, node)  # type: ignore[arg-type]


def benefit_tree(item: Item) -> lang.Node:
    """A programme's benefit: unknown if eligibility is, its amount rounded to the fen if eligible, else 0."""
    assert item.tree is not None
    amount = lang.Call("number", "round", (item.tree,), mode="half_up", digits=2)
    return lang.IfElse("number", lang.Ref("bool", f"{item.programme}:eligible"), amount, lang.Const("number", 0.0))


class Folder:
    """Folds every item of an analysis on one date: `trees` (the folded expressions), `nullable` (whether a column
    can be unknown), `deps` (the columns each still reads). Aggregates keep their form; an aggregate over a known
    member value is folded to its value (`consts`)."""

    def __init__(
        self,
        items: dict[str, Item],
        order: list[str],
        param: Callable[[str], Any],
        round_mode: Callable[[str], Any],
        *,
        simplify: bool = True,
    ) -> None:
        self.items, self.param, self.round_mode, self.simplify = items, param, round_mode, simplify
        self.trees: dict[str, lang.Node] = {}
        self.consts: dict[str, lang.Const] = {}
        self.nullable: dict[str, bool] = {}
        self.positive: set[str] = set()  # columns ≥ 1: members.count() and what names it (a safe divisor)
        self.deps: dict[str, set[str]] = {}
        for key in order:
            self.item(items[key])

    # --- items ----------------------------------------------------------------------------------------------

    def item(self, item: Item) -> None:
        key = item.key
        if item.kind == "fact":
            self.nullable[key], self.deps[key] = not self.simplify, set()
            return
        if item.kind == "aggregate":
            self.aggregate(item)
            return
        tree = benefit_tree(item) if item.kind == "benefit" else item.tree
        assert tree is not None
        folded = self.fold(tree)
        self.trees[key] = folded
        if isinstance(folded, lang.Const):
            self.consts[key] = const(item.dtype, folded.value)
        if isinstance(folded, lang.Ref) and folded.key in self.positive:
            self.positive.add(key)
        self.nullable[key] = self.can_be_null(folded)
        self.deps[key] = refs(folded)

    def aggregate(self, item: Item) -> None:
        """members.<op>(x): unknown if any member's x is; over a known x (and at least one member), known."""
        agg = item.aggregate
        assert agg is not None
        key = item.key
        self.deps[key] = set()
        if agg.inner is None:  # members.count(): at least 1
            self.nullable[key] = not self.simplify
            self.positive.add(key)
            return
        inner = agg.inner.key  # type: ignore[attr-defined]
        value = self.consts.get(inner) if self.simplify else None
        folded: Any = _NO
        if value is not None:
            v = value.value
            if v is None:
                folded = None
            elif agg.op == "count":
                folded = _NO if v else 0
            elif agg.op in ("any", "all", "max", "min") or (agg.op == "sum" and v == 0):
                folded = v
        if folded is not _NO:
            self.consts[key] = const(item.dtype, folded)
            self.trees[key] = self.consts[key]
            self.nullable[key] = folded is None
            return
        self.deps[key] = {inner}
        self.nullable[key] = self.nullable[inner]

    # --- expressions ----------------------------------------------------------------------------------------

    def fold(self, node: lang.Node) -> lang.Node:
        if not self.simplify:
            return self.substitute(node)
        method = getattr(self, f"f_{type(node).__name__}")
        return method(node)

    def substitute(self, node: lang.Node) -> lang.Node:
        """Without simplifying (`simplify=False`, the reference the tests hold the folding to): parameter values
        and rounding modes put in, nothing else changed, every value taken as possibly unknown."""
        if isinstance(node, lang.Param):
            return self.f_Param(node)
        if isinstance(node, lang.Call) and node.mode_param:
            mode = self.round_mode(node.mode_param)
            if mode is None:
                return const("number", None)  # as the SQL always had it: no mode, no amount
            return lang.Call("number", "round", tuple(self.substitute(a) for a in node.args), mode, node.digits)
        if (isinstance(node, lang.Call) and node.fn == "bracket") or isinstance(node, lang.InList):
            table = node.args[1] if isinstance(node, lang.Call) else node.values
            if isinstance(table, lang.Param) and self.param(table.name) is None:
                return const(node.dtype, None)  # as the SQL always had it: no table or list, no value
        changed = {}
        for name, value in vars(node).items():
            if isinstance(value, lang.Node):
                changed[name] = self.substitute(value)
            elif isinstance(value, tuple):
                changed[name] = tuple(self.substitute(v) if isinstance(v, lang.Node) else v for v in value)
        return dataclasses.replace(node, **changed) if changed else node

    def f_Const(self, node: lang.Const) -> lang.Node:
        return node

    def f_Ref(self, node: lang.Ref) -> lang.Node:
        known = self.consts.get(node.key)
        return node if known is None else const(node.dtype, known.value)

    def f_Param(self, node: lang.Param) -> lang.Node:
        value = self.param(node.name)
        if node.dtype in ("table", "list"):
            return lang.Const(node.dtype, None if value is None else tuple(_frozen(v) for v in value))
        return const(node.dtype, value)

    def f_Cast(self, node: Cast) -> lang.Node:
        return widen(self.fold(node.operand), node.dtype)

    def f_Unary(self, node: lang.Unary) -> lang.Node:
        x = self.fold(node.operand)
        if is_const(x):
            v = x.value  # type: ignore[attr-defined]
            return const(node.dtype, None if v is None else (not v) if node.op == "not" else -v)
        return lang.Unary(node.dtype, node.op, x)

    def f_Binary(self, node: lang.Binary) -> lang.Node:
        a, b = self.fold(node.left), self.fold(node.right)
        if is_const(a, None) or is_const(b, None):
            return const(node.dtype, None)
        op = node.op
        if op == "*":
            for x, y in ((a, b), (b, a)):
                if is_const(y, 0) and not self.can_be_null(x):
                    return const(node.dtype, 0)
                if is_const(y, 1):
                    return widen(x, node.dtype)
        if op in ("+", "-") and is_const(b, 0):
            return widen(a, node.dtype)
        if op == "+" and is_const(a, 0):
            return widen(b, node.dtype)
        if op in ("+", "-", "*") and node.dtype == "integer" and is_const(a) and is_const(b):
            x, y = a.value, b.value  # type: ignore[attr-defined]
            return const("integer", x + y if op == "+" else x - y if op == "-" else x * y)
        return lang.Binary(node.dtype, op, a, b)

    def f_Compare(self, node: lang.Compare) -> lang.Node:
        a, b = self.fold(node.left), self.fold(node.right)
        if is_const(a, None) or is_const(b, None):
            return const("bool", None)
        if is_const(a) and is_const(b):
            return const("bool", compare(node.op, a.value, b.value, numeric=node.left.dtype in lang.NUMERIC))  # type: ignore[attr-defined]
        return lang.Compare(node.dtype, node.op, a, b)

    def f_InList(self, node: lang.InList) -> lang.Node:
        x, values = self.fold(node.operand), self.fold(node.values)
        if is_const(x, None) or values.value is None:  # type: ignore[attr-defined]
            return const("bool", None)
        if is_const(x):
            found = any(_equal(x.value, v) for v in values.value)  # type: ignore[attr-defined]
            return const("bool", found != node.negate)
        return lang.InList(node.dtype, x, values, node.negate)

    def f_BoolOp(self, node: lang.BoolOp) -> lang.Node:
        decisive = node.op == "or"  # True decides an or, False an and (whatever the others, even unknown)
        kept: list[lang.Node] = []
        for operand in node.operands:
            x = self.fold(operand)
            if is_const(x, decisive):
                return const("bool", decisive)
            if not is_const(x, not decisive):
                kept.append(x)
        if not kept:
            return const("bool", not decisive)
        return kept[0] if len(kept) == 1 else lang.BoolOp("bool", node.op, tuple(kept))

    def f_IfElse(self, node: lang.IfElse) -> lang.Node:
        test = self.fold(node.test)
        if is_const(test):
            if test.value is None:  # type: ignore[attr-defined]
                return const(node.dtype, None)
            return widen(self.fold(node.then if test.value else node.other), node.dtype)  # type: ignore[attr-defined]
        then, other = self.fold(node.then), self.fold(node.other)
        if widen(then, node.dtype) == widen(other, node.dtype) and not self.can_be_null(test):
            return widen(then, node.dtype)
        return lang.IfElse(node.dtype, test, then, other)

    def f_Call(self, node: lang.Call) -> lang.Node:
        if node.fn == "bracket":
            value, rows = self.fold(node.args[0]), self.fold(node.args[1])
            if is_const(value, None) or rows.value is None:  # type: ignore[attr-defined]
                return const("number", None)
            table = rows.value  # type: ignore[attr-defined]
            flat = all("below" not in dict(row) and "upto" not in dict(row) for row in table)  # one value for all
            if is_const(value) or (flat and not self.can_be_null(value)):
                return const("number", bracket(value.value if is_const(value) else 0, table))  # type: ignore[attr-defined]
            return lang.Call("number", "bracket", (value, rows))
        args = tuple(self.fold(a) for a in node.args)
        if any(is_const(a, None) for a in args):
            return const(node.dtype, None)
        if node.fn == "round" and node.mode_param:
            mode = self.round_mode(node.mode_param)
            if mode is None:
                return const("number", None)
            return lang.Call("number", "round", args, mode=mode, digits=node.digits)
        if node.fn in ("min", "max") and all(is_const(a) for a in args):
            pick = min if node.fn == "min" else max
            return const(node.dtype, pick(a.value for a in args))  # type: ignore[attr-defined]
        if node.fn == "abs" and is_const(args[0]):
            return const(node.dtype, abs(args[0].value))  # type: ignore[attr-defined]
        return lang.Call(node.dtype, node.fn, args, node.mode, node.digits)

    # --- what can be unknown ----------------------------------------------------------------------------------

    def nonzero(self, node: lang.Node) -> bool:
        if isinstance(node, Cast):
            return self.nonzero(node.operand)
        if isinstance(node, lang.Ref):
            return node.key in self.positive
        return is_const(node) and node.value not in (0, None)  # type: ignore[attr-defined]

    def can_be_null(self, node: lang.Node) -> bool:
        if not self.simplify:
            return True
        if isinstance(node, lang.Const):
            return node.value is None
        if isinstance(node, lang.Ref):
            return self.nullable[node.key]
        if isinstance(node, lang.Binary):  # x / 0 is unknown (NULLIF), so is x % 0
            divides = node.op in ("/", "//", "%") and not self.nonzero(node.right)
            return divides or self.can_be_null(node.left) or self.can_be_null(node.right)
        if isinstance(node, lang.Call) and node.fn == "bracket":
            return self.can_be_null(node.args[0])
        return any(self.can_be_null(child) for child in children(node))


_NO = object()


def _frozen(value: Any) -> Any:
    return tuple(sorted(value.items())) if isinstance(value, dict) else value


def _equal(a: Any, b: Any) -> bool:
    return a == b and isinstance(a, str) == isinstance(b, str)


def compare(op: str, a: Any, b: Any, *, numeric: bool) -> bool:
    """A comparison of two known values, as the generated SQL makes it (numbers within EPS)."""
    if not numeric:
        return (a == b) if op == "==" else (a != b)
    a, b = float(a), float(b)
    if op == "<":
        return a < b - EPS
    if op == "<=":
        return a <= b + EPS
    if op == ">":
        return a > b + EPS
    if op == ">=":
        return a >= b - EPS
    close = abs(a - b) <= EPS
    return close if op == "==" else not close


def bracket(value: float, table: tuple) -> float:
    """The value of the first row whose bound `value` is under (below: strictly, upto: at most), else the last."""
    default = 0.0
    for row in table:
        fields = dict(row)
        if "below" in fields:
            if value < fields["below"] - EPS:
                return float(fields["value"])
        elif "upto" in fields:
            if value <= fields["upto"] + EPS:
                return float(fields["value"])
        else:
            default = float(fields["value"])
    return default


def children(node: lang.Node) -> list[lang.Node]:
    out: list[lang.Node] = []
    for value in vars(node).values():
        if isinstance(value, lang.Node):
            out.append(value)
        elif isinstance(value, tuple):
            out += [v for v in value if isinstance(v, lang.Node)]
    return out


def refs(node: lang.Node) -> set[str]:
    found = {node.key} if isinstance(node, lang.Ref) else set()
    for child in children(node):
        found |= refs(child)
    return found
