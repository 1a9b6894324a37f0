"""Crash safety: a writer killed with SIGKILL at random moments, two writers at once, a full disk.

After all of it the file must pass SQLite's own checks, hold no half-written signal, and hold
every signal whose number was reported to the user.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

from tests.conftest import Cli
from tests.disk_full import cap_database_growth
from tests.mhtool_process import SIGNAL_ARGS, TEST_PASSPHRASE, child_env, run_mhtool

# A writer that logs signals (three persons, two addresses, an organisation each) as fast as it
# can through the services, printing each number only after its transaction has committed.
WRITER = r"""
import os, sys
from pathlib import Path
from mhtool.domain.signal_input import build_address, build_organisation, build_person, build_signal
from mhtool.errors import DatabaseInUseError
from mhtool.services.signals import log_signal
from mhtool.store.open_store import open_store

passphrase = os.environ.get("MHTOOL_WACHTWOORD")
store = open_store(Path(sys.argv[1]), passphrase=(lambda p, n: passphrase) if passphrase else None)
limit = int(sys.argv[2])
print("open", flush=True)
n = 0
while limit == 0 or n < limit:
    n += 1
    new = build_signal(
        received_on="01-11-2026", municipality="Dijk en Waard", reporter="P. Jansen",
        reporter_department="Publiekszaken", channel="mail", forms=["arbeid", "seksueel"],
        acute=False, description="Veel mensen op een adres. " * 20,
        persons=[build_person(f"Persoon {os.getpid()}-{n}-{r}", r) for r in
                 ("slachtoffer", "dader", "betrokkene")],
        addresses=[build_address("Dorpsstraat", str(n % 90 + 1), "", "1703AB", "Heerhugowaard"),
                   build_address("Kerkweg", str(n % 40 + 1), "b", "", "Bergen")],
        organisations=[build_organisation(f"Bedrijf {n}", "", "agrarisch")],
    )
    try:
        ref = log_signal(store, new, "schrijver").summary.ref
    except DatabaseInUseError as error:
        print("BEZET " + error.message, flush=True)
        continue
    print("OK " + ref, flush=True)
store.close()
"""


def _start_writer(db: Path, limit: int = 0, passphrase: str | None = None) -> subprocess.Popen[str]:
    env = child_env(db, passphrase)
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(limit)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def _acknowledged(output: str) -> list[str]:
    return [line.split()[1] for line in output.splitlines() if line.startswith("OK ")]


def _check_consistent(db: Path, acknowledged: list[str], key: str | None = None) -> int:
    """SQLite's checks, no partial signal, every acknowledged signal present; returns the count."""
    from mhtool.store.connection import connect
    from mhtool.store.open_store import open_store

    # Opening through mhtool first: recovery of the hot WAL and mhtool's own open-time checks.
    store = open_store(db, create=False, passphrase=(lambda p, n: TEST_PASSPHRASE) if key else None)
    store.close()
    conn = connect(db, key)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        refs = [r[0] for r in conn.execute("SELECT ref FROM signal")]
        assert len(refs) == len(set(refs))
        partial = conn.execute(
            """SELECT s.ref FROM signal s WHERE
                 (SELECT count(*) FROM step_event e WHERE e.signal_id = s.id) < 1
              OR (SELECT count(*) FROM signal_form f WHERE f.signal_id = s.id) <> 2
              OR (SELECT count(*) FROM signal_person p WHERE p.signal_id = s.id) <> 3
              OR (SELECT count(*) FROM signal_address a WHERE a.signal_id = s.id) <> 2
              OR (SELECT count(*) FROM signal_organisation o WHERE o.signal_id = s.id) <> 1
              OR (SELECT count(*) FROM history h WHERE h.signal_id = s.id) < 1"""
        ).fetchall()
        assert partial == []
        orphans = conn.execute(
            "SELECT count(*) FROM person WHERE id NOT IN (SELECT person_id FROM signal_person)"
        ).fetchone()[0]
        assert orphans == 0
        top = conn.execute("SELECT max(seq) FROM signal WHERE year = 2026").fetchone()[0] or 0
        counter = conn.execute("SELECT last_seq FROM signal_counter WHERE year = 2026").fetchone()
        assert (counter[0] if counter else 0) == top
    finally:
        conn.close()
    assert set(acknowledged) <= set(refs), "an acknowledged signal is missing"
    return len(refs)


class _Lines:
    """The writer's stdout read on a thread, so the test can wait for a line with a time-out
    instead of blocking on a writer that hangs."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self.queue: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self.thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.queue.put(line.rstrip("\n"))
        self.queue.put(None)

    def wait_for(self, prefix: str, timeout: float) -> bool:
        """True once a line starting with `prefix` arrived; False at end of output."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
            if line is None:
                return False
            self.seen.append(line)
            if line.startswith(prefix):
                return True

    def rest(self) -> list[str]:
        self.thread.join(timeout=30)
        while not self.queue.empty():
            line = self.queue.get()
            if line is not None:
                self.seen.append(line)
        return self.seen


# Kill rounds stop being started after this many seconds; on a busy machine fewer rounds happen
# and the consistency checks still hold for every one of them.
KILL_BUDGET_SECONDS = 45


