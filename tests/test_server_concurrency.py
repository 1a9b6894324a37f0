"""Many writers on one PostgreSQL database, and the server killed under them (issue 14).

Eight OS processes run the real command line at once (tests/concurrent_cli.py: `main()` called
in-process again and again, each call a whole command with its own connection and transaction).
They start together through a file handshake, and the tests wait for outcomes, never for a
time. What must hold: every write is there once, numbers are unique and without gaps, every
signal has its history, and the audit log is one unbroken chain that `audit controleer
--volledig` accepts; with the server stopped as in a power cut (`pg_ctl stop -m immediate`) and
started again, every command that reported success is still there, and every command that did
not ended with one Dutch sentence and an exit code from README's table.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mhtool.errors import DatabaseError
from mhtool.store.postgres_errors import CONNECTION_LOST
from tests.conftest import Backend, Cli
from tests.history_replay import assert_history_replays
from tests.mhtool_process import MHTOOL, SIGNAL_ARGS, child_env, run_mhtool

if TYPE_CHECKING:
    import psycopg

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]

PROCESSES = 8
# Signals per writer process; the issue asks for 200. Lower it (MHTOOL_TEST_WRITES=20) to try
# the tests quickly on a slow machine; CI runs the full count.
WRITES = int(os.environ.get("MHTOOL_TEST_WRITES", "200"))
REPO = Path(__file__).resolve().parents[1]
# A safety net against a hang, not a timing assertion: far beyond what the work needs.
PATIENCE = 3600.0
WAITING_NOTICE = "Wachten op een ander proces"


@dataclass(frozen=True)
class Call:
    """One command run by one of the processes, as tests/concurrent_cli.py recorded it."""

    process: int
    call: int
    exit: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        """stderr without the notice that the command waited for another writer."""
        return [line for line in self.stderr.splitlines() if line and WAITING_NOTICE not in line]


class Processes:
    """One tests/concurrent_cli.py per entry of `commands`, each running its command `count`
    times."""

    def __init__(
        self,
        folder: Path,
        env: dict[str, str],
        count: int,
        commands: Sequence[Sequence[str]],
        pause_after_failure: bool = False,
    ) -> None:
        folder.mkdir()
        self.folder = folder
        self.go = folder / "go"
        # After a failed command a process waits for this file (see tests/concurrent_cli.py).
        self.resume = folder / "verder"
        self.started: list[subprocess.Popen[bytes]] = []
        for n, args in enumerate(commands):
            with (folder / f"proces-{n}.log").open("wb") as log:
                self.started.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "tests.concurrent_cli",
                            str(self._ready(n)),
                            str(self.go),
                            str(self.resume) if pause_after_failure else "-",
                            str(self.results(n)),
                            str(count),
                            *args,
                        ],
                        cwd=REPO,
                        env=env,
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )

    def _ready(self, n: int) -> Path:
        return self.folder / f"klaar-{n}"

    def results(self, n: int) -> Path:
        return self.folder / f"uitkomst-{n}.jsonl"

    def start_together(self) -> None:
        """Every process has imported mhtool and waits: then all begin at the same moment."""
        wait_until(lambda: all(self._ready(n).exists() for n in range(self.size)), self.check)
        self.go.touch()

    def check(self) -> None:
        """A process that died early fails the test at once, with its output."""
        for n, process in enumerate(self.started):
            if process.poll() not in (None, 0):
                log = (self.folder / f"proces-{n}.log").read_text(errors="replace")
                raise AssertionError(f"process {n} exited {process.returncode}:\n{log}")

    @property
    def size(self) -> int:
        return len(self.started)

    def running(self) -> list[int]:
        return [n for n, p in enumerate(self.started) if p.poll() is None]

    def calls(self, n: int | None = None) -> list[Call]:
        found = []
        for process in range(self.size) if n is None else [n]:
            path = self.results(process)
            if not path.exists():
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.endswith("}"):  # a line being written right now is read next time
                    data = json.loads(line)
                    found.append(
                        Call(process, data["call"], data["exit"], data["stdout"], data["stderr"])
                    )
        return found

    def finish(self) -> list[Call]:
        wait_until(lambda: not self.running(), self.check)
        self.check()
        return self.calls()

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.wait()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Callable[..., Processes]]:
    made: list[Processes] = []

    def start(
        env: dict[str, str],
        count: int,
        commands: Sequence[Sequence[str]],
        pause_after_failure: bool = False,
    ) -> Processes:
        group = Processes(
            tmp_path / f"groep-{len(made)}", env, count, commands, pause_after_failure
        )
        made.append(group)
        return group

    yield start
    for group in made:
        group.stop()


def wait_until(condition: Callable[[], bool], check: Callable[[], None] = lambda: None) -> None:
    """Poll until `condition` holds; `check` raises when waiting longer is pointless."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        check()
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting (see PATIENCE)")
        time.sleep(0.05)


