"""Bewaartermijnen and opschonen: the date is set at closing, terms are the archivist's to set,
and destruction removes the signal and everything only it refers to, from every table and
index, down to the bytes of the file."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest

from tests.backend_helpers import (
    file_only,
    login,
    server_only,
    stored_bytes,
    stored_dump,
    stored_execute,
)
from tests.conftest import Backend, Cli
from tests.signal_helpers import close_signal, execute, log_signal

pytestmark = pytest.mark.usefixtures("backend")

NewSignal = Callable[..., str]


def _old_signal(cli: Cli, *extra: str, datum: str = "01-01-2020") -> str:
    return log_signal(
        cli, *extra, datum=datum, omschrijving="Xylofoonstraat: veel mensen op één adres."
    )


def _confirm_terms(cli: Cli) -> None:
    """The archivist's decision, here equal to the placeholders."""
    for conclusie, jaren in (("geen", "2"), ("verder-onderzoek", "5"), ("duiding", "5")):
        result = cli("bewaartermijn", "zet", "--conclusie", conclusie, "--jaren", jaren)
        assert result.exit_code == 0, result.output


def test_closing_sets_the_destruction_date_and_reopening_clears_it(
    cli: Cli, backend: Backend
) -> None:
    geen = _old_signal(cli)
    duiding = _old_signal(cli)
    close_signal(cli, geen, "29-02-2024", "geen")
    close_signal(cli, duiding, "10-03-2024", "duiding")
    rows = backend.rows("SELECT ref, closed_on, destroy_on FROM signal ORDER BY id")
    assert rows == [
        (geen, "2024-02-29", "2026-02-28"),  # 2 years; 29 February has no twin in 2026
        (duiding, "2024-03-10", "2029-03-10"),  # 5 years
    ]
    assert cli("signaal", "heropen", geen, "--reden", "nieuwe melding").exit_code == 0
    assert backend.scalar("SELECT destroy_on FROM signal WHERE ref = ?", (geen,)) is None


