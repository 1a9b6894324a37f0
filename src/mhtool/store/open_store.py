"""Opening an mhtool database file safely: checked, created once, migrated once.

Every file is checked before SQLite touches it, so a wrong path (a directory, a text file, an
empty or cut-off file, another program's database, a newer mhtool schema, a damaged file) gives a
distinct Dutch message and is never modified. Encrypted files (SQLCipher) are recognised by having
no readable header and opened with a key; plain files use the stdlib driver.

First use by several processes at once is safe: a new database is built completely (schema,
WAL mode) in a private temporary file and then linked into place, which fails for all but the
first process; the others simply open the finished file. No process ever sees a half-made or
empty database, and a new file needs no backup before migrating. Upgrading an existing file
(backup, then migrations) happens under a lock file beside it, so it is done once.

This module sits above `connection.py` and imports `migrations`, `backup` and `cipher`; none of
those imports it, so the store modules form a tree.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from mhtool.errors import DatabaseError, ValidationError, check_name_length, file_error, os_reason
from mhtool.portability import POSIX
from mhtool.safe_file import clean_leftovers, exclusive_lock, private_temp, publish
from mhtool.store.connection import (
    APPLICATION_ID,
    CORRUPT_MESSAGE,
    PassphraseSource,
    SqliteStore,
    busy_timeout_ms,
    connect,
    database_files,
    schema_version,
    translate_sqlite_errors,
)
from mhtool.store.file_system import network_file_system

LOCK_SUFFIX = ".mhtool-lock"

# quick_check reads every page, so its cost grows with the file: worth it up to a few thousand
# signals, too slow for 'commands feel instant' beyond. Larger files still report damage as soon
# as a command touches a bad page (translated to the same sentence), and `mhtool backup`
# checks the copy.
QUICK_CHECK_MAX_BYTES = 16 * 1024 * 1024


class _AlreadyThere(ValidationError):
    """Another process published its new database first."""


def open_store(
    path: Path,
    *,
    create: bool = True,
    encrypt: bool = False,
    passphrase: PassphraseSource | None = None,
    on_wait: Callable[[], None] | None = None,
) -> SqliteStore:
    """Open (and if needed create and migrate) the mhtool database at `path`.

    `encrypt` only applies when the file is created; an existing file is opened as what it is.
    `passphrase(path, new)` is asked only when the file is (to be) encrypted. `on_wait` is
    called once when this process has to wait for another one.
    """
    path = path.expanduser()
    try:
        return _open(path, create, encrypt, passphrase, on_wait)
    except OSError as error:
        raise file_error(error, path, "er is niets gewijzigd") from None


def _must_be_writable(path: Path) -> None:
    """Every command writes (views too are logged in the audit log), and SQLite keeps -wal and
    -shm beside the file: on a read-only medium or in a folder without write permission it
    could only say it 'cannot open the database', which sent people to check the path."""
    real = Path(os.path.realpath(path))  # SQLite keeps -wal/-shm beside the real file
    if real.is_file() and not (os.access(real.parent, os.W_OK) and os.access(real, os.W_OK)):
        raise DatabaseError(
            f"{path} staat op een alleen-lezen schijf of in een map waarin u niet mag "
            "schrijven; mhtool moet erin kunnen schrijven (ook bekijken komt in het auditlog). "
            "Kopieer het bestand naar een map waarin u mag schrijven, of pas de rechten aan."
        )


def _open(
    path: Path,
    create: bool,
    encrypt: bool,
    passphrase: PassphraseSource | None,
    on_wait: Callable[[], None] | None,
) -> SqliteStore:
    from mhtool.store.file_kind import FileKind, inspect_existing_file
    from mhtool.store.migrations import LATEST_VERSION

    check_name_length(path)
    leftovers = clean_leftovers()
    network = network_file_system(path)
    journal = "delete" if network else "wal"
    key: str | None = None
    created = False
    if not path.exists():
        if path.is_symlink():
            raise DatabaseError(
                f"Kan geen database aanmaken op {path}: dat is een verwijzing naar een bestand "
                "dat niet bestaat; geef het pad van het databasebestand zelf op."
            )
        if not create:
            raise DatabaseError(
                f"Er is nog geen database op {path}; leg eerst een signaal vast of geef --db op."
            )
        if encrypt:
            # Asked before the file exists, so an aborted prompt leaves nothing behind.
            key = _key_for(path, True, passphrase)
        try:
            created = _create(path, key, journal, on_wait)
        except OSError as error:
            raise DatabaseError(
                f"Kan geen database aanmaken op {path}: {os_reason(error)}; kies een andere "
                "map of controleer het pad."
            ) from None
        if not created and encrypt:
            raise ValidationError(f"{path} is zojuist door een ander proces aangemaakt.")
    _must_be_writable(path)
    if key is None and inspect_existing_file(path) is FileKind.ENCRYPTED:
        conn, key = _connect_encrypted(path, passphrase)
    else:
        conn = connect(path, key)
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
        if not created and path.stat().st_size <= QUICK_CHECK_MAX_BYTES:
            _quick_check(conn)
        with translate_sqlite_errors():
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != journal:
                conn.execute(f"PRAGMA journal_mode = {journal.upper()}")
        store = SqliteStore(conn, path, key)
        store.network = network
        store.on_wait = on_wait
        store.leftovers = leftovers
        store.tightened_from = _owner_only(path)
        if version < LATEST_VERSION:
            _upgrade(store, on_wait)
        return store
    except BaseException:
        conn.close()
        raise


def _create(
    path: Path, key: str | None, journal: str = "wal", on_wait: Callable[[], None] | None = None
) -> bool:
    """Build a complete new database beside `path` and link it into place, once: under the
    lock file, so processes starting together wait for the first instead of each building one
    (and on a file system without hard links none can replace another's new file). False when
    another process was first: its file is complete."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
    lock = path.with_name(path.name + LOCK_SUFFIX)
    with exclusive_lock(lock, timeout_s=busy_timeout_ms() / 1000, on_wait=on_wait):
        if path.exists() or path.is_symlink():
            return False
        return _build(path, key, journal)


def _build(path: Path, key: str | None, journal: str) -> bool:
    from mhtool.store.migrations import apply_migrations

    with private_temp(path) as temp:
        conn = connect(temp, key)
        try:
            apply_migrations(SqliteStore(conn, temp, key))
            with translate_sqlite_errors():
                conn.execute(f"PRAGMA journal_mode = {journal.upper()}")
        finally:
            conn.close()
        try:
            publish(temp, path, replace=False, exists=_AlreadyThere(""))
        except _AlreadyThere:
            return False
    return True


def _upgrade(store: SqliteStore, on_wait: Callable[[], None] | None) -> None:
    """Back up and migrate an older file, once: under a lock file beside it, re-reading the
    version, so processes starting together neither copy nor migrate it twice."""
    from mhtool.store.backup import backup_before_migration
    from mhtool.store.migrations import LATEST_VERSION, apply_migrations

    lock = store.path.with_name(store.path.name + LOCK_SUFFIX)
    with exclusive_lock(lock, timeout_s=busy_timeout_ms() / 1000, on_wait=on_wait):
        with translate_sqlite_errors():
            version = schema_version(store)
        if version >= LATEST_VERSION:
            return
        if version > 0:
            copy = backup_before_migration(store, version)
            store.upgraded = (version, LATEST_VERSION, copy)
        apply_migrations(store)


def _connect_encrypted(
    path: Path, passphrase: PassphraseSource | None
) -> tuple[sqlite3.Connection, str]:
    """Open an existing encrypted file: with the key remembered in this login session when
    there is one (no key derivation), else from the passphrase, deriving the raw key once and
    remembering it (see mhtool.session_keys). A remembered key that no longer fits (the file
    was replaced) is forgotten and the passphrase asked as usual."""
    from mhtool import session_keys

    if not session_keys.available():
        key = _key_for(path, False, passphrase)
        return connect(path, key), key
    remembered = session_keys.recall(path)
    if remembered is not None:
        try:
            return connect(path, remembered), remembered
        except DatabaseError:
            session_keys.forget(path)
    from mhtool.store.cipher import raw_key

    material = _key_for(path, False, passphrase)
    derived = raw_key(material, path)
    if derived is not None:
        try:
            conn = connect(path, derived)
        except DatabaseError:
            pass  # not SQLCipher's default derivation: open the usual way (and say why not)
        else:
            session_keys.remember(path, derived)
            return conn, derived
    return connect(path, material), material


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
