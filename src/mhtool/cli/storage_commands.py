"""Commands about the database file itself: create it (optionally encrypted) and back it up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mhtool.cli.app_options import JSON_OPTION, OVERWRITE_OPTION


def init(
    ctx: typer.Context,
    versleuteld: Annotated[
        bool,
        typer.Option(
            "--versleuteld",
            help="Versleutel het hele bestand (SQLCipher). Het wachtwoord wordt verborgen "
            "gevraagd, twee keer; zonder wachtwoord is de inhoud niet terug te halen.",
        ),
    ] = False,
    sleutelbos: Annotated[
        bool,
        typer.Option(
            "--sleutelbos",
            help="Bewaar het wachtwoord ook in de sleutelbos van het besturingssysteem "
            "(vraagt het pakket 'keyring').",
        ),
    ] = False,
    as_json: JSON_OPTION = False,
) -> None:
    """Maak een nieuwe, lege database (standaard of met --db), eventueel versleuteld."""
    from mhtool.cli.context import state
    from mhtool.cli.passphrase import ask_passphrase, keyring_available, store_in_keyring
    from mhtool.cli.render import console, print_json, text
    from mhtool.errors import ValidationError
    from mhtool.services.database import create_database

    if sleutelbos and not versleuteld:
        raise ValidationError("--sleutelbos hoort bij --versleuteld.")
    if sleutelbos:
        keyring_available()
    path, source = state(ctx).database_path()
    if versleuteld and (path.exists() or path.is_symlink()):
        from mhtool.cli.first_run import convert_existing

        convert_existing(state(ctx), path, source)
        return
    chosen: list[str] = []

    def remember(for_path: Path, new: bool) -> str:
        value = ask_passphrase(for_path, new)
        chosen.append(value)
        return value

    store = create_database(path, source, encrypt=versleuteld, passphrase=remember)
    store.close()
    if sleutelbos and chosen:
        store_in_keyring(path, chosen[0])
    if as_json:
        print_json({"pad": str(path), "versleuteld": versleuteld, "sleutelbos": sleutelbos})
        return
    out = console()
    out.print(
        text(
            f"Database aangemaakt: {path} ({'versleuteld' if versleuteld else 'niet versleuteld'})."
        )
    )
    if versleuteld:
        out.print(
            "Het bestand is versleuteld. Bewaar het wachtwoord goed: zonder wachtwoord is de "
            "inhoud niet terug te halen, ook niet door de beheerder."
        )
        if sleutelbos:
            out.print("Het wachtwoord staat ook in de sleutelbos van dit account.")


def backup(
    ctx: typer.Context,
    pad: Annotated[
        Path,
        typer.Argument(
            help="Bestand voor de back-up, bijvoorbeeld mhtool-2026-11-29.db.", show_default=False
        ),
    ],
    overschrijf: OVERWRITE_OPTION = False,
    versleuteld: Annotated[
        bool,
        typer.Option(
            "--versleuteld",
            help="Maak van een onversleutelde database een versleutelde kopie (nieuw "
            "wachtwoord, verborgen gevraagd). Een versleutelde database blijft altijd versleuteld.",
        ),
    ] = False,
    volledig: Annotated[
        bool,
        typer.Option(
            "--volledig",
            help="Controleer de kopie volledig (integrity_check, ook alle indexen); duurt bij "
            "een groot bestand minuten. Standaard: snelle controle van elke pagina (quick_check).",
        ),
    ] = False,
    as_json: JSON_OPTION = False,
) -> None:
    """Maak een gecontroleerde back-up van de database (versleuteld blijft versleuteld).

    Terugzetten: gebruik het back-upbestand met --db, of kopieer het over het databasebestand
    terwijl mhtool niet draait.
    """
    from mhtool.cli.context import state
    from mhtool.cli.passphrase import ask_passphrase
    from mhtool.cli.render import console, count, print_json, text
    from mhtool.services.backup import make_backup

    st = state(ctx)
    store = st.store(create=False)
    done = make_backup(
        store,
        pad,
        st.user,
        overwrite=overschrijf,
        new_passphrase=(lambda: ask_passphrase(pad, True)) if versleuteld else None,
        full_check=volledig,
    )
    if as_json:
        print_json(done.as_json())
        return
    out = console()
    out.print(text(f"Back-up gemaakt en gecontroleerd: {done.path}"))
    encrypted = ", versleuteld" if done.encrypted else ""
    out.print(f"{count(done.signals, 'signaal')}, schemaversie {done.schema_version}{encrypted}.")
    if not done.encrypted:
        out.print(
            "Let op: deze back-up is niet versleuteld. Bewaar hem alleen op een beveiligde plek."
        )


def lock(ctx: typer.Context) -> None:
    """Vergrendel de versleutelde database: vergeet de onthouden sleutel meteen.

    Na één keer het wachtwoord typen onthoudt mhtool de sleutel in uw inlogsessie (Linux), tot
    MHTOOL_ONTGRENDELD_MINUTEN minuten zonder gebruik voorbij zijn (standaard 15). Gebruik dit
    als u de computer even alleen laat; de volgende opdracht vraagt het wachtwoord weer.
    """
    from mhtool.cli.context import state
    from mhtool.cli.render import safe
    from mhtool.services.database import forget_session_key

    path, _ = state(ctx).database_path()
    if forget_session_key(path):
        print(safe(f"Vergrendeld: de sleutel van {path} is vergeten; de volgende opdracht vraagt "
                   "het wachtwoord weer."))  # fmt: skip
    else:
        print(safe(f"Er was geen sleutel van {path} onthouden; er is niets te vergrendelen."))
