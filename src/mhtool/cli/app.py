"""The `mhtool` entry point: global options, command groups, and the one place errors are shown.

Heavy modules (sqlite-utils, questionary, rich tables) are imported inside commands, never here,
so `mhtool --help` starts fast.
"""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

import typer

from mhtool import __version__
from mhtool.cli import dutch_click
from mhtool.errors import ExitCode, MhtoolError, ValidationError

if TYPE_CHECKING:
    from pathlib import Path

    from mhtool.store.connection import Store

HELP = (
    "mhtool: signalen van mogelijke mensenhandel vastleggen en volgen door de meldroute "
    "(ontvangst, vastleggen en verrijken, bespreken met politie en zorgcoördinator, bespreken "
    "met RIEC / HvO Querido, afronding). Alles staat in één SQLite-bestand."
)


@dataclass
class AppState:
    """Global options, and the database opened at most once per command."""

    db_flag: str | None = None
    user: str = ""
    _store: Store | None = field(default=None, repr=False)

    def database_path(self) -> tuple[Path, str]:
        from mhtool.services.database import resolve_database_path

        return resolve_database_path(self.db_flag)

    def database_files(self) -> tuple[Path, ...]:
        """The database and the files beside it: what no export may ever overwrite."""
        from mhtool.services.database import database_files

        return database_files(self.database_path()[0])

    def store(self, *, create: bool = False) -> Store:
        """Open the database; only commands that record something new may create the file."""
        if self._store is None:
            from mhtool.cli.passphrase import ask_passphrase
            from mhtool.services.database import open_database

            path, source = self.database_path()
            self._store = open_database(path, source, create=create, passphrase=ask_passphrase)
            tell_opened(path, self._store.upgraded, self._store.tightened_from)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def tell_opened(
    path: Path, upgraded: tuple[int, int, Path] | None, tightened_from: int | None
) -> None:
    """What opening changed on its own is never silent (on stderr, so --json stays clean)."""
    from mhtool.cli.render import safe

    if tightened_from is not None:
        sys.stderr.write(
            f"Let op: {safe(path)} was ook voor anderen toegankelijk ({tightened_from:04o}); "
            "mhtool heeft de rechten op 0600 (alleen u) gezet.\n"
        )
    if upgraded is not None:
        old_version, new_version, copy = upgraded
        sys.stderr.write(
            f"De database is bijgewerkt van schemaversie {old_version} naar {new_version}. "
            f"Een kopie van vóór het bijwerken staat in {safe(copy)} (alleen voor u leesbaar); "
            "verwijder die veilig zodra alles werkt.\n"
        )


def state(ctx: typer.Context) -> AppState:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppState)
    return obj


app = typer.Typer(
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mhtool {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Databasebestand. Anders MHTOOL_DB, anders de standaardlocatie (zie 'mhtool info').",
            show_default=False,
        ),
    ] = None,
    gebruiker: Annotated[
        str | None,
        typer.Option(
            "--gebruiker",
            help="Naam die in de historie komt. Standaard de gebruikersnaam van de computer.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--versie", callback=_version, is_eager=True, help="Toon de versie en stop."),
    ] = False,
) -> None:
    if db is not None and not db.strip():
        raise ValidationError("--db is leeg; geef het pad van het databasebestand op.")
    if gebruiker is not None and not gebruiker.strip():
        raise ValidationError("--gebruiker is leeg; geef een naam op of laat de optie weg.")
    from mhtool.domain.audit import check_user_name

    user = check_user_name((gebruiker or "").strip() or _os_user())
    ctx.obj = AppState(db_flag=db, user=user)
    ctx.call_on_close(ctx.obj.close)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "onbekend"


def _register() -> None:
    from mhtool.cli import (
        audit_commands,
        enrich_commands,
        entity_commands,
        general_commands,
        person_rights_commands,
        report_commands,
        retention_commands,
        search_commands,
        signal_commands,
        statistics_commands,
        storage_commands,
    )

    enrich_commands.register(signal_commands.app)
    app.add_typer(signal_commands.app, name="signaal")
    general_commands.register(app)
    storage_commands.register(app)
    statistics_commands.register(app)
    report_commands.register(app)
    app.add_typer(audit_commands.app, name="audit")
    retention_commands.register(app)
    search_commands.register(app)
    person_rights_commands.register(entity_commands.person_app)
    app.add_typer(entity_commands.person_app, name="persoon")
    app.add_typer(entity_commands.address_app, name="adres")
    app.add_typer(entity_commands.organisation_app, name="organisatie")


_register()


def main() -> None:
    """Run the CLI; every error becomes one Dutch sentence and an exit code, never a traceback."""
    # Everything this process creates (database, WAL/SHM, backups, exports) is for the owner only.
    os.umask(0o077)
    dutch_click.install()
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

    from mhtool.cli.render import print_error, safe

    code: int = ExitCode.OK
    try:
        result = app(prog_name="mhtool", standalone_mode=False)
        code = result if isinstance(result, int) else ExitCode.OK
        if code == ExitCode.ABORTED:  # typer turns Ctrl-C into a silent exit 130
            print_error("Afgebroken; er is niets opgeslagen.")
    except MhtoolError as error:
        print_error(error.message)
        code = error.exit_code
    except (typer.Abort, KeyboardInterrupt, EOFError):
        if sys.stderr.isatty():
            sys.stderr.write("\n")  # the cursor may still stand after a prompt
        print_error("Afgebroken; er is niets opgeslagen.")
        code = ExitCode.ABORTED
    except NoArgsIsHelpError as error:
        # `mhtool` or `mhtool signaal` on its own: the help is the answer, not an error.
        sys.stdout.write(error.format_message() + "\n")
        code = ExitCode.OK
    except UsageError as error:
        print_error(dutch_click.translate_message(error.format_message()))
        if error.ctx is not None:
            sys.stderr.write(f"Zie '{safe(error.ctx.command_path)} --help' voor hulp.\n")
        code = ExitCode.USAGE
    except ClickException as error:
        print_error(dutch_click.translate_message(error.format_message()))
        code = ExitCode.USAGE
    except Exception as error:  # noqa: BLE001 - the last line of defence for users
        if os.environ.get("MHTOOL_DEBUG"):
            raise
        print_error(
            f"Er ging iets onverwachts mis ({type(error).__name__}); er is niets opgeslagen. "
            "Meld dit bij de beheerder van mhtool."
        )
        code = ExitCode.INTERNAL
    sys.exit(code)
