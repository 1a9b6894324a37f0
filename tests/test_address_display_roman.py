"""A floor written in Roman numerals ('14-II', '3-III') keeps its hyphen and capitals: search
reads it as 14-2, and '14 ii' is not how anyone writes a Dutch address."""

from __future__ import annotations

import pytest

from mhtool.domain.normalise import house_number_display, split_house_number


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("14-II", "14-II"),
        ("14 iii", "14-III"),
        ("3-IV", "3-IV"),
        ("14 hs", "14 hs"),
        ("12v", "12v"),
    ],
)
def test_roman_floor_numbers_keep_their_form(typed: str, shown: str) -> None:
    assert house_number_display(*split_house_number(typed)) == shown
