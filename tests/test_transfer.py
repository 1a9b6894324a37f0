"""`mhtool overzetten`: a file (plain or encrypted) onto an empty server database, and a server
database into a new file. Every table arrives with every value (erased persons stay erased,
annulled signals stay annulled), the derived search and statistics tables are rebuilt equal,
the audit chain verifies on the other side, ids and numbers go on above the copied ones, and a
non-empty target or an existing file is refused with nothing changed.

Every test here uses the session's PostgreSQL cluster, so all are slow (except the usage
errors, which never reach a server)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SCHEMA_TEMPLATE, Backend, Cli, _migrate
from tests.mhtool_process import TEST_PASSPHRASE
from tests.postgres_cluster import PostgresCluster
from tests.signal_helpers import close_signal, log_signal

# Tables mhtool keeps itself from the copied rows (and the schema bookkeeping of each side).
DERIVED = {"search_term", "search_text", "signal_group", "signal_group_count"}
NOT_COMPARED = {"schema_migration", "search_text"}  # search_text: FTS5 on a file


def _server_database(cluster: PostgresCluster, with_schema: bool) -> Iterator[Backend]:
    cluster.ensure_running()
    roles = cluster.roles()
    template = cluster.ensure_template(SCHEMA_TEMPLATE, _migrate) if with_schema else None
    dbname = cluster.fresh_database(template)
    try:
        yield Backend("postgresql", cluster.url(dbname), cluster, dbname)
    finally:
        cluster.ensure_running()
        cluster.drop_database(dbname, roles_before=roles)


@pytest.fixture
def server(postgres_cluster: PostgresCluster) -> Iterator[Backend]:
    """A server database with mhtool's tables and no rows, as the beheerder leaves it after
    the first `mhtool info` (MHTOOL_DB stays the file)."""
    yield from _server_database(postgres_cluster, with_schema=True)


@pytest.fixture
def bare_server(postgres_cluster: PostgresCluster) -> Iterator[Backend]:
    """A server database without any table at all."""
    yield from _server_database(postgres_cluster, with_schema=False)


def _file_rows(
    path: Path, sql: str, params: tuple[Any, ...] = (), passphrase: str | None = None
) -> list[tuple[Any, ...]]:
    """Rows of a file, plain or encrypted, through mhtool's own connection."""
    from mhtool.store.cipher import key_material
    from mhtool.store.connection import connect

    conn = connect(path, key_material(passphrase) if passphrase else None)
    try:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


def _file_tables(path: Path, passphrase: str | None = None) -> list[str]:
    rows = _file_rows(
        path,
        "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name",
        passphrase=passphrase,
    )
    virtual = [n for n, sql in rows if sql.upper().startswith("CREATE VIRTUAL")]
    return [
        n for n, _ in rows if n not in virtual and not any(n.startswith(v + "_") for v in virtual)
    ]


def _content(rows: list[tuple[Any, ...]]) -> list[str]:
    return sorted(json.dumps(list(r), ensure_ascii=False) for r in rows)


def _file_content(path: Path, table: str, passphrase: str | None = None) -> list[str]:
    return _content(_file_rows(path, f'SELECT * FROM "{table}"', passphrase=passphrase))  # noqa: S608


def _server_content(server: Backend, table: str) -> list[str]:
    return _content(server.rows(f'SELECT * FROM "{table}"'))  # noqa: S608


