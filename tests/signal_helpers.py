"""Helpers shared by the accountability tests: looking into the file, and moving a signal to
closed through the real CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.conftest import Cli


def query(path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def scalar(path: Path, sql: str, params: tuple[object, ...] = ()) -> object:
    return query(path, sql, params)[0][0]


def execute(path: Path, *statements: str) -> None:
    """Change the file behind mhtool's back, as someone with a SQLite browser could."""
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def table_counts(path: Path, skip: frozenset[str] = frozenset()) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]  # noqa: S608
            for n in names
            if n not in skip
        }
    finally:
        conn.close()


def audit_rows(path: Path) -> list[tuple[object, ...]]:
    return query(
        path, "SELECT action, object_type, object_id, result, by_user FROM audit_log ORDER BY id"
    )


def file_bytes(path: Path) -> bytes:
    """The database file plus its WAL, lower-cased (full-text indexes store words in lower
    case): everything a lost laptop would hand over. Compare with lower-case words."""
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        data += wal.read_bytes()
    return data.lower()


def log_signal(cli: Cli, *extra: str, datum: str, omschrijving: str) -> str:
    """`signaal nieuw` with the required flags plus `extra`; returns the new reference."""
    result = cli(
        "signaal",
        "nieuw",
        "--datum",
        datum,
        "--gemeente",
        "Dijk en Waard",
        "--melder",
        "P. Jansen",
        "--kanaal",
        "mail",
        "--omschrijving",
        omschrijving,
        *extra,
        "--ja",  # tests also log signals received more than a year ago
        "--json",
    )
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["id"])


def close_signal(cli: Cli, ref: str, on: str, conclusie: str = "geen") -> None:
    """Move a signal from step 1 to 5 (skipping with a reason) on date `on`."""
    result = cli(
        "signaal",
        "stap",
        ref,
        "--naar",
        "5",
        "--reden",
        "afgehandeld",
        "--datum",
        on,
        "--conclusie",
        conclusie,
        "--geen-terugkoppeling",
        "--niet-strafrechtelijk",
        "--geen-opvang",
    )
    assert result.exit_code == 0, result.output
