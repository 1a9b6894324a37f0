"""A database on a network file system (SMB/CIFS, NFS) is used with a rollback journal instead
of WAL, and the user is told why. The mount table is given to the detector, as Linux shows it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.mhtool_process import SIGNAL_ARGS


def _mounted(monkeypatch: pytest.MonkeyPatch, folder: Path, kind: str) -> None:
    from mhtool.store import file_system

    table = (
        "sysfs /sys sysfs rw 0 0\n/dev/sda1 / ext4 rw 0 0\n"
        f"//server/gedeeld {str(folder).replace(' ', chr(92) + '040')} {kind} rw 0 0\n"
    )
    monkeypatch.setattr(file_system, "_mounts_text", lambda: table)
    monkeypatch.setattr("mhtool.store.file_system.sys.platform", "linux")


def _journal(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize("kind", ["cifs", "nfs4", "smb3"])
def test_a_database_on_a_share_uses_a_rollback_journal_and_says_so(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    share = tmp_path / "gedeelde map"
    share.mkdir()
    db = share / "zaken.db"
    _mounted(monkeypatch, share, kind)
    made = cli("--db", str(db), *SIGNAL_ARGS, "--omschrijving", "x")
    assert made.exit_code == 0, made
    assert f"staat op een netwerkschijf ({kind})" in made.stderr
    assert "servermodus" in made.stderr and "docs/server.md" in made.stderr
    assert "gepland" not in made.stderr
    assert _journal(db) == "delete"
    assert not db.with_name(db.name + "-wal").exists()


def test_an_existing_wal_database_moved_to_a_share_switches(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "zaken.db"
    assert cli("--db", str(db), *SIGNAL_ARGS, "--omschrijving", "x").exit_code == 0
    assert _journal(db) == "wal"
    _mounted(monkeypatch, tmp_path, "cifs")
    listed = cli("--db", str(db), "signaal", "lijst", "--json")
    assert listed.exit_code == 0 and "netwerkschijf" in listed.stderr
    assert _journal(db) == "delete"


def test_a_local_disk_keeps_wal(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _mounted(monkeypatch, tmp_path / "elders", "cifs")
    db = tmp_path / "zaken.db"
    made = cli("--db", str(db), *SIGNAL_ARGS, "--omschrijving", "x")
    assert made.exit_code == 0 and "netwerkschijf" not in made.stderr
    assert _journal(db) == "wal"
