"""Shared fixtures: every test gets its own real database file under tmp_path; a test that takes
`backend` runs twice, on a file and on a fresh database of the session's PostgreSQL cluster."""

from __future__ import annotations

import contextlib
import io
import json
import os
import pty
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from mhtool import session_keys
from tests.postgres_cluster import PostgresCluster, PostgresUnavailable

# This test run gets a session keyring of its own (inherited by every mhtool it starts), so no
# test can read or leave a remembered key in the real user's login session.
session_keys.start_private_session()


@pytest.fixture(autouse=True)
def isolated_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point MHTOOL_DB at a fresh file so no test can touch a real user's database."""
    path = tmp_path / "mhtool.db"
    monkeypatch.setenv("MHTOOL_DB", str(path))
    # Markers of temporary files in progress (mhtool.safe_file) stay inside the test too.
    monkeypatch.setenv("MHTOOL_LOPEND", str(tmp_path.parent / f"{tmp_path.name}-lopend"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("MHTOOL_DEBUG", raising=False)
    # The agenda's reminder after other commands is tested on its own (test_lifecycle_agenda);
    # elsewhere it would only add a line to stderr that tests of other things do not expect.
    monkeypatch.setenv("MHTOOL_AGENDA_HINT", "uit")
    # Encrypted files: no derived key is remembered between commands unless a test asks
    # (test_session_keys), so a later wrong passphrase is still refused.
    monkeypatch.setenv("MHTOOL_ONTGRENDELD_MINUTEN", "0")
    yield path


@pytest.fixture(autouse=True)
def quick_tests_start_no_process(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a quick run (`-m "not slow"`), a test that starts a process, opens a pty or runs
    hypothesis without `@pytest.mark.slow` fails and says so: the quick run must stay under a
    minute. The full run (README, .ci/run) does not check this, so a missing marker never
    refuses a correct submission."""
    if "not slow" not in (request.config.getoption("markexpr") or ""):
        return
    if request.node.get_closest_marker("slow") is not None:
        return
    hint = "mark it @pytest.mark.slow (subprocess, pty, crash and hypothesis tests are slow)"
    if getattr(request.function, "is_hypothesis_test", False):
        pytest.fail(f"{request.node.nodeid} runs hypothesis; {hint}", pytrace=False)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"{request.node.nodeid} starts a process; {hint}")

    monkeypatch.setattr(subprocess.Popen, "_execute_child", refuse)
    monkeypatch.setattr(pty, "fork", refuse)
    if hasattr(os, "forkpty"):
        monkeypatch.setattr(os, "forkpty", refuse)


@pytest.fixture
def db_path(isolated_database: Path) -> Path:
    return isolated_database


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """The session's throwaway PostgreSQL cluster (tests/postgres_cluster.py), started by the
    first test that needs it and stopped (and its folder removed) when the session ends, also
    after Ctrl-C. Skips, saying why, only where no PostgreSQL server programs exist at all;
    `.ci/run` installs them, so CI never skips."""
    try:
        cluster = PostgresCluster.create()
    except PostgresUnavailable as missing:
        pytest.skip(f"PostgreSQL server mode not tested: {missing}")
    try:
        yield cluster
    finally:
        cluster.destroy()


class Backend:
    """The database a both-backend test runs against: `name` is "sqlite" or "postgresql",
    `target` what MHTOOL_DB holds (the file's path or the server URL). `rows`/`scalar` read
    what is stored, with `?` placeholders on both, through a connection of their own (on the
    server as the superuser, so row-level security does not hide rows from the test)."""

    def __init__(
        self, name: str, target: str, cluster: PostgresCluster | None = None, dbname: str = ""
    ) -> None:
        self.name = name
        self.target = target
        self.cluster = cluster
        self.dbname = dbname

    @property
    def is_postgresql(self) -> bool:
        return self.name == "postgresql"

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        if self.cluster is not None:
            return self.cluster.admin_rows(self.dbname, sql, params)
        # Read-only, so a test that expects no file never gets an empty one from us.
        conn = sqlite3.connect(f"{Path(self.target).resolve().as_uri()}?mode=ro", uri=True)
        try:
            return [tuple(row) for row in conn.execute(sql, tuple(params)).fetchall()]
        finally:
            conn.close()

    def scalar(self, sql: str, params: Sequence[object] = ()) -> Any:
        """The first column of the first row, None when there is no row."""
        found = self.rows(sql, params)
        return found[0][0] if found else None

    def __repr__(self) -> str:
        return f"Backend({self.name}, {self.target})"


# A database migrated once per session; every server test gets a copy of it, schema and all,
# instead of paying for the migrations itself.
SCHEMA_TEMPLATE = "mhtool_template"


def _migrate(url: str) -> None:
    """What a first command does to an empty server database: create the mhtool schema."""
    from mhtool.services.database import open_server_database

    open_server_database(url).close()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)],
)
def backend(
    request: pytest.FixtureRequest, isolated_database: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Backend]:
    """Runs the test once on a file (today's MHTOOL_DB under tmp_path) and once on a fresh
    database of the session's PostgreSQL cluster (MHTOOL_DB = its URL, superuser `postgres`,
    who may create the roles of a row-level-security test). The server database already holds
    the current schema (a copy of a template migrated once per session), as a file holds it
    after the first command; `@pytest.mark.empty_server_database` gives an empty one instead,
    for tests of what the first use of a server database does. The server database and the
    roles the test created are dropped afterwards."""
    if request.param == "sqlite":
        yield Backend("sqlite", str(isolated_database))
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    cluster.ensure_running()
    template = None
    if request.node.get_closest_marker("empty_server_database") is None:
        template = cluster.ensure_template(SCHEMA_TEMPLATE, _migrate)
    with cluster.scratch_database(template) as dbname:
        url = cluster.url(dbname)
        monkeypatch.setenv("MHTOOL_DB", url)
        yield Backend("postgresql", url, cluster, dbname)


class Cli:
    """Runs `mhtool` in-process exactly as the console script does: argv in, `main()` with its
    error handling, stdout/stderr captured, exit code from SystemExit."""

    def __call__(self, *args: str, input: str | None = None) -> Result:
        from mhtool.cli.app import main

        out, err = io.StringIO(), io.StringIO()
        old_argv, old_stdin = sys.argv, sys.stdin
        sys.argv = ["mhtool", *args]
        sys.stdin = io.StringIO(input or "")
        code: int | str | None = 0
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                main()
        except SystemExit as exit_:
            code = exit_.code
        finally:
            sys.argv, sys.stdin = old_argv, old_stdin
        return Result(int(code or 0), out.getvalue(), err.getvalue())


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __repr__(self) -> str:
        return f"Result(exit_code={self.exit_code}, stdout={self.stdout!r}, stderr={self.stderr!r})"


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture
def new_signal(cli: Cli) -> Callable[..., str]:
    """Log a signal with sensible defaults through the real CLI; returns its id."""

    def make(*extra: str, gemeente: str = "Dijk en Waard", datum: str = "01-11-2026") -> str:
        result = cli(
            "signaal",
            "nieuw",
            "--datum",
            datum,
            "--gemeente",
            gemeente,
            "--melder",
            "P. Jansen",
            "--afdeling",
            "Publiekszaken",
            "--kanaal",
            "mail",
            "--omschrijving",
            "Veel mensen op één adres, werken in de kassen.",
            "--vorm",
            "arbeid",
            *extra,
            "--ja",  # tests also log signals received more than a year ago
            "--json",
        )
        assert result.exit_code == 0, result.output
        return str(json.loads(result.stdout)["id"])

    return make
