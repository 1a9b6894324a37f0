"""AVG rights: `persoon inzage` exports everything about one person to a private file, and
`persoon verwijder` removes the person from every table, history row and index."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pexpect
import pytest

from tests.backend_helpers import file_only, login, stored_bytes, stored_dump, stored_execute
from tests.conftest import Backend, Cli
from tests.signal_helpers import log_signal

pytestmark = pytest.mark.usefixtures("backend")


def _signal(
    cli: Cli, *extra: str, omschrijving: str = "Maria Ionescu woont er met acht anderen."
) -> str:
    return log_signal(cli, *extra, datum="01-11-2026", omschrijving=omschrijving)


@pytest.fixture
def two_signals(cli: Cli, backend: Backend) -> tuple[str, str]:
    """Maria in two signals, with Piet (another person) in the first one."""
    first = _signal(
        cli,
        "--persoon",
        "naam=Maria Ionescu; rol=slachtoffer; geboren=12-03-2004; nationaliteit=Roemeense",
        "--persoon",
        "naam=Piet Anderman; rol=dader",
        "--adres",
        "straat=Dorpsstraat; nummer=1; plaats=Wognum",
    )
    second = _signal(
        cli, "--persoon", "id=1; rol=betrokkene", omschrijving="Opnieuw gezien: MARIA IONESCU."
    )
    assert cli("signaal", "notitie", second, "Gesprek met Maria Ionescu gehad").exit_code == 0
    return first, second


def test_inzage_writes_everything_about_the_person_to_a_private_file(
    cli: Cli, backend: Backend, tmp_path: Path, two_signals: tuple[str, str]
) -> None:
    first, second = two_signals
    target = tmp_path / "export" / "inzage.json"
    target.parent.mkdir()
    user_args, user = login(backend, "aof")
    result = cli(*user_args, "persoon", "inzage", "1", "--uitvoer", str(target))
    assert result.exit_code == 0, result.output
    assert "geschreven naar" in result.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["inzage.json"]  # no temp file left

    report = json.loads(target.read_text(encoding="utf-8"))
    assert report["persoon"]["naam"] == "Maria Ionescu"
    assert report["persoon"]["geboortedatum"] == "2004-03-12"
    assert report["persoon"]["nationaliteit"] == "Roemeense"
    assert [s["id"] for s in report["signalen"]] == [first, second]
    assert [s["rol_van_persoon"] for s in report["signalen"]] == ["slachtoffer", "betrokkene"]
    assert report["signalen"][0]["andere_personen"] == 1
    assert report["signalen"][1]["notities"][0]["tekst"] == "Gesprek met Maria Ionescu gehad"
    assert "Piet" not in target.read_text(encoding="utf-8")
    assert [h["actie"] for h in report["historie"]] == ["aangemaakt", "gekoppeld", "gekoppeld"]
    assert {e["actie"] for e in report["inzage_en_wijzigingen"]} >= {
        "signaal.nieuw",
        "signaal.notitie",
    }
    assert "art. 15" in report["let_op"]

    audit = backend.rows(
        "SELECT by_user, object_type, object_id, result, details FROM audit_log "
        "WHERE action = 'persoon.inzage'",
    )
    assert audit == [(user, "persoon", "1", "gelukt", '{"signalen":2}')]


def test_inzage_refuses_to_overwrite_and_unknown_ids(
    cli: Cli, backend: Backend, tmp_path: Path, two_signals: tuple[str, str]
) -> None:
    target = tmp_path / "bestaat.json"
    target.write_text("oud", encoding="utf-8")
    clash = cli("persoon", "inzage", "1", "--uitvoer", str(target))
    assert clash.exit_code == 2
    assert "bestaat al" in clash.stderr
    assert target.read_text(encoding="utf-8") == "oud"

    missing = cli("persoon", "inzage", "99", "--uitvoer", str(tmp_path / "nieuw.json"))
    assert missing.exit_code == 3
    assert not (tmp_path / "nieuw.json").exists()
    assert backend.rows(
        "SELECT object_id, result FROM audit_log WHERE action = 'persoon.inzage' ORDER BY id",
    ) == [("1", "geweigerd"), ("99", "niet-gevonden")]


def test_inzage_default_path_is_in_the_current_directory(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_signals: tuple[str, str]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("persoon", "inzage", "1", "--json")
    assert result.exit_code == 0, result.output
    written = Path(json.loads(result.stdout)["bestand"])
    assert written.name.startswith("inzage-persoon-1-")
    assert (tmp_path / written).exists()


def test_verwijder_removes_the_person_everywhere_and_keeps_the_rest(
    cli: Cli, backend: Backend, two_signals: tuple[str, str]
) -> None:
    first, second = two_signals
    # Tables another branch may add: an index with its own copy of the name (on a file an
    # FTS5 table, on a server a plain one), and one pointing at persons by key.
    index = (
        "CREATE TABLE person_fts (person_id BIGINT, name TEXT)"
        if backend.is_postgresql
        else "CREATE VIRTUAL TABLE person_fts USING fts5(person_id UNINDEXED, name)"
    )
    stored_execute(
        backend,
        index,
        "INSERT INTO person_fts (person_id, name) SELECT id, name FROM person",
        "CREATE TABLE person_alias (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL "
        "REFERENCES person (id), alias TEXT)",
        "INSERT INTO person_alias (id, person_id, alias) VALUES (1, 1, 'Mariaalias')",
    )
    user_args, user = login(backend, "aof")
    result = cli(
        *user_args,
        "persoon",
        "verwijder",
        "1",
        "--reden",
        "avg-verzoek",
        "--kenmerk",
        "AVG-2026-014",
        "--ja",
    )
    assert result.exit_code == 0, result.output
    assert f"uit {first}, {second}" in result.stdout

    assert backend.rows("SELECT name FROM person") == [("Piet Anderman",)]
    assert backend.rows("SELECT person_id FROM signal_person ORDER BY signal_id") == [(2,)]
    assert backend.scalar("SELECT count(*) FROM person_alias") == 0
    assert backend.rows("SELECT person_id FROM person_fts") in ([("2",)], [(2,)])
    assert backend.rows("SELECT ref FROM signal ORDER BY id") == [(first,), (second,)]
    assert backend.rows("SELECT description FROM signal ORDER BY id") == [
        ("[persoon verwijderd] woont er met acht anderen.",),
        ("Opnieuw gezien: [persoon verwijderd].",),
    ]
    assert backend.rows("SELECT text FROM note") == [("Gesprek met [persoon verwijderd] gehad",)]
    # History about the person is gone; history of the signals is scrubbed but still valid JSON.
    assert (
        backend.scalar("SELECT count(*) FROM history WHERE entity = 'person' AND entity_id = 1")
        == 0
    )
    for (changes,) in backend.rows("SELECT changes FROM history"):
        json.loads(str(changes))
    assert backend.rows(
        "SELECT signal_id, changes FROM history WHERE action = 'persoon-verwijderd' ORDER BY id",
    ) == [
        (1, '{"persoon_id": 1, "reden": "avg-verzoek"}'),
        (2, '{"persoon_id": 1, "reden": "avg-verzoek"}'),
    ]
    raw = stored_bytes(backend)
    for word in (b"Ionescu", b"IONESCU", b"Mariaalias", b"Roemeense"):
        assert word.lower() not in raw, word
    assert b"piet anderman" in raw
    if not backend.is_postgresql:
        assert backend.rows("PRAGMA integrity_check") == [("ok",)]

    audit = backend.rows(
        "SELECT by_user, object_id, result, details FROM audit_log "
        "WHERE action = 'persoon.verwijder'",
    )
    assert len(audit) == 1
    user_name, object_id, outcome, details = audit[0]
    assert (user_name, object_id, outcome) == (user, "1", "gelukt")
    recorded = json.loads(str(details))
    assert recorded["reden"] == "avg-verzoek"
    assert recorded["kenmerk"] == "AVG-2026-014"
    assert recorded["signalen"] == 2
    assert recorded["person"] == 1 and recorded["person_alias"] == 1
    # The superuser (and a file) sees every signal: no texts were left unsearched.
    assert recorded["alleen_eigen_gemeenten"] is False
    assert "eigen gemeenten" not in result.stdout
    assert "Maria" not in json.dumps(backend.rows("SELECT * FROM audit_log"))
    assert cli("audit", "controleer").exit_code == 0
    # The signals still show, without the person.
    shown = cli("signaal", "toon", second, "--json")
    assert json.loads(shown.stdout)["personen"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--reden", "zij vroeg het zelf"), "Reden 'zij vroeg het zelf' is onbekend"),
        (("--reden", "avg-verzoek", "--kenmerk", "Maria Ionescu"), "geen naam of zin"),
        # One word is a surname as easily as a code: the audit log would keep it for ever.
        (("--reden", "avg-verzoek", "--kenmerk", "Ionescu"), "minstens één cijfer"),
        (("--reden", "avg-verzoek", "--kenmerk", "ionescu"), "minstens één cijfer"),
        (("--reden", "avg-verzoek"), "bevestig met --ja"),
    ],
)
def test_verwijder_refuses_free_text_and_unconfirmed_runs(
    cli: Cli, backend: Backend, two_signals: tuple[str, str], args: tuple[str, ...], message: str
) -> None:
    before = stored_dump(backend)
    result = cli("persoon", "verwijder", "1", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert stored_dump(backend) == before


def test_verwijder_of_an_unknown_person_is_recorded_as_not_found(
    cli: Cli, backend: Backend, two_signals: tuple[str, str]
) -> None:
    result = cli("persoon", "verwijder", "42", "--reden", "onjuist", "--ja")
    assert result.exit_code == 3
    assert backend.rows(
        "SELECT object_id, result FROM audit_log WHERE action = 'persoon.verwijder'"
    ) == [("42", "niet-gevonden")]


@pytest.mark.slow
@file_only("the terminal's question, the same on both backends; the pty helper takes a path")
def test_verwijder_in_a_terminal_asks_first(backend: Backend, two_signals: tuple[str, str]) -> None:
    from tests.test_interactive_form import answer, spawn

    child = spawn(Path(backend.target), "persoon", "verwijder", "1", "--reden", "dubbel")
    answer(child, "Persoon 1 definitief verwijderen", "j\r")
    child.expect("Persoon 1 is verwijderd")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert backend.rows("SELECT name FROM person") == [("Piet Anderman",)]


def test_verwijder_finds_the_name_in_any_case_and_spacing(cli: Cli, backend: Backend) -> None:
    ref = _signal(
        cli,
        "--persoon",
        "naam=Łukasz Żak; rol=slachtoffer",
        omschrijving="ŁUKASZ   ŻAK slaapt in de schuur; Łukaszewski niet.",
    )
    assert cli("signaal", "notitie", ref, "łukasz żak\nbelde terug").exit_code == 0
    result = cli("persoon", "verwijder", "1", "--reden", "onjuist", "--ja")
    assert result.exit_code == 0, result.output
    assert backend.rows("SELECT description FROM signal") == [
        ("[persoon verwijderd] slaapt in de schuur; Łukaszewski niet.",)
    ]
    assert backend.rows("SELECT text FROM note") == [("[persoon verwijderd]\nbelde terug",)]
    assert "żak".encode() not in stored_bytes(backend)


def test_verwijder_leaves_no_copy_in_another_signals_step_2_check(
    cli: Cli, backend: Backend, two_signals: tuple[str, str]
) -> None:
    """The automatic step-2 check of a later signal found Maria; after her erasure nothing of
    her (not even the birth date) may remain in that check."""
    later = _signal(
        cli, "--persoon", "naam=M. Ionescu; rol=slachtoffer; geboren=2004", omschrijving="Tip."
    )
    moved = cli("signaal", "stap", later, "--controle", "Waarschijnlijk dezelfde vrouw.")
    assert moved.exit_code == 0, moved.output
    check = json.loads(str(backend.scalar("SELECT details FROM step_event WHERE to_step = 2")))
    assert [hit["id"] for hit in check["automatische_controle"]["gevonden"]] == [1]

    erased = cli("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja")
    assert erased.exit_code == 0, erased.output
    raw = stored_bytes(backend)
    for trace in (b"12-03-2004", b"2004-03-12", b"Maria", b"Roemeense"):
        assert trace not in raw, trace
    shown = cli("signaal", "toon", later)
    assert shown.exit_code == 0 and "automatische controle: eerdere registraties in" in shown.stdout


@file_only("VACUUM of the file; a server leaves it to the beheerder (docs/server.md)")
def test_a_failed_compaction_says_the_person_is_gone_and_what_to_do(
    cli: Cli, backend: Backend, two_signals: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deletion is committed before VACUUM runs; if VACUUM then fails (file in use), the
    user must not read 'nothing was changed', and `mhtool opschonen` finishes the job."""
    from mhtool.store.connection import SqliteStore

    real_execute = SqliteStore.execute

    def busy_vacuum(self: SqliteStore, sql: str, params: tuple[object, ...] = ()) -> object:
        if sql == "VACUUM":
            raise sqlite3.OperationalError("database is locked")
        return real_execute(self, sql, params)

    monkeypatch.setattr(SqliteStore, "execute", busy_vacuum)
    result = cli("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja")
    assert result.exit_code == 7
    assert "Persoon 1 is verwijderd, maar het bestand kon daarna niet worden opgeschoond" in (
        result.stderr
    )
    assert "het bestand is in gebruik" in result.stderr and "mhtool opschonen" in result.stderr
    assert "niets" not in result.stderr
    assert backend.rows("SELECT name FROM person") == [("Piet Anderman",)]

    monkeypatch.setattr(SqliteStore, "execute", real_execute)
    vacuums: list[str] = []

    def counting(self: SqliteStore, sql: str, params: tuple[object, ...] = ()) -> object:
        if sql == "VACUUM":
            vacuums.append(sql)
        return real_execute(self, sql, params)

    monkeypatch.setattr(SqliteStore, "execute", counting)
    finished = cli("opschonen", "--ja")
    assert finished.exit_code == 0, finished.output
    assert "geen signalen die nu vernietigd kunnen worden" in finished.stdout
    assert vacuums == ["VACUUM"]
    assert b"ionescu" not in stored_bytes(backend).lower()


