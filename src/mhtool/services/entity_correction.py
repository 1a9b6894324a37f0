"""Correcting a person, address or organisation (`mhtool persoon|adres|organisatie wijzig`),
and a person's role in one signal (`signaal wijzig --rol`).

A person, address or organisation can appear in several signals, closed ones included; a typo in
a name or house number is corrected once, for all of them, with a reason. The search keys are
recomputed exactly as for a new entry, and the old values stay in the history (a row of the
entity itself, so `mhtool ongedaan` can take it back).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mhtool.domain.dates import format_date
from mhtool.domain.enums import Role
from mhtool.domain.meldroute import refuse_if_annulled, refuse_if_closed
from mhtool.domain.normalise import house_number_display
from mhtool.domain.signal_input import (
    build_address,
    build_organisation,
    build_person,
    check_born_before,
    clean_text,
    parse_choice,
)
from mhtool.domain.signal_ref import parse_ref
from mhtool.domain.views import SignalDetail
from mhtool.errors import NotFoundError, ValidationError
from mhtool.services.audit import audited
from mhtool.services.signals import signal_detail
from mhtool.store import signals as q
from mhtool.store.connection import Store

TABLES = {"person": "persoon", "address": "adres", "organisation": "organisatie"}


def _given(value: str | None, option: str) -> str | None:
    if value is not None and not value.strip():
        raise ValidationError(f"{option} is leeg; geef de juiste waarde of laat de optie weg.")
    return value


def _reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationError("Voor een correctie is een reden verplicht (--reden).")
    return clean_text(reason, "Reden", required=True, limit=2_000)


def _current(store: Store, entity: str, entity_id: int) -> dict[str, Any]:
    row = q.find_entity(store, entity, entity_id)
    if row is None:
        raise NotFoundError(
            f"{TABLES[entity].capitalize()} met id {entity_id} bestaat niet; controleer het id."
        )
    return row


def _store_correction(
    store: Store,
    entity: str,
    entity_id: int,
    record: dict[str, Any],
    current: dict[str, Any],
    reason: str,
    user: str,
) -> list[str]:
    changes = {k: v for k, v in record.items() if current.get(k) != v}
    if not changes:
        raise ValidationError(
            f"Er verandert niets: {TABLES[entity]} {entity_id} heeft deze gegevens al."
        )
    q.update_row(
        store, entity, entity, entity_id, None, changes, user, "gecorrigeerd", {"reden": reason}
    )
    return sorted(changes)


def correct_person(
    store: Store,
    person_id: int,
    reason: str,
    user: str,
    *,
    name: str | None = None,
    birth: str | None = None,
    nationality: str | None = None,
) -> dict[str, Any]:
    for value, option in ((name, "--naam"), (birth, "--geboren"), (nationality, "--nationaliteit")):
        _given(value, option)
    if name is None and birth is None and nationality is None:
        raise ValidationError("Geef op wat er verandert: --naam, --geboren of --nationaliteit.")
    reason = _reason(reason)
    with audited(store, user, "persoon.wijzig", "persoon", str(person_id)) as entry:
        row = _current(store, "person", person_id)
        current_birth = (
            format_date(row["birth_date"])
            if row["birth_date"]
            else (str(row["birth_year"]) if row["birth_year"] else "")
        )
        person = build_person(
            row["name"] if name is None else name,
            "betrokkene",
            current_birth if birth is None else birth,
            row["nationality"] if nationality is None else nationality,
        )
        received = q.first_receipt_of_person(store, person_id)
        if received:
            check_born_before([person], dt.date.fromisoformat(received))
        fields = _store_correction(
            store, "person", person_id, q.person_record(person), row, reason, user
        )
        entry.details["velden"] = ",".join(fields)
        return _current(store, "person", person_id)


def correct_address(
    store: Store,
    address_id: int,
    reason: str,
    user: str,
    *,
    street: str | None = None,
    number: str | None = None,
    postcode: str | None = None,
    city: str | None = None,
) -> dict[str, Any]:
    for value, option in (
        (street, "--straat"),
        (number, "--nummer"),
        (postcode, "--postcode"),
        (city, "--plaats"),
    ):
        _given(value, option)
    if street is None and number is None and postcode is None and city is None:
        raise ValidationError(
            "Geef op wat er verandert: --straat, --nummer, --postcode of --plaats."
        )
    reason = _reason(reason)
    with audited(store, user, "adres.wijzig", "adres", str(address_id)) as entry:
        row = _current(store, "address", address_id)
        address = build_address(
            row["street"] if street is None else street,
            house_number_display(row["house_number"], row["house_addition"])
            if number is None
            else number,
            "",
            row["postcode"] if postcode is None else postcode,
            row["city"] if city is None else city,
        )
        fields = _store_correction(
            store, "address", address_id, q.address_record(address), row, reason, user
        )
        entry.details["velden"] = ",".join(fields)
        return _current(store, "address", address_id)


def correct_organisation(
    store: Store,
    organisation_id: int,
    reason: str,
    user: str,
    *,
    name: str | None = None,
    kvk: str | None = None,
    sector: str | None = None,
) -> dict[str, Any]:
    for value, option in ((name, "--naam"), (kvk, "--kvk"), (sector, "--sector")):
        _given(value, option)
    if name is None and kvk is None and sector is None:
        raise ValidationError("Geef op wat er verandert: --naam, --kvk of --sector.")
    reason = _reason(reason)
    with audited(store, user, "organisatie.wijzig", "organisatie", str(organisation_id)) as entry:
        row = _current(store, "organisation", organisation_id)
        organisation = build_organisation(
            row["name"] if name is None else name,
            row["kvk"] if kvk is None else kvk,
            row["sector"] if sector is None else sector,
        )
        fields = _store_correction(
            store,
            "organisation",
            organisation_id,
            q.organisation_record(organisation),
            row,
            reason,
            user,
        )
        entry.details["velden"] = ",".join(fields)
        return _current(store, "organisation", organisation_id)


def correct_role(
    store: Store, ref_text: str, person_id: int, role: str, reason: str, user: str
) -> SignalDetail:
    """The role of one person in one signal (slachtoffer, dader, betrokkene)."""
    ref = parse_ref(ref_text)
    new_role = parse_choice(Role, role, "Rol").value
    reason = _reason(reason)
    with audited(store, user, "signaal.wijzig", "signaal", ref) as entry:
        row = q.find_signal(store, ref)
        refuse_if_annulled(ref, row["annulled_on"])
        refuse_if_closed(row["step"])
        old_role = q.person_role(store, row["id"], person_id)
        if old_role is None:
            raise NotFoundError(
                f"Persoon {person_id} is niet gekoppeld aan signaal {ref}; zie 'mhtool signaal "
                f"toon {ref}'."
            )
        if old_role == new_role:
            raise ValidationError(f"Er verandert niets: persoon {person_id} is al {new_role}.")
        q.set_person_role(store, row["id"], person_id, new_role)
        q.record_history(
            store,
            user,
            "rol-gecorrigeerd",
            "person",
            person_id,
            row["id"],
            {"rol": {"oud": old_role, "nieuw": new_role}, "reden": reason},
        )
        entry.details["velden"] = "rol"
        return signal_detail(store, q.find_signal(store, ref))
