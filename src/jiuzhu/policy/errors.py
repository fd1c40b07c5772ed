"""Errors of the policy engine, in words a clerk (or a pack author) can act on."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.errors import JiuzhuError


class PolicyErrorCode(models.TextChoices):
    PACK_INVALID = "pack_invalid", _("政策包有误：{where}{problem}")
    UNKNOWN_LOCALITY = "unknown_locality", _("没有地区 {locality} 的政策包")
    PARAMETER_MISSING = "parameter_missing", _("参数“{name}”在 {as_of} 没有取值：{reason}")
    FACTS_INVALID = "facts_invalid", _("家庭情况填写有误，共 {count} 处")
    UNKNOWN_PROGRAMME = "unknown_programme", _("政策包中没有救助项目 {programme}")
    UNKNOWN_PARAMETER = "unknown_parameter", _("政策包中没有参数“{name}”（请写成 参数名=新值）")
    BAD_VALUE = "bad_value", _("参数“{name}”的新值“{value}”应为{expected}")
    NO_CHANGE = "no_change", _("请至少写一项参数调整，如 dibao_standard_urban=760")
    NOT_ALLOWED = "not_allowed", _("您的角色无权进行此操作")


class PolicyError(JiuzhuError):
    pass


class PackError(PolicyError):
    """A malformed pack, refused at load time with the file and line of the problem."""

    def __init__(self, problem: str, *, file: str | None = None, line: int | None = None) -> None:
        self.file, self.line, self.problem = file, line, problem
        where = f"{file}" if file else ""
        if file and line:
            where += f" 第{line}行"
        super().__init__(PolicyErrorCode.PACK_INVALID, where=f"{where}：" if where else "", problem=problem)


class FactsInvalid(PolicyError):
    """A household-facts document with problems: every one of them is listed, never only the first."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        self.problems = problems
        super().__init__(PolicyErrorCode.FACTS_INVALID, count=len(problems))

    @property
    def http_status(self) -> int:
        return 422
