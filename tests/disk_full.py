"""Simulating a full disk: SQLite's `max_page_count` caps the file at its current size, so the
next write that needs a new page fails with SQLITE_FULL, exactly as a full disk would."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest


def cap_database_growth(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection mhtool opens from now on may not grow the file."""
    from mhtool.store import connection, open_store

    real_connect = connection.connect

    def capped(path: Path, key: str | None = None) -> sqlite3.Connection:
        conn = real_connect(path, key)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {max(int(pages), 1)}")
        return conn

    monkeypatch.setattr(connection, "connect", capped)
    monkeypatch.setattr(open_store, "connect", capped)
