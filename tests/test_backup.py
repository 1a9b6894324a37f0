"""`mhtool backup`: a verified, atomically placed, owner-only copy that restores completely; and
the owner-only modes of the database, its WAL and SHM files."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mhtool.errors import DatabaseError
from tests.conftest import Cli
from tests.mhtool_process import SIGNAL_ARGS, TEST_PASSPHRASE, child_env, run_mhtool


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _everything(cli: Cli, *db: str) -> list[dict[str, object]]:
    listed = cli(*db, "signaal", "lijst", "--json")
    assert listed.exit_code == 0, listed.output
    details = []
    for item in json.loads(listed.stdout):
        shown = cli(*db, "signaal", "toon", item["id"], "--json")
        assert shown.exit_code == 0, shown.output
        details.append(json.loads(shown.stdout))
    return details


def _filled(cli: Cli, new_signal: Callable[..., str]) -> list[dict[str, object]]:
    new_signal("--persoon", "naam=Anna de Vries; rol=slachtoffer; geboren=1990")
    ref = new_signal(
        "--adres", "straat=Dorpsstraat; nummer=12a; postcode=1703AB; plaats=Heerhugowaard"
    )
    assert cli("signaal", "notitie", ref, "Gesprek met de melder gehad.").exit_code == 0
    return _everything(cli)


def test_backup_restores_everything(
    cli: Cli, new_signal: Callable[..., str], db_path: Path, tmp_path: Path
) -> None:
    before = _filled(cli, new_signal)
    target = tmp_path / "kopie" / "mhtool-backup.db"
    target.parent.mkdir()
    result = cli("backup", str(target), "--json")
    assert result.exit_code == 0, result.output
    reported = json.loads(result.stdout)
    assert reported["pad"] == str(target)
    assert reported["signalen"] == 2 and reported["versleuteld"] is False
    assert _mode(target) == 0o600
    assert [p.name for p in target.parent.iterdir()] == [target.name]
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    # Restoring is using the backup file: everything is there, history and notes included.
    db_path.unlink()
    assert _everything(cli, "--db", str(target)) == before


def test_backup_refuses_to_overwrite_without_permission(
    cli: Cli, new_signal: Callable[..., str], tmp_path: Path
) -> None:
    new_signal()
    target = tmp_path / "bestaat.db"
    assert cli("backup", str(target)).exit_code == 0
    earlier = target.read_bytes()
    new_signal()
    refused = cli("backup", str(target))
    assert refused.exit_code == 2
    assert "bestaat al" in refused.stderr and "--overschrijf" in refused.stderr
    assert target.read_bytes() == earlier
    replaced = cli("backup", str(target), "--overschrijf")
    assert replaced.exit_code == 0, replaced.output
    assert "gecontroleerd" in replaced.stdout and "2 signalen" in replaced.stdout
    assert target.read_bytes().startswith(b"SQLite format 3")
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        "bestaat.db",
        "mhtool.db",
    ]


@pytest.mark.parametrize(
    "target, message",
    [
        ("ontbrekend/kopie.db", "bestaat niet"),
        (".", "is een map"),
        ("mhtool.db", "over de database zelf"),
    ],
)
def test_backup_to_an_impossible_place_is_refused(
    cli: Cli, new_signal: Callable[..., str], tmp_path: Path, target: str, message: str
) -> None:
    new_signal()
    before = sorted(p.name for p in tmp_path.iterdir())
    result = cli("backup", str(tmp_path / target), "--overschrijf")
    assert result.exit_code == 2, result
    assert message in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_backup_without_a_database_creates_nothing(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    result = cli("backup", str(tmp_path / "kopie.db"))
    assert result.exit_code == 4
    assert "nog geen database" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_failed_verification_leaves_no_file(
    cli: Cli, new_signal: Callable[..., str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mhtool.store import backup

    new_signal()

    def broken(path: Path, key: str | None, full_check: bool) -> tuple[int, int]:
        raise DatabaseError("De back-up kon niet worden gecontroleerd.")

    monkeypatch.setattr(backup, "_verify", broken)
    result = cli("backup", str(tmp_path / "kopie.db"))
    assert result.exit_code == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mhtool.db"]


def test_damaged_backup_is_not_kept(
    cli: Cli, new_signal: Callable[..., str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real check runs on the written copy: damage it between writing and checking."""
    from mhtool.store import backup

    for _ in range(3):
        new_signal()
    real_verify = backup._verify

    def damage_then_verify(path: Path, key: str | None, full_check: bool) -> tuple[int, int]:
        with path.open("r+b") as handle:
            handle.seek(2 * 4096)
            handle.write(b"\xff" * 4096)
        return real_verify(path, key, full_check)

    monkeypatch.setattr(backup, "_verify", damage_then_verify)
    result = cli("backup", str(tmp_path / "kopie.db"))
    assert result.exit_code == 4, result
    assert "niet bewaard" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mhtool.db"]


