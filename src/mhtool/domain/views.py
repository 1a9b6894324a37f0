"""What services hand to the CLI and exporters: frozen, typed, and convertible to JSON.

JSON keys are Dutch and stable: scripts of the municipality depend on them. Add keys freely,
never rename or remove one without a note in CHANGELOG.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from mhtool.domain.dates import minor_on
from mhtool.domain.enums import Step
from mhtool.domain.lifecycle import CaseStatus, derive_status
from mhtool.domain.normalise import house_number_display


@dataclass(frozen=True)
class PersonView:
    id: int
    name: str
    role: str
    birth_date: str | None
    birth_year: int | None
    nationality: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "naam": self.name,
            "rol": self.role,
            "geboortedatum": self.birth_date,
            "geboortejaar": self.birth_year,
            "nationaliteit": self.nationality,
        }


@dataclass(frozen=True)
class AddressView:
    id: int
    street: str
    house_number: int
    house_addition: str
    postcode: str
    city: str

    @property
    def one_line(self) -> str:
        number = house_number_display(self.house_number, self.house_addition)
        parts = [f"{self.street} {number}".strip(), f"{self.postcode} {self.city}".strip()]
        return ", ".join(p for p in parts if p)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "straat": self.street,
            "huisnummer": self.house_number,
            "toevoeging": self.house_addition,
            "huisnummer_volledig": house_number_display(self.house_number, self.house_addition),
            "postcode": self.postcode,
            "plaats": self.city,
        }


@dataclass(frozen=True)
class OrganisationView:
    id: int
    name: str
    kvk: str
    sector: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "naam": self.name, "kvk": self.kvk, "sector": self.sector}


@dataclass(frozen=True)
class EventView:
    kind: str
    from_step: int | None
    to_step: int | None
    on_date: str
    by_user: str
    note: str
    reason: str
    details: dict[str, Any]
    recorded_at: str

    def as_json(self) -> dict[str, Any]:
        return {
            "soort": self.kind,
            "van_stap": self.from_step,
            "naar_stap": self.to_step,
            "datum": self.on_date,
            "door": self.by_user,
            "notitie": self.note,
            "reden": self.reason,
            "gegevens": self.details,
            "vastgelegd": self.recorded_at,
        }


@dataclass(frozen=True)
class NoteView:
    id: int
    on_date: str
    by_user: str
    text: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "datum": self.on_date, "door": self.by_user, "tekst": self.text}


# Dutch names for what the history table stores in English (entity, field and action codes),
# shared by the terminal view and --json so both speak the user's language.
HISTORY_ENTITIES = {
    "signal": "signaal",
    "person": "persoon",
    "address": "adres",
    "organisation": "organisatie",
    "note": "notitie",
    "step_event": "verloop",
    "follow_up_action": "vervolgactie",
    "outcome": "uitkomst",
    "setting": "instelling",
}

HISTORY_FIELDS = {
    "step": "stap",
    "step_since": "stap_sinds",
    "municipality": "gemeente",
    "reporter": "melder",
    "reporter_department": "afdeling",
    "channel": "kanaal",
    "description": "omschrijving",
    "conclusion": "conclusie",
    "feedback_given": "terugkoppeling",
    "feedback_on": "terugkoppeling_op",
    "criminal_case": "strafrechtelijk_opgepakt",
    "shelter_arranged": "opvang",
    "closed_on": "afgerond_op",
    "destroy_on": "vernietigingsdatum",
    "ref": "nummer",
    "year": "jaar",
    "received_year": "ontvangstjaar",
    "seq": "volgnummer",
    "received_on": "ontvangen",
    "acute": "acuut",
    "avim_informed_at": "avim_geinformeerd",
    "created_at": "aangemaakt",
    "created_by": "aangemaakt_door",
    "updated_at": "bijgewerkt",
    "name": "naam",
    "name_key": "naamsleutel",
    "birth_date": "geboortedatum",
    "birth_year": "geboortejaar",
    "nationality": "nationaliteit",
    "street": "straat",
    "street_key": "straatsleutel",
    "house_number": "huisnummer",
    "house_addition": "toevoeging",
    "house_key": "huisnummersleutel",
    "city": "plaats",
    "city_key": "plaatssleutel",
    "postcode": "postcode",
    "kvk": "kvk",
    "sector": "sector",
    "core_key": "naamkernsleutel",
    "given_key": "voornaamsleutel",
    "initial": "voorletter",
    "surname_key": "achternaamsleutel",
    "on_date": "datum",
    "annulled_on": "vervallen_op",
    "maatregelen": "maatregelen",
    "due_on": "voor",
    "done_on": "klaar_op",
    "done_by": "klaar_door",
    "done_note": "toelichting_klaar",
}
# Stored as ISO moments; shown as dd-mm-jjjj uu:mm in `signaal toon`.
HISTORY_MOMENTS = frozenset({"avim_informed_at"})
# Stored as 0/1 or ISO dates; shown as ja/nee and dd-mm-jjjj in `signaal toon`.
HISTORY_YES_NO = frozenset({"acute", "feedback_given", "criminal_case", "shelter_arranged"})
HISTORY_DATES = frozenset(
    {
        "step_since",
        "feedback_on",
        "closed_on",
        "destroy_on",
        "received_on",
        "on_date",
        "birth_date",
        "annulled_on",
        "due_on",
        "done_on",
    }
)

HISTORY_ACTIONS = {
    "stap-stap": "naar volgende stap",
    "stap-overslaan": "stap overgeslagen",
    "stap-terug": "stap terug",
    "vervallen": "vervallen verklaard",
    "vervallen-hersteld": "vervallen hersteld",
    "ongedaan": "ongedaan gemaakt",
    "actie-aangemaakt": "vervolgactie aangemaakt",
    "actie-klaar": "vervolgactie klaar",
    "uitkomst": "uitkomst vastgelegd",
    "uitkomst-signaal": "uitkomst bijgewerkt",
}


@dataclass(frozen=True)
class HistoryView:
    at: str
    by_user: str
    entity: str
    entity_id: int | None
    action: str
    changes: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "tijdstip": self.at,
            "door": self.by_user,
            "object": HISTORY_ENTITIES.get(self.entity, self.entity),
            "object_id": self.entity_id,
            "actie": HISTORY_ACTIONS.get(self.action, self.action),
            "wijzigingen": {HISTORY_FIELDS.get(k, k): v for k, v in self.changes.items()},
        }


@dataclass(frozen=True)
class SignalSummary:
    ref: str
    received_on: str
    municipality: str
    channel: str
    forms: tuple[str, ...]
    acute: bool
    avim_informed_at: str | None
    step: Step
    step_since: str
    conclusion: str | None
    closed_on: str | None
    annulled_on: str | None = None

    @property
    def annulled(self) -> bool:
        return self.annulled_on is not None

    open_actions: bool = False
    referred: bool = False
    destroy_on: str | None = None

    @property
    def status(self) -> CaseStatus:
        return derive_status(self.step, int(self.open_actions), int(self.referred))

    @property
    def is_open(self) -> bool:
        """Open work: in the meldroute or with an open action, unless annulled (vervallen)."""
        return not self.annulled and self.status in (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP)

    def days_in_step(self, today: dt.date | None = None) -> int:
        today = today or dt.date.today()
        return (today - dt.date.fromisoformat(self.step_since)).days

    def as_json(self, today: dt.date | None = None) -> dict[str, Any]:
        return {
            "id": self.ref,
            "ontvangen": self.received_on,
            "gemeente": self.municipality,
            "kanaal": self.channel,
            "vormen": list(self.forms),
            "acuut": self.acute,
            "avim_geinformeerd": self.avim_informed_at,
            "stap": int(self.step),
            "stap_naam": self.step.label,
            "stap_sinds": self.step_since,
            "dagen_in_stap": self.days_in_step(today),
            "conclusie": self.conclusion,
            "afgerond_op": self.closed_on,
            "vervallen": self.annulled,
            "vervallen_op": self.annulled_on,
            "status": self.status.value,
            "status_htcds": self.status.htcds,
            "open": self.is_open,
        }


@dataclass(frozen=True)
class ActionView:
    """A follow-up action (actie/vervolg), numbered per signal."""

    seq: int
    description: str
    due_on: str
    partner: str
    created_on: str
    created_by: str
    done_on: str | None
    done_by: str | None
    done_note: str

    def as_json(self) -> dict[str, Any]:
        return {
            "nummer": self.seq,
            "omschrijving": self.description,
            "voor": self.due_on,
            "partner": self.partner or None,
            "aangemaakt_op": self.created_on,
            "aangemaakt_door": self.created_by,
            "klaar_op": self.done_on,
            "klaar_door": self.done_by,
            "toelichting_klaar": self.done_note,
        }


@dataclass(frozen=True)
class OutcomeView:
    """Something that happened after closing (or AVIM engaged later), with its date."""

    kind: str
    on_date: str
    value: bool | None
    measure: str | None
    measure_status: str | None
    partner: str
    ends_on: str | None
    note: str
    created_by: str

    def as_json(self) -> dict[str, Any]:
        return {
            "soort": self.kind,
            "datum": self.on_date,
            "waarde": self.value,
            "maatregel": self.measure,
            "maatregel_status": self.measure_status,
            "partner": self.partner or None,
            "tot": self.ends_on,
            "toelichting": self.note,
            "door": self.created_by,
        }


@dataclass(frozen=True)
class SignalDetail:
    summary: SignalSummary
    reporter: str
    reporter_department: str
    description: str
    feedback_given: bool | None
    feedback_on: str | None
    criminal_case: bool | None
    shelter_arranged: bool | None
    measures: tuple[str, ...]
    created_at: str
    created_by: str
    persons: tuple[PersonView, ...] = ()
    addresses: tuple[AddressView, ...] = ()
    organisations: tuple[OrganisationView, ...] = ()
    events: tuple[EventView, ...] = ()
    notes: tuple[NoteView, ...] = ()
    history: tuple[HistoryView, ...] = field(default=())
    actions: tuple[ActionView, ...] = ()
    outcomes: tuple[OutcomeView, ...] = ()

    def as_json(self, today: dt.date | None = None) -> dict[str, Any]:
        data = self.summary.as_json(today)
        data.update(
            {
                "melder": self.reporter,
                "melder_afdeling": self.reporter_department,
                "omschrijving": self.description,
                "terugkoppeling_gegeven": self.feedback_given,
                "terugkoppeling_op": self.feedback_on,
                "strafrechtelijk_opgepakt": self.criminal_case,
                "opvang_geregeld": self.shelter_arranged,
                "bestuurlijke_maatregelen": list(self.measures),
                "aangemaakt": self.created_at,
                "aangemaakt_door": self.created_by,
                "personen": [
                    {
                        **p.as_json(),
                        "minderjarig_bij_ontvangst": minor_on(
                            p.birth_date, p.birth_year, self.summary.received_on
                        ),
                    }
                    for p in self.persons
                ],
                "adressen": [a.as_json() for a in self.addresses],
                "organisaties": [o.as_json() for o in self.organisations],
                "verloop": [e.as_json() for e in self.events],
                "notities": [n.as_json() for n in self.notes],
                "historie": [h.as_json() for h in self.history],
                "acties": [a.as_json() for a in self.actions],
                "uitkomsten": [o.as_json() for o in self.outcomes],
            }
        )
        return data
