"""The state one command run shares: global options and the database, opened at most once.

It lives apart from `cli/app.py` so that command modules can reach it without importing the
entry point (which knows every command): the import graph stays a tree.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    import typer

    from mhtool.store.connection import Store


class AppState:
    """Global options, and the database opened at most once per command. (A plain class, not a
    dataclass: `mhtool --help` imports this module, and dataclasses costs start-up time.)"""

    def __init__(
        self,
        db_flag: str | None = None,
        user: str = "",
        command: str = "",
        hint: str | None = None,
    ) -> None:
        self.db_flag = db_flag
        self.user = user
        self.command = command
        self.hint = hint  # the agenda's reminder, shown by main() after a success
        self._store: Store | None = None

    def database_path(self) -> tuple[Path, str]:
        from mhtool.services.database import resolve_database_path

        return resolve_database_path(self.db_flag)

    def server(self) -> tuple[str, str] | None:
        """The server address (and where it was given) when the database is on a server."""
        from mhtool.services.database import server_target

        return server_target(self.db_flag)

    def database_files(self) -> tuple[Path, ...]:
        """The database and the files beside it: what no export may ever overwrite (none when
        the database is on a server)."""
        from mhtool.services.database import database_files

        if self.server() is not None:
            return ()
        return database_files(self.database_path()[0])

    def store(self, *, create: bool = False, new_passphrase: str | None = None) -> Store:
        """Open the database; only commands that record something new may create the file,
        encrypted with `new_passphrase` when one was chosen. Creating it is never silent."""
        if self._store is None and self.server() is not None:
            self._store = self._open_server()
        if self._store is None:
            from mhtool.cli.passphrase import ask_passphrase
            from mhtool.services.database import open_database

            path, source = self.database_path()
            existed = path.exists()

            def passphrase(for_path: Path, new: bool) -> str:
                if new and new_passphrase is not None:
                    return new_passphrase
                return ask_passphrase(for_path, new)

            self._store = open_database(
                path,
                source,
                create=create,
                encrypt=new_passphrase is not None,
                passphrase=passphrase,
                on_wait=tell_waiting,
            )
            tell_opened(path, self._store.upgraded, self._store.tightened_from)
            if self._store.network is not None:
                tell_network_share(path, self._store.network)
            if not existed:
                from mhtool.cli.first_run import tell_created

                tell_created(path, source, self._store.encrypted)
        return self._store

    def _open_server(self) -> Store:
        """On a server the login name is the user in history and audit, whatever the client
        says (`--gebruiker` is refused there)."""
        from mhtool.services.database import open_server_database
        from mhtool.services.server_access import server_address

        target = self.server()
        assert target is not None
        address = server_address(target[0])  # the wire policy, before anything is sent
        if address.unverified_remote:
            tell_unverified_server(address.display)
        store = open_server_database(address, on_wait=tell_waiting)
        try:
            self.user = store.user or self.user
            if store.upgraded is not None:
                tell_opened(None, store.upgraded, None)
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        if self._store is not None:
            if self.command != "agenda":
                self.hint = agenda_hint(self._store)
            self._store.close()
            self._store = None


def tell_network_share(path: Path, kind: str) -> None:
    """A database on a network share is used without WAL; the user must know why (stderr)."""
    from mhtool.cli.render import safe

    sys.stderr.write(
        f"Let op: {safe(path)} staat op een netwerkschijf ({safe(kind)}). Daar werkt SQLite niet "
        "betrouwbaar als meerdere computers het bestand tegelijk gebruiken; mhtool gebruikt "
        "daarom geen WAL. Gebruik het bestand vanaf één computer tegelijk, of zet het op een "
        "lokale schijf; om met meerdere mensen te werken is er de servermodus (een "
        "PostgreSQL-server, zie docs/server.md).\n"
    )


def tell_unverified_server(display: str) -> None:
    """The lab override is on and this server is elsewhere: said at every command, so it can
    never be left on unnoticed (stderr)."""
    from mhtool.cli.render import safe
    from mhtool.domain.server_address import LAB_OVERRIDE_ENV

    sys.stderr.write(
        f"Let op: de verbinding met {safe(display)} is niet beveiligd met een gecontroleerd "
        f"certificaat ({LAB_OVERRIDE_ENV} staat aan); gebruik dit alleen in een testomgeving "
        "zonder echte gegevens.\n"
    )


def tell_waiting() -> None:
    """Said once when a command has waited about a second for another process (stderr)."""
    sys.stderr.write(
        "Wachten op een ander proces dat de database gebruikt … (Ctrl-C om te stoppen)\n"
    )
    sys.stderr.flush()


def agenda_hint(store: Store) -> str | None:
    """The agenda's one-line reminder, computed while the command's database is still open
    (never opening one); a failure here must never spoil the command that just ran."""
    try:
        from mhtool.services.agenda_hint import overdue_hint

        return overdue_hint(store)
    except Exception:  # noqa: BLE001 - a reminder is never worth an error
        return None


def tell_opened(
    path: Path | None, upgraded: tuple[int, int, Path | None] | None, tightened_from: int | None
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
        if copy is None:
            sys.stderr.write(
                f"De database op de server is bijgewerkt van schemaversie {old_version} naar "
                f"{new_version}.\n"
            )
            return
        sys.stderr.write(
            f"De database is bijgewerkt van schemaversie {old_version} naar {new_version}. "
            f"Een kopie van vóór het bijwerken staat in {safe(copy)} (alleen voor u leesbaar); "
            "verwijder die veilig zodra alles werkt.\n"
        )


def state(ctx: typer.Context) -> AppState:
    """The AppState the root callback put on the outermost context."""
    obj = ctx.find_root().obj
    assert isinstance(obj, AppState)
    return obj
