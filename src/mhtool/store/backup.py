"""Consistent, checked, atomically placed copies of the database file.

The copy is made with SQLite's online backup API (`Connection.backup`, also in sqlcipher3): it
copies the pages from one read snapshot, so a backup taken while another process writes is still
consistent, and on a SQLCipher connection the pages stay encrypted with the same key, so an
encrypted database never has a plaintext backup. A plain database can be copied into a new
encrypted file (`sqlcipher_export`, also inside one read transaction): the way to start
encrypting a database that was made without it. The copy goes to a private temporary file
(`mhtool.safe_file`: 0600, registered so a crash leftover is removed on the next start) beside
the target, is reopened with a fresh connection and checked (`quick_check`, or the slower full
`integrity_check` on request; application id, schema version), and only then put into place:
a crash or a failed check never leaves a half-written file under the target name.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mhtool.errors import (
    DatabaseError,
    MhtoolError,
    ValidationError,
    check_database_name,
    file_error,
)
from mhtool.safe_file import check_copy_target, exists_error, private_temp, publish
from mhtool.store.connection import (
    APPLICATION_ID,
    SqliteStore,
    Store,
    busy_timeout_ms,
    connect,
    database_files,
    sqlite_store,
    translate_sqlite_errors,
)
from mhtool.store.sqlite_errors import SQLITE_FULL, driver_error_types

_SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    schema_version: int
    signals: int
    encrypted: bool


def backup_to(
    store: Store,
    target: Path,
    *,
    overwrite: bool = False,
    new_key: str | None = None,
    full_check: bool = False,
    before_publish: Callable[[BackupResult], None] | None = None,
) -> BackupResult:
    """Write a checked copy of `store` to `target`; replace only an earlier mhtool backup, and
    only when asked.

    `new_key` (key material) encrypts the copy of a plain database; an encrypted database is
    always copied with its own key. `full_check` runs `integrity_check` instead of
    `quick_check` on the copy (it also cross-checks every index; minutes on a large file).
    `before_publish` runs once the copy is checked and before it is put into place (the audit
    entry): when it raises, the copy is removed and an earlier backup under `target` is kept.
    """
    target = target.expanduser()
    file = sqlite_store(store, "Een back-up met 'mhtool backup'")
    key = file.key if file.key is not None else new_key
    check_target(file, target, overwrite, key)
    outcome = "er is geen back-up gemaakt"
    try:
        with private_temp(target) as temp:
            with translate_sqlite_errors(), _full_copy_is_a_file_error(target, outcome):
                if file.key is None and new_key is not None:
                    _export_encrypted(file.path, temp, new_key)
                else:
                    _copy_online(file, temp)
            result = _verify(temp, key, full_check)
            made = BackupResult(target, temp.stat().st_size, result[0], result[1], key is not None)
            if before_publish is not None:
                before_publish(made)
            publish(temp, target, replace=overwrite)
    except MhtoolError:
        raise
    except OSError as error:
        raise file_error(error, target, outcome) from None
    return made


@contextlib.contextmanager
def _full_copy_is_a_file_error(target: Path, outcome: str) -> Iterator[None]:
    """Only the copy is written here, so SQLITE_FULL means the backup's disk is full: a file
    that could not be written (exit 8, naming it), not a problem with the database."""
    try:
        yield
    except Exception as error:
        code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
        if isinstance(error, driver_error_types()) and code == SQLITE_FULL:
            raise file_error(OSError(errno.ENOSPC, "full"), target, outcome) from None
        raise


def _copy_online(store: SqliteStore, temp: Path) -> None:
    """Page-by-page copy from one read snapshot; the copy is left as a single file (rollback
    journal mode), as a backup should be."""
    copy = connect(temp, store.key)
    try:
        store.conn.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
    finally:
        copy.close()


def backup_before_migration(store: SqliteStore, version: int) -> Path:
    """Copy an old-schema file aside before it is upgraded: `<db>.voor-migratie-<n>.bak`,
    where n is the first migration about to run. An existing copy is never replaced."""
    base = f"{store.path.name}.voor-migratie-{version + 1}"
    for attempt in range(1, 100):
        suffix = "" if attempt == 1 else f"-{attempt}"
        target = store.path.with_name(f"{base}{suffix}.bak")
        if not target.exists():
            backup_to(store, target)
            return target
    raise DatabaseError(
        f"Er staan al te veel back-ups van vóór de migratie naast {store.path}; ruim oude op."
    )


def _export_encrypted(source: Path, temp: Path, key: str) -> None:
    """Copy a plain database into the (empty, 0600) file `temp`, encrypted with `key`."""
    from mhtool.store.cipher import driver

    sqlcipher3 = driver()
    conn = sqlcipher3.connect(str(source), isolation_level=None, timeout=busy_timeout_ms() / 1000)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(temp), key))
        conn.execute("BEGIN")
        conn.execute("SELECT sqlcipher_export('encrypted')")
        version = int(conn.execute("PRAGMA main.user_version").fetchone()[0])
        app_id = int(conn.execute("PRAGMA main.application_id").fetchone()[0])
        conn.execute("COMMIT")
        # sqlcipher_export copies the schema and rows, not these two header fields.
        conn.execute(f"PRAGMA encrypted.user_version = {version}")
        conn.execute(f"PRAGMA encrypted.application_id = {app_id}")
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()


def check_target(store: Store, target: Path, overwrite: bool, key: str | None = None) -> None:
    file = sqlite_store(store, "Een back-up met 'mhtool backup'")
    """Wrong paths are wrong input (exit 2), not a damaged database. `--overschrijf` replaces
    only an earlier mhtool backup: never the database itself or a file SQLite keeps beside any
    database (writing `d.db-wal` would make SQLite treat the backup as d.db's log), never
    another program's database or any other file."""
    check_database_name(target)
    check_copy_target(target, "back-up")
    if not (target.exists() or target.is_symlink()):
        return
    real = target.resolve()
    if any(real == f.resolve() for f in database_files(file.path)):
        raise ValidationError("De back-up kan niet over de database zelf worden geschreven.")
    if not overwrite:
        raise exists_error(target)
    if not _is_earlier_backup(target, key):
        raise ValidationError(
            f"{target} is geen eerdere back-up van mhtool (maar een ander bestand of een "
            "database in gebruik); mhtool vervangt het niet. Kies een andere naam."
        )


def _is_earlier_backup(target: Path, key: str | None) -> bool:
    """A closed mhtool backup: our application id, readable with the key we would write with,
    no -wal/-shm beside it (then it is open, or was not closed cleanly), and not in WAL mode
    (then it is a working database nobody has open right now, not a copy)."""
    if not target.is_file() or target.is_symlink():
        return False
    if any(f.exists() for f in database_files(target)[1:]):
        return False
    try:
        with open(target, "rb") as handle:
            header = handle.read(100)
    except OSError:
        return False
    if header.startswith(_SQLITE_HEADER):
        # Byte 18 is 2 for a WAL file: a working database (perhaps another municipality's, or
        # this one's under another path) that nobody has open. A backup is in rollback mode.
        return (
            len(header) == 100
            and header[18] == 1
            and int.from_bytes(header[68:72], "big") == APPLICATION_ID
        )
    if key is None:
        return False
    try:
        conn = connect(target, key)
    except MhtoolError:
        return False
    try:
        with translate_sqlite_errors():
            if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                return False
            return str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal"
    except MhtoolError:
        return False
    finally:
        conn.close()


def _verify(path: Path, key: str | None, full_check: bool) -> tuple[int, int]:
    """Reopen the copy as a user would, with the same key, and check it."""
    problem = DatabaseError(
        "De back-up kon niet worden gecontroleerd en is niet bewaard; de database is ongewijzigd."
    )
    if not path.is_file():
        raise problem
    try:
        conn = connect(path, key)
    except MhtoolError:
        raise problem from None
    try:
        with translate_sqlite_errors():
            pragma = "integrity_check" if full_check else "quick_check"
            check = conn.execute(f"PRAGMA {pragma}").fetchall()
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            has_signals = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'signal'"
            ).fetchone()[0]
            signals = (
                int(conn.execute("SELECT count(*) FROM signal").fetchone()[0]) if has_signals else 0
            )
    except MhtoolError:
        raise problem from None
    finally:
        conn.close()
    if check != [("ok",)] or app_id not in (APPLICATION_ID, 0) or version < 1:
        # version 0: not a copy of ours at all, e.g. the copy vanished (removed by another
        # process) and reopening its name made SQLite create a new, empty database.
        raise problem
    return version, signals
