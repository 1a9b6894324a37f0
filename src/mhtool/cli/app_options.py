"""Option and argument types shared by several commands, declared once."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

REF_ARG = Annotated[
    str, typer.Argument(metavar="SIGNAAL", help="Signaalnummer, bijvoorbeeld MH-2026-0001.")
]

ID_ARG = Annotated[str, typer.Argument(metavar="ID", help="Het id, zoals 'mhtool zoek' het toont.")]

JSON_OPTION = Annotated[
    bool, typer.Option("--json", help="Uitvoer als JSON (vaste sleutels) voor scripts.")
]

OVERWRITE_OPTION = Annotated[
    bool, typer.Option("--overschrijf", help="Vervang een bestaand bestand met die naam.")
]

DATE_OPTION = Annotated[str | None, typer.Option(help="Datum (dd-mm-jjjj); standaard vandaag.")]


def past_date_or_today(datum: str | None) -> dt.date:
    """The date a `--datum` gives (never in the future), or today when it is left out."""
    from mhtool.domain.dates import parse_past_date

    return parse_past_date("vandaag" if datum is None else datum, "Datum")
