"""A person who appears in signals of two gemeenten, on a server with row-level security.

An officer of Koggenland sees the person (linked to a Koggenland signal) but not the Texel
signal the same person is linked to. Erasure (art. 17 AVG) must then be all or nothing: the
server silently skips rows a policy hides, so without a check the officer was told "verwijderd"
while the person, the Texel link and the name in the Texel texts stayed on the server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import Cli, Result
from tests.postgres_cluster import PostgresCluster

pytestmark = pytest.mark.slow

NAME = "Bartholomeus Zwanenburg"
OFFICER = "k.koggen"
TEXEL_OFFICER = "t.texel"
READER = "v.vervanger"


@dataclass
class Shared:
    cluster: PostgresCluster
    dbname: str
    person_id: int

    def url(self, user: str | None = None) -> str:
        return (
            self.cluster.url(self.dbname)
            if user is None
            else self.cluster.url(self.dbname, user=user)
        )

    def stored(self) -> list[list[tuple[object, ...]]]:
        """What an erasure would change, as the superuser sees it."""
        tables = ("person", "signal_person", "signal", "note", "history", "search_term")
        return [
            self.cluster.admin_rows(self.dbname, f"SELECT * FROM {t} ORDER BY 1, 2")  # noqa: S608
            for t in tables
        ]


def _signal(cli: Cli, gemeente: str, person: str) -> str:
    result = cli(
        "signaal", "nieuw", "--datum", "02-11-2026", "--gemeente", gemeente,
        "--melder", "P. Jansen", "--kanaal", "mail", "--vorm", "arbeid", "--niet-acuut",
        "--omschrijving", f"Zorgen over {NAME} in de kassen.",
        "--persoon", person, "--ja", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["id"])


@pytest.fixture
def shared(
    postgres_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> Iterator[Shared]:
    """The owner logs the person in Koggenland and links the same person to a Texel signal
    (with a note naming them); the officer is made with the SQL of `mhtool server rollen`."""
    cluster = postgres_cluster
    with cluster.scratch_database() as dbname:
        monkeypatch.setenv("MHTOOL_DB", cluster.url(dbname))
        _signal(cli, "Koggenland", f"naam={NAME}; rol=slachtoffer; geboren=12-03-1990")
        (person_id,) = cluster.admin_rows(dbname, "SELECT id FROM person")[0]
        texel = _signal(cli, "Texel", f"id={person_id}; rol=slachtoffer")
        assert cli("signaal", "notitie", texel, f"{NAME} belde zelf").exit_code == 0
        script = cli(
            "server", "rollen", "--functionaris", OFFICER, "--gemeente", "Koggenland",
            "--functionaris", TEXEL_OFFICER, "--gemeente", "Texel",
            "--lezer", READER, "--gemeente", "Koggenland",
        )  # fmt: skip
        assert script.exit_code == 0, script.output
        with cluster.connect(dbname) as conn:
            conn.execute(script.stdout.encode())
        yield Shared(cluster, dbname, int(person_id))


def _as(shared: Shared, monkeypatch: pytest.MonkeyPatch, cli: Cli, user: str | None,
        *args: str) -> Result:  # fmt: skip
    monkeypatch.setenv("MHTOOL_DB", shared.url(user))
    return cli(*args)


def test_an_officer_cannot_half_erase_a_person_who_is_also_in_another_gemeente(
    shared: Shared, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    person = str(shared.person_id)
    before = shared.stored()
    # The officer sees the person (through the Koggenland signal) ...
    shown = _as(shared, monkeypatch, cli, OFFICER, "persoon", "toon", person)
    assert shown.exit_code == 0, shown.output
    assert NAME in shown.stdout

    refused = _as(
        shared, monkeypatch, cli, OFFICER,
        "persoon", "verwijder", person, "--reden", "avg-verzoek", "--ja",
    )  # fmt: skip
    assert refused.exit_code == 6, refused.output
    assert refused.stdout == ""
    message = refused.stderr
    assert message.startswith("Fout: ")
    assert "niet aan u is toegewezen" in message
    assert "beheerder" in message
    assert "Traceback" not in message
    # ... and nothing changed: not the person, not a link, not a text, not the history.
    assert shared.stored() == before
    audit = shared.cluster.admin_rows(
        shared.dbname,
        "SELECT by_user, action, result FROM audit_log WHERE action = 'persoon.verwijder'",
    )
    assert audit == [(OFFICER, "persoon.verwijder", "geweigerd")]

    # The owner, who sees every gemeente, erases the person everywhere.
    done = _as(
        shared, monkeypatch, cli, None,
        "persoon", "verwijder", person, "--reden", "avg-verzoek", "--ja",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert shared.cluster.admin_rows(shared.dbname, "SELECT * FROM person") == []
    assert shared.cluster.admin_rows(shared.dbname, "SELECT * FROM signal_person") == []
    texts = shared.cluster.admin_rows(
        shared.dbname, "SELECT description FROM signal UNION ALL SELECT text FROM note"
    )
    assert texts and not any("Zwanenburg" in str(t) for (t,) in texts)


def test_a_correction_of_a_person_shows_in_the_history_for_everyone_who_sees_the_person(
    shared: Shared, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    """The correction's history row belongs to no signal; it was readable by its writer only,
    so a colleague saw the new name without the old one, who changed it or why."""
    person = str(shared.person_id)
    fixed = _as(
        shared, monkeypatch, cli, OFFICER,
        "persoon", "wijzig", person, "--reden", "tikfout", "--naam", "Bartholomeus Zwanenberg",
    )  # fmt: skip
    assert fixed.exit_code == 0, fixed.output
    for user in (OFFICER, TEXEL_OFFICER, READER):
        shown = _as(shared, monkeypatch, cli, user, "persoon", "toon", person, "--json")
        assert shown.exit_code == 0, (user, shown.output)
        history = json.loads(shown.stdout)["historie"]
        corrections = [h for h in history if h["actie"] == "gecorrigeerd"]
        assert len(corrections) == 1, (user, history)
        assert corrections[0]["door"] == OFFICER
        assert NAME in json.dumps(corrections[0], ensure_ascii=False)