def test_verwijder_removes_the_name_in_every_form_search_would_match(
    cli: Cli, backend: Backend
) -> None:
    """Review finding: only the exact spelling was removed; 'jose muller-smit', the surname
    alone and 'P. Puk' stayed, and `mhtool zoek` still found the signal."""
    ref = _signal(
        cli,
        "--persoon",
        "naam=José Müller-Smit; rol=slachtoffer; geboren=03-04-1995",
        omschrijving="José Müller-Smit werkt daar; jose muller-smit ook gezien; Müller-Smit bang",
    )
    other = _signal(cli, omschrijving="José van de bakker zag J. Müller-Smit.")
    assert (
        cli("signaal", "notitie", ref, "Gebeld: JOSÉ MÜLLER-SMIT, José belde terug").exit_code == 0
    )
    result = cli("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja")
    assert result.exit_code == 0, result.output
    raw = stored_bytes(backend).lower()
    for trace in ("müller".encode(), b"muller", b"smit"):
        assert trace not in raw, trace
    # The first name alone may be someone else's: reported with the signals, not removed.
    assert f"de voornaam alleen staat nog in teksten van {ref}, {other}" in " ".join(
        result.stdout.split()
    )
    assert cli("zoek", "Müller-Smit").exit_code == 3


def test_a_signal_that_only_mentions_the_person_is_named_and_keeps_a_history(
    cli: Cli, backend: Backend
) -> None:
    """Review finding: an unlinked signal's text changed without a word or a history row, and
    a relative with the same surname lost his name."""
    own = _signal(
        cli,
        "--persoon",
        "naam=Zoë Ångström-Müller; rol=slachtoffer; geboren=12-04-2001",
        omschrijving="Zoë Ångström-Müller werkt 80 uur. Mevr. Angström Muller ook.",
    )
    other = _signal(cli, omschrijving="Weer Zoe Angstrom Muller gezien, ook Piet Ångström-Müller.")
    result = cli("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["signalen"] == [own] and report["naam_ook_verwijderd_uit"] == [other]
    texts = {
        str(ref): str(text) for ref, text in backend.rows("SELECT ref, description FROM signal")
    }
    assert texts[own] == "[persoon verwijderd] werkt 80 uur. Mevr. [persoon verwijderd] ook."
    assert texts[other] == "Weer [persoon verwijderd] gezien, ook Piet Ångström-Müller."
    actions = [
        h["actie"] for h in json.loads(cli("signaal", "toon", other, "--json").stdout)["historie"]
    ]
    assert "naam-verwijderd" in actions
    assert cli("zoek", "Zoe Angstrom Muller").exit_code == 3
