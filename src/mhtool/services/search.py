"""Search for earlier persons, addresses and organisations, and what is known about each.

Used by `mhtool zoek`, by `signaal nieuw` (matches shown before saving, optional linking) and
by the step to 2 "vastleggen en verrijken" (the automatic check stored with the step event).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from mhtool.domain.enums import Step
from mhtool.domain.matching import (
    AddressQuery,
    Match,
    OrganisationQuery,
    PersonQuery,
    address_query,
    clean_query,
    free_query,
    fts_all_of_any,
    fts_match_expression,
    organisation_query,
    person_query,
    score_address,
    score_organisation,
    score_person,
)
from mhtool.domain.normalise import city_key, organisation_core_key, person_name_parts
from mhtool.domain.signal_input import AddressInput, NewSignal, OrganisationInput, PersonInput
from mhtool.domain.signal_ref import parse_ref
from mhtool.errors import NotFoundError, ValidationError
from mhtool.services.audit import Audited, audited
from mhtool.store import search as q
from mhtool.store.connection import Store

DEFAULT_LIMIT = 20
NO_EARLIER_RECORDS = "geen eerdere registraties gevonden (automatische controle)"

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

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.ref,
            "ontvangen": self.received_on,
            "stap": int(self.step),
            "stap_naam": self.step.label,
            "gemeente": self.municipality,
            "conclusie": self.conclusion,
            "rol": self.role,
        }


@dataclass(frozen=True)
class SearchHit:
    kind: str  # persoon, adres, organisatie or tekst
    entity_id: int | None
    label: str
    score: int
    reasons: tuple[str, ...]
    signals: tuple[SignalLink, ...]

    @property
    def exact(self) -> bool:
        return self.score >= 100

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


# --- labels ----------------------------------------------------------------------------------


def person_label(row: dict[str, Any]) -> str:
    born = ""
    if row.get("birth_date"):
        born = f" (geb. {dt.date.fromisoformat(row['birth_date']).strftime('%d-%m-%Y')})"
    elif row.get("birth_year"):
        born = f" (geb. {row['birth_year']})"
    return f"{row['name']}{born}"


def address_label(row: dict[str, Any]) -> str:
    return AddressInput(
        row["street"], row["house_number"], row["house_addition"], row["postcode"], row["city"]
    ).one_line()


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
        )
        for r in rows
        if r["signal_id"] != exclude_signal
    )


def _hits(
    store: Store,
    entity: str,
    scored: list[tuple[dict[str, Any], Match]],
    label: Callable[[dict[str, Any]], str],
    exclude_signal: int | None,
    limit: int = DEFAULT_LIMIT,
) -> list[SearchHit]:
    """The best `limit` matches that belong to at least one (other) signal.

    Signals are looked up for the best-scoring candidates only, in rounds, so a common name
    with hundreds of candidates costs one small query, not hundreds of rows.
    """
    scored = sorted(scored, key=lambda pair: (-pair[1].score, pair[0]["id"]))
    hits: list[SearchHit] = []
    start = 0
    while start < len(scored) and len(hits) < limit:
        batch = scored[start : start + 2 * limit]
        start += len(batch)
        linked = q.signals_of(store, entity, (row["id"] for row, _ in batch))
        if entity == "person":
            names = q.names_of(store, [row["id"] for row, _ in batch])
            batch = [({**row, "name": names.get(row["id"], "")}, m) for row, m in batch]
        for row, match in batch:
            signals = links(linked.get(row["id"], []), exclude_signal)
            if not signals:
                continue  # only its own signal, or orphaned: nothing earlier to report
            hits.append(
                SearchHit(
                    KIND_LABEL[entity],
                    row["id"],
                    label(row),
                    match.score,
                    match.reasons,
                    signals,
                )
            )
    return hits[:limit]


# --- finding each kind -----------------------------------------------------------------------


def find_persons(
    store: Store, query: PersonQuery, exclude_signal: int | None = None, limit: int = DEFAULT_LIMIT
) -> list[SearchHit]:
    surnames = q.similar_terms(store, "achternaam", query.surname_key)
    scored: list[tuple[dict[str, Any], Match]] = []
    for row in q.person_candidates(
        store, surnames, query.initial, query.given_key, query.birth_year
    ):
        match = score_person(
            query,
            name_key_=row["name_key"],
            given_key=row["given_key"],
            surname_key=row["surname_key"],
            birth_date=row["birth_date"],
            birth_year=row["birth_year"],
        )
        if match is not None:
            scored.append((row, match))
    return _hits(store, "person", scored, person_label, exclude_signal, limit)


def find_addresses(
    store: Store, query: AddressQuery, exclude_signal: int | None = None, limit: int = DEFAULT_LIMIT
) -> list[SearchHit]:
    streets = q.similar_terms(store, "straat", query.street_key)
    scored: list[tuple[dict[str, Any], Match]] = []
    for row in q.address_candidates(store, query.postcode, query.house_number, streets):
        match = score_address(
            query,
            street_key_=row["street_key"],
            house_number=row["house_number"],
            house_addition=row["house_addition"],
            postcode=row["postcode"],
            city_key_=row["city_key"],
        )
        if match is not None:
            scored.append((row, match))
    return _hits(store, "address", scored, address_label, exclude_signal, limit)


def find_organisations(
    store: Store,
    query: OrganisationQuery,
    exclude_signal: int | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[SearchHit]:
    # Each word of the name, widened to its stored spelling variants; words never stored
    # cannot narrow anything and are left to the scoring.
    groups = []
    for word in dict.fromkeys(query.core_key.split()):
        variants = q.similar_terms(store, "organisatiewoord", word, stored_only=True)
        if variants:
            groups.append(variants)
    scored: list[tuple[dict[str, Any], Match]] = []
    for row in q.organisation_candidates(store, fts_all_of_any(groups), query.kvk):
        match = score_organisation(
            query, name_key_=row["name_key"], core_key=row["core_key"], kvk=row["kvk"]
        )
        if match is not None:
            scored.append((row, match))
    return _hits(store, "organisation", scored, organisation_label, exclude_signal, limit)


def find_text(store: Store, words: tuple[str, ...], limit: int) -> list[SearchHit]:
    hits: list[SearchHit] = []
    for row in q.text_matches(store, fts_match_expression(words), limit):
        link = SignalLink(
            row["ref"],
            row["received_on"],
            Step(row["step"]),
            row["municipality"],
            row["conclusion"],
        )
        hits.append(
            SearchHit("tekst", None, row["excerpt"], 50, (f"woorden in {row['source']}",), (link,))
        )
    return hits


def _ranked(hits: list[SearchHit], limit: int) -> tuple[SearchHit, ...]:
    order = {"persoon": 0, "adres": 1, "organisatie": 2, "tekst": 3}
    hits.sort(key=lambda h: (-h.score, order[h.kind], h.label))
    return tuple(hits[:limit])


@contextlib.contextmanager
def session(
    store: Store, user: str | None, action: str, object_type: str, object_id: str = ""
) -> Iterator[Audited]:
    """An audited transaction when a person asks (CLI), a plain read snapshot when the search
    runs inside another use case or a benchmark."""
    if user is None:
        with store.read():
            yield Audited(object_id=object_id)
        return
    with audited(store, user, action, object_type, object_id) as note:
        yield note


def search(
    store: Store,
    *,
    text: str = "",
    person: str = "",
    birth: str = "",
    address: str = "",
    postcode: str = "",
    house_number: str = "",
    organisation: str = "",
    kvk: str = "",
    limit: int = DEFAULT_LIMIT,
    user: str | None = None,
) -> SearchResult:
    """One search over whatever the user gave; results ranked by score, best first.

    With `user` the search is logged (BIO, as viewing a signal is): which kinds were searched
    and how many results, never the query itself."""
    from mhtool.domain.dates import parse_birth

    if limit < 1:
        raise ValidationError("Het maximum aantal resultaten moet 1 of meer zijn.")
    birth_date, birth_year = parse_birth(birth) if birth.strip() else (None, None)
    searched: list[str] = []
    hits: list[SearchHit] = []
    with session(store, user, "zoek", "zoekopdracht") as note:
        if person.strip() or (birth.strip() and not text.strip()):
            pq = person_query(person or text, birth_date, birth_year)
            searched.append(pq.describe())
            hits += find_persons(store, pq, limit=limit)
        if address.strip() or postcode.strip() or house_number.strip():
            aq = address_query(address, postcode=postcode, house_number=house_number)
            searched.append(aq.describe())
            hits += find_addresses(store, aq, limit=limit)
        if organisation.strip() or kvk.strip():
            oq = organisation_query(organisation, kvk)
            searched.append(oq.describe())
            hits += find_organisations(store, oq, limit=limit)
        if text.strip() and not searched:
            fq = free_query(text)
            if fq.person is not None:
                pq = dataclasses.replace(fq.person, birth_date=birth_date or fq.person.birth_date)
                searched.append(pq.describe())
                hits += find_persons(store, pq, limit=limit)
            if fq.address is not None:
                searched.append(fq.address.describe())
                hits += find_addresses(store, fq.address, limit=limit)
            if fq.organisation is not None:
                searched.append(fq.organisation.describe())
                hits += find_organisations(store, fq.organisation, limit=limit)
            if fq.words:
                searched.append("tekst in omschrijvingen en notities")
                hits += find_text(store, fq.words, limit)
        elif text.strip():
            raise ValidationError(
                "Geef een zoektekst óf --persoon/--adres/--organisatie/--postcode op, niet beide."
            )
        note.details.update(
            soorten=",".join(sorted({h.kind for h in hits})), aantal=min(len(hits), limit)
        )
    if not searched:
        clean_query("")  # raises the Dutch 'empty query' message
    return SearchResult(
        " ".join(
            p
            for p in (text, person, birth, address, postcode, house_number, organisation, kvk)
            if p.strip()
        ).strip(),
        tuple(searched),
        _ranked(hits, limit),
    )


# --- matching a signal's own entities --------------------------------------------------------


def _person_query_of(name: str, birth_date: dt.date | None, birth_year: int | None) -> PersonQuery:
    given, initial, surname = person_name_parts(name)
    from mhtool.domain.normalise import name_key

    return PersonQuery(name, name_key(name), given, initial, surname, birth_date, birth_year)


def _address_query_of(
    street: str, number: int, addition: str, postcode: str, city: str
) -> AddressQuery:
    from mhtool.domain.normalise import street_key

    text = " ".join(p for p in (street, f"{number}{addition.lower()}", postcode, city) if p)
    return AddressQuery(text, street_key(street), number, addition, postcode, city_key(city))


def _organisation_query_of(name: str, kvk: str) -> OrganisationQuery:
    from mhtool.domain.normalise import name_key

    return OrganisationQuery(name, name_key(name), organisation_core_key(name), kvk)


def _check(kind: str, position: int, searched: str, hits: list[SearchHit]) -> EntityCheck:
    return EntityCheck(kind, position, searched, _ranked(hits, DEFAULT_LIMIT))


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


def check_signal(store: Store, ref_text: str, user: str | None = None) -> list[EntityCheck]:
    """`mhtool zoek --signaal REF`: the step-2 check, shown without moving the signal."""
    ref = parse_ref(ref_text)
    with session(store, user, "zoek.signaal", "signaal", ref) as note:
        signal_id = q.signal_id_of(store, ref)
        if signal_id is None:
            raise NotFoundError(f"Signaal {ref} bestaat niet; zie 'mhtool signaal lijst'.")
        checks = check_signal_entities(store, signal_id)
        note.details["aantal"] = sum(len(c.hits) for c in checks)
        return checks


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
