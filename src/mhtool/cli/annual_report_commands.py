"""`mhtool jaarverslag`: the yearly monitoring report (plan §7.1), as a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mhtool.cli.app_options import JSON_OPTION, OVERWRITE_OPTION
from mhtool.cli.report_output import STDOUT


def annual_report_command(
    ctx: typer.Context,
    jaar: Annotated[str, typer.Argument(metavar="JAAR", help="Het jaar, bijvoorbeeld 2026.")],
    formaat: Annotated[
        str | None,
        typer.Option(
            metavar="FORMAAT",
            help="md (Markdown, standaard), csv, xlsx (Excel) of html. Zonder --formaat volgt "
            "het uit de naam bij --uitvoer.",
            show_default=False,
        ),
    ] = None,
    uitvoer: Annotated[
        str | None,
        typer.Option(
            metavar="PAD",
            help="Bestand om naar te schrijven; standaard jaarverslag-JJJJ.<formaat> in de "
            "huidige map. '-' schrijft md, csv of html naar het scherm.",
            show_default=False,
        ),
    ] = None,
    onderdruk: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help="Toon aantallen van 1 tot N als <N en laat totalen en gemiddelden weg waaruit "
            "ze terug te rekenen zijn (zoals statistiek --onderdruk).",
            show_default=False,
        ),
    ] = None,
    overschrijf: OVERWRITE_OPTION = False,
    as_json: JSON_OPTION = False,
) -> None:
    """Maak het jaarverslag: signalen per gemeente en vorm, doorlooptijden, terugkoppeling,
    uitkomsten, partners, maatregelen, minderjarigen en acute signalen. Alleen aantallen."""
    from mhtool.cli import render
    from mhtool.cli.context import state
    from mhtool.cli.report_output import write_report
    from mhtool.errors import ValidationError
    from mhtool.exporters import choose_format
    from mhtool.services.annual_report import annual_report, parse_report_year
    from mhtool.services.audit import record
    from mhtool.services.statistics import check_threshold

    year = parse_report_year(jaar)
    check_threshold(onderdruk)
    if uitvoer is not None and not uitvoer.strip():
        raise ValidationError("--uitvoer is leeg; geef een bestandsnaam, of '-' voor het scherm.")
    if as_json and uitvoer is not None:
        raise ValidationError("--json schrijft naar het scherm; laat --uitvoer weg.")
    to_file = Path(uitvoer) if uitvoer not in (None, STDOUT) else None
    fmt = choose_format(formaat, to_file)
    st = state(ctx)
    report = annual_report(st.store(), year, onderdruk)

    def details(form: str) -> dict[str, str | int | bool]:
        """An export of signal figures is logged (BIO): which year, in what form, how many."""
        return {
            "jaar": year,
            "formaat": form,
            "signalen": report.signals,
            "onderdrukking": onderdruk or 0,
        }

    # Logged before anything reaches the screen; a new file is removed if its entry fails.
    if as_json:
        record(st.store(), st.user, "jaarverslag", "rapport", "", details=details("json"))
        render.print_json(report.as_json())
        return
    written = write_report(
        st,
        "jaarverslag",
        details(fmt),
        report.document(),
        fmt,
        uitvoer,
        to_file or Path(f"jaarverslag-{year}.{fmt}"),
        overwrite=overschrijf,
    )
    if written is None:
        return
    render.console().print(
        render.text(
            f"Jaarverslag {year} opgeslagen in {written} (alleen leesbaar voor u): "
            f"{render.count(report.signals, 'signaal')}"
            + (f", aantallen onder {onderdruk} onderdrukt." if onderdruk else ".")
        )
    )
