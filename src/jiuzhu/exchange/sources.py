"""Department sources as configuration: one YAML file per source in `sources/` (or JIUZHU_SOURCE_DIRS).

A source names its department, the record kinds it sends, how each column is found (header synonyms), typed and
checked, which fields identify a record (so re-sending it changes nothing), and what each accepted record becomes:
evidence on a person's household (income, asset, expense), facts on the person (death, disability), events for
monitoring, or suspicions (the monthly 疑点信息反馈表). Onboarding a department is writing one such file.

In a derivation, a string starting with `$` names a field of the record (`$amount`); `$month.month_end` is the last
day of that month, `$date.year_end` the last day of that year; anything else is a literal.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from jiuzhu.exchange.errors import ExchangeError, ExchangeErrorCode
from jiuzhu.exchange.readers import clean_header

FieldType = Literal["id_number", "name", "text", "date", "month", "amount", "integer", "phone", "sex", "choice"]
EVIDENCE_KINDS = ("income", "asset", "expense")
PERSON_FACTS = ("death_date", "disability_kind", "disability_grade", "employment", "school_stage")
_REF = re.compile(r"^\$([a-z_][a-z0-9_]*)(?:\.(month_end|year_end))?$")
_CODE = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Strict):
    type: FieldType
    label: str = ""
    headers: list[str] = Field(min_length=1)
    required: bool = False
    unit: Literal["元", "万元"] = "元"  # for amounts: the column's unit when a value carries none of its own
    allow_negative: bool = False
    not_future: bool = False  # for dates: a day after the one the data arrives cannot have happened yet
    max: Decimal | None = None  # for amounts: larger is impossible for this column (a typo, a unit of 分 not 元)
    values: dict[str, str] = {}  # for choices: what departments write → our code

    @field_validator("headers")
    @classmethod
    def _clean(cls, headers: list[str]) -> list[str]:
        return [clean_header(h) for h in headers]

    @model_validator(mode="after")
    def _choices_need_values(self) -> FieldSpec:
        if self.type == "choice" and not self.values:
            raise ValueError("choice 类型的字段需要 values（部门写法 → 代码）")
        return self


class Derivation(_Strict):
    """One thing an accepted, linked record becomes. `fields` maps the target's attributes to refs or literals."""

    model_config = ConfigDict(extra="allow", frozen=True)

    @property
    def mapping(self) -> dict[str, Any]:
        return dict(self.__pydantic_extra__ or {})


class EventSpec(_Strict):
    kind: str
    date: str
    values: dict[str, Any] = {}
    # Events that only matter for people already on file (a recipient's pension, a vehicle): a city's monthly
    # pension roll would otherwise make millions of events about people nobody needs to look at.
    registered_only: bool = False


class KindSpec(_Strict):
    code: str = ""
    label: str
    fields: dict[str, FieldSpec]
    key: list[str] = Field(min_length=1)
    evidence: dict[str, Derivation] = {}  # income / asset / expense
    person: dict[str, Any] = {}  # facts on the person: death_date, disability_kind, disability_grade, employment
    events: list[EventSpec] = []
    suspicion: dict[str, Any] = {}  # for the 疑点信息反馈表: the columns of a suspicion

    @model_validator(mode="after")
    def _check_references(self) -> KindSpec:
        names = set(self.fields)
        for k in self.key:
            if k not in names:
                raise ValueError(f"key 中的“{k}”不是本类记录的字段")
        for kind in self.evidence:
            if kind not in EVIDENCE_KINDS:
                raise ValueError(f"evidence 只能是 {'、'.join(EVIDENCE_KINDS)}，不能是“{kind}”")
        for fact in self.person:
            if fact not in PERSON_FACTS:
                raise ValueError(f"person 只能写 {'、'.join(PERSON_FACTS)}，不能写“{fact}”")
        for ref in self._all_refs():
            if ref not in names:
                raise ValueError(f"引用了不存在的字段“${ref}”")
        if (self.evidence or self.person or self.events) and "id_number" not in names and "name" not in names:
            raise ValueError("要落到人身上的记录至少需要 id_number 或 name 字段")
        return self

    def _all_refs(self):
        values: list[Any] = [*self.person.values(), *self.suspicion.values()]
        for d in self.evidence.values():
            values += d.mapping.values()
        for e in self.events:
            values += [e.date, *e.values.values()]
        for v in values:
            if isinstance(v, str) and (m := _REF.match(v)):
                yield m[1]

    @property
    def required_fields(self) -> list[str]:
        return [n for n, f in self.fields.items() if f.required]

    def header_index(self) -> dict[str, str]:
        """Cleaned header text → field name."""
        return {h: name for name, f in self.fields.items() for h in f.headers}


class Department(_Strict):
    code: str
    name: str


