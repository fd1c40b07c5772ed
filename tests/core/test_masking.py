"""Masking of ID numbers and phone numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.core.masking import mask_id_number, mask_phone


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("530102199001011234", "530102********1234"),
        ("11010519491231002X", "110105********002X"),
        ("110105491231002", "110105*****1002"),
        ("  11010519491231002X ", "110105********002X"),
        ("12345", "***45"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(number: str | None, masked: str) -> None:
    # given a stored ID value, when it is masked, then only the region and the last four remain
    assert mask_id_number(number) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("0871-65123456", "0871-****3456"),
        ("087165123456", "0871-****3456"),
        ("010-12345678", "010-****5678"),
        ("(020)8765432", "020-***5432"),
        ("12345", "***45"),
        ("95", "**"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(phone: str | None, masked: str) -> None:
    # given a phone value, when it is masked, then the middle digits are hidden
    assert mask_phone(phone) == masked


@given(st.text(max_size=30))
def test_masking_never_reveals_more_than_ten_characters(value: str) -> None:
    # given any text, when masked, then at most 10 of its characters are left unmasked
    for masked in (mask_id_number(value), mask_phone(value)):
        assert len(masked) - masked.count("*") <= 10


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_any_mobile_keeps_prefix_and_last_four(mobile: str) -> None:
    # given any 11-digit mobile number, when masked, then the 4 middle digits are hidden
    assert mask_phone(mobile) == mobile[:3] + "****" + mobile[-4:]
