"""`mhtool persoon|adres|organisatie toon`: everything known about one entity, across signals.

Kept apart from search so that `mhtool zoek` does not pay for building these classes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mhtool.domain.enums import Conclusion, Step
from mhtool.errors import NotFoundError
from mhtool.services.search import session
from mhtool.services.search_hits import (
    KIND_LABEL,
    SignalLink,
    address_label,
    links,
    organisation_label,
    person_label,
)
from mhtool.store import search as q
from mhtool.store.connection import Store


@dataclass(frozen=True)
class TimelineEntry:
    on_date: str
    ref: str
    what: str

    def as_json(self) -> dict[str, Any]:
        return {"datum": self.on_date, "signaal": self.ref, "wat": self.what}


@dataclass(frozen=True)
class RelatedEntity:
    kind: str
    entity_id: int
    label: str
    refs: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "soort": self.kind,
            "id": self.entity_id,
            "omschrijving": self.label,
            "signalen": list(self.refs),
        }


@dataclass(frozen=True)
class EntityHistoryEntry:
    """One change of the entity itself (created, linked, corrected, role corrected, undone)."""

    at: str
    by_user: str
    action: str
    ref: str | None  # the signal it happened in; None for a correction of the entity itself
    changes: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        from mhtool.domain.views import HISTORY_ACTIONS, HISTORY_FIELDS

        return {
            "tijdstip": self.at,
            "door": self.by_user,
            "actie": HISTORY_ACTIONS.get(self.action, self.action),
            "signaal": self.ref,
            "wijzigingen": {HISTORY_FIELDS.get(k, k): v for k, v in self.changes.items()},
        }


def _without_search_keys(changes: dict[str, Any]) -> dict[str, Any]:
    """Search keys follow the text they are made from; the history shows the text only."""
    return {k: v for k, v in changes.items() if not k.endswith("_key") and k != "initial"}


@dataclass(frozen=True)
class EntityTimeline:
    kind: str
    entity_id: int
    label: str
    facts: dict[str, Any]
    signals: tuple[SignalLink, ...]
    timeline: tuple[TimelineEntry, ...]
    related: tuple[RelatedEntity, ...]
    history: tuple[EntityHistoryEntry, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "soort": self.kind,
            "id": self.entity_id,
            "omschrijving": self.label,
            "gegevens": self.facts,
            "signalen": [s.as_json() for s in self.signals],
            "tijdlijn": [t.as_json() for t in self.timeline],
            "samen_genoemd": [r.as_json() for r in self.related],
            "historie": [h.as_json() for h in self.history],
        }


_FACTS: dict[str, dict[str, str]] = {
    "person": {
        "name": "naam",
        "birth_date": "geboortedatum",
        "birth_year": "geboortejaar",
        "nationality": "nationaliteit",
    },
    "address": {
        "street": "straat",
        "house_number": "huisnummer",
        "house_addition": "toevoeging",
        "postcode": "postcode",
        "city": "plaats",
    },
    "organisation": {"name": "naam", "kvk": "kvk", "sector": "sector"},
}
_LABELS: dict[str, Callable[[dict[str, Any]], str]] = {
    "person": person_label,
    "address": address_label,
    "organisation": organisation_label,
}


def entity_facts(entity: str, row: dict[str, Any]) -> dict[str, Any]:
    """A person, address or organisation as `--json` shows it after a correction: the keys of
    `... toon --json` (its `gegevens`), never column names or search keys."""
    return {
        "soort": KIND_LABEL[entity],
        "id": row["id"],
        "omschrijving": _LABELS[entity](row),
        **{label: row[column] for column, label in _FACTS[entity].items()},
    }


def _event_text(event: dict[str, Any]) -> str:
    kind, to_step = event["kind"], event["to_step"]
    target = Step(to_step).label if to_step else ""
    text = {
        "ontvangst": "signaal ontvangen",
        "stap": f"naar {target}",
        "overslaan": f"overgeslagen naar {target}",
        "terug": f"terug naar {target}",
        "heropen": f"heropend, naar {target}",
        "avim": "AVIM ingeschakeld",
        "vervallen": "signaal VERVALLEN verklaard",
        "hersteld": "vervallen signaal hersteld",
    }.get(kind, kind)
    details = json.loads(event["details"] or "{}")
    if details.get("conclusie"):
        text += f" (conclusie: {Conclusion.label_of(details['conclusie'])})"
    return str(text)


def entity_timeline(
    store: Store, entity: str, entity_id: int, user: str | None = None
) -> EntityTimeline:
    """Everything known about one person, address or organisation, across all signals.
    With `user`, the viewing is logged (BIO), as for a signal."""
    what = KIND_LABEL[entity].capitalize()
    kind = KIND_LABEL[entity]
    with session(store, user, f"{kind}.toon", kind, str(entity_id)):
        row = q.entity_row(store, entity, entity_id)
        if row is None:
            raise NotFoundError(
                f"{what} met id {entity_id} bestaat niet; zoek het id op met 'mhtool zoek'."
            )
        linked = q.signals_of(store, entity, [entity_id])[entity_id]
        signal_ids = [r["signal_id"] for r in linked]
        entries = [
            TimelineEntry(e["on_date"], e["ref"], _event_text(e))
            for e in q.rows_of_signals(store, "events", signal_ids)
        ]
        entries += [
            TimelineEntry(n["on_date"], n["ref"], f"notitie: {n['text']}")
            for n in q.rows_of_signals(store, "notes", signal_ids)
        ]
        related: dict[tuple[str, int], RelatedEntity] = {}
        for other in q.mentioned_with(store, signal_ids, entity, entity_id):
            key = (other["kind"], other["id"])
            previous = related.get(key)
            refs = (previous.refs if previous else ()) + (other["ref"],)
            related[key] = RelatedEntity(
                KIND_LABEL[other["kind"]],
                other["id"],
                _LABELS[other["kind"]](other),
                tuple(dict.fromkeys(refs)),
            )
        history = tuple(
            EntityHistoryEntry(
                h["at"],
                h["by_user"],
                h["action"],
                h["ref"],
                _without_search_keys(json.loads(h["changes"])),
            )
            for h in q.entity_history(store, entity, entity_id, signal_ids)
        )
    entries.sort(key=lambda t: (t.on_date, t.ref))
    return EntityTimeline(
        KIND_LABEL[entity],
        entity_id,
        _LABELS[entity](row),
        {label: row[column] for column, label in _FACTS[entity].items()},
        links(linked, None),
        tuple(entries),
        tuple(related.values()),
        history,
    )
