"""Generate a synthetic mhtool database: fictitious, seeded, with planted spelling variants.

    python benchmarks/generate_data.py PATH --signalen N [--seed S]

The file is created through mhtool's own store (so the schema and every migration, triggers
included, are the real ones); rows are then bulk-inserted with executemany in one transaction.
All names, addresses, KvK numbers and organisations are made up. The fields the statistics need
(year, municipality, forms, channel, acute, steps with dated step events, conclusion,
criminal_case, shelter_arranged, closed_on, measures, sectors) get a plausible spread.
No `history` rows are written: the generator is not a user.

`generate()` returns a `Truth`: for each planted original record, the variant queries (as
keyword arguments of `mhtool.services.search.search`) that must find it. The classes are
listed in benchmarks/README.md (names in either order, titled streets and every addition form
since issue 15).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import sys
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from mhtool.domain.municipalities import DRIEHOEK_HEERHUGOWAARD, NOORD_HOLLAND_NOORD
from mhtool.domain.normalise import (
    NEVER_ISSUED_LETTERS,
    city_key,
    house_key,
    name_key,
    organisation_core_key,
    person_name_parts,
    street_key,
)
from mhtool.store.open_store import open_store

FIRST_NAMES = [
    "Jan",
    "Piet",
    "Kees",
    "Johan",
    "Willem",
    "Henk",
    "Sander",
    "Bram",
    "Daan",
    "Thijs",
    "Lucas",
    "Sem",
    "Noah",
    "Mila",
    "Emma",
    "Julia",
    "Sophie",
    "Anna",
    "Tess",
    "Sara",
    "Fleur",
    "Lotte",
    "Eva",
    "Iris",
    "Maria",
    "Anja",
    "Ingrid",
    "Marieke",
    "Petra",
    "Karin",
    "Mohamed",
    "Ahmed",
    "Youssef",
    "Fatima",
    "Aisha",
    "Piotr",
    "Tomasz",
    "Katarzyna",
    "Agnieszka",
    "Marek",
    "Andrei",
    "Ioana",
    "Elena",
    "Mihai",
    "Georgi",
    "Dimitar",
    "Ivana",
    "Olena",
    "Oksana",
    "Dmytro",
    "Nguyen",
    "Linh",
    "Mehmet",
    "Ayşe",
    "Zoë",
    "Chloë",
    "Noël",
    "René",
    "Jürgen",
    "Søren",
]
DUTCH_SURNAMES = [
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van den Broek",
    "de Bruijn",
    "de Bruin",
    "van der Heijden",
    "Schouten",
    "van Beek",
    "Willems",
    "van Vliet",
    "van de Ven",
    "Hoekstra",
    "Maas",
    "Verhoeven",
    "Koster",
    "van Dam",
    "van der Wal",
    "Prins",
    "Blom",
    "Huisman",
    "Kuipers",
    "Groot",
    "Schipper",
    "Veenstra",
    "Sluis",
    "Dool",
    "Kaag",
    "Moen",
    "Zwaan",
    "Tromp",
    "Ruiter",
    "Stam",
    "Bouwman",
]
FOREIGN_SURNAMES = [
    "Kowalski",
    "Nowak",
    "Wiśniewski",
    "Wójcik",
    "Kamiński",
    "Lewandowski",
    "Popescu",
    "Ionescu",
    "Dumitru",
    "Stoica",
    "Georgiev",
    "Dimitrov",
    "Petrov",
    "Ivanova",
    "Shevchenko",
    "Kovalenko",
    "Yılmaz",
    "Şahin",
    "Çelik",
    "El Amrani",
    "Benali",
    "Bouzid",
    "Nguyen",
    "Tran",
    "Müller",
    "Schröder",
    "Øberg",
    "Łukasik",
]
SYLLABLES = [
    "ber",
    "bro",
    "dam",
    "dor",
    "fel",
    "gan",
    "har",
    "hel",
    "hol",
    "hui",
    "ker",
    "kla",
    "lin",
    "lo",
    "mar",
    "mee",
    "mol",
    "noor",
    "oos",
    "pel",
    "rij",
    "ros",
    "sch",
    "sto",
    "ter",
    "tol",
    "vaa",
    "ven",
    "vel",
    "wel",
    "wes",
    "zan",
    "zee",
    "kwa",
    "ste",
    "gro",
    "bla",
    "fre",
    "wou",
]
SURNAME_ENDINGS = ("man", "ink", "ing", "stra", "sen", "huis", "veld", "kamp", "hof", "berg")
STREET_PARTS = [
    "Dorps",
    "Kerk",
    "Molen",
    "School",
    "Noorder",
    "Zuider",
    "Ooster",
    "Wester",
    "Hoog",
    "Nieuwe",
    "Oude",
    "Brug",
    "Sluis",
    "Haven",
    "Tuin",
    "Bloemen",
    "Tulpen",
    "Rozen",
    "Linden",
    "Eiken",
    "Beuken",
    "Wilgen",
    "Vaart",
    "Dijk",
    "Polder",
    "Kanaal",
    "Stations",
    "Markt",
    "Zee",
    "Duin",
    "Bos",
    "Wei",
    "Akker",
    "Koren",
    "Rogge",
    "Vlas",
    "Hennep",
    "Kassen",
    "Veiling",
    "Boeren",
    "Vissers",
    "Schippers",
    "Smids",
    "Bakkers",
    "Juliana",
    "Wilhelmina",
    "Beatrix",
]
STREET_TYPES = ("straat", "weg", "laan", "plein", "dijk", "gracht", "kade", "singel", "pad")
ORG_WORDS = [
    "Tulp",
    "Kas",
    "Groen",
    "Bouw",
    "Schoon",
    "Flex",
    "Uitzend",
    "Vlees",
    "Bloem",
    "Polder",
    "Noord",
    "West",
    "Horeca",
    "Glans",
    "Totaal",
    "Snel",
    "Vakwerk",
    "Agro",
    "Fresh",
    "Star",
    "Euro",
    "Holland",
    "Kroon",
    "Duin",
    "Zee",
    "Veld",
]
ORG_KINDS = (
    ("Kwekerij", "agrarisch"),
    ("Bouwbedrijf", "bouw"),
    ("Schoonmaakbedrijf", "schoonmaak"),
    ("Uitzendbureau", "uitzendbureau"),
    ("Slachterij", "slachterij"),
    ("Restaurant", "horeca"),
    ("Massagesalon", "seksbranche"),
    ("Verhuur", "huisvesting"),
    ("Transport", "overig"),
)
CITIES = {
    "Dijk en Waard": ("Heerhugowaard", "Broek op Langedijk", "Zuid-Scharwoude"),
    "Hollands Kroon": ("Anna Paulowna", "Wieringerwerf", "Hippolytushoef"),
    "Koggenland": ("Avenhorn", "Obdam", "De Goorn"),
    "Alkmaar": ("Alkmaar", "Graft", "De Rijp"),
    "Den Helder": ("Den Helder", "Julianadorp"),
    "Hoorn": ("Hoorn",),
    "Schagen": ("Schagen", "Tuitjenhorn"),
    "Medemblik": ("Medemblik", "Wognum"),
}
DESCRIPTION_BITS = (
    "Veel mensen op één adres",
    "werken lange dagen in de kassen",
    "worden 's ochtends met een busje opgehaald",
    "paspoorten ingenomen door de werkgever",
    "schulden bij de bemiddelaar",
    "signaal van een buurtbewoner",
    "wisselende vrouwen in de woning",
    "advertenties op een website",
    "minderjarige lijkt betrokken",
    "geen loonstrook, contant betaald",
    "slapen op de werkplek",
    "melding via de wijkagent",
)
FORMS = ("arbeid", "seksueel", "crimineel", "onbekend", "orgaanverwijdering")
FORM_WEIGHTS = (45, 30, 15, 9, 1)
CHANNELS = ("mail", "meldpunt", "persoonlijk", "telefoon", "ketenpartner")
CHANNEL_WEIGHTS = (35, 15, 15, 15, 20)
CONCLUSIONS = ("geen", "verder-onderzoek", "duiding")
MEASURES = ("apv", "wet-victoria", "woningwet-17", "wet-victor", "bibob", "omgevingsplan")
ROLES = ("slachtoffer", "dader", "betrokkene")
TODAY = dt.date(2026, 11, 1)


@dataclass(frozen=True)
class PlantedVariant:
    kind: str  # persoon, adres, organisatie
    entity_id: int
    original: str
    variant: str  # what makes it different, for the report
    query: dict[str, str]  # keyword arguments for mhtool.services.search.search


@dataclass
class Truth:
    path: Path
    signals: int
    seed: int
    persons: int = 0
    addresses: int = 0
    organisations: int = 0
    variants: list[PlantedVariant] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "pad": str(self.path),
            "signalen": self.signals,
            "seed": self.seed,
            "personen": self.persons,
            "adressen": self.addresses,
            "organisaties": self.organisations,
            "varianten": [v.__dict__ for v in self.variants],
        }


@cache
def _person_keys(name: str) -> tuple[str, str, str, str]:
    return (name_key(name), *person_name_parts(name))


@cache
def _street_key(street: str) -> str:
    return street_key(street)


@cache
def _city_key(city: str) -> str:
    return city_key(city)


def _typo(rng: random.Random, text: str, kind: str) -> str:
    """One edit inside the last word (never its first letter, never an abbreviation such as
    'Burg.' before it): drop, double or swap letters."""
    head, _, word = text.rpartition(" ")
    if head:
        return f"{head} {_typo(rng, word, kind)}"
    if len(word) < 5:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 2)
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


class Generator:
    def __init__(self, signals: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n = signals
        rng = self.rng
        synthetic = {
            (rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(SURNAME_ENDINGS)).title()
            for _ in range(4000)
        }
        self.surnames = DUTCH_SURNAMES + FOREIGN_SURNAMES + sorted(synthetic)
        # Mild skew: the commonest surname is about 0.5 % of all persons, as in the Netherlands.
        weights = [
            40 if i < len(DUTCH_SURNAMES) else 15 if i < 92 else 1
            for i in range(len(self.surnames))
        ]
        self.surname_cum_weights = list(itertools.accumulate(weights))
        streets = {rng.choice(STREET_PARTS) + rng.choice(STREET_TYPES) for _ in range(1500)} | {
            "Dorpsstraat",
            "Kerkstraat",
            "Molenweg",
            "Stationsweg",
            "Burg. de Vriesstraat",
            "Prins Hendrikkade",
            "Koningin Julianalaan",
        }
        places = [(m, c) for m, cities in CITIES.items() for c in cities]
        self.street_pool = [(s, m, c) for s in sorted(streets) for m, c in rng.sample(places, 3)]
        self.postcodes: dict[tuple[str, str], str] = {}
        self.municipalities = list(NOORD_HOLLAND_NOORD)
        self.municipality_weights = [
            6 if m in DRIEHOEK_HEERHUGOWAARD else 2 for m in self.municipalities
        ]

    def postcode(self, street: str, city: str) -> str:
        key = (street, city)
        if key not in self.postcodes:
            digits = self.rng.randrange(1000, 2000)
            letters = "SA"
            while letters in NEVER_ISSUED_LETTERS:  # mhtool refuses SA, SD and SS, as PostNL
                letters = "".join(self.rng.choice("ABCDEGHJKLMNPRSTVWXZ") for _ in range(2))
            self.postcodes[key] = f"{digits}{letters}"
        return self.postcodes[key]

    def org_core(self) -> str:
        """Business names are mostly unique: a made-up surname or place plus a trade word."""
        owner = self.rng.choice(self.surnames[92:])
        return f"{owner} {self.rng.choice(ORG_WORDS)}{self.rng.choice(ORG_WORDS).lower()}"

    def person_name(self) -> str:
        surname = self.rng.choices(self.surnames, cum_weights=self.surname_cum_weights)[0]
        return f"{self.rng.choice(FIRST_NAMES)} {surname}"

    def birth(self, received: dt.date) -> tuple[str | None, int | None]:
        roll = self.rng.random()
        if roll < 0.15:
            return None, None
        born = received - dt.timedelta(days=self.rng.randrange(15 * 365, 60 * 365))
        if roll < 0.35:
            return None, born.year
        return born.isoformat(), born.year

    def address(self) -> tuple[str, int, str, str, str]:
        street, _municipality, city = self.rng.choice(self.street_pool)
        number = self.rng.randrange(1, 400)
        addition = self.rng.choice(("", "", "", "", "A", "B", "C", "1", "2"))
        postcode = self.postcode(street, city) if self.rng.random() < 0.8 else ""
        return street, number, addition, postcode, city


def _insert_person(
    rows: list[tuple[Any, ...]], pid: int, name: str, birth: tuple[str | None, int | None]
) -> None:
    nkey, given, initial, surname = _person_keys(name)
    rows.append((pid, name, nkey, given, initial, surname, birth[0], birth[1], "", "2026-01-01"))


def _insert_address(
    rows: list[tuple[Any, ...]], aid: int, address: tuple[str, int, str, str, str]
) -> None:
    street, number, addition, postcode, city = address
    rows.append(
        (
            aid,
            street,
            _street_key(street),
            number,
            addition,
            house_key(number, addition),
            postcode,
            city,
            _city_key(city),
            "2026-01-01",
        )
    )


def generate(path: Path, signals: int, seed: int = 1) -> Truth:
    """Write a database with `signals` synthetic signals to `path` (which must not exist)."""
    if path.exists():
        raise FileExistsError(f"{path} exists; the generator only writes new files")
    g = Generator(signals, seed)
    rng = g.rng
    store = open_store(path)  # creates the file and runs every migration
    conn = store.conn
    truth = Truth(path, signals, seed)
    signal_rows: list[tuple[Any, ...]] = []
    form_rows: list[tuple[Any, ...]] = []
    measure_rows: list[tuple[Any, ...]] = []
    event_rows: list[tuple[Any, ...]] = []
    person_rows: list[tuple[Any, ...]] = []
    address_rows: list[tuple[Any, ...]] = []
    org_rows: list[tuple[Any, ...]] = []
    sp_rows: list[tuple[Any, ...]] = []
    sa_rows: list[tuple[Any, ...]] = []
    so_rows: list[tuple[Any, ...]] = []
    note_rows: list[tuple[Any, ...]] = []
    counters: dict[int, int] = {}
    plans = _plant_plan(g, signals)
    next_person = next_address = next_org = 1
    organisations: list[int] = []
    first_year = 2019
    span = (TODAY - dt.date(first_year, 1, 1)).days
    for sid in range(1, signals + 1):
        received = dt.date(first_year, 1, 1) + dt.timedelta(days=int(span * (sid - 1) / signals))
        year = received.year
        counters[year] = counters.get(year, 0) + 1
        municipality = rng.choices(g.municipalities, g.municipality_weights)[0]
        acute = rng.random() < 0.08
        age = (TODAY - received).days
        step = 5 if age > 120 and rng.random() < 0.9 else rng.randint(1, 5 if age > 30 else 3)
        # Step events: received, then one per step reached, on increasing dates.
        day = received
        event_rows.append(
            (sid, "ontvangst", None, 1, day.isoformat(), "generator", "", "", "{}", "x")
        )
        conclusion = criminal = shelter = closed_on = feedback = feedback_on = None
        for to_step in range(2, step + 1):
            day = min(day + dt.timedelta(days=rng.randrange(1, 30)), TODAY)
            details: dict[str, Any] = {}
            if to_step == 2:
                details["controle"] = "geen eerdere registraties gevonden"
            elif to_step == 3:
                details["partners"] = rng.sample(["oe-wijk", "zorgcoordinator"], rng.randint(1, 2))
            elif to_step == 4:
                details["partners"] = rng.sample(["riec", "querido"], rng.randint(1, 2))
            else:
                conclusion = rng.choices(CONCLUSIONS, (45, 35, 20))[0]
                criminal = int(conclusion == "duiding" and rng.random() < 0.5)
                shelter = int(conclusion == "duiding" and rng.random() < 0.4)
                feedback = int(rng.random() < 0.7)
                feedback_on = day.isoformat() if feedback else None
                closed_on = day.isoformat()
                details = {
                    "conclusie": conclusion,
                    "terugkoppeling": bool(feedback),
                    "strafrechtelijk_opgepakt": bool(criminal),
                    "opvang_geregeld": bool(shelter),
                    "bestuurlijke_maatregelen": [],
                }
                if rng.random() < 0.1:
                    measure = rng.choice(MEASURES)
                    measure_rows.append((sid, measure))
                    details["bestuurlijke_maatregelen"] = [measure]
            event_rows.append(
                (
                    sid,
                    "stap",
                    to_step - 1,
                    to_step,
                    day.isoformat(),
                    "generator",
                    "",
                    "",
                    json.dumps(details),
                    "x",
                )
            )
        description = ", ".join(rng.sample(DESCRIPTION_BITS, 2)) + "."
        signal_rows.append(
            (
                sid,
                f"MH-{year}-{counters[year]:04d}",
                year,
                counters[year],
                received.isoformat(),
                municipality,
                f"Melder {sid % 97}",
                "",
                rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0],
                int(acute),
                f"{received.isoformat()}T10:00" if acute else None,
                description,
                step,
                day.isoformat(),
                conclusion,
                feedback,
                feedback_on,
                criminal,
                shelter,
                closed_on,
                "2026-01-01T00:00:00+00:00",
                "generator",
                "2026-01-01T00:00:00+00:00",
            )
        )
        forms = set(rng.choices(FORMS, FORM_WEIGHTS, k=rng.choice((1, 1, 1, 2))))
        form_rows.extend((sid, f) for f in sorted(forms))
        if rng.random() < 0.01:
            note_rows.append(
                (sid, received.isoformat(), "generator", "Navraag bij de wijkagent gedaan.", "x")
            )
        plan = plans.get(sid)
        # Persons: 1-2 per signal (about 1.5 on average).
        for k in range(1 if rng.random() < 0.5 else 2):
            if plan and plan[0] == "persoon" and k == 0:
                name, birth = plan[1], plan[2]
                plan[3].append(next_person)
            else:
                name, birth = g.person_name(), g.birth(received)
            _insert_person(person_rows, next_person, name, birth)
            sp_rows.append((sid, next_person, ROLES[k if k < 2 else 2]))
            next_person += 1
        if plan and plan[0] in ("adres", "buur"):
            address = plan[1]
            plan[3].append(next_address)
        else:
            address = g.address()
        _insert_address(address_rows, next_address, address)
        sa_rows.append((sid, next_address))
        next_address += 1
        if (plan and plan[0] == "organisatie") or rng.random() < 0.3:
            if plan and plan[0] == "organisatie":
                name, kvk, sector = plan[1]
                plan[3].append(next_org)
            elif organisations and rng.random() < 0.3:
                so_rows.append((sid, rng.choice(organisations)))
                name = ""
            else:
                kind, sector = rng.choice(ORG_KINDS)
                name = f"{kind} {g.org_core()}"
                name += rng.choice(("", " B.V.", " V.O.F."))
                kvk = f"{rng.randrange(10_000_000, 99_999_999)}"
            if name:
                org_rows.append(
                    (next_org, name, name_key(name), organisation_core_key(name), kvk, sector, "x")
                )
                so_rows.append((sid, next_org))
                organisations.append(next_org)
                next_org += 1
    with store.write():
        conn.executemany(
            "INSERT INTO signal (id, ref, year, seq, received_on, municipality, reporter, "
            "reporter_department, channel, acute, avim_informed_at, description, step, "
            "step_since, conclusion, feedback_given, feedback_on, criminal_case, "
            "shelter_arranged, closed_on, created_at, created_by, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            signal_rows,
        )
        conn.executemany(
            "INSERT INTO signal_counter (year, last_seq) VALUES (?, ?)", sorted(counters.items())
        )
        conn.executemany("INSERT INTO signal_form (signal_id, form) VALUES (?, ?)", form_rows)
        conn.executemany(
            "INSERT INTO signal_measure (signal_id, measure) VALUES (?, ?)", measure_rows
        )
        conn.executemany(
            "INSERT INTO step_event (signal_id, kind, from_step, to_step, on_date, by_user, "
            "note, reason, details, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            event_rows,
        )
        conn.executemany(
            "INSERT INTO note (signal_id, on_date, by_user, text, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            note_rows,
        )
        conn.executemany(
            "INSERT INTO person (id, name, name_key, given_key, initial, surname_key, "
            "birth_date, birth_year, nationality, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            person_rows,
        )
        conn.executemany(
            "INSERT INTO address (id, street, street_key, house_number, house_addition, "
            "house_key, postcode, city, city_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            address_rows,
        )
        conn.executemany(
            "INSERT INTO organisation (id, name, name_key, core_key, kvk, sector, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            org_rows,
        )
        conn.executemany(
            "INSERT INTO signal_person (signal_id, person_id, role) VALUES (?, ?, ?)", sp_rows
        )
        conn.executemany(
            "INSERT INTO signal_address (signal_id, address_id) VALUES (?, ?)", sa_rows
        )
        conn.executemany(
            "INSERT OR IGNORE INTO signal_organisation (signal_id, organisation_id) VALUES (?, ?)",
            so_rows,
        )
    conn.execute("PRAGMA optimize")
    store.close()
    truth.persons, truth.addresses, truth.organisations = (
        next_person - 1,
        next_address - 1,
        next_org - 1,
    )
    for plan in plans.values():
        kind, _record, _birth, ids, variants = plan
        for label, original, query in variants:
            truth.variants.append(PlantedVariant(kind, ids[0], original, label, query))
    return truth


PlanEntry = list[
    Any
]  # [kind, record, birth, [entity id once inserted], [(label, original, query)]]


def _plant_plan(g: Generator, signals: int) -> dict[int, PlanEntry]:
    """Choose which signals carry a planted original and the variant queries that must find it."""
    rng = random.Random(g.rng.random())
    count = max(3, min(60, signals // 50))
    # Five classes (issue 15 added names in either order and abbreviated streets with every
    # addition form), each with a neighbour house whose number joins the numeric addition.
    chosen = rng.sample(range(1, signals + 1), min(signals, count * 6))
    neighbours = chosen[count * 5 :]
    plans: dict[int, PlanEntry] = {}
    for i, sid in enumerate(chosen[: count * 5]):
        kind = ("persoon", "adres", "organisatie", "volgorde", "afkorting")[i % 5]
        if kind == "volgorde":
            plans[sid] = _plant_name_order(rng, i)
            continue
        if kind == "afkorting":
            plans[sid], neighbour = _plant_abbreviated_street(g, rng, i)
            if neighbour is not None and neighbours:
                plans[neighbours.pop()] = ["buur", neighbour, None, [], []]
            continue
        if kind == "persoon":
            first = rng.choice(("Jan", "Piotr", "Ioana", "Søren", "Chloë", "Mehmet"))
            surname = rng.choice(g.surnames[: len(DUTCH_SURNAMES) + len(FOREIGN_SURNAMES)])
            name = f"{first} {surname}"
            born = dt.date(rng.randrange(1960, 2005), rng.randrange(1, 13), rng.randrange(1, 29))
            only_year = i % 2 == 1
            birth = (None if only_year else born.isoformat(), born.year)
            last = surname.split()[-1]
            prefix = surname[: -len(last)]
            ddmm = born.strftime("%d-%m-%Y")
            variants = [
                ("initiaal", {"person": f"{first[0]}. {surname}", "birth": ddmm}),
                (
                    "tikfout achternaam",
                    {
                        "person": f"{first} {prefix}{_typo(rng, last, 'drop')}",
                        "birth": str(born.year),
                    },
                ),
                (
                    "letters omgewisseld",
                    {"person": f"{first} {prefix}{_typo(rng, last, 'swap')}", "birth": ddmm},
                ),
                (
                    "zonder accenten, hoofdletters",
                    {"person": name_key(name).upper(), "birth": ddmm},
                ),
                ("achternaam eerst", {"person": f"{surname}, {first}", "birth": str(born.year)}),
                ("achternaam eerst zonder komma", {"person": f"{surname} {first}", "birth": ddmm}),
                (  # with the date, as 'initiaal': a year alone ties dozens of namesakes at 1M
                    "achternaam eerst, voorletter achteraan",
                    {"person": f"{surname} {first[0]}.", "birth": ddmm},
                ),
                (
                    "alleen geboortejaar" if not only_year else "volledige geboortedatum",
                    {"person": name, "birth": str(born.year) if not only_year else ddmm},
                ),
            ]
            plans[sid] = ["persoon", name, birth, [], [(v[0], name, v[1]) for v in variants]]
        elif kind == "adres":
            street, _m, city = rng.choice(g.street_pool)
            number = rng.randrange(1, 200)
            addition = rng.choice(("A", "B", "2"))
            postcode = g.postcode(street, city)
            spaced = f"{postcode[:4]} {postcode[4:].lower()}"
            skey = street
            base = skey[:-6] if skey.endswith("straat") else skey
            abbreviated = f"{base}str." if skey.endswith("straat") else skey.lower()
            # A numeric addition is always written apart (12-2), a letter may be joined (12a).
            joined = f"{number}-{addition}" if addition.isdigit() else f"{number}{addition}"
            original = f"{street} {joined}, {postcode} {city}"
            variants = [
                ("postcode met spatie en kleine letters", {"text": f"{spaced} {joined.lower()}"}),
                (
                    "postcode en huisnummer als opties",
                    {"postcode": spaced, "house_number": f"{number}-{addition.lower()}"},
                ),
                (
                    "afgekorte straat, toevoeging met streepje",
                    {"address": f"{abbreviated.lower()} {number}-{addition.lower()}, {city}"},
                ),
                (
                    "tikfout straat, toevoeging los",
                    {"address": f"{_typo(rng, street, 'drop')} {number} {addition}, {city}"},
                ),
                (
                    "letters omgewisseld in straat",
                    {"address": f"{_typo(rng, street, 'swap')} {joined}, {city}"},
                ),
            ]
            record = (street, number, addition, postcode, city)
            plans[sid] = ["adres", record, None, [], [(v[0], original, v[1]) for v in variants]]
        else:
            kind_name, sector = rng.choice(ORG_KINDS)
            core = f"{kind_name} {g.org_core()}"
            name = f"{core} B.V."
            kvk = f"{rng.randrange(10_000_000, 99_999_999)}"
            variants = [
                ("KvK-nummer", {"kvk": kvk}),
                ("zonder rechtsvorm", {"organisation": core.lower()}),
                ("tikfout naam", {"organisation": _typo(rng, core, "swap")}),
            ]
            plans[sid] = [
                "organisatie",
                (name, kvk, sector),
                None,
                [],
                [(v[0], name, v[1]) for v in variants],
            ]
    return plans


# Names whose family name is customarily first (Vietnamese, Chinese, Hungarian) and a Polish
# one; (family name, given names). Stored in either order, searched in the other.
FAMILY_FIRST_NAMES = [
    ("Nguyen", "Minh"),
    ("Tran", "Thi Lan"),
    ("Pham", "Hoa"),
    ("Wang", "Fang"),
    ("Zhang", "Xiu"),
    ("Li", "Wei"),
    ("Nagy", "Béla"),
    ("Kovács", "Zoltán"),
    ("Tóth", "Eszter"),
    ("Horváth", "Gábor"),
    ("Kowalczyk", "Agnieszka"),
]


def _plant_name_order(rng: random.Random, i: int) -> PlanEntry:
    """A name stored family name first or last, searched in the other order, with an initial,
    and misspelt; the birth date or year tells namesakes apart."""
    family, given = rng.choice(FAMILY_FIRST_NAMES)
    family_first = i % 2 == 0
    name = f"{family} {given}" if family_first else f"{given} {family}"
    other = f"{given} {family}" if family_first else f"{family} {given}"
    born = dt.date(rng.randrange(1960, 2005), rng.randrange(1, 13), rng.randrange(1, 29))
    ddmm = born.strftime("%d-%m-%Y")
    initial = f"{given[0]}. {family}" if family_first else f"{family} {given[0]}."
    variants = [
        ("naam in andere volgorde", {"person": other, "birth": ddmm}),
        ("voorletter, andere volgorde", {"person": initial, "birth": ddmm}),
        ("andere volgorde, alleen geboortejaar", {"person": other, "birth": str(born.year)}),
    ]
    if len(family) >= 5:
        typo = f"{given} {_typo(rng, family, 'swap')}" if family_first else None
        typo = typo or f"{_typo(rng, family, 'swap')} {given}"
        variants.append(("andere volgorde met tikfout", {"person": typo, "birth": ddmm}))
    birth = (born.isoformat(), born.year)
    return ["persoon", name, birth, [], [(v[0], name, v[1]) for v in variants]]


def _street_spellings(rng: random.Random) -> tuple[str, str]:
    """A street named after a titled person, in full and abbreviated: every title of the
    table (domain.street_names.TITLES) and its particles ('van der' as 'v.d.')."""
    from mhtool.domain.street_names import TITLES

    short, full = rng.choice(list(TITLES.values()))
    title, abbreviation = rng.choice(full).title(), rng.choice(short).title() + "."
    person = rng.choice(DUTCH_SURNAMES)
    last = person.split()[-1]
    particles = person[: -len(last)].strip()
    short_particles = {"van": "v.", "van der": "v.d.", "van den": "v.d.", "van de": "v.d."}
    kind = rng.choice(STREET_TYPES)
    whole = f"{title} {person}{kind}"
    abbreviated_person = f"{short_particles.get(particles, particles)} {last}".strip()
    return whole, f"{abbreviation} {abbreviated_person}{kind}"


# Additions as stored -> how a query may write them ({n} is the house number).
ADDITION_FORMS = {
    "2": ("{n} 2", "{n}-II", "{n}/2"),
    "II": ("{n}-2", "{n} 2", "{n} II"),
    "hs": ("{n}H", "{n} huis", "{n}-hs"),
    "A": ("{n} a", "{n}-A", "{n}A"),
}


def _plant_abbreviated_street(
    g: Generator, rng: random.Random, i: int
) -> tuple[PlanEntry, tuple[str, int, str, str, str] | None]:
    """An address on a titled street, stored in full or abbreviated and searched the other
    way, with every way of writing its addition; for a numeric addition also the neighbour
    whose number joins it (14-2 and 142), which must never be ranked first."""
    whole, abbreviated = _street_spellings(rng)
    stored, searched = (whole, abbreviated) if i % 2 else (abbreviated, whole)
    city = rng.choice([c for cities in CITIES.values() for c in cities])
    number = rng.randrange(1, 200)
    addition = rng.choice(list(ADDITION_FORMS))
    postcode = g.postcode(stored, city)
    spaced = f"{postcode[:4]} {postcode[4:]}"
    variants = [
        (f"afgekort/voluit, toevoeging '{form}'", {"text": f"{searched} {form.format(n=number)}"})
        for form in ADDITION_FORMS[addition]
    ]
    first = ADDITION_FORMS[addition][0].format(n=number)
    variants.append(("met plaats", {"address": f"{searched} {first}, {city}"}))
    variants.append(("postcode, toevoeging los", {"text": f"{spaced} {first}"}))
    record = (stored, number, addition.upper(), postcode, city)
    original = f"{stored} {number} {addition}, {postcode} {city}"
    plan: PlanEntry = ["adres", record, None, [], [(v[0], original, v[1]) for v in variants]]
    neighbour = None
    if addition in ("2", "II"):
        neighbour = (stored, int(f"{number}2"), "", postcode, city)
    return plan, neighbour


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--signalen", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--waarheid", type=Path, help="write the planted variants as JSON here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    truth = generate(args.path, args.signalen, args.seed)
    took = time.perf_counter() - started
    print(
        f"{args.path}: {truth.signals} signals, {truth.persons} persons, {truth.addresses} "
        f"addresses, {truth.organisations} organisations, {len(truth.variants)} planted "
        f"variants in {took:.1f} s",
        file=sys.stderr,
    )
    if args.waarheid:
        args.waarheid.write_text(json.dumps(truth.as_json(), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
