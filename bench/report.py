"""The benchmarks' shared result table (one row a measurement, its goal and PASS/MISS, printed and as JSON), and what
the rest of the machine was doing meanwhile."""

from __future__ import annotations

import dataclasses
import os
import sys
import time
import unicodedata
from pathlib import Path


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


# --- What else the machine was doing -----------------------------------------------------------------------------


class Usage:
    """Wall time, this process's CPU time (all its threads) and the share of the machine's cores the rest of the
    machine kept busy meanwhile (from /proc/stat): on a shared machine, how far a figure is from what the code can do.
    """

    def __init__(self) -> None:
        self.wall, self.cpu, self.machine = time.perf_counter(), time.process_time(), machine_busy()

    def done(self) -> dict[str, float]:
        wall = time.perf_counter() - self.wall
        cpu = time.process_time() - self.cpu
        busy = machine_busy() - self.machine
        others = max(busy - cpu, 0.0) / (wall * (os.cpu_count() or 1)) if wall > 0 and busy >= 0 else 0.0
        return {"wall": wall, "cpu": cpu, "others": others}


def machine_busy() -> float:
    """Seconds of CPU the whole machine spent busy since boot (all cores), or -inf where /proc/stat is missing."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return float("-inf")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")
