"""Closed vocabularies of the meldroute, taken from the municipal policy plan.

The enum *values* are the stable Dutch codes users type in flags and scripts read in JSON; they
are stored in the database as-is, so never rename a value without a migration. `label` is the
wording shown to people.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Step(IntEnum):
    """The five steps of the internal meldroute (plan §6.3)."""

    RECEIVED = 1
    RECORDED = 2
    DISCUSSED_LOCAL = 3
    DISCUSSED_REGIONAL = 4
    CLOSED = 5

    @property
    def label(self) -> str:
        return _STEP_LABELS[self]

    @property
    def short(self) -> str:
        return _STEP_SHORT[self]


_STEP_LABELS = {
    Step.RECEIVED: "stap 1 ontvangst signaal",
    Step.RECORDED: "stap 2 vastleggen en verrijken",
    Step.DISCUSSED_LOCAL: "stap 3 bespreken met politie (OE wijk) en zorgcoördinator",
    Step.DISCUSSED_REGIONAL: "stap 4 bespreken met RIEC / HvO Querido",
    Step.CLOSED: "stap 5 afronding",
}
_STEP_SHORT = {
    Step.RECEIVED: "1 ontvangst",
    Step.RECORDED: "2 vastleggen",
    Step.DISCUSSED_LOCAL: "3 lokaal",
    Step.DISCUSSED_REGIONAL: "4 regionaal",
    Step.CLOSED: "5 afgerond",
}


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry a Dutch label for display."""

    @property
    def label(self) -> str:
        return _LABELS.get(self.value, self.value)

    @classmethod
    def codes(cls) -> list[str]:
        return [m.value for m in cls]

    @classmethod
    def label_of(cls, code: str | None) -> str:
        """The label of a stored code; an unknown code (from a newer version) as it is."""
        if not code:
            return ""
        try:
            return cls(code).label
        except ValueError:
            return code


class Form(LabelledEnum):
    """Vorm van uitbuiting (plan bijlage 1)."""

    SEXUAL = "seksueel"
    LABOUR = "arbeid"
    CRIMINAL = "crimineel"
    ORGAN_REMOVAL = "orgaanverwijdering"
    UNKNOWN = "onbekend"


class Channel(LabelledEnum):
    """How the signal reached the aandachtsfunctionaris (plan §6.3 step 1)."""

    MAIL = "mail"
    MELDPUNT = "meldpunt"
    IN_PERSON = "persoonlijk"
    PHONE = "telefoon"
    PARTNER = "ketenpartner"


class Role(LabelledEnum):
    VICTIM = "slachtoffer"
    PERPETRATOR = "dader"
    INVOLVED = "betrokkene"


class Conclusion(LabelledEnum):
    """Outcome at step 5 (plan flowchart)."""

    NO_TRAFFICKING = "geen"
    FURTHER_INQUIRY = "verder-onderzoek"
    TRAFFICKING = "duiding"


class Partner(LabelledEnum):
    """Partners consulted in steps 3 and 4, given follow-up actions and referred to (plan §6.3,
    §6.5, §7.1, bijlage 4 and bijlage 5)."""

    OE_WIJK = "oe-wijk"
    CARE_COORDINATOR = "zorgcoordinator"
    RIEC = "riec"
    QUERIDO = "querido"
    AVIM = "avim"
    VEILIG_THUIS = "veilig-thuis"
    NLA = "nla"
    ZVH = "zvh"
    POLICE = "politie"
    OM = "om"
    COMENSHA = "comensha"
    FAIRWORK = "fairwork"
    NIDOS = "nidos"
    COA = "coa"
    IND = "ind"
    KMAR = "kmar"
    CHILD_PROTECTION = "raad-kinderbescherming"
    PROBATION = "reclassering"
    TAX = "belastingdienst"
    YOUTH_CARE = "jeugdzorg"
    SOCIAL_TEAM = "wijkteam"
    SHELTER = "opvanginstelling"
    CCV = "ccv"
    VNG = "vng"
    OTHER_CARE = "zorgorganisatie"


class Measure(LabelledEnum):
    """Bestuurlijke maatregel (plan bijlage 2)."""

    APV = "apv"
    VICTORIA = "wet-victoria"
    WONINGWET = "woningwet-17"
    VICTOR = "wet-victor"
    BIBOB = "bibob"
    OMGEVINGSPLAN = "omgevingsplan"
    PUBLIC_ORDER = "gemeentewet-172"
    ENFORCEMENT = "bestuursdwang"
    EXPROPRIATION = "onteigening"
    BBL = "bbl"
    OVERCROWDING = "overbewoning"
    LANDLORDS = "goed-verhuurderschap"


