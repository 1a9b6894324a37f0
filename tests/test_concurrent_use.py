"""Many processes at once: first use of a new file, and many writers on one file.

Found in an attack (issue 10): 8 simultaneous first commands on a new path failed 22 of 40
times (some told the user to delete the 'empty file' another process was still creating), and
8 writers x 40 ended 16 % of the time in 'De database is in gebruik'. These tests run the real
CLI in separate processes; they assert outcomes only, never timings.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.mhtool_process import MHTOOL, SIGNAL_ARGS, TEST_PASSPHRASE, child_env

PROCESSES = 8
# Writes per writer process; the issue asks for 200. Lower it (MHTOOL_TEST_WRITES=20) to try
# the test quickly on a slow machine; CI runs the full count.
WRITES = int(os.environ.get("MHTOOL_TEST_WRITES", "200"))

# One writer: runs `mhtool signaal nieuw` again and again in one interpreter, each time through
# main() exactly as the console script does (opening and closing the file each time), and
# prints every exit code. One interpreter per writer keeps 8 x 200 within minutes.
WRITER = r"""
import contextlib, io, json, sys
from mhtool.cli.app import main

count, args = int(sys.argv[1]), sys.argv[2:]
codes, errors = [], []
for n in range(count):
    sys.argv = ["mhtool", *args, "--omschrijving", f"schrijver {n}"]
    err = io.StringIO()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            main()
    except SystemExit as exit_:
        codes.append(int(exit_.code or 0))
    if codes[-1] != 0:
        errors.append(err.getvalue())
print(json.dumps({"codes": codes, "errors": errors[:3]}))
"""


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@pytest.mark.slow
@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "versleuteld"])
def test_eight_first_commands_at_once_all_succeed(tmp_path: Path, encrypted: bool) -> None:
    rounds = 5
    for round_ in range(rounds):
        db = tmp_path / f"nieuw-{round_}.db"
        env = child_env(db, TEST_PASSPHRASE if encrypted else None)
        started = [
            _start([*MHTOOL, *SIGNAL_ARGS, "--omschrijving", f"eerste {i}"], env)
            for i in range(PROCESSES)
        ]
        results = [(p.wait(timeout=300), *p.communicate()) for p in started]
        failed = [(code, err) for code, _, err in results if code != 0]
        assert failed == [], f"round {round_}: {failed}"
        # Nobody was told to delete a file another process was creating.
        assert not any("verwijder" in err for _, _, err in results)
        leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(db.name))
        # A new file needs no backup before migrating, and no lock or temp file stays.
        assert leftovers == [db.name], leftovers
        assert not [p for p in tmp_path.iterdir() if ".mhtool-tmp" in p.name]
        listed = subprocess.run(
            [*MHTOOL, "signaal", "lijst", "--json"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            stdin=subprocess.DEVNULL,
        )
        assert len(json.loads(listed.stdout)) == PROCESSES


def _writers(db: Path, env: dict[str, str]) -> tuple[list[dict[str, list[object]]], int]:
    """Run the writers; returns their outcomes and the largest WAL file seen meanwhile."""
    started = [
        _start([sys.executable, "-c", WRITER, str(WRITES), *SIGNAL_ARGS], env)
        for _ in range(PROCESSES)
    ]
    wal = db.with_name(db.name + "-wal")
    largest = 0
    while any(p.poll() is None for p in started):
        with contextlib.suppress(OSError):
            largest = max(largest, wal.stat().st_size)
        time.sleep(0.05)  # sampling the WAL's size, not waiting for an outcome
    outcomes = []
    for process in started:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        outcomes.append(json.loads(out))
    return outcomes, largest


@pytest.mark.slow
@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "versleuteld"])
def test_eight_writers_times_200_all_succeed(tmp_path: Path, encrypted: bool) -> None:
    db = tmp_path / "druk.db"
    env = child_env(db, TEST_PASSPHRASE if encrypted else None)
    first = subprocess.run(
        [*MHTOOL, "init", *(["--versleuteld"] if encrypted else [])],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    outcomes, largest_wal = _writers(db, env)
    failures = [(o["codes"].count(0), o["errors"]) for o in outcomes if set(o["codes"]) != {0}]
    assert failures == [], failures
    # Every write is there, numbered without gaps, and the file is sound.
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from mhtool.store.open_store import open_store\n"
        "key = sys.argv[2]\n"
        "store = open_store(Path(sys.argv[1]), create=False,"
        " passphrase=(lambda p, n: key) if key else None)\n"
        "print(json.dumps([store.execute('SELECT count(*), max(seq) FROM signal').fetchone(),"
        " store.execute('PRAGMA integrity_check').fetchall()]))\n"
    )
    checked = subprocess.run(
        [sys.executable, "-c", script, str(db), TEST_PASSPHRASE if encrypted else ""],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    (count, highest), integrity = json.loads(checked.stdout)
    assert count == highest == PROCESSES * WRITES
    assert integrity == [["ok"]]
    # The WAL is checkpointed and cut back under load (it grew past 120 MB for a 2.4 MB
    # database before): it stays within a few times the database's own size.
    print(f"largest WAL {largest_wal} bytes, database {db.stat().st_size} bytes")
    assert largest_wal <= max(32 * 1024 * 1024, 4 * db.stat().st_size)
    if not encrypted:
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.close()


# Records which modules a cold `mhtool signaal nieuw` imports while it holds the write lock.
IMPORTS_IN_LOCK = r"""
import contextlib, io, json, sys
from mhtool.store import connection