def test_terms_show_defaults_as_unconfirmed_until_the_archivist_sets_them(
    cli: Cli, backend: Backend
) -> None:
    ref = _old_signal(cli)
    close_signal(cli, ref, "04-01-2020", "geen")
    shown = cli("bewaartermijn", "toon")
    assert shown.exit_code == 0
    assert "geen mensenhandel: 2 jaar" in shown.stdout
    assert "nog niet vastgesteld" in shown.stdout
    terms = json.loads(cli("bewaartermijn", "toon", "--json").stdout)
    assert [(t["conclusie"], t["jaren"], t["vastgesteld"]) for t in terms] == [
        ("geen", 2, False),
        ("verder-onderzoek", 5, False),
        ("duiding", 5, False),
    ]

    user_args, user = login(backend, "archivaris")
    changed = cli(*user_args, "bewaartermijn", "zet", "--conclusie", "geen", "--jaren", "3")
    assert changed.exit_code == 0, changed.output
    assert "is nu 3 jaar" in changed.stdout
    terms = json.loads(cli("bewaartermijn", "toon", "--json").stdout)
    assert terms[0]["jaren"] == 3
    assert terms[0]["vastgesteld"] is True
    assert terms[0]["vastgesteld_door"] == user
    # The signal already closed follows the new term, and the change is in its history.
    assert backend.scalar("SELECT destroy_on FROM signal") == "2023-01-04"
    assert backend.rows("SELECT action, changes FROM history WHERE action = 'bewaartermijn'") == [
        (
            "bewaartermijn",
            '{"destroy_on": {"nieuw": "2023-01-04", "oud": "2022-01-04"}}',
        )
    ]
    audit = backend.rows(
        "SELECT by_user, details FROM audit_log WHERE action = 'bewaartermijn.zet'"
    )
    assert audit[0][0] == user
    assert json.loads(str(audit[0][1])) == {
        "conclusie": "geen",
        "herberekend": 1,
        "jaren": 3,
        "vorige": 2,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--conclusie", "geen", "--jaren", "0"), "kies 1 tot 100 jaar"),
        (("--conclusie", "geen", "--jaren", "101"), "kies 1 tot 100 jaar"),
        (("--conclusie", "misschien", "--jaren", "3"), "Conclusie 'misschien' is onbekend"),
        (("--conclusie", "geen", "--jaren", "drie"), "--jaren"),
    ],
)
def test_bad_terms_are_refused(
    cli: Cli, backend: Backend, args: tuple[str, ...], message: str
) -> None:
    result = cli("bewaartermijn", "zet", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    if backend.is_postgresql or Path(backend.target).exists():
        assert backend.scalar("SELECT count(*) FROM setting") == 0


def test_proef_lists_references_and_dates_only_and_changes_nothing(
    cli: Cli, backend: Backend
) -> None:
    old = _old_signal(cli, "--persoon", "naam=Maria Ionescu; rol=slachtoffer")
    close_signal(cli, old, "04-01-2020")
    recent = _old_signal(cli, datum="01-11-2026")
    close_signal(cli, recent, "02-11-2026")
    _old_signal(cli)  # still open: never due
    _confirm_terms(cli)
    before = stored_dump(backend)

    result = cli("opschonen", "--proef")
    assert result.exit_code == 0, result.output
    assert old in result.stdout
    assert "04-01-2020" in result.stdout and "04-01-2022" in result.stdout
    assert recent not in result.stdout
    assert "Maria" not in result.output and "Xylofoon" not in result.output
    assert "niets verwijderd" in result.stdout
    as_json = json.loads(cli("opschonen", "--proef", "--json").stdout)
    assert as_json == {
        "proef": True,
        "signalen": [
            {
                "id": old,
                "afgerond_op": "2020-01-04",
                "vervallen_op": None,
                "vernietigingsdatum": "2022-01-04",
                "conclusie": "geen",
            }
        ],
        "wacht_op_vaststelling": [],
        "open_vervolgactie": [],
        "verwijderd": {},
    }
    assert stored_dump(backend) == before


def test_nothing_is_destroyed_on_a_term_the_archivist_has_not_confirmed(
    cli: Cli, backend: Backend
) -> None:
    geen = _old_signal(cli)
    close_signal(cli, geen, "04-01-2020", "geen")
    duiding = _old_signal(cli)
    close_signal(cli, duiding, "04-01-2020", "duiding")
    assert cli("bewaartermijn", "zet", "--conclusie", "geen", "--jaren", "2").exit_code == 0

    preview = json.loads(cli("opschonen", "--proef", "--json").stdout)
    assert [s["id"] for s in preview["signalen"]] == [geen]
    assert [s["id"] for s in preview["wacht_op_vaststelling"]] == [duiding]
    result = cli("opschonen", "--ja")
    assert result.exit_code == 0, result.output
    assert f"vernietigd: {geen}" in result.stdout
    assert (
        f"1 signaal ({duiding}) is over een bewaartermijn die de archivaris nog niet"
        in " ".join(result.stdout.split())
    )
    assert "; dat blijft bewaard." in " ".join(result.stdout.split())
    assert backend.rows("SELECT ref FROM signal") == [(duiding,)]


def test_opschonen_without_confirmation_in_a_script_is_refused(cli: Cli, backend: Backend) -> None:
    ref = _old_signal(cli)
    close_signal(cli, ref, "04-01-2020")
    _confirm_terms(cli)
    before = stored_dump(backend)
    result = cli("opschonen")
    assert result.exit_code == 2
    assert "--ja" in result.stderr
    assert stored_dump(backend) == before


def test_nothing_due_is_said_plainly(cli: Cli, new_signal: NewSignal) -> None:
    new_signal()
    result = cli("opschonen", "--ja")
    assert result.exit_code == 0
    assert "geen signalen die nu vernietigd kunnen worden" in result.stdout


def _search_index_like_the_search_branch(backend: Backend) -> None:
    """Two kinds of FTS5 table another branch may add: one with its own copy of the text and a
    signal_id column, one over the signal table as external content (kept in sync by its owner's
    triggers; here it is filled once with 'rebuild'). A server has no FTS: there the copy of the
    text is an ordinary table with a signal_id column."""
    text_table = (
        "CREATE TABLE other_text (signal_id BIGINT, body TEXT)"
        if backend.is_postgresql
        else "CREATE VIRTUAL TABLE other_text USING fts5(signal_id UNINDEXED, body)"
    )
    stored_execute(
        backend,
        text_table,
        "INSERT INTO other_text (signal_id, body) "
        "SELECT s.id, s.description || ' ' || coalesce(p.name, '') FROM signal s "
        "LEFT JOIN signal_person sp ON sp.signal_id = s.id "
        "LEFT JOIN person p ON p.id = sp.person_id",
        # A table a later feature might add, with a plain reference and no cascade.
        "CREATE TABLE signal_extra (id INTEGER PRIMARY KEY, signal_id INTEGER REFERENCES "
        "signal (id), remark TEXT)",
        "INSERT INTO signal_extra (id, signal_id, remark) "
        "SELECT id, id, 'Kwartelkoning' FROM signal WHERE id = 1",
    )
    if backend.is_postgresql:
        return
    db_path = Path(backend.target)
    execute(
        db_path,
        "CREATE VIRTUAL TABLE signal_fts USING fts5(description, content='signal', "
        "content_rowid='id')",
        "INSERT INTO signal_fts (signal_fts) VALUES ('rebuild')",
    )
    # What sqlite-utils' enable_fts makes (FTS4 here, without sync triggers).
    import sqlite_utils

    conn = sqlite3.connect(db_path)
    try:
        sqlite_utils.Database(conn).table("organisation").enable_fts(["name"], fts_version="FTS4")
        conn.commit()
    finally:
        conn.close()


def test_opschonen_destroys_the_signal_and_everything_only_it_refers_to(
    cli: Cli, backend: Backend
) -> None:
    doomed = _old_signal(
        cli,
        "--persoon",
        "naam=Zoltan Vernietigd; rol=dader",
        "--persoon",
        "naam=Gedeelde Persoon; rol=slachtoffer",
        "--adres",
        "straat=Weggooistraat; nummer=3; plaats=Wognum",
        "--organisatie",
        "naam=Verdwijnbedrijf BV; kvk=87654321",
    )
    assert (
        cli("signaal", "notitie", doomed, "Kruisbes notitie", "--datum", "02-01-2020").exit_code
        == 0
    )
    close_signal(cli, doomed, "04-01-2020")
    shared_id = backend.scalar("SELECT id FROM person WHERE name = 'Gedeelde Persoon'")
    kept = _old_signal(cli, "--persoon", f"id={shared_id}; rol=slachtoffer", datum="01-11-2026")
    _search_index_like_the_search_branch(backend)
    _confirm_terms(cli)
    counter_before = backend.rows("SELECT year, last_seq FROM signal_counter")

    user_args, user = login(backend, "aof")
    result = cli(*user_args, "opschonen", "--ja")
    assert result.exit_code == 0, result.output
    assert f"1 signaal vernietigd: {doomed}" in result.stdout

    assert backend.rows("SELECT ref FROM signal") == [(kept,)]
    assert backend.rows("SELECT name FROM person") == [("Gedeelde Persoon",)]
    for table in ("address", "organisation", "note", "signal_address", "signal_organisation"):
        assert backend.scalar(f"SELECT count(*) FROM {table}") == 0, table  # noqa: S608
    doomed_id = 1
    for table in ("step_event", "signal_form", "signal_person", "history", "signal_extra"):
        assert (
            backend.scalar(f"SELECT count(*) FROM {table} WHERE signal_id = ?", (doomed_id,))  # noqa: S608
            == 0
        ), table
    assert backend.rows("SELECT signal_id FROM other_text") in ([("2",)], [(2,)])
    if not backend.is_postgresql:
        found = backend.rows("SELECT rowid FROM signal_fts WHERE signal_fts MATCH 'xylofoonstraat'")
        assert found == [(2,)]
    # Numbers are never reused.
    assert backend.rows("SELECT year, last_seq FROM signal_counter") == counter_before
    # The file itself no longer holds the destroyed words (secure_delete, FTS rebuild and
    # optimize, VACUUM, WAL checkpoint).
    raw = stored_bytes(backend)
    for word in (b"Zoltan", b"Weggooistraat", b"Verdwijnbedrijf", b"Kruisbes", b"Kwartelkoning"):
        assert word.lower() not in raw, word
    if not backend.is_postgresql:
        conn = sqlite3.connect(backend.target)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            conn.execute("INSERT INTO signal_fts (signal_fts) VALUES ('integrity-check')")
        finally:
            conn.close()

    audit = backend.rows(
        "SELECT action, object_id, by_user, details FROM audit_log "
        "WHERE action IN ('signaal.vernietigd', 'opschonen') ORDER BY id",
    )
    assert [(a, o, u) for a, o, u, _ in audit] == [
        ("signaal.vernietigd", doomed, user),
        ("opschonen", "", user),
    ]
    destroyed = json.loads(str(audit[0][3]))
    assert destroyed["vernietigingsdatum"] == "2022-01-04"
    assert destroyed["signal"] == 1 and destroyed["person"] == 1 and destroyed["note"] == 1
    summary = json.loads(str(audit[1][3]))
    fts_tables = (
        0  # a server has no FTS tables: its search text is kept by triggers
        if backend.is_postgresql
        else backend.scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
            "AND sql LIKE 'CREATE VIRTUAL TABLE%'"
        )
    )
    assert summary["signalen"] == 1 and summary["fts_indexen"] == fts_tables
    log_text = json.dumps(backend.rows("SELECT * FROM audit_log"))
    assert "Zoltan" not in log_text and "Weggooi" not in log_text
    assert cli("audit", "controleer").exit_code == 0
    # A new signal continues the numbering.
    assert _old_signal(cli) == "MH-2020-0002"


