"""The audit log proves its own completeness (issue 10): a log cut short or emptied with plain
SQL is found, a full rewrite is found against a published anchor, and `audit controleer`
checks incrementally from the last verified checkpoint (`--volledig` for the whole chain)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from mhtool.domain.audit import GENESIS_HASH, entry_hash
from tests.conftest import Cli
from tests.signal_helpers import execute, file_bytes

NewSignal = Callable[..., str]

DROP_TRIGGERS = ("DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete")
RESTORE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)


def _rows(cli: Cli, new_signal: NewSignal, views: int = 4) -> None:
    ref = new_signal()
    for _ in range(views):
        assert cli("signaal", "toon", ref).exit_code == 0


def _refused(cli: Cli, db_path: Path, *args: str) -> str:
    evidence = file_bytes(db_path)
    result = cli("audit", "controleer", *args)
    assert result.exit_code == 4, result
    assert "Traceback" not in result.output
    assert file_bytes(db_path) == evidence  # a broken log is evidence: nothing is written
    return result.stderr


def test_an_emptied_log_is_found(cli: Cli, new_signal: NewSignal, db_path: Path) -> None:
    _rows(cli, new_signal)
    execute(
        db_path,
        *DROP_TRIGGERS,
        "DELETE FROM audit_log",
        "DELETE FROM sqlite_sequence WHERE name = 'audit_log'",
    )
    assert "het auditlog is leeggemaakt (er stonden 5 regels in)" in _refused(cli, db_path)


def test_an_emptied_log_without_its_anchor_is_found_while_signals_exist(
    cli: Cli, new_signal: NewSignal, db_path: Path
) -> None:
    _rows(cli, new_signal)
    execute(
        db_path,
        *DROP_TRIGGERS,
        "DELETE FROM audit_log",
        "DELETE FROM sqlite_sequence WHERE name = 'audit_log'",
        "DELETE FROM setting WHERE key LIKE 'audit.%'",
    )
    assert "het auditlog is leeg, maar er staan signalen in" in _refused(cli, db_path)


@pytest.mark.parametrize("checked_first", [False, True], ids=["ongecontroleerd", "gecontroleerd"])
def test_a_log_cut_short_is_found(
    cli: Cli, new_signal: NewSignal, db_path: Path, checked_first: bool
) -> None:
    _rows(cli, new_signal)
    if checked_first:
        assert cli("audit", "controleer").exit_code == 0  # checkpoint at row 5
        _rows(cli, new_signal, views=2)
    execute(
        db_path,
        *DROP_TRIGGERS,
        "DELETE FROM audit_log WHERE id > 3",
        "UPDATE sqlite_sequence SET seq = 3 WHERE name = 'audit_log'",
        *RESTORE_TRIGGERS,
    )
    # Later work must not paper over the cut: new entries do not move the anchor past it.
    _rows(cli, new_signal, views=3)
    stderr = _refused(cli, db_path)
    assert any(w in stderr for w in ("ingekort", "ontbreken", "gewijzigd of verwijderd")), stderr


def _rewrite_chain(db_path: Path, keep: int) -> None:
    """What someone who knows the scheme can do: cut the log and rehash everything, anchor and
    sequence included, so the file is consistent with itself."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    for statement in DROP_TRIGGERS:
        conn.execute(statement)
    conn.execute("DELETE FROM audit_log WHERE id > ?", (keep,))
    conn.execute("UPDATE audit_log SET by_user = 'iemand anders'")
    prev = GENESIS_HASH
    rows = conn.execute(
        "SELECT id, at, by_user, action, object_type, object_id, result, details FROM audit_log "
        "ORDER BY id"
    ).fetchall()
    for row in rows:
        digest = entry_hash(prev, *row)
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row[0])
        )
        prev = digest
    conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit_log'", (keep,))
    conn.execute("UPDATE setting SET value = ? WHERE key = 'audit.anker'", (f"{keep}:{prev}",))
    conn.execute("DELETE FROM setting WHERE key = 'audit.controlepunt'")
    for statement in RESTORE_TRIGGERS:
        conn.execute(statement)
    conn.close()


def test_a_full_rewrite_is_found_against_the_published_anchor(
    cli: Cli, new_signal: NewSignal, db_path: Path
) -> None:
    _rows(cli, new_signal)
    published = cli("audit", "anker")
    assert published.exit_code == 0, published
    anchor = published.stdout.strip()
    length, _, digest = anchor.partition(":")
    assert length == "5" and len(digest) == 64
    assert "buiten dit bestand" in published.stderr
    _rows(cli, new_signal, views=1)
    assert cli("audit", "controleer", "--anker", anchor).exit_code == 0
    _rewrite_chain(db_path, keep=4)
    # Consistent with itself: the file alone cannot tell ...
    assert cli("audit", "controleer", "--volledig").exit_code == 0
    # ... but the anchor published earlier is no longer on the chain.
    stderr = _refused(cli, db_path, "--anker", anchor)
    assert "het gepubliceerde anker komt niet voor" in stderr


def test_a_bad_anchor_is_wrong_input(cli: Cli, new_signal: NewSignal) -> None:
    new_signal()
    result = cli("audit", "controleer", "--anker", "abc")
    assert result.exit_code == 2 and "--anker" in result.stderr


