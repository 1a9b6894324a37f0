"""Signal numbers for shell completion, read without side effects.

Completion runs at every Tab press, so it must be fast and harmless: it never creates the
database or the files SQLite keeps beside it, never asks for a passphrase (an encrypted file
simply completes nothing), never waits on a lock, and never fails loudly.

A database on a PostgreSQL server completes nothing either (services/database.py does not call
this module for one): logging in at every Tab press could ask for a password or wait on the
network, and this module only reads a file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"


def signal_refs(path: Path, prefix: str, limit: int = 50) -> list[str]:
    """Signal numbers starting with `prefix` (any case), newest first; [] when unreadable."""
    try:
        with path.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return []  # missing, encrypted or not a database
    except OSError:
        return []
    # mode=ro would create the -wal/-shm files of a WAL database when they are missing;
    # immutable reads the file as it is (a running writer's last commits may be missed, which
    # is fine for completion). When both files exist, read through them.
    sidecars = all(path.with_name(path.name + s).exists() for s in ("-wal", "-shm"))
    flags = "mode=ro" if sidecars else "immutable=1"
    uri = f"{path.resolve().as_uri()}?{flags}"
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=0.2)
        try:
            rows = conn.execute(
                "SELECT ref FROM signal WHERE ref LIKE ? ESCAPE '\\' "
                "ORDER BY year DESC, seq DESC LIMIT ?",
                (escaped + "%", limit),
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return []
    return [str(row[0]) for row in rows]