@file_only("a file of schema 1 upgraded; a server starts at schema 11")
def test_a_database_closed_before_version_3_gets_its_dates_on_upgrade(
    cli: Cli, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path = Path(backend.target)
    from mhtool.store import migrations
    from mhtool.store.open_store import open_store

    with monkeypatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:1])
        patch.setattr(migrations, "LATEST_VERSION", 1)
        open_store(db_path).close()
    execute(
        db_path,
        "INSERT INTO signal (ref, year, seq, received_on, municipality, reporter, channel, acute, "
        "step, step_since, conclusion, closed_on, created_at, created_by, updated_at) VALUES "
        "('MH-2020-0001', 2020, 1, '2020-01-01', 'Dijk en Waard', 'x', 'mail', 0, 5, "
        "'2020-01-04', 'duiding', '2020-01-04', 'nu', 'x', 'nu')",
    )
    assert backend.scalar("PRAGMA user_version") == 1
    assert cli("signaal", "lijst").exit_code == 0
    assert backend.scalar("PRAGMA user_version") == migrations.LATEST_VERSION
    assert backend.scalar("SELECT destroy_on FROM signal") == "2025-01-04"


@pytest.mark.slow
@file_only("the terminal's question, the same on both backends; the pty helper takes a path")
def test_opschonen_in_a_terminal_asks_first(cli: Cli, backend: Backend) -> None:
    from tests.test_interactive_form import answer, spawn

    db_path = Path(backend.target)
    ref = _old_signal(cli)
    close_signal(cli, ref, "04-01-2020")
    _confirm_terms(cli)

    child = spawn(db_path, "opschonen")
    child.expect(ref)
    answer(child, "definitief vernietigen", "n\r")
    child.expect("er is niets verwijderd")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert backend.rows("SELECT ref FROM signal") == [(ref,)]

    child = spawn(db_path, "opschonen")
    answer(child, "definitief vernietigen", "j\r")
    child.expect(f"vernietigd: {ref}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert backend.rows("SELECT ref FROM signal") == []


def test_a_signal_with_an_open_follow_up_action_is_kept_until_the_action_is_done(
    cli: Cli, backend: Backend
) -> None:
    """An open action makes a closed signal open again (status 'vervolg'); destroying it would
    lose a case someone is still working on. Once the action is done, the term applies."""
    kept = _old_signal(cli)
    close_signal(cli, kept, "04-01-2020", "verder-onderzoek")
    plain = _old_signal(cli)
    close_signal(cli, plain, "04-01-2020", "verder-onderzoek")
    assert cli("signaal", "actie-klaar", plain, "1", "--datum", "05-01-2020").exit_code == 0
    _confirm_terms(cli)

    preview = json.loads(cli("opschonen", "--proef", "--json").stdout)
    assert [s["id"] for s in preview["signalen"]] == [plain]
    assert [s["id"] for s in preview["open_vervolgactie"]] == [kept]
    shown = cli("opschonen", "--proef")
    assert kept in shown.stdout and "open vervolgactie" in shown.stdout

    result = cli("opschonen", "--ja")
    assert result.exit_code == 0, result.output
    assert f"vernietigd: {plain}" in result.stdout
    assert f"({kept}) heeft een open vervolgactie" in " ".join(result.stdout.split())
    assert backend.rows("SELECT ref FROM signal") == [(kept,)]

    assert cli("signaal", "actie-klaar", kept, "1").exit_code == 0
    assert cli("opschonen", "--ja").exit_code == 0
    assert backend.rows("SELECT ref FROM signal") == []


@pytest.mark.slow
def test_an_officer_on_a_server_destroys_and_erases_within_their_gemeenten(
    cli: Cli, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An officer's role may not write the tables the server's triggers keep (search terms,
    statistics groups); destruction and erasure leave those to the triggers, so an officer can
    run them, and the groups and terms of what is gone go with it."""
    server_only(backend, "a login with row-level security and no write access to derived tables")
    assert backend.cluster is not None
    texel = log_signal(
        cli, "--persoon", "naam=Bartholomeus Zwanenburg; rol=slachtoffer", datum="01-11-2026",
        omschrijving="Texel.",
    )  # fmt: skip
    doomed = log_signal(
        cli, "--persoon", "naam=Oud Persoon; rol=slachtoffer", "--vorm", "arbeid",
        datum="01-01-2020", omschrijving="Koggenland, lang geleden.",
    )  # fmt: skip
    moved = cli("signaal", "wijzig", doomed, "--gemeente", "Koggenland", "--reden", "gemeente")
    assert moved.exit_code == 0, moved.output
    close_signal(cli, doomed, "04-01-2020")
    kept = log_signal(
        cli, "--persoon", "naam=Anna de Wit; rol=slachtoffer", datum="01-11-2026",
        omschrijving="Anna de Wit in Koggenland.",
    )  # fmt: skip
    assert cli("signaal", "wijzig", kept, "--gemeente", "Koggenland", "--reden", "x").exit_code == 0
    _confirm_terms(cli)
    roles = cli("server", "rollen", "--functionaris", "k.koggen", "--gemeente", "Koggenland")
    assert roles.exit_code == 0, roles.output
    with backend.cluster.connect(backend.dbname) as conn:
        conn.execute(roles.stdout.encode())
    monkeypatch.setenv("MHTOOL_DB", backend.cluster.url(backend.dbname, user="k.koggen"))

    purged = cli("opschonen", "--ja")
    assert purged.exit_code == 0, purged.output
    assert f"1 signaal vernietigd: {doomed}" in purged.stdout
    anna = backend.scalar("SELECT id FROM person WHERE name = 'Anna de Wit'")
    erased = cli("persoon", "verwijder", str(anna), "--reden", "avg-verzoek", "--ja")
    assert erased.exit_code == 0, erased.output
    # Texts of Texel were not searched for her name: the officer is told, never silently.
    told = " ".join(erased.stdout.split())
    assert "ziet u alleen de signalen van uw eigen gemeenten" in told

    assert backend.rows("SELECT ref FROM signal ORDER BY id") == [(texel,), (kept,)]
    assert backend.rows("SELECT name FROM person") == [("Bartholomeus Zwanenburg",)]
    doomed_id = 2
    assert (
        backend.scalar("SELECT count(*) FROM signal_group WHERE signal_id = ?", (doomed_id,)) == 0
    )
    assert backend.scalar("SELECT count(*) FROM search_text WHERE doc / 2 = ?", (doomed_id,)) == 0
    assert (
        backend.rows(
            "SELECT term FROM search_term WHERE term IN ('persoon', 'wit', 'de wit') ORDER BY term"
        )
        == []
    )
    # The counts still add up to the groups that are left.
    assert backend.scalar(
        "SELECT coalesce(sum(pairs), 0) FROM signal_group_count"
    ) == backend.scalar("SELECT count(*) FROM signal_group")
