"""The `jiuzhu` command: Django's management commands with jiuzhu's settings, plus jiuzhu's own
(`jiuzhu demo`, `jiuzhu synth`, `jiuzhu audit verify`, …), each thin over the services."""

from __future__ import annotations

import os
import sys


def _route(args: list[str]) -> list[str]:
    """`jiuzhu check FILE.json --locality …` is the eligibility check; a plain `jiuzhu check` stays Django's."""
    if args[:1] == ["check"] and any(
        a.endswith(".json") or a == "-" or a.startswith(("--locality", "--as-of")) for a in args[1:]
    ):
        return ["eligibility", *args[1:]]
    return args


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jiuzhu", *_route(sys.argv[1:])])


if __name__ == "__main__":
    main()
