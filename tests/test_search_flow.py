"""Search built into the flow: matches shown by `signaal nieuw`, linking with
--koppel-bestaande, the automatic check at step 2, and upgrading a version-1 file.

On a file and on a PostgreSQL server (the `backend` fixture): the same output and the same
stored rows; upgrading a version-1 file is about the file only."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mhtool.store.migrations import LATEST_VERSION
from tests.backend_helpers import file_only
from tests.conftest import Backend, Cli

pytestmark = pytest.mark.usefixtures("backend")

PERSON = "naam=Jan de Vries; rol=slachtoffer; geboren=12-03-1990"
ADDRESS = "straat=Dorpsstraat; nummer=12a; postcode=1701AB; plaats=Heerhugowaard"
ORGANISATION = "naam=Kwekerij De Tulp B.V.; kvk=12345678"


def _log(cli: Cli, *extra: str) -> Any:
    result = cli(
        "signaal",
        "nieuw",
        "--datum",
        "01-06-2025",
        "--gemeente",
        "Koggenland",
        "--melder",
        "A. Bakker",
        "--kanaal",
        "telefoon",
        "--omschrijving",
        "Nieuw signaal.",
        *extra,
        "--ja",  # received more than a year ago
        "--json",
    )
    assert result.exit_code == 0, result.output
    return result, json.loads(result.stdout)


def _count(backend: Backend, table: str) -> int:
    return int(backend.scalar(f"SELECT count(*) FROM {table}"))  # noqa: S608


def test_new_signal_shows_earlier_matches_on_stderr_and_still_saves(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    earlier = new_signal("--persoon", PERSON, "--adres", ADDRESS, datum="01-03-2025")
    result, data = _log(
        cli,
        "--persoon",
        "naam=J. de Vries; rol=dader",
        "--adres",
        "straat=Dorpstraat; nummer=12 A; plaats=Heerhugowaard",
    )
    assert "Eerdere registraties voor persoon 'J. de Vries'" in result.stderr
    assert "Eerdere registraties voor adres" in result.stderr
    assert earlier in result.stderr
    assert "--koppel-bestaande" in result.stderr
    # Not exact (only an initial; street spelt differently): new records, nothing linked.
    assert _count(backend, "person") == 2 and _count(backend, "address") == 2
    assert data["personen"][0]["id"] == 2


def test_koppel_bestaande_links_exact_matches_only(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    new_signal(
        "--persoon",
        PERSON,
        "--adres",
        ADDRESS,
        "--organisatie",
        ORGANISATION,
        datum="01-03-2025",
    )
    result, data = _log(
        cli,
        "--persoon",
        "naam=jan de VRIES; rol=betrokkene; geboren=12-03-1990",
        "--persoon",
        "naam=Jan de Vries; rol=betrokkene; geboren=1990",
        "--adres",
        "straat=dorpsstr.; nummer=12-a; postcode=1701 ab",
        "--organisatie",
        "naam=De Tulp; kvk=12345678",
        "--koppel-bestaande",
    )
    assert "Gekoppeld aan bestaande persoon 1" in result.stderr
    assert "Gekoppeld aan bestaand adres 1" in result.stderr
    assert "Gekoppeld aan bestaande organisatie 1" in result.stderr
    # The second person has only a birth year: similar, shown, but not linked.
    assert "Eerdere registraties voor persoon 'Jan de Vries', geboren 1990" in result.stderr
    assert [p["id"] for p in data["personen"]] == [1, 2]
    assert [p["rol"] for p in data["personen"]] == ["betrokkene", "betrokkene"]
    assert [a["id"] for a in data["adressen"]] == [1]
    assert [o["id"] for o in data["organisaties"]] == [1]
    assert _count(backend, "address") == 1 and _count(backend, "organisation") == 1
    shown = json.loads(cli("adres", "toon", "1", "--json").stdout)
    assert len(shown["signalen"]) == 2


def test_json_stdout_stays_clean_when_matches_are_shown(
    cli: Cli, new_signal: Callable[..., str]
) -> None:
    new_signal("--persoon", PERSON, datum="01-03-2025")
    result, data = _log(cli, "--persoon", PERSON)
    assert data["id"] == "MH-2025-0002"
    assert "Eerdere" not in result.stdout


def _events(cli: Cli, ref: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads(cli("signaal", "toon", ref, "--json").stdout)[
        "verloop"
    ]
    return events


def test_step_2_records_the_automatic_check(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    earlier = new_signal("--persoon", PERSON, "--adres", ADDRESS, datum="01-03-2025")
    _, data = _log(cli, "--persoon", "naam=Jan de Vris; rol=slachtoffer; geboren=12-03-1990")
    ref = data["id"]
    # Matches found and no conclusion given: refused, nothing changed.
    refused = cli("signaal", "stap", ref)
    assert refused.exit_code == 2
    assert earlier in refused.stderr and "--controle" in refused.stderr
    assert f"mhtool zoek --signaal {ref}" in refused.stderr
    assert json.loads(cli("signaal", "toon", ref, "--json").stdout)["stap"] == 1
    # The same check, shown without moving the signal.
    shown = cli("zoek", "--signaal", ref)
    assert shown.exit_code == 0 and earlier in shown.stdout
    moved = cli("signaal", "stap", ref, "--controle", "Zelfde persoon als in " + earlier)
    assert moved.exit_code == 0, moved.output
    step = _events(cli, ref)[-1]
    assert step["naar_stap"] == 2
    assert step["gegevens"]["controle"] == "Zelfde persoon als in " + earlier
    check = step["gegevens"]["automatische_controle"]
    new_person = json.loads(cli("signaal", "toon", ref, "--json").stdout)["personen"][0]["id"]
    assert check["gezocht"] == [{"soort": "persoon", "id": new_person}]
    assert [f["signalen"] for f in check["gevonden"]] == [[earlier]]
    found = check["gevonden"][0]
    assert (found["soort"], found["gezocht_id"], found["id"]) == ("persoon", new_person, 1)
    assert found["redenen"][0] == "vergelijkbare naam (spelling)"
    # Ids and reasons only: no copy of a name or birth date that would outlive erasure.
    stored = str(backend.scalar("SELECT details FROM step_event WHERE to_step = 2"))
    for personal in ("Vri", "1990", "Dorps", "1701"):
        assert personal not in stored
    shown_text = cli("signaal", "toon", ref).stdout
    assert f"automatische controle: eerdere registraties in {earlier}" in shown_text


def test_step_2_without_matches_fills_the_conclusion(
    cli: Cli, new_signal: Callable[..., str]
) -> None:
    new_signal("--persoon", PERSON, datum="01-03-2025")
    _, data = _log(cli, "--persoon", "naam=Piet Pietersen; rol=slachtoffer")
    assert cli("signaal", "stap", data["id"]).exit_code == 0
    step = _events(cli, data["id"])[-1]
    assert step["gegevens"]["controle"] == (
        "geen eerdere registraties gevonden (automatische controle)"
    )
    own = json.loads(cli("signaal", "toon", data["id"], "--json").stdout)["personen"][0]["id"]
    assert step["gegevens"]["automatische_controle"] == {
        "gezocht": [{"soort": "persoon", "id": own}],
        "gevonden": [],
    }


def test_only_the_signals_own_links_are_not_reported(
    cli: Cli, new_signal: Callable[..., str]
) -> None:
    ref = new_signal("--persoon", PERSON, datum="01-03-2025")
    result = cli("zoek", "--signaal", ref)
    assert result.exit_code == 3
    assert "Geen eerdere registraties gevonden" in result.stdout


@file_only("a version-1 file exists only as a file; a server starts at schema 11")
def test_a_version_1_file_is_upgraded_and_searchable(tmp_path: Path, cli: Cli) -> None:
    from mhtool.store.connection import APPLICATION_ID, SqliteStore, connect
    from mhtool.store.migrations import MIGRATIONS

    path = tmp_path / "v1.db"
    conn = connect(path)
    store = SqliteStore(conn, path)
    with store.write():
        MIGRATIONS[0][2](store)
        conn.execute("INSERT INTO schema_migration VALUES (1, 'foundation', 'x')")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO signal (id, ref, year, seq, received_on, municipality, reporter, "
            "channel, acute, description, step, step_since, created_at, created_by, updated_at) "
            "VALUES (1, 'MH-2024-0001', 2024, 1, '2024-05-01', 'Hoorn', 'x', 'mail', 0, "
            "'Oud signaal over de kassen', 1, '2024-05-01', 'x', 'x', 'x')"
        )
        conn.execute(
            "INSERT INTO person (id, name, name_key, birth_year, created_at) "
            "VALUES (1, 'Søren Øberg', 'sren berg', 1980, 'x')"
        )
        conn.execute("INSERT INTO signal_person VALUES (1, 1, 'slachtoffer')")
        conn.execute(
            "INSERT INTO address (id, street, street_key, house_number, house_addition, "
            "house_key, postcode, city, created_at) "
            "VALUES (1, 'Kerkstraat', 'kerkstraat', 5, '', '5', '1621AA', 'Hoorn', 'x')"
        )
        conn.execute("INSERT INTO signal_address VALUES (1, 1)")
    conn.close()
    found = cli("--db", str(path), "zoek", "--persoon", "Soren Oberg", "--json")
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["resultaten"][0]["id"] == 1
    by_city = json.loads(cli("--db", str(path), "zoek", "kerkstr. 5 hoorn", "--json").stdout)
    assert by_city["resultaten"][0]["score"] == 100
    text = json.loads(cli("--db", str(path), "zoek", "kassen", "--json").stdout)
    assert text["resultaten"][0]["signalen"][0]["id"] == "MH-2024-0001"
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone() == (LATEST_VERSION,)
        assert check.execute(
            "SELECT name_key, given_key, initial, surname_key FROM person"
        ).fetchone() == ("soren oberg", "soren", "s", "oberg")


def test_koppel_bestaande_refuses_to_guess_between_duplicates(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    """Two earlier exact records of the same person: linking to one at random would merge
    histories, and adding a third makes it worse; the officer must choose with id=N."""
    new_signal("--persoon", PERSON, datum="01-03-2025")
    new_signal("--persoon", PERSON, datum="02-03-2025")  # a duplicate, made without the flag
    before = (_count(backend, "person"), _count(backend, "signal"))
    result = cli(
        "signaal", "nieuw", "--gemeente", "Koggenland", "--melder", "A", "--kanaal", "mail",
        "--omschrijving", "x", "--persoon", PERSON, "--koppel-bestaande",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "meer dan één eerdere registratie (id 1, 2)" in result.stderr
    assert "id=N" in result.stderr and "niets opgeslagen" in result.stderr
    assert (_count(backend, "person"), _count(backend, "signal")) == before
    chosen = _log(cli, "--persoon", "id=2; rol=slachtoffer")[1]
    assert [p["id"] for p in chosen["personen"]] == [2]
