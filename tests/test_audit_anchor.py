"""The audit log proves its own completeness (issue 10): a log cut short or emptied with plain
SQL is found, a full rewrite is found against a published anchor, and `audit controleer`
checks incrementally from the last verified checkpoint (`--volledig` for the whole chain).

Every test runs on a file and on a server database: the attacks are the same, written for
each (tests/audit_tampering.py), and so are the findings."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from mhtool.domain.audit import GENESIS_HASH, entry_hash
from tests.audit_tampering import (
    drop_triggers,
    evidence,
    reset_counter,
    restore_triggers,
    set_counter,
    tamper,
)
from tests.conftest import Backend, Cli

NewSignal = Callable[..., str]


def _rows(cli: Cli, new_signal: NewSignal, views: int = 4) -> None:
    ref = new_signal()
    for _ in range(views):
        assert cli("signaal", "toon", ref).exit_code == 0


def _refused(cli: Cli, backend: Backend, *args: str) -> str:
    before = evidence(backend)
    result = cli("audit", "controleer", *args)
    assert result.exit_code == 4, result
    assert "Traceback" not in result.output
    assert evidence(backend) == before  # a broken log is evidence: nothing is written
    return result.stderr


def test_an_emptied_log_is_found(cli: Cli, new_signal: NewSignal, backend: Backend) -> None:
    _rows(cli, new_signal)
    tamper(backend, *drop_triggers(backend), "DELETE FROM audit_log", reset_counter(backend))
    assert "het auditlog is leeggemaakt (er stonden 5 regels in)" in _refused(cli, backend)


def test_an_emptied_log_without_its_anchor_is_found_while_signals_exist(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    _rows(cli, new_signal)
    tamper(
        backend,
        *drop_triggers(backend),
        "DELETE FROM audit_log",
        reset_counter(backend),
        "DELETE FROM setting WHERE key LIKE 'audit.%'",
    )
    assert "het auditlog is leeg, maar er staan signalen in" in _refused(cli, backend)


@pytest.mark.parametrize("checked_first", [False, True], ids=["ongecontroleerd", "gecontroleerd"])
def test_a_log_cut_short_is_found(
    cli: Cli, new_signal: NewSignal, backend: Backend, checked_first: bool
) -> None:
    _rows(cli, new_signal)
    if checked_first:
        assert cli("audit", "controleer").exit_code == 0  # checkpoint at row 5
        _rows(cli, new_signal, views=2)
    tamper(
        backend,
        *drop_triggers(backend),
        "DELETE FROM audit_log WHERE id > 3",
        set_counter(backend, 3),
        *restore_triggers(backend),
    )
    # Later work must not paper over the cut: new entries do not move the anchor past it.
    _rows(cli, new_signal, views=3)
    stderr = _refused(cli, backend)
    assert any(w in stderr for w in ("ingekort", "ontbreken", "gewijzigd of verwijderd")), stderr


def _rewrite_chain(backend: Backend, keep: int) -> None:
    """What someone who knows the scheme can do: cut the log and rehash everything, anchor and
    sequence included, so the database is consistent with itself."""
    tamper(
        backend,
        *drop_triggers(backend),
        ("DELETE FROM audit_log WHERE id > ?", (keep,)),
        "UPDATE audit_log SET by_user = 'iemand anders'",
    )
    prev = GENESIS_HASH
    rows = backend.rows(
        "SELECT id, at, by_user, action, object_type, object_id, result, details FROM audit_log "
        "ORDER BY id"
    )
    rehashed: list[tuple[str, tuple[Any, ...]]] = []
    for row in rows:
        digest = entry_hash(prev, *row)
        rehashed.append(
            ("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row[0]))
        )
        prev = digest
    tamper(
        backend,
        *rehashed,
        set_counter(backend, keep),
        ("UPDATE setting SET value = ? WHERE key = 'audit.anker'", (f"{keep}:{prev}",)),
        "DELETE FROM setting WHERE key = 'audit.controlepunt'",
        *restore_triggers(backend),
    )


def test_a_full_rewrite_is_found_against_the_published_anchor(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    _rows(cli, new_signal)
    published = cli("audit", "anker")
    assert published.exit_code == 0, published
    anchor = published.stdout.strip()
    length, _, digest = anchor.partition(":")
    assert length == "5" and len(digest) == 64
    place = "deze database" if backend.is_postgresql else "dit bestand"
    assert f"Bewaar dit anker buiten {place}" in published.stderr
    _rows(cli, new_signal, views=1)
    assert cli("audit", "controleer", "--anker", anchor).exit_code == 0
    _rewrite_chain(backend, keep=4)
    # Consistent with itself: the database alone cannot tell ...
    assert cli("audit", "controleer", "--volledig").exit_code == 0
    # ... but the anchor published earlier is no longer on the chain.
    stderr = _refused(cli, backend, "--anker", anchor)
    assert "het gepubliceerde anker komt niet voor" in stderr


def test_a_bad_anchor_is_wrong_input(cli: Cli, new_signal: NewSignal, backend: Backend) -> None:
    new_signal()
    result = cli("audit", "controleer", "--anker", "abc")
    assert result.exit_code == 2 and "--anker" in result.stderr


def test_controleer_is_incremental_from_the_last_good_check(
    cli: Cli, new_signal: NewSignal, backend: Backend
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
    tamper(
        backend,
        *drop_triggers(backend),
        "UPDATE audit_log SET by_user = 'iemand' WHERE id = 2",
        *restore_triggers(backend),
    )
    assert cli("audit", "controleer").exit_code == 0
    assert "de inhoud van regel 2 is gewijzigd" in _refused(cli, backend, "--volledig")


def test_a_removed_row_before_the_checkpoint_is_found_without_volledig(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    _rows(cli, new_signal)
    assert cli("audit", "controleer").exit_code == 0
    tamper(backend, *drop_triggers(backend), "DELETE FROM audit_log WHERE id = 2")
    assert "er ontbreken regels vóór regel 5" in _refused(cli, backend)


def test_a_changed_checkpoint_row_is_found_without_volledig(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    _rows(cli, new_signal)
    assert cli("audit", "controleer").exit_code == 0
    tamper(backend, *drop_triggers(backend), "UPDATE audit_log SET result = 'x' WHERE id = 5")
    assert "regel 5, tot waar het log eerder in orde was" in _refused(cli, backend)


@pytest.mark.parametrize("reset", ["teruggezet", "verwijderd"])
def test_a_counter_set_back_is_reported_not_taken_for_a_clash_of_user_input(
    cli: Cli, new_signal: NewSignal, backend: Backend, reset: str
) -> None:
    """Without the triggers being touched, a counter set back made the next entry collide with
    an existing id: every command then failed with 'these data clash, check your input'
    (exit 1), and `audit controleer` passed the chain before failing on its own entry."""
    _rows(cli, new_signal)
    tamper(backend, set_counter(backend, 2) if reset == "teruggezet" else reset_counter(backend))
    problem = _refused(cli, backend)
    assert "teller" in problem and "teruggezet" in problem
    before = evidence(backend)
    result = cli("signaal", "lijst")
    assert result.exit_code == 4, result
    assert "audit controleer" in result.stderr
    assert "invoer" not in result.stderr
    assert evidence(backend) == before


def test_the_anchor_follows_again_after_entries_written_without_it(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    """An entry appended without moving the anchor (an older mhtool on the same file, or an
    entry copied in by hand) froze the anchor there for good: every later cut of the log back
    to just after it passed."""
    _rows(cli, new_signal, views=1)  # entries 1-2, anchor 2
    head_id, head_hash = backend.rows("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")[0]
    fields = (head_id + 1, "2026-11-29T10:00:00+01:00", "oud", "signaal.lijst", "", "", "gelukt")
    digest = entry_hash(head_hash, *fields, "{}")
    tamper(
        backend,
        (
            "INSERT INTO audit_log (id, at, by_user, action, object_type, object_id, result, "
            "details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, '{}', ?, ?)",
            (*fields, head_hash, digest),
        ),
    )
    _rows(cli, new_signal, views=6)  # entries 4-10, written by this mhtool
    assert cli("audit", "controleer", "--volledig").exit_code == 0
    tamper(
        backend,
        *drop_triggers(backend),
        "DELETE FROM audit_log WHERE id > 5",
        set_counter(backend, 5),
        *restore_triggers(backend),
    )
    assert "ontbreken" in _refused(cli, backend, "--volledig")


def test_the_full_check_is_never_weaker_than_the_quick_one(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    """Log cut short together with its anchor row: the quick check caught it through the
    checkpoint of the last check, but `--volledig` ignored the checkpoint and passed."""
    _rows(cli, new_signal, views=6)
    assert cli("audit", "controleer").exit_code == 0  # checkpoint at 7
    tamper(
        backend,
        *drop_triggers(backend),
        "DELETE FROM audit_log WHERE id > 4",
        set_counter(backend, 4),
        "DELETE FROM setting WHERE key = 'audit.anker'",
        *restore_triggers(backend),
    )
    quick = _refused(cli, backend)
    assert "regel 7" in quick
    full = _refused(cli, backend, "--volledig")
    assert "regel 7" in full


def test_the_check_reads_the_log_page_by_page_without_missing_a_row(
    cli: Cli, new_signal: NewSignal, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk reads the log in keyset pages (a server's cursor would otherwise hold the whole
    log in memory): with pages of two rows, a chain of five and then six rows (a last page
    exactly full) checks out, and a change at either side of a page boundary is found."""
    monkeypatch.setattr("mhtool.store.audit.VERIFY_PAGE", 2)
    _rows(cli, new_signal)  # entries 1-5
    first = json.loads(cli("audit", "controleer", "--volledig", "--json").stdout)
    assert first["in_orde"] is True and first["regels"] == 5
    second = json.loads(cli("audit", "controleer", "--volledig", "--json").stdout)
    assert second["in_orde"] is True and second["regels"] == 6
    tamper(backend, *drop_triggers(backend), "UPDATE audit_log SET result = 'x' WHERE id = 5")
    assert "de inhoud van regel 5 is gewijzigd" in _refused(cli, backend, "--volledig")
    tamper(backend, "DELETE FROM audit_log WHERE id = 4")
    assert "regel 4 ontbreekt (verwijderd)" in _refused(cli, backend, "--volledig")
