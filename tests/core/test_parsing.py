"""Dates and amounts as people write them: understood exactly, or refused with the reason — never guessed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.core.parsing import fold, fold_width, parse_amount, parse_date, parse_month


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


# --- the narrow fold: full-width ASCII and U+3000 only --------------------------------------------------------


def test_the_fold_is_narrow():
    assert fold_width("ＡＢｃ１２３，．\u3000") == "ABc123,. "
    assert fold(" \u3000１２００元\t") == "1200元"
    for kept in ["①", "²", "㎡", "Ⅲ", "٣", "〇", "ｶ"]:  # NFKC would turn these into guesses
        assert fold(kept) == kept


@pytest.mark.parametrize("text", ["2024-03-①", "2024-0²-05", "٢٠٢٤-٠٣-٠٥", "2024-03-05x", "2024-03-05\n1"])
def test_a_date_with_characters_that_only_look_like_digits_is_refused(text):
    with pytest.raises(ValueError, match="无法识别的日期"):
        parse_date(text)


@pytest.mark.parametrize("text", ["①200", "1²00", "١٢٠٠", "12㎡"])
def test_an_amount_with_characters_that_only_look_like_digits_is_refused(text):
    with pytest.raises(ValueError, match="无法识别的金额"):
        parse_amount(text)


# --- months ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["2024-03", "2024-3", "2024/03", "2024.03", "2024年3月", "202403", "２０２４年３月", "2024-03-01", "2024年3月1日"],
)
def test_the_ways_a_month_is_written(text):
    assert parse_month(text) == date(2024, 3, 1)


def test_a_month_given_as_a_date_object():
    assert parse_month(date(2024, 3, 1)) == date(2024, 3, 1)
    with pytest.raises(ValueError, match="写了具体日期"):
        parse_month(date(2024, 3, 15))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024-03-15", "月份“2024-03-15”写了具体日期，应只写年月，如 2024-03（写成该月1日也可以）"),
        ("2024-13", "月份“2024-13”不存在"),
        ("0000-01", "月份“0000-01”不存在"),
        ("2023年2月29日", "日期“2023年2月29日”不存在"),
        ("三月", "无法识别的月份“三月”，应写成 2024-03 或 2024年3月"),
        ("2024-①", "无法识别的月份“2024-①”，应写成 2024-03 或 2024年3月"),
        ("", "无法识别的月份“”，应写成 2024-03 或 2024年3月"),
    ],
)
def test_a_month_that_is_not_exactly_one_is_refused(text, message):
    with pytest.raises(ValueError) as caught:
        parse_month(text)
    assert str(caught.value) == message


# --- amounts: the column's unit, exact to the fen, the sign ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit", "amount"),
    [
        ("1.2", "万元", Decimal("12000")),
        ("1.2万元", "万元", Decimal("12000")),
        ("800元", "万元", Decimal("800")),
        ("1.234567万", "元", Decimal("12345.67")),
        ("1.230", "元", Decimal("1.23")),
        ("1 200", "元", Decimal("1200")),
        ("9999999999999999.99", "元", Decimal("9999999999999999.99")),
    ],
)
def test_an_amount_in_the_columns_unit(text, unit, amount):
    assert parse_amount(text, unit=unit) == amount


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1.234", "金额“1.234”精确到分以下，无法确认"),
        ("0.0000001万", "金额“0.0000001万”精确到分以下，无法确认"),
        ("-5", "金额不能为负数：-5"),
        ("10000000000000000", "金额“10000000000000000”过大，超出可记录的范围"),
        ("1000000000000万元", "金额“1000000000000万元”过大，超出可记录的范围"),
        ("1" * 40 + ".001", "金额“" + "1" * 40 + ".001”精确到分以下，无法确认"),
    ],
)
def test_an_amount_that_is_not_exact_to_the_fen_negative_or_too_large_is_refused(text, message):
    with pytest.raises(ValueError) as caught:
        parse_amount(text)
    assert str(caught.value) == message


def test_a_negative_amount_when_the_caller_allows_it():
    assert parse_amount("-5", allow_negative=True) == Decimal("-5")
    assert parse_amount("-0") == 0  # minus zero is not negative


def test_python_numbers_are_scaled_and_held_to_the_fen_but_their_sign_is_the_callers():
    assert parse_amount(1.2, unit="万元") == Decimal("12000")
    assert parse_amount(-100) == Decimal("-100")  # policy.facts refuses it with its own message
    for bad in [Decimal("0.001"), 0.1 + 0.2, float("nan"), Decimal("Infinity"), 10**16]:
        with pytest.raises(ValueError):
            parse_amount(bad)


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="万元"):
        parse_amount("1", unit="万")


def test_a_plain_number_is_read_exactly_for_parameters_like_ratios():
    from jiuzhu.core.parsing import parse_number

    assert parse_number("0.125") == Decimal("0.125") and parse_number("-3") == -3
    assert parse_number("１２,０００") == 12000
    with pytest.raises(ValueError):
        parse_number("1.2万")
