"""Reducing personal data to what a partner may see: an age band instead of a birth date, the
four digits of a postcode instead of an address.

Partners (the driehoek, RIEC, HvO Querido) need to know *that* a possible victim is a minor or
that two signals concern the same neighbourhood, not who or exactly where. Names, birth dates,
street names, house numbers and free text never reach them.
"""

from __future__ import annotations

import datetime as dt

# (lowest age, label); an age belongs to the last band whose lowest age it reaches.
AGE_BANDS: tuple[tuple[int, str], ...] = (
    (0, "0-17 (minderjarig)"),
    (18, "18-22"),
    (23, "23-29"),
    (30, "30-39"),
    (40, "40-49"),
    (50, "50-64"),
    (65, "65+"),
)
UNKNOWN_AGE = "leeftijd onbekend"


def _band(age: int) -> str:
    label = AGE_BANDS[0][1]
    for lowest, name in AGE_BANDS:
        if age >= lowest:
            label = name
    return label


def age_band(birth_date: str | None, birth_year: int | None, on: dt.date) -> str:
    """The age band on the date of the signal.

    With only a birth year the age is one of two values; when they fall in different bands both
    are named ('0-17 (minderjarig) of 18-22'), because a possibly minor victim matters.
    """
    if birth_date:
        born = dt.date.fromisoformat(birth_date[:10])
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        return _band(max(age, 0))
    if birth_year:
        oldest = max(on.year - birth_year, 0)
        youngest = max(oldest - 1, 0)
        low, high = _band(youngest), _band(oldest)
        return low if low == high else f"{low} of {high}"
    return UNKNOWN_AGE


def postcode_area(postcode: str | None) -> str:
    """'1701AB' -> '1701': the area, never the street."""
    digits = (postcode or "").strip()[:4]
    return digits if len(digits) == 4 and digits.isdigit() else ""