def signal_args() -> tuple[str, ...]:
    return (*SIGNAL_ARGS, "--omschrijving", "melding {i}", "--json")


def assert_chain_intact(backend: Backend, env: dict[str, str]) -> None:
    """The whole chain from row 1, as the user checks it; and directly: ids 1..n without a
    gap, each row pointing at the hash of the row before it (one chain, no fork)."""
    checked = run_mhtool("audit", "controleer", "--volledig", "--json", env=env, timeout=600)
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert report["in_orde"] is True and report["beveiliging_aanwezig"] is True
    rows = backend.rows("SELECT id, prev_hash, hash FROM audit_log ORDER BY id")
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert all(rows[i][1] == rows[i - 1][2] for i in range(1, len(rows)))
    assert len({r[2] for r in rows}) == len(rows)
    assert report["regels"] == len(rows) - 1  # the check's own entry comes after it


def assert_signals_whole(backend: Backend, refs: set[str]) -> None:
    """Exactly `refs` are stored, numbered 1..n, each with its one 'aangemaakt' history row of
    its own command, and its audit entry; every signal rebuilt from its history alone equals
    the stored one (tests/history_replay.py)."""
    stored = backend.rows("SELECT ref, seq FROM signal ORDER BY seq")
    assert {r[0] for r in stored} == refs
    assert [r[1] for r in stored] == list(range(1, len(stored) + 1))
    created = backend.rows(
        "SELECT s.ref, h.change_id FROM history h JOIN signal s ON s.id = h.signal_id "
        "WHERE h.action = 'aangemaakt' AND h.entity = 'signal'"
    )
    assert sorted(r[0] for r in created) == sorted(refs)
    assert len({r[1] for r in created}) == len(refs)  # one command, one change
    audited = backend.rows(
        "SELECT object_id FROM audit_log WHERE action = 'signaal.nieuw' AND result = 'gelukt'"
    )
    assert sorted(r[0] for r in audited) == sorted(refs)
    assert_history_replays(backend)


def reported_ref(call: Call) -> str:
    ref = str(json.loads(call.stdout)["id"])
    assert re.fullmatch(r"MH-\d{4}-\d{4,}", ref), ref
    return ref


