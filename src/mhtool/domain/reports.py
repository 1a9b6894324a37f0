"""The shape every export is written from: a document of titled tables and an optional chart.

Reports (statistics, the weekly report) turn themselves into a `Document`; the exporters
(Markdown, CSV, XLSX, HTML) only know this shape. So a new report needs no exporter changes and
a new format needs no report changes, and the safety rules of each format live in one place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# A cell is a count (int), a day (date), text, or empty (None). Counts stay numbers so
# spreadsheets can sum them, days stay dates so they sort and filter as dates (XLSX writes them
# as dates with the dd-mm-jjjj format, text formats as dd-mm-jjjj); everything else is text.
Cell = int | dt.date | str | None


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    empty_text: str = "Geen."
    footnote: str = ""


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Chart:
    """Counts per period (x axis) per group, drawn as stacked bars."""

    title: str
    periods: tuple[str, ...]
    series: tuple[Series, ...]

    def totals(self) -> tuple[int, ...]:
        return tuple(sum(s.values[i] for s in self.series) for i in range(len(self.periods)))

    def as_table(self) -> Table:
        """The chart's numbers, for formats that show tables rather than pictures."""
        rows: tuple[tuple[Cell, ...], ...] = tuple((s.name, *s.values) for s in self.series)
        return Table(
            "grafiek",
            self.title,
            ("Gemeente", *self.periods),
            (*rows, ("Totaal", *self.totals())),
            "Geen signalen in deze periode.",
        )


@dataclass(frozen=True)
class Document:
    title: str
    facts: tuple[tuple[str, Cell], ...] = ()
    tables: tuple[Table, ...] = ()
    chart: Chart | None = None
    footnotes: tuple[str, ...] = field(default=())

    def all_tables(self) -> tuple[Table, ...]:
        """The tables plus the chart as a table, for formats without pictures."""
        return self.tables + ((self.chart.as_table(),) if self.chart else ())


def group_series(
    periods: tuple[str, ...],
    counts: dict[tuple[str, str], int],
    keep: int = 6,
    rest_name: str = "overige gemeenten",
) -> tuple[Series, ...]:
    """Series per group from {(period, group): count}; the `keep` largest groups get their own
    series, the rest are summed so a chart stays readable."""
    totals: dict[str, int] = {}
    for (_, group), count in counts.items():
        totals[group] = totals.get(group, 0) + count
    ranked = sorted(totals, key=lambda g: (-totals[g], g))
    own = sorted(ranked[:keep]) if len(ranked) > keep + 1 else sorted(ranked)
    series = [Series(g, tuple(counts.get((p, g), 0) for p in periods)) for g in own]
    rest = [g for g in ranked if g not in own]
    if rest:
        series.append(
            Series(
                rest_name,
                tuple(sum(counts.get((p, g), 0) for g in rest) for p in periods),
            )
        )
    return tuple(series)
