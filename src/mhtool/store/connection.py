"""Opening an mhtool database file safely, and the one-transaction-per-command discipline.

Every file is checked before SQLite touches it, so a wrong path (a directory, a text file, an
empty or cut-off file, another program's database, a newer mhtool schema, a damaged file) gives a
distinct Dutch message and is never modified. Encrypted files (SQLCipher) are recognised by having
no readable header and opened with a key; plain files use the stdlib driver. The connection runs
in autocommit mode; `Store.write()` wraps a use case in BEGIN IMMEDIATE so two writers queue
(busy_timeout) instead of failing half-way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mhtool.errors import DatabaseError, DatabaseInUseError, MhtoolError
from mhtool.portability import POSIX

if TYPE_CHECKING:
    from sqlite_utils import Database

APPLICATION_ID = 0x4D48544C  # "MHTL"
BUSY_TIMEOUT_MS = 5000

# Gives the passphrase for a file; the bool says whether the file is being created (confirm it).
PassphraseSource = Callable[[Path, bool], str]


def now_iso() -> str:
    """The local time with its UTC offset, as every stored timestamp is written."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class Store:
    """An open mhtool database: a sqlite3 connection plus a lazily built sqlite-utils view.

    `key` is the SQLCipher key material of an encrypted file (None for a plain one), kept so a
    backup can be verified by opening it afresh with the same key.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, key: str | None = None) -> None:
        self.conn = conn
        self.path = path
        self.key = key
        self._db: Database | None = None
        # Set when opening upgraded the schema: (old version, new version, copy made before).
        self.upgraded: tuple[int, int, Path] | None = None
        # Set when the file was readable or writable for others and mhtool made it 0600.
        self.tightened_from: int | None = None
        # The history rows of one write transaction (one command) share this id, so `mhtool
        # ongedaan` can take back exactly one command; set by the first history row written.
        self.change_id: int | None = None

    @property
    def encrypted(self) -> bool:
        return self.key is not None

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
        self.change_id = None
        with translate_sqlite_errors():
            self.conn.execute("BEGIN IMMEDIATE")
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

    def _rollback(self) -> None:
        """Undo an open transaction; a failing rollback must not hide the original error (SQLite
        then rolls back itself when the connection closes)."""
        with contextlib.suppress(*driver_error_types()):
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()


# Primary SQLite result codes (the low byte of an extended code).
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26
IN_USE_CODES = (SQLITE_BUSY, SQLITE_LOCKED)

IN_USE_MESSAGE = "De database is in gebruik door een ander proces; probeer het zo opnieuw."
CORRUPT_MESSAGE = (
    "Het databasebestand is beschadigd (SQLite vond fouten in de inhoud); er is niets gewijzigd. "
    "Zet een back-up terug (zie 'mhtool backup --help')."
)


def driver_error_types() -> tuple[type[Exception], ...]:
    """The error base classes of every SQLite driver loaded in this process.

    sqlcipher3 has its own exception hierarchy, unrelated to the stdlib's, so `except
    sqlite3.Error` alone would let its errors through as tracebacks. It is only looked up, never
    imported here: a process that never opened an encrypted file has not loaded it.
    """
    found: list[type[Exception]] = [sqlite3.Error]
    cipher = sys.modules.get("sqlcipher3.dbapi2")
    if cipher is not None:
        found.append(cipher.Error)
    return tuple(found)


@contextlib.contextmanager
def translate_sqlite_errors() -> Iterator[None]:
    """Turn driver errors into one Dutch sentence; the SQL and its values never reach the user."""
    try:
        yield
    except MhtoolError:
        raise
    except Exception as error:
        if not isinstance(error, driver_error_types()):
            raise
        raise translated_error(error) from None


def translated_error(error: Exception) -> MhtoolError:
    """Map a driver error to a Dutch error by its SQLite result code (text as a fallback)."""
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    text = str(error).lower()
    if code in IN_USE_CODES or "locked" in text or "busy" in text:
        return DatabaseInUseError(IN_USE_MESSAGE)
    if code == SQLITE_FULL or "full" in text:
        return DatabaseError(
            "De schijf of database is vol; er is niets opgeslagen. Maak ruimte vrij en probeer "
            "het opnieuw."
        )
    if code == SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return DatabaseError(
            "De database kan niet worden beschreven (alleen-lezen); controleer de rechten."
        )
    if code == SQLITE_CORRUPT or "malformed" in text:
        return DatabaseError(CORRUPT_MESSAGE)
    if code == SQLITE_NOTADB or "not a database" in text:
        return DatabaseError(
            "Het bestand is geen (leesbare) mhtool-database; er is niets gewijzigd."
        )
    if code == SQLITE_IOERR or "disk i/o" in text:
        return DatabaseError(
            "Lezen of schrijven van het databasebestand mislukte (schijffout?); er is niets "
            "opgeslagen. Controleer de schijf en probeer het opnieuw."
        )
    if code == SQLITE_CANTOPEN or "unable to open" in text:
        return DatabaseError("Het databasebestand kan niet worden geopend; controleer het pad.")
    if type(error).__name__ == "IntegrityError":
        # A constraint (UNIQUE, CHECK, foreign key) refused a write: the file is fine, the
        # input clashed with what is stored. Saying 'beschadigd' would send people to a backup.
        return MhtoolError(
            "Deze gegevens botsen met wat er al is vastgelegd (dubbel of niet passend); er is "
            "niets gewijzigd. Controleer de invoer met 'mhtool signaal toon'."
        )
    if type(error).__name__ == "OperationalError":
        return DatabaseError(
            "De database gaf een fout; er is niets gewijzigd. Controleer het bestand met "
            "'mhtool info'."
        )
    return DatabaseError(
        "Het databasebestand is beschadigd of geen mhtool-database; er is niets gewijzigd."
    )


def _create_empty_file(path: Path) -> None:
    """Create the file readable for its owner only before SQLite opens it; WAL and SHM files
    inherit this mode from the database file."""
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        # Also a dangling symbolic link: O_EXCL refuses to follow it, which is what we want.
        raise DatabaseError(
            f"Kan geen database aanmaken op {path}; controleer of de map bestaat en beschrijfbaar "
            "is."
        ) from None
    os.close(fd)


def connect(path: Path, key: str | None = None) -> sqlite3.Connection:
    """A plain sqlite3 connection, or a SQLCipher one when `key` (hex key material) is given."""
    if key is None:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    else:
        from mhtool.store.cipher import connect_encrypted

        conn = connect_encrypted(path, key, BUSY_TIMEOUT_MS / 1000)
    try:
        with translate_sqlite_errors():
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA secure_delete = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def _key_for(path: Path, new: bool, passphrase: PassphraseSource | None) -> str:
    if passphrase is None:
        if new:
            raise DatabaseError("Voor een versleutelde database is een wachtwoord nodig.")
        raise DatabaseError(
            f"{path} is versleuteld (of geen database) en er is geen wachtwoord opgegeven; "
            "start mhtool in een terminal of zet MHTOOL_WACHTWOORD."
        )
    from mhtool.store.cipher import key_material

    return key_material(passphrase(path, new))


def database_files(path: Path) -> tuple[Path, ...]:
    """The database and the files SQLite keeps beside it (WAL, shared memory, rollback journal)."""
    return (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal")))


def _owner_only(path: Path) -> int | None:
    """A file copied or unpacked by another tool may be readable for everyone: make the
    database and the files beside it 0600 again. Returns the old mode when it was wider.
    Not on Windows, where st_mode always reads 0666 and the folder's ACL decides access."""
    if not POSIX:
        return None
    mode = path.stat().st_mode & 0o777
    if not mode & 0o077:
        return None
    for file in database_files(path):
        with contextlib.suppress(OSError):  # not ours to change: `mhtool info` still warns
            os.chmod(file, 0o600)
    return mode if not path.stat().st_mode & 0o077 else None


def open_store(
    path: Path,
    *,
    create: bool = True,
    encrypt: bool = False,
    passphrase: PassphraseSource | None = None,
) -> Store:
    """Open (and if needed create and migrate) the mhtool database at `path`.

    `encrypt` only applies when the file is created; an existing file is opened as what it is.
    `passphrase(path, new)` is asked only when the file is (to be) encrypted.
    """
    from mhtool.store.file_kind import FileKind, inspect_existing_file
    from mhtool.store.migrations import LATEST_VERSION, apply_migrations

    path = path.expanduser()
    new = not path.exists()
    key: str | None = None
    if new:
        if not create:
            raise DatabaseError(
                f"Er is nog geen database op {path}; leg eerst een signaal vast of geef --db op."
            )
        if encrypt:
            # Asked before the file exists, so an aborted prompt leaves nothing behind.
            key = _key_for(path, True, passphrase)
        _create_empty_file(path)
    elif inspect_existing_file(path) is FileKind.ENCRYPTED:
        key = _key_for(path, False, passphrase)
    conn: sqlite3.Connection | None = None
    try:
        conn = connect(path, key)
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
        if not new and path.stat().st_size <= QUICK_CHECK_MAX_BYTES:
            _quick_check(conn)
        with translate_sqlite_errors():
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
        store = Store(conn, path, key)
        store.tightened_from = _owner_only(path)
        if version < LATEST_VERSION:
            if version > 0:
                from mhtool.store.backup import backup_before_migration

                copy = backup_before_migration(store, version)
                store.upgraded = (version, LATEST_VERSION, copy)
            apply_migrations(store)
        return store
    except BaseException:
        if conn is not None:
            conn.close()
        if new and path.exists() and path.stat().st_size == 0:
            path.unlink()
        raise


# quick_check reads every page, so its cost grows with the file: worth it up to a few thousand
# signals, too slow for 'commands feel instant' beyond. Larger files still report damage as soon
# as a command touches a bad page (translated to the same sentence), and `mhtool backup`
# verifies the whole file with integrity_check.
QUICK_CHECK_MAX_BYTES = 16 * 1024 * 1024


def _quick_check(conn: sqlite3.Connection) -> None:
    """Find a damaged file on open rather than half-way through a command.

    `quick_check` reads every page once (about 35 ms for 5,000 signals, 12 MB); it stops at the
    first problem. A damaged page it cannot even read raises SQLITE_CORRUPT, which translates to
    the same sentence.
    """
    with translate_sqlite_errors():
        result = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    if result != "ok":
        raise DatabaseError(CORRUPT_MESSAGE)


def schema_version(store: Store) -> int:
    return int(store.execute("PRAGMA user_version").fetchone()[0])