def test_controleer_is_incremental_from_the_last_good_check(
    cli: Cli, new_signal: NewSignal, db_path: Path
) -> None:
    _rows(cli, new_signal)
    first = json.loads(cli("audit", "controleer", "--json").stdout)
    assert first["gecontroleerd_vanaf_regel"] == 1 and first["regels"] == 5
    _rows(cli, new_signal, views=1)
    second = json.loads(cli("audit", "controleer", "--json").stdout)
    # Only what came after the check (its own entry included) was read again.
    assert second["gecontroleerd_vanaf_regel"] == 6 and second["regels"] == 8
    told = cli("audit", "controleer")
    assert "nagerekend vanaf regel 9" in " ".join(told.stdout.split())
    # A changed row before the checkpoint needs --volledig; the quick check cannot see it.
    execute(
        db_path,
        *DROP_TRIGGERS,
        "UPDATE audit_log SET by_user = 'iemand' WHERE id = 2",
        *RESTORE_TRIGGERS,
    )
    assert cli("audit", "controleer").exit_code == 0
    assert "de inhoud van regel 2 is gewijzigd" in _refused(cli, db_path, "--volledig")


def test_a_removed_row_before_the_checkpoint_is_found_without_volledig(
    cli: Cli, new_signal: NewSignal, db_path: Path
) -> None:
    _rows(cli, new_signal)
    assert cli("audit", "controleer").exit_code == 0
    execute(db_path, *DROP_TRIGGERS, "DELETE FROM audit_log WHERE id = 2")
    assert "er ontbreken regels vóór regel 5" in _refused(cli, db_path)


def test_a_changed_checkpoint_row_is_found_without_volledig(
    cli: Cli, new_signal: NewSignal, db_path: Path
) -> None:
    _rows(cli, new_signal)
    assert cli("audit", "controleer").exit_code == 0
    execute(db_path, *DROP_TRIGGERS, "UPDATE audit_log SET result = 'x' WHERE id = 5")
    assert "regel 5, tot waar het log eerder in orde was" in _refused(cli, db_path)


@pytest.mark.parametrize(
    "reset",
    [
        "UPDATE sqlite_sequence SET seq = 2 WHERE name = 'audit_log'",
        "DELETE FROM sqlite_sequence WHERE name = 'audit_log'",
    ],
)
def test_a_counter_set_back_is_reported_not_taken_for_a_clash_of_user_input(
    cli: Cli, new_signal: NewSignal, db_path: Path, reset: str
) -> None:
    """Without the triggers being touched, a counter set back made the next entry collide with
    an existing id: every command then failed with 'these data clash, check your input'
    (exit 1), and `audit controleer` passed the chain before failing on its own entry."""
    _rows(cli, new_signal)
    execute(db_path, reset)
    problem = _refused(cli, db_path)
    assert "teller" in problem and "teruggezet" in problem
    evidence = file_bytes(db_path)
    result = cli("signaal", "lijst")
    assert result.exit_code == 4, result
    assert "audit controleer" in result.stderr
    assert "invoer" not in result.stderr
    assert file_bytes(db_path) == evidence


def test_the_anchor_follows_again_after_entries_written_without_it(
    cli: Cli, new_signal: NewSignal, db_path: Path
) -> None:
    """An entry appended without moving the anchor (an older mhtool on the same file) froze
    the anchor there for good: every later cut of the log back to just after it passed."""
    _rows(cli, new_signal, views=1)  # entries 1-2, anchor 2
    conn = sqlite3.connect(db_path, isolation_level=None)
    head_id, head_hash = conn.execute(
        "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    fields = (head_id + 1, "2026-11-29T10:00:00+01:00", "oud", "signaal.lijst", "", "", "gelukt")
    digest = entry_hash(head_hash, *fields, "{}")
    conn.execute(
        "INSERT INTO audit_log (id, at, by_user, action, object_type, object_id, result, "
        "details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, '{}', ?, ?)",
        (*fields, head_hash, digest),
    )
    conn.close()
    _rows(cli, new_signal, views=6)  # entries 4-10, written by this mhtool
    assert cli("audit", "controleer", "--volledig").exit_code == 0
    execute(
        db_path,
        *DROP_TRIGGERS,
        "DELETE FROM audit_log WHERE id > 5",
        "UPDATE sqlite_sequence SET seq = 5 WHERE name = 'audit_log'",
        *RESTORE_TRIGGERS,
    )
    assert "ontbreken" in _refused(cli, db_path, "--volledig")


def test_the_full_check_is_never_weaker_than_the_quick_one(
    cli: Cli, new_signal: NewSignal, db_path: Path
) -> None:
    """Log cut short together with its anchor row: the quick check caught it through the
    checkpoint of the last check, but `--volledig` ignored the checkpoint and passed."""
    _rows(cli, new_signal, views=6)
    assert cli("audit", "controleer").exit_code == 0  # checkpoint at 7
    execute(
        db_path,
        *DROP_TRIGGERS,
        "DELETE FROM audit_log WHERE id > 4",
        "UPDATE sqlite_sequence SET seq = 4 WHERE name = 'audit_log'",
        "DELETE FROM setting WHERE key = 'audit.anker'",
        *RESTORE_TRIGGERS,
    )
    quick = _refused(cli, db_path)
    assert "regel 7" in quick
    full = _refused(cli, db_path, "--volledig")
    assert "regel 7" in full