original = connection.SqliteStore.write
imported = []


@contextlib.contextmanager
def watched(self):
    with original(self) as store:
        before = set(sys.modules)
        yield store
        imported.extend(sorted(set(sys.modules) - before))


connection.SqliteStore.write = watched
from mhtool.cli.app import main

sys.argv = ["mhtool", *sys.argv[1:]]
try:
    with contextlib.redirect_stdout(io.StringIO()):
        main()
except SystemExit as exit_:
    assert not exit_.code, exit_.code
print(json.dumps(imported))
"""


@pytest.mark.slow
def test_a_writer_imports_no_library_while_holding_the_lock(tmp_path: Path) -> None:
    """Found in the attack: about 100 modules (sqlite-utils) were imported inside BEGIN
    IMMEDIATE, so every writer held the lock for 0.1 s. Library imports happen before it."""
    db = tmp_path / "slot.db"
    env = child_env(db)
    made = subprocess.run(
        [*MHTOOL, "init"], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    assert made.returncode == 0, made.stderr
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS_IN_LOCK, *SIGNAL_ARGS, "--omschrijving", "x",
         "--persoon", "naam=Jan Jansen; rol=slachtoffer",
         "--adres", "straat=Dorpstraat; nummer=1; plaats=Texel"],
        env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    imported = json.loads(done.stdout)
    assert [m for m in imported if not m.startswith("mhtool.")] == []


# Separate `mhtool` processes per write, as the attack ran them: every start imports the CLI
# anew, which (before) happened partly inside the write lock. 8 x 25 = 200 process starts.
PROCESS_WRITES = int(os.environ.get("MHTOOL_TEST_PROCESS_WRITES", "25"))


@pytest.mark.slow
def test_eight_writers_each_a_new_process_per_write_all_succeed(tmp_path: Path) -> None:
    """Before: 5 % of such writes (16 % in the attack, 8 x 40) ended in 'De database is in
    gebruik' (exit 5) after a five-second wait."""
    import threading

    db = tmp_path / "processen.db"
    env = child_env(db)
    first = subprocess.run(
        [*MHTOOL, "init"], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    assert first.returncode == 0, first.stderr
    failures: list[tuple[int, str]] = []

    def writer(number: int) -> None:
        for n in range(PROCESS_WRITES):
            done = subprocess.run(
                [*MHTOOL, *SIGNAL_ARGS, "--omschrijving", f"schrijver {number}-{n}"],
                env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
            )  # fmt: skip
            if done.returncode != 0:
                failures.append((done.returncode, done.stderr))

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(PROCESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*), max(seq) FROM signal").fetchone() == (
            PROCESSES * PROCESS_WRITES,
            PROCESSES * PROCESS_WRITES,
        )
    finally:
        conn.close()
