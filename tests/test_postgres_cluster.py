"""The test infrastructure for server mode (issue 14): the session's throwaway PostgreSQL cluster
(tests/postgres_cluster.py) and the both-backend fixture `backend` (tests/conftest.py).

Every other both-backend test trusts these: a fresh database per test that no other test sees,
committed data that survives `pg_ctl stop -m immediate`, and a backend fixture that really points
mhtool at the server.
"""

from __future__ import annotations

import glob
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from tests import postgres_cluster as cluster_module
from tests.conftest import Backend, Cli
from tests.postgres_cluster import SUPERUSER, PostgresCluster, qmark_to_psycopg


def test_question_marks_become_psycopg_placeholders_outside_quotes() -> None:
    assert qmark_to_psycopg("SELECT a FROM t WHERE b = ? AND c = ?") == (
        "SELECT a FROM t WHERE b = %s AND c = %s"
    )
    assert qmark_to_psycopg("SELECT '?', \"wat?\" WHERE x LIKE '10%' AND y = ?") == (
        "SELECT '?', \"wat?\" WHERE x LIKE '10%%' AND y = %s"
    )
    assert qmark_to_psycopg("SELECT 'it''s?' || ?") == "SELECT 'it''s?' || %s"


def test_without_postgresql_programs_the_cluster_is_unavailable_not_broken(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No initdb on PATH nor under /usr/lib/postgresql: PostgresUnavailable (the fixture turns
    it into a skip that says what to install), before anything is created."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(glob, "glob", lambda pattern: [])
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **kw: pytest.fail("made"))
    assert cluster_module.find_bin_dir() is None
    with pytest.raises(cluster_module.PostgresUnavailable, match="initdb"):
        PostgresCluster.create()


