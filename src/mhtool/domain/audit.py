"""The audit log's rules, without I/O: what an entry may contain and how the hash chain is made.

The BIO asks who did what, when, to which object, with what result. The file already holds the
personal data; the log must not become a second copy of it. So an entry holds codes, ids and
counts only, and the checks below refuse free text by construction: a search query, a name or a
description cannot be passed in by accident, because it does not look like a code.

Each entry's hash is SHA-256 over the previous entry's hash plus the entry's canonical content
(including its id), so changing, deleting or reordering a row breaks the chain from that row on.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mhtool.errors import ValidationError

GENESIS_HASH = "0" * 64

# Lower-case codes like "signaal.toon", "persoon", "avg-verzoek", "stap,gemeente".
_CODE = re.compile(r"^[a-z0-9][a-z0-9_.,:-]{0,79}$")
# Object ids: a signal reference (MH-2026-0001), a number, or empty when there is no one object.
_OBJECT_ID = re.compile(r"^(|MH-\d{4}-\d{4,}|\d{1,18})$")
# A reference number of a request dossier (e.g. "AVG-2026-014"): traceable, not personal. It
# must hold a digit, so a single word (a surname such as "Ionescu") is never taken for one.
_DOSSIER = re.compile(r"^(?=[^0-9]*[0-9])[A-Za-z0-9][A-Za-z0-9/._-]{0,39}$")

DetailValue = int | bool | str | None


class AuditResult(StrEnum):
    OK = "gelukt"
    REFUSED = "geweigerd"
    NOT_FOUND = "niet-gevonden"
    ANOMALY = "afwijking"  # `audit controleer` found the chain broken


def is_code(value: str) -> bool:
    return bool(_CODE.match(value))


def is_dossier_number(value: str) -> bool:
    return bool(_DOSSIER.match(value))


def check_entry(
    action: str, object_type: str, object_id: str, details: Mapping[str, DetailValue]
) -> None:
    """Refuse anything that is not a code, id or count: a programming error, never user input."""
    if not is_code(action) or not is_code(object_type):
        raise ValueError("audit action and object type must be lower-case codes")
    if not _OBJECT_ID.match(object_id):
        raise ValueError("audit object id must be a signal reference or a number")
    for key, value in details.items():
        if not is_code(key):
            raise ValueError("audit detail keys must be codes")
        if isinstance(value, str) and value and not (is_code(value) or is_dossier_number(value)):
            raise ValueError("audit detail values must be codes, numbers or booleans")
        if not isinstance(value, int | bool | str | type(None)):
            raise ValueError("audit detail values must be codes, numbers or booleans")


def check_user_name(name: str) -> str:
    """The "who" of every entry: a plain name, so the trail cannot be garbled or spoofed with
    terminal escapes or invisible characters."""
    if len(name) > 100:
        raise ValidationError("De gebruikersnaam is te lang (meer dan 100 tekens).")
    if any(not char.isprintable() for char in name):
        raise ValidationError(
            "De gebruikersnaam bevat een stuurteken of onzichtbaar teken; gebruik gewone letters."
        )
    return name


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    by_user: str
    action: str
    object_type: str
    object_id: str
    result: str
    details: dict[str, DetailValue]
    prev_hash: str
    hash: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "tijdstip": self.at,
            "door": self.by_user,
            "actie": self.action,
            "object": self.object_type,
            "object_id": self.object_id,
            "resultaat": self.result,
            "gegevens": self.details,
            "vorige_hash": self.prev_hash,
            "hash": self.hash,
        }


def canonical_details(details: Mapping[str, DetailValue]) -> str:
    return json.dumps(dict(details), ensure_ascii=True, sort_keys=True, separators=(",", ":"))


def entry_hash(
    prev_hash: str,
    entry_id: int,
    at: str,
    by_user: str,
    action: str,
    object_type: str,
    object_id: str,
    result: str,
    details_json: str,
) -> str:
    """SHA-256 over the previous hash and this entry's fields in a fixed, unambiguous form."""
    content = json.dumps(
        [entry_id, at, by_user, action, object_type, object_id, result, details_json],
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + content).encode("ascii")).hexdigest()


@dataclass(frozen=True)
class ChainCheck:
    """Outcome of `audit controleer`: intact, or where it first breaks and why (in Dutch)."""

    rows: int
    first_broken_id: int | None
    problem: str
    head_hash: str
    triggers_present: bool
    checked_from: int = 1  # the first row read this time (after the last verified checkpoint)

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None and self.triggers_present and not self.problem

    def as_json(self) -> dict[str, Any]:
        return {
            "in_orde": self.ok,
            "regels": self.rows,
            "eerste_fout_id": self.first_broken_id,
            "probleem": self.problem or None,
            "laatste_hash": self.head_hash,
            "beveiliging_aanwezig": self.triggers_present,
            "gecontroleerd_vanaf_regel": self.checked_from,
        }
