"""`mhtool overzetten`: a file onto a server database, or a server database into a new file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mhtool.cli.app_options import JSON_OPTION

if TYPE_CHECKING:
    from mhtool.services.transfer import TransferView

# What each table holds, in the words of the officer (the JSON keeps the table names).
TABLE_LABELS = {
    "signal": "signalen",
    "signal_form": "vormen bij signalen",
    "signal_measure": "maatregelen bij signalen",
    "person": "personen",
    "signal_person": "personen bij signalen",
    "address": "adressen",
    "signal_address": "adressen bij signalen",
    "organisation": "organisaties",
    "signal_organisation": "organisaties bij signalen",
    "step_event": "verloop van de meldroute",
    "note": "notities",
    "follow_up_action": "acties",
    "outcome": "uitkomsten",
    "history": "historie",
    "audit_log": "auditlog",
    "setting": "instellingen (normen, bewaartermijnen)",
    "signal_counter": "nummering per jaar",
    "search_term": "zoektermen",
    "search_text": "zoektekst",
    "signal_group": "telgroepen",
    "signal_group_count": "tellingen",
}


def transfer(
    ctx: typer.Context,
    naar: Annotated[
        str | None,
        typer.Option(
            "--naar",
            metavar="ADRES",
            help="Zet het huidige databasebestand (--db of MHTOOL_DB, versleuteld of niet) over "
            "naar deze lege database op een server (postgresql://...).",
            show_default=False,
        ),
    ] = None,
    van: Annotated[
        str | None,
        typer.Option(
            "--van",
            metavar="ADRES",
            help="Maak een kopie van deze database op een server (postgresql://...) als nieuw "
            "bestand (met --naar-bestand). De kopie bevat alleen wat uw rol op de server mag "
            "zien.",
            show_default=False,
        ),
    ] = None,
    naar_bestand: Annotated[
        Path | None,
        typer.Option(
            "--naar-bestand",
            metavar="PAD",
            help="Het nieuwe bestand voor de kopie bij --van; een bestaand bestand wordt nooit "
            "overschreven.",
            show_default=False,
        ),
    ] = None,
    versleuteld: Annotated[
        bool,
        typer.Option(
            "--versleuteld",
            help="Versleutel de kopie bij --van (nieuw wachtwoord, verborgen gevraagd). Aan te "
            "raden voor een kopie op een laptop.",
        ),
    ] = False,
    as_json: JSON_OPTION = False,
) -> None:
    """Zet een databasebestand over naar een lege database op een server, of maak van een
    serverdatabase een nieuw bestand.

    Alles gaat in één keer over, met dezelfde nummers en ids; daarna controleert mhtool of elke
    tabel dezelfde rijen bevat, of de historie gelijk is en of de keten van het auditlog op de
    nieuwe plek klopt. Pas als alles klopt, staat de kopie er; anders is er niets gewijzigd. De
    overzetting komt in het auditlog van beide databases (alleen aantallen).

    Een serverdatabase die al gegevens bevat, wordt niet aangevuld.

    Met --van krijgt u een kopie voor onderweg, bijvoorbeeld voor een huisbezoek zonder
    verbinding: alleen de signalen en gegevens die uw rol op de server mag zien. Wijzigingen in
    die kopie komen niet vanzelf terug op de server; verwijder haar na gebruik.
    """
    from mhtool.cli.context import state
    from mhtool.errors import ValidationError

    if (naar is None) == (van is None):
        raise ValidationError(
            "Geef --naar ADRES (een bestand naar een server) of --van ADRES (een server naar "
            "een nieuw bestand), precies één van de twee."
        )
    st = state(ctx)
    if naar is not None:
        if naar_bestand is not None or versleuteld:
            raise ValidationError(
                "--naar-bestand en --versleuteld horen bij --van; bij --naar gaat het huidige "
                "bestand naar de server."
            )
        _server_address(naar, "--naar")
        from mhtool.services.transfer import move_to_server

        done = move_to_server(st.store(create=False), naar, st.user)
    else:
        assert van is not None
        if naar_bestand is None:
            raise ValidationError(
                "Geef bij --van met --naar-bestand PAD op waar de nieuwe kopie moet komen."
            )
        _server_address(van, "--van")
        from mhtool.cli.passphrase import ask_passphrase
        from mhtool.services.transfer import copy_to_file

        target = naar_bestand
        done = copy_to_file(
            van,
            target,
            (lambda: ask_passphrase(target.expanduser(), True)) if versleuteld else None,
        )
    _show(done, as_json)


def _server_address(text: str, option: str) -> None:
    from mhtool.domain.server_address import is_server_address
    from mhtool.errors import ValidationError

    if not is_server_address(text):
        raise ValidationError(
            f"{option} verwacht het adres van een database op een server, beginnend met "
            "postgresql://; een bestand geeft u op met --db."
        )
    from mhtool.cli.context import tell_unverified_server
    from mhtool.services.server_access import server_address

    # The wire policy before the file is opened or a passphrase asked (open_server_database
    # checks it again); with the lab override the user hears it here as for --db.
    address = server_address(text)
    if address.unverified_remote:
        tell_unverified_server(address.display)


def _in_label_order(name: str) -> tuple[int, str]:
    """Signals first, then what hangs on them, then the bookkeeping; a table mhtool does not
    know yet (a later migration) at the end."""
    order = list(TABLE_LABELS)
    return (order.index(name) if name in order else len(order), name)


def _show(done: TransferView, as_json: bool) -> None:
    from mhtool.cli.render import console, count, print_json, text

    if as_json:
        print_json(done.as_json())
        return
    out = console()
    what = "naar de server" if done.direction == "naar-server" else "naar een nieuw bestand"
    out.print(text(f"Overgezet {what}: {done.source} → {done.target}"))
    out.print(f"{count(done.signals, 'signaal')}; per tabel, in beide databases gelijk:")
    width = max(len(TABLE_LABELS.get(name, name)) for name in (*done.tables, *done.derived))
    for part, heading in ((done.tables, ""), (done.derived, "Op de nieuwe plek opgebouwd:")):
        if heading and part:
            out.print(heading)
        for name in sorted(part, key=_in_label_order):
            label = TABLE_LABELS.get(name, name)
            out.print(text(f"  {label:<{width}}  {part[name]:>9}"))
    out.print(
        f"Historie gelijk ({count(done.tables.get('history', 0), 'regel')}); keten van het "
        f"auditlog in orde ({count(done.audit_rows, 'regel')} overgenomen)."
    )
    if done.skipped:
        names = ", ".join(TABLE_LABELS.get(name, name) for name in done.skipped)
        out.print(
            text(
                f"Niet gekopieerd, omdat uw rol op de server dit niet mag lezen: {names}."
                + (
                    " De nummering in de kopie gaat verder na het hoogste nummer erin."
                    if "signal_counter" in done.skipped
                    else ""
                )
            )
        )
    if done.direction == "naar-bestand":
        if done.encrypted:
            out.print("De kopie is versleuteld.")
        else:
            out.print(
                "Let op: deze kopie is niet versleuteld. Bewaar haar alleen op een beveiligde "
                "plek en verwijder haar na gebruik (of maak haar opnieuw met --versleuteld)."
            )
