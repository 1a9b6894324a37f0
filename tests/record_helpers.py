"""Helpers for the correctable-record tests: a dump of everything but the audit log (a refused
command adds its refusal there, by design), to show a refused command left the file as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def dump(path: Path) -> list[str]:
    """Every row of every table except the audit log, as SQL text, in a stable order."""
    if not path.exists():
        return []
    conn = sqlite3.connect(path)
    try:
        return [
            line
            for line in conn.iterdump()
            if not line.startswith('INSERT INTO "audit_log"')
            and "sqlite_sequence" not in line
            and not line.startswith('INSERT INTO "setting" VALUES(\'audit.')  # the log's anchor
        ]
    finally:
        conn.close()
