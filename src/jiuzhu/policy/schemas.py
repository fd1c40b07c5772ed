from __future__ import annotations

from typing import Any

from ninja import Field, Schema


class CheckIn(Schema):
    locality: str = Field("", description="政策包：区划代码（如 530103）或目录名；不填为本平台所在地区")
    as_of: str = Field("", description="决定日期，如 2024-08-01；不填为今天")
    household: dict[str, Any] = Field(description="家庭情况文档，格式见 docs/household-facts.md")


class Problem(Schema):
    field: str
    where: str
    problem: str


class ProblemsOut(Schema):
    code: str
    detail: str
    problems: list[Problem]
