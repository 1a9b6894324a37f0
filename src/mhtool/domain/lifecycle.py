"""The case after step 5 (plan §6.3 flowchart, §7.1): status, follow-up, outcomes and norms.

The flowchart does not end at afronding. Each conclusion leads somewhere:

- "geen mensenhandel" -> terugkoppeling over de uitkomst en eventueel te nemen stappen, and a
  referral to a fitting (care) organisation (an outgoing `verwijzing`);
- "verder onderzoek en afstemming nodig" -> actie/vervolg with partners: the signal gets a
  follow-up action and stays open until every action is done;
- "duiding mensenhandel" -> terugkoppeling and actie/vervolg; acute means AVIM at once, not
  acute means afstemming with partners about the right approach (strafrechtelijk, opvang,
  bestuurlijke maatregelen are recorded as outcomes, also long after closing).

The case status follows HTCDS (Active / FollowUp / Closed / ClosedReferred) and is derived from
the step, the open actions and the referrals: nothing redundant is stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from mhtool.domain.enums import Conclusion, LabelledEnum, MeasureStatus, Step

# The norms live in domain/norms.py (the reminder after every command reads them without
# this module); re-exported here for the agenda and `normen`.
from mhtool.domain.norms import NORMS as NORMS
from mhtool.domain.norms import NORMS_BY_CODE as NORMS_BY_CODE
from mhtool.domain.norms import STEP_NORM as STEP_NORM
from mhtool.domain.norms import Norm as Norm
from mhtool.errors import ValidationError


class CaseStatus(StrEnum):
    """HTCDS case status, with the Dutch code shown to users and written in JSON."""

    ACTIVE = "actief"
    FOLLOW_UP = "vervolg"
    CLOSED = "afgesloten"
    CLOSED_REFERRED = "afgesloten-verwezen"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def htcds(self) -> str:
        return _STATUS_HTCDS[self]


_STATUS_LABELS = {
    CaseStatus.ACTIVE: "actief (in de meldroute)",
    CaseStatus.FOLLOW_UP: "vervolg (afgerond, vervolgacties open)",
    CaseStatus.CLOSED: "afgesloten",
    CaseStatus.CLOSED_REFERRED: "afgesloten en doorverwezen",
}
_STATUS_HTCDS = {
    CaseStatus.ACTIVE: "Active",
    CaseStatus.FOLLOW_UP: "FollowUp",
    CaseStatus.CLOSED: "Closed",
    CaseStatus.CLOSED_REFERRED: "ClosedReferred",
}


def derive_status(step: int, open_actions: int, referrals: int) -> CaseStatus:
    """A signal is open while it is in the meldroute or has an action that is not done."""
    if step < Step.CLOSED:
        return CaseStatus.ACTIVE
    if open_actions:
        return CaseStatus.FOLLOW_UP
    return CaseStatus.CLOSED_REFERRED if referrals else CaseStatus.CLOSED


class OutcomeKind(LabelledEnum):
    """What `signaal uitkomst` records after closing, each with a date."""

    FEEDBACK = "terugkoppeling"
    CRIMINAL_CASE = "strafrechtelijk"
    SHELTER = "opvang"
    MEASURE = "maatregel"
    REFERRAL = "verwijzing"
    COMENSHA = "comensha"
    REFLECTION_PERIOD = "bedenktijd"
    AVIM = "avim"

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self.value]

    def label_for(self, value: bool | None) -> str:
        """The label of a recorded yes/no outcome: 'niet strafrechtelijk opgepakt' for no."""
        return _NEGATIVE_LABELS.get(self.value, self.label) if value is False else self.label


_NEGATIVE_LABELS = {
    "strafrechtelijk": "niet strafrechtelijk opgepakt",
    "opvang": "geen opvang geregeld",
}
_OUTCOME_LABELS = {
    "terugkoppeling": "terugkoppeling aan de melder",
    "strafrechtelijk": "strafrechtelijk opgepakt",
    "opvang": "opvang geregeld",
    "maatregel": "bestuurlijke maatregel",
    "verwijzing": "verwijzing naar een (zorg)organisatie",
    "comensha": "geregistreerd bij CoMensha",
    "bedenktijd": "bedenktijd (B8) gestart",
    "avim": "AVIM (politie) ingeschakeld",
}


@dataclass(frozen=True)
class ConclusionPath:
    """Where a conclusion leads in the plan's flowchart, as `mhtool meldroute` shows it."""

    conclusion: Conclusion
    leads_to: str
    how: str
    creates_action: bool