def _server_tables(server: Backend) -> list[str]:
    return [
        str(r[0])
        for r in server.rows(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]


def _server_counts(server: Backend) -> dict[str, int]:
    return {
        t: int(server.scalar(f'SELECT count(*) FROM "{t}"'))  # noqa: S608
        for t in _server_tables(server)
    }


def _fill(cli: Cli) -> dict[str, str]:
    """A file with what a real one holds: persons, addresses, organisations, notes, a closed
    signal, an annulled one, an erased person and a destroyed signal's freed ids."""
    refs = {
        "kas": log_signal(
            cli,
            "--persoon", "naam=Jan de Vries; rol=slachtoffer; geboren=12-03-1990",
            "--persoon", "naam=Maria Ionescu; rol=slachtoffer; geboren=1988",
            "--adres", "straat=Dorpsstraat; nummer=12; postcode=1700 AB; plaats=Heerhugowaard",
            "--organisatie", "naam=Kwekerij De Tuin BV; sector=agrarisch",
            "--vorm", "arbeid",
            datum="01-10-2026",
            omschrijving="Jan de Vries en Maria Ionescu werken bij de kwekerij; Łukasz weet meer.",
        ),
        "nagel": log_signal(
            cli,
            "--persoon", "naam=Piet Bakker; rol=dader",
            "--organisatie", "naam=Nagelstudio Glans; sector=overig",
            "--vorm", "seksueel",
            datum="03-10-2026",
            omschrijving="Melding over een nagelstudio.",
        ),
        "dubbel": log_signal(
            cli, "--persoon", "naam=Piet Bakker; rol=dader", datum="04-10-2026",
            omschrijving="Dezelfde melding nog eens.",
        ),
        "dicht": log_signal(cli, datum="05-10-2026", omschrijving="Afgerond signaal."),
    }  # fmt: skip
    steps = [
        ("signaal", "notitie", refs["kas"], "Gesprek met Maria Ionescu gepland."),
        ("signaal", "vervallen", refs["dubbel"], "--reden", "dubbel"),
        ("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja"),
    ]
    for args in steps:
        done = cli(*args)
        assert done.exit_code == 0, (args, done.output)
    close_signal(cli, refs["dicht"], "20-10-2026")
    return refs


def _assert_same_tables(path: Path, server: Backend, passphrase: str | None = None) -> None:
    """Every table of the file, with every value of every row, is on the server (the audit
    log up to the copy's own entries, which each side writes for itself)."""
    for table in _file_tables(path, passphrase):
        if table in NOT_COMPARED | {"audit_log"}:
            continue
        on_server = _server_content(server, table)
        in_file = _file_content(path, table, passphrase)
        if table == "setting":  # the audit log's anchor follows each side's own last entry
            on_server, in_file = _without_anchor(on_server), _without_anchor(in_file)
        assert on_server == in_file, table
    file_audit = _file_rows(path, "SELECT * FROM audit_log ORDER BY id", passphrase=passphrase)
    server_audit = server.rows("SELECT * FROM audit_log ORDER BY id")
    shared = min(len(file_audit), len(server_audit)) - 1
    assert shared >= 0 and server_audit[:shared] == file_audit[:shared]
    # The search text (FTS5 in the file, a table on the server) holds as many documents.
    documents = _file_rows(path, "SELECT count(*) FROM search_text", passphrase=passphrase)
    assert server.scalar("SELECT count(*) FROM search_text") == documents[0][0]


def _without_anchor(settings: list[str]) -> list[str]:
    return [row for row in settings if not row.startswith('["audit.anker"')]


def _copy_entries(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """(by_user, result, details) of the 'overzetten' entries of an audit log."""
    return [(r[2], r[6], json.loads(r[7])) for r in rows if r[3] == "overzetten"]


@pytest.mark.slow
def test_a_file_moves_onto_an_empty_server_whole(
    cli: Cli, db_path: Path, bare_server: Backend
) -> None:
    server = bare_server
    refs = _fill(cli)
    before = {t: _file_content(db_path, t) for t in _file_tables(db_path)}
    audit_before = _file_rows(db_path, "SELECT * FROM audit_log ORDER BY id")

    moved = cli("overzetten", "--naar", server.target, "--json")
    assert moved.exit_code == 0, moved.output
    report = json.loads(moved.stdout)
    assert report["richting"] == "naar-server"
    assert report["aantallen_gelijk"] is True and report["historie_gelijk"] is True
    assert report["auditketen_in_orde"] is True
    copied = {t: len(rows) for t, rows in before.items() if t not in DERIVED | NOT_COMPARED}
    assert report["tabellen"] == copied
    # Jan de Vries erased; Piet Bakker twice (not linked to the earlier one).
    assert copied["signal"] == 4 and copied["person"] == 3 and copied["history"] > 10
    assert report["auditlog_regels"] == len(audit_before)
    assert report["afgeleid"] == {t: len(before[t]) for t in DERIVED if t != "search_text"} | {
        "search_text": _file_rows(db_path, "SELECT count(*) FROM search_text")[0][0]
    }

    # The file is as it was, plus one audit entry for the copy (counts only), and the server
    # holds all of it: every value of every table.
    for table, rows in before.items():
        if table != "audit_log":
            now = _file_content(db_path, table)
            assert _without_anchor(now) == _without_anchor(rows), table
    audit_after = _file_rows(db_path, "SELECT * FROM audit_log ORDER BY id")
    assert audit_after[:-1] == audit_before
    assert _copy_entries(audit_after) == [
        (audit_before[-1][2], "gelukt", {"richting": "naar-server", **copied})
    ]
    _assert_same_tables(db_path, server)
    server_audit = server.rows("SELECT * FROM audit_log ORDER BY id")
    assert server_audit[: len(audit_before)] == audit_before
    # The server's own entry: by the server login (never the file's user name), counts only.
    assert _copy_entries(server_audit) == [
        ("postgres", "gelukt", {"richting": "naar-server", **copied})
    ]

    # The erased person stays erased and the annulled signal annulled.
    assert server.scalar("SELECT count(*) FROM person WHERE name = 'Jan de Vries'") == 0
    assert server.scalar("SELECT count(*) FROM signal WHERE description LIKE '%Jan de Vries%'") == 0
    assert server.scalar(
        "SELECT annulled_on IS NOT NULL FROM signal WHERE ref = ?", (refs["dubbel"],)
    )

    # The audit chain checks out on the server with mhtool's own check.
    checked = cli("--db", server.target, "audit", "controleer", "--volledig", "--json")
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["in_orde"] is True


@pytest.mark.slow
def test_on_the_server_the_moved_data_reads_as_it_did_in_the_file(
    cli: Cli, db_path: Path, server: Backend
) -> None:
    """After the move the server is the database: lists, searches, figures and a signal's
    whole record come out exactly as they did from the file."""
    refs = _fill(cli)
    views = [
        ("signaal", "lijst"),
        ("signaal", "lijst", "--alles", "--json"),
        ("signaal", "toon", refs["kas"]),
        ("signaal", "toon", refs["dubbel"], "--json"),
        ("zoek", "--persoon", "Maria Ionescu"),
        ("zoek", "--persoon", "P. Bakker", "--json"),
        ("zoek", "--organisatie", "kwekerij de tuin"),
        ("zoek", "kwekerij"),
        ("statistiek",),
        ("statistiek", "--per", "vorm", "--json"),
        ("statistiek", "--tabel", "jaarcijfers"),
        ("agenda",),
    ]
    from_file = [cli(*args) for args in views]
    for args, shown in zip(views, from_file, strict=True):
        assert shown.exit_code == 0 and shown.stdout.strip(), (args, shown.output)
    assert cli("overzetten", "--naar", server.target).exit_code == 0
    for args, before in zip(views, from_file, strict=True):
        after = cli("--db", server.target, *args)
        assert (after.exit_code, after.stdout) == (before.exit_code, before.stdout), args


@pytest.mark.slow
def test_ids_and_numbers_go_on_above_the_copied_ones(
    cli: Cli, db_path: Path, server: Backend
) -> None:
    _fill(cli)
    assert cli("overzetten", "--naar", server.target).exit_code == 0
    assert server.cluster is not None
    with server.cluster.connect(server.dbname) as conn:
        # What the next writer's inserts get when they give no id: the triggers' max + 1, the
        # audit log's identity sequence past the copied entries.
        conn.execute("BEGIN")
        highest = conn.execute("SELECT max(id) FROM history").fetchone()
        added = conn.execute(
            "INSERT INTO history (at, by_user, entity, action) VALUES ('x', 'y', 'signal', 'z') "
            "RETURNING id"
        ).fetchone()
        sequence = conn.execute("SELECT last_value, is_called FROM audit_log_id_seq").fetchone()
        conn.execute("ROLLBACK")
    assert highest is not None and added is not None and added[0] == highest[0] + 1
    assert sequence == (server.scalar("SELECT max(id) FROM audit_log"), True)
    # The ids erasure freed travel along, so a new person never inherits an erased one's.
    assert server.scalar("SELECT value FROM setting WHERE key = 'id.hoogste.person'") == "1"
    # The numbering per year goes on where the file was.
    assert server.scalar("SELECT last_seq FROM signal_counter WHERE year = 2026") == 4


@pytest.mark.slow
def test_an_encrypted_file_moves_with_its_passphrase(
    cli: Cli, db_path: Path, server: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MHTOOL_WACHTWOORD", TEST_PASSPHRASE)
    assert cli("init", "--versleuteld").exit_code == 0
    _fill(cli)
    assert not db_path.read_bytes().startswith(b"SQLite format 3")
    moved = cli("overzetten", "--naar", server.target, "--json")
    assert moved.exit_code == 0, moved.output
    assert json.loads(moved.stdout)["tabellen"]["signal"] == 4
    _assert_same_tables(db_path, server, TEST_PASSPHRASE)
    assert server.scalar("SELECT count(*) FROM audit_log WHERE action = 'overzetten'") == 1


@pytest.mark.slow
def test_a_server_with_the_schema_but_no_rows_is_empty_enough(
    cli: Cli, db_path: Path, bare_server: Backend
) -> None:
    """The beheerder's first use as owner (`mhtool info`) makes the tables, writing no row:
    that is still empty."""
    server = bare_server
    made = cli("--db", server.target, "info")
    assert made.exit_code == 0, made.output
    assert server.scalar("SELECT count(*) FROM schema_migration") > 0
    log_signal(cli, datum="01-11-2026", omschrijving="Eén signaal.")
    moved = cli("overzetten", "--naar", server.target)
    assert moved.exit_code == 0, moved.output
    assert "1 signaal;" in moved.stdout
    assert "keten van het auditlog in orde" in moved.stdout
    assert server.scalar("SELECT ref FROM signal") == "MH-2026-0001"


@pytest.mark.slow
def test_a_server_database_with_data_is_refused_and_left_alone(
    cli: Cli, db_path: Path, server: Backend
) -> None:
    _fill(cli)
    assert cli("overzetten", "--naar", server.target).exit_code == 0
    on_server = {t: _server_content(server, t) for t in _server_tables(server)}
    file_audit = _file_rows(db_path, "SELECT * FROM audit_log ORDER BY id")

    again = cli("overzetten", "--naar", server.target)
    assert again.exit_code == 6
    assert again.stdout == ""
    assert again.stderr.startswith("Fout: De database postgresql://")
    assert "is niet leeg" in again.stderr and "niets gewijzigd" in again.stderr
    assert again.stderr.count("\n") == 1
    assert {t: _server_content(server, t) for t in _server_tables(server)} == on_server
    # The refusal is in the file's log (the target must stay as it was).
    after = _file_rows(db_path, "SELECT * FROM audit_log ORDER BY id")
    assert after[:-1] == file_audit
    assert _copy_entries(after[-1:]) == [
        (after[-1][2], "geweigerd", {"richting": "naar-server", "fout": "notallowederror"})
    ]


@pytest.mark.slow
def test_a_database_of_another_program_is_refused(
    cli: Cli, db_path: Path, bare_server: Backend
) -> None:
    server = bare_server
    assert server.cluster is not None
    server.cluster.admin_rows(server.dbname, "CREATE TABLE klanten (id int)")
    log_signal(cli, datum="01-11-2026", omschrijving="Eén signaal.")
    refused = cli("overzetten", "--naar", server.target)
    assert refused.exit_code == 4, refused.output
    assert "ander programma" in refused.stderr
    assert _server_tables(server) == ["klanten"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("tampering", "problem"),
    [
        (
            (
                "DROP TRIGGER audit_log_no_update",
                "UPDATE audit_log SET by_user = 'iemand' WHERE id = 2",
            ),
            "de inhoud van regel 2 is gewijzigd",
        ),
        (
            # Emptied, counter and all: the anchor in `setting` still knows its length, so
            # this is not taken for a file from before the audit log.
            (
                "DROP TRIGGER audit_log_no_delete",
                "DELETE FROM audit_log",
                "DELETE FROM sqlite_sequence WHERE name = 'audit_log'",
            ),
            "leeggemaakt",
        ),
    ],
)
def test_a_broken_audit_chain_in_the_file_is_not_moved(
    cli: Cli, db_path: Path, server: Backend, tampering: tuple[str, ...], problem: str
) -> None:
    _fill(cli)
    conn = sqlite3.connect(db_path)
    try:
        for statement in tampering:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()
    refused = cli("overzetten", "--naar", server.target)
    assert refused.exit_code == 4, refused.output
    assert "auditlog" in refused.stderr and "niets overgezet" in refused.stderr
    assert problem in refused.stderr
    assert _server_counts(server).get("signal", 0) == 0
    assert sum(_server_counts(server).values()) == server.scalar(
        "SELECT count(*) FROM schema_migration"
    )


@pytest.mark.slow
def test_a_server_database_becomes_a_new_file_for_the_field(
    cli: Cli, db_path: Path, server: Backend, tmp_path: Path
) -> None:
    _fill(cli)
    assert cli("overzetten", "--naar", server.target).exit_code == 0
    copy = tmp_path / "huisbezoek.db"
    made = cli("overzetten", "--van", server.target, "--naar-bestand", str(copy), "--json")
    assert made.exit_code == 0, made.output
    report = json.loads(made.stdout)
    assert report["richting"] == "naar-bestand" and report["naar"] == str(copy)
    assert report["versleuteld"] is False and report["auditketen_in_orde"] is True
    assert report["tabellen"]["signal"] == 4
    assert copy.read_bytes().startswith(b"SQLite format 3")
    assert copy.stat().st_mode & 0o077 == 0
    _assert_same_tables(copy, server)
    # Both logs hold the copy; the new file's chain verifies with mhtool's own check.
    assert [e[2]["richting"] for e in _copy_entries(server.rows("SELECT * FROM audit_log"))] == [
        "naar-server",
        "naar-bestand",
    ]
    entries = _copy_entries(_file_rows(copy, "SELECT * FROM audit_log ORDER BY id"))
    assert [(e[0], e[2]["richting"]) for e in entries] == [
        ("postgres", "naar-server"),
        ("postgres", "naar-bestand"),
    ]
    checked = cli("--db", str(copy), "audit", "controleer", "--volledig", "--json")
    assert checked.exit_code == 0, checked.output
    # The copy works as a file: the same list as the file it all came from.
    listed = cli("--db", str(copy), "signaal", "lijst", "--alles", "--json")
    original = cli("signaal", "lijst", "--alles", "--json")
    assert listed.exit_code == 0 and listed.stdout == original.stdout


@pytest.mark.slow
def test_an_existing_file_is_never_overwritten(
    cli: Cli, db_path: Path, server: Backend, tmp_path: Path
) -> None:
    log_signal(cli, datum="01-11-2026", omschrijving="Eén signaal.")
    assert cli("overzetten", "--naar", server.target).exit_code == 0
    audit_rows = server.scalar("SELECT count(*) FROM audit_log")
    existing = tmp_path / "bestaat.db"
    existing.write_bytes(b"mijn eigen bestand")
    refused = cli("overzetten", "--van", server.target, "--naar-bestand", str(existing))
    assert refused.exit_code == 2, refused.output
    assert "bestaat al" in refused.stderr and "overschrijft nooit" in refused.stderr
    assert existing.read_bytes() == b"mijn eigen bestand"
    assert server.scalar("SELECT count(*) FROM audit_log") == audit_rows
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("bestaat")) == [
        "bestaat.db"
    ]


@pytest.mark.slow
def test_an_encrypted_copy_for_the_field(
    cli: Cli, db_path: Path, server: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(cli)
    assert cli("overzetten", "--naar", server.target).exit_code == 0
    monkeypatch.setenv("MHTOOL_WACHTWOORD", TEST_PASSPHRASE)
    copy = tmp_path / "versleuteld.db"
    made = cli("overzetten", "--van", server.target, "--naar-bestand", str(copy), "--versleuteld")
    assert made.exit_code == 0, made.output
    assert "De kopie is versleuteld." in made.stdout
    assert not copy.read_bytes().startswith(b"SQLite format 3")
    _assert_same_tables(copy, server, TEST_PASSPHRASE)
    listed = cli("--db", str(copy), "signaal", "lijst", "--alles", "--json")
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.stdout)) == 3  # the annulled one is not listed


def test_usage_errors_reach_no_database(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    cases = [
        (),
        ("--naar", "postgresql://localhost/a", "--van", "postgresql://localhost/b"),
        ("--naar", str(tmp_path / "ander.db")),
        ("--van", "postgresql://localhost/a"),
        ("--naar", "postgresql://localhost/a", "--naar-bestand", str(tmp_path / "x.db")),
        ("--naar", "postgresql://localhost/a", "--versleuteld"),
    ]
    for args in cases:
        refused = cli("overzetten", *args)
        assert refused.exit_code == 2, (args, refused.output)
        assert refused.stderr.startswith("Fout: ") and refused.stderr.count("\n") == 1
    assert not db_path.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_copy_that_does_not_match_is_rolled_back_whole(
    cli: Cli, db_path: Path, server: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a row go missing on the way (here: taken out of the target right after its
    table was copied), the check finds it, nothing stays on the server, and the next attempt
    starts from an empty database again."""
    from mhtool.store import transfer

    _fill(cli)
    real_copy = transfer.copy_table

    def losing_a_row(source: Any, target: Any, table: transfer.CopiedTable) -> transfer.TableCopy:
        made = real_copy(source, target, table)
        if table.name == "history":
            target.execute("DELETE FROM history WHERE id = (SELECT max(id) FROM history)")
        return made

    monkeypatch.setattr(transfer, "copy_table", losing_a_row)
    failed = cli("overzetten", "--naar", server.target)
    assert failed.exit_code == 4, failed.output
    assert "tabel history" in failed.stderr and "niets overgezet" in failed.stderr
    assert {t: n for t, n in _server_counts(server).items() if n} == {
        "schema_migration": server.scalar("SELECT count(*) FROM schema_migration")
    }
    assert _file_rows(db_path, "SELECT count(*) FROM audit_log WHERE action = 'overzetten'") == [
        (0,)
    ]

    # A copy broken off half-way (the connection lost, say) leaves nothing either, and the
    # statistics triggers the owner's copy had switched off are on again with the rollback.
    def breaking_off(source: Any, target: Any, table: transfer.CopiedTable) -> transfer.TableCopy:
        if table.name == "signal_organisation":
            from mhtool.errors import DatabaseError

            raise DatabaseError("De verbinding met de server is verbroken.")
        return real_copy(source, target, table)

    monkeypatch.setattr(transfer, "copy_table", breaking_off)
    broken = cli("overzetten", "--naar", server.target)
    assert broken.exit_code == 4, broken.output
    assert server.scalar("SELECT count(*) FROM signal") == 0
    assert server.rows("SELECT tgname FROM pg_trigger WHERE tgenabled = 'D'") == []

    monkeypatch.setattr(transfer, "copy_table", real_copy)
    again = cli("overzetten", "--naar", server.target)
    assert again.exit_code == 0, again.output


@pytest.mark.slow
def test_statistics_groups_come_out_the_same_with_or_without_the_owners_shortcut(
    cli: Cli, db_path: Path, server: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The owner's copy builds the statistics groups once at the end, with the per-row
    triggers off for the transaction; another login leaves them to the triggers. Either way
    the groups and counts equal the file's, and the triggers are on afterwards."""
    from mhtool.store import transfer

    _fill(cli)
    assert cli("overzetten", "--naar", server.target).exit_code == 0
    _assert_same_tables(db_path, server)
    switched_off = server.rows(
        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'"
    )
    assert switched_off == []

    assert server.cluster is not None
    other = server.cluster.fresh_database(server.cluster.ensure_template(SCHEMA_TEMPLATE, _migrate))
    try:
        second = Backend("postgresql", server.cluster.url(other), server.cluster, other)
        monkeypatch.setattr(transfer, "pause_group_triggers", lambda target: False)
        assert cli("overzetten", "--naar", second.target).exit_code == 0
        for table in ("signal_group", "signal_group_count", "search_term"):
            assert _server_content(second, table) == _file_content(db_path, table), table
    finally:
        server.cluster.drop_database(other)


def _server_signal(cli: Cli, gemeente: str, name: str) -> str:
    made = cli(
        "signaal", "nieuw", "--datum", "02-11-2026", "--gemeente", gemeente,
        "--melder", "P. Jansen", "--kanaal", "mail", "--vorm", "arbeid",
        "--omschrijving", f"Zorgen over {name} in de kassen.",
        "--persoon", f"naam={name}; rol=slachtoffer; geboren=12-03-1990",
        "--ja", "--json",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    return str(json.loads(made.stdout)["id"])


@pytest.mark.slow
def test_an_officer_takes_into_the_field_only_what_their_role_sees(
    cli: Cli, server: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row-level security decides what the copy holds: an officer of Koggenland gets the
    Koggenland signal and nothing of Texel, in a file whose audit chain checks out; the region,
    which sees figures only, gets no copy at all."""
    assert server.cluster is not None
    monkeypatch.setenv("MHTOOL_DB", server.target)  # the owner logs both signals
    texel = _server_signal(cli, "Texel", "Bartholomeus Zwanenburg")
    koggenland = _server_signal(cli, "Koggenland", "Anna de Wit")
    roles = cli(
        "server", "rollen", "--functionaris", "k.koggen", "--gemeente", "Koggenland",
        "--lezer", "v.vervanger", "--gemeente", "Koggenland", "--regio", "riec.nhn",
    )  # fmt: skip
    assert roles.exit_code == 0, roles.output
    with server.cluster.connect(server.dbname) as conn:
        conn.execute(roles.stdout.encode())

    for login in ("k.koggen", "v.vervanger"):
        copy = tmp_path / f"{login}.db"
        address = server.cluster.url(server.dbname, user=login)
        made = cli("overzetten", "--van", address, "--naar-bestand", str(copy), "--json")
        assert made.exit_code == 0, (login, made.output)
        report = json.loads(made.stdout)
        assert report["tabellen"]["signal"] == 1
        # The reader may not read the numbering per year (it records nothing): the copy
        # numbers on from its own highest number instead.
        skipped = ["signal_counter"] if login == "v.vervanger" else []
        assert report["niet_leesbaar"] == skipped
        assert _file_rows(copy, "SELECT year, last_seq FROM signal_counter") == [(2026, 2)]
        assert _file_rows(copy, "SELECT ref, municipality FROM signal") == [
            (koggenland, "Koggenland")
        ]
        raw = copy.read_bytes().lower()
        assert b"zwanenburg" not in raw and b"texel" not in raw
        assert b"anna de wit" in raw
        # Texel's number is only in the audit log, which every role reads whole (codes and
        # ids, no names) and which the copy needs whole for its chain to check out.
        for table in _file_tables(copy):
            if table not in ("audit_log", "search_text"):
                assert texel not in json.dumps(_file_content(copy, table)), table
        checked = cli("--db", str(copy), "audit", "controleer", "--volledig")
        assert checked.exit_code == 0, checked.output
        listed = cli("--db", str(copy), "signaal", "lijst", "--alles")
        assert koggenland in listed.stdout and texel not in listed.stdout
    # The server's log holds each copy under the login that made it.
    assert server.rows(
        "SELECT by_user, details::json ->> 'richting' FROM audit_log "
        "WHERE action = 'overzetten' ORDER BY id"
    ) == [("k.koggen", "naar-bestand"), ("v.vervanger", "naar-bestand")]

    # Nor can an officer move a file into it: the Texel signal is invisible to them, so the
    # database would look empty; only the owner, who sees every row, may.
    source = tmp_path / "eigen.db"
    monkeypatch.setenv("MHTOOL_DB", str(source))
    log_signal(cli, datum="01-11-2026", omschrijving="Een eigen signaal.")
    before = server.rows("SELECT * FROM signal ORDER BY id")
    officer = server.cluster.url(server.dbname, user="k.koggen")
    moved = cli("overzetten", "--naar", officer)
    assert moved.exit_code == 6, moved.output
    assert "Alleen de eigenaar van de database" in moved.stderr
    assert server.rows("SELECT * FROM signal ORDER BY id") == before

    regional = tmp_path / "regio.db"
    address = server.cluster.url(server.dbname, user="riec.nhn")
    refused = cli("overzetten", "--van", address, "--naar-bestand", str(regional))
    assert refused.exit_code == 6, refused.output
    assert refused.stderr.startswith("Fout: Uw rol op de server ziet geen signalen")
    assert refused.stderr.count("\n") == 1
    assert not regional.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("regio")] == []


@pytest.mark.slow
def test_the_installed_mhtool_moves_an_encrypted_file_there_and_back(
    server: Backend, tmp_path: Path
) -> None:
    """End to end, as a user runs it: the console script in a process of its own, the
    passphrase from MHTOOL_WACHTWOORD, there to the server and back into a new encrypted file."""
    from tests.mhtool_process import SIGNAL_ARGS, child_env, run_mhtool

    source = tmp_path / "laptop.db"
    env = child_env(source, TEST_PASSPHRASE)
    assert run_mhtool("init", "--versleuteld", env=env).returncode == 0
    made = run_mhtool(
        *SIGNAL_ARGS, "--persoon", "naam=Maria Ionescu; rol=slachtoffer", "--omschrijving",
        "Maria Ionescu werkt in de kas.", env=env,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    moved = run_mhtool("overzetten", "--naar", server.target, "--json", env=env)
    assert moved.returncode == 0, moved.stderr
    assert json.loads(moved.stdout)["tabellen"]["signal"] == 1
    copy = tmp_path / "veld.db"
    back = run_mhtool(
        "overzetten", "--van", server.target, "--naar-bestand", str(copy), "--versleuteld",
        env=env,
    )  # fmt: skip
    assert back.returncode == 0, back.stderr
    assert "De kopie is versleuteld." in back.stdout
    assert b"ionescu" not in copy.read_bytes().lower()
    shown = run_mhtool("signaal", "toon", "MH-2026-0001", env=child_env(copy, TEST_PASSPHRASE))
    assert shown.returncode == 0, shown.stderr
    assert "Maria Ionescu" in shown.stdout


FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("schema-*.db")))
def test_a_file_of_every_earlier_version_moves(
    cli: Cli, server: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Files made by every earlier mhtool (plain and encrypted) are opened as every command
    opens them (upgraded, with the passphrase) and moved whole. One from before the audit log
    (schema 1-2) has no entry yet: its chain starts with the copy, on both sides."""
    import shutil

    db = tmp_path / name
    shutil.copyfile(FIXTURES / name, db)
    monkeypatch.setenv("MHTOOL_DB", str(db))
    passphrase = TEST_PASSPHRASE if "versleuteld" in name else None
    if passphrase:
        monkeypatch.setenv("MHTOOL_WACHTWOORD", passphrase)
    moved = cli("overzetten", "--naar", server.target, "--json")
    assert moved.exit_code == 0, moved.output
    assert json.loads(moved.stdout)["tabellen"]["signal"] > 0
    _assert_same_tables(db, server, passphrase)
    for where in (str(db), server.target):
        checked = cli("--db", where, "audit", "controleer", "--volledig")
        assert checked.exit_code == 0, (where, checked.output)
