"""`mhtool ongedaan`: take back the last change this user made in this file.

One command is one change (the history rows sharing a change_id). The preview says what will
be taken back; the undo itself runs in one audited transaction, rechecks that the same change
is still the last one, refuses when someone else has since built on it, and records itself in
the history (action 'ongedaan') and the audit log. See domain/undo.py for what can be undone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mhtool.domain.undo import HistoryRow, Inverse, plan_undo
from mhtool.errors import (
    DatabaseError,
    DatabaseInUseError,
    MhtoolError,
    NotAllowedError,
    NotFoundError,
)
from mhtool.services.audit import audited, record_refusal
from mhtool.store import undo as q
from mhtool.store.connection import Store


@dataclass(frozen=True)
class UndoStep:
    """One thing the undo changes, for the preview: what, which row, which values."""

    kind: str  # verwijder, ontkoppel, herstel
    entity: str
    entity_id: int
    changes: dict[str, Any]


@dataclass(frozen=True)
class UndoPlan:
    change_id: int
    at: str
    action: str  # the action of the change's main row (e.g. 'aangemaakt', 'stap-stap')
    ref: str | None
    steps: tuple[UndoStep, ...]

    def as_json(self) -> dict[str, Any]:
        """In the names `signaal toon --json` gives the history, not the table's."""
        from mhtool.domain.views import HISTORY_ACTIONS, HISTORY_ENTITIES, HISTORY_FIELDS

        return {
            "wijziging": self.change_id,
            "tijdstip": self.at,
            "actie": HISTORY_ACTIONS.get(self.action, self.action),
            "signaal": self.ref,
            "stappen": [
                {
                    "soort": s.kind,
                    "object": HISTORY_ENTITIES.get(s.entity, s.entity),
                    "object_id": s.entity_id,
                    **{HISTORY_FIELDS.get(k, k): v for k, v in s.changes.items()},
                }
                for s in self.steps
            ],
        }


def _main_action(rows: list[HistoryRow]) -> str:
    """The row that names the command: the signal's own row, else the first."""
    for row in rows:
        if row.entity == "signal":
            return row.action
    return rows[0].action


def _plan(store: Store, user: str) -> tuple[UndoPlan, list[Inverse]]:
    rows = q.last_change(store, user)
    if not rows:
        raise NotFoundError(
            f"Er is geen wijziging van {user} in deze database die ongedaan kan worden gemaakt."
        )
    change_id = rows[0].change_id or rows[0].id
    inverses = plan_undo(rows)
    later = q.later_change_by_someone_else(store, rows, user)
    if later is not None:
        raise NotAllowedError(
            f"Na uw laatste wijziging heeft {later.by_user} hetzelfde signaal of dezelfde "
            "gegevens gewijzigd; die wijziging bouwt erop voort, dus ongedaan maken kan niet. "
            "Corrigeer het met 'mhtool signaal wijzig' of 'mhtool signaal vervallen'."
        )
    for step in inverses:
        q.check(store, step)
    signal_id = next((r.signal_id for r in rows if r.signal_id is not None), None)
    plan = UndoPlan(
        change_id,
        rows[0].at,
        _main_action(rows),
        q.signal_ref(store, signal_id),
        tuple(
            UndoStep(s.kind, s.entity, s.entity_id, s.history_changes(change_id)) for s in inverses
        ),
    )
    return plan, inverses


def preview_undo(store: Store, user: str) -> UndoPlan:
    """What `ongedaan` would take back, or the reason it cannot. Only reads; the undo itself
    is logged, and so is a refusal here (after the read, like every refused action)."""
    try:
        with store.read():
            return _plan(store, user)[0]
    except (DatabaseError, DatabaseInUseError):
        raise  # the file itself is the problem: logging the refusal would fail the same way
    except MhtoolError as error:
        record_refusal(store, user, "ongedaan", "signaal", "", error)
        raise


def undo_last_change(store: Store, user: str, expected: int | None = None) -> UndoPlan:
    """Take back the last change; `expected` is the change the user saw in the preview."""
    with audited(store, user, "ongedaan", "signaal") as entry:
        plan, inverses = _plan(store, user)
        entry.object_id = plan.ref or ""
        entry.details.update(wijziging=plan.change_id, actie=plan.action)
        if expected is not None and plan.change_id != expected:
            raise NotAllowedError(
                "Er is intussen iets gewijzigd; voer 'mhtool ongedaan' opnieuw uit en bekijk "
                "wat er ongedaan wordt gemaakt."
            )
        for step in inverses:
            q.apply(store, step, user, plan.change_id)
        return plan
