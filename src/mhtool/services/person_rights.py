"""AVG rights: everything held about one person (inzage), and removing a person completely.

Both are audited by person id only. Removal deletes the person row, every row that refers to
it (found from the schema, see `mhtool.store.erasure`), the history rows about the person, and
replaces the name wherever it was quoted in free text (descriptions, notes, step notes, history
values), then rebuilds/optimizes full-text indexes and VACUUMs the file.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from mhtool.domain.person_rights import AccessExport, ErasureReason, ErasureReport
from mhtool.errors import NotAllowedError
from mhtool.services.audit import audited
from mhtool.services.private_files import staged_private_file
from mhtool.services.signals import signal_detail
from mhtool.store import audit as audit_store
from mhtool.store import erasure
from mhtool.store import person_rights as q
from mhtool.store.audit import AuditFilter
from mhtool.store.connection import Store, now_iso
from mhtool.store.schema_info import tables_hiding_rows
from mhtool.store.signals import record_history

REVIEW_NOTE = (
    "Controleer dit overzicht voordat u het verstrekt: gegevens over anderen (andere personen, "
    "de melder) en informatie die de aanpak van mensenhandel kan schaden, mogen worden "
    "weggelakt of weggelaten (art. 15 lid 4 en art. 23 AVG)."
)


def _signal_for_subject(store: Store, row: dict[str, Any], person_id: int) -> dict[str, Any]:
    """The signal as `signaal toon --json` shows it, without other people's personal data."""
    data = signal_detail(store, row).as_json()
    others = [p for p in data["personen"] if p["id"] != person_id]
    data["personen"] = [p for p in data["personen"] if p["id"] == person_id]
    data["andere_personen"] = len(others)
    # History rows about other people carry their names in the changes: leave them out.
    other_ids = {p["id"] for p in others}
    data["historie"] = [
        h
        for h in data["historie"]
        if not (h["object"] == "persoon" and h["object_id"] in other_ids)
    ]
    data["rol_van_persoon"] = row["role"]
    data["vernietigingsdatum"] = row["destroy_on"]
    return data


def access_report(store: Store, person_id: int, user: str) -> dict[str, Any]:
    person = q.find_person(store, person_id)
    signal_rows = q.signals_of_person(store, person_id)
    refs = tuple(r["ref"] for r in signal_rows)
    person_entries = audit_store.entries(
        store, AuditFilter(object_type="persoon", object_ids=(str(person_id),))
    )
    signal_entries = (
        audit_store.entries(store, AuditFilter(object_type="signaal", object_ids=refs))
        if refs
        else []
    )
    return {
        "soort": "inzage persoonsgegevens (art. 15 AVG)",
        "gemaakt_op": now_iso(),
        "gemaakt_door": user,
        "let_op": REVIEW_NOTE,
        "persoon": {
            "id": person["id"],
            "naam": person["name"],
            "geboortedatum": person["birth_date"],
            "geboortejaar": person["birth_year"],
            "nationaliteit": person["nationality"],
            "vastgelegd_op": person["created_at"],
        },
        "signalen": [_signal_for_subject(store, r, person_id) for r in signal_rows],
        "historie": [
            {
                "tijdstip": h["at"],
                "door": h["by_user"],
                "actie": h["action"],
                "wijzigingen": json.loads(h["changes"]),
            }
            for h in q.person_history(store, person_id)
        ],
        "inzage_en_wijzigingen": [
            {k: v for k, v in e.as_json().items() if k not in ("vorige_hash", "hash")}
            for e in sorted([*person_entries, *signal_entries], key=lambda e: e.id)
        ],
    }


def default_export_path(person_id: int, today: dt.date | None = None) -> Path:
    day = (today or dt.date.today()).isoformat()
    return Path(f"inzage-persoon-{person_id}-{day}.json")


def export_person(store: Store, person_id: int, path: Path | None, user: str) -> AccessExport:
    """Write the report (mode 0600) to a private temporary file inside the audited
    transaction, and put it in place only after that has committed: no report exists without
    its audit entry, also when the process is killed in between."""
    target = path or default_export_path(person_id)
    with (
        staged_private_file(target) as stage,
        audited(store, user, "persoon.inzage", "persoon", str(person_id)) as entry,
    ):
        report = access_report(store, person_id, user)
        entry.details["signalen"] = len(report["signalen"])
        stage(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    written = target.expanduser()
    return AccessExport(person_id, str(written), tuple(s["id"] for s in report["signalen"]))


def erase_person(
    store: Store, person_id: int, reason: ErasureReason, dossier: str, user: str
) -> ErasureReport:
    with audited(store, user, "persoon.verwijder", "persoon", str(person_id)) as entry:
        entry.details.update(reden=reason.value, kenmerk=dossier or None)
        person = q.find_person(store, person_id)
        signal_rows = q.signals_of_person(store, person_id)
        for row in signal_rows:
            record_history(
                store,
                user,
                "persoon-verwijderd",
                "signal",
                row["id"],
                row["id"],
                {"persoon_id": person_id, "reden": reason.value},
            )
        # Whoever stays with a name written like this one: such a form is not replaced.
        others = tuple(q.namesakes(store, person))
        # Names before a correction, read before the person's history rows go.
        former = [
            (n, tuple(q.namesakes_of_name(store, person_id, n)))
            for n in q.former_names(store, person)
        ]
        removed = erasure.delete_entity(store, "person", "person", person_id, "person_id")
        if removed.get("person", 0) != 1:
            # On a server row-level security hides the links to signals of a gemeente the
            # login does not see; once the visible links are gone, the person row is hidden
            # too and the DELETE silently skips it. Erasure is all or nothing: roll back.
            raise NotAllowedError(
                f"Persoon {person_id} staat ook in signalen van een gemeente die niet aan u is "
                "toegewezen; een persoon wordt uit alle signalen tegelijk verwijderd, dus dat kan "
                "alleen wie al die signalen ziet: vraag het de beheerder (als eigenaar van de "
                "database). Er is niets gewijzigd."
            )
        erasure.forget_in_checks(store, "persoon", person_id)
        own = frozenset(r["id"] for r in signal_rows)
        scrubbed = erasure.scrub_name(store, person["name"], own, others)
        for name, namesakes in former:
            scrubbed = scrubbed.plus(erasure.scrub_name(store, name, own, namesakes))
        # Signals that only mentioned the person in their text changed too: never silently.
        elsewhere = {i: ref for i, ref in scrubbed.changed_signals.items() if i not in own}
        for signal_id in elsewhere:
            record_history(
                store,
                user,
                "naam-verwijderd",
                "signal",
                signal_id,
                signal_id,
                {"persoon_id": person_id, "reden": reason.value},
            )
        erasure.refresh_fts(store)
        # Texts this login cannot see were not searched for the name: said, never silent.
        partial_view = "signal" in tables_hiding_rows(store)
        entry.details.update(
            alleen_eigen_gemeenten=partial_view,
            signalen=len(signal_rows),
            teksten_geschoond=scrubbed.texts,
            na_te_kijken=len(scrubbed.to_review),
            andere_signalen=len(elsewhere),
            **removed,
        )
    erasure.compact(store, f"Persoon {person_id} is verwijderd")
    return ErasureReport(
        person_id,
        reason,
        dossier,
        tuple(r["ref"] for r in signal_rows),
        removed,
        scrubbed.texts,
        scrubbed.first_name_left_in,
        tuple(elsewhere.values()),
        scrubbed.to_review,
        partial_view,
    )
