"""Use cases that complete a signal after it was logged: enrich it with more persons, addresses
and organisations (step 2 'verrijken'), and correct mistakes in its fields.

Both are refused on a closed signal, like every other change, and both leave a history row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from mhtool.domain.meldroute import refuse_if_closed
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
from mhtool.services.signals import signal_detail
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
        refuse_if_closed(row["step"])
        if not reason.strip():
            raise ValidationError("Voor een correctie is een reden verplicht (--reden).")
        reason = clean_text(reason, "Reden", required=True, limit=2_000)
        wanted: dict[str, object] = {
            "municipality": correction.municipality,
            "reporter": correction.reporter,
            "reporter_department": correction.reporter_department,
            "channel": correction.channel.value if correction.channel else None,
            "description": correction.description,
            "acute": None if correction.acute is None else int(correction.acute),
        }
        changes = {k: v for k, v in wanted.items() if v is not None and row[k] != v}
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
