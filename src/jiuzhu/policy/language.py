"""The rule language: a safe subset of Python expressions, parsed with `ast` against a whitelist.

    per_capita_income < dibao_standard and financial_assets_per_capita <= p.asset_multiple * dibao_standard
    members.count(age >= 60 or disability_grade in (1, 2))
    round(max(gap, p.min_topup_ratio * dibao_standard * members.count()), 0, "up")
    bracket(per_capita_income, p.rural_tiers)      # tiers (分档) and schedules (渐退) as dated tables
    eligible("dibao"), benefit("dibao"), receives("tekun")

Nothing else is accepted: no attribute access outside `p.` and `members.`, no subscripts, no lambdas, no
comprehensions, no calls but the whitelisted functions. `parse` returns a typed tree (IR) with every name
resolved by the caller's `Scope`; errors are PackErrors with file and line.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from jiuzhu.policy.errors import PackError
from jiuzhu.policy.yamlsrc import Text

DType = Literal["number", "integer", "bool", "string", "table", "list"]
NUMERIC = ("number", "integer")
ROUND_MODES = ("half_up", "up", "down", "none")
AGGREGATES = ("count", "sum", "any", "all", "max", "min")


# --- The typed tree ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    dtype: DType


@dataclass(frozen=True)
class Const(Node):
    value: Any


@dataclass(frozen=True)
class Ref(Node):
    """A column: a fact, a named rule, or an aggregate over members."""

    key: str


@dataclass(frozen=True)
class Param(Node):
    name: str


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "-", "not"
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str  # + - * / // %
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare(Node):
    op: str  # < <= > >= == !=
    left: Node
    right: Node


@dataclass(frozen=True)
class InList(Node):
    operand: Node
    values: Node  # Const tuple or Param list
    negate: bool


@dataclass(frozen=True)
class BoolOp(Node):
    op: str  # and, or
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class IfElse(Node):
    test: Node
    then: Node
    other: Node


@dataclass(frozen=True)
class Call(Node):
    fn: str  # min max abs round ceil floor bracket
    args: tuple[Node, ...]
    mode: str = ""
    digits: int = 0
    mode_param: str = ""  # the mode comes from a string parameter (checked on the decision date)


@dataclass
class Aggregate:
    """members.<op>(inner) in a household expression: the inner expression is a member-level column."""

    op: str
    inner: Node | None
    source: str


@dataclass
class Scope:
    """What names mean where an expression is written. The compiler provides the callbacks."""

    level: Literal["household", "member"]
    resolve: Callable[[str, str], Ref | None]  # (name, level) → Ref or None
    parameter: Callable[[str], DType | None]
    programme_ref: Callable[[str, str, str], Ref | None]  # (fn, code, level) → Ref
    aggregate: Callable[[Aggregate, DType], Ref]
    refs: set[str] = field(default_factory=set)
    params: set[str] = field(default_factory=set)


# --- Parsing -------------------------------------------------------------------------------------------------

_FORBIDDEN_HINTS = {
    ast.Lambda: "不允许使用 lambda",
    ast.Subscript: "不允许使用下标 []",
    ast.ListComp: "不允许使用推导式",
    ast.GeneratorExp: "不允许使用推导式",
    ast.DictComp: "不允许使用推导式",
    ast.SetComp: "不允许使用推导式",
    ast.NamedExpr: "不允许使用赋值表达式",
    ast.Await: "不允许使用 await",
    ast.Starred: "不允许使用 *",
    ast.JoinedStr: "不允许使用 f-string",
    ast.Dict: "不允许使用字典",
}


class _Parser:
    def __init__(self, text: Text, scope: Scope) -> None:
        self.text, self.scope = text, scope
        self.member_scope = scope.level == "member"
        # One logical line: YAML folded scalars keep newlines before more-indented lines.
        self.source = " ".join(str(text).split())

    def fail(self, node: ast.AST | None, problem: str) -> PackError:
        line = getattr(self.text, "line", 0) or None
        return PackError(f"{problem}（表达式：{self.source}）", file=getattr(self.text, "file", None), line=line)

    def parse(self) -> Node:
        source = self.source
        if not source:
            raise self.fail(None, "表达式为空")
        try:
            tree = ast.parse(source, mode="eval")
        except SyntaxError as exc:
            raise self.fail(None, f"语法错误：{exc.msg}") from None
        for n in ast.walk(tree):  # refuse what is forbidden anywhere before reading what it means
            for kind, hint in _FORBIDDEN_HINTS.items():
                if isinstance(n, kind):
                    raise self.fail(n, hint)
            name = n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else ""
            if name.startswith("_"):
                raise self.fail(n, f"不允许的名称“{name}”")
        return self.node(tree.body)

    # Each node kind → typed tree.
    def node(self, n: ast.AST) -> Node:
        for kind, hint in _FORBIDDEN_HINTS.items():
            if isinstance(n, kind):
                raise self.fail(n, hint)
        method = getattr(self, f"n_{type(n).__name__}", None)
        if method is None:
            raise self.fail(n, f"不允许的写法：{type(n).__name__}")
        return method(n)

    def n_Constant(self, n: ast.Constant) -> Node:
        v = n.value
        if isinstance(v, bool):
            return Const("bool", v)
        if isinstance(v, int):
            return Const("integer", v)
        if isinstance(v, float):
            return Const("number", v)
        if isinstance(v, str):
            return Const("string", v)
        raise self.fail(n, f"不支持的常量 {v!r}")

    def n_Name(self, n: ast.Name) -> Node:
        if n.id in ("True", "False"):
            return Const("bool", n.id == "True")
        if n.id.startswith("_"):
            raise self.fail(n, f"不允许的名称“{n.id}”")
        level = "member" if self.member_scope else "household"
        ref = self.scope.resolve(n.id, level)
        if ref is None:
            raise self.fail(n, f"未知的名称“{n.id}”")
        self.scope.refs.add(ref.key)
        return ref

    def n_Attribute(self, n: ast.Attribute) -> Node:
        if isinstance(n.value, ast.Name) and n.value.id == "p":
            dtype = self.scope.parameter(n.attr)
            if dtype is None:
                raise self.fail(n, f"未知的参数“p.{n.attr}”")
            self.scope.params.add(n.attr)
            return Param(dtype, n.attr)
        if isinstance(n.value, ast.Name) and n.value.id == "members":
            raise self.fail(n, f"members.{n.attr} 应写成调用，如 members.count(age >= 60)")
        raise self.fail(n, "只允许 p.参数名 和 members.汇总(...) 两种点号写法")

    def n_UnaryOp(self, n: ast.UnaryOp) -> Node:
        operand = self.node(n.operand)
        if isinstance(n.op, ast.Not):
            self.expect(n.operand, operand, ("bool",), "not 的对象")
            return Unary("bool", "not", operand)
        if isinstance(n.op, ast.USub | ast.UAdd):
            self.expect(n.operand, operand, NUMERIC, "正负号的对象")
            return operand if isinstance(n.op, ast.UAdd) else Unary(operand.dtype, "-", operand)
        raise self.fail(n, "不允许的运算符")

    def n_BinOp(self, n: ast.BinOp) -> Node:
        ops = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%"}
        op = ops.get(type(n.op))
        if op is None:
            raise self.fail(n, "只允许 + - * / // % 运算")
        left, right = self.node(n.left), self.node(n.right)
        self.expect(n.left, left, NUMERIC, f"运算 {op} 的左边")
        self.expect(n.right, right, NUMERIC, f"运算 {op} 的右边")
        dtype = "integer" if op in ("+", "-", "*", "//", "%") and left.dtype == right.dtype == "integer" else "number"
        return Binary(dtype, op, left, right)

    def n_BoolOp(self, n: ast.BoolOp) -> Node:
        operands = tuple(self.node(v) for v in n.values)
        for src, typed in zip(n.values, operands, strict=True):
            self.expect(src, typed, ("bool",), "and/or 的对象")
        return BoolOp("bool", "and" if isinstance(n.op, ast.And) else "or", operands)

    def n_Compare(self, n: ast.Compare) -> Node:
        ops = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
        parts: list[Node] = []
        left_src, left = n.left, self.node(n.left)
        for op_node, right_src in zip(n.ops, n.comparators, strict=True):
            if isinstance(op_node, ast.In | ast.NotIn):
                parts.append(self.membership(left_src, left, right_src, negate=isinstance(op_node, ast.NotIn)))
                left_src, left = right_src, None  # a chain after `in` is not meaningful
                continue
            op = ops.get(type(op_node))
            if op is None:
                raise self.fail(n, "不允许 is / is not，请用 == 或 !=")
            right = self.node(right_src)
            if left is None:
                raise self.fail(n, "in 之后不能再连续比较")
            numbers = left.dtype in NUMERIC and right.dtype in NUMERIC
            equality = left.dtype == right.dtype and left.dtype in ("string", "bool") and op in ("==", "!=")
            if not (numbers or equality):
                raise self.fail(n, f"不能比较{_TYPE_NAMES[left.dtype]}和{_TYPE_NAMES[right.dtype]}（{op}）")
            parts.append(Compare("bool", op, left, right))
            left_src, left = right_src, right
        return parts[0] if len(parts) == 1 else BoolOp("bool", "and", tuple(parts))

    def membership(self, src: ast.AST, left: Node | None, right_src: ast.AST, *, negate: bool) -> Node:
        if left is None:
            raise self.fail(src, "in 之前不能是比较")
        if isinstance(right_src, ast.Tuple | ast.List | ast.Set):
            values = []
            for elt in right_src.elts:
                if not isinstance(elt, ast.Constant) or isinstance(elt.value, bool):
                    raise self.fail(elt, "in 后面的列表只能写常量")
                values.append(elt.value)
            kinds = {"string" if isinstance(v, str) else "number" for v in values}
            right: Node = Const("list", tuple(values))
        else:
            right = self.node(right_src)
            if right.dtype != "list":
                raise self.fail(right_src, "in 后面应为 (…) 列表或列表参数")
            kinds = set()
        want = "string" if left.dtype == "string" else "number" if left.dtype in NUMERIC else None
        if want is None or (kinds and kinds != {want}):
            raise self.fail(src, "in 两边的类型不一致")
        return InList("bool", left, right, negate)

    def n_IfExp(self, n: ast.IfExp) -> Node:
        test, then, other = self.node(n.test), self.node(n.body), self.node(n.orelse)
        self.expect(n.test, test, ("bool",), "if 的条件")
        if then.dtype in NUMERIC and other.dtype in NUMERIC:
            dtype = "integer" if then.dtype == other.dtype == "integer" else "number"
        elif then.dtype == other.dtype and then.dtype in ("bool", "string"):
            dtype = then.dtype
        else:
            raise self.fail(n, "if … else … 两个分支的类型不一致")
        return IfElse(dtype, test, then, other)

    def n_Call(self, n: ast.Call) -> Node:
        if n.keywords:
            raise self.fail(n, "函数参数不能用 名称=值 的写法")
        f = n.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "members":
            return self.aggregate(n, f.attr)
        if not isinstance(f, ast.Name):
            raise self.fail(n, "只允许调用白名单中的函数")
        handler = getattr(self, f"fn_{f.id}", None)
        if handler is None:
            raise self.fail(
                n, f"不允许的函数“{f.id}”（可用：min max abs round ceil floor bracket eligible benefit receives）"
            )
        return handler(n)

    def args(self, n: ast.Call, count: range) -> list[ast.AST]:
        if len(n.args) not in count:
            raise self.fail(n, f"函数 {n.func.id} 的参数个数不对")  # type: ignore[attr-defined]
        return n.args

    def fn_min(self, n: ast.Call) -> Node:
        return self.extremum(n, "min")

    def fn_max(self, n: ast.Call) -> Node:
        return self.extremum(n, "max")

    def extremum(self, n: ast.Call, fn: str) -> Node:
        args = [self.node(a) for a in self.args(n, range(2, 20))]
        for src, typed in zip(n.args, args, strict=True):
            self.expect(src, typed, NUMERIC, f"{fn} 的参数")
        dtype = "integer" if all(a.dtype == "integer" for a in args) else "number"
        return Call(dtype, fn, tuple(args))

    def fn_abs(self, n: ast.Call) -> Node:
        (arg,) = self.args(n, range(1, 2))
        typed = self.node(arg)
        self.expect(arg, typed, NUMERIC, "abs 的参数")
        return Call(typed.dtype, "abs", (typed,))

    def fn_round(self, n: ast.Call) -> Node:
        args = self.args(n, range(3, 4))
        value = self.node(args[0])
        self.expect(args[0], value, NUMERIC, "round 的第一个参数")
        mode = args[2]
        digits = _int_literal(args[1])
        if digits is None or not -4 <= digits <= 4:
            raise self.fail(n, "round 的第二个参数是保留的小数位数（-4 到 4 的整数，-1 为取整到十元）")
        if isinstance(mode, ast.Attribute) and isinstance(mode.value, ast.Name) and mode.value.id == "p":
            param = self.node(mode)
            if param.dtype != "string":
                raise self.fail(n, "round 的取舍方式参数应为文字")
            return Call("number", "round", (value,), digits=digits, mode_param=mode.attr)
        if not (isinstance(mode, ast.Constant) and mode.value in ROUND_MODES):
            raise self.fail(
                n, 'round 必须写明取舍方式："half_up"（四舍五入）、"up"（进一）、"down"（舍去）或 "none"（不取整）'
            )
        return Call("number", "round", (value,), mode=mode.value, digits=digits)

    def fn_ceil(self, n: ast.Call) -> Node:
        (arg,) = self.args(n, range(1, 2))
        value = self.node(arg)
        self.expect(arg, value, NUMERIC, "ceil 的参数")
        return Call("number", "round", (value,), mode="up", digits=0)

    def fn_floor(self, n: ast.Call) -> Node:
        (arg,) = self.args(n, range(1, 2))
        value = self.node(arg)
        self.expect(arg, value, NUMERIC, "floor 的参数")
        return Call("number", "round", (value,), mode="down", digits=0)

    def fn_bracket(self, n: ast.Call) -> Node:
        value_src, table_src = self.args(n, range(2, 3))
        value = self.node(value_src)
        self.expect(value_src, value, NUMERIC, "bracket 的第一个参数")
        table = self.node(table_src)
        if not isinstance(table, Param) or table.dtype != "table":
            raise self.fail(n, "bracket 的第二个参数应为分档表参数，如 p.rural_tiers")
        return Call("number", "bracket", (value, table))

    def programme_call(self, n: ast.Call, fn: str, dtype: DType) -> Node:
        (arg,) = self.args(n, range(1, 2))
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            raise self.fail(n, f'{fn} 的参数应为项目代码字符串，如 {fn}("dibao")')
        level = "member" if self.member_scope else "household"
        ref = self.scope.programme_ref(fn, arg.value, level)
        if ref is None:
            raise self.fail(n, f"未知的救助项目“{arg.value}”")
        self.scope.refs.add(ref.key)
        return ref

    def fn_eligible(self, n: ast.Call) -> Node:
        return self.programme_call(n, "eligible", "bool")

    def fn_benefit(self, n: ast.Call) -> Node:
        return self.programme_call(n, "benefit", "number")

    def fn_receives(self, n: ast.Call) -> Node:
        return self.programme_call(n, "receives", "bool")

    def aggregate(self, n: ast.Call, op: str) -> Node:
        if op not in AGGREGATES:
            raise self.fail(n, f"members 只能 {'/'.join(AGGREGATES)}")
        if self.member_scope:
            raise self.fail(n, "members 汇总不能写在成员层面的表达式里")
        if op == "count" and not n.args:
            inner = None
        else:
            if len(n.args) != 1:
                raise self.fail(n, f"members.{op}(…) 需要一个参数")
            self.member_scope = True
            try:
                inner = self.node(n.args[0])
            finally:
                self.member_scope = False
            want = ("bool",) if op in ("count", "any", "all") else NUMERIC
            self.expect(n.args[0], inner, want, f"members.{op} 的参数")
        dtype: DType = "integer" if op == "count" else "bool" if op in ("any", "all") else inner.dtype  # type: ignore[union-attr]
        source = ast.get_source_segment(self.source, n) or f"members.{op}(…)"
        ref = self.scope.aggregate(Aggregate(op, inner, source), dtype)
        self.scope.refs.add(ref.key)
        return ref

    def expect(self, src: ast.AST, typed: Node, allowed: tuple[str, ...], what: str) -> None:
        if typed.dtype not in allowed:
            wanted = "或".join(_TYPE_NAMES[a] for a in allowed)
            raise self.fail(src, f"{what}应为{wanted}，实际是{_TYPE_NAMES[typed.dtype]}")


def _int_literal(node: ast.AST) -> int | None:
    """An integer written as a literal, with its sign: 2, -1."""
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        sign, node = -1, node.operand
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return sign * node.value
    return None


_TYPE_NAMES = {
    "number": "数值",
    "integer": "整数",
    "bool": "是/否",
    "string": "文字",
    "table": "分档表",
    "list": "列表",
}


def parse(text: Text, scope: Scope) -> Node:
    """The typed tree of one expression; names resolved through `scope`, which also collects references."""
    return _Parser(text, scope).parse()


def param_dtype(value: Any) -> DType | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"  # 0 in one year may be 0.3 in the next: parameters are never integer-typed
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        if value and all(isinstance(row, dict) and "value" in row for row in value):
            return "table"
        return "list"
    return None
