"""Review schedules by colour (R2.5, R4.3): work orders opened on the right dates through a year, once per period,
owned by the household's community; a closed review moves the next due date."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from jiuzhu.reviews import services
from jiuzhu.reviews.models import ReviewRecord, ReviewSchedule
from jiuzhu.reviews.scheduling import add_months, review_orders_open
from tests.reviews.conftest import ADULT, REAL_WORK_ORDERS, china, family


def kinds_by_household(orders) -> dict[int, Counter]:
    found: dict[int, Counter] = {}
    for order in orders.all():
        record = ReviewRecord.objects.get(pk=order.origin_id)
        found.setdefault(record.household_id, Counter())[record.kind] += 1
    return found


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 7, 15), 6) == date(2026, 1, 15)
    assert add_months(date(2025, 12, 1), 12) == date(2026, 12, 1)


def test_a_year_of_reviews_by_colour(chengbei, street_officer_a, units, orders, time_machine):
    # given a red, a yellow and a green household of 城北区, on 低保/特困 since 2024, and one 低保 household that
    # fits no colour (steady work), all in grid A
    grid = units["grid_a"]
    red = family(street_officer_a, grid, [{"born": date(1950, 1, 1), "labor_capacity": "none"}], programmes=("tekun",))
    yellow = family(street_officer_a, grid, [ADULT, {"born": date(2015, 3, 1)}])
    green = family(street_officer_a, grid, [ADULT, {**ADULT, "born": date(1990, 2, 2)}])
    plain = family(street_officer_a, grid, [{**ADULT, "employment": "employed"}])
    # when the night runs every day of 2025 and the community closes each review the day it arrives
    day = date(2025, 1, 1)
    opened_on: dict[int, list[tuple[str, date]]] = {}
    while day <= date(2025, 12, 31):
        time_machine.move_to(china(f"{day.isoformat()} 02:30"))
        services.reviews_run(today=day)
        time_machine.move_to(china(f"{day.isoformat()} 16:00"))
        for order in orders.open():
            record = ReviewRecord.objects.get(pk=order.origin_id)
            opened_on.setdefault(record.household_id, []).append((record.kind, day))
            orders.close(order)
        day += timedelta(days=1)
    # then each household had exactly what 城北政办〔2022〕18号 asks for, once per period
    counts = kinds_by_household(orders)
    assert counts[red.pk] == Counter({"review": 1})
    assert counts[yellow.pk] == Counter({"review": 1, "economic_check": 2})
    assert counts[green.pk] == Counter({"review": 2, "economic_check": 2, "living_check": 12})
    # and every recipient is reviewed at least once a year, coloured or not
    assert counts[plain.pk] == Counter({"review": 1})
    # on the right dates: the first on 1 January (overdue since the household came onto the rolls), then every
    # period after the day the last one was done
    assert [d for k, d in opened_on[yellow.pk] if k == "economic_check"] == [date(2025, 1, 1), date(2025, 7, 1)]
    assert [d for k, d in opened_on[green.pk] if k == "living_check"] == [date(2025, m, 1) for m in range(1, 13)]
    assert [d for k, d in opened_on[green.pk] if k == "review"] == [date(2025, 1, 1), date(2025, 7, 1)]
    # and the next ones are already scheduled
    schedule = ReviewSchedule.objects.get(household=green, kind="living_check")
    assert (schedule.last_done_on, schedule.next_due_on) == (date(2025, 12, 1), date(2026, 1, 1))


def test_opening_reviews_twice_opens_nothing_new(chengbei, street_officer_a, units, orders, time_machine):
    green = family(street_officer_a, units["grid_a"], [ADULT, {**ADULT, "born": date(1990, 2, 2)}])
    services.reviews_run()
    first = len(orders.all())
    assert first == 3  # review, economic check, living check: all due now
    # when the night's job runs again (the same day, and again the next day before anyone closed anything)
    services.reviews_run()
    review_orders_open()
    time_machine.move_to(china("2025-01-07 02:30"))
    services.reviews_run()
    # then nothing new is opened
    assert len(orders.all()) == first
    assert ReviewRecord.objects.filter(household=green).count() == 3


def test_review_orders_go_to_the_households_community(chengbei, street_officer_a, units, orders):
    family(street_officer_a, units["grid_a"], [{"born": date(1950, 1, 1)}], programmes=("tekun",))
    services.reviews_run()
    (order,) = orders.all()
    assert order.owner_unit == units["community_a"]
    assert order.origin == "review"
    assert "动态复核" in order.title and "红色" in order.title
    assert "城北政办〔2022〕18号" in order.description or "每年" in order.description


@pytest.mark.skipif(not REAL_WORK_ORDERS, reason="the workorders app is not installed yet")
def test_the_deadline_comes_from_the_work_order_rules(chengbei, street_officer_a, units, orders):
    from jiuzhu.workorders.deadlines import rule_for

    family(street_officer_a, units["grid_a"], [{"born": date(1950, 1, 1)}], programmes=("tekun",))
    services.reviews_run()
    (order,) = orders.all()
    assert order.due_at == rule_for("review", locality="630105-chengbei", variant="red").due(order.opened_at)


def test_a_closed_review_moves_the_next_due_date(chengbei, street_officer_a, units, orders, time_machine):
    # given a yellow household whose economic check was opened on 6 January 2025
    yellow = family(street_officer_a, units["grid_a"], [ADULT, {"born": date(1950, 1, 1)}])
    services.reviews_run()
    check = next(o for o in orders.open() if ReviewRecord.objects.get(pk=o.origin_id).kind == "economic_check")
    # when the community closes it late, on 20 February
    time_machine.move_to(china("2025-02-20 15:00"))
    orders.close(check)
    time_machine.move_to(china("2025-02-21 02:30"))
    services.reviews_run()
    # then the check counts as done on 20 February and the next is due six months after that day
    record = ReviewRecord.objects.get(pk=check.origin_id)
    assert (record.status, record.done_on, record.done_via) == ("done", date(2025, 2, 20), "work_order")
    schedule = ReviewSchedule.objects.get(household=yellow, kind="economic_check")
    assert schedule.next_due_on == date(2025, 8, 20)
    # and no new economic check opens before then
    time_machine.move_to(china("2025-08-19 02:30"))
    services.reviews_run()
    assert ReviewRecord.objects.filter(household=yellow, kind="economic_check").count() == 1
    time_machine.move_to(china("2025-08-20 02:30"))
    services.reviews_run()
    assert ReviewRecord.objects.filter(household=yellow, kind="economic_check").count() == 2


def test_a_household_turning_green_gets_monthly_checks(chengbei, street_officer_a, units, orders, time_machine):
    from jiuzhu.registry import services as registry

    # given a yellow household (a member over 60) reviewed on 6 January
    household = family(street_officer_a, units["grid_a"], [ADULT, {**ADULT, "born": date(1960, 1, 1)}])
    services.reviews_run()
    for order in orders.open():
        orders.close(order)
    assert not ReviewSchedule.objects.filter(household=household, kind="living_check").exists()
    # when the elderly member leaves the household and the night classifies again
    time_machine.move_to(china("2025-03-01 10:00"))
    elder = household.current_memberships().exclude(relation="head").get()
    registry.membership_end(actor=street_officer_a, membership=elder, left_on=date(2025, 3, 1), reason="迁出")
    time_machine.move_to(china("2025-03-02 02:30"))
    services.reviews_run()
    # then it is green: a monthly living check is scheduled and opened, reviews every 6 months from the last one
    household.refresh_from_db()
    assert household.color_class == "green"
    assert ReviewRecord.objects.filter(household=household, kind="living_check", due_on=date(2025, 3, 2)).exists()
    review = ReviewSchedule.objects.get(household=household, kind="review")
    assert (review.every_months, review.next_due_on) == (6, date(2025, 7, 6))
