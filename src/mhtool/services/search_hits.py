"""What a search returns (hits, the signals each belongs to, results) and how a stored
person, address or organisation is labelled in it.

Shared by `mhtool zoek`, the earlier-records check of `signaal nieuw` and step 2, and the
timelines of `persoon/adres/organisatie toon`; kept free of the finders so that a timeline does
not import the search machinery.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mhtool.domain.enums import Step
from mhtool.domain.normalise import address_one_line

DEFAULT_LIMIT = 20

KIND_LABEL = {"person": "persoon", "address": "adres", "organisation": "organisatie"}


@dataclass(frozen=True)
class SignalLink:
    """One signal an entity or text hit belongs to."""

    ref: str
    received_on: str
    step: Step
    municipality: str
    conclusion: str | None = None
    role: str | None = None
    annulled: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.ref,
            "ontvangen": self.received_on,
            "stap": int(self.step),
            "stap_naam": self.step.label,
            "gemeente": self.municipality,
            "conclusie": self.conclusion,
            "rol": self.role,
            "vervallen": self.annulled,
        }


@dataclass(frozen=True)
class SearchHit:
    kind: str  # persoon, adres, organisatie or tekst
    entity_id: int | None
    label: str
    score: int
    reasons: tuple[str, ...]
    signals: tuple[SignalLink, ...]
    identifies: bool = False  # domain.matching.Match.exact: may be linked without asking
    rank: float | None = None  # domain.matching.Match.rank: order among equal scores

    @property
    def exact(self) -> bool:
        return self.identifies

    def as_json(self) -> dict[str, Any]:
        return {
            "soort": self.kind,
            "id": self.entity_id,
            "omschrijving": self.label,
            "score": self.score,
            "exact": self.exact,
            "redenen": list(self.reasons),
            "signalen": [s.as_json() for s in self.signals],
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    searched: tuple[str, ...]
    hits: tuple[SearchHit, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "zoekopdracht": self.query,
            "gezocht": list(self.searched),
            "aantal": len(self.hits),
            "resultaten": [h.as_json() for h in self.hits],
        }


# --- labels ----------------------------------------------------------------------------------


def person_label(row: dict[str, Any]) -> str:
    born = ""
    if row.get("birth_date"):
        born = f" (geb. {dt.date.fromisoformat(row['birth_date']).strftime('%d-%m-%Y')})"
    elif row.get("birth_year"):
        born = f" (geb. {row['birth_year']})"
    return f"{row['name']}{born}"


def address_label(row: dict[str, Any]) -> str:
    return address_one_line(
        row["street"], row["house_number"], row["house_addition"], row["postcode"], row["city"]
    )


def organisation_label(row: dict[str, Any]) -> str:
    return str(row["name"]) + (f" (KvK {row['kvk']})" if row["kvk"] else "")


def links(rows: list[dict[str, Any]], exclude_signal: int | None) -> tuple[SignalLink, ...]:
    return tuple(
        SignalLink(
            r["ref"],
            r["received_on"],
            Step(r["step"]),
            r["municipality"],
            r["conclusion"],
            r.get("role"),
            bool(r.get("annulled_on")),
        )
        for r in rows
        if r["signal_id"] != exclude_signal
    )


def ranked(hits: list[SearchHit], limit: int) -> tuple[SearchHit, ...]:
    """Best score first; at equal scores a match that identifies (exact) first, then by
    standing (agreeing birth data), then persons before addresses, organisations and text."""
    order = {"persoon": 0, "adres": 1, "organisatie": 2, "tekst": 3}
    hits.sort(
        key=lambda h: (
            -h.score,
            not h.exact,
            -(h.score if h.rank is None else h.rank),
            order[h.kind],
            h.label,
        )
    )
    return tuple(hits[:limit])
