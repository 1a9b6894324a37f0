"""Every database an earlier mhtool made opens in this one with nothing lost, and each upgrade is
preceded by a backup of the file (encrypted stays encrypted).

tests/fixtures/schema-<N>[-versleuteld].db were made by tests/fixtures/make_fixture.py with the
code at schema N; a new migration adds its fixture, and these tests pick it up by name.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import stat
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mhtool.store import migrations
from mhtool.store.connection import Store, connect
from tests.conftest import Cli
from tests.mhtool_process import TEST_PASSPHRASE, child_env, run_mhtool

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_FILES = sorted(FIXTURES.glob("schema-*.db"))


def _version(fixture: Path) -> int:
    found = re.match(r"schema-(\d+)", fixture.name)
    assert found, fixture.name
    return int(found.group(1))


def _key(fixture: Path) -> str | None:
    from mhtool.store.cipher import key_material

    return key_material(TEST_PASSPHRASE) if "versleuteld" in fixture.name else None


def _dump(path: Path, key: str | None) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as the file holds it."""
    conn = connect(path, key)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND sql NOT LIKE 'CREATE VIRTUAL%'"
            )
        ]
        dump = {}
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            # The table name comes from the file's own schema, not from a user.
            cursor = conn.execute(f"SELECT * FROM {quoted}")  # noqa: S608
            names = [d[0] for d in cursor.description]
            dump[table] = [dict(zip(names, row, strict=True)) for row in cursor]
        return dump
    finally:
        conn.close()


# Changes a migration makes on purpose: version 5 drops the copies of names, birth dates and
# addresses from the step-2 check (see test_version_5_drops_copies_from_the_step_2_check);
# version 10 recomputes street, house and name keys, and the term list follows them
# (test_version_10_recomputes_street_keys_and_finds_names_in_either_order).
_REWRITTEN: dict[int, dict[str, set[str]]] = {
    5: {"step_event": {"details"}},
    10: {
        "address": {"street_key", "house_key"},
        "person": {"given_key", "initial"},
        "search_term": {"term", "n"},
    },
}


def _assert_nothing_lost(
    before: dict[str, list[dict[str, Any]]], after: dict[str, Any], from_version: int = 0
) -> None:
    rewritten: dict[str, set[str]] = {}
    for version, tables in _REWRITTEN.items():
        if from_version < version:
            for table, columns in tables.items():
                rewritten.setdefault(table, set()).update(columns)
    for table, rows in before.items():
        assert table in after, f"table {table} disappeared"
        compared = [c for c in (rows[0] if rows else []) if c not in rewritten.get(table, set())]
        kept = Counter(tuple(r.get(c) for c in compared) for r in after[table])
        wanted = Counter(tuple(r[c] for c in compared) for r in rows)
        missing = wanted - kept
        assert not missing, f"{table}: rows lost or changed: {len(missing)}"


def _copy(fixture: Path, folder: Path) -> Path:
    target = folder / "mhtool.db"
    shutil.copyfile(fixture, target)
    return target


def test_fixtures_exist_for_every_schema_version() -> None:
    plain = {_version(f) for f in FIXTURE_FILES if "versleuteld" not in f.name}
    encrypted = {_version(f) for f in FIXTURE_FILES if "versleuteld" in f.name}
    # A new migration needs its fixture: run tests/fixtures/make_fixture.py right after adding it.
    # Numbers are handed out per issue, so the list may have gaps until every one has landed.
    assert plain == encrypted == {version for version, _name, _migrate in migrations.MIGRATIONS}


def test_fixtures_hold_data_in_every_table() -> None:
    for fixture in FIXTURE_FILES:
        dump = _dump(fixture, _key(fixture))
        assert len(dump["signal"]) >= 3
        for table in ("person", "address", "organisation", "step_event", "note", "history"):
            assert dump[table], f"{fixture.name}: {table} is empty"


