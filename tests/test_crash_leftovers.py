"""A killed mhtool leaves no copy of personal data behind.

`mhtool backup` and the backup before a migration write a full copy of the database to a
temporary file first. These tests SIGKILL the process while that file exists (they wait for it
to appear, then kill), and check that the next start removes it, that `info` names what could
not be removed, and that `opschonen` sweeps the database's folder.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.mhtool_process import MHTOOL, SIGNAL_ARGS, TEST_PASSPHRASE, child_env, run_mhtool

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "Geheimenaam Tijdelijkekopie"


def _temps(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if ".mhtool-tmp" in p.name or p.name.endswith(".tmp"))


def _grow(db: Path, megabytes: int, key: str | None = None) -> None:
    """Make copying the file take long enough to kill it half-way: notes of 64 KiB each, all
    carrying a name we can look for afterwards."""
    if key is None:
        conn = sqlite3.connect(db)
    else:
        from mhtool.store.cipher import connect_encrypted

        conn = connect_encrypted(db, key, 10)
    signal_id = conn.execute("SELECT min(id) FROM signal").fetchone()[0]
    text = (SECRET + " ") * (65536 // (len(SECRET) + 1))
    with conn:
        conn.executemany(
            "INSERT INTO note (signal_id, on_date, by_user, text, created_at) "
            "VALUES (?, '2026-11-01', 'test', ?, '2026-11-01T10:00:00+01:00')",
            [(signal_id, text)] * (megabytes * 16),
        )
    conn.close()


def _kill_when_temp_exists(args: list[str], env: dict[str, str], folder: Path) -> bool:
    """Start mhtool, SIGKILL it the moment a temporary file appears in `folder`. False when the
    command finished before that could happen (the caller tries again)."""
    process = subprocess.Popen(
        [*MHTOOL, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while process.poll() is None:
            if _temps(folder):
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return True
            time.sleep(0.001)
        return False
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _kill_during(args: list[str], env: dict[str, str], folder: Path, attempts: int = 8) -> None:
    for _ in range(attempts):
        if _kill_when_temp_exists(args, env, folder):
            assert _temps(folder), "the kill must leave the temporary file for the test to mean"
            return
    pytest.fail("the command never ran long enough to be killed while copying")


@pytest.mark.slow
@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "versleuteld"])
def test_a_killed_backup_leaves_nothing_after_the_next_start(
    tmp_path: Path, encrypted: bool
) -> None:
    db = tmp_path / "mhtool.db"
    env = child_env(db, TEST_PASSPHRASE if encrypted else None)
    if encrypted:
        assert run_mhtool("init", "--versleuteld", env=env).returncode == 0
    assert run_mhtool(*SIGNAL_ARGS, "--omschrijving", "x", env=env).returncode == 0
    from mhtool.store.cipher import key_material

    _grow(db, 24, key_material(TEST_PASSPHRASE) if encrypted else None)
    backups = tmp_path / "back-ups"
    backups.mkdir()
    _kill_during(["backup", str(backups / "kopie.db")], env, backups)
    assert not (backups / "kopie.db").exists()
    # The next start of any command removes the copy the killed one left.
    info = run_mhtool("info", env=env)
    assert info.returncode == 0, info.stderr
    assert _temps(backups) == []
    assert "tijdelijke kopie" not in info.stdout
    # And a backup made afterwards is complete.
    done = run_mhtool("backup", str(backups / "kopie.db"), env=env)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in backups.iterdir()) == ["kopie.db"]


@pytest.mark.slow
def test_a_killed_pre_migration_backup_leaves_nothing_and_the_upgrade_completes(
    tmp_path: Path,
) -> None:
    db = tmp_path / "oud.db"
    shutil.copy(FIXTURES / "schema-5.db", db)
    _grow(db, 24)
    env = child_env(db)
    _kill_during(["info"], env, tmp_path)
    opened = run_mhtool("info", "--json", env=env)
    assert opened.returncode == 0, opened.stderr
    assert _temps(tmp_path) == []
    copies = sorted(p.name for p in tmp_path.iterdir() if ".voor-migratie-" in p.name)
    assert copies == ["oud.db.voor-migratie-6.bak"]
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()


def test_info_names_a_leftover_that_cannot_be_removed(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A temp file whose writer is gone but that cannot be deleted (its folder became read-only
    for us) is named by `info`, so the user can remove it."""
    from mhtool import safe_file

    cli(*SIGNAL_ARGS, "--omschrijving", "x")
    folder = tmp_path / "elders"
    folder.mkdir()
    # A writer that died: its marker is there, unlocked, naming its temporary file.
    stuck_copy = folder / ".kopie.db.0123456789ab.mhtool-tmp"
    stuck_copy.write_bytes(b"SQLite format 3\x00" + SECRET.encode())
    registry = safe_file.registry_dir()
    registry.mkdir(parents=True, exist_ok=True)
    (registry / "dood.pad").write_bytes(os.fsencode(str(stuck_copy)))
    real_unlink = Path.unlink

    def refuse(self: Path, missing_ok: bool = False) -> None:
        if self == stuck_copy:
            raise PermissionError(13, "Permission denied")
        real_unlink(self, missing_ok=missing_ok)

    with monkeypatch.context() as patch:
        patch.setattr(Path, "unlink", refuse)
        shown = cli("info")
    assert shown.exit_code == 0, shown.output
    assert f"Let op: {stuck_copy} is een tijdelijke kopie" in shown.stdout
    assert cli("info").stdout.count("tijdelijke kopie") == 0
    assert not stuck_copy.exists()


