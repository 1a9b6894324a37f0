"""`mhtool signaal ...` driven as a user types it, checking both the screen and the file."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.backend_helpers import file_only, login, stored_dump, stored_execute
from tests.conftest import Backend, Cli
from tests.signal_helpers import query

# The meldroute on a file and on a PostgreSQL server: the same output, exit codes and stored
# rows. What only a file has (its permissions, WAL, a lock held by another sqlite3 connection,
# the default path) is marked file_only.
pytestmark = pytest.mark.usefixtures("backend")

NewSignal = Callable[..., str]


FULL = (
    "signaal",
    "nieuw",
    "--datum",
    "03-11-2026",
    "--gemeente",
    "koggenland",
    "--melder",
    "A. de Boer",
    "--afdeling",
    "Handhaving",
    "--kanaal",
    "meldpunt",
    "--vorm",
    "seksueel",
    "--vorm",
    "crimineel",
    "--omschrijving",
    "Jonge vrouw, steeds andere mannen aan de deur.",
    "--persoon",
    "naam=Maria Ionescu; rol=slachtoffer; geboren=12-03-2004; nationaliteit=Roemeense",
    "--persoon",
    "naam=Onbekende man; rol=dader; geboren=1990",
    "--adres",
    "straat=Dorpsstr.; nummer=12-a; postcode=1687 ab; plaats=Wognum",
    "--organisatie",
    "naam=Sauna Het Zand; kvk=1234 5678; sector=seksbranche",
)


def test_new_signal_with_all_flags_stores_everything(cli: Cli, backend: Backend) -> None:
    # On a file the user is --gebruiker; on a server it is always the login name.
    user_args, user = login(backend, "aof-test")
    result = cli(*user_args, *FULL)
    assert result.exit_code == 0, result.output
    assert "Signaal MH-2026-0001 vastgelegd" in result.stdout

    row = backend.rows(
        "SELECT ref, received_on, municipality, reporter, reporter_department, channel, acute, "
        "step, created_by FROM signal",
    )
    assert row == [
        (
            "MH-2026-0001",
            "2026-11-03",
            "Koggenland",
            "A. de Boer",
            "Handhaving",
            "meldpunt",
            0,
            1,
            user,
        )
    ]
    assert backend.rows("SELECT form FROM signal_form ORDER BY form") == [
        ("crimineel",),
        ("seksueel",),
    ]
    assert backend.rows(
        "SELECT p.name, p.name_key, p.birth_date, p.birth_year, sp.role FROM person p "
        "JOIN signal_person sp ON sp.person_id = p.id ORDER BY p.id",
    ) == [
        ("Maria Ionescu", "maria ionescu", "2004-03-12", 2004, "slachtoffer"),
        ("Onbekende man", "onbekende man", None, 1990, "dader"),
    ]
    assert backend.rows(
        "SELECT street, street_key, house_number, house_addition, house_key, postcode FROM address",
    ) == [("Dorpsstr.", "dorpsstraat", 12, "A", "12a", "1687AB")]
    assert backend.rows("SELECT name, kvk, sector FROM organisation") == [
        ("Sauna Het Zand", "12345678", "seksbranche")
    ]
    # Every change is in the history, with who did it.
    actions = backend.rows("SELECT DISTINCT by_user FROM history")
    assert actions == [(user,)]
    assert backend.rows("SELECT count(*) FROM history WHERE entity = 'signal'") == [(1,)]


def test_json_output_has_stable_keys(cli: Cli) -> None:
    result = cli(*FULL, "--json")
    data = json.loads(result.stdout)
    assert set(data) >= {
        "id",
        "ontvangen",
        "gemeente",
        "kanaal",
        "vormen",
        "acuut",
        "avim_geinformeerd",
        "stap",
        "stap_naam",
        "stap_sinds",
        "dagen_in_stap",
        "conclusie",
        "afgerond_op",
        "melder",
        "melder_afdeling",
        "omschrijving",
        "personen",
        "adressen",
        "organisaties",
        "verloop",
        "notities",
        "historie",
    }
    assert data["personen"][0]["geboortedatum"] == "2004-03-12"
    assert data["adressen"][0]["postcode"] == "1687AB"
    assert data["verloop"][0]["soort"] == "ontvangst"


def test_numbers_are_per_year_and_never_reused(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    assert new_signal(datum="05-01-2025") == "MH-2025-0001"
    assert new_signal(datum="06-01-2025") == "MH-2025-0002"
    assert new_signal(datum="02-01-2026") == "MH-2026-0001"
    # Even if a signal disappears (retention), its number is not handed out again.
    stored_execute(backend, "DELETE FROM signal WHERE ref = 'MH-2025-0002'")
    assert new_signal(datum="07-01-2025") == "MH-2025-0003"


def test_acute_signal_shows_avim_route_and_records_when_informed(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    result = cli(
        "signaal",
        "nieuw",
        "--gemeente",
        "Hollands Kroon",
        "--melder",
        "BOA",
        "--kanaal",
        "telefoon",
        "--omschrijving",
        "Man opgesloten in container",
        "--acuut",
    )
    assert result.exit_code == 0, result.output
    assert "direct AVIM inschakelen" in result.stdout
    ref = "MH-2026-0001"
    listed = cli("signaal", "lijst", "--acuut")
    assert "AVIM nog niet" in listed.stdout

    informed = cli("signaal", "avim", ref, "--op", "nu")
    assert informed.exit_code == 0, informed.output
    assert backend.rows("SELECT avim_informed_at IS NOT NULL FROM signal") == [(1,)]
    assert backend.rows("SELECT kind FROM step_event ORDER BY id") == [("ontvangst",), ("avim",)]

    not_acute = new_signal()
    refused = cli("signaal", "avim", not_acute)
    assert refused.exit_code == 2
    assert "niet als acuut" in refused.stderr


def test_avim_time_can_be_given_when_logging(cli: Cli, backend: Backend) -> None:
    result = cli(
        "signaal",
        "nieuw",
        "--datum",
        "01-11-2026",
        "--gemeente",
        "Texel",
        "--melder",
        "x",
        "--kanaal",
        "mail",
        "--omschrijving",
        "y",
        "--acuut",
        "--avim-geinformeerd",
        "01-11-2026 14:30",
    )
    assert result.exit_code == 0, result.output
    assert "AVIM geïnformeerd op 01-11-2026 14:30" in result.stdout
    assert backend.rows("SELECT avim_informed_at FROM signal") == [("2026-11-01T14:30",)]


def test_whole_meldroute_with_history(cli: Cli, new_signal: NewSignal, backend: Backend) -> None:
    ref = new_signal()
    steps = [
        ("--datum", "02-11-2026", "--controle", "adres bekend uit eerder signaal"),
        ("--datum", "04-11-2026", "--partner", "oe-wijk", "--partner", "zorgcoordinator"),
        ("--datum", "10-11-2026", "--partner", "querido", "--notitie", "Querido pakt op"),
        (
            "--datum",
            "20-11-2026",
            "--conclusie",
            "duiding",
            "--terugkoppeling",
            "--terugkoppeling-datum",
            "19-11-2026",
            "--strafrechtelijk",
            "--opvang",
            "--maatregel",
            "bibob",
            "--maatregel",
            "wet-victoria",
        ),
    ]
    for number, args in enumerate(steps, start=2):
        result = cli("signaal", "stap", ref, *args)
        assert result.exit_code == 0, result.output
        assert f"staat nu in stap {number}" in result.stdout

    assert backend.rows(
        "SELECT step, conclusion, feedback_given, feedback_on, criminal_case, shelter_arranged, "
        "closed_on FROM signal",
    ) == [(5, "duiding", 1, "2026-11-19", 1, 1, "2026-11-20")]
    assert backend.rows("SELECT measure FROM signal_measure ORDER BY measure") == [
        ("bibob",),
        ("wet-victoria",),
    ]
    events = backend.rows("SELECT kind, from_step, to_step, on_date FROM step_event ORDER BY id")
    assert events == [
        ("ontvangst", None, 1, "2026-11-01"),
        ("stap", 1, 2, "2026-11-02"),
        ("stap", 2, 3, "2026-11-04"),
        ("stap", 3, 4, "2026-11-10"),
        ("stap", 4, 5, "2026-11-20"),
    ]
    details = json.loads(
        str(backend.rows("SELECT details FROM step_event WHERE to_step = 3")[0][0])
    )
    assert details == {"partners": ["oe-wijk", "zorgcoordinator"]}

    shown = cli("signaal", "toon", ref)
    for expected in (
        "stap 5 afronding",
        "duiding mensenhandel",
        "adres bekend uit eerder signaal",
        "politie (OE wijk), zorgcoördinator",
        "Querido pakt op",
        "Wet Bibob",
        "Historie",
    ):
        assert expected in shown.stdout

    # Closed means read-only ...
    refused = cli("signaal", "stap", ref, "--naar", "4", "--reden", "x")
    assert refused.exit_code == 6 and "heropen" in refused.stderr
    assert cli("signaal", "notitie", ref, "nog iets").exit_code == 6
    # ... until reopened with a reason, back to the step it was closed from.
    assert cli("signaal", "heropen", ref).exit_code == 2
    reopened = cli("signaal", "heropen", ref, "--reden", "nieuwe informatie van NLA")
    assert reopened.exit_code == 0, reopened.output
    assert backend.rows("SELECT step, conclusion, closed_on FROM signal") == [(4, None, None)]
    assert backend.rows("SELECT count(*) FROM signal_measure") == [(0,)]


def test_skip_and_back_need_a_reason_and_are_recorded(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    ref = new_signal()
    before = stored_dump(backend)
    refused = cli("signaal", "stap", ref, "--naar", "3", "--partner", "oe-wijk")
    assert refused.exit_code == 2
    assert "reden verplicht" in refused.stderr
    assert stored_dump(backend) == before

    skipped = cli(
        "signaal",
        "stap",
        ref,
        "--naar",
        "3",
        "--partner",
        "oe-wijk",
        "--reden",
        "spoed",
    )
    assert skipped.exit_code == 0, skipped.output
    back = cli("signaal", "stap", ref, "--naar", "2", "--reden", "controle alsnog doen")
    assert back.exit_code == 0, back.output
    assert backend.rows(
        "SELECT kind, to_step, reason FROM step_event WHERE id > 1 ORDER BY id"
    ) == [
        ("overslaan", 3, "spoed"),
        ("terug", 2, "controle alsnog doen"),
    ]


def test_missing_step_requirement_is_explained(cli: Cli, new_signal: NewSignal) -> None:
    ref = new_signal()
    cli("signaal", "stap", ref, "--controle", "niets")
    result = cli("signaal", "stap", ref)
    assert result.exit_code == 2
    assert "--partner" in result.stderr


def test_step_two_check_is_automatic_and_asks_a_conclusion_when_it_finds_something(
    cli: Cli, new_signal: NewSignal, db_path: Path
) -> None:
    first = new_signal("--adres", "straat=Kerkstraat; nummer=1; postcode=1700AA")
    nothing_earlier = cli("signaal", "stap", first)
    assert nothing_earlier.exit_code == 0, nothing_earlier.output
    second = new_signal("--adres", "straat=Kerkstraat; nummer=1; postcode=1700 aa")
    found = cli("signaal", "stap", second)
    assert found.exit_code == 2
    assert first in found.stderr and "--controle" in found.stderr


def test_list_filters_and_days_in_step(cli: Cli, new_signal: NewSignal) -> None:
    a = new_signal(gemeente="Koggenland", datum="01-10-2025")
    b = new_signal(gemeente="Dijk en Waard", datum="02-10-2026")
    cli("signaal", "stap", b, "--controle", "niets gevonden")

    def refs(*args: str) -> list[str]:
        result = cli("signaal", "lijst", "--json", *args)
        assert result.exit_code == 0, result.output
        return [s["id"] for s in json.loads(result.stdout)]

    assert refs() == [a, b]
    assert refs("--gemeente", "koggenland") == [a]
    assert refs("--jaar", "2026") == [b]
    assert refs("--stap", "2") == [b]
    assert refs("--vorm", "arbeid") == [a, b]
    assert refs("--vorm", "seksueel") == []
    assert refs("--open") == [a, b]
    assert refs("--afgerond") == []
    item = json.loads(cli("signaal", "lijst", "--json", "--stap", "1").stdout)[0]
    assert item["dagen_in_stap"] >= 365
    table = cli("signaal", "lijst")
    assert "Dagen" in table.stdout and a in table.stdout


def test_note_is_dated_and_kept(cli: Cli, new_signal: NewSignal, backend: Backend) -> None:
    ref = new_signal()
    result = cli("signaal", "notitie", ref, "Gebeld met melder", "--datum", "02-11-2026")
    assert result.exit_code == 0, result.output
    assert backend.rows("SELECT on_date, text FROM note") == [("2026-11-02", "Gebeld met melder")]
    assert "Gebeld met melder" in cli("signaal", "toon", ref).stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--datum", "30-02-2024"), "bestaat niet"),
        (("--datum", "morgen"), "geen datum"),
        (("--datum", "01-01-2999"), "in de toekomst"),
        (("--persoon", "naam=X; rol=slachtoffer; geboren=01-01-2100"), "in de toekomst"),
        (
            ("--datum", "01-01-2026", "--persoon", "naam=X; rol=slachtoffer; geboren=05-05-2026"),
            "ligt na de ontvangstdatum (01-01-2026)",
        ),
        (
            ("--datum", "01-01-2025", "--persoon", "naam=X; rol=slachtoffer; geboren=2026"),
            "ligt na de ontvangstdatum",
        ),
        (("--persoon", "naam=X; rol=baas"), "Rol 'baas' is onbekend"),
        (("--persoon", "rol=dader"), "Naam van de persoon is verplicht"),
        (("--persoon", "naam X"), "mist een '='"),
        (
            ("--adres", "straat=Dorpsstraat; nummer=12; postcode=17O1AB"),
            "Postcode '17O1AB' is ongeldig",
        ),
        (("--adres", "straat=Dorpsstraat; nummer=twaalf"), "Huisnummer 'twaalf' is ongeldig"),
        (("--adres", "id=99"), "Adres met id 99 bestaat niet"),
        (("--organisatie", "naam=X; kvk=123"), "KvK-nummer '123' is ongeldig"),
        (("--vorm", "drugs"), "Vorm 'drugs' is onbekend"),
        (("--gemeente", "Alkmar"), "Bedoelt u 'Alkmaar'?"),
        (("--melder", "   "), "Melder is verplicht"),
        (("--omschrijving", ""), "Omschrijving is verplicht"),
        (("--kanaal", "fax"), "Kanaal 'fax' is onbekend"),
        (("--avim-geinformeerd", "nu"), "alleen bij een acuut signaal"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(
    cli: Cli, new_signal: NewSignal, backend: Backend, args: tuple[str, ...], message: str
) -> None:
    new_signal()  # the file exists and has content
    before = stored_dump(backend)
    base = {
        "--datum": "01-11-2026",
        "--gemeente": "Dijk en Waard",
        "--melder": "P",
        "--kanaal": "mail",
        "--omschrijving": "iets",
    }
    flags: list[str] = []
    overridden = dict(zip(args[::2], args[1::2], strict=True))
    for key, value in {**base, **{k: v for k, v in overridden.items() if k in base}}.items():
        flags += [key, value]
    for key, value in overridden.items():
        if key not in base:
            flags += [key, value]
    result = cli("signaal", "nieuw", *flags)
    assert result.exit_code != 0
    assert message in result.stderr, result.stderr
    assert result.stderr.startswith("Fout: ")
    assert "Traceback" not in result.output
    assert stored_dump(backend) == before


@pytest.mark.empty_server_database  # what the first command does to a new database
def test_missing_flags_without_a_terminal_name_what_to_give(
    cli: Cli, backend: Backend, db_path: Path
) -> None:
    result = cli("signaal", "nieuw", "--gemeente", "Texel")
    assert result.exit_code == 2
    assert "--melder, --kanaal, --omschrijving" in result.stderr
    if backend.is_postgresql:  # nothing was opened, so not even the schema was made
        assert backend.scalar("SELECT to_regclass('signal') IS NULL") is True
    else:
        assert not db_path.exists()


@pytest.mark.parametrize("command", [("toon",), ("stap",), ("notitie",), ("heropen",), ("avim",)])
def test_unknown_id_is_a_clear_error(
    cli: Cli, new_signal: NewSignal, command: tuple[str, ...]
) -> None:
    new_signal()
    result = cli("signaal", *command, "MH-2026-0099", *(["x"] if command == ("notitie",) else []))
    assert result.exit_code in (2, 3), result.output
    assert "MH-2026-0099" in result.stderr
    malformed = cli("signaal", "toon", "abc")
    assert malformed.exit_code == 2
    assert "geen signaalnummer" in malformed.stderr


def test_sloppy_ids_are_understood(cli: Cli, new_signal: NewSignal) -> None:
    ref = new_signal()
    for spelling in ("mh-2026-1", "MH 2026 0001", "2026-1"):
        result = cli("signaal", "toon", spelling, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["id"] == ref


@file_only("a file that does not exist yet; a server database always exists")
def test_info_does_not_create_the_file(cli: Cli, db_path: Path) -> None:
    result = cli("info")
    assert result.exit_code == 0
    assert str(db_path) in result.stdout
    assert "MHTOOL_DB" in result.stdout
    assert not db_path.exists()


@file_only("which file --db and MHTOOL_DB name")
def test_db_flag_beats_environment(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    other = tmp_path / "ander.db"
    result = cli("--db", str(other), "info", "--json")
    data = json.loads(result.stdout)
    assert data["pad"] == str(other) and data["bron"] == "--db"


@file_only("the default location is a file")
def test_default_location_is_the_user_data_dir(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MHTOOL_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    data = json.loads(cli("info", "--json").stdout)
    assert data["bron"] == "standaardlocatie"
    assert data["pad"] == str(tmp_path / "data" / "mhtool" / "mhtool.db")


@file_only("file permissions, application_id, WAL and STRICT tables belong to the file")
def test_new_database_is_private_and_recognisable(new_signal: NewSignal, db_path: Path) -> None:
    new_signal()
    assert db_path.stat().st_mode & 0o777 == 0o600
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x4D48544C
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'signal'")
    assert "STRICT" in tables.fetchone()[0]


@file_only("a lock held by another sqlite3 connection (server writers: test_concurrent_use)")
def test_locked_database_gives_in_use_message(
    cli: Cli, new_signal: NewSignal, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mhtool.store.connection as connection

    new_signal()
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 100)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        before = query(db_path, "SELECT count(*) FROM signal")
        result = cli(
            "signaal",
            "nieuw",
            "--gemeente",
            "Texel",
            "--melder",
            "x",
            "--kanaal",
            "mail",
            "--omschrijving",
            "y",
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 5
    assert "in gebruik" in result.stderr
    assert query(db_path, "SELECT count(*) FROM signal") == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"dit is een tekstbestand\n", "is een tekstbestand"),
        (b"", "leeg bestand"),
    ],
)
@file_only("the content of a file that is not a database")
def test_file_that_is_not_a_database_is_left_alone(
    cli: Cli, db_path: Path, content: bytes, message: str
) -> None:
    db_path.write_bytes(content)
    result = cli("signaal", "lijst")
    assert result.exit_code == 4
    assert message in result.stderr
    assert db_path.read_bytes() == content


@pytest.mark.empty_server_database  # what the first command does to a new database
def test_database_of_another_program_is_refused(
    cli: Cli, backend: Backend, db_path: Path
) -> None:
    tables = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    if backend.is_postgresql:
        stored_execute(backend, "CREATE TABLE recepten (naam TEXT)")
    else:
        conn = sqlite3.connect(db_path)
        conn.execute("CREATE TABLE recepten (naam TEXT)")
        conn.commit()
        conn.close()
        before = db_path.read_bytes()
    result = cli("signaal", "lijst")
    assert result.exit_code == 4
    assert "ander programma" in result.stderr
    if backend.is_postgresql:
        assert backend.rows(tables) == [("recepten",)]
    else:
        assert db_path.read_bytes() == before


def test_newer_schema_is_refused(
    cli: Cli, new_signal: NewSignal, backend: Backend, db_path: Path
) -> None:
    new_signal()
    if backend.is_postgresql:
        stored_execute(
            backend,
            "INSERT INTO schema_migration (version, name, applied_at) "
            "VALUES (999, 'toekomst', '2030-01-01T00:00:00+00:00')",
        )
    else:
        conn = sqlite3.connect(db_path)
        conn.execute("PRAGMA user_version = 999")
        conn.commit()
        conn.close()
    result = cli("signaal", "lijst")
    assert result.exit_code == 4
    assert "nieuwere versie van mhtool" in result.stderr


@file_only("a folder given as the database file")
def test_directory_is_refused(cli: Cli, tmp_path: Path) -> None:
    result = cli("--db", str(tmp_path), "signaal", "lijst")
    assert result.exit_code == 4
    assert "is een map" in result.stderr


def test_unexpected_error_shows_no_traceback_or_data(
    cli: Cli, new_signal: NewSignal, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = new_signal()
    import mhtool.services.signals as services

    def broken(*_: object) -> None:
        raise RuntimeError("Maria Ionescu geheime details")

    monkeypatch.setattr(services, "show_signal", broken)
    result = cli("signaal", "toon", ref)
    assert result.exit_code == 70
    assert "Traceback" not in result.output
    assert "Maria" not in result.output
    assert "onverwachts" in result.stderr


@pytest.mark.parametrize("args", [("signaal", "lijst"), ("signaal", "toon", "MH-2026-0001")])
@file_only("a file that does not exist yet; a server database always exists")
def test_reading_commands_never_create_the_file(
    cli: Cli, db_path: Path, args: tuple[str, ...]
) -> None:
    result = cli(*args)
    assert result.exit_code == 4
    assert "nog geen database" in result.stderr
    assert not db_path.exists()


def test_empty_db_and_user_options_are_refused(cli: Cli) -> None:
    assert "--db is leeg" in cli("--db", "", "info").stderr
    assert "--gebruiker is leeg" in cli("--gebruiker", " ", "info").stderr


def test_bare_command_shows_help_without_error(cli: Cli) -> None:
    result = cli()
    assert result.exit_code == 0
    assert result.stdout.startswith("Gebruik: mhtool")
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (("--persoon", "naam=A; naam=B"), "staat er twee keer in"),
        (("--persoon", "naam=A rol=dader"), "scheid de velden met een ';'"),
        (("--persoon", "id=1; naam=Ander"), "laat naam weg"),
        (("--adres", "id=1; straat=X"), "laat straat weg"),
        (("--persoon", "id=99999999999999999999999"), "geen geldig id"),
        (("--organisatie", "id=0"), "geen geldig id"),
    ],
)
def test_field_specs_never_lose_data_silently(
    cli: Cli, new_signal: NewSignal, backend: Backend, spec: tuple[str, ...], message: str
) -> None:
    new_signal("--adres", "straat=Kerkstraat; nummer=1", "--persoon", "naam=X; rol=dader")
    before = stored_dump(backend)
    result = cli(
        "signaal",
        "nieuw",
        "--gemeente",
        "Texel",
        "--melder",
        "x",
        "--kanaal",
        "mail",
        "--omschrijving",
        "y",
        *spec,
    )
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert stored_dump(backend) == before


def test_history_in_json_speaks_dutch(cli: Cli, new_signal: NewSignal) -> None:
    ref = new_signal("--persoon", "naam=Testpersoon; rol=dader")
    cli("signaal", "stap", ref, "--controle", "niets")
    history = json.loads(cli("signaal", "toon", ref, "--json").stdout)["historie"]
    objects = {h["object"] for h in history}
    assert objects <= {"signaal", "persoon", "adres", "organisatie", "notitie", "verloop"}
    moved = [h for h in history if h["actie"] == "naar volgende stap"]
    assert moved and moved[0]["wijzigingen"]["stap"] == {"oud": 1, "nieuw": 2}
    created = next(h for h in history if h["actie"] == "aangemaakt" and h["object"] == "signaal")
    assert {"gemeente", "melder", "omschrijving", "ontvangen"} <= set(created["wijzigingen"])


def test_dates_before_receipt_are_refused(cli: Cli, new_signal: NewSignal) -> None:
    ref = new_signal(datum="01-11-2026")
    note = cli("signaal", "notitie", ref, "te vroeg", "--datum", "31-10-2026")
    assert note.exit_code == 2 and "vóór de ontvangstdatum" in note.stderr
    cli("signaal", "stap", ref, "--controle", "x", "--datum", "02-11-2026")
    cli("signaal", "stap", ref, "--partner", "oe-wijk", "--datum", "03-11-2026")
    closing = cli(
        "signaal",
        "stap",
        ref,
        "--naar",
        "5",
        "--reden",
        "r",
        "--conclusie",
        "geen",
        "--terugkoppeling",
        "--terugkoppeling-datum",
        "31-10-2026",
        "--datum",
        "04-11-2026",
    )
    assert closing.exit_code == 2 and "--terugkoppeling-datum" in closing.stderr


def test_avim_time_is_not_overwritten_without_reason(cli: Cli, backend: Backend) -> None:
    created = cli(
        "signaal",
        "nieuw",
        "--datum",
        "01-11-2026",
        "--gemeente",
        "Texel",
        "--melder",
        "x",
        "--kanaal",
        "mail",
        "--omschrijving",
        "y",
        "--acuut",
    )
    assert created.exit_code == 0
    no_time = cli("signaal", "avim", "MH-2026-0001", "--op", "01-11-2026")
    assert no_time.exit_code == 2 and "geef ook de tijd" in no_time.stderr
    assert cli("signaal", "avim", "MH-2026-0001", "--op", "01-11-2026 22:10").exit_code == 0
    again = cli("signaal", "avim", "MH-2026-0001", "--op", "01-11-2026 23:00")
    assert again.exit_code == 2 and "--reden" in again.stderr
    fixed = cli(
        "signaal",
        "avim",
        "MH-2026-0001",
        "--op",
        "01-11-2026 21:50",
        "--reden",
        "tikfout",
    )
    assert fixed.exit_code == 0, fixed.output
    assert backend.rows("SELECT avim_informed_at FROM signal") == [("2026-11-01T21:50",)]


@pytest.mark.parametrize(
    ("number", "stored"),
    [
        ("12a", (12, "A", "12a")),
        ("12 - a", (12, "A", "12a")),
        ("12/1", (12, "1", "12-1")),
        ("121", (121, "", "121")),
    ],
)
def test_house_numbers_keep_additions_apart(
    cli: Cli, backend: Backend, number: str, stored: tuple[object, ...]
) -> None:
    result = cli(
        "signaal",
        "nieuw",
        "--gemeente",
        "Texel",
        "--melder",
        "x",
        "--kanaal",
        "mail",
        "--omschrijving",
        "y",
        "--adres",
        f"straat=Dorpsstraat; nummer={number}",
    )
    assert result.exit_code == 0, result.output
    assert backend.rows("SELECT house_number, house_addition, house_key FROM address") == [stored]


def test_six_digit_house_number_is_refused(cli: Cli) -> None:
    result = cli(
        "signaal",
        "nieuw",
        "--gemeente",
        "Texel",
        "--melder",
        "x",
        "--kanaal",
        "mail",
        "--omschrijving",
        "y",
        "--adres",
        "straat=Dorpsstraat; nummer=123456",
    )
    assert result.exit_code == 2 and "hoogstens vijf cijfers" in result.stderr


@pytest.mark.parametrize(
    ("birth", "shown", "stored"),
    [
        ("02-11-2008", "(minderjarig)", True),  # 17 on the day of receipt (01-11-2026)
        ("01-11-2008", "", False),  # 18th birthday on the day of receipt
        ("2009", "(minderjarig)", True),  # 16 or 17 whatever the day
        ("2008", "(mogelijk minderjarig)", None),  # 17 or 18: the year alone cannot tell
        ("1980", "", False),
    ],
)
def test_a_minor_is_marked_at_the_date_of_receipt(
    cli: Cli, new_signal: NewSignal, birth: str, shown: str, stored: bool | None
) -> None:
    """Minors need no proof of coercion (plan §1.1): the officer must see it at a glance."""
    ref = new_signal("--persoon", f"naam=Eva Jansen; rol=slachtoffer; geboren={birth}")
    screen = cli("signaal", "toon", ref).stdout
    assert ("minderjarig" in screen) == bool(shown)
    if shown:
        assert shown in " ".join(screen.split())
    person = json.loads(cli("signaal", "toon", ref, "--json").stdout)["personen"][0]
    assert person["minderjarig_bij_ontvangst"] is stored


def test_repeated_or_contradictory_closing_options(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    """A measure given twice is one measure (not a 'damaged database'); a feedback date with
    --geen-terugkoppeling is refused instead of silently dropped."""
    ref = new_signal()
    close = ("signaal", "stap", ref, "--naar", "5", "--reden", "kort", "--conclusie", "geen")
    before = stored_dump(backend)
    clash = cli(*close, "--geen-terugkoppeling", "--terugkoppeling-datum", "02-11-2026")
    assert clash.exit_code == 2
    assert "past niet bij --geen-terugkoppeling" in clash.stderr
    assert stored_dump(backend) == before
    twice = cli(*close, "--geen-terugkoppeling", "--maatregel", "bibob", "--maatregel", "bibob")
    assert twice.exit_code == 0, twice.output
    assert json.loads(cli("signaal", "toon", ref, "--json").stdout)["bestuurlijke_maatregelen"] == [
        "bibob"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("statistiek", "--jaar", ""), "--jaar is leeg"),
        (("statistiek", "--gemeente", " "), "--gemeente is leeg"),
        (("rapport", "--week", ""), "--week is leeg"),
        (("signaal", "notitie", "MH-2026-0001", "x", "--datum", ""), "Datum is leeg"),
        (("signaal", "stap", "MH-2026-0001", "--controle", "x", "--datum", " "), "Datum is leeg"),
        (("signaal", "avim", "MH-2026-0001", "--op", ""), "AVIM ingeschakeld is leeg"),
    ],
)
def test_an_empty_option_value_is_an_error_not_the_default(
    cli: Cli, new_signal: NewSignal, backend: Backend, args: tuple[str, ...], message: str
) -> None:
    """'--datum ""' silently meant today, '--jaar ""' all years: a script bug hidden."""
    new_signal()
    before = stored_dump(backend)
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert stored_dump(backend) == before


def test_history_keys_are_stable_and_values_readable(cli: Cli, new_signal: NewSignal) -> None:
    ref = new_signal()
    moved = cli("signaal", "stap", ref, "--naar", "5", "--reden", "kort", "--conclusie", "geen",
                "--geen-terugkoppeling", "--datum", "02-11-2026")  # fmt: skip
    assert moved.exit_code == 0, moved.output
    history = json.loads(cli("signaal", "toon", ref, "--json").stdout)["historie"]
    keys = {k for h in history for k in h["wijzigingen"]}
    assert not [k for k in keys if " " in k or not k.isascii()], keys
    assert {"stap_sinds", "aangemaakt_door"} <= keys
    shown = " ".join(cli("signaal", "toon", ref).stdout.split())
    for readable in ("terugkoppeling: – → nee", "stap sinds: 01-11-2026 → 02-11-2026"):
        assert readable in shown.replace("│ ", "").replace(" │", "")
