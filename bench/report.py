"""The benchmarks' shared result table: one row a measurement, its goal and PASS/MISS, printed and as JSON."""

from __future__ import annotations

import dataclasses
import sys
import time
import unicodedata


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- The result table ------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Line:
    what: str
    size: str = ""
    figure: str = ""
    goal: str = ""
    met: bool | None = None
    value: float | None = None  # the figure as a number, for the JSON
    unit: str = ""


class Table:
    def __init__(self) -> None:
        self.lines: list[Line | str] = []

    def add(self, what: str, size: str = "", figure: str = "", goal: str = "", met: bool | None = None, **kw) -> None:
        self.lines.append(Line(what, size, figure, goal, met, **kw))

    def section(self, title: str) -> None:
        self.lines.append(title)

    def render(self) -> str:
        head = ("what", "size", "figure", "goal", "")
        rows = [head] + [
            (x.what, x.size, x.figure, x.goal, "" if x.met is None else "PASS" if x.met else "MISS")
            for x in self.lines
            if isinstance(x, Line)
        ]
        widths = [max(_width(r[i]) for r in rows) for i in range(5)]
        out = [" | ".join(_pad(c, w) for c, w in zip(head, widths, strict=True)).rstrip()]
        out.append("-+-".join("-" * w for w in widths))
        i = 1
        for line in self.lines:
            if isinstance(line, str):
                out.append(f"== {line}")
            else:
                out.append(" | ".join(_pad(c, w) for c, w in zip(rows[i], widths, strict=True)).rstrip())
                i += 1
        return "\n".join(out)

    def as_json(self) -> list[dict]:
        out, section = [], ""
        for line in self.lines:
            if isinstance(line, str):
                section = line
            else:
                out.append({"section": section, **dataclasses.asdict(line)})
        return out


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
