"""Every path the operating system refuses is one Dutch sentence with an exit code from the
README's table (never 70 'onverwachts'), and nothing is written; `--overschrijf` never replaces
a file that is not an earlier mhtool backup or export."""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.mhtool_process import SIGNAL_ARGS

# The exit codes README.md lists.
DOCUMENTED = {0, 2, 3, 4, 5, 6, 7, 8, 130}


def _long(tmp_path: Path, suffix: str, size: int = 300) -> Path:
    return tmp_path / ("n" * (size - len(suffix)) + suffix)


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("size", [256, 300, 1000])
def test_an_overlong_database_name_is_a_dutch_error(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    name = str(_long(tmp_path, ".db", size))
    before = _listing(tmp_path)
    for args in (
        ("--db", name, "info"),
        ("--db", name, *SIGNAL_ARGS, "--omschrijving", "x"),
        ("--db", name, "signaal", "lijst"),
        ("--db", name, "init"),
    ):
        result = cli(*args)
        assert result.exit_code == 2, (args, result)
        assert result.stderr.startswith("Fout: De bestandsnaam in ") and "te lang" in result.stderr
    monkeypatch.setenv("MHTOOL_DB", name)
    from_env: list[tuple[str, ...]] = [("info",), ("init",), (*SIGNAL_ARGS, "--omschrijving", "x")]
    for command in from_env:
        result = cli(*command)
        assert result.exit_code == 2 and "te lang" in result.stderr, (command, result)
    assert _listing(tmp_path) == before


def test_an_overlong_output_name_is_a_dutch_error_and_writes_nothing(
    cli: Cli, new_signal: Callable[..., str], db_path: Path, tmp_path: Path
) -> None:
    new_signal("--persoon", "naam=Testpersoon Alfa; rol=slachtoffer")
    before = _listing(tmp_path)
    audit_before = _audit_rows(db_path)
    for args in (
        ("backup", str(_long(tmp_path, ".db"))),
        ("rapport", "--week", "2026-W44", "--uitvoer", str(_long(tmp_path, ".md"))),
        ("statistiek", "--uitvoer", str(_long(tmp_path, ".csv"))),
        ("persoon", "inzage", "1", "--uitvoer", str(_long(tmp_path, ".json"))),
    ):
        result = cli(*args)
        assert result.exit_code == 2, (args, result)
        assert "te lang" in result.stderr and "Traceback" not in result.output
    assert _listing(tmp_path) == before
    # A refused backup is logged as a refusal; nothing was exported or backed up.
    kinds = [r for r in _audit_rows(db_path)[len(audit_before) :] if r[1] == "gelukt"]
    assert [k for k in kinds if k[0] in ("backup", "rapport", "persoon.inzage")] == []


def _audit_rows(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT action, result FROM audit_log ORDER BY id").fetchall()
    finally:
        conn.close()


def _refuse_in(folder: Path, code: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the operating system refuse to create files in `folder`, as a read-only medium,
    a folder without rights or a full disk does (tests run as root, where chmod is no bar)."""
    real_open = os.open

    def refusing(path: object, flags: int, mode: int = 0o777, *a: object, **k: object) -> int:
        if Path(str(path)).parent == folder and flags & os.O_CREAT:
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, mode, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refusing)


@pytest.mark.parametrize(
    "code, exit_code, words",
    [
        (errno.EROFS, 8, "alleen-lezen"),
        (errno.EACCES, 8, "Geen toegang"),
        (errno.ENOSPC, 8, "De schijf is vol"),
    ],
)
def test_a_refused_folder_is_named_in_dutch_with_a_documented_code(
    cli: Cli,
    new_signal: Callable[..., str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    exit_code: int,
    words: str,
) -> None:
    new_signal("--persoon", "naam=Testpersoon Alfa; rol=slachtoffer")
    folder = tmp_path / "stick"
    folder.mkdir()
    with monkeypatch.context() as patch:
        _refuse_in(folder, code, patch)
        results = [
            cli("backup", str(folder / "kopie.db")),
            cli("rapport", "--week", "2026-W44", "--uitvoer", str(folder / "r.md")),
            cli("statistiek", "--uitvoer", str(folder / "s.csv")),
            cli("persoon", "inzage", "1", "--uitvoer", str(folder / "i.json")),
        ]
        created = cli("--db", str(folder / "nieuw.db"), *SIGNAL_ARGS, "--omschrijving", "x")
    for result in results:
        assert result.exit_code == exit_code, result
        assert words in result.stderr and "controleer het pad" not in result.stderr, result
        assert os.strerror(code) not in result.stderr  # never the system's English text
    assert created.exit_code == 4, created
    assert "Kan geen database aanmaken" in created.stderr
    assert words.lower().split()[-1] in created.stderr.lower() or "toegang" in created.stderr
    assert _listing(folder) == []
    assert all(r.exit_code in DOCUMENTED for r in [*results, created])


def test_the_readme_lists_every_exit_code() -> None:
    from mhtool.errors import ExitCode

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for code in ExitCode:
        if code is ExitCode.ERROR:
            continue  # never used on purpose: every error has a more precise code
        assert f"\n| {int(code)} |" in readme, code


def test_a_sidecar_name_is_never_a_backup_target(
    cli: Cli, new_signal: Callable[..., str], db_path: Path
) -> None:
    new_signal()
    for suffix in ("-wal", "-shm", "-journal"):
        target = db_path.with_name(db_path.name + suffix)
        existed = target.exists()
        before = target.read_bytes() if existed else None
        for extra in ((), ("--overschrijf",)):
            result = cli("backup", str(target), *extra)
            assert result.exit_code == 2, result
            assert "hulpbestand" in result.stderr
        assert target.exists() == existed
        if existed:
            assert target.read_bytes() == before
    assert len(cli("signaal", "lijst", "--json").stdout) > 2


def test_overschrijf_replaces_only_an_earlier_mhtool_backup(
    cli: Cli, new_signal: Callable[..., str], tmp_path: Path
) -> None:
    new_signal()
    passwd = tmp_path / "passwd"
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\n")
    other_db = tmp_path / "ander.db"
    conn = sqlite3.connect(other_db)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    live = tmp_path / "live.db"
    assert cli("--db", str(live), *SIGNAL_ARGS, "--omschrijving", "x").exit_code == 0
    holder = sqlite3.connect(live)
    holder.execute("SELECT count(*) FROM signal").fetchone()  # keeps its -wal/-shm
    try:
        for target in (passwd, other_db, live):
            before = target.read_bytes()
            result = cli("backup", str(target), "--overschrijf")
            assert result.exit_code == 2, (target, result)
            assert "geen eerdere back-up van mhtool" in result.stderr
            assert target.read_bytes() == before
    finally:
        holder.close()


def test_an_overlong_address_query_is_refused_not_echoed(
    cli: Cli, new_signal: Callable[..., str]
) -> None:
    new_signal()
    result = cli("zoek", "--adres", "Dorpstraat " + "1" * 100_000)
    assert result.exit_code == 2, result.exit_code
    assert "te lang" in result.stderr and len(result.output) < 400


def test_overschrijf_never_replaces_another_working_database_that_is_closed(
    cli: Cli, new_signal: Callable[..., str], tmp_path: Path
) -> None:
    """A second mhtool database nobody has open has no -wal/-shm and our application id, just
    like a backup; `backup ANDER.db --overschrijf` replaced it (all its signals gone). A working
    database is in WAL mode, a backup is a single file in rollback-journal mode."""
    new_signal()
    other = tmp_path / "andere-gemeente.db"
    assert cli("--db", str(other), *SIGNAL_ARGS, "--omschrijving", "ander").exit_code == 0
    assert not other.with_name(other.name + "-wal").exists()  # closed, as a backup would be
    before = other.read_bytes()
    result = cli("backup", str(other), "--overschrijf")
    assert result.exit_code == 2, result
    assert "geen eerdere back-up van mhtool" in result.stderr
    assert other.read_bytes() == before
    earlier = tmp_path / "back-up.db"
    assert cli("backup", str(earlier)).exit_code == 0
    assert cli("backup", str(earlier), "--overschrijf").exit_code == 0


@pytest.mark.parametrize("size", [244, 250, 255])
def test_a_database_or_backup_name_leaves_room_for_the_files_beside_it(
    cli: Cli, new_signal: Callable[..., str], tmp_path: Path, size: int
) -> None:
    """A name of 244-255 bytes is a valid file name, but not for a database: SQLite and mhtool
    put `NAME-wal` and `NAME.mhtool-lock` beside it. Creating one said 'the name is too long
    (at most 255 bytes)' about a shorter name, and a backup under such a name was made but
    could then neither be used as the database (`--db`, the documented restore) nor
    replaced with --overschrijf."""
    new_signal()
    name = _long(tmp_path, ".db", size)
    before = _listing(tmp_path)
    for args in (("backup", str(name)), ("--db", str(name), "init")):
        result = cli(*args)
        assert result.exit_code == 2, (args, result)
        assert "243 bytes" in result.stderr, result.stderr
    assert _listing(tmp_path) == before
    fits = _long(tmp_path, ".db", 243)
    assert cli("backup", str(fits)).exit_code == 0
    assert cli("backup", str(fits), "--overschrijf").exit_code == 0
    assert cli("--db", str(fits), "signaal", "lijst").exit_code == 0


def test_a_full_disk_during_a_backup_is_exit_8_naming_the_backup(
    cli: Cli, new_signal: Callable[..., str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite reports a full disk while writing the copy as SQLITE_FULL, which came out as the
    database error 'De schijf of database is vol' with exit 4, although the database is fine
    and the docs promise exit 8 for a backup that could not be written."""
    from mhtool.store import backup, connection

    new_signal()
    real_connect = connection.connect

    def no_room(path: Path, key: str | None = None) -> sqlite3.Connection:
        conn = real_connect(path, key)
        conn.execute("PRAGMA max_page_count = 1")  # the copy's disk is full
        return conn

    monkeypatch.setattr(backup, "connect", no_room)
    target = tmp_path / "kopie.db"
    result = cli("backup", str(target))
    assert result.exit_code == 8, result
    assert "vol" in result.stderr and str(target) in result.stderr
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if "kopie" in p.name] == []


def test_a_database_in_a_folder_without_write_permission_says_so(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite could only say it 'cannot open the database file' ('controleer het pad') for a
    database on a read-only medium or in a folder the user may not write in. (Skipped where
    permissions do not bind, as for root; checked by hand on a read-only mounted tmpfs.)"""
    folder = tmp_path / "alleen-lezen"
    folder.mkdir()
    db = folder / "m.db"
    assert cli("--db", str(db), *SIGNAL_ARGS, "--omschrijving", "x").exit_code == 0
    before = db.read_bytes()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("permissions do not bind for this user")
        result = cli("--db", str(db), "signaal", "lijst")
    finally:
        folder.chmod(0o700)
    assert result.exit_code == 4, result
    assert "alleen-lezen schijf of in een map waarin u niet mag schrijven" in result.stderr
    assert "controleer het pad" not in result.stderr
    assert db.read_bytes() == before
