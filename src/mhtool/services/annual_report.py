"""`mhtool jaarverslag`: the yearly monitoring report of one receipt year."""

from __future__ import annotations

from mhtool.domain.annual_report import AnnualReport, YearRows, build_annual_report
from mhtool.errors import ValidationError
from mhtool.services.statistics import check_threshold
from mhtool.store import annual_report as q
from mhtool.store.connection import Store


def parse_report_year(text: str) -> int:
    cleaned = text.strip()
    if not (cleaned.isascii() and cleaned.isdigit() and len(cleaned) == 4):
        raise ValidationError(f"Jaar '{cleaned[:20]}' is geen jaartal; geef een jaar als 2026.")
    year = int(cleaned)
    if not 2000 <= year <= 2999:
        raise ValidationError(f"Jaar {year} kan niet; kies een jaar vanaf 2000.")
    return year


def annual_report(store: Store, year: int, threshold: int | None = None) -> AnnualReport:
    """Reads only; the caller logs the export (services.export_files or audit.record)."""
    check_threshold(threshold)
    with store.read():
        rows = YearRows(
            year=year,
            signals=q.signals_of_year(store, year),
            forms=q.forms_of_year(store, year),
            events=q.events_of_year(store, year),
            persons=q.persons_of_year(store, year),
            measures=q.measures_of_year(store, year),
            outcomes=q.outcomes_of_year(store, year),
            actions=q.actions_of_year(store, year),
        )
    return build_annual_report(rows, threshold)
