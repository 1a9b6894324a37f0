"""`mhtool server ...`: working with a shared PostgreSQL server (see docs/server.md).

The group lives here so that every server command is one `@app.command(...)` in this module (or
in a module registered at the end of this one, as signal_commands.py does); the group itself is
one line in cli/command_registry.py.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from typer._click import Context
from typer.core import TyperCommand

from mhtool.cli.context import state

app = typer.Typer(
    help="Werken met een gedeelde PostgreSQL-server (zie docs/server.md).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

ADDRESS_ARG = Annotated[
    str | None,
    typer.Argument(
        metavar="[ADRES]",
        help="Het serveradres (postgresql://...), zonder wachtwoord; standaard --db of MHTOOL_DB.",
        show_default=False,
    ),
]


@app.command("wachtwoord")
def password_command(
    ctx: typer.Context,
    adres: ADDRESS_ARG = None,
    vergeet: Annotated[
        bool, typer.Option("--vergeet", help="Verwijder het bewaarde wachtwoord weer.")
    ] = False,
) -> None:
    """Bewaar uw wachtwoord voor de server in de sleutelbos van uw account.

    mhtool vraagt het wachtwoord twee keer (verborgen) en gebruikt het daarna bij elke
    verbinding met deze server. Een wachtwoord staat nooit in het adres of op de opdrachtregel.
    Zonder sleutelbos (pakket 'keyring', mhtool[sleutelbos]) zet u het in uw .pgpass-bestand.
    """
    from mhtool.cli.render import safe
    from mhtool.errors import MhtoolError, ValidationError
    from mhtool.services.server_access import (
        check_keyring,
        chosen_server_address,
        forget_password,
        key_of,
        save_password,
    )

    address = chosen_server_address(adres, state(ctx).db_flag)
    shown = safe(address.display)
    if vergeet:
        if forget_password(address):
            print(f"Het bewaarde wachtwoord voor {shown} is uit de sleutelbos verwijderd.")
        else:
            print(f"Er was geen wachtwoord bewaard voor {shown}; er is niets verwijderd.")
        return
    check_keyring()
    if not _has_terminal():
        raise MhtoolError(
            "Er is geen terminal om het wachtwoord verborgen te vragen; start 'mhtool server "
            "wachtwoord' in een terminal, of zet het wachtwoord in uw .pgpass-bestand."
        )
    user = safe(key_of(address).rpartition("@")[0])
    first = _prompt(f"Wachtwoord van {user} voor {shown}: ")
    if not first:
        raise ValidationError("Het wachtwoord is leeg; er is niets bewaard.")
    if _prompt("Typ het wachtwoord nogmaals: ") != first:
        raise ValidationError("De wachtwoorden zijn niet gelijk; er is niets bewaard.")
    key = save_password(address, first)
    print(
        f"Het wachtwoord voor {shown} is bewaard in de sleutelbos van uw account (als "
        f"{safe(key)}); mhtool gebruikt het voortaan bij elke verbinding met deze server."
    )


def _has_terminal() -> bool:
    return sys.stdin.isatty()


def _prompt(message: str) -> str:
    # getpass writes the prompt to the terminal and turns echo off; Ctrl-C/Ctrl-D become the
    # CLI's usual "Afgebroken".
    return getpass.getpass(message)


class _OrderedOptions(TyperCommand):
    """Remembers the order in which the options were given (ctx.meta), which click keeps for
    itself: `server rollen` pairs each --gemeente with the officer named before it."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        _, _, order = self.make_parser(ctx).parse_args(args=list(args))
        ctx.meta[_ORDER_KEY] = [param.name for param in order]
        return super().parse_args(ctx, args)


_ORDER_KEY = "mhtool.option_order"


@app.command("rollen", cls=_OrderedOptions)
def roles_command(
    ctx: typer.Context,
    functionaris: Annotated[
        list[str] | None,
        typer.Option(
            "--functionaris",
            metavar="NAAM",
            help="Inlognaam van een aandachtsfunctionaris (lezen en schrijven); de --gemeente "
            "erna zegt welke signalen. Herhaalbaar.",
            show_default=False,
        ),
    ] = None,
    lezer: Annotated[
        list[str] | None,
        typer.Option(
            "--lezer",
            metavar="NAAM",
            help="Inlognaam van een vervanger of collega die alleen leest; de --gemeente erna "
            "zegt welke signalen (zonder --gemeente: die van de functionarissen in deze "
            "opdracht). Herhaalbaar.",
            show_default=False,
        ),
    ] = None,
    regio: Annotated[
        list[str] | None,
        typer.Option(
            "--regio",
            metavar="NAAM",
            help="Inlognaam voor de regio: alleen cijfers (statistiek, jaarverslag) van alle "
            "gemeenten, geen namen. Herhaalbaar.",
            show_default=False,
        ),
    ] = None,
    gemeente: Annotated[
        list[str] | None,
        typer.Option(
            "--gemeente",
            metavar="GEMEENTE",
            help="Gemeente die de --functionaris of --lezer ervóór mag zien. Herhaalbaar.",
            show_default=False,
        ),
    ] = None,
    uitvoeren: Annotated[
        bool,
        typer.Option(
            "--uitvoeren",
            help="Voer de SQL meteen uit op de server (--db of MHTOOL_DB); alleen als eigenaar "
            "van de mhtool-tabellen met het recht om rollen te maken.",
        ),
    ] = False,
) -> None:
    """Schrijf de SQL die de rollen en rechten op de server maakt.

    Zonder --uitvoeren schrijft mhtool alleen de SQL (naar het scherm of met > naar een
    bestand), zodat de beheerder die kan nalezen en als eigenaar uitvoeren (psql -f). Elke
    functionaris en lezer ziet alleen de signalen van de gemeenten die erbij staan; de regio
    ziet alleen cijfers. Wachtwoorden staan nooit in de SQL.
    """
    from mhtool.domain.server_roles import REGIO, plan_grants
    from mhtool.services.server_roles import apply_roles, require_server, roles_script

    values = {
        "functionaris": list(functionaris or []),
        "lezer": list(lezer or []),
        "regio": list(regio or []),
        "gemeente": list(gemeente or []),
    }
    given: list[tuple[str, str]] = []
    for name in ctx.meta.get(_ORDER_KEY, []):
        if name in values and values[name]:
            given.append((name, values[name].pop(0)))
    grants = plan_grants(given)
    for grant in grants:
        if grant.kind != REGIO and not grant.municipalities:
            sys.stderr.write(
                f"Let op: {grant.login} krijgt geen gemeente en ziet dus geen signalen, tenzij "
                "er al gemeenten voor zijn vastgelegd; zet --gemeente direct na de naam.\n"
            )
    if not uitvoeren:
        sys.stdout.write(roles_script(grants))
        return
    app_state = state(ctx)
    require_server(app_state.server() is not None)
    store = app_state.store()
    from mhtool.cli.render import count

    done = apply_roles(store, app_state.user, grants)
    print(
        f"De rollen zijn op de server gemaakt of bijgewerkt ({count(done, 'opdracht')}, "
        f"{count(len(grants), 'inlognaam')})."
    )
