"""Option types shared by several commands, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

JSON_OPTION = Annotated[
    bool, typer.Option("--json", help="Uitvoer als JSON (vaste sleutels) voor scripts.")
]

OVERWRITE_OPTION = Annotated[
    bool, typer.Option("--overschrijf", help="Vervang een bestaand bestand met die naam.")
]