@pytest.mark.slow
@pytest.mark.parametrize(
    "rounds, passphrase", [(14, None), (4, TEST_PASSPHRASE)], ids=["gewoon", "versleuteld"]
)
def test_sigkill_at_random_moments_loses_nothing_acknowledged(
    tmp_path: Path, rounds: int, passphrase: str | None
) -> None:
    """Each round waits until the writer's commits are being acknowledged, then kills it at a
    random moment after that (mid-transaction or between two). Whatever number of rounds the
    machine manages, the file must be consistent and hold every acknowledged signal."""
    from mhtool.store.cipher import key_material

    db = tmp_path / "mhtool.db"
    if passphrase:
        assert run_mhtool("init", "--versleuteld", env=child_env(db, passphrase)).returncode == 0
    chance = random.Random(20261129)
    acknowledged: list[str] = []
    kills = 0
    started = time.monotonic()
    while kills < rounds and (kills == 0 or time.monotonic() - started < KILL_BUDGET_SECONDS):
        writer = _start_writer(db, passphrase=passphrase)
        lines = _Lines(writer)
        try:
            writing = lines.wait_for("OK ", timeout=120)
        except queue.Empty:
            writing = False
        if not writing:
            writer.kill()
            _, err = writer.communicate(timeout=30)
            pytest.fail(f"the writer acknowledged nothing: {lines.seen} {err}")
        time.sleep(chance.uniform(0.0, 0.3))  # a random moment, not a synchronisation
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        assert writer.stderr is not None
        err = writer.stderr.read()
        assert writer.returncode == -signal.SIGKILL, err
        assert "Traceback" not in err
        kills += 1
        acknowledged += _acknowledged("\n".join(lines.rest()))
    assert kills >= 1 and len(acknowledged) >= kills
    key = key_material(passphrase) if passphrase else None
    assert _check_consistent(db, acknowledged, key) >= len(acknowledged)


@pytest.mark.slow
def test_two_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "mhtool.db"
    assert run_mhtool("init", env=child_env(db)).returncode == 0
    writers = [_start_writer(db, limit=40) for _ in range(2)]
    outputs = [w.communicate(timeout=120) for w in writers]
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
        for line in out.splitlines():
            assert line == "open" or line.startswith("OK ") or "in gebruik" in line, line
    acknowledged = [ref for out, _ in outputs for ref in _acknowledged(out)]
    assert all(_acknowledged(out) for out, _ in outputs), "both writers made progress"
    assert _check_consistent(db, acknowledged) == len(acknowledged)


@pytest.mark.slow
def test_two_cli_processes_at_once_succeed_or_say_in_use(tmp_path: Path) -> None:
    db = tmp_path / "mhtool.db"
    env = child_env(db)
    assert run_mhtool("init", env=env).returncode == 0
    successes = 0
    for _ in range(3):
        both = [
            subprocess.Popen(
                [sys.executable, "-m", "mhtool", *SIGNAL_ARGS, "--omschrijving", "x", "--json"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for process in both:
            out, err = process.communicate(timeout=60)
            if process.returncode == 0:
                successes += 1
                json.loads(out)
            else:
                assert process.returncode == 5, err
                assert err.startswith("Fout: De database is in gebruik"), err
    listed = run_mhtool("signaal", "lijst", "--json", env=env)
    assert len(json.loads(listed.stdout)) == successes


@pytest.mark.slow
def test_a_held_lock_gives_the_in_use_message_and_exit_code_5(tmp_path: Path) -> None:
    db = tmp_path / "mhtool.db"
    env = child_env(db, MHTOOL_WACHTTIJD="3")
    assert run_mhtool(*SIGNAL_ARGS, "--omschrijving", "eerste", env=env).returncode == 0
    blocker = sqlite3.connect(db, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        blocked = run_mhtool(*SIGNAL_ARGS, "--omschrijving", "tweede", env=env)
        waited = time.monotonic() - started
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert blocked.returncode == 5, blocked.stderr
    # After about a second it says that it waits, then gives up after MHTOOL_WACHTTIJD.
    assert blocked.stderr == (
        "Wachten op een ander proces dat de database gebruikt … (Ctrl-C om te stoppen)\n"
        "Fout: De database is in gebruik door een ander proces; probeer het zo opnieuw.\n"
    )
    assert waited >= 2  # it queued for the busy timeout before giving up
    listed = run_mhtool("signaal", "lijst", "--json", env=env)
    assert [s["id"] for s in json.loads(listed.stdout)] == ["MH-2026-0001"]


def test_full_disk_is_a_clear_message_and_earlier_data_stays(
    cli: Cli, new_signal: Callable[..., str], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        new_signal()
    before = cli("signaal", "lijst", "--json").stdout
    with monkeypatch.context() as patch:
        cap_database_growth(patch)
        full = cli(*SIGNAL_ARGS, "--omschrijving", "Lang verhaal. " * 700)
    assert full.exit_code == 4, full
    assert full.stderr == (
        "Fout: De schijf of database is vol; er is niets opgeslagen. Maak ruimte vrij en "
        "probeer het opnieuw.\n"
    )
    assert cli("signaal", "lijst", "--json").stdout == before
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    # Nothing of the failed signal remains: the next one gets the next free number.
    assert new_signal() == "MH-2026-0004"
    assert os.path.exists(db_path)
