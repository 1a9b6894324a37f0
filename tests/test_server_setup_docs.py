"""docs/server.md's set-up, followed literally by a beheerder who is not a superuser.

Step 2 (the SQL that makes the owner and the database) and step 4 (the `mhtool server rollen`
command and the `psql` line that runs its SQL) are read from the document itself and run
against the test cluster, with only the server address and the names swapped for the test's.
Followed literally, step 2 used to make an owner without CREATEROLE, so step 4 failed; and
the psql line went on after the first error and exited 0, so the beheerder saw no failure.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.postgres_cluster import PostgresCluster

pytestmark = pytest.mark.slow

DOC = Path(__file__).resolve().parent.parent / "docs" / "server.md"


def _code_block(after: str, language: str) -> str:
    """The first fenced block of `language` after the line that contains `after`."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index(after)
    found = re.search(rf"```{language}\n(.*?)```", text[start:], re.S)
    assert found is not None, after
    return "\n".join(line.strip() for line in found.group(1).splitlines())


def _commands(block: str) -> list[list[str]]:
    """Shell commands of a block, continuation lines joined."""
    return [shlex.split(c) for c in block.replace("\\\n", " ").splitlines() if c.strip()]


def _psql(cluster: PostgresCluster, documented: list[str], url: str) -> tuple[int, str]:
    """The documented psql line, run as written but with the test server's address."""
    assert documented[0] == "psql"
    args = [url if a.startswith("postgresql://") else a for a in documented[1:]]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    done = subprocess.run(
        [str(cluster.bin_dir / "psql"), *args],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stderr.decode("utf-8", "replace")


def test_the_documented_set_up_works_for_a_beheerder_and_stops_at_an_error(
    postgres_cluster: PostgresCluster,
    monkeypatch: pytest.MonkeyPatch,
    cli: Cli,
    tmp_path: Path,
) -> None:
    cluster = postgres_cluster
    cluster.ensure_running()
    roles_before = cluster.roles()
    owner, dbname = f"eigenaar_{os.getpid()}", f"mhtool_docs_{os.getpid()}"
    step2 = _code_block("**Een lege database**", "sql")
    assert "mhtool_eigenaar" in step2 and "DATABASE mhtool " in step2
    step2 = step2.replace("mhtool_eigenaar", owner).replace(
        "DATABASE mhtool ", f"DATABASE {dbname} "
    )
    try:
        with cluster.connect() as conn:
            for statement in filter(None, (s.strip() for s in step2.split(";"))):
                conn.execute(statement.encode())
        owner_url = cluster.url(dbname, user=owner)
        monkeypatch.setenv("MHTOOL_DB", owner_url)
        assert cli("info").exit_code == 0  # step 3: the tables

        make_sql, run_sql = _commands(_code_block("**De rollen**", "sh"))
        assert make_sql[:3] == ["mhtool", "server", "rollen"] and make_sql[-2] == ">"
        script = cli(*make_sql[1:-2])
        assert script.exit_code == 0, script.output
        monkeypatch.chdir(tmp_path)
        Path(make_sql[-1]).write_text(script.stdout, encoding="utf-8")

        # Run twice (safe to run again), and without the server's English warnings.
        for _ in range(2):
            code, errors = _psql(cluster, run_sql, owner_url)
            assert (code, errors) == (0, "")
        logins = ("j.devries", "a.bakker", "p.jansen", "riec.nhn")
        assert set(logins) <= cluster.roles()
        assigned = cluster.admin_rows(
            dbname, "SELECT role_name, municipality FROM officer_municipality ORDER BY 1, 2"
        )
        assert ("a.bakker", "Texel") in assigned and ("j.devries", "Hoorn") in assigned

        # An officer who becomes a reader is in that one group afterwards, not in both.
        moved = cli("server", "rollen", "--lezer", "j.devries", "--uitvoeren")
        assert moved.exit_code == 0, moved.output
        assert moved.stdout.rstrip().endswith("opdrachten, 1 inlognaam).")
        groups = cluster.admin_rows(
            "postgres",
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = 'j.devries'",
        )
        assert groups == [("mhtool_lezer",)]

        # Run by a login that may not make roles, the same line must fail visibly.
        assert _psql(cluster, run_sql, cluster.url(dbname, user="j.devries"))[0] != 0
    finally:
        cluster.ensure_running()
        cluster.drop_database(dbname, roles_before=roles_before)


def test_roles_refused_to_a_login_that_may_not_make_them_say_why(
    postgres_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    """`server rollen --uitvoeren` as an owner without CREATEROLE: a sentence for the
    beheerder (who may make roles, and how else), not the officer's 'vraag de beheerder'."""
    cluster = postgres_cluster
    cluster.ensure_running()
    roles_before = cluster.roles()
    owner, dbname = f"zonder_createrole_{os.getpid()}", f"mhtool_nocr_{os.getpid()}"
    with cluster.connect() as conn:
        conn.execute(f'CREATE ROLE "{owner}" LOGIN'.encode())
        conn.execute(
            f'CREATE DATABASE "{dbname}" OWNER "{owner}" TEMPLATE template0 ENCODING \'UTF8\''.encode()
        )
    try:
        monkeypatch.setenv("MHTOOL_DB", cluster.url(dbname, user=owner))
        refused = cli(
            "server", "rollen", "--functionaris", "n.nieuw", "--gemeente", "Texel", "--uitvoeren"
        )
        assert refused.exit_code == 6, refused.output
        message = " ".join(refused.stderr.split())
        assert message.startswith(f"Fout: U bent aangemeld als {owner};")
        assert "CREATEROLE" in message and "Er is niets gewijzigd." in message
        assert "Traceback" not in refused.output
        assert "n.nieuw" not in cluster.roles()
        assert cluster.admin_rows(dbname, "SELECT * FROM officer_municipality") == []
        assert cluster.admin_rows(
            dbname, "SELECT by_user, result FROM audit_log WHERE action = 'server.rollen'"
        ) == [(owner, "geweigerd")]
    finally:
        cluster.ensure_running()
        cluster.drop_database(dbname, roles_before=roles_before)


def test_an_officer_first_on_a_database_not_set_up_is_sent_to_the_beheerder(
    postgres_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    """Step 3 skipped: the officer's mhtool cannot create the tables (only the owner can), and
    was told about their role ('alleen lezen, ... een gemeente'), not that the database is not
    set up yet."""
    cluster = postgres_cluster
    cluster.ensure_running()
    roles_before = cluster.roles()
    dbname = cluster.fresh_database()
    officer = f"vroeg_{os.getpid()}"
    with cluster.connect() as conn:
        conn.execute(f'CREATE ROLE "{officer}" LOGIN'.encode())
    try:
        monkeypatch.setenv("MHTOOL_DB", cluster.url(dbname, user=officer))
        for args in (("info",), ("signaal", "lijst")):
            refused = cli(*args)
            assert refused.exit_code == 6, refused.output
            message = " ".join(refused.stderr.split())
            assert message.startswith(
                "Fout: De database op de server is nog niet ingericht voor deze versie van mhtool"
            ), message
            assert "als eigenaar van de database" in message
        tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        assert cluster.admin_rows(dbname, tables) == [(0,)]
    finally:
        cluster.ensure_running()
        cluster.drop_database(dbname, roles_before=roles_before)
