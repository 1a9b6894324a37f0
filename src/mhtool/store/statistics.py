"""Aggregate and weekly-report queries. Read-only; callers wrap them in `store.read()`.

Lists of values (years, municipalities, signal ids) are passed as ONE bound parameter, so no SQL
text ever depends on user input, not even the number of placeholders: a JSON text unpacked with
`json_each` on a file, an array compared with `= ANY (?)` on a server (which the planner can use
as an index condition and whose size it knows). The grouping expressions come from the fixed
table `_GROUPING` below.

SQLite-only hints (`INDEXED BY`) are left out on a server: PostgreSQL has table statistics
(ANALYZE) and picks the index itself. Sums come back from PostgreSQL as exact decimals; they are
turned into integers here, so callers see the same Python values on both backends.
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


def _in_list(store: Store, column: str, values: Iterable[Any]) -> tuple[str, Any]:
    """`column` is one of `values` (one bound parameter, whatever their number): the condition
    and its parameter for this backend. `column` is a literal from this module."""
    if store.dialect == "postgresql":
        return f"{column} = ANY (?)", list(values)
    return f"{column} IN (SELECT value FROM json_each(?))", _json(values)  # noqa: S608


def _scope(
    store: Store, years: Sequence[int], municipalities: Sequence[str]
) -> tuple[str, list[Any]]:
    """WHERE clause and parameters for a selection; an empty municipality list means all.

    Annulled signals never count; `annulled_on` is the last column of `signal_statistics`,
    so the filter is answered from the index too."""
    in_years, years_param = _in_list(store, "s.received_year", years)
    where = f"s.annulled_on IS NULL AND {in_years}"
    params: list[Any] = [years_param]
    if municipalities:
        in_places, places_param = _in_list(store, "s.municipality", municipalities)
        where += f" AND {in_places}"
        params.append(places_param)
    return where, params


def _table(store: Store, name: str) -> str:
    """`name`, or for the regional role on a server its `regio_` view: the same columns, only
    codes and dates (store/postgres_security.py). The services never know the difference."""
    if not store.figures_only:
        return name
    from mhtool.store.postgres_security import figure_relation

    return figure_relation(True, name)


def year_span(store: Store) -> tuple[int, int] | None:
    """First and last year with signals.

    Two sub-selects, because SQLite answers a lone min() or max() from the index in one step but
    scans the whole index for `SELECT min(year), max(year)`.
    """
    # INDEXED BY: without statistics the planner may take a list index of schema 11 for the
    # `annulled_on IS NULL` term; in signal_statistics the years stand in order, so each
    # look-up stops at its first row. (PostgreSQL walks signal_statistics from either end.)
    hint = "" if store.dialect == "postgresql" else " INDEXED BY signal_statistics"
    signals = _table(store, "signal")
    row = store.row(
        f"SELECT (SELECT received_year FROM {signals}{hint} "  # noqa: S608 - fixed text
        "WHERE annulled_on IS NULL ORDER BY received_year LIMIT 1) AS first, "
        f"(SELECT received_year FROM {signals}{hint} "
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
    where, params = _scope(store, years, municipalities)
    columns = ", ".join(prefix)
    # Only the literal column names of _INDEX_ORDER are joined; values are bound. INDEXED BY:
    # without sqlite_stat1 the planner may take `annulled_on IS NULL` for a selective term and
    # pick a list index of schema 11, then sort every row to group them. PostgreSQL chooses
    # between an index-only scan of signal_statistics and a hashed scan of the table itself.
    hint = "" if store.dialect == "postgresql" else " INDEXED BY signal_statistics"
    sql = (
        f"SELECT {columns}, count(*) FROM {_table(store, 'signal')} s{hint} "  # noqa: S608
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
    where, years_param = _in_list(store, "c.year", years)
    params: list[Any] = [years_param]
    if municipalities:
        in_places, places_param = _in_list(store, "c.municipality", municipalities)
        where += f" AND {in_places}"
        params.append(places_param)
    # Only literals from _GROUP_COUNT_COLUMN are joined; values are bound. (HAVING repeats the
    # sum: PostgreSQL does not let HAVING name an output column.)
    sql = (
        f"SELECT c.year, {columns}, sum(c.{measure}) AS n "  # noqa: S608
        f"FROM {_table(store, 'signal_group_count')} c WHERE {where} GROUP BY c.year, {columns} "
        f"HAVING sum(c.{measure}) > 0"
    )
    return [(*row[:-1], int(row[-1])) for row in store.execute(sql, tuple(params)).fetchall()]


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
    where, params = _scope(store, years, municipalities)
    sql = (
        f"SELECT s.received_year, count(*) FROM {_table(store, 'signal')} s "  # noqa: S608
        f"WHERE {where} "
        "GROUP BY s.received_year"
    )
    return {int(y): int(n) for y, n in store.execute(sql, tuple(params)).fetchall()}


def year_figures(
    store: Store, years: Sequence[int], municipalities: Sequence[str]
) -> dict[int, tuple[int, int, int]]:
    """Per year: signals received, taken up under criminal law, shelter arranged (plan §1.5).

    Every figure is attributed to the year the signal was received.
    """
    where, params = _scope(store, years, municipalities)
    # Grouped by the index's leading columns so SQLite sums while it scans (see above).
    # total() is SQLite's sum that gives 0.0 for no rows or only NULLs.
    if store.dialect == "postgresql":
        criminal = "coalesce(sum(s.criminal_case), 0)"
        shelter = "coalesce(sum(s.shelter_arranged), 0)"
    else:
        criminal, shelter = "total(s.criminal_case)", "total(s.shelter_arranged)"
    sql = (
        f"SELECT s.received_year, s.municipality, count(*), {criminal}, "  # noqa: S608
        f"{shelter} FROM {_table(store, 'signal')} s WHERE {where} "
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
    """(YYYY-MM, municipality, signals) for the terminal chart, in that order (PostgreSQL
    groups by hashing, so the order is asked for, not left to the grouping)."""
    where, params = _scope(store, years, municipalities)
    sql = (
        "SELECT substr(s.received_on, 1, 7) AS m, s.municipality, count(*) "  # noqa: S608
        f"FROM {_table(store, 'signal')} s WHERE {where} "
        "GROUP BY m, s.municipality ORDER BY m, s.municipality"
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

    def of_signals(alias: str) -> tuple[str, tuple[Any]]:
        condition, param = _in_list(store, f"{alias}.signal_id", signal_ids)
        return condition, (param,)

    forms, forms_ids = of_signals("sf")
    persons, persons_ids = of_signals("sp")
    postcodes, postcodes_ids = of_signals("sa")
    sectors, sectors_ids = of_signals("so")
    return {
        "forms": store.rows(
            f"SELECT sf.signal_id, sf.form FROM signal_form sf WHERE {forms} "  # noqa: S608
            "ORDER BY sf.signal_id, sf.form",
            forms_ids,
        ),
        "persons": store.rows(
            "SELECT sp.signal_id, sp.role, p.birth_date, p.birth_year "  # noqa: S608
            f"FROM signal_person sp JOIN person p ON p.id = sp.person_id "
            f"WHERE {persons} ORDER BY sp.signal_id, p.id",
            persons_ids,
        ),
        "postcodes": store.rows(
            "SELECT sa.signal_id, a.postcode FROM signal_address sa "  # noqa: S608
            f"JOIN address a ON a.id = sa.address_id WHERE {postcodes} "
            "ORDER BY sa.signal_id, a.id",
            postcodes_ids,
        ),
        "sectors": store.rows(
            "SELECT so.signal_id, o.sector FROM signal_organisation so "  # noqa: S608
            f"JOIN organisation o ON o.id = so.organisation_id WHERE {sectors} "
            "ORDER BY so.signal_id, o.id",
            sectors_ids,
        ),
    }


def step_moves_between(store: Store, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """Route moves dated in the period, with what each recorded (details JSON, no free text)."""
    kinds, kinds_param = _in_list(store, "e.kind", STEP_MOVES)
    return store.rows(
        "SELECT e.id, e.kind, e.from_step, e.to_step, e.on_date, e.details, "  # noqa: S608
        "s.ref, s.municipality FROM step_event e JOIN signal s ON s.id = e.signal_id "
        f"WHERE e.on_date BETWEEN ? AND ? AND {kinds} "
        "AND s.annulled_on IS NULL "
        "ORDER BY e.on_date, e.id",
        (first.isoformat(), last.isoformat(), kinds_param),
    )


def acute_signals(store: Store, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """Acute signals received in the period, and every open acute signal without AVIM yet.

    Two index searches (by date, and by open step) joined with UNION; one WHERE with OR made
    SQLite walk every signal received before the week. The second part names its index: the
    planner cannot know that open signals are few and closed ones many, and without the hint
    it scanned the whole table (0.2 s at 1M signals instead of a few ms). PostgreSQL knows
    from its statistics that open signals are few and takes the index unasked.
    """
    hint = "" if store.dialect == "postgresql" else " INDEXED BY signal_by_step"
    return store.rows(
        "SELECT id, ref, received_on, municipality, avim_informed_at, step, year, seq "  # noqa: S608
        "FROM signal WHERE acute = 1 AND received_on BETWEEN ? AND ? AND annulled_on IS NULL "
        "UNION "
        "SELECT id, ref, received_on, municipality, avim_informed_at, step, year, seq "
        f"FROM signal{hint} WHERE step IN (1, 2, 3, 4) AND acute = 1 "
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
