"""Queries for `mhtool jaarverslag`: the raw rows of one receipt year, read in one transaction.

Every figure counts in the year the signal was received (as `statistiek` does); annulled
signals ('vervallen') are left out. Each query reads the signals of the year through the
index on `received_year` and joins its children by signal id.
"""

from __future__ import annotations

from typing import Any

from mhtool.store.connection import Store

_OF_YEAR = "SELECT id FROM {signal} WHERE received_year = ? AND annulled_on IS NULL"


def _tables(store: Store) -> dict[str, str]:
    """The tables, or for the regional role on a server their `regio_` views: the same columns,
    only codes and dates (store/postgres_security.py); `persons` is the person link with the
    birth data the report reads."""
    names = ("signal", "signal_form", "step_event", "signal_measure", "outcome", "follow_up_action")
    if not store.figures_only:
        persons = "(SELECT sp.signal_id, sp.role, p.birth_date, p.birth_year FROM signal_person sp "
        persons += "JOIN person p ON p.id = sp.person_id)"
        return {"persons": persons, **{n: n for n in names}}
    from mhtool.store.postgres_security import figure_relation

    return {"persons": "regio_signal_person", **{n: figure_relation(True, n) for n in names}}


def _of_year(t: dict[str, str]) -> str:
    return _OF_YEAR.format(signal=t["signal"])


def signals_of_year(store: Store, year: int) -> list[dict[str, Any]]:
    t = _tables(store)
    return store.rows(
        "SELECT id, municipality, acute, avim_informed_at, received_on, step, conclusion, "  # noqa: S608
        "feedback_given, criminal_case, shelter_arranged, closed_on, created_at "
        f"FROM {t['signal']} WHERE received_year = ? AND annulled_on IS NULL ORDER BY id",
        (year,),
    )


def forms_of_year(store: Store, year: int) -> list[dict[str, Any]]:
    t = _tables(store)
    return store.rows(
        f"SELECT signal_id, form FROM {t['signal_form']} "  # noqa: S608
        f"WHERE signal_id IN ({_of_year(t)})",
        (year,),
    )


def events_of_year(store: Store, year: int) -> list[dict[str, Any]]:
    """Route events (not the AVIM notes) in the order they were recorded."""
    t = _tables(store)
    return store.rows(
        f"SELECT signal_id, kind, from_step, to_step, on_date, details FROM {t['step_event']} "  # noqa: S608
        f"WHERE signal_id IN ({_of_year(t)}) AND kind != 'avim' ORDER BY signal_id, id",
        (year,),
    )


def persons_of_year(store: Store, year: int) -> list[dict[str, Any]]:
    t = _tables(store)
    return store.rows(
        f"SELECT signal_id, role, birth_date, birth_year FROM {t['persons']} AS sp "  # noqa: S608
        f"WHERE sp.signal_id IN ({_of_year(t)})",
        (year,),
    )


def measures_of_year(store: Store, year: int) -> list[dict[str, Any]]:
    t = _tables(store)
    return store.rows(
        f"SELECT signal_id, measure FROM {t['signal_measure']} "  # noqa: S608
        f"WHERE signal_id IN ({_of_year(t)})",
        (year,),
    )


def outcomes_of_year(store: Store, year: int) -> list[dict[str, Any]]:
    t = _tables(store)
    return store.rows(
        "SELECT signal_id, kind, on_date, value, measure, measure_status, partner "  # noqa: S608
        f"FROM {t['outcome']} WHERE signal_id IN ({_of_year(t)}) "
        "ORDER BY signal_id, on_date, id",
        (year,),
    )


def actions_of_year(store: Store, year: int) -> list[dict[str, Any]]:
    t = _tables(store)
    return store.rows(
        f"SELECT signal_id, partner, done_on FROM {t['follow_up_action']} "  # noqa: S608
        f"WHERE signal_id IN ({_of_year(t)})",
        (year,),
    )
