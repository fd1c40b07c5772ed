"""Reading JSON bodies of /api/v1/cases: every problem of a body at once, in Chinese (422 with `problems`), and the
error shapes of the API."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from django.db import models
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Schema
from pydantic import ValidationError as PydanticError

from jiuzhu.core.errors import JiuzhuError

# --- Errors --------------------------------------------------------------------------------------------------------


class ApiErrorCode(models.TextChoices):
    INPUT_INVALID = "input_invalid", gettext_lazy("提交的内容有 {count} 处问题：{summary}")
    UNKNOWN_ACTION = "unknown_action", gettext_lazy("没有“{action}”这项办理操作（可用：{known}）")


class InputInvalid(JiuzhuError):
    """A body or a filter with problems: every one of them is listed (field, where in Chinese, problem)."""

    http_status = 422

    def __init__(self, problems: list[dict[str, str]]) -> None:
        self.problems = problems
        summary = "；".join(f"{p['where']}：{p['problem']}" if p["where"] else p["problem"] for p in problems)
        super().__init__(ApiErrorCode.INPUT_INVALID, count=len(problems), summary=summary)


class UnknownAction(JiuzhuError):
    http_status = 404


def problem(field: str, where: str, text: str) -> dict[str, str]:
    return {"field": field, "where": where, "problem": text}


_MESSAGES = {
    "missing": gettext_lazy("必填"),
    "extra_forbidden": gettext_lazy("没有这个字段（请核对字段名）"),
    "string_type": gettext_lazy("应为文字"),
    "string_too_short": gettext_lazy("不能为空"),
    "string_too_long": gettext_lazy("不能超过 {max_length} 个字"),
    "int_type": gettext_lazy("应为整数"),
    "int_parsing": gettext_lazy("应为整数"),
    "int_from_float": gettext_lazy("应为整数"),
    "bool_type": gettext_lazy("应为 true 或 false"),
    "bool_parsing": gettext_lazy("应为 true 或 false"),
    "list_type": gettext_lazy("应为列表（JSON 数组）"),
    "too_long": gettext_lazy("最多 {max_length} 项"),
    "date_type": gettext_lazy("应为日期，如 2024-09-02"),
    "date_parsing": gettext_lazy("应为日期，如 2024-09-02"),
    "date_from_datetime_parsing": gettext_lazy("应为日期，如 2024-09-02"),
    "date_from_datetime_inexact": gettext_lazy("应为日期，如 2024-09-02"),
    "decimal_type": gettext_lazy("应为数字"),
    "decimal_parsing": gettext_lazy("应为数字"),
    "finite_number": gettext_lazy("应为有限的数字"),
    "decimal_max_digits": gettext_lazy("数字过长（最多 {max_digits} 位）"),
    "decimal_max_places": gettext_lazy("最多 {decimal_places} 位小数"),
    "decimal_whole_digits": gettext_lazy("整数部分过长"),
    "greater_than": gettext_lazy("应大于 {gt}"),
    "greater_than_equal": gettext_lazy("不能小于 {ge}"),
    "less_than_equal": gettext_lazy("不能大于 {le}"),
    "dict_type": gettext_lazy("应为 JSON 对象"),
    "model_type": gettext_lazy("应为 JSON 对象"),
}


def _where(schema: type[Schema], loc: tuple) -> str:
    if not loc:
        return _("请求内容")
    head, rest = loc[0], loc[1:]
    info = schema.model_fields.get(head) if isinstance(head, str) else None
    where = info.title if info is not None and info.title else str(head)
    for part in rest:
        where += _("第%(n)s项") % {"n": part + 1} if isinstance(part, int) else f"·{part}"
    return where


def problems_of(exc: PydanticError, schema: type[Schema]) -> list[dict[str, str]]:
    """pydantic's errors in a clerk's words."""
    found = []
    for error in exc.errors(include_url=False):
        loc = tuple(error.get("loc", ()))
        template = _MESSAGES.get(error["type"])
        text = str(template).format(**error.get("ctx", {})) if template else _("格式不正确")
        found.append(problem(".".join(str(p) for p in loc), _where(schema, loc), text))
    return found


S = TypeVar("S", bound=Schema)


def parse_body(request, schema: type[S]) -> S:
    """The JSON body as `schema`; an empty body is an empty object. Raises InputInvalid listing every problem."""
    try:
        raw = request.body
    except RawPostDataException:  # a form or multipart body already read (by the CSRF check)
        raise InputInvalid(
            [problem("", _("请求内容"), _("应以 JSON 提交（Content-Type: application/json）"))]
        ) from None
    data: Any = {}
    if raw.strip():
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise InputInvalid([problem("", _("请求内容"), _("不是有效的 JSON"))]) from None
    if not isinstance(data, dict):
        raise InputInvalid([problem("", _("请求内容"), _("应为 JSON 对象"))])
    try:
        return schema.model_validate(data)
    except PydanticError as exc:
        raise InputInvalid(problems_of(exc, schema)) from None


def body_schema(*schemas: type[Schema], required: bool = True) -> dict:
    """The request body for the OpenAPI document (the view reads it itself with parse_body)."""
    shapes = [s.model_json_schema() for s in schemas]
    shape = shapes[0] if len(shapes) == 1 else {"oneOf": shapes}
    return {"requestBody": {"required": required, "content": {"application/json": {"schema": shape}}}}


class ProblemOut(Schema):
    field: str
    where: str
    problem: str


class ErrorOut(Schema):
    code: str = ""
    detail: str
    problems: list[ProblemOut] | None = Field(None, description="输入有误时：每一处问题")