class MeasureStatus(LabelledEnum):
    """Where a bestuurlijke maatregel stands; a measure is often weighed and then dropped."""

    CONSIDERED = "overwogen"
    IMPOSED = "opgelegd"
    DROPPED = "afgezien"


class Sector(LabelledEnum):
    """Risk sectors named in the plan (bijlage 1 and chapter on labour migrants)."""

    AGRICULTURE = "agrarisch"
    CONSTRUCTION = "bouw"
    HOSPITALITY = "horeca"
    SLAUGHTERHOUSE = "slachterij"
    CLEANING = "schoonmaak"
    SEX_INDUSTRY = "seksbranche"
    STAFFING = "uitzendbureau"
    HOUSING = "huisvesting"
    OTHER = "overig"


_LABELS: dict[str, str] = {
    # Form
    "seksueel": "seksuele uitbuiting",
    "arbeid": "arbeidsuitbuiting",
    "crimineel": "criminele uitbuiting",
    "orgaanverwijdering": "gedwongen orgaanverwijdering",
    "onbekend": "onbekend",
    # Channel
    "mail": "mail",
    "meldpunt": "meldpunt",
    "persoonlijk": "persoonlijk",
    "telefoon": "telefoon",
    "ketenpartner": "ketenpartner",
    # Role
    "slachtoffer": "mogelijk slachtoffer",
    "dader": "mogelijke dader",
    "betrokkene": "betrokkene",
    # Conclusion
    "geen": "geen mensenhandel",
    "verder-onderzoek": "verder onderzoek en afstemming nodig",
    "duiding": "duiding mensenhandel",
    # Partner
    "oe-wijk": "politie (OE wijk)",
    "zorgcoordinator": "zorgcoördinator",
    "riec": "RIEC",
    "querido": "HvO Querido",
    "avim": "AVIM (politie)",
    "veilig-thuis": "Veilig Thuis",
    "nla": "Nederlandse Arbeidsinspectie",
    "zvh": "Zorg- en Veiligheidshuis",
    "politie": "politie",
    "om": "Openbaar Ministerie (OM)",
    "comensha": "CoMensha",
    "fairwork": "FairWork",
    "nidos": "Stichting Nidos (voogdij AMV)",
    "coa": "COA",
    "ind": "IND",
    "kmar": "Koninklijke Marechaussee",
    "raad-kinderbescherming": "Raad voor de Kinderbescherming",
    "reclassering": "reclassering",
    "belastingdienst": "Belastingdienst",
    "jeugdzorg": "jeugdzorg",
    "wijkteam": "sociaal wijkteam",
    "opvanginstelling": "opvanginstelling (vrouwen- of categorale opvang)",
    "ccv": "CCV",
    "vng": "VNG",
    "zorgorganisatie": "andere (zorg)organisatie",
    # Measure
    "apv": "APV (vergunning, sluiting)",
    "wet-victoria": "Wet Victoria (art. 174a Gemeentewet)",
    "woningwet-17": "Woningwet art. 17 (sluiting)",
    "wet-victor": "Wet Victor (natraject sluiting)",
    "bibob": "Wet Bibob",
    "omgevingsplan": "omgevingsplan (strijdig gebruik)",
    "gemeentewet-172": "handhaving openbare orde (art. 172 Gemeentewet)",
    "bestuursdwang": "bestuursdwang of dwangsom (art. 125 Gemeentewet)",
    "onteigening": "onteigening (art. 77 Onteigeningswet, na Wet Victor)",
    "bbl": "Besluit bouwwerken leefomgeving (Bbl)",
    "overbewoning": "overbewoning (omgevingsplan art. 22.16)",
    "goed-verhuurderschap": "Wet goed verhuurderschap",
    # MeasureStatus
    "overwogen": "overwogen",
    "opgelegd": "opgelegd",
    "afgezien": "afgezien van",
    # Sector
    "agrarisch": "agrarische sector",
    "bouw": "bouw",
    "horeca": "horeca",
    "slachterij": "slachterij",
    "schoonmaak": "schoonmaak",
    "seksbranche": "seksbranche",
    "uitzendbureau": "uitzendbureau",
    "huisvesting": "huisvesting",
    "overig": "overig",
}
