"""YAML that remembers where each value came from, so a bad pack is refused with its file and line."""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import yaml

from jiuzhu.policy.errors import PackError


class Located:
    file: str = ""
    line: int = 0


class Text(str, Located):
    """A string from a pack file, with the file and line it was written on."""


class Mapping(dict, Located):
    """A mapping from a pack file; `line_of(key)` is where that key was written."""

    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class Sequence(list, Located):
    pass


def _locate(obj: Located, file: str, node: yaml.Node) -> Located:
    obj.file, obj.line = file, node.start_mark.line + 1
    return obj


def _loader_for(file: str) -> type[yaml.SafeLoader]:
    class Loader(yaml.SafeLoader):
        pass

    def construct_str(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Text:
        return _locate(Text(loader.construct_scalar(node)), file, node)

    def construct_map(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Mapping:
        result = _locate(Mapping(), file, node)
        result.key_lines = {}
        merged: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor` — explicit keys win over merged ones
                value = loader.construct_object(value_node, deep=True)
                for source in value if isinstance(value, list) else [value]:
                    merged |= source
                continue
            key = loader.construct_object(key_node, deep=True)
            if key in result:
                raise PackError(f"重复的键“{key}”", file=file, line=key_node.start_mark.line + 1)
            result[key] = loader.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        for key, value in merged.items():
            if key not in result:
                result[key] = value
                result.key_lines[key] = node.start_mark.line + 1
        return result

    def construct_seq(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> Sequence:
        return _locate(Sequence(loader.construct_object(n, deep=True) for n in node.value), file, node)

    Loader.add_constructor("tag:yaml.org,2002:str", construct_str)
    Loader.add_constructor("tag:yaml.org,2002:map", construct_map)
    Loader.add_constructor("tag:yaml.org,2002:seq", construct_seq)
    return Loader


def load(path: Path, *, root: Path | None = None) -> Any:
    """Parse one pack file; a YAML syntax error becomes a PackError naming the file and line."""
    name = str(path.relative_to(root)) if root else str(path)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_loader_for(name))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise PackError(f"YAML 语法错误：{exc.problem}", file=name, line=mark.line + 1 if mark else None) from exc
    except UnicodeDecodeError as exc:
        raise PackError("文件不是 UTF-8 编码", file=name) from exc


def where(value: Any, fallback: Located | None = None) -> dict[str, Any]:
    """file= and line= of a loaded value (or of its container when the value is a number)."""
    src = value if isinstance(value, Located) else fallback
    return {"file": src.file, "line": src.line} if src is not None else {}


def line_label(mapping: Any, key: Any) -> str:
    """Where a key was written, for a clerk's message: "第N行", or the key itself when the line is not known."""
    line = mapping.line_of(key) if isinstance(mapping, Mapping) else 0
    return f"第{line}行" if line else str(key)


def load_config(path: Path, top_keys: Collection[str], invalid: Callable[[str, str, str], Exception], *,
                shape: str = "内容应为键值对") -> Mapping:  # fmt: skip
    """A locality's configuration file beside its pack.yaml (deadlines.yaml, workflows.yaml, payments.yaml …): a
    mapping of known top-level keys. A problem is raised as `invalid(file, where, problem)`, the caller's error."""
    file = f"{path.parent.name}/{path.name}"
    try:
        doc = load(path, root=path.parent.parent)
    except PackError as exc:
        raise invalid(file, f"第{exc.line}行" if exc.line else "文件", exc.problem) from None
    if not isinstance(doc, dict):
        raise invalid(file, "文件", shape)
    unknown = sorted(str(k) for k in doc if k not in top_keys)
    if unknown:
        allowed = "、".join(sorted(top_keys))
        raise invalid(file, line_label(doc, unknown[0]), f"不认识的项目 {'、'.join(unknown)}；只能有 {allowed}")
    return doc
