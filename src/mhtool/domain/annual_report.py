"""The yearly monitoring report (plan §7.1: "zicht op de omvang van de problematiek en op de
inspanningen en bevindingen"), computed from the raw rows of one receipt year, without I/O.

Only counts and summary statistics leave this module: no names, dates of birth, addresses or
free text. "Niet vastgelegd" (nothing recorded) is always kept apart from 0, and with a
threshold (`--onderdruk N`, as in `statistiek`) every count from 1 to N-1 is shown as `<N`, a
total that contains one is withheld (`x`), a second part of a row whose parts add up to a
number shown elsewhere (the closed or acute signals) is withheld when exactly one part is
suppressed, and a median, P90 or share computed from fewer than N signals is withheld too, so
no small group can be read back.

Lead time per step: the days from the event that brought a signal into a step to the event
that moved it on (forward, skipped, back or closed), for every visit of steps 1-4; and from
receipt to closing. The median is the middle value (the mean of the two middle values for an
even count); P90 is the nearest-rank 90th percentile (the smallest value that at least 90% of
the values do not exceed).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from mhtool.domain.dates import minor_on
from mhtool.domain.enums import Form, Measure, MeasureStatus, Partner, Role, Step
from mhtool.domain.reports import Cell, Document, Table

NOT_RECORDED = "niet vastgelegd"
WITHHELD = "x"
MOVES = frozenset({"stap", "overslaan", "terug", "heropen"})


def median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def p90(values: list[int]) -> int | None:
    """Nearest-rank 90th percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(0.9 * len(ordered)), 1) - 1]


def number(value: float | None) -> str:
    """'3', '3,5' (Dutch decimal comma), or 'niet vastgelegd' when there is nothing to measure."""
    if value is None:
        return NOT_RECORDED
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}".replace(".", ",")


@dataclass(frozen=True)
class YearRows:
    """The raw rows of one receipt year (store/annual_report.py), as dicts."""

    year: int
    signals: list[dict[str, Any]]
    forms: list[dict[str, Any]]
    events: list[dict[str, Any]]
    persons: list[dict[str, Any]]
    measures: list[dict[str, Any]]
    outcomes: list[dict[str, Any]]
    actions: list[dict[str, Any]]


def step_durations(events: list[dict[str, Any]]) -> dict[int, list[int]]:
    """Days spent in each of steps 1-4, per visit, from one year's route events."""
    durations: dict[int, list[int]] = defaultdict(list)
    by_signal: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        by_signal[event["signal_id"]].append(event)
    for signal_events in by_signal.values():
        current: tuple[int, dt.date] | None = None
        for event in signal_events:
            day = dt.date.fromisoformat(event["on_date"])
            if event["kind"] in MOVES and current is not None and current[0] < Step.CLOSED:
                durations[current[0]].append((day - current[1]).days)
            if event["to_step"]:
                current = (int(event["to_step"]), day)
    return durations


class Suppressor:
    """Small-count protection for one report: counts 1..N-1 become '<N'."""

    def __init__(self, threshold: int | None) -> None:
        self.threshold = threshold

    def small(self, value: int) -> bool:
        return self.threshold is not None and 0 < value < self.threshold

    def count(self, value: int) -> Cell:
        return f"<{self.threshold}" if self.small(value) else value

    def total(self, value: int, parts: list[int]) -> Cell:
        """A total is withheld when it contains a suppressed count (or is small itself)."""
        if any(self.small(p) for p in parts):
            return WITHHELD
        return self.count(value)

    def parts(self, values: list[int]) -> list[Cell]:
        """The parts of a whole whose size is known (or may be learnt elsewhere): with exactly
        one part suppressed, the whole minus the others would give it back, so the smallest
        other non-zero part is withheld too (secondary suppression)."""
        cells: list[Cell] = [self.count(v) for v in values]
        small = [i for i, v in enumerate(values) if self.small(v)]
        if len(small) == 1:
            others = [i for i, v in enumerate(values) if v > 0 and i not in small]
            if others:
                cells[min(others, key=lambda i: values[i])] = WITHHELD
        return cells

    def statistic(self, n: int, text: str) -> Cell:
        """A median, P90 or share of fewer than N signals could point at someone."""
        return WITHHELD if self.small(n) else text


