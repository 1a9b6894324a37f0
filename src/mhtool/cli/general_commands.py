"""Commands about the tool itself: which database, which municipalities, which route."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from mhtool.cli.app_options import JSON_OPTION

if TYPE_CHECKING:
    from rich.console import Console


def info(ctx: typer.Context, as_json: JSON_OPTION = False) -> None:
    """Toon welke database wordt gebruikt (bestand of server) en wat erin staat."""
    from mhtool.cli.context import state
    from mhtool.cli.passphrase import ask_passphrase
    from mhtool.cli.render import console, print_json, text
    from mhtool.services.database_info import database_info

    if state(ctx).server() is not None:
        _server_info(ctx, as_json)
        return
    path, source = state(ctx).database_path()
    found = database_info(path, source, passphrase=ask_passphrase)
    from mhtool.cli.context import tell_opened

    tell_opened(path, found.upgraded, found.tightened_from)
    if as_json:
        print_json(found.as_json())
        return
    out = console()
    out.print(text(f"Database: {found.path}"))
    out.print(text(f"Gekozen via: {found.source}"))
    tell_leftovers(out, found.leftovers)
    if not found.exists:
        from pathlib import Path

        from mhtool.services.database import DEFAULT_SOURCE

        folder = Path(found.path).parent
        if found.source != DEFAULT_SOURCE and not folder.exists():
            out.print(
                text(
                    f"Het bestand bestaat nog niet, en de map {folder} ook niet: controleer het "
                    f"pad bij {found.source}."
                )
            )
        else:
            out.print("Het bestand bestaat nog niet; het wordt aangemaakt bij het eerste signaal.")
        return
    out.print(f"Schemaversie: {found.schema_version}")
    if found.file_mode is None:  # Windows: the folder's access rights decide
        out.print(
            f"Grootte: {found.size_bytes} bytes; wie het mag lezen, bepalen de rechten van de map."
        )
    else:
        private = found.file_mode == "0600"
        out.print(
            f"Grootte: {found.size_bytes} bytes; rechten {found.file_mode} "
            + (
                "(alleen voor u leesbaar)"
                if private
                else "(ook voor anderen leesbaar: controleer dit)"
            )
        )
    out.print(f"Versleuteld: {'ja' if found.encrypted else 'nee'}")
    out.print(f"Signalen: {found.signals} (open: {found.open_signals})")


TRANSPORT_TEXT = {
    "socket": "via een socket op deze computer (niet over het netwerk)",
    "tls-verified": "versleuteld (TLS), het certificaat van de server is gecontroleerd",
    "tls": "versleuteld (TLS), maar het certificaat van de server is niet gecontroleerd "
    "(alleen toegestaan op deze computer of in een testomgeving)",
    "plain": "niet versleuteld (alleen toegestaan op deze computer of in een testomgeving)",
}


def _server_info(ctx: typer.Context, as_json: bool) -> None:
    """`info` for a database on a server: its address, who is logged in and what it holds
    (no file size or permissions: the server keeps the data)."""
    from mhtool.cli.context import state
    from mhtool.cli.render import console, print_json, text
    from mhtool.services.database_info import server_info

    st = state(ctx)
    target = st.server()
    assert target is not None
    found = server_info(st.store(), target[1])
    if as_json:
        print_json(found.as_json())
        return
    out = console()
    out.print(text(f"Database: {found.path} (PostgreSQL-server)"))
    out.print(text(f"Gekozen via: {found.source}"))
    tell_leftovers(out, found.leftovers)
    out.print(f"Schemaversie: {found.schema_version}")
    out.print(text(f"Aangemeld als: {found.login} (deze naam komt in de historie en het auditlog)"))
    out.print(f"Verbinding: {TRANSPORT_TEXT.get(found.transport or '', found.transport)}")
    out.print(f"Signalen: {found.signals} (open: {found.open_signals})")


def tell_leftovers(out: Console, leftovers: tuple[str, ...]) -> None:
    """Temporary copies a killed mhtool left on this computer hold data too: never silent."""
    from mhtool.cli.render import text

    for leftover in leftovers:
        out.print(
            text(
                f"Let op: {leftover} is een tijdelijke kopie van een afgebroken mhtool-opdracht "
                "die niet kon worden verwijderd; verwijder die veilig (ook hij bevat gegevens)."
            )
        )


def municipalities(
    regio: Annotated[
        str | None,
        typer.Option(help="Alleen 'driehoek' (Heerhugowaard) of 'nhn' (Noord-Holland Noord)."),
    ] = None,
) -> None:
    """Toon de gemeenten die mhtool kent."""
    from mhtool.cli.render import console
    from mhtool.domain.municipalities import (
        DRIEHOEK_HEERHUGOWAARD,
        MUNICIPALITIES,
        NOORD_HOLLAND_NOORD,
    )
    from mhtool.errors import ValidationError

    choice = (regio or "").strip().lower()
    if choice in ("", "alle"):
        names: tuple[str, ...] = MUNICIPALITIES
    elif choice == "driehoek":
        names = DRIEHOEK_HEERHUGOWAARD
    elif choice == "nhn":
        names = NOORD_HOLLAND_NOORD
    else:
        raise ValidationError(f"Onbekende regio '{regio}'; kies 'driehoek' of 'nhn'.")
    for name in names:
        console().print(name)


def route() -> None:
    """Toon de stappen van de meldroute, wat elke stap vraagt en waar elke conclusie heen
    leidt (actie/vervolg, verwijzing, uitkomsten), met de codes voor partners en maatregelen."""
    from mhtool.cli.render import console, text
    from mhtool.domain.enums import Measure, MeasureStatus, Partner
    from mhtool.domain.lifecycle import CONCLUSION_PATHS, CaseStatus
    from mhtool.domain.meldroute import STEP_REQUIREMENTS

    out = console()
    out.print("Acuut → direct AVIM (politie) inschakelen; daarna de meldroute.")
    for step, need in STEP_REQUIREMENTS.items():
        out.print(f"{step.label}: {need.description}")
    out.print("")
    out.print("Na afronding (stroomschema van het beleidsplan):")
    for path in CONCLUSION_PATHS:
        out.print(text(f"- {path.conclusion.label} ({path.conclusion.value}) → {path.leads_to}"))
        out.print(text(f"    {path.how}"))
    out.print(
        "Acuut signaal: afronden kan pas met een AVIM-tijdstip (mhtool signaal avim) of met "
        "--geen-avim en een reden."
    )
    out.print(
        "Uitkomsten na afronding, zonder heropenen: mhtool signaal uitkomst (terugkoppeling, "
        "strafrechtelijk, opvang, maatregel, verwijzing, CoMensha, bedenktijd)."
    )
    out.print("")
    out.print("Status van een signaal (HTCDS):")
    for status in CaseStatus:
        out.print(f"- {status.value} ({status.htcds}): {status.label}")
    out.print("")
    out.print("Partners (--partner, --actie-partner, --verwijzing):")
    for partner in Partner:
        out.print(text(f"  {partner.value}: {partner.label}"))
    out.print("Bestuurlijke maatregelen (bijlage 2, --maatregel):")
    for measure in Measure:
        out.print(text(f"  {measure.value}: {measure.label}"))
    out.print("Status van een maatregel (--status): " + ", ".join(MeasureStatus.codes()) + ".")