@pytest.mark.slow
def test_encrypted_backup_stays_encrypted_and_restores(tmp_path: Path) -> None:
    db = tmp_path / "mhtool.db"
    env = child_env(db, TEST_PASSPHRASE)
    assert run_mhtool("init", "--versleuteld", env=env).returncode == 0
    logged = run_mhtool(
        *SIGNAL_ARGS, "--omschrijving", "Kassen", "--persoon", "naam=Bram Pruim", env=env
    )
    assert logged.returncode == 0, logged.stderr
    target = tmp_path / "kopie.db"
    made = run_mhtool("backup", str(target), "--json", env=env)
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["versleuteld"] is True
    assert _mode(target) == 0o600
    data = target.read_bytes()
    assert not data.startswith(b"SQLite format 3") and b"Bram Pruim" not in data
    restored = run_mhtool("--db", str(target), "signaal", "lijst", "--json", env=env)
    assert restored.returncode == 0, restored.stderr
    assert len(json.loads(restored.stdout)) == 1
    locked = run_mhtool("--db", str(target), "signaal", "lijst", env=child_env(db))
    assert locked.returncode == 4 and "versleuteld" in locked.stderr


def test_plain_database_gets_an_encrypted_copy(
    cli: Cli,
    new_signal: Callable[..., str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = _filled(cli, new_signal)
    target = tmp_path / "versleuteld.db"
    monkeypatch.setenv("MHTOOL_WACHTWOORD", TEST_PASSPHRASE)
    made = cli("backup", str(target), "--versleuteld", "--json")
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["versleuteld"] is True
    data = target.read_bytes()
    assert not data.startswith(b"SQLite format 3")
    assert b"Anna de Vries" not in data and b"Dorpsstraat" not in data
    assert _mode(target) == 0o600
    assert _everything(cli, "--db", str(target)) == before
    info = json.loads(cli("--db", str(target), "info", "--json").stdout)
    assert info["versleuteld"] is True and info["schemaversie"] >= 1
    # The encrypted copy backs up with its own key, --versleuteld or not.
    again = tmp_path / "nogmaals.db"
    assert cli("--db", str(target), "backup", str(again), "--versleuteld").exit_code == 0
    monkeypatch.delenv("MHTOOL_WACHTWOORD")
    refused = cli("--db", str(again), "signaal", "lijst")
    assert refused.exit_code == 4 and "versleuteld" in refused.stderr


def test_encrypted_copy_asks_nothing_when_the_target_exists(
    cli: Cli, new_signal: Callable[..., str], tmp_path: Path
) -> None:
    new_signal()
    target = tmp_path / "bestaat.db"
    target.write_text("oud")
    result = cli("backup", str(target), "--versleuteld")
    assert result.exit_code == 2
    assert "bestaat al" in result.stderr and "wachtwoord" not in result.stderr
    assert target.read_text() == "oud"


def test_database_wal_and_shm_are_owner_only_even_with_a_lax_umask(tmp_path: Path) -> None:
    """SQLite gives WAL and SHM the database file's mode; the file itself is created 0600."""
    from mhtool.store.open_store import open_store

    old = os.umask(0o022)
    try:
        store = open_store(tmp_path / "mhtool.db")
        try:
            with store.write():
                store.execute("INSERT INTO signal_counter (year, last_seq) VALUES (2026, 0)")
            files = sorted(tmp_path.iterdir())
            assert [p.name for p in files] == ["mhtool.db", "mhtool.db-shm", "mhtool.db-wal"]
            assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
        finally:
            store.close()
    finally:
        os.umask(old)


@pytest.mark.slow
def test_cli_process_creates_owner_only_files(tmp_path: Path) -> None:
    """The per-user default folder is made on first use, for the owner only."""
    env = child_env(tmp_path / "ongebruikt.db", XDG_DATA_HOME=str(tmp_path / "data"))
    del env["MHTOOL_DB"]
    made = run_mhtool(*SIGNAL_ARGS, "--omschrijving", "x", env=env)
    assert made.returncode == 0, made.stderr
    db = tmp_path / "data" / "mhtool" / "mhtool.db"
    assert _mode(db) == 0o600
    assert _mode(db.parent) == 0o700
    backed = run_mhtool("backup", str(tmp_path / "b.db"), env=env)
    assert backed.returncode == 0
    assert _mode(tmp_path / "b.db") == 0o600


@pytest.mark.slow
def test_a_mistyped_folder_in_db_creates_nothing(tmp_path: Path) -> None:
    """A missing folder in --db or MHTOOL_DB is a typo, not a wish for a new database."""
    db = tmp_path / "tikfout" / "mhtool.db"
    made = run_mhtool(*SIGNAL_ARGS, "--omschrijving", "x", env=child_env(db))
    assert made.returncode == 2
    assert "De map" in made.stderr and "bestaat niet" in made.stderr
    init = run_mhtool("--db", str(db), "init", env=child_env(tmp_path / "x.db"))
    assert init.returncode == 2
    assert not (tmp_path / "tikfout").exists()


def test_backup_changes_nothing_but_is_in_the_audit_log(
    cli: Cli, new_signal: Callable[..., str], db_path: Path, tmp_path: Path
) -> None:
    """A backup copies every person in the file: who made one, and when, is logged (BIO)."""
    from tests.record_helpers import dump
    from tests.signal_helpers import audit_rows

    new_signal()
    before = dump(db_path)
    assert cli("--gebruiker", "aof", "backup", str(tmp_path / "kopie.db")).exit_code == 0
    assert dump(db_path) == before
    assert audit_rows(db_path)[-1] == ("backup", "database", "", "gelukt", "aof")
    refused = cli("backup", str(tmp_path / "kopie.db"))  # exists: refused, and logged so
    assert refused.exit_code == 2
    assert [r[3] for r in audit_rows(db_path) if r[0] == "backup"] == ["gelukt", "geweigerd"]


@pytest.mark.slow
def test_files_any_command_writes_are_owner_only(tmp_path: Path) -> None:
    """main() sets umask 077, so exports written by any command with plain open() are 0600."""
    script = (
        "import os, sys\n"
        "from mhtool.cli.app import main\n"
        "sys.argv = ['mhtool', 'info']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "with open('export.csv', 'w') as handle:\n"
        "    handle.write('x')\n"
        "print(oct(os.stat('export.csv').st_mode & 0o777))\n"
    )
    old = os.umask(0o022)
    try:
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=tmp_path,
            env=child_env(tmp_path / "mhtool.db"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "0o600"


def test_a_database_readable_for_others_is_made_private_and_the_user_told(
    cli: Cli, new_signal: Callable[..., str], db_path: Path
) -> None:
    """A file copied by another tool can arrive 0644; mhtool closes it again, out loud."""
    new_signal()
    db_path.chmod(0o644)
    listed = cli("signaal", "lijst", "--json")
    assert listed.exit_code == 0
    assert "was ook voor anderen toegankelijk (0644)" in listed.stderr
    assert json.loads(listed.stdout)  # stdout stays pure JSON
    assert _mode(db_path) == 0o600
    assert cli("signaal", "lijst").stderr == ""


def test_a_copy_that_vanished_before_its_check_is_never_published_as_an_empty_backup(
    cli: Cli, new_signal: Callable[..., str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the temporary copy disappears between copying and checking (removed by another
    process's cleanup), reopening it made SQLite create a new empty file, which passed the
    check (no tables, application id 0) and was put in place as 'Back-up gemaakt en
    gecontroleerd: 0 signalen'."""
    from mhtool.store import backup

    new_signal()
    real_copy = backup._copy_online

    def copy_then_lose(store: object, temp: Path) -> None:
        real_copy(store, temp)  # type: ignore[arg-type]
        temp.unlink()  # what a concurrent sweep did

    monkeypatch.setattr(backup, "_copy_online", copy_then_lose)
    target = tmp_path / "kopie.db"
    result = cli("backup", str(target))
    assert result.exit_code == 4, result
    assert "niet bewaard" in result.stderr
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if "kopie" in p.name] == []


def test_a_replacing_backup_that_cannot_be_logged_keeps_the_earlier_backup(
    cli: Cli,
    new_signal: Callable[..., str],
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The new copy was put over the earlier backup first and then removed again because its
    audit entry could not be written (database busy): the user asked to refresh a backup and
    was left with none."""
    new_signal()
    earlier = tmp_path / "wekelijks.db"
    assert cli("backup", str(earlier)).exit_code == 0
    before = earlier.read_bytes()
    new_signal()
    monkeypatch.setenv("MHTOOL_WACHTTIJD", "1")
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing for a long time
    try:
        result = cli("backup", str(earlier), "--overschrijf")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 5, result
    assert earlier.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if "wekelijks" in p.name] == ["wekelijks.db"]
