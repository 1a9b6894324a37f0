"""Validated input for a new signal, built from what the user typed (flags or the form).

Every check a new signal needs lives here, so the form, the flags and any script share one set
of rules. The dataclasses carry the normalised keys the store writes next to the raw text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from mhtool.domain.dates import format_date, parse_birth, parse_past_date, parse_receipt_date
from mhtool.domain.enums import Channel, Form, LabelledEnum, Role, Sector
from mhtool.domain.municipalities import resolve_municipality
from mhtool.domain.normalise import (
    address_one_line,
    house_key,
    kvk_key,
    name_key,
    postcode_key,
    split_house_number,
    street_key,
)
from mhtool.errors import ValidationError

E = TypeVar("E", bound=LabelledEnum)

MAX_TEXT = 10_000
MAX_FIELD = 200


@dataclass(frozen=True)
class PersonInput:
    name: str
    role: Role
    birth_date: dt.date | None = None
    birth_year: int | None = None
    nationality: str = ""
    existing_id: int | None = None

    @property
    def name_key(self) -> str:
        return name_key(self.name)


@dataclass(frozen=True)
class AddressInput:
    street: str
    house_number: int
    house_addition: str
    postcode: str
    city: str
    existing_id: int | None = None

    @property
    def street_key(self) -> str:
        return street_key(self.street)

    @property
    def house_key(self) -> str:
        return house_key(self.house_number, self.house_addition)

    def one_line(self) -> str:
        return address_one_line(
            self.street, self.house_number, self.house_addition, self.postcode, self.city
        )


@dataclass(frozen=True)
class OrganisationInput:
    name: str
    kvk: str = ""
    sector: Sector | None = None
    existing_id: int | None = None

    @property
    def name_key(self) -> str:
        return name_key(self.name)


@dataclass(frozen=True)
class NewSignal:
    received_on: dt.date
    municipality: str
    reporter: str
    reporter_department: str
    channel: Channel
    forms: tuple[Form, ...]
    acute: bool
    description: str
    persons: tuple[PersonInput, ...] = ()
    addresses: tuple[AddressInput, ...] = ()
    organisations: tuple[OrganisationInput, ...] = ()
    avim_informed_at: dt.datetime | None = None
    notes: list[str] = field(default_factory=list)


# Characters that start a new line on a terminal or in a text file (str.splitlines' set).
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def clean_text(value: str, what: str, *, required: bool, limit: int = MAX_FIELD) -> str:
    """Trim, refuse empties where required and absurd lengths everywhere.

    A field of at most MAX_FIELD characters (a name, street, melder, ...) is one line: a line
    break in it could print a forged line, at column 0, that looks like another record."""
    cleaned = value.strip()
    if limit <= MAX_FIELD and any(char in LINE_BREAKS for char in cleaned):
        raise ValidationError(f"{what} mag maar één regel zijn; haal de regeleinde(n) eruit.")
    if required and not cleaned:
        raise ValidationError(f"{what} is verplicht en mag niet leeg zijn.")
    if len(cleaned) > limit:
        raise ValidationError(f"{what} is te lang (meer dan {limit} tekens); kort het in.")
    if "\x00" in cleaned:
        raise ValidationError(f"{what} bevat een ongeldig teken (NUL); verwijder het.")
    if any(0xD800 <= ord(char) <= 0xDFFF for char in cleaned):
        # Bytes that are not UTF-8 arrive from the command line as lone surrogates.
        raise ValidationError(
            f"{what} bevat tekens die geen geldige tekst zijn (geen UTF-8); typ het opnieuw."
        )
    return cleaned


def parse_choice(enum: type[E], value: str, what: str) -> E:
    cleaned = value.strip().lower()
    for member in enum:
        if cleaned in (member.value, member.label.lower()):
            return member
    choices = ", ".join(enum.codes())
    if not cleaned:
        raise ValidationError(f"{what} is leeg; kies uit: {choices}.")
    hint = suggest_code(enum, cleaned)
    raise ValidationError(f"{what} '{value.strip()}' is onbekend.{hint} Kies uit: {choices}.")


def suggest_code(enum: type[LabelledEnum], typed: str) -> str:
    """' Bedoelt u 'comensha'?' for a near miss on a code or a label, as gemeenten do; '' if
    nothing is close. Labels count too: 'Openbaar Ministerie' suggests 'om'."""
    import difflib

    by_key: dict[str, str] = {}
    for member in enum:
        by_key.setdefault(member.value, member.value)
        by_key.setdefault(member.label.lower(), member.value)
    close = difflib.get_close_matches(typed, list(by_key), n=3, cutoff=0.6)
    codes = list(dict.fromkeys(by_key[c] for c in close))
    if not codes:
        return ""
    return " Bedoelt u " + " of ".join(f"'{c}'" for c in codes) + "?"


def did_you_mean(typed: str, known: Iterable[str]) -> str | None:
    """The known code a typo most likely meant ('signaal.tooon' -> 'signaal.toon'), if any."""
    import difflib

    close = difflib.get_close_matches(typed.strip().lower(), list(known), n=1, cutoff=0.6)
    return close[0] if close else None


def parse_fields(spec: str, what: str, allowed: Iterable[str]) -> dict[str, str]:
    """'naam=Jan de Vries; rol=slachtoffer' -> {'naam': 'Jan de Vries', 'rol': 'slachtoffer'}."""
    allowed = tuple(allowed)
    fields: dict[str, str] = {}
    for part in spec.split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep:
            raise ValidationError(
                f"{what}: '{part.strip()}' mist een '='; schrijf velden als "
                f"{allowed[0]}=...; {allowed[1]}=..."
            )
        if key not in allowed:
            raise ValidationError(f"{what}: onbekend veld '{key}'; gebruik {', '.join(allowed)}.")
        if key in fields:
            raise ValidationError(
                f"{what}: het veld '{key}' staat er twee keer in; geef het één keer."
            )
        for other in allowed:
            if f" {other}=" in f" {value.strip()}":
                raise ValidationError(
                    f"{what}: bij '{key}' staat ook '{other}='; scheid de velden met een ';'."
                )
        fields[key] = value.strip()
    return fields


def _only_role_with_id(fields: dict[str, str], what: str, extra: tuple[str, ...] = ()) -> None:
    """With id=N the existing record is linked as it is; other fields would be silently lost."""
    if fields.get("id"):
        ignored = sorted(k for k in fields if k not in ("id", *extra))
        if ignored:
            raise ValidationError(
                f"{what}: met id=... koppelt u een bestaand record; laat {', '.join(ignored)} weg "
                "(wijzigen gaat niet via koppelen)."
            )


PERSON_FIELDS = ("naam", "rol", "geboren", "nationaliteit", "id")
ADDRESS_FIELDS = ("straat", "nummer", "toevoeging", "postcode", "plaats", "id")
ORGANISATION_FIELDS = ("naam", "kvk", "sector", "id")


def parse_id(value: str, what: str) -> int:
    """A row id as typed: digits only, at least 1, and small enough for SQLite (no overflow)."""
    cleaned = value.strip()
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > 12 or int(cleaned) == 0:
        raise ValidationError(
            f"{what}: id '{cleaned[:20]}' is geen geldig id; gebruik het getal uit "
            "'mhtool signaal toon' of 'mhtool zoek'."
        )
    return int(cleaned)


def _existing_id(value: str, what: str) -> int | None:
    return parse_id(value, what) if value else None


def build_person(
    name: str,
    role: str,
    birth: str = "",
    nationality: str = "",
    existing_id: int | None = None,
    today: dt.date | None = None,
) -> PersonInput:
    birth_date, birth_year = parse_birth(birth, today) if birth.strip() else (None, None)
    return PersonInput(
        name=clean_text(name, "Naam van de persoon", required=existing_id is None),
        role=parse_choice(Role, role or "betrokkene", "Rol"),
        birth_date=birth_date,
        birth_year=birth_year,
        nationality=clean_text(nationality, "Nationaliteit", required=False),
        existing_id=existing_id,
    )


def parse_person(spec: str, today: dt.date | None = None) -> PersonInput:
    f = parse_fields(spec, "Persoon", PERSON_FIELDS)
    _only_role_with_id(f, "Persoon", extra=("rol",))
    return build_person(
        f.get("naam", ""),
        f.get("rol", ""),
        f.get("geboren", ""),
        f.get("nationaliteit", ""),
        _existing_id(f.get("id", ""), "Persoon"),
        today,
    )


def build_address(
    street: str,
    number: str,
    addition: str = "",
    postcode: str = "",
    city: str = "",
    existing_id: int | None = None,
) -> AddressInput:
    street = clean_text(street, "Straat", required=False)
    postcode = postcode_key(postcode) if postcode.strip() else ""
    if existing_id is None and not street and not postcode:
        raise ValidationError("Een adres heeft een straat of een postcode nodig.")
    value, extra = split_house_number(number, addition)
    return AddressInput(
        street=street,
        house_number=value,
        house_addition=extra,
        postcode=postcode,
        city=clean_text(city, "Plaats", required=False),
        existing_id=existing_id,
    )


def parse_address(spec: str) -> AddressInput:
    f = parse_fields(spec, "Adres", ADDRESS_FIELDS)
    _only_role_with_id(f, "Adres")
    existing = _existing_id(f.get("id", ""), "Adres")
    if existing is not None:
        return AddressInput("", 0, "", "", "", existing)
    return build_address(
        f.get("straat", ""),
        f.get("nummer", ""),
        f.get("toevoeging", ""),
        f.get("postcode", ""),
        f.get("plaats", ""),
        existing,
    )


def build_organisation(
    name: str, kvk: str = "", sector: str = "", existing_id: int | None = None
) -> OrganisationInput:
    return OrganisationInput(
        name=clean_text(name, "Naam van de organisatie", required=existing_id is None),
        kvk=kvk_key(kvk) if kvk.strip() else "",
        sector=parse_choice(Sector, sector, "Sector") if sector.strip() else None,
        existing_id=existing_id,
    )


def parse_organisation(spec: str) -> OrganisationInput:
    f = parse_fields(spec, "Organisatie", ORGANISATION_FIELDS)
    _only_role_with_id(f, "Organisatie")
    return build_organisation(
        f.get("naam", ""),
        f.get("kvk", ""),
        f.get("sector", ""),
        _existing_id(f.get("id", ""), "Organisatie"),
    )


def build_signal(
    *,
    received_on: str,
    municipality: str,
    reporter: str,
    reporter_department: str,
    channel: str,
    forms: Iterable[str],
    acute: bool,
    description: str,
    persons: Iterable[PersonInput] = (),
    addresses: Iterable[AddressInput] = (),
    organisations: Iterable[OrganisationInput] = (),
    avim_informed_at: dt.datetime | None = None,
    today: dt.date | None = None,
) -> NewSignal:
    """Validate every field of a new signal; the first problem raises a Dutch ValidationError."""
    received = parse_receipt_date(
        "vandaag" if received_on is None else received_on, "Ontvangstdatum", today
    )
    form_values = tuple(dict.fromkeys(parse_choice(Form, f, "Vorm") for f in forms if f.strip()))
    if not form_values:
        form_values = (Form.UNKNOWN,)
    if len(form_values) > 1 and Form.UNKNOWN in form_values:
        form_values = tuple(f for f in form_values if f is not Form.UNKNOWN)
    if avim_informed_at is not None:
        if not acute:
            raise ValidationError("AVIM geïnformeerd kan alleen bij een acuut signaal.")
        if avim_informed_at.date() < received:
            raise ValidationError(
                f"AVIM geïnformeerd ({format_date(avim_informed_at.date())}) ligt vóór de "
                f"ontvangstdatum ({format_date(received)})."
            )
    person_list = tuple(persons)
    check_born_before(person_list, received)
    return NewSignal(
        received_on=received,
        municipality=resolve_municipality(municipality),
        reporter=clean_text(reporter, "Melder", required=True),
        reporter_department=clean_text(
            reporter_department, "Afdeling van de melder", required=False
        ),
        channel=parse_choice(Channel, channel, "Kanaal"),
        forms=form_values,
        acute=acute,
        description=clean_text(description, "Omschrijving", required=True, limit=MAX_TEXT),
        persons=person_list,
        addresses=tuple(addresses),
        organisations=tuple(organisations),
        avim_informed_at=avim_informed_at,
    )


def check_born_before(persons: Iterable[PersonInput], received: dt.date) -> None:
    """Nobody in a signal can be born after it was received (a typo in one of the dates)."""
    for person in persons:
        born_year = person.birth_date.year if person.birth_date else person.birth_year
        if (person.birth_date and person.birth_date > received) or (
            born_year is not None and born_year > received.year
        ):
            raise ValidationError(
                f"De geboortedatum van {person.name} ligt na de ontvangstdatum "
                f"({format_date(received)}); controleer beide datums."
            )


def parse_moment(text: str, what: str, today: dt.date | None = None) -> dt.datetime:
    """'03-11-2026 14:30', '03-11-2026' or 'nu' -> a local datetime, not in the future."""
    value = text.strip().lower()
    now = dt.datetime.now().replace(second=0, microsecond=0)
    if not value:
        raise ValidationError(f"{what} is leeg; gebruik 'dd-mm-jjjj uu:mm' of 'nu'.")
    if value == "nu":
        return now
    date_part, _, time_part = value.partition(" ")
    day = parse_past_date(date_part, what, today)
    hour, minute = now.hour, now.minute
    if time_part:
        try:
            parsed = dt.datetime.strptime(time_part.strip(), "%H:%M")
        except ValueError:
            raise ValidationError(
                f"{what}: tijd '{time_part.strip()}' is ongeldig; gebruik uu:mm."
            ) from None
        hour, minute = parsed.hour, parsed.minute
    elif day != now.date():
        raise ValidationError(f"{what}: geef ook de tijd, bijvoorbeeld '{format_date(day)} 14:30'.")
    moment = dt.datetime(day.year, day.month, day.day, hour, minute)
    if moment > now + dt.timedelta(minutes=1):
        raise ValidationError(
            f"{what}: {value} ligt in de toekomst; controleer datum en tijd (dd-mm-jjjj uu:mm)."
        )
    return moment