@dataclass(frozen=True)
class AnnualReport:
    year: int
    threshold: int | None
    tables: tuple[Table, ...]
    signals: int
    # The header's number of signals is the total of the gemeente table: withheld like its
    # 'Totaal' when a gemeente's count is suppressed (None: shown as counted).
    signals_shown: Cell | None = None

    @property
    def shown_signals(self) -> Cell:
        if self.signals_shown is not None:
            return self.signals_shown
        return Suppressor(self.threshold).count(self.signals)

    def document(self) -> Document:
        shown = self.shown_signals
        notes = [
            "Elk cijfer telt bij het jaar waarin het signaal is ontvangen; vervallen signalen "
            "tellen niet mee. 'niet vastgelegd' betekent dat er niets is vastgelegd (geen 0).",
            "Doorlooptijd: dagen van binnenkomst in een stap tot de volgende stap; mediaan en "
            "P90 (90e percentiel, nearest-rank).",
        ]
        if self.threshold is not None:
            notes.append(
                f"Aantallen van 1 tot en met {self.threshold - 1} staan als <{self.threshold}; "
                f"{WITHHELD} = weggelaten, zodat onderdrukte aantallen niet terug te rekenen zijn."
            )
        return Document(
            title=f"Jaarverslag aanpak mensenhandel {self.year}",
            facts=(
                ("Jaar", str(self.year)),
                ("Signalen", str(shown)),
                (
                    "Onderdrukking",
                    f"aantallen onder {self.threshold}" if self.threshold else "geen",
                ),
            ),
            tables=self.tables,
            footnotes=tuple(notes),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "jaar": self.year,
            "onderdrukking": self.threshold,
            "signalen": self.shown_signals,
            "tabellen": {
                t.key: {
                    "titel": t.title,
                    "kolommen": list(t.columns),
                    "rijen": [list(r) for r in t.rows],
                }
                for t in self.tables
            },
        }


def build_annual_report(rows: YearRows, threshold: int | None = None) -> AnnualReport:
    s = Suppressor(threshold)
    signals = rows.signals
    closed = [r for r in signals if r["step"] == Step.CLOSED]
    municipalities = _per_municipality(signals, s)
    feedback = _feedback(closed, s)
    tables = (
        municipalities,
        _per_form(rows, s),
        _lead_times(rows, closed, s, withhold_closed=feedback.rows[0][1] == WITHHELD),
        feedback,
        _outcomes(rows, closed, s),
        _partners(rows, s),
        _measures(rows, s),
        _minors(rows, s),
        _acute(rows, s),
    )
    total = municipalities.rows[-1][1]
    return AnnualReport(rows.year, threshold, tables, len(signals), total)


def _per_municipality(signals: list[dict[str, Any]], s: Suppressor) -> Table:
    counts: dict[str, int] = defaultdict(int)
    for r in signals:
        counts[r["municipality"]] += 1
    body: list[tuple[Cell, ...]] = [(m, s.count(counts[m])) for m in sorted(counts)]
    body.append(("Totaal", s.total(len(signals), list(counts.values()))))
    return Table("gemeenten", "Signalen per gemeente", ("Gemeente", "Signalen"), tuple(body))


def _per_form(rows: YearRows, s: Suppressor) -> Table:
    counts: dict[str, set[int]] = defaultdict(set)
    for f in rows.forms:
        counts[f["form"]].add(f["signal_id"])
    body: list[tuple[Cell, ...]] = [(form.label, s.count(len(counts[form.value]))) for form in Form]
    without = len(rows.signals) - len({f["signal_id"] for f in rows.forms})
    if without:
        body.append((NOT_RECORDED, s.count(without)))
    return Table(
        "vormen",
        "Signalen per vorm van uitbuiting",
        ("Vorm", "Signalen"),
        tuple(body),
        footnote="Een signaal met meer vormen telt bij elke vorm.",
    )


def _stat_row(label: str, values: list[int], s: Suppressor) -> tuple[Cell, ...]:
    n = len(values)
    return (
        label,
        s.count(n),
        s.statistic(n, number(median(values))),
        s.statistic(n, number(p90(values))),
    )


