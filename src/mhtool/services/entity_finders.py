"""Finding earlier persons, addresses and organisations (and words in signal texts) for one
parsed query: the store narrows the candidates through its indexes, `domain.matching` scores
them, and only the best-scoring candidates get their signals looked up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mhtool.domain.enums import Step
from mhtool.domain.matching import (
    AddressQuery,
    Match,
    OrganisationQuery,
    PersonQuery,
    score_address,
    score_organisation,
    score_person,
)
from mhtool.services.search_hits import (
    DEFAULT_LIMIT,
    KIND_LABEL,
    SearchHit,
    SignalLink,
    address_label,
    links,
    organisation_label,
    person_label,
)
from mhtool.store import search as q
from mhtool.store.connection import Store


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
    # An identifying match ranks first among equal scores (same name and birth date before the
    # same name alone).
    # Among equal scores by standing (the same name with an agreeing birth year before the
    # same name alone: recall at 1M persons depends on it).
    scored = sorted(
        scored,
        key=lambda pair: (-pair[1].score, not pair[1].exact, -pair[1].rank, pair[0]["id"]),
    )
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
                    match.exact,
                    match.rank,
                )
            )
    return hits[:limit]


# --- finding each kind -----------------------------------------------------------------------


def find_persons(
    store: Store, query: PersonQuery, exclude_signal: int | None = None, limit: int = DEFAULT_LIMIT
) -> list[SearchHit]:
    # One index probe per way of reading the name (as written, other word as the surname, a
    # stored name written surname first); a person found twice is scored once.
    candidates: dict[int, dict[str, Any]] = {}
    for reading in query.surname_readings:
        surnames = q.similar_terms(store, "achternaam", reading.key)
        for row in q.person_candidates(
            store, surnames, reading.initials, reading.given, query.birth_year
        ):
            candidates.setdefault(row["id"], row)
    for reading in query.given_readings:
        givens = q.similar_terms(store, "voornaam", reading.key)
        for row in q.person_candidates_by_given(store, givens, reading.initials, query.birth_year):
            candidates.setdefault(row["id"], row)
    scored: list[tuple[dict[str, Any], Match]] = []
    for row in candidates.values():
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
    for row in q.organisation_candidates(store, groups, query.kvk):
        match = score_organisation(
            query, name_key_=row["name_key"], core_key=row["core_key"], kvk=row["kvk"]
        )
        if match is not None:
            scored.append((row, match))
    return _hits(store, "organisation", scored, organisation_label, exclude_signal, limit)


def find_text(store: Store, words: tuple[str, ...], limit: int) -> list[SearchHit]:
    hits: list[SearchHit] = []
    for row in q.text_matches(store, words, limit):
        link = SignalLink(
            row["ref"],
            row["received_on"],
            Step(row["step"]),
            row["municipality"],
            row["conclusion"],
            annulled=bool(row.get("annulled_on")),
        )
        hits.append(
            SearchHit("tekst", None, row["excerpt"], 50, (f"woorden in {row['source']}",), (link,))
        )
    return hits