class SourceSpec(_Strict):
    code: str
    name: str
    department: Department
    description: str = ""
    kinds: dict[str, KindSpec]
    path: str = ""

    @field_validator("code")
    @classmethod
    def _code_shape(cls, code: str) -> str:
        if not _CODE.match(code):
            raise ValueError("code 只能用小写字母、数字、- 和 _，以字母开头")
        return code

    @model_validator(mode="before")
    @classmethod
    def _name_kinds(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("kinds"), dict):
            data["kinds"] = {k: ({**v, "code": k} if isinstance(v, dict) else v) for k, v in data["kinds"].items()}
        return data

    def kind(self, code: str) -> KindSpec:
        try:
            return self.kinds[code]
        except KeyError:
            raise ExchangeError(
                ExchangeErrorCode.UNKNOWN_KIND, kind=code, source=self.name, known="、".join(self.kinds)
            ) from None


_PYDANTIC_WORDS = {
    "missing": "缺少此项",
    "extra_forbidden": "不认识的键",
    "string_type": "应为文本",
    "list_type": "应为列表",
    "dict_type": "应为映射",
    "bool_type": "应为 true 或 false",
    "too_short": "不能为空",
}


def _problem(error: dict) -> str:
    """One pydantic problem in words a data officer reads: where, what is wrong, and what was written."""
    where = ".".join(str(p) for p in error["loc"])
    kind = error["type"]
    if kind == "literal_error":
        what = f"应为以下之一：{error['ctx']['expected']}"
    else:
        what = _PYDANTIC_WORDS.get(kind, error["msg"].removeprefix("Value error, "))
    given = error.get("input")
    shown = f"（写的是“{given}”）" if isinstance(given, str | int | float) and kind != "missing" else ""
    return f"{where}：{what}{shown}"


def ref(value: Any) -> tuple[str, str | None] | None:
    """('amount', None) for '$amount', ('month', 'month_end') for '$month.month_end', None for a literal."""
    if isinstance(value, str) and (m := _REF.match(value)):
        return m[1], m[2]
    return None


def source_dirs() -> list[Path]:
    return [Path(p) for p in settings.JIUZHU_SOURCE_DIRS]


def _load_file(path: Path) -> SourceSpec:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" 第{mark.line + 1}行" if mark else ""
        raise ExchangeError(ExchangeErrorCode.SOURCE_INVALID, where=f"{path.name}{line}", problem=str(exc)) from None
    if not isinstance(data, dict):
        raise ExchangeError(ExchangeErrorCode.SOURCE_INVALID, where=path.name, problem="文件内容应为一个映射")
    kinds = data.get("kinds")
    if isinstance(kinds, dict):
        data["kinds"] = {k: _with_shared(v, path) for k, v in kinds.items()}
    try:
        return SourceSpec.model_validate({**data, "path": str(path)})
    except ValidationError as exc:
        problems = "；".join(_problem(e) for e in exc.errors())
        raise ExchangeError(ExchangeErrorCode.SOURCE_INVALID, where=path.name, problem=problems) from None


def _shared(name: str, path: Path) -> dict:
    for base in [path.parent, *source_dirs()]:
        shared = base / "shared" / f"{name}.yaml"
        if shared.exists():
            return yaml.safe_load(shared.read_text(encoding="utf-8")) or {}
    raise ExchangeError(ExchangeErrorCode.SOURCE_INVALID, where=path.name, problem=f"找不到共用定义 shared/{name}.yaml")


def _with_shared(kind: Any, path: Path) -> Any:
    """Shared definitions, so that fifteen departments do not each spell out the ID-number column:
    a kind `{use: feedback}` is shared/feedback.yaml; a field `id_number: {use: id_number}` (or the bare string
    `use`) is that entry of shared/fields.yaml. Keys written beside `use` override the shared ones."""
    if not isinstance(kind, dict):
        return kind
    if "use" in kind:
        kind = {**_shared(kind["use"], path), **{k: v for k, v in kind.items() if k != "use"}}
    fields = kind.get("fields")
    if isinstance(fields, dict):
        library = None
        resolved = {}
        for name, spec in fields.items():
            if spec == "use" or (isinstance(spec, dict) and "use" in spec):
                library = library if library is not None else _shared("fields", path)
                base_name = name if spec == "use" else spec["use"]
                if base_name not in library:
                    raise ExchangeError(
                        ExchangeErrorCode.SOURCE_INVALID,
                        where=path.name,
                        problem=f"shared/fields.yaml 中没有字段“{base_name}”",
                    )
                extra = {} if spec == "use" else {k: v for k, v in spec.items() if k != "use"}
                spec = {**library[base_name], **extra}
            resolved[name] = spec
        kind = {**kind, "fields": resolved}
    return kind


@lru_cache(maxsize=8)
def _load_all(dirs: tuple[str, ...]) -> dict[str, SourceSpec]:
    found: dict[str, SourceSpec] = {}
    for base in map(Path, dirs):
        if base.is_dir():
            for path in sorted(base.glob("*.yaml")):
                spec = _load_file(path)
                found[spec.code] = spec  # a later directory overrides a source of the same code
    return found


def all_sources() -> dict[str, SourceSpec]:
    return _load_all(tuple(str(p) for p in source_dirs()))


def get_source(code: str) -> SourceSpec:
    try:
        return all_sources()[code]
    except KeyError:
        raise ExchangeError(ExchangeErrorCode.UNKNOWN_SOURCE, source=code, known="、".join(all_sources())) from None


def reload_sources() -> None:
    _load_all.cache_clear()