def _lead_times(
    rows: YearRows, closed: list[dict[str, Any]], s: Suppressor, withhold_closed: bool = False
) -> Table:
    """`withhold_closed`: the number of closed signals is withheld in the feedback table, so
    the count of 'ontvangst tot afronding' (the same number) is withheld too."""
    durations = step_durations(rows.events)
    body = [_stat_row(Step(step).label, durations.get(step, []), s) for step in (1, 2, 3, 4)]
    total = [
        (dt.date.fromisoformat(r["closed_on"]) - dt.date.fromisoformat(r["received_on"])).days
        for r in closed
        if r["closed_on"]
    ]
    row = _stat_row("ontvangst tot afronding", total, s)
    if withhold_closed and len(total) == len(closed):
        row = (row[0], WITHHELD, *row[2:])
    body.append(row)
    return Table(
        "doorlooptijd",
        "Doorlooptijd per stap (dagen)",
        ("Stap", "Aantal", "Mediaan", "P90"),
        tuple(body),
    )


def _share(part: int, whole: int, s: Suppressor) -> Cell:
    if whole == 0:
        return NOT_RECORDED
    if s.small(part) or s.small(whole):
        return WITHHELD
    return f"{round(100 * part / whole)}%"


def _feedback(closed: list[dict[str, Any]], s: Suppressor) -> Table:
    given = sum(1 for r in closed if r["feedback_given"] == 1)
    not_given = sum(1 for r in closed if r["feedback_given"] == 0)
    unknown = len(closed) - given - not_given
    parts = s.parts([given, not_given, unknown])
    # With a part suppressed, the share would give the number of closed signals back.
    share = WITHHELD if WITHHELD in parts else _share(given, len(closed), s)
    return Table(
        "terugkoppeling",
        "Terugkoppeling aan de melder (afgeronde signalen)",
        ("", "Aantal"),
        (
            # The total of the three rows below: withheld when one of them is suppressed.
            ("Afgerond", s.total(len(closed), [given, not_given, unknown])),
            ("Terugkoppeling gegeven", parts[0]),
            ("Geen terugkoppeling", parts[1]),
            (NOT_RECORDED, parts[2]),
            ("Aandeel melders met terugkoppeling", share),
        ),
    )


def _outcomes(rows: YearRows, closed: list[dict[str, Any]], s: Suppressor) -> Table:
    def yes_no_unknown(column: str) -> tuple[Cell, Cell, Cell]:
        yes = sum(1 for r in closed if r[column] == 1)
        no = sum(1 for r in closed if r[column] == 0)
        # The three add up to the number of closed signals, which other tables may show.
        cells = s.parts([yes, no, len(closed) - yes - no])
        return cells[0], cells[1], cells[2]

    def signals_with(kind: str) -> Cell:
        return s.count(len({o["signal_id"] for o in rows.outcomes if o["kind"] == kind}))

    return Table(
        "uitkomsten",
        "Uitkomsten (afgeronde signalen; CoMensha, bedenktijd en verwijzing: alle signalen)",
        ("Uitkomst", "Ja", "Nee", NOT_RECORDED.capitalize()),
        (
            ("Strafrechtelijk opgepakt", *yes_no_unknown("criminal_case")),
            ("Opvang geregeld", *yes_no_unknown("shelter_arranged")),
            ("Geregistreerd bij CoMensha", signals_with("comensha"), None, None),
            ("Bedenktijd (B8) gestart", signals_with("bedenktijd"), None, None),
            ("Doorverwezen", signals_with("verwijzing"), None, None),
        ),
    )


def _partners(rows: YearRows, s: Suppressor) -> Table:
    discussed: dict[str, set[int]] = defaultdict(set)
    for event in rows.events:
        for partner in json.loads(event["details"] or "{}").get("partners", []):
            discussed[partner].add(event["signal_id"])
    actions: dict[str, set[int]] = defaultdict(set)
    for action in rows.actions:
        if action["partner"]:
            actions[action["partner"]].add(action["signal_id"])
    referred: dict[str, set[int]] = defaultdict(set)
    for outcome in rows.outcomes:
        if outcome["kind"] == "verwijzing" and outcome["partner"]:
            referred[outcome["partner"]].add(outcome["signal_id"])
    codes = sorted(set(discussed) | set(actions) | set(referred))
    return Table(
        "partners",
        "Partners: besproken, vervolgacties en verwijzingen (aantal signalen)",
        ("Partner", "Besproken (stap 3/4)", "Vervolgacties", "Verwijzingen"),
        tuple(
            (
                Partner.label_of(code),
                s.count(len(discussed[code])),
                s.count(len(actions[code])),
                s.count(len(referred[code])),
            )
            for code in codes
        ),
        empty_text="Geen partners vastgelegd.",
    )


