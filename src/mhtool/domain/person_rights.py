"""AVG rights of a person held in the file: inzage (art. 15) and verwijdering (art. 17).

Why a person is removed is recorded in the audit log as a code plus, optionally, the reference
number of the request dossier, never as free text: a typed reason tends to contain the very
name that was just removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mhtool.domain.audit import is_dossier_number
from mhtool.errors import ValidationError


class ErasureReason(StrEnum):
    REQUEST = "avg-verzoek"
    INCORRECT = "onjuist"
    DUPLICATE = "dubbel"
    OBJECTION = "bezwaar"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    ErasureReason.REQUEST: "verzoek tot wissing van de betrokkene (art. 17 AVG)",
    ErasureReason.INCORRECT: "ten onrechte of onjuist vastgelegd",
    ErasureReason.DUPLICATE: "dubbel vastgelegd",
    ErasureReason.OBJECTION: "bezwaar van de betrokkene gehonoreerd (art. 21 AVG)",
}


def parse_reason(value: str) -> ErasureReason:
    cleaned = value.strip().lower()
    for reason in ErasureReason:
        if cleaned == reason.value:
            return reason
    codes = ", ".join(r.value for r in ErasureReason)
    raise ValidationError(
        f"Reden '{value.strip()}' is onbekend; kies uit: {codes}. Een toelichting hoort in het "
        "dossier van het verzoek; geef het kenmerk daarvan met --kenmerk."
    )


def check_dossier(value: str) -> str:
    cleaned = value.strip()
    if cleaned and not is_dossier_number(cleaned):
        raise ValidationError(
            "Het kenmerk moet een dossiernummer zijn met minstens één cijfer en alleen letters, "
            "cijfers en - / . _ (bijvoorbeeld AVG-2026-014), geen naam of zin."
        )
    return cleaned


@dataclass(frozen=True)
class ErasureReport:
    person_id: int
    reason: ErasureReason
    dossier: str
    signals: tuple[str, ...]
    removed: dict[str, int]
    scrubbed_texts: int
    first_name_left_in: tuple[str, ...] = ()
    name_removed_elsewhere: tuple[str, ...] = ()  # signals not linked to the person
    # Places where a form of the name was left because it could also be someone who stays.
    to_review: tuple[str, ...] = ()
    # On a server: the login does not see every signal (row-level security), so texts of
    # other gemeenten were not searched for the name.
    own_gemeenten_only: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "persoon_id": self.person_id,
            "reden": self.reason.value,
            "kenmerk": self.dossier or None,
            "signalen": list(self.signals),
            "verwijderd": self.removed,
            "teksten_geschoond": self.scrubbed_texts,
            "voornaam_nog_in": list(self.first_name_left_in),
            "naam_ook_verwijderd_uit": list(self.name_removed_elsewhere),
            "na_te_kijken": list(self.to_review),
            "alleen_eigen_gemeenten": self.own_gemeenten_only,
        }


@dataclass(frozen=True)
class AccessExport:
    person_id: int
    path: str
    signals: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"persoon_id": self.person_id, "bestand": self.path, "signalen": list(self.signals)}
