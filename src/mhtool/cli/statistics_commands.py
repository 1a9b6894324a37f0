"""`mhtool statistiek`: counts per gemeente and jaar, the plan's tables, and a terminal chart."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mhtool.cli.app_options import JSON_OPTION, OVERWRITE_OPTION

if TYPE_CHECKING:
    from mhtool.domain.statistics_report import MonthlyCounts, StatisticsReport


def statistics_command(
    ctx: typer.Context,
    jaar: Annotated[
        list[str] | None,
        typer.Option(
            metavar="JAAR",
            help="Jaar of jaren (herhaalbaar of als bereik: --jaar 2022 --jaar 2023, "
            "--jaar 2022-2023). Standaard alle jaren met signalen.",
            show_default=False,
        ),
    ] = None,
    gemeente: Annotated[
        list[str] | None,
        typer.Option(
            metavar="GEMEENTE",
            help="Gemeente (herhaalbaar), of 'driehoek', 'nhn' (Noord-Holland Noord) of 'alle'. "
            "Standaard alle gemeenten.",
            show_default=False,
        ),
    ] = None,
    per: Annotated[
        list[str] | None,
        typer.Option(
            metavar="INDELING",
            help="Indeling van de rijen (herhaalbaar, hoogstens twee): gemeente, vorm, stap, "
            "conclusie, kanaal, sector. Standaard gemeente.",
            show_default=False,
        ),
    ] = None,
    tabel: Annotated[
        str,
        typer.Option(
            metavar="TABEL",
            help="gemeenten (standaard: per gemeente en jaar, met totalen), jaarcijfers "
            "(ontvangen signalen, strafrechtelijk opgepakt, opvang slachtoffers) of driehoek "
            "(Dijk en Waard, Hollands Kroon, Koggenland), de laatste twee zoals in het "
            "beleidsplan.",
            show_default=False,
        ),
    ] = "gemeenten",
    onderdruk: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help="Kleine aantallen beschermen: aantallen onder N tonen als '<N' (bijvoorbeeld 5).",
            show_default=False,
        ),
    ] = None,
    as_json: JSON_OPTION = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Uitvoer als CSV (puntkomma's) voor een spreadsheet.")
    ] = False,
    grafiek: Annotated[
        bool,
        typer.Option("--grafiek", help="Teken het aantal signalen per maand per gemeente."),
    ] = False,
    uitvoer: Annotated[
        Path | None,
        typer.Option(
            metavar="PAD",
            help="Schrijf naar dit bestand (.md, .csv, .xlsx of .html), alleen leesbaar voor u.",
            show_default=False,
        ),
    ] = None,
    overschrijf: OVERWRITE_OPTION = False,
) -> None:
    """Tel signalen per gemeente en jaar, of toon de tabellen uit het beleidsplan (§1.5)."""
    from mhtool.cli import render
    from mhtool.cli.context import state
    from mhtool.domain.periods import parse_years
    from mhtool.domain.selection import parse_municipalities
    from mhtool.domain.statistics_report import Dimension, TableKind, parse_code
    from mhtool.errors import ValidationError
    from mhtool.services.statistics import StatisticsRequest, monthly_counts, statistics

    if sum([as_json and not grafiek, as_csv, grafiek, uitvoer is not None and not as_csv]) > 1:
        raise ValidationError(
            "Kies één uitvoervorm: --json, --csv, --grafiek of --uitvoer (met --csv mag "
            "--uitvoer wel)."
        )
    years = parse_years(jaar or [])
    municipalities = parse_municipalities(gemeente)
    store = state(ctx).store()
    if grafiek:
        if onderdruk is not None or per or tabel != "gemeenten":
            raise ValidationError(
                "--grafiek toont signalen per maand per gemeente; laat --per, --tabel en "
                "--onderdruk weg."
            )
        counts = monthly_counts(store, years, municipalities)
        _audit(ctx, {"tabel": "grafiek", "formaat": "json" if as_json else "scherm"})
        if as_json:
            render.print_json(counts.as_json())
        else:
            _draw_chart(counts)
        return
    request = StatisticsRequest(
        table=parse_code(TableKind, tabel, "--tabel"),
        years=years,
        municipalities=municipalities,
        per=tuple(parse_code(Dimension, p, "--per") for p in per or []),
        threshold=onderdruk,
    )
    report = statistics(store, request)
    output = "json" if as_json else "csv" if as_csv else "scherm"
    details: dict[str, str | int | bool | None] = {
        "tabel": request.table.value,
        "per": ",".join(d.value for d in request.per) or None,
        "onderdruk": onderdruk,
        "formaat": output,
        "bestand": uitvoer is not None,
    }
    if uitvoer is not None:
        from mhtool.exporters import choose_format
        from mhtool.services.export_files import export_logged

        st = state(ctx)
        written = export_logged(
            store,
            st.user,
            "statistiek",
            "signaal",
            details,
            report.document(),
            choose_format("csv" if as_csv else None, uitvoer),
            uitvoer,
            overwrite=overschrijf,
            protected=st.database_files(),
        )
        render.console().print(render.text(f"Opgeslagen in {written} (alleen leesbaar voor u)."))
        return
    _audit(ctx, details)  # before anything reaches the screen
    if as_json:
        render.print_json(report.as_json())
    elif as_csv:
        from mhtool.exporters import render_text

        sys.stdout.write(render_text(report.document(), "csv"))
    else:
        _show(report)


def _audit(ctx: typer.Context, details: dict[str, str | int | bool | None]) -> None:
    """Figures leave the file: logged (BIO) with the kind of table, never the figures."""
    from mhtool.cli.context import state
    from mhtool.services.audit import record

    st = state(ctx)
    record(st.store(), st.user, "statistiek", "signaal", "", details=details)


def _show(report: StatisticsReport) -> None:
    from rich.table import Table

    from mhtool.cli import render
    from mhtool.domain.statistics_report import HIDDEN_MARK

    header, lines = report.grid()
    shown = [[HIDDEN_MARK if c is None else str(c) for c in line] for line in lines]
    table = Table(title=render.text(report.title), title_justify="left", header_style="bold")
    labels = len(report.headings)
    needed = 1
    for index, heading in enumerate(header):
        widest = max([len(heading), *(len(line[index]) for line in shown)])
        needed += widest + 3
        # Nothing is cut off or wrapped inside a cell; a narrow terminal wraps the line instead.
        table.add_column(
            heading,
            justify="left" if index < labels else "right",
            no_wrap=True,
            min_width=widest,
        )
    for number, line in enumerate(shown):
        is_total = report.with_totals and number == len(lines) - 1
        before_total = report.with_totals and number == len(lines) - 2
        cells = [render.text(c) for c in line]
        table.add_row(*cells, style="bold" if is_total else "", end_section=before_total)
    out = render.console()
    out.print(table, width=max(out.width, needed), crop=False)
    for note in report.notes():
        render.console().print(render.text(note, "dim"))


BLOCKS = " ▁▂▃▄▅▆▇█"
MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def bar(value: int, peak: int) -> str:
    """One block character whose height shows `value` relative to `peak`; · for zero."""
    if value <= 0 or peak <= 0:
        return "·"
    return BLOCKS[max(1, -(-value * 8 // peak))]


def _draw_chart(counts: MonthlyCounts) -> None:
    from rich.table import Table

    from mhtool.cli import render

    out = render.console()
    if not counts.municipalities or counts.peak == 0:
        out.print("Geen signalen in deze periode.")
        return
    years = sorted({m[:4] for m in counts.months})
    table = Table(
        title="Signalen per maand per gemeente", title_justify="left", header_style="bold"
    )
    table.add_column("Gemeente", no_wrap=True)
    table.add_column("Jaar")
    table.add_column(" ".join(m[0] for m in MONTHS), no_wrap=True)
    table.add_column("Totaal", justify="right")
    for municipality in counts.municipalities:
        for year in years:
            values = [counts.counts.get((f"{year}-{m:02d}", municipality), 0) for m in range(1, 13)]
            line = " ".join(
                bar(v, counts.peak) if f"{year}-{m:02d}" in counts.months else " "
                for m, v in enumerate(values, start=1)
            )
            table.add_row(
                render.text(municipality), year, render.text(line, "cyan"), str(sum(values))
            )
    out.print(table)
    out.print(
        "Maanden januari tot en met december; "
        f"█ = {counts.peak} {'signaal' if counts.peak == 1 else 'signalen'} in een maand, "
        "· = geen."
    )