CONCLUSION_PATHS: tuple[ConclusionPath, ...] = (
    ConclusionPath(
        Conclusion.NO_TRAFFICKING,
        "terugkoppeling over de uitkomst en verwijzing naar een passende (zorg)organisatie",
        "mhtool signaal uitkomst SIGNAAL --verwijzing PARTNER --reden '...'",
        creates_action=False,
    ),
    ConclusionPath(
        Conclusion.FURTHER_INQUIRY,
        "actie/vervolg met de ketenpartners; het signaal blijft open tot elke actie klaar is",
        "mhtool signaal actie SIGNAAL '...' --voor DATUM (bij afronding maakt mhtool er zelf een)",
        creates_action=True,
    ),
    ConclusionPath(
        Conclusion.TRAFFICKING,
        "terugkoppeling en actie/vervolg: acuut -> direct AVIM, niet acuut -> afstemming met "
        "partners over de aanpak (strafrechtelijk, opvang, bestuurlijke maatregel, CoMensha)",
        "mhtool signaal uitkomst SIGNAAL --strafrechtelijk / --opvang / --maatregel ... / "
        "--comensha",
        creates_action=False,
    ),
)

DEFAULT_FOLLOW_UP = "verder onderzoek en afstemming met de ketenpartners"


# How long after closing a missing terugkoppeling still shows in the agenda.
FEEDBACK_WINDOW_DAYS = 365


def parse_norm(code: str) -> Norm:
    cleaned = code.strip().lower()
    if cleaned in NORMS_BY_CODE:
        return NORMS_BY_CODE[cleaned]
    import difflib

    close = difflib.get_close_matches(cleaned, list(NORMS_BY_CODE), n=2, cutoff=0.6)
    hint = (" Bedoelt u " + " of ".join(f"'{c}'" for c in close) + "?") if close else ""
    raise ValidationError(
        f"Norm '{code.strip()}' is onbekend.{hint} Kies uit: {', '.join(NORMS_BY_CODE)}."
    )


class AgendaKind(StrEnum):
    """What the agenda lists, in the documented order: most urgent first."""

    ACUTE_WITHOUT_AVIM = "acuut-zonder-avim"
    ACTION_OVERDUE = "actie-te-laat"
    STEP_OVER_NORM = "stap-over-norm"
    B8_ENDING = "bedenktijd-loopt-af"
    FEEDBACK_OWED = "terugkoppeling-open"
    ACTION_DUE = "actie-binnenkort"

    @property
    def label(self) -> str:
        return _AGENDA_LABELS[self]

    @property
    def rank(self) -> int:
        return list(AgendaKind).index(self)


_AGENDA_LABELS = {
    AgendaKind.ACUTE_WITHOUT_AVIM: "acuut, AVIM nog niet ingeschakeld",
    AgendaKind.ACTION_OVERDUE: "vervolgactie over de datum",
    AgendaKind.STEP_OVER_NORM: "langer in een stap dan de norm",
    AgendaKind.B8_ENDING: "bedenktijd (B8) loopt af",
    AgendaKind.FEEDBACK_OWED: "terugkoppeling aan de melder nog niet gegeven",
    AgendaKind.ACTION_DUE: "vervolgactie binnenkort",
}


@dataclass(frozen=True)
class AgendaItem:
    kind: AgendaKind
    ref: str
    municipality: str
    due_on: str  # the day it was (or is) due
    what: str

    def days_late(self, today: dt.date) -> int:
        return (today - dt.date.fromisoformat(self.due_on)).days

    def sort_key(self, today: dt.date) -> tuple[int, int, str]:
        return (self.kind.rank, -self.days_late(today), self.ref)

    def as_json(self, today: dt.date) -> dict[str, object]:
        return {
            "soort": self.kind.value,
            "omschrijving_soort": self.kind.label,
            "signaal": self.ref,
            "gemeente": self.municipality,
            "datum": self.due_on,
            "dagen_te_laat": self.days_late(today),
            "wat": self.what,
        }


def check_measure_status(status: MeasureStatus | None) -> MeasureStatus:
    if status is None:
        codes = ", ".join(MeasureStatus.codes())
        raise ValidationError(f"Geef bij --maatregel ook --status op ({codes}).")
    return status
