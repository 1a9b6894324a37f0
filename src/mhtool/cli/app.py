"""The `mhtool` entry point: global options and the one place errors are shown.

The commands are listed in `cli/command_registry.py` and built only when used; heavy modules
(sqlite-utils, questionary, rich tables) are imported inside commands, never here, so
`mhtool --help` starts fast.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from mhtool import __version__
from mhtool.cli import dutch_click
from mhtool.cli.command_registry import RootGroup
from mhtool.cli.context import AppState
from mhtool.errors import ExitCode, MhtoolError, ValidationError

HELP = (
    "mhtool: signalen van mogelijke mensenhandel vastleggen en volgen door de meldroute "
    "(ontvangst, vastleggen en verrijken, bespreken met politie en zorgcoördinator, bespreken "
    "met RIEC / HvO Querido, afronding). Alles staat in één SQLite-bestand, of voor een team "
    "in één PostgreSQL-database op een server (--db postgresql://...)."
)


app = typer.Typer(
    cls=RootGroup,  # commands come from cli/command_registry.py, built when used
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
            help="Databasebestand of serveradres (postgresql://..., zie docs/server.md). Anders "
            "MHTOOL_DB, anders de standaardlocatie (zie 'mhtool info').",
            show_default=False,
        ),
    ] = None,
    gebruiker: Annotated[
        str | None,
        typer.Option(
            "--gebruiker",
            help="Naam die in de historie komt. Standaard de gebruikersnaam van de computer; "
            "niet op een server (daar is het uw inlognaam).",
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
    _check_server(db, gebruiker is not None)
    from mhtool.domain.audit import check_user_name

    user = check_user_name((gebruiker or "").strip() or _os_user())
    ctx.obj = AppState(db_flag=db, user=user, command=ctx.invoked_subcommand or "")
    _last_state[:] = [ctx.obj]
    ctx.call_on_close(ctx.obj.close)


# The state of the run in progress, so main() can show the agenda's reminder after a success.
_last_state: list[AppState] = []


def _check_server(db: str | None, user_given: bool) -> None:
    """A server address is checked against the wire policy before any command runs (a password
    in it, a server elsewhere without verify-full: refused whatever else is wrong). A file
    costs one prefix test here, nothing is imported for it."""
    text = db if db else os.environ.get("MHTOOL_DB", "")
    if not text.strip()[:8].lower().startswith("postgres"):
        return
    from mhtool.services.database import server_target

    target = server_target(db)
    if target is not None and user_given:
        # On a server the login name is the name in history and audit (the server decides who
        # may do what by it), so a name typed on the command line would be a false record.
        raise ValidationError(
            f"--gebruiker werkt niet met een database op een server ({target[1]}): daar komt "
            "uw inlognaam op de server in de historie en het auditlog; laat --gebruiker weg."
        )


def _os_user() -> str:
    import getpass  # only when a command runs, not for --help

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "onbekend"


def main() -> None:
    """Run the CLI; every error becomes one Dutch sentence and an exit code, never a traceback."""
    from mhtool.portability import restrict_new_files

    restrict_new_files()
    dutch_click.install()
    if os.environ.get("_MHTOOL_COMPLETE"):  # the shell asks for completions (cli/completion.py)
        from mhtool.cli.completion import complete

        sys.exit(complete(app))
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

    code: int = ExitCode.OK
    _last_state.clear()
    try:
        result = app(prog_name="mhtool", standalone_mode=False)
        code = result if isinstance(result, int) else ExitCode.OK
        if code == ExitCode.ABORTED:  # typer turns Ctrl-C into a silent exit 130
            print_error("Afgebroken; er is niets opgeslagen.")
        elif code == ExitCode.OK and _last_state and _last_state[0].hint:
            sys.stderr.write(_last_state[0].hint + "\n")  # stderr: --json stdout stays clean
    except MhtoolError as error:
        print_error(error.message)
        code = error.exit_code
    except OSError as error:
        # A path the operating system refused (too long, read-only, no access, disk full)
        # wherever it was first touched: one Dutch sentence by errno, never its English text.
        from mhtool.errors import file_error

        failure = file_error(error, outcome="er is niets opgeslagen")
        print_error(failure.message)
        code = failure.exit_code
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
            from mhtool.cli.render import safe

            sys.stderr.write(f"Zie '{safe(error.ctx.command_path)} --help' voor hulp.\n")
        code = ExitCode.USAGE
    except ClickException as error:
        print_error(dutch_click.translate_message(error.format_message()))
        code = ExitCode.USAGE
    except Exception as error:  # noqa: BLE001 - the last line of defence for users
        if os.environ.get("MHTOOL_DEBUG"):
            raise
        from mhtool.services.database import untranslated_database_error

        driver_failure = untranslated_database_error(error)
        if driver_failure is not None:
            print_error(driver_failure.message)
            code = driver_failure.exit_code
        else:
            print_error(
                f"Er ging iets onverwachts mis ({type(error).__name__}); er is niets opgeslagen. "
                "Meld dit bij de beheerder van mhtool."
            )
            code = ExitCode.INTERNAL
    sys.exit(code)


def print_error(message: str) -> None:
    """render.print_error, imported only when there is an error to show."""
    from mhtool.cli.render import print_error as show

    show(message)
