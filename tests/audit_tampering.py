"""What someone with direct access to the database does to the audit log, on either backend.

The audit tests (test_audit.py, test_audit_anchor.py) tamper with the stored log the way an
administrator could, outside mhtool: the same attack written for a file (sqlite3, triggers
dropped, `sqlite_sequence` edited) and for a server (psycopg as the superuser, triggers
disabled, the identity sequence `audit_log_id_seq` set with `setval` or `RESTART`).
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

from tests.conftest import Backend
from tests.postgres_cluster import qmark_to_psycopg
from tests.signal_helpers import file_bytes

SEQUENCE = "audit_log_id_seq"


def tamper(backend: Backend, *statements: str | tuple[str, tuple[Any, ...]]) -> None:
    """Run statements (with `?` values as a (sql, values) pair) outside mhtool, each one
    committed at once, as the superuser on a server."""
    if backend.cluster is not None:
        with backend.cluster.connect(backend.dbname) as conn:
            for statement in statements:
                sql, values = statement if isinstance(statement, tuple) else (statement, ())
                conn.execute(qmark_to_psycopg(sql), values)
        return
    file = sqlite3.connect(backend.target, isolation_level=None)
    try:
        for statement in statements:
            sql, values = statement if isinstance(statement, tuple) else (statement, ())
            file.execute(sql, values)
    finally:
        file.close()


def drop_triggers(backend: Backend) -> tuple[str, ...]:
    """Switch off the append-only guard (a server: disabled, which mhtool must see as gone)."""
    if backend.is_postgresql:
        return tuple(
            f"ALTER TABLE audit_log DISABLE TRIGGER {name}"
            for name in ("audit_log_no_update", "audit_log_no_delete")
        )
    return ("DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete")


def restore_triggers(backend: Backend) -> tuple[str, ...]:
    """Put the guard back, so only the chain and its counter can show what happened."""
    if backend.is_postgresql:
        return tuple(
            f"ALTER TABLE audit_log ENABLE TRIGGER {name}"
            for name in ("audit_log_no_update", "audit_log_no_delete")
        )
    return (
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    )


def set_counter(backend: Backend, value: int) -> tuple[str, tuple[Any, ...]]:
    """Set the log's id counter back to `value`."""
    if backend.is_postgresql:
        return "SELECT setval(?, ?)", (SEQUENCE, value)
    return "UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit_log'", (value,)


def reset_counter(backend: Backend) -> str:
    """Remove the counter altogether (a file: its sqlite_sequence row; a server: RESTART)."""
    if backend.is_postgresql:
        return "ALTER SEQUENCE audit_log_id_seq RESTART"
    return "DELETE FROM sqlite_sequence WHERE name = 'audit_log'"


def evidence(backend: Backend) -> bytes:
    """What a check must leave exactly as it was: a file's bytes; on a server, the log, the
    settings (anchor, checkpoint) and the counter."""
    if not backend.is_postgresql:
        return file_bytes(Path(backend.target))
    state = (
        backend.rows("SELECT * FROM audit_log ORDER BY id"),
        backend.rows("SELECT * FROM setting ORDER BY key"),
        backend.rows("SELECT last_value, is_called FROM audit_log_id_seq"),
    )
    return hashlib.sha256(repr(state).encode()).digest()
