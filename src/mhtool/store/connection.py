"""An open mhtool database and the one-transaction-per-command discipline.

The connection runs in autocommit mode; `Store.write()` wraps a use case in BEGIN IMMEDIATE so
two writers queue instead of failing half-way. Checking, creating and migrating a file before it
is used lives one level up, in `open_store.py`, which imports this module (never the reverse).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mhtool.errors import DatabaseInUseError
from mhtool.store.sqlite_errors import (
    CORRUPT_MESSAGE,
    IN_USE_CODES,
    driver_error_types,
    translate_sqlite_errors,
    translated_error,
)

# The error helpers are re-exported: most store modules import them from here.
__all__ = [
    "APPLICATION_ID",
    "BUSY_TIMEOUT_MS",
    "busy_timeout_ms",
    "CORRUPT_MESSAGE",
    "IN_USE_CODES",
    "PassphraseSource",
    "SqliteStore",
    "Store",
    "Cursor",
    "sqlite_store",
    "connect",
    "database_files",
    "insert_sql",
    "now_iso",
    "schema_version",
    "translate_sqlite_errors",
    "translated_error",
]

if TYPE_CHECKING:
    from sqlite_utils import Database

APPLICATION_ID = 0x4D48544C  # "MHTL"
# How long a command waits for another process's write transaction before giving up, and after
# how long it says that it is waiting. Writers hold the lock for milliseconds; a minute covers a
# queue of many of them, or a long `opschonen`, on a busy machine.
BUSY_TIMEOUT_MS = 60_000
WAIT_NOTICE_MS = 1_000
WAIT_ENV = "MHTOOL_WACHTTIJD"  # seconds; for scripts that would rather fail sooner
# After a checkpoint the WAL file is cut back to this size, so it stays bounded under load.
JOURNAL_SIZE_LIMIT = 4 * 1024 * 1024
CHECKPOINT_WAIT_MS = 250


class Cursor(Protocol):
    """What `Store.execute` returns on either backend (sqlite3 and psycopg cursors both fit)."""

    @property
    def description(self) -> Any: ...

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchmany(self, size: int = ...) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


# Gives the passphrase for a file; the bool says whether the file is being created (confirm it).
PassphraseSource = Callable[[Path, bool], str]


def busy_timeout_ms() -> int:
    """How long to wait for another process: MHTOOL_WACHTTIJD (whole seconds, 1-3600) or a
    minute."""
    given = os.environ.get(WAIT_ENV, "").strip()
    if given.isdigit() and 1 <= int(given) <= 3600:
        return int(given) * 1000
    return BUSY_TIMEOUT_MS


def now_iso() -> str:
    """The local time with its UTC offset, as every stored timestamp is written."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class Store:
    """An open mhtool database, whichever backend holds it: what services and store modules use.

    `SqliteStore` is the portable file (the default); `PgStore` (postgres_connection.py) a
    shared PostgreSQL server. Store modules write SQL with `?` placeholders and branch on
    `dialect` where the two differ; nothing above the store layer knows which one it has.
    """

    dialect = "sqlite"

    def __init__(self, location: str) -> None:
        # What the user is shown as "the database": a file path, or a server address without
        # any secret in it.
        self.location = location
        # SQLCipher key material of an encrypted file (None for a plain file and a server),
        # kept so a backup can be verified by opening it afresh with the same key.
        self.key: str | None = None
        # Set when opening upgraded the schema: (old version, new version, copy made before;
        # a server upgrades without one: the beheerder's own backups apply).
        self.upgraded: tuple[int, int, Path | None] | None = None
        # Set when the file was readable or writable for others and mhtool made it 0600.
        self.tightened_from: int | None = None
        # The history rows of one write transaction (one command) share this id, so `mhtool
        # ongedaan` can take back exactly one command; set by the first history row written.
        self.change_id: int | None = None
        # Temporary files a killed mhtool left that could not be removed (for `mhtool info`).
        self.leftovers: list[Path] = []
        # The kind of network file system the file is on (then no WAL), or None.
        self.network: str | None = None
        # Called once when a write has to wait for another process (the CLI says so on stderr).
        self.on_wait: Callable[[], None] | None = None

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    @property
    def on_server(self) -> bool:
        return self.dialect == "postgresql"

    @property
    def user(self) -> str | None:
        """The server's login name (the user in history and audit), None for a file."""
        return None

    @property
    def transport(self) -> str | None:
        """How a server connection travels: "socket" (this computer, not the network),
        "tls-verified" (TLS with the server's certificate checked against its name), "tls"
        (encrypted, certificate not checked: only under the lab override) or "plain"; None for
        a file."""
        return None

    @property
    def figures_only(self) -> bool:
        """True for a server login of the regional role, which reads aggregated figures from
        the `regio_*` views and no table (store/postgres_security.py); never for a file."""
        return False

    def writable_municipalities(self) -> frozenset[str] | None:
        """The gemeenten this login may log signals for, so a form can refuse another one at
        once instead of after every question; None when any (a file, the owner)."""
        return None

    @property
    def in_transaction(self) -> bool:
        raise NotImplementedError

    def insert(self, table: str, record: dict[str, Any]) -> int:
        raise NotImplementedError

    def update(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        assignments = ", ".join(f"{_quoted(c)} = ?" for c in values)
        self.execute(
            f"UPDATE {_quoted(table)} SET {assignments} WHERE id = ?",  # noqa: S608
            (*values.values(), row_id),
        )

    def execute(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> Cursor:
        raise NotImplementedError

    def executemany(self, sql: str, params: Iterable[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def rows(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        cursor = self.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def row(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> dict[str, Any] | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def stream(
        self, sql: str, params: tuple[Any, ...] | dict[str, Any] = (), size: int = 500
    ) -> Iterator[dict[str, Any]]:
        """The rows of a long result as they are consumed, `size` at a time, so a million go
        out in constant memory. Inside a `read()` or `write()` transaction."""
        cursor = self.execute(sql, params)
        names = [d[0] for d in cursor.description]
        while batch := cursor.fetchmany(size):
            for row in batch:
                yield dict(zip(names, row, strict=True))

    def write(self) -> contextlib.AbstractContextManager[Store]:
        """One use case, one transaction: all of it lands, or none of it."""
        raise NotImplementedError

    def read(self) -> contextlib.AbstractContextManager[Store]:
        """A consistent snapshot for a command that runs several queries."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class SqliteStore(Store):
    """An mhtool database file: a sqlite3 connection plus a lazily built sqlite-utils view."""

    def __init__(self, conn: sqlite3.Connection, path: Path, key: str | None = None) -> None:
        super().__init__(str(path))
        self.conn = conn
        self.path = path
        self.key = key
        self._db: Database | None = None
        self._wrote = False  # a write transaction ran: close() keeps the WAL bounded

    @property
    def db(self) -> Database:
        """sqlite-utils is imported only when a write needs it, to keep start-up fast."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def insert(self, table: str, record: dict[str, Any]) -> int:
        """Insert one row and return its id.

        Plain SQL rather than sqlite-utils: importing that costs tens of milliseconds, and a
        write must not spend them holding the write lock (every value is bound; the table and
        column names come from code, and are quoted)."""
        cursor = self.conn.execute(insert_sql(table, record), tuple(record.values()))
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def execute(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, params: Iterable[tuple[Any, ...]]) -> None:
        self.conn.executemany(sql, params)

    @contextlib.contextmanager
    def write(self) -> Iterator[Store]:
        """One use case, one transaction: all of it lands, or none of it."""
        self.change_id = None
        self._begin_immediate()
        self._wrote = True
        try:
            with translate_sqlite_errors():
                yield self
        except BaseException:
            self._rollback()
            raise
        else:
            with translate_sqlite_errors():
                try:
                    self.conn.execute("COMMIT")
                except BaseException:
                    self._rollback()
                    raise

    @contextlib.contextmanager
    def read(self) -> Iterator[Store]:
        """A consistent snapshot for a command that runs several queries."""
        with translate_sqlite_errors():
            self.conn.execute("BEGIN")
        try:
            with translate_sqlite_errors():
                yield self
        finally:
            self._rollback()

    def _begin_immediate(self) -> None:
        """Take the write lock. When another process holds it for longer than a second, say so
        (`on_wait`, once) and keep waiting up to the full busy timeout."""
        total = busy_timeout_ms()
        if self.on_wait is None or total <= WAIT_NOTICE_MS:
            with translate_sqlite_errors():
                self.conn.execute("BEGIN IMMEDIATE")
            return
        try:
            with translate_sqlite_errors():
                self.conn.execute(f"PRAGMA busy_timeout = {WAIT_NOTICE_MS}")
                self.conn.execute("BEGIN IMMEDIATE")
            return
        except DatabaseInUseError:
            self.on_wait()
        finally:
            with translate_sqlite_errors():
                self.conn.execute(f"PRAGMA busy_timeout = {total - WAIT_NOTICE_MS}")
        try:
            with translate_sqlite_errors():
                self.conn.execute("BEGIN IMMEDIATE")
        finally:
            with translate_sqlite_errors():
                self.conn.execute(f"PRAGMA busy_timeout = {total}")

    def _rollback(self) -> None:
        """Undo an open transaction; a failing rollback must not hide the original error (SQLite
        then rolls back itself when the connection closes)."""
        with contextlib.suppress(*driver_error_types()):
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")

    def close(self) -> None:
        """Close; a writer that leaves a large WAL behind first tries to empty it.

        SQLite checkpoints after commits on its own, but can only start the WAL over when no
        reader is using it at that moment: with many processes at once (an encrypted file
        especially, where each open takes a while) that moment may never come and the WAL
        grew past 120 MB for a 2.4 MB database. A TRUNCATE checkpoint waits briefly for the
        readers of the moment; if they are not done, the next writer tries again."""
        try:
            if self._wrote and _wal_size(self.path) > JOURNAL_SIZE_LIMIT:
                with contextlib.suppress(*driver_error_types()):
                    self.conn.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
                    self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            self.conn.close()


def _wal_size(path: Path) -> int:
    try:
        return path.with_name(path.name + "-wal").stat().st_size
    except OSError:
        return 0


def insert_sql(table: str, record: dict[str, Any]) -> str:
    """One row's INSERT with `?` for every value, for both backends (the table and column
    names come from code, and are quoted)."""
    columns = ", ".join(_quoted(c) for c in record)
    marks = ", ".join("?" for _ in record)
    return f"INSERT INTO {_quoted(table)} ({columns}) VALUES ({marks})"  # noqa: S608


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def connect(path: Path, key: str | None = None) -> sqlite3.Connection:
    """A plain sqlite3 connection, or a SQLCipher one when `key` (hex key material) is given."""
    timeout_ms = busy_timeout_ms()
    if key is None:
        conn = sqlite3.connect(path, isolation_level=None, timeout=timeout_ms / 1000)
    else:
        from mhtool.store.cipher import connect_encrypted

        conn = connect_encrypted(path, key, timeout_ms / 1000)
    try:
        with translate_sqlite_errors():
            conn.execute(f"PRAGMA busy_timeout = {timeout_ms}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")
    except BaseException:
        conn.close()
        raise
    return conn


def database_files(path: Path) -> tuple[Path, ...]:
    """The database and the files SQLite keeps beside it (WAL, shared memory, rollback journal)."""
    return (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal")))


def schema_version(store: Store) -> int:
    if store.dialect == "postgresql":
        row = store.execute("SELECT coalesce(max(version), 0) FROM schema_migration").fetchone()
        return int(row[0])
    return int(store.execute("PRAGMA user_version").fetchone()[0])


def sqlite_store(store: Store, what: str) -> SqliteStore:
    """The file behind `store`, for what only a file can do (`what`: a Dutch phrase naming
    it); on a server this is one clear sentence instead."""
    if isinstance(store, SqliteStore):
        return store
    from mhtool.errors import ValidationError

    raise ValidationError(
        f"{what} kan alleen met een databasebestand, niet met een database op een server; "
        "op een server regelt de beheerder dit (zie docs/server.md)."
    )
