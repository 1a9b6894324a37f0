"""Queries behind bewaartermijnen: the terms in force and the signals whose term has passed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mhtool.domain.enums import Conclusion
from mhtool.domain.retention import (
    ANNULLED_TERM,
    DEFAULT_TERMS,
    SETTING_PREFIX,
    RetentionTerm,
    add_years,
    setting_key,
)
from mhtool.store.connection import Store
from mhtool.store.settings import settings_with_prefix


def retention_terms(store: Store) -> list[RetentionTerm]:
    stored = settings_with_prefix(store, SETTING_PREFIX)
    terms: list[RetentionTerm] = []
    for conclusion, default in DEFAULT_TERMS.items():
        row = stored.get(setting_key(conclusion))
        terms.append(
            RetentionTerm(
                conclusion=conclusion,
                years=int(row["value"]) if row else default,
                confirmed=row is not None,
                set_at=row["updated_at"] if row else None,
                set_by=row["updated_by"] if row else None,
            )
        )
    return terms


def term_years(store: Store) -> dict[str, int]:
    return {t.conclusion.value: t.years for t in retention_terms(store)}


def redate_closed_signals(
    store: Store, conclusion: Conclusion, years: int
) -> list[tuple[int, str | None, str]]:
    """A changed term applies to signals already closed with that conclusie too (and, for the
    term of annulled signals, to those); returns (signal id, old date, new date) for each signal
    whose date moved."""
    rows = store.rows(
        "SELECT id, closed_on AS since, destroy_on FROM signal WHERE step = 5 "
        "AND closed_on IS NOT NULL AND conclusion = ? AND annulled_on IS NULL",
        (conclusion.value,),
    )
    if conclusion is ANNULLED_TERM:
        rows += store.rows(
            "SELECT id, annulled_on AS since, destroy_on FROM signal WHERE annulled_on IS NOT NULL"
        )
    moved: list[tuple[int, str | None, str]] = []
    for row in rows:
        destroy_on = add_years(dt.date.fromisoformat(row["since"]), years).isoformat()
        if destroy_on != row["destroy_on"]:
            store.execute("UPDATE signal SET destroy_on = ? WHERE id = ?", (destroy_on, row["id"]))
            moved.append((row["id"], row["destroy_on"], destroy_on))
    return moved


def due_signals(store: Store, today: dt.date) -> list[dict[str, Any]]:
    """Closed and annulled signals whose term has passed, each with whether it still has an
    open follow-up action. The query names its index: without statistics the planner took
    `step = 5` (every closed signal, 2.4 s at 1M) over the few with a date due; the action
    probe runs for those few only, on the (signal_id, seq) key."""
    if store.dialect == "postgresql":
        # No index hints on PostgreSQL (its statistics choose the partial index); EXISTS is a
        # boolean there, cast to the 0/1 a file gives.
        return store.rows(
            "SELECT id, ref, closed_on, annulled_on, destroy_on, conclusion, CAST(EXISTS (SELECT "
            "1 FROM follow_up_action fa WHERE fa.signal_id = signal.id AND fa.done_on IS NULL) "
            "AS integer) AS open_actions FROM signal "
            "WHERE (step = 5 OR annulled_on IS NOT NULL) AND destroy_on IS NOT NULL "
            "AND destroy_on <= ? ORDER BY destroy_on, id",
            (today.isoformat(),),
        )
    return store.rows(
        "SELECT id, ref, closed_on, annulled_on, destroy_on, conclusion, EXISTS (SELECT 1 FROM "
        "follow_up_action fa WHERE fa.signal_id = signal.id AND fa.done_on IS NULL) "
        "AS open_actions FROM signal INDEXED BY signal_by_destroy_on "
        "WHERE (step = 5 OR annulled_on IS NOT NULL) AND destroy_on IS NOT NULL "
        "AND destroy_on <= ? ORDER BY destroy_on, id",
        (today.isoformat(),),
    )
