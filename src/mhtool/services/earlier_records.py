"""The check for earlier records of a signal's own persons, addresses and organisations: shown
by `signaal nieuw` before saving (and used to link with --koppel-bestaande), and stored with
the step to 2 "vastleggen en verrijken".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mhtool.domain.matching import AddressQuery, OrganisationQuery, PersonQuery
from mhtool.domain.normalise import city_key, organisation_core_key, person_name_parts
from mhtool.errors import ValidationError
from mhtool.services.entity_finders import find_addresses, find_organisations, find_persons
from mhtool.services.search_hits import DEFAULT_LIMIT, KIND_LABEL, SearchHit, ranked
from mhtool.store import search as q
from mhtool.store.connection import Store

if TYPE_CHECKING:  # the form's types; `zoek --signaal` must not import the input forms
    from mhtool.domain.signal_input import (
        AddressInput,
        NewSignal,
        OrganisationInput,
        PersonInput,
    )

NO_EARLIER_RECORDS = "geen eerdere registraties gevonden (automatische controle)"


@dataclass(frozen=True)
class EntityCheck:
    """The earlier matches found for one person, address or organisation of a signal."""

    kind: str  # person, address or organisation
    position: int  # index in the signal's list of that kind
    searched: str
    hits: tuple[SearchHit, ...]
    entity_id: int | None = None  # the signal's own entity, once it is stored

    def as_json(self) -> dict[str, Any]:
        return {
            "soort": KIND_LABEL[self.kind],
            "gezocht": self.searched,
            "gevonden": [h.as_json() for h in self.hits],
        }


def _person_query_of(name: str, birth_date: dt.date | None, birth_year: int | None) -> PersonQuery:
    given, initial, surname = person_name_parts(name)
    from mhtool.domain.normalise import name_key

    return PersonQuery(name, name_key(name), given, initial, surname, birth_date, birth_year)


def _address_query_of(
    street: str, number: int, addition: str, postcode: str, city: str
) -> AddressQuery:
    from mhtool.domain.normalise import house_number_display, street_key

    # Shown to the user: '14-2' (house 14, addition 2), never '142', a different house.
    house = house_number_display(number, addition)
    text = " ".join(p for p in (street, house, postcode, city) if p)
    return AddressQuery(text, street_key(street), number, addition, postcode, city_key(city))


def _organisation_query_of(name: str, kvk: str) -> OrganisationQuery:
    from mhtool.domain.normalise import name_key

    return OrganisationQuery(name, name_key(name), organisation_core_key(name), kvk)


def _check(kind: str, position: int, searched: str, hits: list[SearchHit]) -> EntityCheck:
    return EntityCheck(kind, position, searched, ranked(hits, DEFAULT_LIMIT))


def person_check(
    store: Store,
    name: str,
    birth_date: dt.date | None,
    birth_year: int | None,
    position: int = 0,
    exclude_signal: int | None = None,
) -> EntityCheck:
    query = _person_query_of(name, birth_date, birth_year)
    hits = find_persons(store, query, exclude_signal) if query.surname_key else []
    return _check("person", position, query.describe(), hits)


def address_check(
    store: Store,
    street: str,
    number: int,
    addition: str,
    postcode: str,
    city: str,
    position: int = 0,
    exclude_signal: int | None = None,
) -> EntityCheck:
    query = _address_query_of(street, number, addition, postcode, city)
    return _check(
        "address", position, query.describe(), find_addresses(store, query, exclude_signal)
    )


def organisation_check(
    store: Store, name: str, kvk: str, position: int = 0, exclude_signal: int | None = None
) -> EntityCheck:
    query = _organisation_query_of(name, kvk)
    hits = find_organisations(store, query, exclude_signal)
    return _check("organisation", position, query.describe(), hits)


def check_input(store: Store, item: PersonInput | AddressInput | OrganisationInput) -> EntityCheck:
    """The earlier matches for one person, address or organisation typed in the form."""
    from mhtool.domain.signal_input import AddressInput, PersonInput

    with store.read():
        if isinstance(item, PersonInput):
            return person_check(store, item.name, item.birth_date, item.birth_year)
        if isinstance(item, AddressInput):
            return address_check(
                store,
                item.street,
                item.house_number,
                item.house_addition,
                item.postcode,
                item.city,
            )
        return organisation_check(store, item.name, item.kvk)


def check_new_signal(store: Store, new: NewSignal) -> list[EntityCheck]:
    """Earlier matches for every person, address and organisation typed for a new signal
    (those already linked by id are skipped: the officer chose them)."""
    checks: list[EntityCheck] = []
    with store.read():
        for i, p in enumerate(new.persons):
            if p.existing_id is None:
                checks.append(person_check(store, p.name, p.birth_date, p.birth_year, i))
        for i, a in enumerate(new.addresses):
            if a.existing_id is None:
                checks.append(
                    address_check(
                        store, a.street, a.house_number, a.house_addition, a.postcode, a.city, i
                    )
                )
        for i, o in enumerate(new.organisations):
            if o.existing_id is None:
                checks.append(organisation_check(store, o.name, o.kvk, i))
    return checks


def _single_exact(check: EntityCheck) -> int | None:
    """The id to link to: exactly one distinct entity matched exactly, none if none did.

    Two or more exact matches (earlier duplicates) are refused: linking to one at random
    merges histories, and quietly adding another record makes the duplicates worse."""
    ids = sorted({h.entity_id for h in check.hits if h.exact and h.entity_id is not None})
    if len(ids) > 1:
        raise ValidationError(
            f"{'Het' if check.kind == 'address' else 'De'} {check.searched} komt exact overeen met meer dan één eerdere registratie "
            f"(id {', '.join(map(str, ids))}); kies er zelf een met 'id=N' in --persoon, "
            "--adres of --organisatie. Er is niets opgeslagen."
        )
    return ids[0] if ids else None


def link_exact_matches(
    new: NewSignal, checks: Sequence[EntityCheck]
) -> tuple[NewSignal, list[tuple[EntityCheck, int]]]:
    """Link each new person/address/organisation to its one exact earlier match, if any.

    Exact means: same postcode and house number (or same street, number and city); same
    KvK-nummer; same name and same full birth date. Two different exact matches are left for
    the officer, never guessed.
    """
    persons, addresses = list(new.persons), list(new.addresses)
    organisations = list(new.organisations)
    linked: list[tuple[EntityCheck, int]] = []
    for check in checks:
        target = _single_exact(check)
        if target is None:
            continue
        if check.kind == "person":
            persons[check.position] = dataclasses.replace(
                persons[check.position], existing_id=target
            )
        elif check.kind == "address":
            addresses[check.position] = dataclasses.replace(
                addresses[check.position], existing_id=target
            )
        else:
            organisations[check.position] = dataclasses.replace(
                organisations[check.position], existing_id=target
            )
        linked.append((check, target))
    updated = dataclasses.replace(
        new,
        persons=tuple(persons),
        addresses=tuple(addresses),
        organisations=tuple(organisations),
    )
    return updated, linked


def check_signal_entities(store: Store, signal_id: int) -> list[EntityCheck]:
    """The automatic step-2 check: every entity of the signal against all other signals."""

    entities = q.signal_entities(store, signal_id)
    checks: list[EntityCheck] = []
    for i, p in enumerate(entities["person"]):
        birth = dt.date.fromisoformat(p["birth_date"]) if p["birth_date"] else None
        checks.append(person_check(store, p["name"], birth, p["birth_year"], i, signal_id))
    for i, a in enumerate(entities["address"]):
        checks.append(
            address_check(
                store,
                a["street"],
                a["house_number"],
                a["house_addition"],
                a["postcode"],
                a["city"],
                i,
                signal_id,
            )
        )
    for i, o in enumerate(entities["organisation"]):
        checks.append(organisation_check(store, o["name"], o["kvk"], i, signal_id))
    own = [e["id"] for kind in ("person", "address", "organisation") for e in entities[kind]]
    return [dataclasses.replace(c, entity_id=i) for c, i in zip(checks, own, strict=True)]


def check_details(checks: Sequence[EntityCheck]) -> dict[str, Any]:
    """What the step-2 event stores: which of the signal's entities were checked, and the
    earlier entities and signals found.

    Ids, reasons and signal numbers only, never names, birth dates or addresses: a copy of
    them here would outlive `persoon verwijder` and the bewaartermijn of the other signal.
    `mhtool persoon/adres/organisatie toon ID` shows what an id stands for."""
    found = [
        {
            "soort": KIND_LABEL[c.kind],
            "gezocht_id": c.entity_id,
            "id": h.entity_id,
            "score": h.score,
            "redenen": list(h.reasons),
            "signalen": [s.ref for s in h.signals],
        }
        for c in checks
        for h in c.hits
    ]
    searched = [{"soort": KIND_LABEL[c.kind], "id": c.entity_id} for c in checks]
    return {"gezocht": searched, "gevonden": found}
