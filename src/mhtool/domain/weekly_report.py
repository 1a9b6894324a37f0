"""The weekly report for the driehoek and partners: what happened to signals in one ISO week.

It is meant to leave the officer's desk, so it holds no names (of persons, melders, users or
organisations), no birth dates, no streets or house numbers and no free text (descriptions,
notes, reasons can all contain names). Persons appear only as role and age band, addresses only
as the four digits of the postcode. The dataclasses cannot carry more, so no export format can
leak more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from mhtool.domain.dates import format_date, format_moment
from mhtool.domain.enums import Channel, Conclusion, Form, Measure, Partner, Role, Sector, Step
from mhtool.domain.reports import Cell, Chart, Document, Table
from mhtool.domain.views import SignalSummary


# A report repeats the same few codes and dates thousands of times; the caches make building
# the document of a busy week (14,000 lines at 1M signals) three times faster.
@lru_cache(maxsize=1024)
def _label(enum: type[Any], code: str | None) -> str:
    if not code:
        return ""
    try:
        return str(enum(code).label)
    except ValueError:
        return code


@lru_cache(maxsize=8192)
def _date(value: str | None) -> str:
    return format_date(value)


def _day(value: str | None) -> dt.date | None:
    """A stored ISO day as a date cell (exports show it as dd-mm-jjjj, XLSX as a real date)."""
    return dt.date.fromisoformat(value[:10]) if value else None


def _days(n: int) -> str:
    return f"{n} dag" if n == 1 else f"{n} dagen"


def _yes_no(value: bool | None) -> str:
    return "onbekend" if value is None else ("ja" if value else "nee")


@lru_cache(maxsize=8)
def _step(value: int | None) -> str:
    return Step(value).short if value else ""


@dataclass(frozen=True)
class PersonSummary:
    role: str
    age_band: str

    def as_json(self) -> dict[str, Any]:
        return {"rol": self.role, "leeftijdscategorie": self.age_band}

    @property
    def text(self) -> str:
        # 'slachtoffer (0-17, minderjarig)', not nested brackets; the JSON keeps the band as is.
        band = self.age_band.replace(" (minderjarig)", ", minderjarig")
        return f"{_label(Role, self.role)} ({band})"


@dataclass(frozen=True)
class NewSignalLine:
    """A signal as `signaal lijst` shows it, plus who and where in pseudonymised form."""

    summary: SignalSummary
    persons: tuple[PersonSummary, ...]
    postcode_areas: tuple[str, ...]
    sectors: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        data = self.summary.as_json()
        data.update(
            {
                "personen": [p.as_json() for p in self.persons],
                "postcodegebieden": list(self.postcode_areas),
                "sectoren": list(self.sectors),
            }
        )
        return data

    def cells(self) -> tuple[Cell, ...]:
        s = self.summary
        return (
            s.ref,
            _day(s.received_on),
            s.municipality,
            _label(Channel, s.channel),
            ", ".join(_label(Form, f) for f in s.forms),
            "ja" if s.acute else "nee",
            _step(s.step),
            "; ".join(p.text for p in self.persons),
            ", ".join(self.postcode_areas),
            ", ".join(_label(Sector, sector) for sector in self.sectors),
        )


NEW_COLUMNS = (
    "Signaal",
    "Ontvangen",
    "Gemeente",
    "Kanaal",
    "Vorm",
    "Acuut",
    "Stap nu",
    "Personen (rol, leeftijd)",
    "Postcodegebied",
    "Sector",
)


@dataclass(frozen=True)
class StepChangeLine:
    ref: str
    municipality: str
    on_date: str
    kind: str
    from_step: int | None
    to_step: int | None
    partners: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.ref,
            "gemeente": self.municipality,
            "datum": self.on_date,
            "soort": self.kind,
            "van_stap": self.from_step,
            "naar_stap": self.to_step,
            "besproken_met": list(self.partners),
        }

    def cells(self) -> tuple[Cell, ...]:
        kinds = {"stap": "volgende stap", "overslaan": "overgeslagen", "terug": "teruggezet"}
        return (
            self.ref,
            self.municipality,
            _day(self.on_date),
            kinds.get(self.kind, "heropend" if self.kind == "heropen" else self.kind),
            _step(self.from_step),
            _step(self.to_step),
            ", ".join(_label(Partner, p) for p in self.partners),
        )


STEP_COLUMNS = ("Signaal", "Gemeente", "Datum", "Wat", "Van stap", "Naar stap", "Besproken met")


@dataclass(frozen=True)
class ClosedLine:
    ref: str
    municipality: str
    closed_on: str
    conclusion: str | None
    feedback_given: bool | None
    feedback_on: str | None
    criminal_case: bool | None
    shelter_arranged: bool | None
    measures: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.ref,
            "gemeente": self.municipality,
            "afgerond_op": self.closed_on,
            "conclusie": self.conclusion,
            "terugkoppeling_gegeven": self.feedback_given,
            "terugkoppeling_op": self.feedback_on,
            "strafrechtelijk_opgepakt": self.criminal_case,
            "opvang_geregeld": self.shelter_arranged,
            "bestuurlijke_maatregelen": list(self.measures),
        }

    def cells(self) -> tuple[Cell, ...]:
        feedback = _yes_no(self.feedback_given)
        if self.feedback_given and self.feedback_on:
            feedback += f" ({_date(self.feedback_on)})"
        return (
            self.ref,
            self.municipality,
            _day(self.closed_on),
            _label(Conclusion, self.conclusion),
            feedback,
            _yes_no(self.criminal_case),
            _yes_no(self.shelter_arranged),
            ", ".join(_label(Measure, m) for m in self.measures),
        )


CLOSED_COLUMNS = (
    "Signaal",
    "Gemeente",
    "Afgerond",
    "Conclusie",
    "Terugkoppeling",
    "Strafrechtelijk opgepakt",
    "Opvang",
    "Bestuurlijke maatregel",
)


@dataclass(frozen=True)
class AcuteLine:
    ref: str
    municipality: str
    received_on: str
    avim_informed_at: str | None
    step: int
    new_this_week: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.ref,
            "gemeente": self.municipality,
            "ontvangen": self.received_on,
            "avim_geinformeerd": self.avim_informed_at,
            "stap": self.step,
            "nieuw_deze_week": self.new_this_week,
        }

    def cells(self) -> tuple[Cell, ...]:
        avim = (
            format_moment(self.avim_informed_at)
            if self.avim_informed_at
            else "NOG NIET INGESCHAKELD"
        )
        return (
            self.ref,
            self.municipality,
            _day(self.received_on),
            avim,
            _step(self.step),
            "ja" if self.new_this_week else "nee, eerder ontvangen",
        )


ACUTE_COLUMNS = ("Signaal", "Gemeente", "Ontvangen", "AVIM ingeschakeld", "Stap nu", "Nieuw")


@dataclass(frozen=True)
class WaitingLine:
    ref: str
    municipality: str
    step: int
    step_since: str
    days: int

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.ref,
            "gemeente": self.municipality,
            "stap": self.step,
            "stap_sinds": self.step_since,
            "dagen_in_stap": self.days,
        }

    def cells(self) -> tuple[Cell, ...]:
        return (
            self.ref,
            self.municipality,
            _step(self.step),
            _day(self.step_since),
            self.days,
        )


@dataclass(frozen=True)
class FollowUpLine:
    """An open follow-up action due by the end of the week; its description is free text and
    stays out of the report (it is in `signaal toon`)."""

    ref: str
    municipality: str
    seq: int
    due_on: str
    partner: str
    days_late: int

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.ref,
            "gemeente": self.municipality,
            "actie": self.seq,
            "voor": self.due_on,
            "partner": self.partner or None,
            "dagen_te_laat": self.days_late,
        }

    def cells(self) -> tuple[Cell, ...]:
        return (
            self.ref,
            self.municipality,
            self.seq,
            _date(self.due_on),
            _label(Partner, self.partner),
            self.days_late,
        )


FOLLOW_UP_COLUMNS = ("Signaal", "Gemeente", "Actie", "Voor", "Partner", "Dagen te laat")

WAITING_COLUMNS = ("Signaal", "Gemeente", "Stap", "In deze stap sinds", "Dagen")
WAITING_TOP = 50
"""The weekly report lists this many of the longest-waiting signals; the rest are counted per
step and gemeente, and `mhtool rapport --wachtlijst` exports them all."""


@dataclass(frozen=True)
class WaitingSummary:
    """How many signals wait longer than the norm, in total, per step and per gemeente."""

    total: int = 0
    per_step: tuple[tuple[int, int], ...] = ()
    per_municipality: tuple[tuple[str, int], ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "wachtend_totaal": self.total,
            "wachtend_per_stap": {str(step): n for step, n in self.per_step},
            "wachtend_per_gemeente": dict(self.per_municipality),
        }


@dataclass(frozen=True)
class WaitingList:
    """The full list of signals waiting longer than the norm, as its own export."""

    week: str
    last_day: str
    wait_days: int
    lines: tuple[WaitingLine, ...]

    def document(self) -> Document:
        title = f"Langer dan {_days(self.wait_days)} in één stap"
        return Document(
            title=f"Wachtlijst signalen mensenhandel, week {self.week}",
            facts=(("Week", self.week), (title, len(self.lines))),
            tables=(
                Table(
                    "wachtend",
                    title,
                    WAITING_COLUMNS,
                    tuple(line.cells() for line in self.lines),
                    f"Geen signalen die langer dan {_days(self.wait_days)} in één stap staan.",
                    f"Dagen geteld tot en met {_date(self.last_day)}.",
                ),
            ),
            footnotes=(
                "Zonder namen, geboortedata, adressen of vrije tekst. Stap en status zijn de "
                "stand van nu.",
            ),
        )


@dataclass(frozen=True)
class WeeklyReport:
    week: str
    first_day: str
    last_day: str
    week_complete: bool
    wait_days: int
    new_signals: tuple[NewSignalLine, ...]
    step_changes: tuple[StepChangeLine, ...]
    closed: tuple[ClosedLine, ...]
    acute: tuple[AcuteLine, ...]
    waiting: tuple[WaitingLine, ...]
    chart: Chart
    # The longest-waiting WAITING_TOP are in `waiting`; this counts them all.
    waiting_summary: WaitingSummary | None = None
    # Open follow-up actions (actie/vervolg) due by the week's Sunday, longest overdue first.
    follow_up: tuple[FollowUpLine, ...] = ()

    @property
    def waiting_total(self) -> int:
        return self.waiting_summary.total if self.waiting_summary else len(self.waiting)

    def as_json(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "van": self.first_day,
            "tot_en_met": self.last_day,
            "week_voorbij": self.week_complete,
            "wachtdagen": self.wait_days,
            "nieuwe_signalen": [s.as_json() for s in self.new_signals],
            "stapwijzigingen": [s.as_json() for s in self.step_changes],
            "afgerond": [s.as_json() for s in self.closed],
            "acuut": [s.as_json() for s in self.acute],
            "wachtend": [s.as_json() for s in self.waiting],
            "vervolgacties": [f.as_json() for f in self.follow_up],
            **(self.waiting_summary or self._summary_of_list()).as_json(),
            "grafiek": {
                "titel": self.chart.title,
                "weken": list(self.chart.periods),
                "reeksen": {s.name: list(s.values) for s in self.chart.series},
            },
        }

    def _summary_of_list(self) -> WaitingSummary:
        steps: dict[int, int] = {}
        places: dict[str, int] = {}
        for w in self.waiting:
            steps[w.step] = steps.get(w.step, 0) + 1
            places[w.municipality] = places.get(w.municipality, 0) + 1
        return WaitingSummary(
            len(self.waiting), tuple(sorted(steps.items())), tuple(sorted(places.items()))
        )

    def _waiting_tables(self) -> tuple[Table, ...]:
        """The waiting signals: all of them when few, else the oldest and counts of the rest."""
        title = f"Langer dan {_days(self.wait_days)} in één stap"
        note = f"Dagen geteld tot en met {_date(self.last_day)}."
        summary = self.waiting_summary
        if summary is not None and summary.total > len(self.waiting):
            title += f": de {len(self.waiting)} die het langst wachten, van {summary.total}"
            note += " De volledige lijst: mhtool rapport --wachtlijst."
        tables = [
            Table(
                "wachtend",
                title,
                WAITING_COLUMNS,
                tuple(s.cells() for s in self.waiting),
                f"Geen signalen die langer dan {_days(self.wait_days)} in één stap staan.",
                note,
            )
        ]
        if summary is not None and summary.total > len(self.waiting):
            tables.append(
                Table(
                    "wachtend_per_stap",
                    f"{title.split(':')[0]}, per stap",
                    ("Stap", "Signalen"),
                    tuple((_step(step), n) for step, n in summary.per_step),
                    "",
                )
            )
            tables.append(
                Table(
                    "wachtend_per_gemeente",
                    f"{title.split(':')[0]}, per gemeente",
                    ("Gemeente", "Signalen"),
                    tuple(summary.per_municipality),
                    "",
                )
            )
        return tuple(tables)

    def document(self) -> Document:
        period = f"{_date(self.first_day)} tot en met {_date(self.last_day)}"
        if not self.week_complete:
            period += " (week nog niet voorbij)"
        return Document(
            title=f"Weekrapport signalen mensenhandel, week {self.week}",
            facts=(
                ("Week", self.week),
                ("Periode", period),
                ("Nieuwe signalen", len(self.new_signals)),
                ("Stapwijzigingen", len(self.step_changes)),
                ("Afgerond", len(self.closed)),
                ("Acuut", len(self.acute)),
                (f"Langer dan {_days(self.wait_days)} in één stap", self.waiting_total),
            ),
            tables=(
                Table(
                    "nieuwe_signalen",
                    "Nieuwe signalen",
                    NEW_COLUMNS,
                    tuple(s.cells() for s in self.new_signals),
                    "Geen nieuwe signalen deze week.",
                ),
                Table(
                    "stapwijzigingen",
                    "Stapwijzigingen",
                    STEP_COLUMNS,
                    tuple(s.cells() for s in self.step_changes),
                    "Geen stapwijzigingen deze week.",
                ),
                Table(
                    "afgerond",
                    "Afgeronde signalen",
                    CLOSED_COLUMNS,
                    tuple(s.cells() for s in self.closed),
                    "Geen signalen afgerond deze week.",
                ),
                Table(
                    "acuut",
                    "Acute signalen",
                    ACUTE_COLUMNS,
                    tuple(s.cells() for s in self.acute),
                    "Geen acute signalen.",
                    "Nieuw deze week, en eerder ontvangen acute signalen waarvoor AVIM nog niet "
                    "is ingeschakeld.",
                ),
                Table(
                    "vervolgacties",
                    "Open vervolgacties (uiterlijk deze week)",
                    FOLLOW_UP_COLUMNS,
                    tuple(f.cells() for f in self.follow_up),
                    "Geen open vervolgacties met een datum in of vóór deze week.",
                    "Een signaal met een open vervolgactie telt als open, ook na afronding. De "
                    "omschrijving van de actie staat in 'mhtool signaal toon'.",
                ),
                *self._waiting_tables(),
            ),
            chart=self.chart,
            footnotes=(
                "Zonder namen, geboortedata, adressen of vrije tekst: personen staan er alleen "
                "met rol en leeftijdscategorie in, adressen alleen met de vier cijfers van de "
                "postcode. Stap en status zijn de stand van nu.",
            ),
        )
