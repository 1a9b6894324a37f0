"""Parsing the date formats a Dutch civil servant types.

Dates are stored as ISO strings (YYYY-MM-DD) so they sort and compare as text in SQLite.
"""

from __future__ import annotations

import datetime as dt
import re

from mhtool.errors import ValidationError

_DUTCH = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")


def parse_date(text: str, what: str, today: dt.date | None = None) -> dt.date:
    """Accept dd-mm-jjjj (also with / or .), jjjj-mm-dd, 'vandaag' and 'gisteren'."""
    today = today or dt.date.today()
    value = text.strip().lower()
    if not value:
        raise ValidationError(f"{what} is leeg; gebruik dd-mm-jjjj of laat de optie weg.")
    if value in ("vandaag", "nu"):
        return today
    if value == "gisteren":
        return today - dt.timedelta(days=1)
    match = _DUTCH.match(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _ISO.match(value)
        if not match:
            raise ValidationError(
                f"{what}: '{text.strip()}' is geen datum; gebruik dd-mm-jjjj, bijvoorbeeld 03-11-2026."
            )
        year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValidationError(
            f"{what}: {text.strip()} bestaat niet; controleer dag en maand (dd-mm-jjjj)."
        ) from None


def parse_past_date(text: str, what: str, today: dt.date | None = None) -> dt.date:
    """A date that cannot lie in the future (received, discussed, birth)."""
    today = today or dt.date.today()
    value = parse_date(text, what, today)
    if value > today:
        raise ValidationError(
            f"{what}: {format_date(value)} ligt in de toekomst; controleer de datum (dd-mm-jjjj)."
        )
    if value.year < 1900:
        raise ValidationError(
            f"{what}: {format_date(value)} ligt te ver in het verleden; controleer het jaartal."
        )
    return value


# A signal received before 2000 predates any municipal meldroute: a typo, never a real date.
EARLIEST_RECEIPT = dt.date(2000, 1, 1)
# Nobody alive was born longer ago; an older birth date is a typo (1926 for 1962).
OLDEST_AGE_YEARS = 110
# Older receipt dates are possible (a late registration) but unusual enough to confirm.
UNUSUAL_RECEIPT_AGE = dt.timedelta(days=365)


def parse_receipt_date(
    text: str, what: str = "Ontvangstdatum", today: dt.date | None = None
) -> dt.date:
    """A receipt date: not in the future and not before 2000."""
    value = parse_past_date(text, what, today)
    check_receipt_date(value, what)
    return value


def check_receipt_date(value: dt.date, what: str = "Ontvangstdatum") -> None:
    if value < EARLIEST_RECEIPT:
        raise ValidationError(
            f"{what}: {format_date(value)} ligt vóór 2000 en is niet mogelijk; controleer het "
            "jaartal (dd-mm-jjjj)."
        )


def unusual_receipt(value: dt.date, today: dt.date | None = None) -> str | None:
    """Why a valid receipt date deserves a second look, or None when it looks ordinary."""
    today = today or dt.date.today()
    if value < today - UNUSUAL_RECEIPT_AGE:
        return f"De ontvangstdatum {format_date(value)} ligt meer dan een jaar terug"
    return None


def unusual_due(value: dt.date, option: str, today: dt.date | None = None) -> str | None:
    """A due date more than a year ahead is more often a mistyped year ('2036' for '2026')
    than a plan; such an action would stay off the agenda for years."""
    today = today or dt.date.today()
    if value > today + UNUSUAL_RECEIPT_AGE:
        return f"De datum bij {option} ({format_date(value)}) ligt meer dan een jaar vooruit"
    return None


def _earliest_birth_year(today: dt.date) -> int:
    return today.year - OLDEST_AGE_YEARS


def _years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def parse_birth(text: str, today: dt.date | None = None) -> tuple[dt.date | None, int | None]:
    """A birth date, or only a birth year: returns (date or None, year)."""
    today = today or dt.date.today()
    value = text.strip()
    match = _YEAR.match(value)
    if match:
        year = int(match.group(1))
        if year > today.year:
            raise ValidationError(f"Geboortejaar {year} ligt in de toekomst; controleer het jaar.")
        if year < _earliest_birth_year(today):
            raise ValidationError(
                f"Geboortejaar {year} is meer dan {OLDEST_AGE_YEARS} jaar geleden; controleer het "
                "jaar."
            )
        return None, year
    born = parse_past_date(value, "Geboortedatum", today)
    if born < _years_before(today, OLDEST_AGE_YEARS):
        raise ValidationError(
            f"Geboortedatum {format_date(born)} is meer dan {OLDEST_AGE_YEARS} jaar geleden; "
            "controleer het jaar."
        )
    return born, born.year


def minor_on(birth_date: str | None, birth_year: int | None, on: str) -> bool | None:
    """Was the person under 18 on the given ISO date? None when it cannot be told.

    For minors coercion need not be proven (plan §1.1), so the officer must see it at a glance;
    with only a birth year the answer is given only when every day of that year agrees."""
    day = dt.date.fromisoformat(on[:10])
    if birth_date:
        born = dt.date.fromisoformat(birth_date[:10])
        age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        return age < 18
    if birth_year is None:
        return None
    youngest, oldest = day.year - birth_year - 1, day.year - birth_year
    if oldest < 18:
        return True
    if youngest >= 18:
        return False
    return None


def format_moment(value: str | None) -> str:
    """A stored moment as dd-mm-jjjj uu:mm. Moments carry the offset of the machine that wrote
    them; they are shown in local time."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%d-%m-%Y %H:%M")


def format_date(value: dt.date | str | None) -> str:
    """Dutch display format dd-mm-jjjj; accepts ISO strings from the store."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.strftime("%d-%m-%Y")
