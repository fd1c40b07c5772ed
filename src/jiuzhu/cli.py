"""The `jiuzhu` command: Django's management commands with jiuzhu's settings, plus jiuzhu's own
(`jiuzhu demo`, `jiuzhu synth`, `jiuzhu audit verify`, …), each thin over the services."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jiuzhu", *sys.argv[1:]])


if __name__ == "__main__":
    main()
