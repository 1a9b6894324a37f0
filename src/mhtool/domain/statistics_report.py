"""Counts of signals per group and year, as the policy plan reports them (plan §1.5), with
small-count protection.

Small-count protection (`--onderdruk N`): a count of 1 to N-1 is shown as `<N`; 0 stays 0
(an empty cell reveals no person). Suppressing a cell is pointless if it can be recovered by
subtraction from a total, so every total whose line contains a suppressed cell is withheld
(shown as `x`, JSON null): the row's total, the year's total, and the grand total. Then every
suppressed cell lies in a row and a column whose totals are unknown, and the published numbers
leave each suppressed cell free (any value 1..N-1 fits them). A total that is itself below N is
suppressed like any cell. The protection holds within one table; publishing two overlapping
tables side by side (for example the region and its municipalities) can still allow a
difference to be taken, which the documentation warns about.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from mhtool.domain.enums import Channel, Conclusion, Form, Sector, Step
from mhtool.domain.reports import Cell, Document, Table
from mhtool.errors import ValidationError

HIDDEN_MARK = "x"
E = TypeVar("E", bound=StrEnum)


class Dimension(StrEnum):
    """What rows can be grouped by; the values are the Dutch words of `--per`."""

    MUNICIPALITY = "gemeente"
    FORM = "vorm"
    STEP = "stap"
    CONCLUSION = "conclusie"
    CHANNEL = "kanaal"
    SECTOR = "sector"

    @property
    def heading(self) -> str:
        return self.value.capitalize()

    @property
    def multi_valued(self) -> bool:
        """A signal can have several forms and organisations, so it can count in several rows."""
        return self in (Dimension.FORM, Dimension.SECTOR)


class TableKind(StrEnum):
    MUNICIPALITIES = "gemeenten"
    YEAR_FIGURES = "jaarcijfers"
    DRIEHOEK = "driehoek"


def parse_code(enum: type[E], value: str, flag: str) -> E:
    """A typed option value (`--per vorm`, `--tabel driehoek`) or a Dutch error listing choices."""
    cleaned = value.strip().lower()
    for member in enum:
        if cleaned == member.value:
            return member
    choices = ", ".join(m.value for m in enum)
    raise ValidationError(f"{flag} '{value.strip()}' is onbekend; kies uit: {choices}.")


# Codes for the buckets that are not an enum value.
NOT_CLOSED = ""
NO_ORGANISATION = ""
SECTOR_UNKNOWN = "?"


def full_domain(dimension: Dimension) -> tuple[str | int, ...]:
    """Every value a one-dimension table shows a row for, even with a count of zero."""
    if dimension is Dimension.FORM:
        return tuple(Form.codes())
    if dimension is Dimension.STEP:
        return tuple(int(s) for s in Step)
    if dimension is Dimension.CONCLUSION:
        return tuple(Conclusion.codes())
    if dimension is Dimension.CHANNEL:
        return tuple(Channel.codes())
    if dimension is Dimension.SECTOR:
        return tuple(Sector.codes())
    return ()


def value_label(dimension: Dimension, code: str | int) -> str:
    if dimension is Dimension.STEP:
        return Step(int(code)).label
    if dimension is Dimension.CONCLUSION:
        return "nog niet afgerond" if code == NOT_CLOSED else _enum_label(Conclusion, str(code))
    if dimension is Dimension.FORM:
        return _enum_label(Form, str(code))
    if dimension is Dimension.CHANNEL:
        return _enum_label(Channel, str(code))
    if dimension is Dimension.SECTOR:
        if code == NO_ORGANISATION:
            return "geen organisatie"
        if code == SECTOR_UNKNOWN:
            return "sector onbekend"
        return _enum_label(Sector, str(code))
    return str(code)


def _enum_label(
    enum: type[Form] | type[Channel] | type[Conclusion] | type[Sector], code: str
) -> str:
    try:
        return enum(code).label
    except ValueError:
        return code


def domain_order(dimension: Dimension, code: str | int) -> tuple[int, str]:
    """Enum order for coded values (as the plan lists them), alphabetical for the rest."""
    values = full_domain(dimension)
    if code in values:
        return (values.index(code), "")
    return (len(values), str(code))


@dataclass(frozen=True)
class StatRow:
    keys: tuple[str | int, ...]
    labels: tuple[str, ...]
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class StatisticsReport:
    kind: TableKind
    title: str
    headings: tuple[str, ...]
    dimensions: tuple[str, ...]
    years: tuple[int, ...]
    rows: tuple[StatRow, ...]
    year_totals: tuple[int, ...] | None
    with_totals: bool
    threshold: int | None
    municipalities: tuple[str, ...]
    footnote: str = ""

    # -- small-count protection ------------------------------------------------------------
    def _small(self, value: int) -> bool:
        return self.threshold is not None and 0 < value < self.threshold

    def _shown(self, value: int, withheld: bool = False) -> Cell:
        if withheld:
            return None
        if self._small(value):
            return f"<{self.threshold}"
        return value

    def body(self) -> list[tuple[tuple[str, ...], list[Cell], Cell]]:
        """Per row: labels, the shown count per year, and the shown row total."""
        out: list[tuple[tuple[str, ...], list[Cell], Cell]] = []
        for row in self.rows:
            cells = [self._shown(v) for v in row.counts]
            hide_total = any(self._small(v) for v in row.counts)
            out.append((row.labels, cells, self._shown(row.total, hide_total)))
        return out

    def totals(self) -> tuple[list[Cell], Cell] | None:
        """The shown totals row (per year, overall), or None for tables without one."""
        if not self.with_totals or self.year_totals is None:
            return None
        per_year: list[Cell] = []
        for index, value in enumerate(self.year_totals):
            hide = any(self._small(row.counts[index]) for row in self.rows)
            per_year.append(self._shown(value, hide))
        hide_all = any(self._small(v) for row in self.rows for v in row.counts)
        return per_year, self._shown(sum(self.year_totals), hide_all)

    # -- output ----------------------------------------------------------------------------
    def as_json(self) -> dict[str, Any]:
        rows: list[dict[str, Any]] = []
        for row, (labels, cells, total) in zip(self.rows, self.body(), strict=True):
            item: dict[str, Any] = dict(zip(self.dimensions, row.keys, strict=True))
            item["omschrijving"] = " / ".join(labels)
            item["per_jaar"] = {str(y): c for y, c in zip(self.years, cells, strict=True)}
            if self.with_totals:
                item["totaal"] = total
            rows.append(item)
        totals = self.totals()
        return {
            "tabel": self.kind.value,
            "titel": self.title,
            "indeling": list(self.dimensions),
            "jaren": list(self.years),
            "gemeenten": list(self.municipalities) if self.municipalities else "alle",
            "onderdrukking": self.threshold,
            "rijen": rows,
            "totaal": (
                {
                    "per_jaar": {str(y): c for y, c in zip(self.years, totals[0], strict=True)},
                    "totaal": totals[1],
                }
                if totals
                else None
            ),
        }

    def grid(self) -> tuple[tuple[str, ...], list[tuple[Cell, ...]]]:
        """Header and rows as one flat table (labels first, totals row last)."""
        header = self.headings + tuple(str(y) for y in self.years)
        if self.with_totals:
            header += ("Totaal",)
        lines: list[tuple[Cell, ...]] = []
        for labels, cells, total in self.body():
            line: tuple[Cell, ...] = (*labels, *cells)
            lines.append((*line, total) if self.with_totals else line)
        totals = self.totals()
        if totals is not None:
            padding = ("",) * (len(self.headings) - 1)
            lines.append(("Totaal", *padding, *totals[0], totals[1]))
        return header, lines

    def notes(self) -> tuple[str, ...]:
        notes: list[str] = []
        if self.footnote:
            notes.append(self.footnote)
        if self.threshold is not None:
            notes.append(
                f"Aantallen van 1 tot {self.threshold} staan als <{self.threshold}; "
                f"{HIDDEN_MARK} = totaal weggelaten, zodat onderdrukte aantallen niet terug te "
                "rekenen zijn."
            )
        multi = {d.value for d in Dimension if d.multi_valued}
        if multi.intersection(self.dimensions):
            notes.append(
                "Een signaal met meer vormen of organisaties telt in elke rij mee; het totaal "
                "telt elk signaal één keer."
            )
        return tuple(notes)

    def document(self) -> Document:
        header, lines = self.grid()
        shown = tuple(tuple(HIDDEN_MARK if c is None else c for c in line) for line in lines)
        scope = ", ".join(self.municipalities) if self.municipalities else "alle gemeenten"
        return Document(
            title=self.title,
            facts=(
                ("Jaren", ", ".join(str(y) for y in self.years)),
                ("Gemeenten", scope),
            ),
            tables=(Table(self.kind.value, self.title, header, shown, "Geen signalen."),),
            footnotes=self.notes(),
        )


@dataclass(frozen=True)
class MonthlyCounts:
    """Signals per month per municipality, for the terminal chart."""

    months: tuple[str, ...]
    municipalities: tuple[str, ...]
    counts: dict[tuple[str, str], int]

    def row(self, municipality: str) -> tuple[int, ...]:
        return tuple(self.counts.get((m, municipality), 0) for m in self.months)

    @property
    def peak(self) -> int:
        return max(self.counts.values(), default=0)

    def as_json(self) -> dict[str, Any]:
        return {
            "maanden": list(self.months),
            "gemeenten": {m: list(self.row(m)) for m in self.municipalities},
        }
