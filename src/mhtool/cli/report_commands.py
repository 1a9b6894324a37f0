"""`mhtool rapport`: the weekly report for the driehoek and partners, as a file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mhtool.cli.app_options import JSON_OPTION, OVERWRITE_OPTION
from mhtool.cli.report_output import STDOUT

if TYPE_CHECKING:
    from mhtool.cli.context import AppState
    from mhtool.domain.periods import IsoWeek


def report_command(
    ctx: typer.Context,
    week: Annotated[
        str | None,
        typer.Option(
            metavar="WEEK",
            help="ISO-week, bijvoorbeeld 2026-W48. Standaard de laatste volledige week.",
            show_default=False,
        ),
    ] = None,
    formaat: Annotated[
        str | None,
        typer.Option(
            metavar="FORMAAT",
            help="md (Markdown, standaard), csv, xlsx (Excel) of html (één bestand met grafiek). "
            "Zonder --formaat volgt het uit de naam bij --uitvoer.",
            show_default=False,
        ),
    ] = None,
    uitvoer: Annotated[
        str | None,
        typer.Option(
            metavar="PAD",
            help="Bestand om naar te schrijven; standaard weekrapport-JJJJ-Www.<formaat> in de "
            "huidige map. '-' schrijft md, csv of html naar het scherm.",
            show_default=False,
        ),
    ] = None,
    wachtdagen: Annotated[
        int | None,
        typer.Option(
            metavar="DAGEN",
            help="Toon signalen die langer dan dit aantal dagen in één stap staan. Standaard 30, "
            "of de waarde van MHTOOL_WACHTDAGEN.",
            show_default=False,
        ),
    ] = None,
    wachtlijst: Annotated[
        bool,
        typer.Option(
            "--wachtlijst",
            help="Maak in plaats van het weekrapport de volledige lijst van signalen die langer "
            "dan --wachtdagen in één stap staan (het weekrapport toont de 50 die het langst "
            "wachten).",
        ),
    ] = False,
    overschrijf: OVERWRITE_OPTION = False,
    as_json: JSON_OPTION = False,
) -> None:
    """Maak het weekrapport: nieuwe signalen, stapwijzigingen, afgeronde en acute signalen, en
    signalen die lang in één stap staan. Zonder namen, geboortedata of adressen."""
    from mhtool.cli import render
    from mhtool.cli.context import state
    from mhtool.cli.report_output import write_report
    from mhtool.domain.periods import parse_week
    from mhtool.errors import ValidationError
    from mhtool.exporters import choose_format
    from mhtool.services.weekly_report import default_wait_days, weekly_report

    if uitvoer is not None and not uitvoer.strip():
        raise ValidationError("--uitvoer is leeg; geef een bestandsnaam, of '-' voor het scherm.")
    to_file = Path(uitvoer) if uitvoer not in (None, STDOUT) else None
    fmt = choose_format(formaat, to_file)
    chosen = parse_week(week)
    days = wachtdagen if wachtdagen is not None else default_wait_days()
    if as_json and uitvoer is not None:
        raise ValidationError("--json schrijft naar het scherm; laat --uitvoer weg.")
    st = state(ctx)
    if wachtlijst:
        _waiting_list(st, chosen, days, fmt, uitvoer, to_file, overschrijf, as_json)
        return
    report = weekly_report(st.store(), chosen, days)
    counts = {
        "nieuw": len(report.new_signals),
        "afgerond": len(report.closed),
        "acuut": len(report.acute),
    }
    # Logged before anything reaches the screen, and right after a file is written (a new file
    # is removed again if the entry cannot be written): no export without its audit entry.
    if as_json:
        _record(st, _details(chosen.label, "json", counts))
        render.print_json(report.as_json())
        return
    written = write_report(
        st,
        "rapport",
        _details(chosen.label, fmt, counts),
        report.document(),
        fmt,
        uitvoer,
        to_file or Path(f"weekrapport-{chosen.label}.{fmt}"),
        overwrite=overschrijf,
    )
    if written is None:
        return
    render.console().print(
        render.text(
            f"Weekrapport {chosen.label} opgeslagen in {written} (alleen leesbaar voor u): "
            f"{len(report.new_signals)} nieuw, {len(report.step_changes)} stapwijzigingen, "
            f"{len(report.closed)} afgerond, {len(report.acute)} acuut, "
            f"{report.waiting_total} langer dan {days} {'dag' if days == 1 else 'dagen'} in één "
            "stap."
        )
    )


def _waiting_list(
    st: AppState,
    week: IsoWeek,
    days: int,
    fmt: str,
    uitvoer: str | None,
    to_file: Path | None,
    overwrite: bool,
    as_json: bool,
) -> None:
    """`rapport --wachtlijst`: every waiting signal, as its own export (same formats, same
    audit entry as the weekly report, with soort=wachtlijst)."""
    from mhtool.cli import render
    from mhtool.cli.report_output import write_report
    from mhtool.services.weekly_report import waiting_list

    found = waiting_list(st.store(), week, days)
    counts: dict[str, int | bool] = {"wachtend": len(found.lines)}
    details = {**_details(week.label, "json" if as_json else fmt, counts), "soort": "wachtlijst"}
    if as_json:
        _record(st, details)
        render.print_json([line.as_json() for line in found.lines])
        return
    written = write_report(
        st,
        "rapport",
        details,
        found.document(),
        fmt,
        uitvoer,
        to_file or Path(f"wachtlijst-{week.label}.{fmt}"),
        overwrite=overwrite,
    )
    if written is None:
        return
    render.console().print(
        render.text(
            f"Wachtlijst {week.label} opgeslagen in {written} (alleen leesbaar voor u): "
            f"{len(found.lines)} langer dan {days} dagen in één stap."
        )
    )


def _record(st: AppState, details: dict[str, str | int | bool]) -> None:
    from mhtool.services.audit import record

    record(st.store(), st.user, "rapport", "rapport", "", details=details)


def _details(week: str, fmt: str, counts: dict[str, int | bool]) -> dict[str, str | int | bool]:
    """An export of signal data is logged (BIO): which week, in what form, how many signals."""
    return {"week": week.lower(), "formaat": fmt, **counts}
