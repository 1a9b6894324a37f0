"""Queries for the case after step 5: follow-up actions, outcomes, norms and the agenda.

Every write also lands in `history` with the whole new row (created) or old and new values
(changed), so a generic undo can reverse it. "Open" is defined once, as `OPEN_CONDITION` in
store/signals.py, so `signaal lijst --open`, `info` and the agenda agree on it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mhtool.errors import NotFoundError
from mhtool.store.connection import Store, now_iso
from mhtool.store.row_ids import fresh_id
from mhtool.store.settings import put_setting, settings_with_prefix

NORM_PREFIX = "norm."


def insert_action(
    store: Store,
    signal_id: int,
    description: str,
    due_on: dt.date,
    partner: str,
    created_on: dt.date,
    user: str,
) -> int:
    """Actions are numbered per signal (1, 2, ...), as the officer refers to them."""
    row = store.row(
        "SELECT coalesce(max(seq), 0) + 1 AS seq FROM follow_up_action WHERE signal_id = ?",
        (signal_id,),
    )
    seq = int(row["seq"]) if row else 1
    record: dict[str, Any] = {
        "signal_id": signal_id,
        "seq": seq,
        "description": description,
        "due_on": due_on.isoformat(),
        "partner": partner,
        "created_on": created_on.isoformat(),
        "created_at": now_iso(),
        "created_by": user,
    }
    action_id = store.insert(
        "follow_up_action", {"id": fresh_id(store, "follow_up_action"), **record}
    )
    from mhtool.store.signals import record_history  # not for the agenda hint

    record_history(
        store, user, "actie-aangemaakt", "follow_up_action", action_id, signal_id, record
    )
    return seq


def find_action(store: Store, signal_id: int, seq: int, ref: str) -> dict[str, Any]:
    row = store.row(
        "SELECT * FROM follow_up_action WHERE signal_id = ? AND seq = ?", (signal_id, seq)
    )
    if row is None:
        raise NotFoundError(
            f"Signaal {ref} heeft geen actie {seq}; zie 'mhtool signaal toon {ref}'."
        )
    return row


def finish_action(
    store: Store, action: dict[str, Any], done_on: dt.date, note: str, user: str
) -> None:
    changes = {"done_on": done_on.isoformat(), "done_by": user, "done_note": note}
    store.update("follow_up_action", action["id"], changes)
    # Only what changed: an empty note over an empty note is no change to show or undo.
    diff = {k: {"oud": action.get(k), "nieuw": v} for k, v in changes.items() if action.get(k) != v}
    from mhtool.store.signals import record_history  # not for the agenda hint

    record_history(
        store, user, "actie-klaar", "follow_up_action", action["id"], action["signal_id"], diff
    )


def actions_of(store: Store, signal_id: int) -> list[dict[str, Any]]:
    return store.rows(
        "SELECT * FROM follow_up_action WHERE signal_id = ? ORDER BY seq", (signal_id,)
    )


def insert_outcome(store: Store, signal_id: int, record: dict[str, Any], user: str) -> int:
    full = {"signal_id": signal_id, **record, "created_at": now_iso(), "created_by": user}
    outcome_id = store.insert("outcome", {"id": fresh_id(store, "outcome"), **full})
    from mhtool.store.signals import record_history  # not for the agenda hint

    record_history(store, user, "uitkomst", "outcome", outcome_id, signal_id, full)
    return outcome_id


def outcomes_of(store: Store, signal_id: int) -> list[dict[str, Any]]:
    return store.rows(
        "SELECT * FROM outcome WHERE signal_id = ? ORDER BY on_date, id", (signal_id,)
    )


def status_counts(store: Store, signal_id: int) -> tuple[int, int]:
    """(open actions, referrals) of one signal: what its case status is derived from."""
    row = store.row(
        "SELECT (SELECT count(*) FROM follow_up_action WHERE signal_id = ? AND done_on IS NULL) "
        "AS open_actions, (SELECT count(*) FROM outcome WHERE signal_id = ? "
        "AND kind = 'verwijzing') AS referrals",
        (signal_id, signal_id),
    )
    return (int(row["open_actions"]), int(row["referrals"])) if row else (0, 0)


def stored_norms(store: Store) -> dict[str, dict[str, Any]]:
    """Norms the municipality set, by code (without the prefix)."""
    return {k[len(NORM_PREFIX) :]: v for k, v in settings_with_prefix(store, NORM_PREFIX).items()}


def put_norm(store: Store, code: str, days: int, user: str) -> int | None:
    """Store a norm; returns the value it had (None when it was the default)."""
    before = stored_norms(store).get(code)
    put_setting(store, NORM_PREFIX + code, str(days), user)
    old = int(before["value"]) if before else None
    from mhtool.store.signals import record_history  # not for the agenda hint

    record_history(
        store, user, "norm-gezet", "setting", None, None, {code: {"oud": old, "nieuw": days}}
    )
    return old


# Annulled signals ('vervallen', schema 7) are never on the agenda.
LIVE = " AND s.annulled_on IS NULL"

# --- agenda -----------------------------------------------------------------------------------
# Each query reads one index (tests/test_lifecycle_agenda.py checks EXPLAIN QUERY PLAN), stops at
# `limit` rows, and has a count beside it, so the agenda stays fast at 1M signals.


def _indexed(store: Store, table: str, index: str) -> str:
    """`table` read through `index` on a file (SQLite's INDEXED BY, checked by the plan tests);
    PostgreSQL has no hints and picks the same partial indexes from its statistics."""
    if store.dialect == "postgresql":
        return table
    return f"{table} INDEXED BY {index}"


def _then_by_id(store: Store, order: str, alias: str) -> str:
    """SQLite reads the rows in index order, which ends in the rowid: rows with the same date
    come out by id. PostgreSQL promises no order for ties, so it is spelled out there."""
    if store.dialect == "postgresql":
        return f"{order}, {alias}.id"
    return order


def _municipality(clause_alias: str, municipality: str | None) -> tuple[str, tuple[Any, ...]]:
    if municipality is None:
        return "", ()
    return f" AND {clause_alias}.municipality = ?", (municipality,)


def acute_without_avim(
    store: Store, municipality: str | None, limit: int
) -> tuple[list[dict[str, Any]], int]:
    extra, params = _municipality("s", municipality)
    return _first_and_count(
        store,
        "s.ref, s.municipality, s.received_on AS due_on",
        _indexed(store, "signal s", "signal_acute_without_avim"),
        f"s.acute = 1 AND s.avim_informed_at IS NULL AND s.step < 5{LIVE}{extra}",
        _then_by_id(store, "s.received_on", "s"),
        params,
        limit,
    )


def steps_over_norm(
    store: Store, step: int, cutoff: dt.date, municipality: str | None, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Signals that entered `step` before `cutoff` and are still there.

    Read from the list indexes of schema 11, which leave annulled signals out and hold the
    gemeente: the count is then index-only (at 1M signals a hundred thousand may be over
    their norm; with the older `signal_by_step` each needed a row lookup, 140 ms in all)."""
    extra, params = _municipality("s", municipality)
    index = "signal_by_municipality" if municipality else "signal_listed"
    return _first_and_count(
        store,
        "s.ref, s.municipality, s.step, s.step_since",
        _indexed(store, "signal s", index),
        f"s.step = ? AND s.step_since < ?{LIVE}{extra}",
        _then_by_id(store, "s.step_since", "s"),
        (step, cutoff.isoformat(), *params),
        limit,
    )


def actions_due_between(
    store: Store, first: dt.date | None, last: dt.date, municipality: str | None, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Open actions due from `first` (None: any time before) up to and including `last`."""
    extra, params = _municipality("s", municipality)
    return _first_and_count(
        store,
        "s.ref, s.municipality, fa.seq, fa.description, fa.partner, fa.due_on",
        _indexed(store, "follow_up_action fa", "follow_up_open_by_due")
        + " JOIN signal s ON s.id = fa.signal_id",
        f"fa.done_on IS NULL AND fa.due_on BETWEEN ? AND ?{LIVE}{extra}",
        _then_by_id(store, "fa.due_on", "fa"),
        (first.isoformat() if first else "", last.isoformat(), *params),
        limit,
    )


def feedback_owed(
    store: Store, closed_since: dt.date, municipality: str | None, limit: int
) -> tuple[list[dict[str, Any]], int]:
    extra, params = _municipality("s", municipality)
    return _first_and_count(
        store,
        "s.ref, s.municipality, s.closed_on",
        _indexed(store, "signal s", "signal_feedback_owed"),
        f"s.step = 5 AND s.feedback_given = 0 AND s.closed_on >= ?{LIVE}{extra}",
        _then_by_id(store, "s.closed_on", "s"),
        (closed_since.isoformat(), *params),
        limit,
    )


def reflection_periods_ending(
    store: Store, first: dt.date, last: dt.date, municipality: str | None, limit: int
) -> tuple[list[dict[str, Any]], int]:
    extra, params = _municipality("s", municipality)
    return _first_and_count(
        store,
        "s.ref, s.municipality, o.on_date, o.ends_on",
        _indexed(store, "outcome o", "outcome_b8_by_end") + " JOIN signal s ON s.id = o.signal_id",
        f"o.kind = 'bedenktijd' AND o.ends_on BETWEEN ? AND ?{LIVE}{extra}",
        _then_by_id(store, "o.ends_on", "o"),
        (first.isoformat(), last.isoformat(), *params),
        limit,
    )


def _first_and_count(
    store: Store,
    columns: str,
    source: str,
    where: str,
    order: str,
    params: tuple[Any, ...],
    limit: int,
) -> tuple[list[dict[str, Any]], int]:
    """The first `limit` rows in `order` and how many there are in all: the agenda and the
    weekly report show the first few and count the rest, both read through the same index."""
    # Only fixed fragments from this module are joined; every value is a bound parameter.
    rows = store.rows(
        f"SELECT {columns} FROM {source} WHERE {where} ORDER BY {order} LIMIT ?",  # noqa: S608
        (*params, limit),
    )
    row = store.row(f"SELECT count(*) AS n FROM {source} WHERE {where}", params)  # noqa: S608
    return rows, int(row["n"]) if row else 0


def anything_overdue(store: Store, today: dt.date, step_defaults: dict[int, int]) -> bool:
    """The hint after other commands: one statement of EXISTS probes, each on an index. The
    norms are read inside it (a primary-key lookup in `setting` per step), so the hint costs
    one query whatever the municipality set."""
    # Only fixed fragments of this module are joined; every value is a bound parameter.
    acute = _indexed(store, "signal s", "signal_acute_without_avim")
    actions = _indexed(store, "follow_up_action fa", "follow_up_open_by_due")
    probes = [
        f"EXISTS (SELECT 1 FROM {acute} WHERE acute = 1 AND avim_informed_at IS NULL "  # noqa: S608
        "AND step < 5 AND s.annulled_on IS NULL)",
        f"EXISTS (SELECT 1 FROM {actions} JOIN signal s ON s.id = fa.signal_id "  # noqa: S608
        "WHERE fa.done_on IS NULL AND fa.due_on < ? AND s.annulled_on IS NULL)",
    ]
    params: list[Any] = [today.isoformat()]
    for step, default in sorted(step_defaults.items()):
        if store.dialect == "postgresql":
            # date - integer is a date; to_char writes it in the stored ISO form whatever the
            # server's DateStyle.
            probes.append(
                "EXISTS (SELECT 1 FROM signal s WHERE step = ? AND step_since < "
                "to_char(CAST(? AS date) - coalesce((SELECT CAST(value AS integer) FROM setting "
                "WHERE key = ?), CAST(? AS integer)), 'YYYY-MM-DD') AND s.annulled_on IS NULL)"
            )
        else:
            probes.append(
                "EXISTS (SELECT 1 FROM signal s INDEXED BY signal_listed WHERE step = ? AND "
                "step_since < date(?, '-' || coalesce((SELECT value FROM setting WHERE key = ?), "
                "?) || ' days') AND s.annulled_on IS NULL)"
            )
        params += [step, today.isoformat(), f"{NORM_PREFIX}stap-{step}", default]
    row = store.row("SELECT " + " OR ".join(probes) + " AS overdue", tuple(params))
    return bool(row and row["overdue"])
