"""A dump of everything but the audit log (a refused command adds its refusal there, by design),
to show that a refused command, a backup or an export left the file as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

_AUDIT = (
    'INSERT INTO "audit_log"',
    'DELETE FROM "sqlite_sequence"',
    'INSERT INTO "sqlite_sequence"',
    'INSERT INTO "setting" VALUES(\'audit.',  # the audit log's anchor moves with it
)


def dump(path: Path) -> list[str]:
    """Every row of every table except the audit log, as SQL text, in a stable order."""
    if not path.exists():
        return []
    conn = sqlite3.connect(path)
    try:
        return [line for line in conn.iterdump() if not line.startswith(_AUDIT)]
    finally:
        conn.close()