def test_programs_are_found_outside_path_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Debian's packages put initdb in /usr/lib/postgresql/<version>/bin, not on PATH: the
    newest version with all three programs is used."""
    for version in ("13", "15", "16"):
        folder = tmp_path / version / "bin"
        folder.mkdir(parents=True)
        for program in ("initdb", "pg_ctl", "postgres")[: 2 if version == "16" else 3]:
            (folder / program).touch()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(glob, "glob", lambda pattern: [str(p) for p in tmp_path.glob("*/bin")])
    assert cluster_module.find_bin_dir() == tmp_path / "15" / "bin"


def test_as_root_the_server_runs_as_postgres_else_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    import pwd

    users = {"postgres": (101, 104), "nobody": (65534, 65534)}

    def getpwnam(name: str) -> object:
        if name not in users:
            raise KeyError(name)
        uid, gid = users[name]
        return type("Entry", (), {"pw_uid": uid, "pw_gid": gid})()

    monkeypatch.setattr(pwd, "getpwnam", getpwnam)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert cluster_module._server_user() == (101, 104)
    del users["postgres"]
    assert cluster_module._server_user() == (65534, 65534)
    del users["nobody"]
    with pytest.raises(cluster_module.PostgresUnavailable, match="root"):
        cluster_module._server_user()
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert cluster_module._server_user() is None


@pytest.mark.slow
def test_cluster_runs_as_specified(postgres_cluster: PostgresCluster) -> None:
    """PostgreSQL 15 or later on 127.0.0.1, a superuser `postgres` that may create roles, UTF8
    with C collation (SQLite's byte order), room for 8 writers and more, trust on TCP."""
    rows = postgres_cluster.admin_rows(
        "postgres",
        "SELECT current_setting('server_version_num')::int, current_user, rolsuper,"
        " rolcreaterole, current_setting('max_connections')::int,"
        " current_setting('listen_addresses'), pg_encoding_to_char(encoding), datcollate,"
        " current_setting('synchronous_commit')"
        " FROM pg_roles, pg_database WHERE rolname = current_user AND datname = 'postgres'",
    )
    version, user, superuser, createrole, connections, listen, encoding, collate, sync = rows[0]
    assert version >= 150000
    assert (user, superuser, createrole) == (SUPERUSER, True, True)
    assert connections >= 40
    assert listen == "127.0.0.1"
    assert (encoding, collate, sync) == ("UTF8", "C", "on")  # a commit is in the WAL on return
    assert (
        postgres_cluster.admin_url
        == f"postgresql://postgres@127.0.0.1:{postgres_cluster.port}/postgres"
    )
    # The unix socket in the cluster's folder works too (tests of socket addresses use it).
    with psycopg.connect(
        host=str(postgres_cluster.socket_dir), port=postgres_cluster.port, user=SUPERUSER
    ) as conn:
        assert conn.execute("SELECT inet_server_addr() IS NULL").fetchone() == (True,)
    # Trust authentication: any role logs in over TCP without a password.
    name = postgres_cluster.fresh_database()
    before = postgres_cluster.roles()
    try:
        postgres_cluster.admin_rows(name, "CREATE ROLE infra_probe LOGIN")
        with psycopg.connect(postgres_cluster.url(name, user="infra_probe")) as conn:
            assert conn.execute("SELECT current_user").fetchone() == ("infra_probe",)
    finally:
        postgres_cluster.drop_database(name, roles_before=before)
    assert "infra_probe" not in postgres_cluster.roles()


@pytest.mark.slow
def test_fresh_databases_are_empty_and_independent(postgres_cluster: PostgresCluster) -> None:
    first, second = postgres_cluster.fresh_database(), postgres_cluster.fresh_database()
    try:
        assert first != second
        tables = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        assert postgres_cluster.admin_rows(first, tables) == [(0,)]
        postgres_cluster.admin_rows(first, "CREATE TABLE signal (id TEXT)")
        postgres_cluster.admin_rows(first, "INSERT INTO signal VALUES (?)", ["2026-0001"])
        postgres_cluster.admin_rows(second, "CREATE TABLE signal (id TEXT)")
        assert postgres_cluster.admin_rows(first, "SELECT id FROM signal") == [("2026-0001",)]
        assert postgres_cluster.admin_rows(second, "SELECT id FROM signal") == []
    finally:
        postgres_cluster.drop_database(first)
        postgres_cluster.drop_database(second)
    names = {
        row[0] for row in postgres_cluster.admin_rows("postgres", "SELECT datname FROM pg_database")
    }
    assert first not in names and second not in names


@pytest.mark.slow
def test_immediate_stop_keeps_what_was_committed(postgres_cluster: PostgresCluster) -> None:
    """`stop_immediately()` is a crash (no checkpoint, no goodbye to clients); after `start()`
    every committed row is back and the transaction that was open is gone."""
    name = postgres_cluster.fresh_database()
    try:
        postgres_cluster.admin_rows(name, "CREATE TABLE t (n INTEGER)")
        postgres_cluster.admin_rows(name, "INSERT INTO t SELECT generate_series(1, 500)")
        with postgres_cluster.connect(name) as conn:  # one commit each, the last just now
            for n in range(501, 551):
                conn.execute("INSERT INTO t VALUES (%s)", (n,))
        open_transaction = postgres_cluster.connect(name, autocommit=False)
        open_transaction.execute("INSERT INTO t VALUES (-1)")  # never committed

        postgres_cluster.stop_immediately()
        assert not postgres_cluster.is_running()
        with pytest.raises(psycopg.OperationalError):
            open_transaction.execute("COMMIT")
        open_transaction.close()

        postgres_cluster.start()
        assert postgres_cluster.is_running()
        assert postgres_cluster.admin_rows(name, "SELECT count(*), min(n), max(n) FROM t") == [
            (550, 1, 550)
        ]
    finally:
        postgres_cluster.ensure_running()
        postgres_cluster.drop_database(name)


@pytest.mark.slow
def test_roles_a_test_created_are_dropped_with_its_database(
    postgres_cluster: PostgresCluster,
) -> None:
    """Roles belong to the cluster; the fixture drops the ones a test made (also when they hold
    rights elsewhere), so the next test can create the same officer again."""
    before = postgres_cluster.roles()
    name = postgres_cluster.fresh_database()
    postgres_cluster.admin_rows(name, "CREATE ROLE officer_koggenland LOGIN")
    postgres_cluster.admin_rows(name, "CREATE TABLE t (n INTEGER)")
    postgres_cluster.admin_rows(name, "GRANT SELECT ON t TO officer_koggenland")
    postgres_cluster.admin_rows("postgres", "CREATE TABLE elsewhere (n INTEGER)")
    try:
        postgres_cluster.admin_rows("postgres", "GRANT SELECT ON elsewhere TO officer_koggenland")
        postgres_cluster.drop_database(name, roles_before=before)
        assert postgres_cluster.roles() == before
    finally:
        postgres_cluster.admin_rows("postgres", "DROP TABLE elsewhere")


def test_backend_points_mhtool_at_its_database(
    backend: Backend, cli: Cli, request: pytest.FixtureRequest
) -> None:
    """MHTOOL_DB is the file or the server database; the server parameter is slow (the quick
    run stays SQLite-only), the file parameter is not; `rows`/`scalar` read the right place."""
    assert os.environ["MHTOOL_DB"] == backend.target
    is_slow = request.node.get_closest_marker("slow") is not None
    assert is_slow is (backend.name == "postgresql")
    result = cli("--help")
    assert result.exit_code == 0, result.output
    assert "Gebruik: mhtool" in result.stdout
    if backend.name == "postgresql":
        assert backend.target.startswith("postgresql://postgres@127.0.0.1:")
        assert backend.scalar("SELECT current_database()") == backend.dbname
        assert backend.rows("SELECT ? || ?", ["a", "%"]) == [("a%",)]
    else:
        assert backend.target.endswith("mhtool.db")
        assert not Path(backend.target).exists()  # --help creates no database


@pytest.mark.slow
def test_a_file_database_never_loads_psycopg(db_path: Path) -> None:
    """psycopg is imported only for a postgresql:// database, not for a file."""
    code = (
        "import sys; sys.argv = ['mhtool', *sys.argv[1:]]\n"
        "from mhtool.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('psycopg' in sys.modules, file=sys.stderr)"
    )
    env = {**os.environ, "MHTOOL_DB": str(db_path)}
    result = subprocess.run(
        [sys.executable, "-c", code, "signaal", "lijst"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.stderr.strip().splitlines()[-1] == "False", result.stderr


def test_a_signal_logged_is_listed_and_stored_on_both_backends(backend: Backend, cli: Cli) -> None:
    """The first behaviour test on both backends: `signaal nieuw` then `signaal lijst`, the same
    output either way, and the same row, history and audit entries stored."""
    made = cli(
        "signaal",
        "nieuw",
        "--datum",
        "03-11-2026",
        "--gemeente",
        "Koggenland",
        "--melder",
        "P. Jansen",
        "--afdeling",
        "Publiekszaken",
        "--kanaal",
        "mail",
        "--omschrijving",
        "Veel mensen op één adres; 100% zeker?",
        "--vorm",
        "arbeid",
        "--json",
    )
    assert made.exit_code == 0, made.output
    ref = json.loads(made.stdout)["id"]
    assert re.fullmatch(r"MH-2026-0*1", ref)

    listed = cli("signaal", "lijst", "--json")
    assert listed.exit_code == 0, listed.output
    assert [
        (s["id"], s["gemeente"], s["vormen"], s["stap"]) for s in json.loads(listed.stdout)
    ] == [(ref, "Koggenland", ["arbeid"], 1)]
    table = cli("signaal", "lijst")
    assert table.exit_code == 0, table.output
    assert ref in table.stdout and "Koggenland" in table.stdout
    assert "1 signaal." in table.stdout

    stored = backend.rows(
        "SELECT ref, received_on, municipality, reporter, description, acute, step FROM signal"
    )
    assert stored == [
        (
            ref,
            "2026-11-03",
            "Koggenland",
            "P. Jansen",
            "Veel mensen op één adres; 100% zeker?",
            0,
            1,
        )
    ]
    assert backend.rows("SELECT form FROM signal_form") == [("arbeid",)]
    assert (
        backend.scalar(
            "SELECT count(*) FROM history WHERE action = ? AND entity = ?",
            ["aangemaakt", "signal"],
        )
        == 1
    )
    actions = [row[0] for row in backend.rows("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["signaal.nieuw", "signaal.lijst", "signaal.lijst"]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_server_database_starts_as_a_copy_of_the_migrated_template(backend: Backend) -> None:
    """As a file after its first command: the current schema, no data of another test."""
    from mhtool.store.migrations import LATEST_VERSION

    assert backend.scalar("SELECT max(version) FROM schema_migration") == LATEST_VERSION
    assert backend.scalar("SELECT count(*) FROM signal") == 0
    assert backend.scalar("SELECT count(*) FROM audit_log") == 0


@pytest.mark.slow
@pytest.mark.empty_server_database
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_an_empty_server_database_on_request(backend: Backend, cli: Cli) -> None:
    """`empty_server_database`: nothing in it until the first command creates the schema."""
    from mhtool.store.migrations import LATEST_VERSION

    tables = "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
    assert backend.scalar(tables) == 0
    checked = cli("audit", "controleer")
    assert checked.exit_code == 0, checked.output
    assert backend.scalar("SELECT max(version) FROM schema_migration") == LATEST_VERSION


@pytest.mark.slow
def test_the_harness_ignores_libpq_variables_a_test_sets(
    postgres_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Security tests set PGHOSTADDR, PGSSLMODE and the like; the fixture's own connections
    (reading what is stored, dropping the database afterwards) still reach this cluster."""
    monkeypatch.setenv("PGHOSTADDR", "192.0.2.1")  # TEST-NET-1: nothing answers there
    monkeypatch.setenv("PGSSLMODE", "require")  # the test cluster has no TLS
    monkeypatch.setenv("PGOPTIONS", "-c search_path=elders")
    monkeypatch.setenv("PGUSER", "niemand")
    rows = postgres_cluster.admin_rows("postgres", "SELECT current_user, current_schemas(false)")
    assert rows == [(SUPERUSER, ["public"])]