def _measures(rows: YearRows, s: Suppressor) -> Table:
    at_closing: dict[str, set[int]] = defaultdict(set)
    for m in rows.measures:
        at_closing[m["measure"]].add(m["signal_id"])
    latest: dict[tuple[int, str], str] = {}
    for o in rows.outcomes:  # ordered by date: the last status of a measure counts
        if o["kind"] == "maatregel" and o["measure"]:
            latest[(o["signal_id"], o["measure"])] = o["measure_status"] or ""
    by_status: dict[tuple[str, str], int] = defaultdict(int)
    for (_, measure), status in latest.items():
        by_status[(measure, status)] += 1
    codes = sorted(
        set(at_closing) | {m for _, m in latest},
        key=lambda c: Measure.codes().index(c) if c in Measure.codes() else 99,
    )
    return Table(
        "maatregelen",
        "Bestuurlijke maatregelen (aantal signalen)",
        ("Maatregel", "Bij afronding", *(st.label for st in MeasureStatus)),
        tuple(
            (
                Measure.label_of(code),
                s.count(len(at_closing[code])),
                *(s.count(by_status[(code, st.value)]) for st in MeasureStatus),
            )
            for code in codes
        ),
        empty_text="Geen bestuurlijke maatregelen vastgelegd.",
        footnote="Status: de laatst vastgelegde status per signaal ('mhtool signaal uitkomst').",
    )


def _minors(rows: YearRows, s: Suppressor) -> Table:
    received = {r["id"]: r["received_on"] for r in rows.signals}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    with_minor: set[int] = set()
    for p in rows.persons:
        if p["birth_date"] is None and p["birth_year"] is None:
            band = NOT_RECORDED
        else:
            minor = minor_on(p["birth_date"], p["birth_year"], received[p["signal_id"]])
            band = {True: "minderjarig", False: "meerderjarig", None: "mogelijk minderjarig"}[minor]
            if minor:
                with_minor.add(p["signal_id"])
        counts[(p["role"], band)] += 1
    bands = ("minderjarig", "mogelijk minderjarig", "meerderjarig", NOT_RECORDED)
    body: list[tuple[Cell, ...]] = [
        (role.label, *(s.count(counts[(role.value, b)]) for b in bands)) for role in Role
    ]
    body.append(("Signalen met een minderjarige", s.count(len(with_minor)), None, None, None))
    return Table(
        "minderjarigen",
        "Personen naar leeftijd bij ontvangst",
        ("Rol", "Minderjarig", "Mogelijk minderjarig", "Meerderjarig", "Leeftijd niet vastgelegd"),
        tuple(body),
    )


def _acute(rows: YearRows, s: Suppressor) -> Table:
    acute = [r for r in rows.signals if r["acute"]]
    with_avim = [r for r in acute if r["avim_informed_at"]]
    reasons = {
        e["signal_id"]
        for e in rows.events
        if e["to_step"] == Step.CLOSED and json.loads(e["details"] or "{}").get("geen_avim_reden")
    }
    without_reason = [r for r in acute if not r["avim_informed_at"] and r["id"] in reasons]
    days = [
        (
            dt.datetime.fromisoformat(r["avim_informed_at"]).date()
            - dt.date.fromisoformat(r["received_on"])
        ).days
        for r in with_avim
    ]
    n = len(days)
    unrecorded = len(acute) - len(with_avim) - len(without_reason)
    parts = [len(with_avim), len(without_reason), unrecorded]
    avim_cells = s.parts(parts)
    return Table(
        "acuut",
        "Acute signalen en AVIM",
        ("", "Waarde"),
        (
            # The total of the three rows below: withheld when one of them is suppressed.
            ("Acute signalen", s.total(len(acute), parts)),
            ("AVIM ingeschakeld (tijdstip vastgelegd)", avim_cells[0]),
            ("Afgerond zonder AVIM, met reden", avim_cells[1]),
            ("AVIM niet vastgelegd", avim_cells[2]),
            ("AVIM op de dag van ontvangst", s.count(sum(1 for d in days if d == 0))),
            ("Dagen tot AVIM: mediaan", s.statistic(n, number(median(days)))),
            ("Dagen tot AVIM: P90", s.statistic(n, number(p90(days)))),
        ),
    )