def test_opschonen_removes_recognisable_copies_beside_the_database(cli: Cli, db_path: Path) -> None:
    """A leftover whose marker was lost (another account's data folder, an older mhtool) is
    still found by its name when the user cleans up."""
    cli(*SIGNAL_ARGS, "--omschrijving", "x")
    stray = db_path.with_name(f".{db_path.name}.0123456789ab.mhtool-tmp")
    stray.write_bytes(b"SQLite format 3\x00" + SECRET.encode())
    stray_wal = stray.with_name(stray.name + "-wal")
    stray_wal.write_bytes(SECRET.encode())
    done = cli("opschonen", "--ja")
    assert done.exit_code == 0, done.output
    assert not stray.exists() and not stray_wal.exists()


@pytest.mark.slow
def test_a_running_writers_temporary_file_is_left_alone(cli: Cli, tmp_path: Path) -> None:
    """Cleaning up must never remove the copy another mhtool is still writing."""
    from mhtool import safe_file

    cli(*SIGNAL_ARGS, "--omschrijving", "x")
    with safe_file.private_temp(tmp_path / "bezig.db") as temp:
        script = (
            "import sys\n"
            "from mhtool.safe_file import clean_leftovers\n"
            "print(clean_leftovers([__import__('pathlib').Path(sys.argv[1])]))\n"
        )
        env = {**os.environ}
        out = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == "[]"
        assert temp.exists()
    assert not temp.exists()


