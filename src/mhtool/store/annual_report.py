"""Queries for `mhtool jaarverslag`: the raw rows of one receipt year, read in one transaction.

Every figure counts in the year the signal was received (as `statistiek` does); annulled
signals ('vervallen') are left out. Each query reads the signals of the year through the
index on `received_year` and joins its children by signal id.
"""

from __future__ import annotations

from typing import Any

from mhtool.store.connection import Store

_OF_YEAR = "SELECT id FROM signal WHERE received_year = ? AND annulled_on IS NULL"


def signals_of_year(store: Store, year: int) -> list[dict[str, Any]]:
    return store.rows(
        "SELECT id, municipality, acute, avim_informed_at, received_on, step, conclusion, "
        "feedback_given, criminal_case, shelter_arranged, closed_on, created_at "
        "FROM signal WHERE received_year = ? AND annulled_on IS NULL ORDER BY id",
        (year,),
    )


def forms_of_year(store: Store, year: int) -> list[dict[str, Any]]:
    return store.rows(
        f"SELECT signal_id, form FROM signal_form WHERE signal_id IN ({_OF_YEAR})",  # noqa: S608
        (year,),
    )


def events_of_year(store: Store, year: int) -> list[dict[str, Any]]:
    """Route events (not the AVIM notes) in the order they were recorded."""
    return store.rows(
        "SELECT signal_id, kind, from_step, to_step, on_date, details FROM step_event "  # noqa: S608
        f"WHERE signal_id IN ({_OF_YEAR}) AND kind != 'avim' ORDER BY signal_id, id",
        (year,),
    )


def persons_of_year(store: Store, year: int) -> list[dict[str, Any]]:
    return store.rows(
        "SELECT sp.signal_id, sp.role, p.birth_date, p.birth_year FROM signal_person sp "  # noqa: S608
        f"JOIN person p ON p.id = sp.person_id WHERE sp.signal_id IN ({_OF_YEAR})",
        (year,),
    )


def measures_of_year(store: Store, year: int) -> list[dict[str, Any]]:
    return store.rows(
        f"SELECT signal_id, measure FROM signal_measure WHERE signal_id IN ({_OF_YEAR})",  # noqa: S608
        (year,),
    )


def outcomes_of_year(store: Store, year: int) -> list[dict[str, Any]]:
    return store.rows(
        "SELECT signal_id, kind, on_date, value, measure, measure_status, partner "  # noqa: S608
        f"FROM outcome WHERE signal_id IN ({_OF_YEAR}) ORDER BY signal_id, on_date, id",
        (year,),
    )


def actions_of_year(store: Store, year: int) -> list[dict[str, Any]]:
    return store.rows(
        "SELECT signal_id, partner, done_on FROM follow_up_action "  # noqa: S608
        f"WHERE signal_id IN ({_OF_YEAR})",
        (year,),
    )
