"""`mhtool rapport`: the weekly report, pseudonymised as it is built."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import defaultdict
from typing import Any

from mhtool.domain.periods import IsoWeek, week_of
from mhtool.domain.pseudonymise import age_band, postcode_area
from mhtool.domain.reports import Chart, group_series
from mhtool.domain.weekly_report import (
    WAITING_TOP,
    AcuteLine,
    ClosedLine,
    FollowUpLine,
    NewSignalLine,
    PersonSummary,
    StepChangeLine,
    WaitingLine,
    WaitingList,
    WaitingSummary,
    WeeklyReport,
)
from mhtool.errors import ValidationError
from mhtool.services.signals import summary_from_row
from mhtool.store import lifecycle as lifecycle_queries
from mhtool.store import statistics as q
from mhtool.store.connection import Store

WAIT_DAYS_ENV = "MHTOOL_WACHTDAGEN"
DEFAULT_WAIT_DAYS = 30
CHART_WEEKS = 13
MAX_WAIT_DAYS = 3650


def check_wait_days(days: int, source: str) -> int:
    if not 1 <= days <= MAX_WAIT_DAYS:
        raise ValidationError(
            f"{source} {days} kan niet; kies een aantal dagen van 1 tot en met {MAX_WAIT_DAYS}."
        )
    return days


def default_wait_days() -> int:
    """MHTOOL_WACHTDAGEN lets a municipality set its own norm once instead of on every run."""
    raw = os.environ.get(WAIT_DAYS_ENV, "").strip()
    if not raw:
        return DEFAULT_WAIT_DAYS
    if not raw.isdigit():
        raise ValidationError(
            f"{WAIT_DAYS_ENV}='{raw}' is geen geheel aantal dagen; pas de omgevingsvariabele aan."
        )
    return check_wait_days(int(raw), WAIT_DAYS_ENV)


def weekly_report(
    store: Store, week: IsoWeek, wait_days: int, today: dt.date | None = None
) -> WeeklyReport:
    check_wait_days(wait_days, "--wachtdagen")
    today = today or dt.date.today()
    first, last = week.monday, week.sunday
    with store.read():
        new_rows = q.received_between(store, first, last)
        details = q.linked_details(store, [r["id"] for r in new_rows])
        moves = q.step_moves_between(store, first, last)
        acute_rows = q.acute_signals(store, first, last)
        cutoff = last - dt.timedelta(days=wait_days)
        # Bounded: at 1M signals a hundred thousand may wait; the report shows the oldest and
        # counts the rest (rapport --wachtlijst exports them all).
        waiting_rows = q.waiting_since_before(store, cutoff, last, limit=WAITING_TOP)
        waiting_counts = q.waiting_per_step_and_municipality(store, cutoff, last)
        chart_first = week.shifted(-(CHART_WEEKS - 1)).monday
        per_day = q.received_per_day(store, chart_first, last)
        due_rows, _ = lifecycle_queries.actions_due_between(store, None, last, None, WAITING_TOP)
    return WeeklyReport(
        week=week.label,
        first_day=first.isoformat(),
        last_day=last.isoformat(),
        week_complete=last < today,
        wait_days=wait_days,
        new_signals=_new_lines(new_rows, details),
        step_changes=tuple(
            StepChangeLine(
                ref=m["ref"],
                municipality=m["municipality"],
                on_date=m["on_date"],
                kind=m["kind"],
                from_step=m["from_step"],
                to_step=m["to_step"],
                partners=tuple(json.loads(m["details"]).get("partners", [])),
            )
            for m in moves
        ),
        closed=tuple(_closed(m) for m in moves if m["to_step"] == 5 and m["kind"] != "terug"),
        acute=tuple(
            AcuteLine(
                ref=a["ref"],
                municipality=a["municipality"],
                received_on=a["received_on"],
                avim_informed_at=a["avim_informed_at"],
                step=a["step"],
                new_this_week=first.isoformat() <= a["received_on"] <= last.isoformat(),
            )
            for a in acute_rows
        ),
        waiting=_waiting_lines(waiting_rows, last),
        chart=_chart(week, per_day),
        waiting_summary=_waiting_summary(waiting_counts),
        follow_up=tuple(
            FollowUpLine(
                ref=r["ref"],
                municipality=r["municipality"],
                seq=r["seq"],
                due_on=r["due_on"],
                partner=r["partner"],
                days_late=max((last - dt.date.fromisoformat(r["due_on"])).days, 0),
            )
            for r in due_rows
        ),
    )


def waiting_list(store: Store, week: IsoWeek, wait_days: int) -> WaitingList:
    """Every signal waiting longer than `wait_days` in one step at the end of `week`: the full
    list that the weekly report only summarises."""
    check_wait_days(wait_days, "--wachtdagen")
    last = week.sunday
    with store.read():
        rows = q.waiting_since_before(store, last - dt.timedelta(days=wait_days), last)
    return WaitingList(week.label, last.isoformat(), wait_days, _waiting_lines(rows, last))


def _waiting_lines(rows: list[dict[str, Any]], last: dt.date) -> tuple[WaitingLine, ...]:
    """Longest waiting first (the query's order: step_since, then ref)."""
    return tuple(
        WaitingLine(
            ref=w["ref"],
            municipality=w["municipality"],
            step=w["step"],
            step_since=w["step_since"],
            days=(last - dt.date.fromisoformat(w["step_since"])).days,
        )
        for w in rows
    )


def _waiting_summary(counts: list[tuple[int, str, int]]) -> WaitingSummary:
    steps: dict[int, int] = defaultdict(int)
    places: dict[str, int] = defaultdict(int)
    for step, place, n in counts:
        steps[step] += n
        places[place] += n
    return WaitingSummary(
        total=sum(steps.values()),
        per_step=tuple(sorted(steps.items())),
        per_municipality=tuple(sorted(places.items())),
    )


def _new_lines(
    rows: list[dict[str, Any]], details: dict[str, list[dict[str, Any]]]
) -> tuple[NewSignalLine, ...]:
    by_signal: dict[str, dict[int, list[Any]]] = {k: defaultdict(list) for k in details}
    received = {r["id"]: dt.date.fromisoformat(r["received_on"]) for r in rows}
    for f in details["forms"]:
        by_signal["forms"][f["signal_id"]].append(f["form"])
    for p in details["persons"]:
        by_signal["persons"][p["signal_id"]].append(
            PersonSummary(
                p["role"], age_band(p["birth_date"], p["birth_year"], received[p["signal_id"]])
            )
        )
    for a in details["postcodes"]:
        area = postcode_area(a["postcode"])
        if area and area not in by_signal["postcodes"][a["signal_id"]]:
            by_signal["postcodes"][a["signal_id"]].append(area)
    for o in details["sectors"]:
        if o["sector"] and o["sector"] not in by_signal["sectors"][o["signal_id"]]:
            by_signal["sectors"][o["signal_id"]].append(o["sector"])
    return tuple(
        NewSignalLine(
            summary=summary_from_row(r, tuple(by_signal["forms"][r["id"]])),
            persons=tuple(by_signal["persons"][r["id"]]),
            postcode_areas=tuple(by_signal["postcodes"][r["id"]]),
            sectors=tuple(by_signal["sectors"][r["id"]]),
        )
        for r in rows
    )


def _closed(move: dict[str, Any]) -> ClosedLine:
    """From what was recorded at closing, so a later reopening does not rewrite the week."""
    d = json.loads(move["details"])
    return ClosedLine(
        ref=move["ref"],
        municipality=move["municipality"],
        closed_on=move["on_date"],
        conclusion=d.get("conclusie"),
        feedback_given=d.get("terugkoppeling"),
        feedback_on=d.get("terugkoppeling_op"),
        criminal_case=d.get("strafrechtelijk_opgepakt"),
        shelter_arranged=d.get("opvang_geregeld"),
        measures=tuple(d.get("bestuurlijke_maatregelen", [])),
    )


def _chart(week: IsoWeek, per_day: list[tuple[str, str, int]]) -> Chart:
    weeks = tuple(week.shifted(-i).label for i in range(CHART_WEEKS - 1, -1, -1))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for day, municipality, n in per_day:
        counts[(week_of(dt.date.fromisoformat(day)).label, municipality)] += n
    return Chart(
        title=f"Ontvangen signalen per week per gemeente ({weeks[0]} tot en met {weeks[-1]})",
        periods=weeks,
        series=group_series(weeks, dict(counts)),
    )
