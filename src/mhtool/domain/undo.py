"""Planning `mhtool ongedaan` from the history rows of one command, without I/O.

Every command writes history rows sharing one `change_id`. Each row says what happened to one
row of one table, in one of three shapes, and its inverse follows from that shape alone (so an
action added later is undone the same way, or refused when its shape is not one of these):

* created (`aangemaakt`, `...-aangemaakt`, `notitie` for a note, `uitkomst`, or any row that
  holds a whole new record, recognised by its `created_at`): the inverse deletes that row;
* linked (`gekoppeld`, a person, address or organisation to a signal): the inverse unlinks it;
* changed: every `{"oud": ..., "nieuw": ...}` pair of a column is set back to `oud`, and the
  lists `vormen` and `maatregelen` are put back as they were. Other keys (`reden`, `rol`, ...)
  only explain the change.

Erasure (`persoon verwijder`) and destruction (`opschonen`) are never undone: what they
removed is gone on purpose. The inverses are applied in reverse order of the rows, and only
when the file still holds exactly what the command left (checked by the store), so an undo is
exact or does not happen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mhtool.errors import NotAllowedError

CREATED = frozenset({"aangemaakt", "notitie", "uitkomst"})
LINKED = "gekoppeld"
UNDO_ACTION = "ongedaan"
# Erasure and destruction: never undone.
IRREVERSIBLE = frozenset({"persoon-verwijderd", "naam-verwijderd", "vernietigd"})
# Changes whose effects reach beyond the history (a setting): refused with what to do instead.
REFUSED = {
    "bewaartermijn": "een vastgestelde bewaartermijn; stel de termijn opnieuw vast met "
    "'mhtool bewaartermijn zet'",
    "norm-gezet": "een vastgestelde norm; stel de norm opnieuw vast met 'mhtool normen zet'",
}
# Actions whose row may carry no old/new pair: they only explain the rows around them.
EXPLANATIONS = frozenset({"verrijkt", "avim-gecorrigeerd"})
# Lists kept in link tables rather than columns: history key -> (table, column).
LISTS = {"vormen": ("signal_form", "form"), "maatregelen": ("signal_measure", "measure")}
# Values of the link between a signal and a person, address or organisation: key -> column.
LINK_VALUES = {"rol": "role"}


@dataclass(frozen=True)
class HistoryRow:
    id: int
    at: str
    by_user: str
    signal_id: int | None
    entity: str
    entity_id: int | None
    action: str
    changes: dict[str, Any]
    change_id: int | None = None


@dataclass(frozen=True)
class Inverse:
    """One step of an undo: delete a created row, unlink a link, or restore values."""

    kind: str  # "verwijder", "ontkoppel" or "herstel"
    entity: str
    entity_id: int
    signal_id: int | None
    restore: dict[str, Any] = field(default_factory=dict)  # column -> old value
    expect: dict[str, Any] = field(default_factory=dict)  # column -> value the command left
    lists: dict[str, tuple[list[Any], list[Any]]] = field(default_factory=dict)  # key -> (old, new)
    # column of the link row signal_<entity> -> (old, new)
    link: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def history_changes(self, change_id: int) -> dict[str, Any]:
        """What the undo's own history row records: the reverse pairs, so history replays."""
        changes: dict[str, Any] = {"ongedaan_wijziging": change_id}
        if self.kind == "verwijder":
            changes["verwijderd"] = True
        elif self.kind == "ontkoppel":
            changes["ontkoppeld"] = True
        for column, old in self.restore.items():
            changes[column] = {"oud": self.expect[column], "nieuw": old}
        for key, (old, new) in self.lists.items():
            changes[key] = {"oud": new, "nieuw": old}
        for key, column in LINK_VALUES.items():
            if column in self.link:
                old, new = self.link[column]
                changes[key] = {"oud": new, "nieuw": old}
        return changes


def _is_pair(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"oud", "nieuw"}


def _is_creation(row: HistoryRow) -> bool:
    if row.action in CREATED or row.action.endswith("-aangemaakt"):
        return True
    return "created_at" in row.changes and not any(_is_pair(v) for v in row.changes.values())


def inverse_of(row: HistoryRow) -> Inverse | None:
    """The inverse of one history row; None when the row only explains others."""
    if row.action in IRREVERSIBLE:
        raise NotAllowedError(
            "Uw laatste wijziging is een verwijdering (persoon verwijderd of signalen "
            "vernietigd); die kan niet ongedaan worden gemaakt."
        )
    if row.action in REFUSED:
        raise NotAllowedError(
            f"Uw laatste wijziging is {REFUSED[row.action]}; die kan niet met 'mhtool ongedaan'."
        )
    if row.entity_id is None:
        raise NotAllowedError(
            f"Uw laatste wijziging ({row.action}) kan mhtool niet ongedaan maken; corrigeer "
            "het met 'mhtool signaal wijzig' of 'mhtool signaal vervallen'."
        )
    if _is_creation(row):
        return Inverse("verwijder", row.entity, row.entity_id, row.signal_id)
    if row.action == LINKED:
        return Inverse("ontkoppel", row.entity, row.entity_id, row.signal_id)
    special = LISTS.keys() | LINK_VALUES.keys()
    restore = {k: v["oud"] for k, v in row.changes.items() if _is_pair(v) and k not in special}
    expect = {k: v["nieuw"] for k, v in row.changes.items() if _is_pair(v) and k not in special}
    link = {
        LINK_VALUES[k]: (v["oud"], v["nieuw"])
        for k, v in row.changes.items()
        if k in LINK_VALUES and _is_pair(v)
    }
    lists = {
        k: (list(v["oud"] or []), list(v["nieuw"] or []))
        for k, v in row.changes.items()
        if k in LISTS and _is_pair(v)
    }
    if not restore and not lists and not link:
        if row.action in EXPLANATIONS:
            return None
        raise NotAllowedError(
            f"Uw laatste wijziging ({row.action}) kan mhtool niet ongedaan maken; corrigeer "
            "het met 'mhtool signaal wijzig' of 'mhtool signaal vervallen'."
        )
    return Inverse(
        "herstel", row.entity, row.entity_id, row.signal_id, restore, expect, lists, link
    )


def plan_undo(rows: list[HistoryRow]) -> list[Inverse]:
    """The inverses of one command's rows, last row first."""
    plan = [inverse_of(row) for row in sorted(rows, key=lambda r: r.id, reverse=True)]
    return [step for step in plan if step is not None]
