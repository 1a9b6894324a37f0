"""The periods reports are about: a selection of years, and an ISO week.

Both are parsed here from what the officer types, so the CLI, the services and the tests share
one set of rules and one set of Dutch error messages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from mhtool.errors import ValidationError

MIN_YEAR = 1900
MAX_YEAR = 2999
MAX_YEARS = 100

_YEAR = re.compile(r"^\d{4}$")
_YEAR_RANGE = re.compile(r"^(\d{4})\s*(?:-|–|t/m|tot en met)\s*(\d{4})$")
_WEEK = re.compile(r"^(\d{4})\s*-?\s*W\s*(\d{1,2})$", re.IGNORECASE)


def _one_year(text: str) -> int:
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(f"Jaar {year} is niet mogelijk; kies een jaar tussen 1900 en 2999.")
    return year


def parse_years(values: Iterable[str]) -> tuple[int, ...]:
    """'2022', '2023' or '2022-2023' (repeatable, mixed) -> sorted distinct years."""
    years: set[int] = set()
    for raw in values:
        if not raw.strip():
            raise ValidationError("--jaar is leeg; geef een jaar, bijvoorbeeld --jaar 2023.")
        for part in raw.split(","):
            text = part.strip()
            if not text:
                continue
            if _YEAR.match(text):
                years.add(_one_year(text))
                continue
            match = _YEAR_RANGE.match(text)
            if not match:
                raise ValidationError(
                    f"Jaar '{text}' is ongeldig; gebruik bijvoorbeeld --jaar 2023 of "
                    "--jaar 2022-2023."
                )
            first, last = _one_year(match.group(1)), _one_year(match.group(2))
            if first > last:
                raise ValidationError(
                    f"Jaarbereik '{text}' loopt achteruit; schrijf het kleinste jaar eerst "
                    f"({last}-{first})."
                )
            years.update(range(first, last + 1))
    if len(years) > MAX_YEARS:
        raise ValidationError(f"Te veel jaren gekozen ({len(years)}); het maximum is {MAX_YEARS}.")
    return tuple(sorted(years))


@dataclass(frozen=True, order=True)
class IsoWeek:
    """An ISO 8601 week (Monday to Sunday), written as 2026-W48."""

    year: int
    week: int

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 7)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    def shifted(self, weeks: int) -> IsoWeek:
        return week_of(self.monday + dt.timedelta(weeks=weeks))


def week_of(day: dt.date) -> IsoWeek:
    iso = day.isocalendar()
    return IsoWeek(iso.year, iso.week)


def weeks_in_year(year: int) -> int:
    """28 December always lies in the last ISO week of its year."""
    return dt.date(year, 12, 28).isocalendar().week


def last_complete_week(today: dt.date | None = None) -> IsoWeek:
    today = today or dt.date.today()
    return week_of(today - dt.timedelta(days=today.isoweekday()))


def parse_week(text: str | None, today: dt.date | None = None) -> IsoWeek:
    """'2026-W48' (also '2026W48', '2026-w48'); empty means the last complete week.

    A week that has not started yet is refused: there is nothing to report about it.
    """
    today = today or dt.date.today()
    if text is None:
        return last_complete_week(today)
    value = text.strip()
    if not value:
        raise ValidationError(
            "--week is leeg; geef een week zoals 2026-W48, of laat --week weg voor de vorige week."
        )
    match = _WEEK.match(value)
    if not match:
        raise ValidationError(
            f"Week '{value}' is ongeldig; schrijf een ISO-week als jjjj-Www, bijvoorbeeld "
            f"{last_complete_week(today).label}."
        )
    year, week = int(match.group(1)), int(match.group(2))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(f"Week '{value}': jaar {year} is niet mogelijk.")
    last = weeks_in_year(year)
    if not 1 <= week <= last:
        raise ValidationError(
            f"Week '{value}' bestaat niet: {year} heeft weken 1 tot en met {last}."
        )
    found = IsoWeek(year, week)
    if found.monday > today:
        raise ValidationError(
            f"Week {found.label} is nog niet begonnen; kies een week tot en met "
            f"{week_of(today).label}."
        )
    return found
