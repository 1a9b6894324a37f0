"""Use cases that complete a signal after it was logged: enrich it with more persons, addresses
and organisations (step 2 'verrijken'), and correct mistakes in its fields.

Both are refused on a closed signal, like every other change, and both leave a history row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from mhtool.domain.dates import format_date
from mhtool.domain.enums import Role
from mhtool.domain.meldroute import refuse_if_annulled, refuse_if_closed
from mhtool.domain.signal_correction import SignalCorrection
from mhtool.domain.signal_input import (
    AddressInput,
    OrganisationInput,
    PersonInput,
    check_born_before,
    clean_text,
)
from mhtool.domain.signal_ref import parse_ref
from mhtool.domain.views import SignalDetail
from mhtool.errors import ValidationError
from mhtool.services.audit import audited
from mhtool.services.signals import check_recordable, signal_detail
from mhtool.store import signals as q
from mhtool.store.connection import Store


def enrich_signal(
    store: Store,
    ref_text: str,
    persons: Sequence[PersonInput],
    addresses: Sequence[AddressInput],
    organisations: Sequence[OrganisationInput],
    user: str,
) -> SignalDetail:
    ref = parse_ref(ref_text)
    if not (persons or addresses or organisations):
        raise ValidationError("Geef ten minste één --persoon, --adres of --organisatie op.")
    with audited(store, user, "signaal.verrijk", "signaal", ref) as entry:
        entry.details.update(
            personen=len(persons), adressen=len(addresses), organisaties=len(organisations)
        )
        row = q.find_signal(store, ref)
        refuse_if_annulled(ref, row["annulled_on"])
        refuse_if_closed(row["step"])
        check_born_before(persons, dt.date.fromisoformat(row["received_on"]))
        for person in persons:
            q.link_person(store, row["id"], person, user)
        for address in addresses:
            q.link_address(store, row["id"], address, user)
        for organisation in organisations:
            q.link_organisation(store, row["id"], organisation, user)
        q.update_signal(store, row["id"], {}, user, "verrijkt")
        return signal_detail(store, q.find_signal(store, ref))


def correct_signal(
    store: Store, ref_text: str, correction: SignalCorrection, reason: str, user: str
) -> SignalDetail:
    ref = parse_ref(ref_text)
    with audited(store, user, "signaal.wijzig", "signaal", ref) as entry:
        row = q.find_signal(store, ref)
        refuse_if_annulled(ref, row["annulled_on"])
        refuse_if_closed(row["step"])
        if not reason.strip():
            raise ValidationError("Voor een correctie is een reden verplicht (--reden).")
        reason = clean_text(reason, "Reden", required=True, limit=2_000)
        wanted: dict[str, object] = {
            "received_on": correction.received_on.isoformat() if correction.received_on else None,
            "municipality": correction.municipality,
            "reporter": correction.reporter,
            "reporter_department": correction.reporter_department,
            "channel": correction.channel.value if correction.channel else None,
            "description": correction.description,
            "acute": None if correction.acute is None else int(correction.acute),
        }
        changes = {k: v for k, v in wanted.items() if v is not None and row[k] != v}
        if "municipality" in changes:
            check_recordable(store.writable_municipalities(), str(changes["municipality"]))
        if "received_on" in changes and correction.received_on is not None:
            changes.update(_receipt_date_change(store, row, correction.received_on, user))
        noted: dict[str, object] = {"reden": reason}
        if correction.forms is not None:
            before = sorted(r["form"] for r in q.signal_children(store, row["id"])["forms"])
            after = sorted(f.value for f in correction.forms)
            if before != after:
                q.replace_forms(store, row["id"], after)
                noted["vormen"] = {"oud": before, "nieuw": after}
        if not changes and "vormen" not in noted:
            raise ValidationError(
                f"Er verandert niets: signaal {ref} heeft deze gegevens al; controleer de opties."
            )
        # Which fields, never their values: the audit log holds no personal data.
        entry.details["velden"] = ",".join(
            sorted([*changes, *(["forms"] if "vormen" in noted else [])])
        )
        q.update_signal(store, row["id"], changes, user, "gecorrigeerd", extra=noted)
        return signal_detail(store, q.find_signal(store, ref))


def _receipt_date_change(
    store: Store, row: dict[str, Any], new_date: dt.date, user: str
) -> dict[str, Any]:
    """Check a corrected receipt date against everything dated after the receipt, move the
    'ontvangst' event with it (its own history row), and return the other signal fields that
    follow: step 1 started on the receipt date."""
    later = q.latest_dates(store, row["id"])
    for what, day in (
        ("een stap", later.get("event")),
        ("de AVIM-melding", later.get("avim")),
        ("een notitie", later.get("note")),
        ("een vervolgactie", later.get("action")),
        ("een uitkomst", later.get("outcome")),
    ):
        if day and day < new_date.isoformat():
            raise ValidationError(
                f"De nieuwe ontvangstdatum ({format_date(new_date)}) ligt na de datum van "
                f"{what} ({format_date(day)}); controleer --datum."
            )
    if row["avim_informed_at"] and row["avim_informed_at"][:10] < new_date.isoformat():
        raise ValidationError(
            f"De nieuwe ontvangstdatum ({format_date(new_date)}) ligt na het moment dat AVIM "
            "is ingeschakeld; controleer --datum."
        )
    persons = q.signal_children(store, row["id"])["persons"]
    check_born_before(
        [
            PersonInput(
                name=p["name"],
                role=Role(p["role"]),
                birth_date=dt.date.fromisoformat(p["birth_date"]) if p["birth_date"] else None,
                birth_year=p["birth_year"],
            )
            for p in persons
        ],
        new_date,
    )
    event = q.receipt_event(store, row["id"])
    if event is not None and event["on_date"] != new_date.isoformat():
        q.update_row(
            store,
            "step_event",
            "step_event",
            event["id"],
            row["id"],
            {"on_date": new_date.isoformat()},
            user,
            "gecorrigeerd",
        )
    # The statistics year moves with the date (a trigger would do it too; named here so the
    # history holds it and `ongedaan` puts it back).
    follows: dict[str, Any] = {"received_year": new_date.year}
    if row["step"] == 1 and row["step_since"] == row["received_on"]:
        follows["step_since"] = new_date.isoformat()
    return follows