@pytest.mark.slow
@pytest.mark.parametrize("spelling", ["dotdot", "symlink"])
def test_a_running_writers_temporary_file_is_left_alone_whatever_path_it_was_given(
    cli: Cli, tmp_path: Path, spelling: str
) -> None:
    """The marker named the temp file as given (`map/../b.db`, or through a symlinked folder),
    the folder sweep of `opschonen` by the folder's own path: the two never matched, so a
    cleanup swept away the copy a running backup was still writing."""
    from mhtool import safe_file

    cli(*SIGNAL_ARGS, "--omschrijving", "x")
    if spelling == "dotdot":
        (tmp_path / "map").mkdir()
        target = tmp_path / "map" / ".." / "bezig.db"
    else:
        (tmp_path / "via").symlink_to(tmp_path, target_is_directory=True)
        target = tmp_path / "via" / "bezig.db"
    with safe_file.private_temp(target) as temp:
        script = (
            "import sys, pathlib\n"
            "from mhtool.safe_file import clean_leftovers\n"
            "print(clean_leftovers([pathlib.Path(sys.argv[1])]))\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path)],
            env={**os.environ},
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == "[]"
        assert temp.exists()
    assert not temp.exists()


@pytest.mark.slow
def test_a_leftover_on_a_medium_that_is_away_is_removed_when_it_is_back(tmp_path: Path) -> None:
    """A backup to a USB stick killed half-way, and the stick pulled out: the next start found
    nothing at the marker's path, counted the copy as removed and dropped the marker, so the
    copy on the stick was never cleaned up once the stick was back."""
    from mhtool.safe_file import clean_leftovers

    stick = tmp_path / "usb"
    stick.mkdir()
    script = (
        "import os, sys, pathlib\n"
        "from mhtool.safe_file import private_temp\n"
        "with private_temp(pathlib.Path(sys.argv[1]) / 'kopie.db') as temp:\n"
        "    temp.write_bytes(sys.argv[2].encode())\n"
        "    os._exit(9)  # killed: no cleanup runs\n"
    )
    subprocess.run([sys.executable, "-c", script, str(stick), SECRET], env={**os.environ})
    (leftover,) = _temps(stick)
    stick.rename(tmp_path / "weg")  # the stick is pulled out
    clean_leftovers()
    (tmp_path / "weg").rename(stick)  # and plugged in again
    assert (stick / leftover.name).exists()
    clean_leftovers()
    assert _temps(stick) == []


def test_a_file_named_like_a_leftover_is_never_a_database_or_a_backup(
    cli: Cli, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database opened under a leftover's name (say, a copy found after a crash and opened
    with --db) was deleted by the next `opschonen`, and so was a backup given such a name."""
    cli(*SIGNAL_ARGS, "--omschrijving", "x")
    backup = tmp_path / "kopie.mhtool-tmp"
    refused = cli("backup", str(backup))
    assert refused.exit_code == 2, refused
    assert "tijdelijk bestand" in refused.stderr
    assert not backup.exists()
    found = tmp_path / f".{db_path.name}.0123456789ab.mhtool-tmp"
    assert cli("backup", str(tmp_path / "gewoon.db")).exit_code == 0
    (tmp_path / "gewoon.db").rename(found)
    monkeypatch.setenv("MHTOOL_DB", str(found))
    opened = cli("signaal", "lijst")
    assert opened.exit_code == 2, opened
    assert "andere naam" in opened.stderr
    monkeypatch.setenv("MHTOOL_DB", str(db_path))
    assert cli("opschonen", "--ja").exit_code == 0
    assert db_path.exists()


@pytest.mark.slow
def test_an_inzage_killed_before_its_audit_entry_commits_leaves_no_file(tmp_path: Path) -> None:
    """The inzage file was put in place inside the transaction, before its audit entry was
    committed: a kill in between left a full report about a person with no trace in the
    audit log. The process here dies the moment the entry is being written."""
    db = tmp_path / "m.db"
    env = child_env(db)
    made = run_mhtool(
        *SIGNAL_ARGS, "--omschrijving", "x", "--persoon", f"naam={SECRET}; rol=slachtoffer",
        env=env,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    script = (
        "import os, sys\n"
        "from mhtool.store import audit\n"
        "real = audit.append\n"
        "def dies(store, user, action, *rest):\n"
        "    if action == 'persoon.inzage':\n"
        "        os._exit(9)  # killed before the commit\n"
        "    return real(store, user, action, *rest)\n"
        "audit.append = dies\n"
        "from mhtool.cli.app import main\n"
        "sys.argv = ['mhtool', 'persoon', 'inzage', '1', '--uitvoer', sys.argv[1]]\n"
        "main()\n"
    )
    report = tmp_path / "inzage.json"
    died = subprocess.run(
        [sys.executable, "-c", script, str(report)], env=env, stdin=subprocess.DEVNULL
    )
    assert died.returncode == 9
    assert not report.exists()
    assert run_mhtool("info", env=env).returncode == 0  # the next start cleans the copy
    assert _temps(tmp_path) == []
    entries = sqlite3.connect(db).execute(
        "SELECT count(*) FROM audit_log WHERE action = 'persoon.inzage'"
    )
    assert entries.fetchone()[0] == 0