def test_audit_entries_from_many_processes_form_one_chain(
    backend: Backend, processes: Callable[..., Processes]
) -> None:
    """Views and checks append too (`audit toon` in its own write transaction, `audit anker`
    through `record()` after its read): from eight processes at once they never fork the
    chain or clash on an id."""
    env = child_env(backend.target)
    count = max(5, WRITES // 8)
    viewers = [("audit", "toon", "--tot", "01-01-2000")] * (PROCESSES // 2)  # short output
    anchors = [("audit", "anker")] * (PROCESSES - PROCESSES // 2)
    group = processes(env, count, viewers + anchors)
    group.start_together()
    calls = group.finish()
    assert [c for c in calls if c.exit != 0] == []
    assert len(calls) == PROCESSES * count
    assert backend.scalar("SELECT count(*) FROM audit_log") == PROCESSES * count
    assert_chain_intact(backend, env)


@pytest.mark.empty_server_database
def test_eight_writers_times_200_signals_on_one_server(
    backend: Backend, processes: Callable[..., Processes]
) -> None:
    """The issue's test: eight processes each log WRITES signals at once, on a database that
    the first of them also has to set up (the schema is made under the migration lock)."""
    env = child_env(backend.target)
    group = processes(env, WRITES, [signal_args()] * PROCESSES)
    group.start_together()
    calls = group.finish()
    assert [c for c in calls if c.exit != 0] == []
    assert len(calls) == PROCESSES * WRITES
    refs = [reported_ref(c) for c in calls]
    assert len(set(refs)) == PROCESSES * WRITES  # no number given twice
    assert_signals_whole(backend, set(refs))
    assert_chain_intact(backend, env)


# What a command may say when the server goes away under it or is not back yet: the sentence
# and the exit code (README's table: 4 database, 5 in use / try again).
ACCEPTED_FAILURES = (
    (4, re.escape(CONNECTION_LOST)),
    (
        4,
        r"Kan geen verbinding maken met de databaseserver .*; controleer het adres en of de "
        r"server draait\.",
    ),
    (5, r"De server .* start op of stopt; probeer het over een minuut opnieuw\."),
)


def assert_one_clear_sentence(call: Call) -> None:
    """A failed command: no traceback, one line `Fout: <one of the sentences above>`, and the
    exit code that belongs to it."""
    assert "Traceback" not in call.stderr and "Error" not in call.stderr, call
    assert call.stdout == "", call
    lines = call.error_lines
    assert len(lines) == 1 and lines[0].startswith("Fout: "), call
    sentence = lines[0].removeprefix("Fout: ")
    assert any(
        call.exit == code and re.fullmatch(pattern, sentence) for code, pattern in ACCEPTED_FAILURES
    ), call


def test_server_killed_mid_write_loses_nothing_committed(
    backend: Backend, processes: Callable[..., Processes]
) -> None:
    """`pg_ctl stop -m immediate` while eight writers run, then a restart: every signal whose
    command said it was saved is there (with history and audit entry), the interrupted
    commands said so in one Dutch sentence, and the audit chain verifies.

    To be sure the kill lands in the middle of a write, not between two commands, the test
    locks the audit_log table (EXCLUSIVE: reading is allowed, appending is not) and waits until
    a writer stands still at its audit entry, its signal, history and links already inserted,
    and the others queue behind it for the writers' lock; the kill cuts all of them off. Writers
    that start a command while the server is down are refused at connecting; the server comes back only after
    every writer still running has met such a failure. A writer whose command failed waits
    until the server is back (as a user would try again), then carries on with the rest."""
    assert backend.cluster is not None
    cluster = backend.cluster
    env = child_env(backend.target)
    group = processes(env, WRITES, [signal_args()] * PROCESSES, pause_after_failure=True)
    group.start_together()
    wait_until(lambda: sum(c.exit == 0 for c in group.calls()) >= WRITES // 4, group.check)
    admin = cluster.connect(backend.dbname, autocommit=False)
    watcher = cluster.connect(backend.dbname)
    try:
        admin.execute("LOCK TABLE audit_log IN EXCLUSIVE MODE")
        wait_until(lambda: _waiting(watcher, "relation") == 1, group.check)
        cluster.stop_immediately()
    finally:
        admin.close()
        watcher.close()
    try:
        wait_until(lambda: all(_failures(group, n) for n in group.running()), group.check)
        # Writers that had finished all their commands before the kill have no failure.
        hit = [n for n in range(PROCESSES) if _failures(group, n)]
        # A command started while the server is down is refused at connecting.
        down = run_mhtool("signaal", "lijst", env=env)
        assert_one_clear_sentence(Call(-1, 0, down.returncode, down.stdout, down.stderr))
        assert "Kan geen verbinding maken" in down.stderr
    finally:
        cluster.start()  # also when the test fails: later tests need the server
    group.resume.touch()
    calls = group.finish()
    failed = [c for c in calls if c.exit != 0]
    # One failure per writer that was running: the one command cut off or refused while the
    # server was down; after the restart every command succeeds again.
    assert sorted(c.process for c in failed) == hit
    assert len(calls) == PROCESSES * WRITES
    for call in failed:
        assert_one_clear_sentence(call)
    interrupted = [c for c in failed if CONNECTION_LOST in c.stderr]
    assert interrupted, "the command cut off mid-write was not told its connection was lost"
    reported = {reported_ref(c) for c in calls if c.exit == 0}
    stored = {str(r[0]) for r in backend.rows("SELECT ref FROM signal")}
    said: dict[str, int] = {}
    for call in failed:
        said[call.error_lines[0][:60]] = said.get(call.error_lines[0][:60], 0) + 1
    print(f"saved {len(reported)}, stored {len(stored)}, failed {len(failed)}: {said}")
    assert reported <= stored  # nothing committed is lost
    # A commit can reach the disk while its reply is lost with the connection: such a command
    # said 'check whether it is there' (CONNECTION_LOST); no other way to a stored signal.
    assert len(stored - reported) <= len(interrupted)
    assert_signals_whole(backend, stored)
    assert_chain_intact(backend, env)
    # And the server takes new work as before.
    again = run_mhtool(*signal_args(), env=env)
    assert again.returncode == 0, again.stderr


def _waiting(watcher: psycopg.Connection[Any], lock: str) -> int:
    """mhtool's connections waiting for a lock of this kind ('relation': a table lock,
    'advisory': the writers' queue)."""
    row = watcher.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mhtool' "
        "AND wait_event_type = 'Lock' AND wait_event = %s",
        (lock,),
    ).fetchone()
    return int(row[0]) if row else 0


def _failures(group: Processes, n: int) -> int:
    return sum(c.exit != 0 for c in group.calls(n))


def test_an_entry_cut_off_before_its_commit_leaves_no_gap(backend: Backend, cli: Cli) -> None:
    """A server's sequence is not transactional: the id of an audit entry whose transaction
    was lost (here: its connection ended between the INSERT and the COMMIT) stays taken. The
    anchor, which is transactional, shows that nothing committed lies beyond the head, so the
    next entry follows without a gap and the check passes; a file never has this case."""
    from mhtool.services.database import open_server_database
    from mhtool.store.audit import append

    assert cli("audit", "toon").exit_code == 0  # entry 1 (and the schema)
    store = open_server_database(backend.target)
    try:
        user = store.user
        assert user is not None
        with pytest.raises(DatabaseError) as lost, store.write():
            append(store, user, "zoeken", "persoon", "", "gelukt", {"aantal": 1})
            pid = store.execute("SELECT pg_backend_pid()").fetchone()[0]
            backend.rows("SELECT pg_terminate_backend(?)", (pid,))
    finally:
        store.close()
    assert str(lost.value) == CONNECTION_LOST
    assert backend.scalar("SELECT max(id) FROM audit_log") == 1
    assert backend.scalar("SELECT pg_sequence_last_value('audit_log_id_seq')") == 2
    checked = cli("audit", "controleer", "--volledig")
    assert checked.exit_code == 0, checked.output
    assert cli("audit", "toon").exit_code == 0
    rows = backend.rows("SELECT id, action FROM audit_log ORDER BY id")
    assert rows == [(1, "audit.toon"), (2, "audit.controleer"), (3, "audit.toon")]
    env = child_env(backend.target)
    assert_chain_intact(backend, env)


OFFICER = "a.audit"
READER = "l.lezer"


def test_owner_officer_and_reader_at_once_write_one_chain_each_under_their_login(
    backend: Backend, processes: Callable[..., Processes], cli: Cli
) -> None:
    """Roles as a beheerder makes them (`mhtool server rollen`, run as the owner); then the
    owner and an officer log signals and a reader lists them, all at once. Row-level security
    hides signals from the officer and the reader, never audit entries from the chain: every
    command's entry carries its login, and the one chain verifies. By SQL the officer can only
    add entries: changing, deleting, emptying the log or setting its counter is refused."""
    import psycopg

    assert backend.cluster is not None
    cluster = backend.cluster
    script = cli(
        *("server", "rollen", "--functionaris", OFFICER, "--gemeente", "Koggenland"),
        *("--lezer", READER, "--gemeente", "Koggenland"),
    )
    assert script.exit_code == 0, script.output
    with cluster.connect(backend.dbname) as conn:
        conn.execute(script.stdout.encode())
    officer_url = cluster.url(backend.dbname, user=OFFICER)
    reader_url = cluster.url(backend.dbname, user=READER)
    officer_args = ["Koggenland" if a == "Dijk en Waard" else a for a in signal_args()]
    count = max(5, WRITES // 4)
    owners = [signal_args()] * 3
    officers = [("--db", officer_url, *officer_args)] * 3
    readers = [("--db", reader_url, "signaal", "lijst", "--json")] * 2
    group = processes(child_env(backend.target), count, owners + officers + readers)
    group.start_together()
    calls = group.finish()
    assert [c for c in calls if c.exit != 0] == []
    by_user = dict(
        backend.rows(
            "SELECT by_user || ' ' || action, count(*) FROM audit_log GROUP BY by_user, action"
        )
    )
    assert by_user == {
        "postgres signaal.nieuw": 3 * count,
        f"{OFFICER} signaal.nieuw": 3 * count,
        f"{READER} signaal.lijst": 2 * count,
    }
    officer_refs = {reported_ref(c) for c in calls if c.process in (3, 4, 5)}
    assert {
        str(r[0])
        for r in backend.rows(
            "SELECT s.ref FROM signal s JOIN history h ON h.signal_id = s.id "
            "WHERE h.action = 'aangemaakt' AND h.by_user = ?",
            (OFFICER,),
        )
    } == officer_refs
    assert_signals_whole(backend, {reported_ref(c) for c in calls if c.process < 6})
    for attempt in (
        "UPDATE audit_log SET by_user = 'iemand' WHERE id = 1",
        "DELETE FROM audit_log WHERE id = 1",
        "TRUNCATE audit_log",
        "SELECT setval('audit_log_id_seq', 1)",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_delete",
    ):
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege),
            psycopg.connect(officer_url, autocommit=True) as conn,
        ):
            conn.execute(attempt.encode())
    assert_chain_intact(backend, child_env(backend.target))


def test_a_connection_lost_outside_a_transaction_is_one_sentence_too(
    backend: Backend, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server ends the connection right after mhtool connected, at its first question
    (who is logged in), which runs outside `write()`/`read()` and their translation: the user
    still gets the connection sentence with exit 4, not 'something unexpected' (exit 70)."""
    from mhtool.store.postgres_connection import PgStore

    asked: property = vars(PgStore)["user"]

    def cut_off_first(store: PgStore) -> str:
        backend.rows("SELECT pg_terminate_backend(?)", (store.conn.info.backend_pid,))
        return str(asked.fget(store))  # type: ignore[misc]

    monkeypatch.setattr(PgStore, "user", property(cut_off_first))
    result = cli("signaal", "lijst")
    assert (result.exit_code, result.stderr) == (4, f"Fout: {CONNECTION_LOST}\n"), result


def test_a_long_wait_for_another_writer_is_told_once_then_the_write_lands(
    backend: Backend,
) -> None:
    """Another writer holds the writers' lock (here: the test, as long as it likes). mhtool
    first waits a second without a word (PgStore._take_write_lock: a colleague's write takes
    milliseconds), then says once that it waits, and writes as soon as the lock is free: the
    first wait ran out inside a savepoint, so the transaction is still good."""
    from mhtool.store.postgres_connection import WRITE_LOCK

    assert backend.cluster is not None
    holder = backend.cluster.connect(backend.dbname)
    try:
        holder.execute("SELECT pg_advisory_lock(%s)", (WRITE_LOCK,))
        writer = subprocess.Popen(
            [*MHTOOL, *signal_args()],
            env=child_env(backend.target),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert writer.stderr is not None
        told = writer.stderr.readline()  # blocks until mhtool says something (or ends)
        assert told.startswith(WAITING_NOTICE), told
        assert backend.scalar("SELECT count(*) FROM signal") == 0
        holder.execute("SELECT pg_advisory_unlock(%s)", (WRITE_LOCK,))
        out, rest = writer.communicate(timeout=PATIENCE)
    finally:
        holder.close()
    assert writer.returncode == 0, rest
    assert rest == ""  # told once
    ref = str(json.loads(out)["id"])
    assert backend.rows("SELECT ref FROM signal") == [(ref,)]
    assert_chain_intact(backend, child_env(backend.target))
