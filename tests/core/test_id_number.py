"""Chinese resident ID numbers: normalisation, validation, parsing and generation."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.core.id_number import (
    IdNumber,
    IdNumberError,
    IdNumberErrorCode,
    check_digit,
    is_valid_id_number,
    make_id_number,
    normalize_id_number,
    parse_id_number,
)

AS_OF = date(2026, 1, 1)
EXCEL_TEXT = "身份证号疑似被 Excel 转换为数字"
# A sample of codes from the GB/T 2260 table, current and historical, county, city and province level.
REGION_CODES = [
    "110105",  # 北京市朝阳区
    "110103",  # 崇文区, abolished 2010
    "110104",  # 宣武区, abolished 2010
    "120110",  # 东丽区 (东郊区 until 1991)
    "310101",  # 上海市黄浦区
    "440524",  # 潮阳县, the standard's own example
    "450103",  # 新城区 / 青秀区
    "530102",  # 昆明市五华区
    "530103",  # 昆明市盘龙区, from 1983
    "650102",  # 乌鲁木齐市天山区
    "530100",  # 昆明市 (city level)
    "530000",  # 云南省 (province level)
]


def refused(raw: object, *, as_of: date = AS_OF) -> IdNumberError:
    with pytest.raises(IdNumberError) as caught:
        normalize_id_number(raw, as_of=as_of)  # type: ignore[arg-type]
    return caught.value


def with_birth(yyyymmdd: str, region: str = "110105") -> str:
    body = f"{region}{yyyymmdd}002"
    return body + check_digit(body)


# --- known values ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_known_good_numbers_are_valid(number: str) -> None:
    # given the worked examples of GB 11643, when validated, then they are accepted unchanged
    assert is_valid_id_number(number)
    assert normalize_id_number(number) == number


def test_parse_returns_birth_date_sex_and_region() -> None:
    # given a valid number, when parsed, then its parts are decoded
    parsed = parse_id_number("11010519491231002X")
    assert parsed == IdNumber(
        number="11010519491231002X",
        birth_date=date(1949, 12, 31),
        sex="F",
        region_code="110105",
        region_name="北京市朝阳区",
        upgraded_from_15=False,
    )
    assert parse_id_number("440524188001010014").sex == "M"


def test_fifteen_digit_number_is_upgraded() -> None:
    # given a legacy 15-digit number, when normalised, then "19" is inserted and a check digit appended
    assert normalize_id_number("110105491231002") == "11010519491231002X"
    assert parse_id_number("110105491231002").upgraded_from_15


@pytest.mark.parametrize(
    "raw",
    [
        "１１０１０５１９４９１２３１００２ｘ",
        "11010519491231002x",
        " 110105 19491231 002X\t",
        "\u3000110105-19491231-002X\u00a0",
        "\ufeff11010519491231002X\u200b",
        "'11010519491231002X",
    ],
)
def test_full_width_lowercase_and_separators_are_folded(raw: str) -> None:
    # given a number typed with full-width characters, a lower-case x or separators, when normalised,
    # then the canonical form comes out
    assert normalize_id_number(raw) == "11010519491231002X"


def test_check_digit_computation() -> None:
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052418800101001") == "4"
    with pytest.raises(ValueError):
        check_digit("123")


# --- precise refusals --------------------------------------------------------------------------------------


def test_wrong_check_digit_names_the_expected_one() -> None:
    # given a number whose last digit is wrong, when normalised, then the expected digit is in the message
    error = refused("110105194912310021")
    assert error.code == IdNumberErrorCode.CHECK_DIGIT
    assert error.params == {"expected": "X", "actual": "1"}
    assert "应为X" in str(error) and "实际为1" in str(error)


def test_impossible_birth_date() -> None:
    # given 30 February, when normalised, then the birth date is reported as non-existent
    error = refused(with_birth("19990230"))
    assert error.code == IdNumberErrorCode.BIRTH_DATE
    assert "1999-02-30" in str(error)


def test_birth_date_in_the_future() -> None:
    # given a birth date after the reference day, when normalised as of that day, then it is refused
    error = refused(with_birth("20260102"), as_of=date(2026, 1, 1))
    assert error.code == IdNumberErrorCode.BIRTH_DATE_FUTURE
    assert normalize_id_number(with_birth("20260101"), as_of=date(2026, 1, 1)) == with_birth("20260101")


def test_birth_date_too_early() -> None:
    # given a birth year no living person can have, when normalised, then it is refused
    assert refused(with_birth("17991231")).code == IdNumberErrorCode.BIRTH_DATE_TOO_EARLY


def test_unknown_region() -> None:
    # given an address code absent from GB/T 2260, when normalised, then the region is reported
    error = refused(make_id_number("990101", date(1980, 5, 6), 123))
    assert error.code == IdNumberErrorCode.REGION
    assert "990101" in str(error)


@pytest.mark.parametrize(
    "raw",
    [
        "1.10105E+17",
        "1.10105e+17",
        "5.30102199001011E+17",
        "530102199001011000.0",
        "11010519491231002.0",
        1.10105194912310e17,
        440524188001010014.0,
        "110105194912310000",
        110105194912310000,
        1101051949123100,
    ],
)
def test_excel_mangled_values_are_refused(raw: object) -> None:
    # given a value Excel has turned into a number, when normalised, then it is refused rather than guessed
    error = refused(raw)
    assert error.code == IdNumberErrorCode.EXCEL_MANGLED
    assert EXCEL_TEXT in str(error)


def test_full_precision_int_is_accepted() -> None:
    # given an int that holds all 18 digits and checks out, when normalised, then it is accepted
    assert normalize_id_number(440524188001010014) == "440524188001010014"


@pytest.mark.parametrize("raw", ["11010519491231002", "11010519491231002X1", "1101051949123"])
def test_wrong_length(raw: str) -> None:
    error = refused(raw)
    assert error.code == IdNumberErrorCode.WRONG_LENGTH
    assert f"实际为{len(raw)}位" in str(error)


@pytest.mark.parametrize(
    ("raw", "chars"),
    [
        ("11010519491231002A", "A"),
        ("1101051949123100ab", "ab"),
        ("110105X9491231002X", "X"),
        ("11010549123100X", "X"),
    ],
)
def test_bad_characters(raw: str, chars: str) -> None:
    error = refused(raw)
    assert error.code == IdNumberErrorCode.BAD_CHARACTERS
    assert error.params == {"chars": chars}


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000", "-"])
def test_empty(raw: str | None) -> None:
    assert refused(raw).code == IdNumberErrorCode.EMPTY


def test_other_types_are_a_programming_error() -> None:
    with pytest.raises(TypeError):
        normalize_id_number(True)  # type: ignore[arg-type]


def test_abolished_region_code_is_accepted() -> None:
    # given 110103 (崇文区, merged away in 2010), when parsed, then it is still a valid address code
    parsed = parse_id_number(make_id_number("110103", date(1975, 3, 4), 17))
    assert parsed.region_name == "北京市崇文区"


def test_region_code_newer_than_the_birth_is_accepted() -> None:
    # given someone born in 1950 whose card was issued in 盘龙区 (code from 1983), when parsed, then accepted
    parsed = parse_id_number(make_id_number("530103", date(1950, 6, 1), 41))
    assert parsed.region_name == "云南省昆明市盘龙区"
    assert parsed.birth_date == date(1950, 6, 1)


def test_make_id_number_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        make_id_number("11010", date(1990, 1, 1), 1)
    with pytest.raises(ValueError):
        make_id_number("110105", date(1990, 1, 1), 1000)


# --- properties --------------------------------------------------------------------------------------------

regions = st.sampled_from(REGION_CODES)
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))
sequences = st.integers(min_value=0, max_value=999)
valid_numbers = st.builds(make_id_number, regions, birth_dates, sequences)


@given(regions, birth_dates, sequences)
def test_make_then_parse_round_trips(region: str, born: date, sequence: int) -> None:
    # given any region, birth date and sequence, when a number is made and parsed, then they come back
    parsed = parse_id_number(make_id_number(region, born, sequence), as_of=AS_OF)
    assert parsed.region_code == region
    assert parsed.birth_date == born
    assert parsed.sex == ("M" if sequence % 2 else "F")
    assert not parsed.upgraded_from_15


@given(valid_numbers)
def test_normalise_is_idempotent(number: str) -> None:
    once = normalize_id_number(number, as_of=AS_OF)
    assert normalize_id_number(once, as_of=AS_OF) == once == number


@given(valid_numbers, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_single_digit_substitution_is_detected(number: str, position: int, shift: int) -> None:
    # given a valid number, when exactly one of its first 17 digits is changed and the check digit kept,
    # then it is refused by the check digit (or as Excel damage when it happens to end in 000)
    digit = str((int(number[position]) + shift) % 10)
    mutated = number[:position] + digit + number[position + 1 :]
    error = refused(mutated)
    assert error.code in (IdNumberErrorCode.CHECK_DIGIT, IdNumberErrorCode.EXCEL_MANGLED)
    assert not is_valid_id_number(mutated)


_FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789Xx"}


@given(valid_numbers, st.data())
def test_typing_variants_normalise_to_the_same_value(number: str, data: st.DataObject) -> None:
    # given a valid number, when typed with random full-width characters, lower-case x and spaces,
    # then it normalises to the same canonical value
    chars = []
    for c in number:
        if c == "X" and data.draw(st.booleans()):
            c = "x"
        if data.draw(st.booleans()):
            c = _FULL_WIDTH[c]
        chars.append(c + data.draw(st.sampled_from(["", "", " ", "\u3000", "-", "\t", "\u00a0"])))
    variant = data.draw(st.sampled_from(["", " ", "\u3000"])) + "".join(chars)
    assert normalize_id_number(variant, as_of=AS_OF) == number


@given(regions, st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), sequences)
def test_fifteen_digit_form_upgrades_to_eighteen(region: str, born: date, sequence: int) -> None:
    # given a 19xx number, when its legacy 15-digit form is normalised, then the 18-digit number comes back
    number = make_id_number(region, born, sequence)
    legacy = number[:6] + number[8:17]
    parsed = parse_id_number(legacy, as_of=AS_OF)
    assert parsed.number == number
    assert parsed.upgraded_from_15


@pytest.mark.parametrize(
    ("raw", "chars"),
    [
        ("①1010519491231002X", "①"),
        ("1101051949123100②X", "②"),
        ("11010519491231002²", "²"),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "١٠٥٩٤٢٣"),
        ("110105〇9491231002X", "〇"),
    ],
)
def test_characters_that_only_look_like_digits_are_refused(raw: str, chars: str) -> None:
    # given '①', '²', Arabic-Indic or Chinese numerals, when normalised, then they are named, never read as digits
    error = refused(raw)
    assert error.code == IdNumberErrorCode.BAD_CHARACTERS
    assert error.params == {"chars": chars}


def test_a_decimal_point_among_look_alike_digits_is_not_taken_for_excel() -> None:
    # the Excel check reads ASCII digits only: '١.٢' is stray characters, not a number Excel made
    assert refused("١.٢").code == IdNumberErrorCode.BAD_CHARACTERS
