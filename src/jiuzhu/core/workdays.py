"""Working days (工作日) in China, for deadlines that a rule counts in working days (e.g. 民发〔2021〕57号).

Where the calendar comes from
-----------------------------
1. The State Council's public holidays and make-up workdays (调休) come from the `chinese_calendar` package
   (`import chinese_calendar`), for the years it ships (2004–2026 in version 1.11).
2. Local overrides are data, in an optional file `calendar.yaml` in the data directory (JIUZHU_DATA_DIR,
   `settings.DATA_DIR`)::

       holidays: [2027-01-01, 2027-02-10]   # days off (a local holiday, or a year's State Council holidays)
       workdays: [2027-02-07]               # days worked although a weekend or holiday (调休上班)
       years: [2027]                        # years described completely by weekends plus the two lists above

   A day listed in `workdays` is a working day and one listed in `holidays` is not, in any year; a year the package
   knows keeps its data and only the listed days change; a year the package does not know is known only when it
   appears in `years` (then Monday–Friday are working days, except the listed holidays, plus the listed workdays).
   The file is read again whenever it changes on disk.
3. A date in a year neither the package nor `years` knows raises `CalendarError` (YEAR_UNKNOWN), telling the
   operator to add that year's holidays to calendar.yaml. It is never silently treated as weekends-only.

The deadline rule
-----------------
`add_working_days(start, n)` is the end (23:59:59 Asia/Shanghai) of the n-th working day *after* the day of
`start`; the day of `start` itself never counts, whatever the hour and whether or not it is a working day
(期间开始之日不计算在内). n = 0 is the end of the start day itself. Examples (2024):

- a request on Friday 2024-03-01, within 3 working days → Wednesday 2024-03-06 23:59:59 (Mon 4, Tue 5, Wed 6);
- a request on Sunday 2024-09-29 (a 调休 workday), within 3 working days → Wednesday 2024-10-09 23:59:59
  (Mon 30 Sept, then the National Day holiday 1–7 Oct, then Tue 8 Oct and Wed 9 Oct).

`working_days_between(a, b)` counts the working days after the day of `a` up to and including the day of `b`, so
`working_days_between(start, add_working_days(start, n)) == n`; it is negative when b is before a.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import yaml
from chinese_calendar import constants as _package_data
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.errors import JiuzhuError

CHINA = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)
CALENDAR_FILE = "calendar.yaml"
# More than a year without a working day can only be a mistake in calendar.yaml; stop instead of looping on.
_MAX_DAYS_WITHOUT_WORK = 370


class CalendarErrorCode(models.TextChoices):
    YEAR_UNKNOWN = (
        "calendar_year_unknown",
        _(
            "{year}年的法定节假日和调休安排尚未载入，无法计算工作日期限。"
            "请在 {path} 中加入{year}年的放假日期（holidays）和调休上班日期（workdays），并在 years 中写上 {year}。"
        ),
    )
    FILE_INVALID = "calendar_file_invalid", _("工作日历文件 {path} 有误：{problem}")


class CalendarError(JiuzhuError):
    pass


@dataclass(frozen=True)
class LocalCalendar:
    """The overrides of calendar.yaml (empty when there is no file)."""

    path: Path
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    years: frozenset[int] = frozenset()


_cache: dict[Path, tuple[tuple[int, int], LocalCalendar]] = {}


def calendar_path() -> Path:
    return Path(settings.DATA_DIR) / CALENDAR_FILE


def local_calendar() -> LocalCalendar:
    """calendar.yaml from the data directory, read again whenever the file changes."""
    path = calendar_path()
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return LocalCalendar(path=path)
    version = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(path)
    if cached and cached[0] == version:
        return cached[1]
    loaded = _load(path)
    _cache[path] = (version, loaded)
    return loaded


def _load(path: Path) -> LocalCalendar:
    def invalid(problem: str) -> CalendarError:
        return CalendarError(CalendarErrorCode.FILE_INVALID, path=str(path), problem=problem)

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise invalid(f"无法读取（{exc}）") from None
    if not isinstance(data, dict):
        raise invalid("应包含 holidays、workdays、years 三项")
    unknown = set(data) - {"holidays", "workdays", "years"}
    if unknown:
        raise invalid(f"不认识的项目 {', '.join(sorted(map(str, unknown)))}，只能有 holidays、workdays、years")
    holidays = _dates(data.get("holidays"), "holidays", invalid)
    workdays = _dates(data.get("workdays"), "workdays", invalid)
    both = holidays & workdays
    if both:
        raise invalid(f"{', '.join(sorted(d.isoformat() for d in both))} 同时列为放假和上班")
    years = data.get("years") or []
    if not isinstance(years, list) or not all(isinstance(y, int) and 1900 <= y <= 2200 for y in years):
        raise invalid("years 应为年份列表，如 [2027]")
    return LocalCalendar(path=path, holidays=holidays, workdays=workdays, years=frozenset(years))


def _dates(values, key: str, invalid) -> frozenset[date]:
    if values is None:
        return frozenset()
    if not isinstance(values, list):
        raise invalid(f"{key} 应为日期列表，如 [2027-01-01]")
    found = set()
    for value in values:
        if isinstance(value, datetime) or not isinstance(value, date | str):
            raise invalid(f"{key} 中的“{value}”不是日期，应写成 2027-01-01")
        try:
            found.add(value if isinstance(value, date) else date.fromisoformat(value.strip()))
        except ValueError:
            raise invalid(f"{key} 中的“{value}”不是日期，应写成 2027-01-01") from None
    return frozenset(found)


def package_years() -> range:
    """The years whose State Council holidays the installed chinese_calendar knows."""
    known = _package_data.holidays.keys()
    return range(min(known).year, max(known).year + 1)


def china_date(moment: date | datetime) -> date:
    """The calendar day in China of a date or a datetime (naive datetimes are taken as China time)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(CHINA)
        return moment.date()
    return moment


def end_of_day(day: date) -> datetime:
    """23:59:59 on that day, Asia/Shanghai, as an aware datetime."""
    return datetime.combine(day, END_OF_DAY, tzinfo=CHINA)


def is_working_day(day: date | datetime) -> bool:
    """Whether people work that day in China, with the local overrides. Raises CalendarError for unknown years."""
    day = china_date(day)
    local = local_calendar()
    if day in local.workdays:
        return True
    if day in local.holidays:
        return False
    if day.year in package_years():
        return chinese_calendar.is_workday(day)
    if day.year in local.years:
        return day.weekday() < 5
    raise CalendarError(CalendarErrorCode.YEAR_UNKNOWN, year=day.year, path=str(local.path))


def add_working_days(start: date | datetime, n: int) -> datetime:
    """The deadline "within n working days of start": the end of the n-th working day after the day of start.

    Friday 2024-03-01 (any hour), n = 3 → Wednesday 2024-03-06 23:59:59+08:00. See the module's docstring.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    day = china_date(start)
    counted, idle = 0, 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day):
            counted, idle = counted + 1, 0
        else:
            idle += 1
            if idle > _MAX_DAYS_WITHOUT_WORK:
                raise CalendarError(
                    CalendarErrorCode.FILE_INVALID,
                    path=str(local_calendar().path),
                    problem=f"{day.isoformat()} 前一年多没有一个工作日",
                )
    return end_of_day(day)


def working_days_between(a: date | datetime, b: date | datetime) -> int:
    """Working days after the day of a, up to and including the day of b (negative when b is before a)."""
    first, last = china_date(a), china_date(b)
    if last < first:
        return -working_days_between(b, a)
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
