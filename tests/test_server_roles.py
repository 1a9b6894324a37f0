"""Who may see what on a server (issue 14, item 2), enforced by PostgreSQL itself.

The roles are made the way a beheerder makes them: the SQL `mhtool server rollen` prints, run
as the superuser. Then every test logs in as one of them (trust authentication in the test
cluster: no password) and drives the real CLI: an officer of Koggenland, a reader of
Koggenland, and the region. The owner (`postgres`) logged the Texel and Koggenland signals.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import Cli, Result
from tests.postgres_cluster import PostgresCluster

pytestmark = pytest.mark.slow

TEXEL_NAME = "Bartholomeus Zwanenburg"
TEXEL_STREET = "Pontweg"
KOGGENLAND_NAME = "Anna de Wit"
OFFICER = "k.koggen"
READER = "v.vervanger"
REGION = "riec.nhn"


@dataclass
class World:
    cluster: PostgresCluster
    dbname: str
    texel_ref: str
    texel_id: int
    koggenland_ref: str
    koggenland_id: int

    def url(self, user: str) -> str:
        return self.cluster.url(self.dbname, user=user)

    def rows(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """As the superuser: what is really stored."""
        return self.cluster.admin_rows(self.dbname, sql, params)

    def as_role(self, role: str, sql: str) -> list[tuple[object, ...]]:
        """One statement as `role` (a login of its own, so the server applies its rights)."""
        import psycopg

        with psycopg.connect(self.url(role), autocommit=True) as conn:
            cursor = conn.execute(sql.encode())
            return list(cursor.fetchall()) if cursor.description is not None else []


def _new_signal(cli: Cli, gemeente: str, name: str, street: str) -> str:
    result = cli(
        "signaal",
        "nieuw",
        "--datum",
        "02-11-2026",
        "--gemeente",
        gemeente,
        "--melder",
        "P. Jansen",
        "--kanaal",
        "mail",
        "--omschrijving",
        f"Zorgen over {name} in de kassen.",
        "--vorm",
        "arbeid",
        "--persoon",
        f"naam={name}; rol=slachtoffer; geboren=12-03-1990",
        "--adres",
        f"straat={street}; nummer=12; postcode=1791AB; plaats={gemeente}",
        "--ja",
        "--json",
    )
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["id"])


@pytest.fixture
def world(
    postgres_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> Iterator[World]:
    """A server database with one Texel and one Koggenland signal (logged by the owner) and the
    three kinds of login, made with the SQL of `mhtool server rollen`."""
    cluster = postgres_cluster
    with cluster.scratch_database() as dbname:
        monkeypatch.setenv("MHTOOL_DB", cluster.url(dbname))
        texel_ref = _new_signal(cli, "Texel", TEXEL_NAME, TEXEL_STREET)
        kog_ref = _new_signal(cli, "Koggenland", KOGGENLAND_NAME, "Kerkstraat")
        ids = dict(cluster.admin_rows(dbname, "SELECT ref, id FROM signal"))
        script = cli(
            "server",
            "rollen",
            "--functionaris",
            OFFICER,
            "--gemeente",
            "Koggenland",
            "--lezer",
            READER,
            "--gemeente",
            "koggenland",
            "--regio",
            REGION,
        )
        assert script.exit_code == 0, script.output
        with cluster.connect(dbname) as conn:
            conn.execute(script.stdout.encode())
        yield World(cluster, dbname, texel_ref, ids[texel_ref], kog_ref, ids[kog_ref])


def run_as(
    world: World, monkeypatch: pytest.MonkeyPatch, cli: Cli, role: str, *args: str
) -> Result:
    monkeypatch.setenv("MHTOOL_DB", world.url(role))
    return cli(*args)


def _texel_free(world: World, *outputs: str) -> None:
    for text in outputs:
        for secret in (world.texel_ref, "Texel", TEXEL_NAME, "Zwanenburg", TEXEL_STREET):
            assert secret not in text, (secret, text)


def _stored(world: World) -> list[list[tuple[object, ...]]]:
    """Everything an officer could have changed, as the superuser sees it (the audit chain's
    own settings move with every entry, refusals included)."""
    tables = ("signal", "person", "address", "note", "step_event", "history", "signal_counter")
    return [
        *(world.rows(f"SELECT * FROM {table} ORDER BY 1") for table in tables),  # noqa: S608
        world.rows("SELECT * FROM setting WHERE key NOT LIKE 'audit.%' ORDER BY 1"),
    ]


def test_an_officer_of_koggenland_sees_nothing_of_texel_by_any_command(
    world: World, monkeypatch: pytest.MonkeyPatch, cli: Cli, tmp_path: Path
) -> None:
    def officer(*args: str) -> Result:
        return run_as(world, monkeypatch, cli, OFFICER, *args)

    listed = officer("signaal", "lijst", "--json")
    assert listed.exit_code == 0, listed.output
    assert [row["id"] for row in json.loads(listed.stdout)] == [world.koggenland_ref]
    as_csv = officer("signaal", "lijst", "--csv")
    assert world.koggenland_ref in as_csv.stdout

    # Not found, exactly as a number that was never given: no hint that it exists.
    shown = officer("signaal", "toon", world.texel_ref)
    never = officer("signaal", "toon", "MH-2026-0099")
    assert shown.exit_code == never.exit_code == 3
    assert shown.output.replace(world.texel_ref, "X") == never.output.replace("MH-2026-0099", "X")
    own = officer("signaal", "toon", world.koggenland_ref)
    assert own.exit_code == 0 and KOGGENLAND_NAME in own.stdout

    by_name = officer("zoek", "--persoon", TEXEL_NAME)
    by_surname = officer("zoek", "--persoon", "B. Zwanenburg")
    by_address = officer("zoek", "--adres", f"{TEXEL_STREET} 12, Texel")
    by_text = officer("zoek", "Zwanenburg")
    for found in (by_name, by_surname, by_address, by_text):
        assert found.exit_code == 3, found.output
    free_text = officer("zoek", "kassen")  # in both descriptions: only the own one is found
    assert free_text.exit_code == 0 and world.koggenland_ref in free_text.stdout

    figures = officer("statistiek", "--json")
    per_form = officer("statistiek", "--per", "vorm", "--json")
    year = officer("statistiek", "--tabel", "jaarcijfers", "--json")
    annual = officer("jaarverslag", "2026", "--json")
    weekly = officer("rapport", "--week", "2026-W45", "--uitvoer", "-", "--formaat", "csv")
    for result in (figures, per_form, year, annual, weekly):
        assert result.exit_code == 0, result.output
    assert [r["gemeente"] for r in json.loads(figures.stdout)["rijen"]] == ["Koggenland"]
    assert json.loads(year.stdout)["rijen"][0]["per_jaar"] == {"2026": 1}
    assert world.koggenland_ref in weekly.stdout
    _texel_free(
        world,
        listed.output,
        as_csv.output,
        # What was searched for is repeated in the answer; nothing else may be.
        by_name.output.replace(TEXEL_NAME, ""),
        by_surname.output.replace("B. Zwanenburg", ""),
        by_address.output.replace(f"{TEXEL_STREET} 12, Texel", ""),
        by_text.output.replace("Zwanenburg", ""),
        free_text.output,
        *(r.output for r in (figures, per_form, annual, weekly)),
    )


def test_an_officer_logs_and_advances_their_own_signal_under_their_login_name(
    world: World, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.setenv("MHTOOL_DB", world.url(OFFICER))
    ref = _new_signal(cli, "Koggenland", "Cor Visser", "Dorpsstraat")
    moved = cli("signaal", "stap", ref, "--datum", "03-11-2026", "--controle", "niets bekend")
    assert moved.exit_code == 0, moved.output
    assert "staat nu in stap 2" in moved.stdout
    noted = cli("signaal", "notitie", ref, "gesproken met de melder", "--datum", "04-11-2026")
    assert noted.exit_code == 0, noted.output

    # Ids above every row of the table, also the rows the officer cannot see.
    assert world.rows("SELECT id, step FROM signal WHERE ref = ?", (ref,)) == [(3, 2)]
    assert world.rows("SELECT max(id) FROM person") == [(3,)]
    assert world.rows("SELECT count(DISTINCT id) FROM history") == world.rows(
        "SELECT count(*) FROM history"
    )
    # The login name is the user in history and audit.
    assert {u for (u,) in world.rows("SELECT by_user FROM history WHERE signal_id = 3")} == {
        OFFICER
    }
    assert (OFFICER,) in world.rows("SELECT DISTINCT by_user FROM audit_log")
    changes = world.rows("SELECT DISTINCT change_id FROM history WHERE by_user = ?", (OFFICER,))
    owner_changes = world.rows("SELECT DISTINCT change_id FROM history WHERE by_user = 'postgres'")
    assert not set(changes) & set(owner_changes)

    # A signal for a gemeente not assigned to the officer is refused, and nothing is stored.
    before = _stored(world)
    texel = cli(
        "signaal", "nieuw", "--datum", "05-11-2026", "--gemeente", "Texel", "--melder", "x",
        "--kanaal", "mail", "--vorm", "arbeid", "--omschrijving", "x", "--ja",
    )  # fmt: skip
    moved_away = cli("signaal", "wijzig", ref, "--gemeente", "Texel", "--reden", "verkeerd")
    for refused in (texel, moved_away):
        assert refused.exit_code == 6, refused.output
        assert "Uw rol op de server staat deze handeling niet toe" in refused.stderr
        assert "Traceback" not in refused.output
    assert _stored(world) == before


def test_an_officer_takes_back_their_new_signal_and_its_person_is_gone_too(
    world: World, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    """`ongedaan` unlinks, then deletes the person: the person must still be visible to the
    officer between the two (unlinked), or the DELETE would silently leave it behind."""
    monkeypatch.setenv("MHTOOL_DB", world.url(OFFICER))
    ref = _new_signal(cli, "Koggenland", "Cor Visser", "Dorpsstraat")
    assert world.rows("SELECT count(*) FROM person WHERE name = 'Cor Visser'") == [(1,)]
    undone = cli("ongedaan", "--ja")
    assert undone.exit_code == 0, undone.output
    assert world.rows("SELECT count(*) FROM signal WHERE ref = ?", (ref,)) == [(0,)]
    assert world.rows("SELECT count(*) FROM person WHERE name = 'Cor Visser'") == [(0,)]
    assert world.rows("SELECT count(*) FROM address WHERE street = 'Dorpsstraat'") == [(0,)]
    # Nothing is left marked as unlinked, and nothing of Texel was touched.
    assert world.rows("SELECT count(*) FROM unlinked_entity") == [(0,)]
    assert world.rows("SELECT count(*) FROM person") == [(2,)]


def test_the_reader_reads_but_every_write_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.setenv("MHTOOL_DB", world.url(READER))
    listed = cli("signaal", "lijst", "--json")
    assert [row["id"] for row in json.loads(listed.stdout)] == [world.koggenland_ref]
    shown = cli("signaal", "toon", world.koggenland_ref)
    assert shown.exit_code == 0 and KOGGENLAND_NAME in shown.stdout
    assert cli("signaal", "toon", world.texel_ref).exit_code == 3

    before = _stored(world)
    ref = world.koggenland_ref
    for args in (
        ("signaal", "notitie", ref, "een notitie", "--datum", "04-11-2026"),
        ("signaal", "stap", ref, "--datum", "03-11-2026", "--controle", "niets"),
        ("signaal", "wijzig", ref, "--melder", "Iemand", "--reden", "typfout"),
        ("signaal", "nieuw", "--datum", "05-11-2026", "--gemeente", "Koggenland", "--melder",
         "x", "--kanaal", "mail", "--vorm", "arbeid", "--omschrijving", "x", "--ja"),
        ("bewaartermijn", "zet", "--conclusie", "geen", "--jaren", "3"),
    ):  # fmt: skip
        refused = cli(*args)
        assert refused.exit_code == 6, (args, refused.output)
        assert "Uw rol op de server staat deze handeling niet toe" in refused.stderr
        assert "er is niets gewijzigd" in refused.stderr
    assert _stored(world) == before
    # The refusals themselves are in the audit log, under the reader's name.
    assert world.rows(
        "SELECT count(*) FROM audit_log WHERE by_user = ? AND result <> 'ok'", (READER,)
    ) != [(0,)]


def test_the_region_gets_figures_of_every_gemeente_and_no_signal_or_name(
    world: World, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    import psycopg

    owner_annual = cli("jaarverslag", "2026", "--json")
    assert owner_annual.exit_code == 0, owner_annual.output
    monkeypatch.setenv("MHTOOL_DB", world.url(REGION))
    figures = cli("statistiek", "--json")
    per_form = cli("statistiek", "--per", "vorm", "--json")
    year = cli("statistiek", "--tabel", "jaarcijfers", "--json")
    annual = cli("jaarverslag", "2026", "--json")
    for result in (figures, per_form, year, annual):
        assert result.exit_code == 0, result.output
    places = [r["gemeente"] for r in json.loads(figures.stdout)["rijen"]]
    assert places == ["Koggenland", "Texel"]
    assert json.loads(year.stdout)["rijen"][0]["per_jaar"] == {"2026": 2}
    # The same report as the owner's, made from the views alone.
    assert json.loads(annual.stdout) == json.loads(owner_annual.stdout)

    for args in (
        ("signaal", "lijst"),
        ("signaal", "toon", world.texel_ref),
        ("zoek", "--persoon", TEXEL_NAME),
        ("zoek", "kassen"),
        ("rapport", "--week", "2026-W45", "--uitvoer", "-"),
    ):
        refused = cli(*args)
        assert refused.exit_code == 6, (args, refused.output)
        assert "Uw rol op de server (regio) ziet alleen cijfers" in refused.stderr
        assert "mhtool statistiek" in refused.stderr
        for secret in (TEXEL_NAME, KOGGENLAND_NAME, world.texel_ref, "Traceback"):
            assert secret not in refused.output
    for table in ("person", "signal", "address"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            world.as_role(REGION, f"SELECT * FROM {table}")  # noqa: S608 - fixed names


def test_a_beheerder_who_is_not_superuser_sets_it_all_up(
    postgres_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    """As docs/server.md says: an owner role with CREATEROLE (no superuser, so nothing is
    exempt from row-level security except by owning the tables) creates the schema by using
    mhtool, and the roles with `server rollen --uitvoeren`."""
    cluster = postgres_cluster
    cluster.ensure_running()
    roles_before = cluster.roles()
    dbname = f"mhtool_beheer_{id(cli)}"
    with cluster.connect() as conn:
        conn.execute(b"CREATE ROLE beheerder LOGIN CREATEROLE")
        conn.execute(
            f"CREATE DATABASE \"{dbname}\" OWNER beheerder TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C' LC_CTYPE 'C'".encode()
        )
    try:
        monkeypatch.setenv("MHTOOL_DB", cluster.url(dbname, user="beheerder"))
        texel_ref = _new_signal(cli, "Texel", TEXEL_NAME, TEXEL_STREET)
        made = cli(
            "server", "rollen", "--functionaris", OFFICER, "--gemeente", "Koggenland",
            "--regio", REGION, "--uitvoeren",
        )  # fmt: skip
        assert made.exit_code == 0, made.output
        assert len(json.loads(cli("signaal", "lijst", "--json").stdout)) == 1

        monkeypatch.setenv("MHTOOL_DB", cluster.url(dbname, user=OFFICER))
        assert json.loads(cli("signaal", "lijst", "--json").stdout) == []
        own = _new_signal(cli, "Koggenland", KOGGENLAND_NAME, "Kerkstraat")
        assert [r["id"] for r in json.loads(cli("signaal", "lijst", "--json").stdout)] == [own]
        assert cli("signaal", "toon", texel_ref).exit_code == 3
        assert cluster.admin_rows(dbname, "SELECT id, created_by FROM signal ORDER BY id") == [
            (1, "beheerder"),
            (2, OFFICER),
        ]
        # The region's figures are those of every gemeente, read as the views' owner.
        monkeypatch.setenv("MHTOOL_DB", cluster.url(dbname, user=REGION))
        figures = cli("statistiek", "--json")
        assert figures.exit_code == 0, figures.output
        assert json.loads(figures.stdout)["totaal"]["totaal"] == 2
    finally:
        cluster.ensure_running()
        cluster.drop_database(dbname, roles_before=roles_before)


def test_the_region_appends_to_the_audit_log_but_cannot_read_it(
    world: World, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    """The log names signal numbers and logins: the region adds its own entries through the
    owner's function for the head of the chain and reads none of them."""
    import psycopg

    for sql in (
        "SELECT * FROM audit_log",
        "SELECT by_user FROM audit_log",
        "SELECT count(*) FROM audit_log",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            world.as_role(REGION, sql)
    # The head it needs to append: an id and a hash, nothing of any entry's content.
    head = world.as_role(REGION, "SELECT * FROM mhtool_audit_head()")
    assert head == world.rows("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
    before = world.rows("SELECT max(id) FROM audit_log")[0][0]
    assert isinstance(before, int)

    monkeypatch.setenv("MHTOOL_DB", world.url(REGION))
    assert cli("statistiek", "--per", "gemeente").exit_code == 0
    assert cli("jaarverslag", "2026", "--json").exit_code == 0
    for args in (
        ("audit", "toon"),
        ("audit", "toon", "--actie", "signaal"),
        ("audit", "controleer"),
        ("audit", "controleer", "--volledig"),
        ("audit", "anker"),
    ):
        refused = cli(*args)
        assert refused.exit_code == 6, (args, refused.output)
        assert refused.stdout == ""
        message = refused.stderr.strip()
        assert message.count(".") == 1 and message.endswith("."), message
        assert "niet het auditlog" in message and "functionaris" in message, message
        for secret in (world.texel_ref, world.koggenland_ref, OFFICER, "Traceback"):
            assert secret not in refused.output

    added = world.rows(
        "SELECT by_user, action, result FROM audit_log WHERE id > ? ORDER BY id", (before,)
    )
    assert added == [
        (REGION, "statistiek", "gelukt"),
        (REGION, "jaarverslag", "gelukt"),
        (REGION, "audit.toon", "geweigerd"),
        (REGION, "audit.toon", "geweigerd"),
        (REGION, "audit.controleer", "geweigerd"),
        (REGION, "audit.controleer", "geweigerd"),
        (REGION, "audit.anker", "geweigerd"),
    ]
    # One unbroken chain, as the owner and an officer verify it.
    for url in (world.cluster.url(world.dbname), world.url(OFFICER)):
        monkeypatch.setenv("MHTOOL_DB", url)
        check = cli("audit", "controleer", "--volledig")
        assert check.exit_code == 0, check.output
    monkeypatch.setenv("MHTOOL_DB", world.cluster.url(world.dbname))
    shown = cli("audit", "toon", "--json")
    assert shown.exit_code == 0, shown.output
    assert REGION in shown.stdout


# -- the policies themselves, by direct SQL (what any client could try) ------------------------

_NOW = "2026-11-02T10:00:00+00:00"


@pytest.fixture
def sql_world(
    postgres_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> Iterator[World]:
    """The schema made by mhtool (as the owner), the roles made by `server rollen
    --uitvoeren`, and one Texel and one Koggenland signal with a person and an address each,
    written by the owner in plain SQL."""
    cluster = postgres_cluster
    with cluster.scratch_database() as dbname:
        monkeypatch.setenv("MHTOOL_DB", cluster.url(dbname))
        made = cli(
            "server",
            "rollen",
            "--functionaris",
            OFFICER,
            "--gemeente",
            "Koggenland",
            "--lezer",
            READER,
            "--gemeente",
            "Koggenland",
            "--regio",
            REGION,
            "--uitvoeren",
        )
        assert made.exit_code == 0, made.output
        assert "rollen zijn op de server gemaakt" in made.stdout
        with cluster.connect(dbname) as conn:
            for sid, place, name, street in (
                (1, "Texel", TEXEL_NAME, TEXEL_STREET),
                (2, "Koggenland", KOGGENLAND_NAME, "Kerkstraat"),
            ):
                conn.execute(
                    "INSERT INTO signal (id, ref, year, seq, received_on, municipality, reporter, "
                    "channel, acute, step, step_since, created_at, created_by, updated_at, "
                    "description) VALUES (%s, %s, 2026, %s, '2026-11-02', %s, 'P. Jansen', "
                    "'mail', 0, 1, '2026-11-02', %s, 'postgres', %s, %s)",
                    (sid, f"MH-2026-000{sid}", sid, place, _NOW, _NOW, f"Zorgen over {name}"),
                )
                surname = name.split()[-1].lower()
                conn.execute(
                    "INSERT INTO person (id, name, name_key, created_at, surname_key, given_key, "
                    "birth_date, birth_year) VALUES (%s, %s, %s, %s, %s, %s, '1990-03-12', 1990)",
                    (sid, name, name.lower(), _NOW, surname, name.split()[0].lower()),
                )
                conn.execute("INSERT INTO signal_person VALUES (%s, %s, 'slachtoffer')", (sid, sid))
                conn.execute(
                    "INSERT INTO address (id, street, street_key, house_number, house_key, "
                    "postcode, city, created_at) VALUES (%s, %s, %s, 12, '12', '1791AB', %s, %s)",
                    (sid, street, street.lower(), place, _NOW),
                )
                conn.execute("INSERT INTO signal_address VALUES (%s, %s)", (sid, sid))
                conn.execute("INSERT INTO signal_form VALUES (%s, 'arbeid')", (sid,))
        yield World(cluster, dbname, "MH-2026-0001", 1, "MH-2026-0002", 2)


def _refused(world: World, role: str, sql: str) -> bool:
    import psycopg

    try:
        world.as_role(role, sql)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


@pytest.mark.parametrize("role", [OFFICER, READER])
def test_by_sql_an_officer_reads_only_rows_of_their_gemeenten(sql_world: World, role: str) -> None:
    w = sql_world
    assert w.as_role(role, "SELECT id FROM signal") == [(2,)]
    assert w.as_role(role, "SELECT name FROM person") == [(KOGGENLAND_NAME,)]
    assert w.as_role(role, "SELECT street FROM address") == [("Kerkstraat",)]
    assert w.as_role(role, "SELECT signal_id FROM signal_person") == [(2,)]
    # The fuzzy-search terms and the free-text index hold nothing of Texel either.
    terms = {str(t) for (t,) in w.as_role(role, "SELECT term FROM search_term")}
    assert "zwanenburg" not in terms and "pontweg" not in terms and "wit" in terms
    assert w.as_role(role, "SELECT doc FROM search_text") == [(4,)]
    assert w.as_role(role, "SELECT municipality FROM signal_group_count") == [("Koggenland",)]
    # A login's sessions plan without JIT (the policies make plans look expensive).
    assert w.as_role(role, "SHOW jit") == [("off",)]
    # The superuser sees both: nothing was hidden by deleting.
    assert len(w.rows("SELECT id FROM signal")) == 2


def test_by_sql_an_officer_cannot_write_into_another_gemeente(sql_world: World) -> None:
    w = sql_world
    assert _refused(w, OFFICER, "UPDATE signal SET municipality = 'Texel' WHERE id = 2")
    # A row the officer cannot see is not there for them: nothing changes, nothing is told.
    w.as_role(OFFICER, "UPDATE signal SET description = 'weg' WHERE id = 1")
    w.as_role(OFFICER, "DELETE FROM signal WHERE id = 1")
    assert w.rows("SELECT description FROM signal WHERE id = 1") == [(f"Zorgen over {TEXEL_NAME}",)]
    # Nor can another gemeente's person or address be linked to one's own signal to see it.
    assert _refused(w, OFFICER, "INSERT INTO signal_person VALUES (2, 1, 'dader')")
    assert _refused(w, OFFICER, "INSERT INTO signal_address VALUES (2, 1)")
    assert _refused(w, OFFICER, "UPDATE signal_person SET person_id = 1 WHERE signal_id = 2")
    assert w.as_role(OFFICER, "SELECT name FROM person") == [(KOGGENLAND_NAME,)]
    # Ids come from the owner's view of the table, not the officer's.
    assert w.as_role(OFFICER, "SELECT mhtool_fresh_id('person'), mhtool_next_signal_id()") == [
        (3, 3)
    ]


def test_by_sql_the_reader_cannot_write_and_nothing_changes(sql_world: World) -> None:
    w = sql_world
    before = w.rows("SELECT * FROM signal ORDER BY id")
    for sql in (
        "UPDATE signal SET description = 'x' WHERE id = 2",
        "DELETE FROM signal WHERE id = 2",
        "INSERT INTO note (id, signal_id, on_date, by_user, text, created_at) "
        "VALUES (9, 2, '2026-11-03', 'x', 'x', 'x')",
        "INSERT INTO setting VALUES ('norm.stap1', '9', 'x', 'x')",
        "DELETE FROM audit_log",
    ):
        assert _refused(w, READER, sql), sql
    assert w.rows("SELECT * FROM signal ORDER BY id") == before
    assert w.rows("SELECT count(*) FROM setting WHERE key = 'norm.stap1'") == [(0,)]


def test_by_sql_the_region_sees_figures_and_no_name(sql_world: World) -> None:
    w = sql_world
    for table in ("person", "address", "signal", "note", "history", "search_term", "search_text"):
        assert _refused(w, REGION, f"SELECT * FROM {table}"), table  # noqa: S608 - fixed names
    assert sorted(w.as_role(REGION, "SELECT municipality FROM regio_signal")) == [
        ("Koggenland",),
        ("Texel",),
    ]
    # Of a person only the role and the age band at receipt (as a stand-in year), no date.
    persons = w.as_role(REGION, "SELECT * FROM regio_signal_person ORDER BY signal_id")
    assert persons == [(1, "slachtoffer", None, 1926), (2, "slachtoffer", None, 1926)]
    everything = str(
        [w.as_role(REGION, f"SELECT * FROM {view}") for view in _regional_views()]  # noqa: S608
    )
    for secret in (TEXEL_NAME, "Zwanenburg", TEXEL_STREET, "1791AB", "1990", "Zorgen", "2026-0001"):
        assert secret not in everything


def _regional_views() -> tuple[str, ...]:
    from mhtool.store.postgres_security import REGIONAL_VIEWS

    return REGIONAL_VIEWS
