"""Aggregate and weekly-report queries. Read-only; callers wrap them in `store.read()`.

Lists of values (years, municipalities, signal ids) are passed as ONE bound JSON parameter and
unpacked with `json_each`, so no SQL text ever depends on user input, not even the number of
placeholders. The grouping expressions come from the fixed table `_GROUPING` below.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from mhtool.store.connection import Store

# Grouping dimension -> (SQL expression, joins it needs). Only these literals reach the SQL.
_GROUPING: dict[str, tuple[str, str]] = {
    "gemeente": ("s.municipality", ""),
    "stap": ("s.step", ""),
    "kanaal": ("s.channel", ""),
    "conclusie": ("s.conclusion", ""),
    "vorm": (
        "coalesce(sf.form, 'onbekend')",
        "LEFT JOIN signal_form sf ON sf.signal_id = s.id",
    ),
    "sector": (
        "CASE WHEN o.id IS NULL THEN '' WHEN o.sector = '' THEN '?' ELSE o.sector END",
        "LEFT JOIN signal_organisation so ON so.signal_id = s.id "
        "LEFT JOIN organisation o ON o.id = so.organisation_id",
    ),
}
_MULTI_VALUED = {"vorm", "sector"}
# Leading columns of the covering index `signal_statistics` (migration 7), in index order.
# Statistics count a signal in the year of its (corrected) receipt date, not of its number.
_INDEX_ORDER = ("s.received_year", "s.municipality", "s.step", "s.channel", "s.conclusion")

# Step-event kinds that are a move along the route (not the arrival, not the AVIM note).
STEP_MOVES = ("stap", "overslaan", "terug", "heropen")


def _json(values: Iterable[Any]) -> str:
    return json.dumps(list(values))


def _scope(years: Sequence[int], municipalities: Sequence[str]) -> tuple[str, list[Any]]:
    """WHERE clause and parameters for a selection; an empty municipality list means all.

    Annulled signals never count; `annulled_on` is the last column of `signal_statistics`,
    so the filter is answered from the index too."""
    where = "s.annulled_on IS NULL AND s.received_year IN (SELECT value FROM json_each(?))"
    params: list[Any] = [_json(years)]
    if municipalities:
        where += " AND s.municipality IN (SELECT value FROM json_each(?))"
        params.append(_json(municipalities))
    return where, params


def year_span(store: Store) -> tuple[int, int] | None:
    """First and last year with signals.

    Two sub-selects, because SQLite answers a lone min() or max() from the index in one step but
    scans the whole index for `SELECT min(year), max(year)`.
    """
    # INDEXED BY: without statistics the planner may take a list index of schema 11 for the
    # `annulled_on IS NULL` term; in signal_statistics the years stand in order, so each
    # look-up stops at its first row.
    row = store.row(
        "SELECT (SELECT received_year FROM signal INDEXED BY signal_statistics "
        "WHERE annulled_on IS NULL ORDER BY received_year LIMIT 1) AS first, "
        "(SELECT received_year FROM signal INDEXED BY signal_statistics "
        "WHERE annulled_on IS NULL ORDER BY received_year DESC LIMIT 1) AS last"
    )
    if row is None or row["first"] is None:
        return None
    return int(row["first"]), int(row["last"])


def count_per_group(
    store: Store, dimensions: Sequence[str], years: Sequence[int], municipalities: Sequence[str]
) -> list[tuple[Any, ...]]:
    """(year, key per dimension..., number of signals) for every group that has signals."""
    unknown = [d for d in dimensions if d not in _GROUPING]
    if unknown:
        raise ValueError(f"unknown grouping {unknown}")
    if _MULTI_VALUED.intersection(dimensions):
        return _count_joined(store, dimensions, years, municipalities)
    return _count_in_index_order(store, dimensions, years, municipalities)


def _count_in_index_order(
    store: Store, dimensions: Sequence[str], years: Sequence[int], municipalities: Sequence[str]
) -> list[tuple[Any, ...]]:
    """Group by a leading part of the `signal_statistics` index and add up in Python.

    Grouping by exactly the index's leading columns lets SQLite count while it scans the index;
    grouping by, say, (year, conclusion) would make it sort a million rows first (10x slower).
    The groups of the prefix are few (years x gemeenten x steps x ...), so folding them is cheap.
    """
    positions = [_INDEX_ORDER.index(_GROUPING[d][0]) for d in dimensions]
    prefix = _INDEX_ORDER[: max(positions) + 1]
    where, params = _scope(years, municipalities)
    columns = ", ".join(prefix)
    # Only the literal column names of _INDEX_ORDER are joined; values are bound. INDEXED BY:
    # without sqlite_stat1 the planner may take `annulled_on IS NULL` for a selective term and
    # pick a list index of schema 11, then sort every row to group them.
    sql = (
        f"SELECT {columns}, count(*) FROM signal s INDEXED BY signal_statistics "  # noqa: S608
        f"WHERE {where} "
        f"GROUP BY {columns}"
    )
    folded: dict[tuple[Any, ...], int] = {}
    for row in store.execute(sql, tuple(params)):
        key = (row[0], *(row[p] if row[p] is not None else "" for p in positions))
        folded[key] = folded.get(key, 0) + row[-1]
    return [(*key, count) for key, count in folded.items()]


def _count_joined(
    store: Store, dimensions: Sequence[str], years: Sequence[int], municipalities: Sequence[str]
) -> list[tuple[Any, ...]]:
    """Forms and sectors live in link tables; a signal is counted once per form or per sector
    it has (no form counts as 'onbekend', no organisation as '', an organisation without
    sector as '?').

    Read from `signal_group_count` (migration 11), which triggers keep equal to those counts:
    a few thousand rows instead of joining every signal to its links (1.4-2 s at 1M signals).
    `forms` counts each (signal, form) once, `sectors` each (signal, sector), and `pairs` each
    (signal, form, sector), which is what a grouping by both needs.
    """
    measure = (
        "pairs"
        if {"vorm", "sector"} <= set(dimensions)
        else ("forms" if "vorm" in dimensions else "sectors")
    )
    columns = ", ".join(_GROUP_COUNT_COLUMN[d] for d in dimensions)
    # The count table holds only signals that count (its year is the statistics year).
    where = "c.year IN (SELECT value FROM json_each(?))"
    params: list[Any] = [_json(years)]
    if municipalities:
        where += " AND c.municipality IN (SELECT value FROM json_each(?))"
        params.append(_json(municipalities))
    # Only literals from _GROUP_COUNT_COLUMN are joined; values are bound.
    sql = (
        f"SELECT c.year, {columns}, sum(c.{measure}) AS n "  # noqa: S608
        f"FROM signal_group_count c WHERE {where} GROUP BY c.year, {columns} HAVING n > 0"
    )
    return [tuple(row) for row in store.execute(sql, tuple(params)).fetchall()]


# Grouping dimension -> column of signal_group_count (which already holds '' for no conclusion).
_GROUP_COUNT_COLUMN = {
    "gemeente": "c.municipality",
    "stap": "c.step",
    "kanaal": "c.channel",
    "conclusie": "c.conclusion",
    "vorm": "c.form",
    "sector": "c.sector",
}


def count_per_year(
    store: Store, years: Sequence[int], municipalities: Sequence[str]
) -> dict[int, int]:
    """Distinct signals per year: the totals row, whatever the grouping."""
    where, params = _scope(years, municipalities)
    sql = (
        f"SELECT s.received_year, count(*) FROM signal s WHERE {where} "  # noqa: S608
        "GROUP BY s.received_year"
    )
    return {int(y): int(n) for y, n in store.execute(sql, tuple(params)).fetchall()}


def year_figures(
    store: Store, years: Sequence[int], municipalities: Sequence[str]
) -> dict[int, tuple[int, int, int]]:
    """Per year: signals received, taken up under criminal law, shelter arranged (plan §1.5).

    Every figure is attributed to the year the signal was received.
    """
    where, params = _scope(years, municipalities)
    # Grouped by the index's leading columns so SQLite sums while it scans (see above).
    sql = (
        "SELECT s.received_year, s.municipality, count(*), total(s.criminal_case), "  # noqa: S608
        f"total(s.shelter_arranged) FROM signal s WHERE {where} "
        "GROUP BY s.received_year, s.municipality"
    )
    figures: dict[int, tuple[int, int, int]] = {}
    for year, _, n, criminal, shelter in store.execute(sql, tuple(params)):
        before = figures.get(int(year), (0, 0, 0))
        figures[int(year)] = (before[0] + n, before[1] + int(criminal), before[2] + int(shelter))
    return figures


def count_per_month(
    store: Store, years: Sequence[int], municipalities: Sequence[str]
) -> list[tuple[str, str, int]]:
    """(YYYY-MM, municipality, signals) for the terminal chart."""
    where, params = _scope(years, municipalities)
    sql = (
        "SELECT substr(s.received_on, 1, 7) AS m, s.municipality, count(*) "  # noqa: S608
        f"FROM signal s WHERE {where} GROUP BY m, s.municipality"
    )
    return [(str(m), str(g), int(n)) for m, g, n in store.execute(sql, tuple(params))]


# -- weekly report ------------------------------------------------------------------------------


def received_between(store: Store, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    return store.rows(
        "SELECT id, ref, received_on, municipality, channel, acute, avim_informed_at, step, "
        "step_since, conclusion, closed_on FROM signal WHERE received_on BETWEEN ? AND ? "
        "AND annulled_on IS NULL ORDER BY received_on, year, seq",
        (first.isoformat(), last.isoformat()),
    )


def received_per_day(store: Store, first: dt.date, last: dt.date) -> list[tuple[str, str, int]]:
    """(date, municipality, signals) for a chart over several weeks."""
    return [
        (str(d), str(g), int(n))
        for d, g, n in store.execute(
            "SELECT received_on, municipality, count(*) FROM signal "
            "WHERE received_on BETWEEN ? AND ? AND annulled_on IS NULL "
            "GROUP BY received_on, municipality",
            (first.isoformat(), last.isoformat()),
        )
    ]


def linked_details(store: Store, signal_ids: Sequence[int]) -> dict[str, list[dict[str, Any]]]:
    """Forms, person roles and birth data, postcodes and sectors of some signals, in bulk.

    Names, streets, house numbers and free text are deliberately not selected: what leaves the
    store for a report cannot leak them.
    """
    ids = (_json(signal_ids),)
    inside = "IN (SELECT value FROM json_each(?))"
    return {
        "forms": store.rows(
            f"SELECT signal_id, form FROM signal_form WHERE signal_id {inside} "  # noqa: S608
            "ORDER BY signal_id, form",
            ids,
        ),
        "persons": store.rows(
            "SELECT sp.signal_id, sp.role, p.birth_date, p.birth_year "  # noqa: S608
            f"FROM signal_person sp JOIN person p ON p.id = sp.person_id "
            f"WHERE sp.signal_id {inside} ORDER BY sp.signal_id, p.id",
            ids,
        ),
        "postcodes": store.rows(
            "SELECT sa.signal_id, a.postcode FROM signal_address sa "  # noqa: S608
            f"JOIN address a ON a.id = sa.address_id WHERE sa.signal_id {inside} "
            "ORDER BY sa.signal_id, a.id",
            ids,
        ),
        "sectors": store.rows(
            "SELECT so.signal_id, o.sector FROM signal_organisation so "  # noqa: S608
            f"JOIN organisation o ON o.id = so.organisation_id WHERE so.signal_id {inside} "
            "ORDER BY so.signal_id, o.id",
            ids,
        ),
    }


def step_moves_between(store: Store, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """Route moves dated in the period, with what each recorded (details JSON, no free text)."""
    return store.rows(
        "SELECT e.id, e.kind, e.from_step, e.to_step, e.on_date, e.details, "
        "s.ref, s.municipality FROM step_event e JOIN signal s ON s.id = e.signal_id "
        "WHERE e.on_date BETWEEN ? AND ? AND e.kind IN (SELECT value FROM json_each(?)) "
        "AND s.annulled_on IS NULL "
        "ORDER BY e.on_date, e.id",
        (first.isoformat(), last.isoformat(), _json(STEP_MOVES)),
    )


def acute_signals(store: Store, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """Acute signals received in the period, and every open acute signal without AVIM yet.

    Two index searches (by date, and by open step) joined with UNION; one WHERE with OR made
    SQLite walk every signal received before the week. The second part names its index: the
    planner cannot know that open signals are few and closed ones many, and without the hint
    it scanned the whole table (0.2 s at 1M signals instead of a few ms).
    """
    return store.rows(
        "SELECT id, ref, received_on, municipality, avim_informed_at, step, year, seq "
        "FROM signal WHERE acute = 1 AND received_on BETWEEN ? AND ? AND annulled_on IS NULL "
        "UNION "
        "SELECT id, ref, received_on, municipality, avim_informed_at, step, year, seq "
        "FROM signal INDEXED BY signal_by_step WHERE step IN (1, 2, 3, 4) AND acute = 1 "
        "AND avim_informed_at IS NULL AND received_on <= ? AND annulled_on IS NULL "
        "ORDER BY received_on, year, seq",
        (first.isoformat(), last.isoformat(), last.isoformat()),
    )


_WAITING = (
    "FROM signal WHERE step IN (1, 2, 3, 4) AND step_since < ? AND received_on <= ? "
    "AND annulled_on IS NULL"
)


def waiting_since_before(
    store: Store, cutoff: dt.date, last: dt.date, limit: int | None = None
) -> list[dict[str, Any]]:
    """Open signals that entered their current step before `cutoff` (and by `last`), longest
    waiting first; with `limit`, only that many (a top-N sort, not the whole list)."""
    # Only the fixed _WAITING text is joined; values are bound.
    sql = f"SELECT ref, municipality, step, step_since {_WAITING} ORDER BY step_since, ref"  # noqa: S608
    params: tuple[Any, ...] = (cutoff.isoformat(), last.isoformat())
    if limit is not None:
        sql += " LIMIT ?"
        params += (limit,)
    return store.rows(sql, params)


def waiting_per_step_and_municipality(
    store: Store, cutoff: dt.date, last: dt.date
) -> list[tuple[int, str, int]]:
    """(step, municipality, signals) over the same selection as `waiting_since_before`."""
    sql = f"SELECT step, municipality, count(*) {_WAITING} GROUP BY step, municipality"  # noqa: S608
    return [
        (int(step), str(place), int(n))
        for step, place, n in store.execute(sql, (cutoff.isoformat(), last.isoformat()))
    ]
