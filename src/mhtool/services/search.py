"""The `mhtool zoek` use cases: one search over whatever the user gave, and the step-2 check of
one signal shown without moving it.

Finding each kind lives in `entity_finders`, the check of a signal's own entities in
`earlier_records`, the result types in `search_hits`.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING

from mhtool.domain.matching import (
    address_query,
    clean_query,
    free_query,
    organisation_query,
    person_query,
)
from mhtool.domain.signal_ref import parse_ref
from mhtool.errors import NotFoundError, ValidationError
from mhtool.services.audit import Audited, audited
from mhtool.services.entity_finders import (
    find_addresses,
    find_organisations,
    find_persons,
    find_text,
)
from mhtool.services.search_hits import DEFAULT_LIMIT, SearchHit, SearchResult, ranked
from mhtool.store import search as q
from mhtool.store.connection import Store

if TYPE_CHECKING:  # earlier_records is imported by check_signal only
    from mhtool.services.earlier_records import EntityCheck


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
                # --geboren with a free text: a year alone counts too (it was dropped).
                pq = dataclasses.replace(
                    fq.person,
                    birth_date=birth_date or fq.person.birth_date,
                    birth_year=birth_year or fq.person.birth_year,
                )
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
        ranked(hits, limit),
    )


def check_signal(store: Store, ref_text: str, user: str | None = None) -> list[EntityCheck]:
    """`mhtool zoek --signaal REF`: the step-2 check, shown without moving the signal."""
    from mhtool.services.earlier_records import check_signal_entities

    ref = parse_ref(ref_text)
    with session(store, user, "zoek.signaal", "signaal", ref) as note:
        signal_id = q.signal_id_of(store, ref)
        if signal_id is None:
            raise NotFoundError(f"Signaal {ref} bestaat niet; zie 'mhtool signaal lijst'.")
        checks = check_signal_entities(store, signal_id)
        note.details["aantal"] = sum(len(c.hits) for c in checks)
        return checks
