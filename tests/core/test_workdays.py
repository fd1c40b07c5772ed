"""Working-day deadlines: the State Council calendar from chinese_calendar, local overrides from calendar.yaml."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from jiuzhu.core.workdays import (
    CalendarError,
    CalendarErrorCode,
    add_working_days,
    is_working_day,
    package_years,
    working_days_between,
)

CHINA = ZoneInfo("Asia/Shanghai")


def aware(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """Every test gets its own data directory, so a calendar.yaml on this machine never leaks in."""
    settings.DATA_DIR = tmp_path
    return tmp_path


def write_calendar(data_dir, text: str) -> None:
    (data_dir / "calendar.yaml").write_text(text, encoding="utf-8")


def test_three_working_days_from_a_friday_skip_the_weekend():
    # given a request on Friday 2024-03-01 in the afternoon
    start = aware("2024-03-01 15:20:00+08:00")
    # then the limit is the end of Wednesday: Mon 4, Tue 5, Wed 6 (the start day never counts)
    assert add_working_days(start, 3) == aware("2024-03-06 23:59:59+08:00")


def test_the_start_day_is_the_day_in_china_not_in_utc():
    # 2024-03-01 17:00 UTC is already Saturday 2 March 01:00 in China: Mon 4, Tue 5, Wed 6 all the same
    assert add_working_days(aware("2024-03-01 17:00:00+00:00"), 3) == aware("2024-03-06 23:59:59+08:00")
    # but Thursday 23:30 in China counts from Thursday: Fri 1, Mon 4, Tue 5
    assert add_working_days(aware("2024-02-29 23:30:00+08:00"), 3) == aware("2024-03-05 23:59:59+08:00")


def test_national_day_week_is_skipped(time_machine):
    # given "now" is Monday 30 September 2024, the last working day before the National Day holiday
    time_machine.move_to(aware("2024-09-30 10:00:00+08:00"))
    # when a 3-working-day limit starts now, then 1–7 October do not count: Tue 8 (1), Wed 9 (2), Thu 10 (3)
    assert add_working_days(timezone.now(), 3) == aware("2024-10-10 23:59:59+08:00")
    assert not any(is_working_day(date(2024, 10, d)) for d in range(1, 8))


def test_a_make_up_saturday_is_a_working_day():
    # Saturday 12 October 2024 was worked in exchange for the National Day holiday (调休)
    assert date(2024, 10, 12).weekday() == 5 and is_working_day(date(2024, 10, 12))
    # so from Friday 11 October, the first working day after is that Saturday
    assert add_working_days(aware("2024-10-11 09:00:00+08:00"), 1) == aware("2024-10-12 23:59:59+08:00")
    # and a make-up Sunday before the holiday (29 September 2024) counts too
    assert add_working_days(aware("2024-09-28 09:00:00+08:00"), 1) == aware("2024-09-29 23:59:59+08:00")


def test_zero_working_days_is_the_end_of_the_same_day():
    assert add_working_days(aware("2024-03-02 08:00:00+08:00"), 0) == aware("2024-03-02 23:59:59+08:00")
    with pytest.raises(ValueError):
        add_working_days(aware("2024-03-02 08:00:00+08:00"), -1)


def test_working_days_between_is_the_inverse_of_adding():
    start = aware("2024-09-27 11:00:00+08:00")
    for n in range(0, 15):
        assert working_days_between(start, add_working_days(start, n)) == n
    assert working_days_between(date(2024, 10, 9), date(2024, 9, 30)) == -2
    assert working_days_between(date(2024, 10, 1), date(2024, 10, 7)) == 0


def test_a_year_beyond_the_package_is_refused_with_a_clear_message(time_machine):
    # given a year the installed calendar does not know and no calendar.yaml
    beyond = package_years().stop
    time_machine.move_to(datetime(beyond, 3, 1, 10, 0, tzinfo=CHINA))
    # when a deadline is computed from now, then the operator is told what to add, and where
    with pytest.raises(CalendarError) as caught:
        add_working_days(timezone.now(), 3)
    assert caught.value.code == CalendarErrorCode.YEAR_UNKNOWN
    assert f"{beyond}年" in caught.value.message and "calendar.yaml" in caught.value.message


def test_a_deadline_that_runs_into_an_unknown_year_is_refused_too():
    last = package_years()[-1]
    with pytest.raises(CalendarError):
        add_working_days(datetime(last, 12, 30, 10, 0, tzinfo=CHINA), 5)


def test_calendar_yaml_declares_a_new_year(data_dir, time_machine):
    # given the operator has added next year's holidays and make-up days and declared the year
    beyond = package_years().stop
    write_calendar(
        data_dir,
        f"holidays: [{beyond}-01-01, {beyond}-01-04]\nworkdays: [{beyond}-01-09]\nyears: [{beyond}]\n",
    )
    # then that year counts weekends, the listed holidays and the listed make-up days
    assert not is_working_day(date(beyond, 1, 1))
    assert not is_working_day(date(beyond, 1, 4))
    assert is_working_day(date(beyond, 1, 9))
    monday = next(date(beyond, 3, d) for d in range(1, 8) if date(beyond, 3, d).weekday() == 0)
    assert is_working_day(monday) and not is_working_day(monday.replace(day=monday.day + 5))


def test_holidays_listed_without_declaring_the_year_do_not_make_it_known(data_dir):
    beyond = package_years().stop
    write_calendar(data_dir, f"holidays: [{beyond}-01-01]\n")
    assert not is_working_day(date(beyond, 1, 1))  # the listed day itself is known
    with pytest.raises(CalendarError):
        is_working_day(date(beyond, 1, 5))


def test_a_local_holiday_and_a_local_workday_override_the_package(data_dir):
    # given a local day off on Tuesday 2024-03-05 and a worked Saturday 2024-03-09
    write_calendar(data_dir, "holidays: ['2024-03-05']\nworkdays: [2024-03-09]\n")
    assert not is_working_day(date(2024, 3, 5)) and is_working_day(date(2024, 3, 9))
    # then from Friday 1 March: Mon 4 (1), Wed 6 (2), Thu 7 (3)
    assert add_working_days(aware("2024-03-01 15:00:00+08:00"), 3) == aware("2024-03-07 23:59:59+08:00")


def test_the_file_is_read_again_when_it_changes(data_dir):
    assert is_working_day(date(2024, 3, 5))
    write_calendar(data_dir, "holidays: [2024-03-05]\n")
    assert not is_working_day(date(2024, 3, 5))


@pytest.mark.parametrize(
    "text",
    [
        "holidays: 2024-03-05\n",
        "holidays: [not-a-date]\n",
        "holidays: [2024-03-05]\nworkdays: [2024-03-05]\n",
        "years: [twenty]\n",
        "weekends: [6]\n",
        "- 2024-03-05\n",
    ],
)
def test_a_broken_calendar_file_is_reported_not_ignored(data_dir, text):
    write_calendar(data_dir, text)
    with pytest.raises(CalendarError) as caught:
        is_working_day(date(2024, 3, 6))
    assert caught.value.code == CalendarErrorCode.FILE_INVALID and "calendar.yaml" in caught.value.message