@pytest.mark.slow
@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[f.name for f in FIXTURE_FILES])
def test_every_fixture_upgrades_with_nothing_lost(
    fixture: Path, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _copy(fixture, tmp_path)
    key = _key(fixture)
    before = _dump(db, key)
    env = child_env(db, TEST_PASSPHRASE if key else None)
    info = run_mhtool("info", "--json", env=env)
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["schemaversie"] == migrations.LATEST_VERSION
    if _version(fixture) < migrations.LATEST_VERSION:  # never silent, never on stdout
        assert f"bijgewerkt van schemaversie {_version(fixture)}" in info.stderr
        assert f"mhtool.db.voor-migratie-{_version(fixture) + 1}.bak" in info.stderr
    else:
        assert info.stderr == ""
    after = _dump(db, key)
    _assert_nothing_lost(before, after, _version(fixture))
    assert {r["version"] for r in after["schema_migration"]} == {
        version for version, _name, _migrate in migrations.MIGRATIONS
    }
    if key:
        monkeypatch.setenv("MHTOOL_WACHTWOORD", TEST_PASSPHRASE)
    for signal in before["signal"]:
        shown = cli("--db", str(db), "signaal", "toon", signal["ref"], "--json")
        assert shown.exit_code == 0, shown.output
        assert json.loads(shown.stdout)["id"] == signal["ref"]
    names = {p["name"] for p in before["person"]}
    assert names <= {p["name"] for p in after["person"]}

    backups = sorted(tmp_path.glob("mhtool.db.voor-migratie-*.bak"))
    if _version(fixture) == migrations.LATEST_VERSION:
        assert backups == []
    else:
        assert [b.name for b in backups] == [f"mhtool.db.voor-migratie-{_version(fixture) + 1}.bak"]
        _assert_backup_of(backups[0], before, key, _version(fixture))


def _assert_backup_of(
    backup: Path, before: dict[str, list[dict[str, Any]]], key: str | None, version: int
) -> None:
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert backup.read_bytes().startswith(b"SQLite format 3") is (key is None)
    assert _dump(backup, key) == before
    conn = connect(backup, key)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    finally:
        conn.close()


def _add_migration(monkeypatch: pytest.MonkeyPatch, migrate: migrations.Migration) -> int:
    version = migrations.LATEST_VERSION + 1
    monkeypatch.setattr(
        migrations, "MIGRATIONS", [*migrations.MIGRATIONS, (version, "proef", migrate)]
    )
    monkeypatch.setattr(migrations, "LATEST_VERSION", version)
    return version


def _latest_fixtures() -> list[Path]:
    return [f for f in FIXTURE_FILES if _version(f) == migrations.LATEST_VERSION]


@pytest.mark.parametrize("fixture", _latest_fixtures(), ids=lambda f: f.name)
def test_a_new_migration_runs_after_a_backup(
    fixture: Path, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _copy(fixture, tmp_path)
    key = _key(fixture)
    if key:
        monkeypatch.setenv("MHTOOL_WACHTWOORD", TEST_PASSPHRASE)
    before = _dump(db, key)
    old_version = migrations.LATEST_VERSION

    def add_column(store: Store) -> None:
        store.execute("ALTER TABLE signal ADD COLUMN proef TEXT NOT NULL DEFAULT 'ja'")

    new_version = _add_migration(monkeypatch, add_column)
    result = cli("--db", str(db), "info", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["schemaversie"] == new_version
    after = _dump(db, key)
    _assert_nothing_lost(before, after)
    assert {r["proef"] for r in after["signal"]} == {"ja"}
    backup = tmp_path / f"mhtool.db.voor-migratie-{new_version}.bak"
    _assert_backup_of(backup, before, key, old_version)
    # Opening again migrates nothing and backs up nothing.
    assert cli("--db", str(db), "signaal", "lijst").exit_code == 0
    assert len(list(tmp_path.glob("*.bak"))) == 1


def test_a_failing_migration_leaves_the_file_at_its_old_version(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = next(f for f in _latest_fixtures() if "versleuteld" not in f.name)
    db = _copy(fixture, tmp_path)
    before = _dump(db, None)
    old_version = migrations.LATEST_VERSION

    def half_then_fail(store: Store) -> None:
        store.execute("CREATE TABLE halfweg (x INTEGER) STRICT")
        store.execute("UPDATE signal SET description = 'overschreven'")
        store.execute("CREATE TABLE signal (x INTEGER)")  # already exists: SQLite refuses

    new_version = _add_migration(monkeypatch, half_then_fail)
    result = cli("--db", str(db), "signaal", "lijst")
    assert result.exit_code == 4, result
    assert result.stderr.startswith("Fout: ") and "Traceback" not in result.output
    assert _dump(db, None) == before
    backup = tmp_path / f"mhtool.db.voor-migratie-{new_version}.bak"
    _assert_backup_of(backup, before, None, old_version)
    # A second attempt keeps the first backup and writes a new one beside it.
    assert cli("--db", str(db), "signaal", "lijst").exit_code == 4
    assert (tmp_path / f"mhtool.db.voor-migratie-{new_version}-2.bak").exists()
    assert _dump(db, None) == before


def test_version_5_drops_copies_from_the_step_2_check(tmp_path: Path, cli: Cli) -> None:
    """A version-4 step-2 check held names, birth dates and addresses of this and other
    signals; after the upgrade only kinds, ids, reasons and signal numbers remain."""
    db = _copy(FIXTURES / "schema-4.db", tmp_path)
    old_check = {
        "automatische_controle": {
            "gezocht": ["persoon 'Anna de Vries', geboren 12-03-1990", "adres 'Dorpsstraat 12a'"],
            "gevonden": [
                {
                    "soort": "persoon",
                    "gezocht": "persoon 'Anna de Vries', geboren 12-03-1990",
                    "id": 7,
                    "omschrijving": "Anna de Vris (geb. 12-03-1990)",
                    "score": 93,
                    "redenen": ["vergelijkbare naam (spelling)", "zelfde geboortedatum"],
                    "signalen": ["MH-2024-0003"],
                }
            ],
        },
        "controle": "Zelfde persoon als in MH-2024-0003.",
    }
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE step_event SET details = ? WHERE id = 2", (json.dumps(old_check),))
    conn.close()
    assert cli("--db", str(db), "info").exit_code == 0
    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT details FROM step_event WHERE id = 2").fetchone()[0]
    conn.close()
    assert json.loads(stored) == {
        "automatische_controle": {
            "gezocht": [{"soort": "persoon", "id": None}, {"soort": "adres", "id": None}],
            "gevonden": [
                {
                    "soort": "persoon",
                    "gezocht_id": None,
                    "id": 7,
                    "score": 93,
                    "redenen": ["vergelijkbare naam (spelling)", "zelfde geboortedatum"],
                    "signalen": ["MH-2024-0003"],
                }
            ],
        },
        "controle": "Zelfde persoon als in MH-2024-0003.",
    }
    for personal in ("Vries", "Vris", "1990", "Dorps"):
        assert personal not in stored


def test_version_6_recomputes_name_keys(tmp_path: Path, cli: Cli) -> None:
    """Keys written by version 5 read the O of O'Brien as an initial; after the upgrade the
    stored person is found under the spelling a searcher types."""
    db = _copy(FIXTURES / "schema-5.db", tmp_path)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "UPDATE person SET name = 'Seán O''Brien', name_key = 'sean o brien', "
            "given_key = 'sean', initial = 's', surname_key = 'brien' WHERE id = 1"
        )
    conn.close()
    found = cli("--db", str(db), "zoek", "--persoon", "O'Brien", "--json")
    assert found.exit_code == 0, found.output
    assert [h["id"] for h in json.loads(found.stdout)["resultaten"]][:1] == [1]
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT surname_key FROM person WHERE id = 1").fetchone() == ("obrien",)
        terms = {
            r[0] for r in conn.execute("SELECT term FROM search_term WHERE kind = 'achternaam'")
        }
        assert "obrien" in terms and "brien" not in terms
    finally:
        conn.close()


def test_version_10_recomputes_street_keys_and_finds_names_in_either_order(
    tmp_path: Path, cli: Cli
) -> None:
    """A version-6 file with an abbreviated street, a Roman-numeral floor and a name written
    surname first: after the upgrade the full street name, the numeric floor and the name in
    the other order (also with an initial) find them, and nothing else was lost."""
    db = _copy(FIXTURES / "schema-6.db", tmp_path)
    conn = sqlite3.connect(db)
    with conn:  # the keys version 6 wrote for these spellings
        conn.execute(
            "UPDATE address SET street = 'Burg. v. Roijensingel', "
            "street_key = 'burgemeestervroijensingel', house_number = 14, house_addition = 'II', "
            "house_key = '14ii' WHERE id = 1"
        )
        conn.execute(
            "UPDATE person SET name = 'Kowalczyk Agnieszka', name_key = 'kowalczyk agnieszka', "
            "given_key = 'kowalczyk', initial = 'k', surname_key = 'agnieszka' WHERE id = 1"
        )
        conn.execute(  # version 6 took the initial T. for the particle 't
            "UPDATE person SET name = 'T. Bakker', name_key = 't bakker', given_key = '', "
            "initial = '', surname_key = 'bakker' WHERE id = 2"
        )
    conn.close()
    before = _dump(db, None)
    for query, kind in (
        ("Burgemeester van Roijensingel 14-2", "adres"),
        ("Burg. v. Roijensingel 14 2", "adres"),
        ("Agnieszka Kowalczyk", "persoon"),
        ("A. Kowalczyk", "persoon"),
    ):
        found = cli("--db", str(db), "zoek", query, "--json")
        assert found.exit_code == 0, found.output
        hits = [h for h in json.loads(found.stdout)["resultaten"] if h["soort"] == kind]
        assert [h["id"] for h in hits][:1] == [1], (query, hits)
    after = _dump(db, None)
    _assert_nothing_lost(before, after, 6)
    assert 10 in [r["version"] for r in after["schema_migration"]]
    conn = sqlite3.connect(db)
    try:
        assert conn.execute(
            "SELECT street_key, house_key FROM address WHERE id = 1"
        ).fetchone() == (
            "burgemeestervanroijensingel",
            "14-2",
        )
        assert conn.execute(
            "SELECT given_key, initial, surname_key FROM person WHERE id = 2"
        ).fetchone() == ("t", "t", "bakker")
        terms = {tuple(r) for r in conn.execute("SELECT kind, term FROM search_term")}
        assert ("straat", "burgemeestervanroijensingel") in terms
        assert ("straat", "burgemeestervroijensingel") not in terms
        assert ("voornaam", "kowalczyk") in terms
        # The given-name terms follow later changes like the surname terms do.
        with conn:
            conn.execute("UPDATE person SET given_key = 'x' WHERE id = 1")
        terms = {tuple(r) for r in conn.execute("SELECT kind, term FROM search_term")}
        assert ("voornaam", "kowalczyk") not in terms and ("voornaam", "x") in terms
    finally:
        conn.close()
