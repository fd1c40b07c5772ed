"""Dates and amounts as people write them: understood exactly, or refused with the reason — never guessed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.core.parsing import parse_amount, parse_date


@pytest.mark.parametrize(
    "text", ["2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", "20240305", "２０２４年３月５日", " 2024-3-5 "]
)
def test_the_ways_a_date_is_written(text):
    assert parse_date(text) == date(2024, 3, 5)


@pytest.mark.parametrize("text", ["2024-02-30", "2024年13月1日", "5/3/2024", "三月五日", "2024-03", ""])
def test_a_date_that_does_not_exist_or_cannot_be_read_is_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1200", Decimal("1200")),
        ("1200元", Decimal("1200")),
        ("1.2万", Decimal("12000")),
        ("1.2万元", Decimal("12000")),
        ("12,000", Decimal("12000")),
        ("1,234,567.89元", Decimal("1234567.89")),
        ("１２００", Decimal("1200")),
        (735, Decimal("735")),
        (0.1, Decimal("0.1")),
    ],
)
def test_the_ways_an_amount_is_written(text, amount):
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["1,2", "12,00", "1.2.3", "abc", "1200美元", "万元", True, None])
def test_an_amount_that_cannot_be_read_exactly_is_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text)
