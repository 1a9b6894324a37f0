"""The audit log (BIO): who did what, when, to which object, with what result; append-only,
hash-chained, without personal data, and `mhtool audit controleer` finds tampering.

Tests that take `backend` run on a file and on a server database (the same commands, the same
output); the others are about a file only (`--gebruiker`, which a server refuses, and the
source-code rule)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mhtool.store.connection import Store
from tests.audit_tampering import drop_triggers, evidence, tamper
from tests.conftest import Backend, Cli
from tests.signal_helpers import close_signal, scalar

NewSignal = Callable[..., str]


def audit_rows(backend: Backend) -> list[tuple[Any, ...]]:
    return backend.rows(
        "SELECT action, object_type, object_id, result, by_user FROM audit_log ORDER BY id"
    )


def open_backend(backend: Backend) -> Store:
    """The database as a service sees it, on either backend."""
    if backend.is_postgresql:
        from mhtool.services.database import open_server_database

        return open_server_database(backend.target)
    from mhtool.store.open_store import open_store

    return open_store(Path(backend.target))


def test_every_change_and_view_is_recorded_with_user_object_and_result(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    ref = new_signal("--acuut")
    # On a server the login is the user (and --gebruiker is refused there).
    user: tuple[str, ...] = () if backend.is_postgresql else ("--gebruiker", "aof-test")
    name = "postgres" if backend.is_postgresql else "aof-test"
    assert cli(*user, "signaal", "avim", ref, "--op", "01-11-2026 10:00").exit_code == 0
    assert cli(*user, "signaal", "stap", ref, "--controle", "niets bekend").exit_code == 0
    assert cli(*user, "signaal", "notitie", ref, "Gebeld met melder").exit_code == 0
    assert cli(*user, "signaal", "toon", ref).exit_code == 0
    assert cli(*user, "signaal", "lijst", "--open").exit_code == 0
    close_signal(cli, ref, "vandaag")
    assert cli(*user, "signaal", "heropen", ref, "--reden", "nieuwe info").exit_code == 0

    rows = audit_rows(backend)
    assert [r[0] for r in rows] == [
        "signaal.nieuw",
        "signaal.avim",
        "signaal.stap",
        "signaal.notitie",
        "signaal.toon",
        "signaal.lijst",
        "signaal.stap",
        "signaal.heropen",
    ]
    assert {r[1] for r in rows} == {"signaal"}
    assert [r[2] for r in rows] == [ref] * 5 + [""] + [ref] * 2
    assert {r[3] for r in rows} == {"gelukt"}
    assert [r[4] for r in rows][1:6] == [name] * 5
    details = json.loads(str(backend.scalar("SELECT details FROM audit_log WHERE id = 3")))
    assert details == {"van": 1, "naar": 2, "soort": "stap"}
    lijst = json.loads(str(backend.scalar("SELECT details FROM audit_log WHERE id = 6")))
    assert lijst == {"filters": "open", "aantal": 1}


def test_enrichment_and_corrections_are_recorded_by_field_name_only(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    ref = new_signal()
    enriched = cli("signaal", "verrijk", ref, "--persoon", "naam=Maria Ionescu; rol=slachtoffer")
    assert enriched.exit_code == 0, enriched.output
    corrected = cli(
        "signaal", "wijzig", ref, "--omschrijving", "Maria Ionescu werkt er", "--reden", "typfout"
    )
    assert corrected.exit_code == 0, corrected.output
    rows = backend.rows(
        "SELECT action, object_id, result, details FROM audit_log WHERE id > 1 ORDER BY id"
    )
    assert [(a, o, r) for a, o, r, _ in rows] == [
        ("signaal.verrijk", ref, "gelukt"),
        ("signaal.wijzig", ref, "gelukt"),
    ]
    assert json.loads(str(rows[0][3])) == {"personen": 1, "adressen": 0, "organisaties": 0}
    assert json.loads(str(rows[1][3])) == {"velden": "description"}
    assert "Maria" not in json.dumps(rows)


def test_refused_and_not_found_actions_are_recorded_after_the_rollback(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    ref = new_signal()
    refused = cli("signaal", "stap", ref, "--naar", "4", "--partner", "riec")
    assert refused.exit_code == 2
    missing = cli("signaal", "toon", "MH-2026-0099")
    assert missing.exit_code == 3
    assert backend.scalar("SELECT step FROM signal") == 1
    assert backend.scalar("SELECT count(*) FROM step_event") == 1
    rows = audit_rows(backend)
    assert rows[-2][:4] == ("signaal.stap", "signaal", ref, "geweigerd")
    assert rows[-1][:4] == ("signaal.toon", "signaal", "MH-2026-0099", "niet-gevonden")
    detail = json.loads(str(backend.scalar("SELECT details FROM audit_log WHERE id = 2")))
    assert detail == {"van": 1, "naar": 4, "fout": "validationerror"}


def test_the_log_holds_no_personal_data(cli: Cli, backend: Backend) -> None:
    result = cli(
        "signaal",
        "nieuw",
        "--gemeente",
        "Hollands Kroon",
        "--melder",
        "Karel Melder",
        "--kanaal",
        "mail",
        "--omschrijving",
        "Zeldzaamwoord in de omschrijving",
        "--persoon",
        "naam=Maria Ionescu; rol=slachtoffer; geboren=1999; nationaliteit=Roemeense",
        "--adres",
        "straat=Geheimstraat; nummer=7; postcode=1761AB; plaats=Anna Paulowna",
        "--organisatie",
        "naam=Sauna Het Zand; kvk=12345678",
    )
    assert result.exit_code == 0, result.output
    ref = "MH-2026-0001"
    for args in (
        ("signaal", "lijst", "--gemeente", "Hollands Kroon"),
        ("signaal", "toon", ref),
        ("signaal", "notitie", ref, "Maria Ionescu belde terug"),
    ):
        assert cli(*args).exit_code == 0
    everything = json.dumps(backend.rows("SELECT * FROM audit_log"))
    for secret in (
        "Maria",
        "Ionescu",
        "Karel",
        "Zeldzaamwoord",
        "Geheimstraat",
        "1761",
        "Sauna",
        "12345678",
        "Hollands",
        "Roemeense",
        "belde",
    ):
        assert secret not in everything


def test_rows_cannot_be_updated_or_deleted(new_signal: NewSignal, backend: Backend) -> None:
    """Not even by the database's owner (a server's superuser included): only by switching
    the guard off, which `audit controleer` reports."""
    new_signal()
    attempts = ["UPDATE audit_log SET by_user = 'iemand anders'", "DELETE FROM audit_log"]
    if backend.is_postgresql:
        attempts.append("TRUNCATE audit_log")  # row triggers do not see TRUNCATE
    for attempt in attempts:
        with pytest.raises(Exception, match="append-only") as refused:
            tamper(backend, attempt)
        # sqlite3.IntegrityError; psycopg's IntegrityConstraintViolation (SQLSTATE 23000)
        assert "Integrity" in type(refused.value).__name__
    assert backend.scalar("SELECT count(*) FROM audit_log") == 1


def test_each_row_chains_to_the_previous_one(new_signal: NewSignal, backend: Backend) -> None:
    new_signal()
    new_signal()
    rows = backend.rows("SELECT id, prev_hash, hash FROM audit_log ORDER BY id")
    assert rows[0][1] == "0" * 64
    assert rows[1][1] == rows[0][2]
    assert len({r[2] for r in rows}) == 2


def test_controleer_reports_an_intact_chain(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    new_signal()
    result = cli("audit", "controleer")
    assert result.exit_code == 0, result.output
    assert "in orde: 1 regel," in result.stdout
    as_json = json.loads(cli("audit", "controleer", "--json").stdout)
    assert as_json["in_orde"] is True
    assert as_json["regels"] == 2  # the first check was logged too
    assert len(as_json["laatste_hash"]) == 64


def _three_rows(cli: Cli, new_signal: NewSignal) -> str:
    ref = new_signal()
    assert cli("signaal", "toon", ref).exit_code == 0
    assert cli("signaal", "lijst").exit_code == 0
    return ref


TAMPERING = {
    "changed row": (
        ("UPDATE audit_log SET by_user = 'iemand' WHERE id = 2",),
        "Het auditlog is aangetast vanaf regel 2: de inhoud van regel 2 is gewijzigd",
    ),
    "deleted middle row": (
        ("DELETE FROM audit_log WHERE id = 2",),
        "vanaf regel 2: regel 2 ontbreekt (verwijderd)",
    ),
    "deleted last row": (
        ("DELETE FROM audit_log WHERE id = 3",),
        "vanaf regel 3: regel 3 en later ontbreken",
    ),
    "renumbered row": (
        ("DELETE FROM audit_log WHERE id = 2", "UPDATE audit_log SET id = 2 WHERE id = 3"),
        "vanaf regel 2: regel 2 sluit niet aan",
    ),
    "changed hash": (
        ("UPDATE audit_log SET hash = prev_hash WHERE id = 1",),
        "vanaf regel 1: de inhoud van regel 1 is gewijzigd",
    ),
}


@pytest.mark.parametrize("case", TAMPERING, ids=list(TAMPERING))
def test_controleer_finds_tampering_even_without_triggers(
    cli: Cli, new_signal: NewSignal, backend: Backend, case: str
) -> None:
    statements, message = TAMPERING[case]
    _three_rows(cli, new_signal)
    tamper(backend, *drop_triggers(backend), *statements)
    before = evidence(backend)
    result = cli("audit", "controleer")
    assert result.exit_code == 4
    assert message in result.stderr
    assert "Traceback" not in result.output
    # The user is told to keep the database as it is: the check itself writes nothing to it.
    assert evidence(backend) == before


def test_controleer_reports_removed_triggers(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    new_signal()
    tamper(backend, *drop_triggers(backend))
    result = cli("audit", "controleer")
    assert result.exit_code == 4
    assert "beveiliging van het auditlog" in result.stderr


def test_a_new_entry_does_not_repair_a_broken_chain(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    _three_rows(cli, new_signal)
    tamper(
        backend,
        *drop_triggers(backend),
        "UPDATE audit_log SET result = 'gelukt', action = 'x' WHERE id = 1",
    )
    new_signal()
    assert "vanaf regel 1" in cli("audit", "controleer").stderr


def test_audit_toon_filters_by_action_and_dates(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    ref = _three_rows(cli, new_signal)
    exact = json.loads(cli("audit", "toon", "--actie", "signaal.toon", "--json").stdout)
    assert [(e["actie"], e["object_id"]) for e in exact] == [("signaal.toon", ref)]
    group = json.loads(cli("audit", "toon", "--actie", "signaal", "--json").stdout)
    assert [e["actie"] for e in group] == ["signaal.nieuw", "signaal.toon", "signaal.lijst"]
    assert set(group[0]) == {
        "id",
        "tijdstip",
        "door",
        "actie",
        "object",
        "object_id",
        "resultaat",
        "gegevens",
        "vorige_hash",
        "hash",
    }
    future = cli("audit", "toon", "--van", "01-01-2999")
    assert future.exit_code == 0
    assert "Geen regels" in future.stdout
    past = json.loads(cli("audit", "toon", "--tot", "01-01-2000", "--json").stdout)
    assert past == []
    today = json.loads(
        cli("audit", "toon", "--van", "vandaag", "--tot", "vandaag", "--json").stdout
    )
    assert len(today) >= 3
    # Looking at the log is itself logged.
    assert backend.rows("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1") == [
        ("audit.toon",)
    ]


def test_audit_toon_as_a_table_and_bad_periods(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    ref = new_signal()
    table = cli("audit", "toon")
    assert table.exit_code == 0
    assert "signaal.nieuw" in table.stdout
    assert ref in table.stdout
    backwards = cli("audit", "toon", "--van", "02-01-2026", "--tot", "01-01-2026")
    assert backwards.exit_code == 2
    assert "--van ligt na" in backwards.stderr
    nonsense = cli("audit", "toon", "--van", "gister")
    assert nonsense.exit_code == 2


def test_record_is_the_one_call_for_searches_and_exports(backend: Backend) -> None:
    from mhtool.services.audit import record

    store = open_backend(backend)
    try:
        record(store, "aof", "zoeken", "persoon", "", details={"soort": "naam", "aantal": 3})
        record(store, "aof", "export", "rapportage", "", details={"formaat": "xlsx", "jaar": 2026})
        # Free text is refused by construction, before anything is written.
        with pytest.raises(ValueError):
            record(store, "aof", "zoeken", "persoon", "", details={"term": "Jan de Vries"})
        with pytest.raises(ValueError):
            record(store, "aof", "zoeken", "persoon", "Jan de Vries")
        with pytest.raises(ValueError):
            record(store, "aof", "zoeken", "persoon", "", details={"kenmerk": "Ionescu"})
        with pytest.raises(ValueError):
            record(store, "aof", "Zoeken naar Jan", "persoon")
        # Inside a read transaction the entry would be rolled back with it: refused loudly.
        with store.read(), pytest.raises(RuntimeError):
            record(store, "aof", "zoeken", "persoon")
    finally:
        store.close()
    rows = backend.rows("SELECT action, object_type, result, details FROM audit_log ORDER BY id")
    assert rows == [
        ("zoeken", "persoon", "gelukt", '{"aantal":3,"soort":"naam"}'),
        ("export", "rapportage", "gelukt", '{"formaat":"xlsx","jaar":2026}'),
    ]


def test_user_names_with_control_characters_are_refused(cli: Cli, db_path: Path) -> None:
    """A file only: a server refuses --gebruiker altogether (the login is the user)."""
    result = cli("--gebruiker", "aof\x1b[2J", "signaal", "lijst")
    assert result.exit_code == 2
    assert "stuurteken" in result.stderr
    assert not db_path.exists() or scalar(db_path, "SELECT count(*) FROM audit_log") == 0


def test_services_write_only_through_audited() -> None:
    """A use case that writes must run in `audited()`, so no change escapes the audit log."""
    services = Path(__file__).resolve().parents[1] / "src" / "mhtool" / "services"
    offenders = [
        path.name
        for path in sorted(services.glob("*.py"))
        if path.name != "audit.py" and "store.write()" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_audit_toon_per_signal_or_person(cli: Cli, new_signal: NewSignal, backend: Backend) -> None:
    first = new_signal("--persoon", "naam=A; rol=slachtoffer")
    second = new_signal()
    assert cli("signaal", "toon", first).exit_code == 0
    assert cli("persoon", "inzage", "1", "--uitvoer", "/dev/null/x").exit_code != 0
    about_first = json.loads(cli("audit", "toon", "--signaal", first.lower(), "--json").stdout)
    assert [e["actie"] for e in about_first] == ["signaal.nieuw", "signaal.toon"]
    assert second not in json.dumps(about_first)
    about_person = json.loads(cli("audit", "toon", "--persoon", "1", "--json").stdout)
    assert [(e["actie"], e["resultaat"]) for e in about_person] == [("persoon.inzage", "geweigerd")]
    both = cli("audit", "toon", "--signaal", first, "--persoon", "1")
    assert both.exit_code == 2


def test_statistics_and_reports_are_recorded_without_their_figures(
    cli: Cli, new_signal: NewSignal, backend: Backend, tmp_path: Path
) -> None:
    new_signal("--persoon", "naam=Maria Ionescu; rol=slachtoffer")
    assert cli("statistiek", "--per", "vorm", "--json").exit_code == 0
    assert cli("statistiek").exit_code == 0
    target = tmp_path / "week.md"
    made = cli("rapport", "--week", "2026-W44", "--formaat", "md", "--uitvoer", str(target))
    assert made.exit_code == 0, made.output
    rows = backend.rows(
        "SELECT action, object_type, result, details FROM audit_log "
        "WHERE action IN ('statistiek', 'rapport') ORDER BY id",
    )
    assert [(a, o, r) for a, o, r, _ in rows] == [
        ("statistiek", "signaal", "gelukt"),
        ("statistiek", "signaal", "gelukt"),
        ("rapport", "rapport", "gelukt"),
    ]
    assert json.loads(str(rows[0][3])) == {
        "tabel": "gemeenten",
        "per": "vorm",
        "onderdruk": None,
        "formaat": "json",
        "bestand": False,
    }
    assert json.loads(str(rows[2][3])) == {
        "week": "2026-w44",
        "formaat": "md",
        "nieuw": 1,
        "afgerond": 0,
        "acuut": 0,
        "bestand": True,
    }
    assert "Maria" not in json.dumps(rows) and "Dijk" not in json.dumps(rows)


def test_audit_toon_speaks_dutch_and_json_keeps_the_stored_codes(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    new_signal()
    assert cli("signaal", "toon", "MH-2026-0099").exit_code == 3
    assert cli("audit", "controleer").exit_code == 0
    shown = " ".join(cli("audit", "toon").stdout.split())
    assert "fout=niet-gevonden" in shown and "in_orde=ja" in shown
    for raw in ("notfounderror", "True", "False", "None"):
        assert raw not in shown
    stored = json.loads(cli("audit", "toon", "--json").stdout)
    assert {"fout": "notfounderror"} in [e["gegevens"] for e in stored]


def test_an_empty_database_says_so_rather_than_blaming_filters(cli: Cli, backend: Backend) -> None:
    if not backend.is_postgresql:  # a server database is made by its first command
        assert cli("init").exit_code == 0
    assert "Er zijn nog geen signalen" in cli("signaal", "lijst").stdout
    assert "met deze filters" in cli("signaal", "lijst", "--stap", "2").stdout
