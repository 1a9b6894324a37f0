"""Bewaartermijnen: how long a closed signal is kept, per conclusie, and the date that follows.

The terms are a decision of the municipality's archivist (Archiefwet, selectielijst, AVG art. 5
lid 1e "opslagbeperking"), not of the tool. The defaults below are placeholders so the tool
works out of the box; `mhtool bewaartermijn toon` marks every term the archivist has not yet
confirmed with `mhtool bewaartermijn zet`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mhtool.domain.enums import Conclusion
from mhtool.errors import ValidationError

# Placeholders, to be confirmed by the archivist: short when nothing was found (but long enough
# that a repeat signal about the same address or person is still recognised in stap 2), five
# years where trafficking was indicated or inquiry continued, in line with the usual term for
# zorg- en veiligheidsdossiers.
DEFAULT_TERMS: dict[Conclusion, int] = {
    Conclusion.NO_TRAFFICKING: 2,
    Conclusion.FURTHER_INQUIRY: 5,
    Conclusion.TRAFFICKING: 5,
}
# A signal annulled as registered by mistake ('vervallen') is kept as long as one where nothing
# was found, counted from the day it was annulled: no trafficking was signalled, yet a repeat of
# the same mistake must still be recognisable. Undoing the annulment clears the date again.
ANNULLED_TERM = Conclusion.NO_TRAFFICKING
MIN_YEARS = 1
MAX_YEARS = 100
SETTING_PREFIX = "bewaartermijn."


def setting_key(conclusion: Conclusion) -> str:
    return SETTING_PREFIX + conclusion.value


def check_years(years: int) -> int:
    if not MIN_YEARS <= years <= MAX_YEARS:
        raise ValidationError(
            f"Een bewaartermijn van {years} jaar kan niet; kies {MIN_YEARS} tot {MAX_YEARS} jaar."
        )
    return years


def add_years(day: dt.date, years: int) -> dt.date:
    """29 February plus a number of years lands on 28 February in a non-leap year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def destruction_date(closed_on: dt.date, conclusion: str | None, terms: dict[str, int]) -> dt.date:
    """Without a known conclusie the longest term applies: never destroy too early."""
    years = terms.get(conclusion or "", max(terms.values()))
    return add_years(closed_on, years)


@dataclass(frozen=True)
class RetentionTerm:
    conclusion: Conclusion
    years: int
    confirmed: bool
    set_at: str | None
    set_by: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "conclusie": self.conclusion.value,
            "conclusie_naam": self.conclusion.label,
            "jaren": self.years,
            "vastgesteld": self.confirmed,
            "vastgesteld_op": self.set_at,
            "vastgesteld_door": self.set_by,
        }


def annulled_destruction_date(annulled_on: dt.date, terms: dict[str, int]) -> dt.date:
    return add_years(annulled_on, terms[ANNULLED_TERM.value])


@dataclass(frozen=True)
class DueSignal:
    """A signal whose term has passed: only its reference and dates, never its content. A
    closed signal has `closed_on`, an annulled one `annulled_on`."""

    ref: str
    closed_on: str | None
    destroy_on: str
    conclusion: str | None
    annulled_on: str | None = None

    @property
    def term(self) -> str | None:
        """The conclusie whose term applies (an annulled signal: that of 'geen')."""
        return ANNULLED_TERM.value if self.annulled_on else self.conclusion

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.ref,
            "afgerond_op": self.closed_on,
            "vervallen_op": self.annulled_on,
            "vernietigingsdatum": self.destroy_on,
            "conclusie": self.conclusion,
        }


@dataclass(frozen=True)
class PurgeReport:
    """`signals` are (or, in a dry run, would be) destroyed; `waiting` are past a term the
    archivist has not confirmed yet, and are never destroyed on a placeholder; `held` are past
    their term but still have an open follow-up action, and are kept until it is done."""

    dry_run: bool
    signals: tuple[DueSignal, ...]
    waiting: tuple[DueSignal, ...]
    removed: dict[str, int]
    held: tuple[DueSignal, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "proef": self.dry_run,
            "signalen": [s.as_json() for s in self.signals],
            "wacht_op_vaststelling": [s.as_json() for s in self.waiting],
            "open_vervolgactie": [s.as_json() for s in self.held],
            "verwijderd": self.removed,
        }
