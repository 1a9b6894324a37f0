"""Consistent, verified, atomically placed copies of the database file.

`VACUUM INTO` writes a compact copy from one read snapshot, so a backup taken while another
process writes is still consistent. On a SQLCipher connection it writes the copy encrypted with
the same key, so an encrypted database never has a plaintext backup. A plain database can be
copied into a new encrypted file (`sqlcipher_export`, also inside one read transaction): the way
to start encrypting a database that was made without it. The copy is written to a
temporary file (created 0600 before SQLite opens it) next to the target, reopened with a fresh
connection and checked (`integrity_check`, application id, schema version), and only then moved
into place: a crash or a failed check never leaves a half-written file under the target name.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from mhtool.errors import DatabaseError, MhtoolError, ValidationError
from mhtool.store.connection import (
    APPLICATION_ID,
    BUSY_TIMEOUT_MS,
    Store,
    connect,
    database_files,
    translate_sqlite_errors,
)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    schema_version: int
    signals: int
    encrypted: bool


def backup_to(
    store: Store, target: Path, *, overwrite: bool = False, new_key: str | None = None
) -> BackupResult:
    """Write a verified copy of `store` to `target`; refuse to replace a file unless asked.

    `new_key` (key material) encrypts the copy of a plain database; an encrypted database is
    always copied with its own key.
    """
    target = target.expanduser()
    check_target(store, target, overwrite)
    temp = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except OSError:
        raise DatabaseError(
            f"Kan geen bestand maken in {target.parent}; controleer de map en de rechten."
        ) from None
    key = store.key if store.key is not None else new_key
    try:
        with translate_sqlite_errors():
            if store.key is None and new_key is not None:
                _export_encrypted(store.path, temp, new_key)
            else:
                store.execute("VACUUM INTO ?", (str(temp),))
        result = _verify(temp, key)
        _fsync(temp)
        _place(temp, target, overwrite)
    except BaseException:
        _remove_quietly(temp)
        raise
    _fsync_directory(target.parent)
    return BackupResult(target, target.stat().st_size, result[0], result[1], key is not None)


def backup_before_migration(store: Store, version: int) -> Path:
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
    conn = sqlcipher3.connect(str(source), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
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


def check_target(store: Store, target: Path, overwrite: bool) -> None:
    """Wrong paths are wrong input (exit 2), not a damaged database."""
    if target.is_dir():
        raise ValidationError(f"{target} is een map; geef een bestandsnaam voor de back-up op.")
    if not target.parent.is_dir():
        raise ValidationError(f"De map {target.parent} bestaat niet; maak die eerst aan.")
    if target.exists():
        if target.resolve() == store.path.resolve():
            raise ValidationError("De back-up kan niet over de database zelf worden geschreven.")
        if not overwrite:
            raise _exists(target)


def _exists(target: Path) -> ValidationError:
    return ValidationError(f"{target} bestaat al; kies een andere naam of gebruik --overschrijf.")


def _verify(path: Path, key: str | None) -> tuple[int, int]:
    """Reopen the copy as a user would, with the same key, and check it completely."""
    problem = DatabaseError(
        "De back-up kon niet worden gecontroleerd en is niet bewaard; de database is ongewijzigd."
    )
    try:
        conn = connect(path, key)
    except MhtoolError:
        raise problem from None
    try:
        with translate_sqlite_errors():
            check = conn.execute("PRAGMA integrity_check").fetchall()
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
    if check != [("ok",)] or app_id not in (APPLICATION_ID, 0):
        raise problem
    return version, signals


def _place(temp: Path, target: Path, overwrite: bool) -> None:
    """Move the verified copy into place in one step; without `overwrite`, never replace."""
    if overwrite:
        os.replace(temp, target)
        return
    try:
        # link() fails when the target exists, so a file created meanwhile is never replaced.
        os.link(temp, target)
    except FileExistsError:
        raise _exists(target) from None
    except OSError:
        # File systems without hard links (FAT on a USB stick): check, then rename.
        if target.exists():
            raise _exists(target) from None
        os.replace(temp, target)
        return
    temp.unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(path: Path) -> None:
    """Make the rename durable; some platforms cannot open a directory, which is fine."""
    with contextlib.suppress(OSError):
        _fsync(path)


def _remove_quietly(path: Path) -> None:
    for leftover in database_files(path):
        with contextlib.suppress(OSError):
            leftover.unlink()
