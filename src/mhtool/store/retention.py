"""Queries behind bewaartermijnen: the terms in force and the signals whose term has passed."""

from __future__ import annotations

import datetime as dt

from mhtool.domain.enums import Conclusion
from mhtool.domain.retention import DEFAULT_TERMS, RetentionTerm, add_years, setting_key
from mhtool.store.connection import Store
from mhtool.store.settings import settings_with_prefix

from mhtool.domain.retention import SETTING_PREFIX


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


def redate_closed_signals(store: Store, conclusion: Conclusion, years: int) -> int:
    """A changed term applies to signals already closed with that conclusie too."""
    rows = store.rows(
        "SELECT id, closed_on FROM signal WHERE step = 5 AND closed_on IS NOT NULL "
        "AND conclusion = ?",
        (conclusion.value,),
    )
    for row in rows:
        destroy_on = add_years(dt.date.fromisoformat(row["closed_on"]), years)
        store.execute(
            "UPDATE signal SET destroy_on = ? WHERE id = ?", (destroy_on.isoformat(), row["id"])
        )
    return len(rows)


def due_signals(store: Store, today: dt.date) -> list[dict[str, str]]:
    return store.rows(
        "SELECT id, ref, closed_on, destroy_on, conclusion FROM signal "
        "WHERE step = 5 AND destroy_on IS NOT NULL AND destroy_on <= ? ORDER BY destroy_on, id",
        (today.isoformat(),),
    )
