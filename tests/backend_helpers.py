"""Helpers for tests that run on both backends (the `backend` fixture of conftest.py).

`file_only` keeps one test of a both-backend module on the file: for what only a file has
(its permissions, WAL, SQLite's own query plans, a lock another sqlite3 connection holds).
`stored_dump` is record_helpers.dump for either backend: everything stored except the audit
log, to show that a refused command left the database as it was.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import Backend
from tests.record_helpers import dump

if TYPE_CHECKING:
    from mhtool.store.connection import Store


def file_only(reason: str) -> pytest.MarkDecorator:
    """Run the test on the file only (`reason` says why it cannot apply to a server): the
    indirect parametrisation replaces the fixture's two backends by the file alone."""
    assert reason.strip(), "say why the test is about the file only"
    return pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def server_only(backend: Backend, reason: str) -> None:
    """Skip, saying why, when the test is about something only a server has (run it with
    the `backend` fixture, so its file run is an explicit skip, not a silent pass)."""
    if not backend.is_postgresql:
        pytest.skip(f"server only: {reason}")


def make_empty_database(cli: Any, backend: Backend) -> None:
    """An empty mhtool database: `mhtool init` makes the file; a server database of the
    backend fixture already holds the empty schema (`init` is for files only)."""
    if not backend.is_postgresql:
        made = cli("init")
        assert made.exit_code == 0, made.output
    else:
        assert backend.scalar("SELECT count(*) FROM signal") == 0


def login(backend: Backend, name: str) -> tuple[list[str], str]:
    """The global options that make `name` the user in history and audit, and the user that
    is then stored: on a file `--gebruiker name`; on a server the login name of the address,
    whatever the client says (`--gebruiker` is refused there)."""
    if backend.is_postgresql:
        from urllib.parse import urlsplit

        return [], str(urlsplit(backend.target).username)
    return ["--gebruiker", name], name


def as_user(backend: Backend, name: str) -> list[str]:
    """The global options that run a command as officer `name`: on a file `--gebruiker name`;
    on a server a login of that name (made here, once, as superuser so that row-level
    security stays out of a test about something else), given with --db."""
    if not backend.is_postgresql:
        return ["--gebruiker", name]
    from urllib.parse import urlsplit

    quoted = name.replace('"', '""')
    exists = backend.scalar("SELECT count(*) FROM pg_roles WHERE rolname = ?", [name])
    if not exists:
        stored_execute(backend, f'CREATE ROLE "{quoted}" LOGIN SUPERUSER')
    parts = urlsplit(backend.target)
    return ["--db", parts._replace(netloc=f"{name}@{parts.hostname}:{parts.port}").geturl()]


def stored_execute(backend: Backend, *statements: str) -> None:
    """Change the database behind mhtool's back, as someone with a database client could (on a
    file with foreign keys on, as mhtool runs it; on a server as the superuser)."""
    if backend.is_postgresql:
        assert backend.cluster is not None
        with backend.cluster.connect(backend.dbname) as conn:
            for statement in statements:
                conn.execute(statement.encode())
        return
    file = sqlite3.connect(backend.target)
    try:
        file.execute("PRAGMA foreign_keys = ON")
        for statement in statements:
            file.execute(statement)
        file.commit()
    finally:
        file.close()


def stored_dump(backend: Backend) -> list[str]:
    """Every row of every mhtool table but the audit log (and the anchor that moves with it),
    as text in a stable order: on a file the SQL dump, on a server one line per row."""
    if not backend.is_postgresql:
        return dump(Path(backend.target))
    return [
        f"{table}: {row!r}" for table, rows in sorted(stored_tables(backend).items()) for row in rows
    ]



def stored_bytes(backend: Backend) -> bytes:
    """Everything stored, lower-cased, to look for a word that must be gone: on a file its
    bytes and WAL (free pages too: what a lost laptop hands over); on a server every value of
    every row of every table, which is what mhtool controls there (old row versions on the
    server's disk are the beheerder's, see docs/server.md)."""
    if not backend.is_postgresql:
        from tests.signal_helpers import file_bytes

        return file_bytes(Path(backend.target))
    assert backend.cluster is not None
    parts: list[str] = []
    with backend.cluster.connect(backend.dbname) as conn:
        tables = [
            str(r[0])
            for r in conn.execute(
                "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"
            ).fetchall()
        ]
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the catalogue
            parts += [repr(tuple(row)) for row in cursor.fetchall()]
    return "\n".join(parts).lower().encode()


def open_backend(backend: Backend) -> Store:
    """The database as mhtool's own code opens it, for a test that calls a service directly
    (e.g. with a date the CLI would not allow); close it after use."""
    if backend.is_postgresql:
        from mhtool.services.database import open_server_database

        return open_server_database(backend.target)
    from mhtool.store.open_store import open_store

    return open_store(Path(backend.target))


def stored_tables(backend: Backend) -> dict[str, list[tuple[Any, ...]]]:
    """Every table but the audit log, by name, its rows in a stable order (the anchor that
    moves with the audit log left out of `setting`): to compare the same database before and
    after, table by table."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    if backend.is_postgresql:
        assert backend.cluster is not None
        with backend.cluster.connect(backend.dbname) as conn:
            names = [
                str(r[0])
                for r in conn.execute(
                    "SELECT tablename FROM pg_catalog.pg_tables "
                    "WHERE schemaname = current_schema() AND tablename <> 'audit_log'"
                ).fetchall()
            ]
            for name in names:
                rows = conn.execute(f'SELECT * FROM "{name}"').fetchall()  # noqa: S608
                found[name] = sorted((tuple(r) for r in rows), key=repr)
    else:
        file = sqlite3.connect(backend.target)
        try:
            names = [
                str(r[0])
                for r in file.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' AND name != 'audit_log'"
                )
            ]
            for name in names:
                rows = file.execute(f'SELECT * FROM "{name}"').fetchall()  # noqa: S608
                found[name] = sorted((tuple(r) for r in rows), key=repr)
        finally:
            file.close()
    found["setting"] = [r for r in found.get("setting", []) if not str(r[0]).startswith("audit.")]
    return found
