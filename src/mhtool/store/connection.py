"""Opening an mhtool database file safely, and the one-transaction-per-command discipline.

Every file is checked before SQLite touches it, so a wrong path (a directory, a text file, an
empty file, another program's database, a newer mhtool schema) gives a distinct Dutch message and
is never modified. The connection runs in autocommit mode; `Store.write()` wraps a use case in
BEGIN IMMEDIATE so two writers queue (busy_timeout) instead of failing half-way.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mhtool.errors import DatabaseError, DatabaseInUseError, MhtoolError

if TYPE_CHECKING:
    from sqlite_utils import Database

APPLICATION_ID = 0x4D48544C  # "MHTL"
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


class Store:
    """An open mhtool database: a sqlite3 connection plus a lazily built sqlite-utils view."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._db: Database | None = None

    @property
    def db(self) -> Database:
        """sqlite-utils is imported only when a write needs it, to keep start-up fast."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    def insert(self, table: str, record: dict[str, Any]) -> int:
        """Insert one row through sqlite-utils and return its id."""
        last_pk = self.db.table(table).insert(record).last_pk
        assert last_pk is not None
        return int(last_pk)

    def update(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        self.db.table(table).update(row_id, values)

    def execute(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def rows(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def row(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> dict[str, Any] | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    @contextlib.contextmanager
    def write(self) -> Iterator[Store]:
        """One use case, one transaction: all of it lands, or none of it."""
        with translate_sqlite_errors():
            self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            with translate_sqlite_errors():
                try:
                    self.conn.execute("COMMIT")
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise

    @contextlib.contextmanager
    def read(self) -> Iterator[Store]:
        """A consistent snapshot for a command that runs several queries."""
        with translate_sqlite_errors():
            self.conn.execute("BEGIN")
        try:
            yield self
        finally:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()


@contextlib.contextmanager
def translate_sqlite_errors() -> Iterator[None]:
    """Turn driver errors into one Dutch sentence; the SQL and its values never reach the user."""
    try:
        yield
    except MhtoolError:
        raise
    except sqlite3.OperationalError as error:
        text = str(error).lower()
        if "locked" in text or "busy" in text:
            raise DatabaseInUseError(
                "De database is in gebruik door een ander proces; probeer het zo opnieuw."
            ) from None
        if "full" in text:
            raise DatabaseError(
                "De schijf of database is vol; er is niets opgeslagen. Maak ruimte vrij en probeer "
                "het opnieuw."
            ) from None
        if "readonly" in text or "read-only" in text:
            raise DatabaseError(
                "De database kan niet worden beschreven (alleen-lezen); controleer de rechten."
            ) from None
        raise DatabaseError(
            "De database gaf een fout; er is niets gewijzigd. Controleer het bestand met "
            "'mhtool info'."
        ) from None
    except sqlite3.DatabaseError:
        raise DatabaseError(
            "Het databasebestand is beschadigd of geen mhtool-database; er is niets gewijzigd."
        ) from None


def _check_existing_file(path: Path) -> None:
    """Refuse anything that is not an SQLite file, before SQLite can touch it."""
    if path.is_dir():
        raise DatabaseError(f"{path} is een map, geen databasebestand; geef een bestandsnaam op.")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except PermissionError:
        raise DatabaseError(f"Geen toegang tot {path}; controleer de rechten.") from None
    if size == 0:
        raise DatabaseError(
            f"{path} is een leeg bestand (0 bytes), geen mhtool-database; kies een ander pad of "
            "verwijder het lege bestand."
        )
    if header != SQLITE_HEADER:
        raise DatabaseError(
            f"{path} is geen SQLite-database (misschien een tekst- of ander bestand); "
            "er is niets gewijzigd."
        )


def _create_empty_file(path: Path) -> None:
    """Create the file readable for its owner only before SQLite opens it; WAL and SHM files
    inherit this mode from the database file."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    with translate_sqlite_errors():
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
    return conn


def open_store(path: Path, *, create: bool = True) -> Store:
    """Open (and if needed create and migrate) the mhtool database at `path`."""
    from mhtool.store.migrations import LATEST_VERSION, apply_migrations

    path = path.expanduser()
    new = not path.exists()
    if new:
        if not create:
            raise DatabaseError(
                f"Er is nog geen database op {path}; leg eerst een signaal vast of geef --db op."
            )
        _create_empty_file(path)
    else:
        _check_existing_file(path)
    conn = connect(path)
    try:
        with translate_sqlite_errors():
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            ).fetchone()[0]
        if app_id != APPLICATION_ID and not (app_id == 0 and tables == 0):
            raise DatabaseError(
                f"{path} is een database van een ander programma, geen mhtool-database; "
                "er is niets gewijzigd."
            )
        if version > LATEST_VERSION:
            raise DatabaseError(
                f"{path} is gemaakt met een nieuwere versie van mhtool (schema {version}); "
                "werk mhtool bij voordat u dit bestand gebruikt."
            )
        with translate_sqlite_errors():
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
        store = Store(conn, path)
        if version < LATEST_VERSION:
            apply_migrations(store)
        return store
    except BaseException:
        conn.close()
        if new and path.exists() and path.stat().st_size == 0:
            path.unlink()
        raise


def schema_version(store: Store) -> int:
    return int(store.execute("PRAGMA user_version").fetchone()[0])
