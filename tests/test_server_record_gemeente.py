"""On a server an officer logs signals for their own gemeenten only; the form says so at the
gemeente question, not after every other question.

Before, the form offered every gemeente, asked for the reporter, description, persons, ...
and only on 'Opslaan' did the server refuse (row-level security, exit 6): everything typed was
lost. A reader, who may log nothing, went through the whole form the same way.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pexpect
import pytest

from tests.conftest import Cli
from tests.postgres_cluster import PostgresCluster

pytestmark = pytest.mark.slow

OFFICER = "k.koggen"
READER = "v.vervanger"


@dataclass
class Server:
    cluster: PostgresCluster
    dbname: str

    def url(self, user: str) -> str:
        return self.cluster.url(self.dbname, user=user)

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        return self.cluster.admin_rows(self.dbname, sql)


@pytest.fixture
def server(
    postgres_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> Iterator[Server]:
    cluster = postgres_cluster
    with cluster.scratch_database() as dbname:
        monkeypatch.setenv("MHTOOL_DB", cluster.url(dbname))
        assert cli("info").exit_code == 0  # the beheerder's first use makes the tables
        script = cli(
            "server", "rollen", "--functionaris", OFFICER, "--gemeente", "Koggenland",
            "--gemeente", "Hoorn", "--lezer", READER, "--gemeente", "Koggenland",
        )  # fmt: skip
        assert script.exit_code == 0, script.output
        with cluster.connect(dbname) as conn:
            conn.execute(script.stdout.encode())
        yield Server(cluster, dbname)


def spawn(url: str, *args: str) -> pexpect.spawn:
    installed = shutil.which("mhtool", path=str(Path(sys.executable).parent))
    assert installed
    env = {**os.environ, "MHTOOL_DB": url, "TERM": "xterm", "COLUMNS": "160", "LINES": "50"}
    env["PROMPT_TOOLKIT_NO_CPR"] = "1"  # a pty does not answer cursor-position requests
    env.pop("MHTOOL_DEBUG", None)
    return pexpect.spawn(
        installed, list(args), env=env, encoding="utf-8", timeout=30, dimensions=(50, 160)
    )


def test_the_form_refuses_another_gemeente_at_the_question(server: Server) -> None:
    child = spawn(server.url(OFFICER), "signaal", "nieuw")
    child.expect("Ontvangstdatum")
    child.send("\r")
    child.expect("Gemeente")
    child.send("Texel")
    child.expect("gemeente Texel is niet aan u toegewezen")
    child.expect(r"\(u legt alleen signalen vast voor Hoorn, Koggenland\)")
    child.send("\x7f" * 5 + "Koggenland\r")
    child.expect("Melder")  # the form goes on with the officer's own gemeente
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert server.rows("SELECT count(*) FROM signal") == [(0,)]


def test_a_reader_is_refused_before_the_first_question(server: Server) -> None:
    child = spawn(server.url(READER), "signaal", "nieuw")
    child.expect("u mag voor geen enkele gemeente signalen")
    child.expect(pexpect.EOF)
    output = child.before or ""
    child.close()
    assert child.exitstatus == 6
    assert "Ontvangstdatum" not in output
    assert server.rows("SELECT count(*) FROM signal") == [(0,)]
    assert server.rows(
        "SELECT by_user, action, result FROM audit_log WHERE action = 'signaal.nieuw'"
    ) == [(READER, "signaal.nieuw", "geweigerd")]


def test_with_flags_the_refusal_names_the_officers_gemeenten(
    server: Server, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.setenv("MHTOOL_DB", server.url(OFFICER))
    args = (
        "signaal", "nieuw", "--datum", "02-11-2026", "--melder", "P. Jansen",
        "--kanaal", "mail", "--vorm", "arbeid", "--niet-acuut", "--omschrijving", "Zorgen.",
    )  # fmt: skip
    refused = cli(*args, "--gemeente", "texel")
    assert refused.exit_code == 6, refused.output
    assert " ".join(refused.stderr.split()) == (
        "Fout: Uw rol op de server staat deze handeling niet toe: gemeente Texel is niet aan u "
        "toegewezen (u legt alleen signalen vast voor Hoorn, Koggenland); er is niets gewijzigd. "
        "Vraag de beheerder als dat niet klopt."
    )
    assert server.rows("SELECT count(*) FROM signal") == [(0,)]
    own = cli(*args, "--gemeente", "Hoorn", "--json")
    assert own.exit_code == 0, own.output
    assert json.loads(own.stdout)["gemeente"] == "Hoorn"
    assert server.rows("SELECT municipality, created_by FROM signal") == [("Hoorn", OFFICER)]


def test_moving_a_signal_to_another_gemeente_names_the_officers_gemeenten(
    server: Server, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.setenv("MHTOOL_DB", server.url(OFFICER))
    made = cli(
        "signaal", "nieuw", "--datum", "02-11-2026", "--gemeente", "Hoorn", "--melder", "P.",
        "--kanaal", "mail", "--vorm", "arbeid", "--niet-acuut", "--omschrijving", "Zorgen.",
        "--json",
    )  # fmt: skip
    ref = str(json.loads(made.stdout)["id"])
    moved = cli("signaal", "wijzig", ref, "--gemeente", "Texel", "--reden", "verkeerd")
    assert moved.exit_code == 6, moved.output
    assert (
        "gemeente Texel is niet aan u toegewezen (u legt alleen signalen vast voor Hoorn, "
        "Koggenland)" in " ".join(moved.stderr.split())
    )
    assert server.rows("SELECT municipality FROM signal") == [("Hoorn",)]
    own = cli("signaal", "wijzig", ref, "--gemeente", "Koggenland", "--reden", "verkeerd")
    assert own.exit_code == 0, own.output
    assert server.rows("SELECT municipality FROM signal") == [("Koggenland",)]


def test_an_officer_without_a_gemeente_hears_that_before_the_form(
    server: Server, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    """A functionaris made without --gemeente may write, but for no gemeente yet."""
    monkeypatch.setenv("MHTOOL_DB", server.url("postgres"))
    script = cli("server", "rollen", "--functionaris", "n.nieuw")
    with server.cluster.connect(server.dbname) as conn:
        conn.execute(script.stdout.encode())
    child = spawn(server.url("n.nieuw"), "signaal", "nieuw")
    child.expect("nog geen gemeente aan u toegewezen")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 6
    assert server.rows("SELECT count(*) FROM signal") == [(0,)]


def test_erasure_takes_a_colleagues_correction_of_the_name_too(
    server: Server, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    """A colleague's correction of the name is a history row of no signal; when it was visible
    to its writer only, an erasure by the other officer left it, old and new name and all."""
    colleague = "k.tweede"
    monkeypatch.setenv("MHTOOL_DB", server.url("postgres"))
    script = cli("server", "rollen", "--functionaris", colleague, "--gemeente", "Koggenland")
    with server.cluster.connect(server.dbname) as conn:
        conn.execute(script.stdout.encode())
    monkeypatch.setenv("MHTOOL_DB", server.url(OFFICER))
    made = cli(
        "signaal", "nieuw", "--datum", "02-11-2026", "--gemeente", "Koggenland", "--melder",
        "P.", "--kanaal", "mail", "--vorm", "arbeid", "--niet-acuut", "--omschrijving", "Zorgen.",
        "--persoon", "naam=Wilhelmina Zwanenveld; rol=slachtoffer", "--json",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    (person,) = server.rows("SELECT id FROM person")[0]
    monkeypatch.setenv("MHTOOL_DB", server.url(colleague))
    fixed = cli("persoon", "wijzig", str(person), "--reden", "tikfout", "--naam", "W. Zwanenvelt")
    assert fixed.exit_code == 0, fixed.output

    monkeypatch.setenv("MHTOOL_DB", server.url(OFFICER))
    erased = cli("persoon", "verwijder", str(person), "--reden", "avg-verzoek", "--ja")
    assert erased.exit_code == 0, erased.output
    left = [
        row
        for row in server.rows("SELECT * FROM history")
        if "Zwanenveld" in repr(row) or "Zwanenvelt" in repr(row)
    ]
    assert left == []
    assert server.rows("SELECT count(*) FROM person") == [(0,)]
