"""`mhtool zoek` and the entity timelines, driven as a user does, on a real database file and
on a PostgreSQL server (every test that stores signals runs on both; what `zoek` imports at
start-up is measured on the file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.backend_helpers import file_only, stored_execute
from tests.conftest import Backend, Cli

PERSON = "naam=Jan de Vries; rol=slachtoffer; geboren=12-03-1990"
ADDRESS = "straat=Dorpsstraat; nummer=12a; postcode=1701 ab; plaats=Heerhugowaard"
ORGANISATION = "naam=Kwekerij De Tulp B.V.; kvk=12345678; sector=agrarisch"


@pytest.fixture
def new_signal(new_signal: Callable[..., str], backend: Backend) -> Callable[..., str]:
    """conftest's new_signal, on a file and on a PostgreSQL server."""
    return new_signal


@pytest.fixture
def earlier(new_signal: Callable[..., str]) -> str:
    """One earlier signal with a person, an address and an organisation, plus distractors."""
    ref = new_signal(
        "--persoon",
        PERSON,
        "--persoon",
        "naam=Zoë Müller; rol=betrokkene; geboren=1985",
        "--adres",
        ADDRESS,
        "--organisatie",
        ORGANISATION,
        datum="01-03-2025",
    )
    new_signal(
        "--persoon",
        "naam=Piet Jansen; rol=dader",
        "--adres",
        "straat=Kerkstraat; nummer=3; plaats=Hoorn",
        "--organisatie",
        "naam=Bouwbedrijf Noord; kvk=87654321",
        datum="02-03-2025",
    )
    return ref


def _search(cli: Cli, *args: str) -> dict[str, Any]:
    result = cli("zoek", *args, "--json")
    assert result.exit_code in (0, 3), result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def _top(data: dict[str, Any], kind: str) -> dict[str, Any]:
    hits: list[dict[str, Any]] = [h for h in data["resultaten"] if h["soort"] == kind]
    assert hits, data
    return hits[0]


@pytest.mark.parametrize(
    "args",
    [
        ("Dorpsstraat 12a",),
        ("Dorpstraat 12 A",),
        ("dorpsstr. 12-a",),
        ("1701 ab 12a",),
        ("1701AB 12A",),
        ("--postcode", "1701 ab", "--huisnummer", "12a"),
        ("--adres", "DORPSSTRAAT 12-A, Heerhugowaard"),
        ("--adres", "Dorpstraat 12a"),
    ],
)
def test_address_spellings_find_the_earlier_address(
    cli: Cli, earlier: str, args: tuple[str, ...]
) -> None:
    hit = _top(_search(cli, *args), "adres")
    assert hit["omschrijving"] == "Dorpsstraat 12a, 1701AB Heerhugowaard"
    assert [s["id"] for s in hit["signalen"]] == [earlier]
    assert hit["redenen"]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("Jan de Vries",), "zelfde naam"),
        (("J. de Vries",), "zelfde achternaam, voorletter komt overeen"),
        (("Jan de Vris",), "vergelijkbare naam (spelling)"),
        (("Jan de Vreis",), "vergelijkbare naam (spelling)"),
        (("--persoon", "jan DE VRIËS"), "zelfde naam"),
        (("--persoon", "de Vries, Jan"), "zelfde naam"),
        (("--persoon", "Jan de Vries", "--geboren", "12-03-1990"), "zelfde geboortedatum"),
        (("--persoon", "Jan de Vries", "--geboren", "1990"), "zelfde geboortejaar"),
    ],
)
def test_person_spellings_find_the_earlier_person(
    cli: Cli, earlier: str, args: tuple[str, ...], reason: str
) -> None:
    hit = _top(_search(cli, *args), "persoon")
    assert hit["omschrijving"] == "Jan de Vries (geb. 12-03-1990)"
    assert any(r.startswith(reason) for r in hit["redenen"]), hit["redenen"]
    assert hit["signalen"][0]["id"] == earlier
    assert hit["signalen"][0]["rol"] == "slachtoffer"


def test_diacritics_either_way_and_full_date_against_year(cli: Cli, earlier: str) -> None:
    for query in ("Zoe Muller", "ZOË MÜLLER", "Zoe Mueller"):
        hit = _top(_search(cli, "--persoon", query, "--geboren", "14-07-1985"), "persoon")
        assert hit["omschrijving"] == "Zoë Müller (geb. 1985)"
        assert any("zelfde geboortejaar" in r for r in hit["redenen"])


def test_organisation_by_kvk_name_and_typo(cli: Cli, earlier: str) -> None:
    assert _top(_search(cli, "--kvk", "12345678"), "organisatie")["redenen"] == [
        "zelfde KvK-nummer"
    ]
    assert _top(_search(cli, "12345678"), "organisatie")["score"] == 100
    hit = _top(_search(cli, "--organisatie", "kwekerij de tulp"), "organisatie")
    assert hit["redenen"] == ["zelfde naam"]
    hit = _top(_search(cli, "--organisatie", "Kwekrij de Tulp"), "organisatie")
    assert hit["redenen"] == ["vergelijkbare naam (spelling)"]


def test_ranked_output_shows_why(cli: Cli, earlier: str) -> None:
    result = cli("zoek", "1701 ab 12a")
    assert result.exit_code == 0
    assert "zelfde postcode en huisnummer" in result.stdout
    assert earlier in result.stdout
    assert "stap 1" in result.stdout


def test_text_in_descriptions_and_notes(cli: Cli, earlier: str) -> None:
    assert cli("signaal", "notitie", earlier, "Busje met Roemeens kenteken gezien").exit_code == 0
    data = _search(cli, "kenteken")
    hit = _top(data, "tekst")
    assert hit["signalen"][0]["id"] == earlier
    assert hit["redenen"] == ["woorden in notitie"]
    assert "«kenteken»" in hit["omschrijving"]
    assert _top(_search(cli, "kassen"), "tekst")["redenen"] == ["woorden in omschrijving"]


NOTE = (
    "Gesprek met de buurvrouw over het pand. Zij ziet elke ochtend een busje voor de deur. "
    "Tweede gesprek: de mannen werken volgens haar in de keuken van Café 't Hoekje, ook 's "
    "nachts, en slapen boven de zaak; het busje heeft een Roemeens kenteken."
)


def test_text_search_folds_case_and_accents_and_shows_the_best_part(cli: Cli, earlier: str) -> None:
    """The same words are found and the same part of a long note is shown («marked», cut with
    …) on a file and on a server: accents and capitals do not matter, the window goes where
    most searched words are."""
    assert cli("signaal", "notitie", earlier, NOTE).exit_code == 0
    for query in ("cafe keuken", "CAFÉ Keuken", "keuken café"):
        hits = [h for h in _search(cli, query)["resultaten"] if h["soort"] == "tekst"]
        assert [h["signalen"][0]["id"] for h in hits] == [earlier], query
        assert hits[0]["omschrijving"] == (
            "…de mannen werken volgens haar in de «keuken» van «Café» 't Hoekje…"
        )
    assert [h for h in _search(cli, "keuken bakkerij")["resultaten"] if h["soort"] == "tekst"] == []
    hit = _top(_search(cli, "buurvrouw"), "tekst")
    assert hit["omschrijving"] == (
        "Gesprek met de «buurvrouw» over het pand. Zij ziet elke ochtend een…"
    )


def test_nothing_found_exit_code_and_message(cli: Cli, earlier: str) -> None:
    result = cli("zoek", "--persoon", "Xerxes Zwartkop")
    assert result.exit_code == 3
    assert "Niets gevonden" in result.stdout
    data = json.loads(cli("zoek", "--persoon", "Xerxes Zwartkop", "--json").stdout)
    assert data["resultaten"] == [] and data["aantal"] == 0


@pytest.mark.parametrize(
    "query",
    [
        "O'Brien",
        'jan"',
        "AND",
        "OR NOT",
        "*",
        '"',
        "NEAR(",
        "NEAR(jan vries)",
        "a:b",
        "^x",
        "12345",
        "x" * 199,
        "Dorpsstraat 0",
        "\u202e evil",
    ],
)
def test_odd_input_never_crashes(cli: Cli, earlier: str, query: str) -> None:
    result = cli("zoek", query)
    assert result.exit_code in (0, 2, 3), result.output
    assert "onverwachts" not in result.stderr
    if result.exit_code == 2:
        assert result.stderr.startswith("Fout: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("",), "leeg"),
        (("   ",), "leeg"),
        (("x" * 300,), "te lang"),
        (("--persoon", "   "), "leeg"),
        (("--postcode", "17011AB"), "Postcode"),
        (("--kvk", "123"), "KvK-nummer"),
        (("--persoon", "Jan", "--geboren", "31-02-1990"), "bestaat niet"),
    ],
)
def test_bad_input_is_a_dutch_error(
    cli: Cli, earlier: str, args: tuple[str, ...], message: str
) -> None:
    result = cli("zoek", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("Fout: ") and message in result.stderr


def test_person_timeline(cli: Cli, earlier: str, new_signal: Callable[..., str]) -> None:
    person_id = _top(_search(cli, "Jan de Vries"), "persoon")["id"]
    later = new_signal("--persoon", f"id={person_id}; rol=betrokkene", datum="05-05-2025")
    assert cli("signaal", "stap", later, "--controle", "bekend").exit_code == 0
    data = json.loads(cli("persoon", "toon", str(person_id), "--json").stdout)
    assert data["gegevens"]["naam"] == "Jan de Vries"
    assert [s["id"] for s in data["signalen"]] == [earlier, later]
    assert [s["rol"] for s in data["signalen"]] == ["slachtoffer", "betrokkene"]
    assert [(t["signaal"], t["wat"]) for t in data["tijdlijn"]][:2] == [
        (earlier, "signaal ontvangen"),
        (later, "signaal ontvangen"),
    ]
    assert "stap 2" in data["tijdlijn"][-1]["wat"]
    related = {(r["soort"], r["omschrijving"]) for r in data["samen_genoemd"]}
    assert ("adres", "Dorpsstraat 12a, 1701AB Heerhugowaard") in related
    shown = cli("persoon", "toon", str(person_id))
    assert shown.exit_code == 0 and "Jan de Vries" in shown.stdout and later in shown.stdout


def test_address_and_organisation_timelines(cli: Cli, earlier: str) -> None:
    address_id = _top(_search(cli, "1701AB 12a"), "adres")["id"]
    data = json.loads(cli("adres", "toon", str(address_id), "--json").stdout)
    assert data["gegevens"]["postcode"] == "1701AB"
    assert data["signalen"][0]["id"] == earlier
    org_id = _top(_search(cli, "--kvk", "12345678"), "organisatie")["id"]
    data = json.loads(cli("organisatie", "toon", str(org_id), "--json").stdout)
    assert data["gegevens"]["kvk"] == "12345678"


def test_unknown_entity_id(cli: Cli, earlier: str) -> None:
    result = cli("persoon", "toon", "999")
    assert result.exit_code == 3
    assert "Persoon met id 999 bestaat niet" in result.stderr
    assert cli("adres", "toon", "0").exit_code == 2


def test_search_keys_follow_deletes(cli: Cli, earlier: str, backend: Backend) -> None:
    """The fuzzy term table and the text index hold nothing once the records are gone."""
    muller = "SELECT n FROM search_term WHERE kind = 'achternaam' AND term = 'muller'"
    assert backend.scalar(muller) == 1
    assert {h["signalen"][0]["id"] for h in _search(cli, "kassen")["resultaten"]} == {
        earlier,
        "MH-2025-0002",
    }
    stored_execute(
        backend,
        "DELETE FROM person WHERE name = 'Zoë Müller'",
        f"DELETE FROM signal WHERE ref = '{earlier}'",  # noqa: S608 - a number made here
    )
    assert backend.scalar("SELECT count(*) FROM search_term WHERE term = 'muller'") == 0
    assert backend.scalar("SELECT count(*) FROM search_text") == 1
    # The second signal's description remains, and only it is found.
    hits = _search(cli, "kassen")["resultaten"]
    assert [h["signalen"][0]["id"] for h in hits] == ["MH-2025-0002"]
    assert hits[0]["omschrijving"] == "Veel mensen op één adres, werken in de «kassen»."
    assert _search(cli, "--persoon", "Zoe Muller")["resultaten"] == []


@pytest.mark.slow
@file_only("the modules a command on a file loads at start-up (a server loads psycopg)")
def test_zoek_does_not_load_write_libraries(db_path: Path, earlier: str) -> None:
    """The read path stays light: no sqlite-utils, no questionary (start-up time)."""
    code = (
        "import sys\n"
        "from mhtool.cli.app import main\n"
        f"sys.argv = ['mhtool', '--db', {str(db_path)!r}, 'zoek', 'Jan de Vries']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sqlite_utils', 'questionary', 'rapidfuzz') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "['rapidfuzz']"
    code = "import sys, mhtool.cli.app; print('rapidfuzz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# Modules `zoek` has no use for: each import costs start-up time (issue 13: `zoek` within
# `--help` + 50 ms). Writers, forms, tables, the input forms of `signaal nieuw`, the lifecycle
# (the agenda's reminder reads only the norms), `mhtool info`'s report, platformdirs (Linux).
NOT_FOR_ZOEK = (
    "sqlite_utils",
    "questionary",
    "rich",
    "tabulate",
    "secrets",
    "mhtool.domain.signal_input",
    "mhtool.domain.lifecycle",
    "mhtool.services.lifecycle",
    "mhtool.services.earlier_records",
    "mhtool.services.database_info",
    "mhtool.store.signals",
)


def _modules_after(args: list[str], env: dict[str, str]) -> tuple[str, set[str]]:
    """Run `mhtool ARGS` in a fresh interpreter; its stdout and the modules it imported."""
    code = (
        "import io, json, sys\n"
        "from mhtool.cli.app import main\n"
        f"sys.argv = ['mhtool', *{args!r}]\n"
        "out, sys.stdout = sys.stdout, io.StringIO()\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "shown, sys.stdout = sys.stdout.getvalue(), out\n"
        "print(json.dumps([shown, sorted(sys.modules)]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    shown, modules = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(shown, str)
    return shown, set(modules)


@pytest.mark.slow
@file_only("the modules a command on a file loads at start-up (a server loads psycopg)")
@pytest.mark.parametrize(
    ("args", "needs_rapidfuzz"),
    [
        (["zoek", "Jan de Vries"], True),
        (["zoek", "--adres", "Dorpstraat 12a"], True),
        (["zoek", "kwekerij"], True),
        (["zoek", "--kvk", "12345678"], False),
        (["zoek", "--postcode", "1701AB", "--huisnummer", "12a"], False),
        (["zoek", "--json", "--persoon", "J. de Vries"], True),
    ],
)
def test_zoek_imports_only_what_it_needs(
    earlier: str, db_path: Path, tmp_path: Path, args: list[str], needs_rapidfuzz: bool
) -> None:
    """What `zoek` leaves out of its start-up (never a timing: the budget is in benchmarks/).
    rapidfuzz only when a key is long enough for a spelling variant to be looked for. The run
    is a real one: the hit is shown, and the agenda's reminder and the crash sweep run too."""
    env = {k: v for k, v in os.environ.items() if k not in ("MHTOOL_AGENDA_HINT", "MHTOOL_LOPEND")}
    env["MHTOOL_DB"] = str(db_path)
    env["XDG_DATA_HOME"] = str(tmp_path / "gebruikersdata")  # the crash sweep's registry
    env["HOME"] = str(tmp_path)
    shown, modules = _modules_after(args, env)
    assert "MH-" in shown or earlier in shown
    assert sorted(m for m in NOT_FOR_ZOEK if m in modules) == []
    assert ("rapidfuzz" in modules) is needs_rapidfuzz
    if sys.platform == "linux":
        assert "platformdirs" not in modules


def test_organisation_words_follow_updates_and_deletes(
    cli: Cli, earlier: str, backend: Backend
) -> None:
    def words() -> set[str]:
        return {
            r[0]
            for r in backend.rows("SELECT term FROM search_term WHERE kind = 'organisatiewoord'")
        }

    assert {"kwekerij", "tulp", "bouwbedrijf", "noord"} <= words()
    stored_execute(
        backend,
        "UPDATE organisation SET name = 'Kwekerij De Roos', core_key = 'kwekerij de roos' "
        "WHERE kvk = '12345678'",
    )
    assert "tulp" not in words() and "roos" in words()
    assert _top(_search(cli, "--organisatie", "Kwekerij de Rooss"), "organisatie")["id"] == 1
    stored_execute(backend, "DELETE FROM organisation")
    assert words() == set()
    assert _search(cli, "--organisatie", "Kwekerij de Roos")["resultaten"] == []


def test_searching_and_viewing_are_logged_without_the_query(
    cli: Cli, earlier: str, backend: Backend
) -> None:
    assert cli("zoek", "Jan de Vries").exit_code == 0
    assert cli("persoon", "toon", "1").exit_code == 0
    assert cli("zoek", "--signaal", earlier).exit_code == 3
    rows = backend.rows(
        "SELECT action, object_type, object_id, details FROM audit_log "
        "WHERE action IN ('zoek', 'persoon.toon', 'zoek.signaal') ORDER BY id"
    )
    assert [r[:3] for r in rows] == [
        ("zoek", "zoekopdracht", ""),
        ("persoon.toon", "persoon", "1"),
        ("zoek.signaal", "signaal", earlier),
    ]
    assert "Vries" not in rows[0][3] and "persoon" in rows[0][3]


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (("--organisatie", "Tulp"), "organisatie"),
        (("--organisatie", "De Tulp"), "organisatie"),
        (("Tulp",), "organisatie"),
        (("Dorpsstraat",), "adres"),
        (("--adres", "Dorpsstraat, Heerhugowaard"), "adres"),
    ],
)
def test_part_of_a_name_or_a_street_alone_is_found(
    cli: Cli, earlier: str, args: tuple[str, ...], kind: str
) -> None:
    """A step-2 check often starts from a trade-name fragment or a street without a number."""
    top = _top(_search(cli, *args), kind)
    assert [s["id"] for s in top["signalen"]] == [earlier]
    if kind == "organisatie":
        assert top["redenen"] == ["deel van de naam"]
        assert 60 <= top["score"] < 100


def test_a_fragment_does_not_match_on_particles_or_other_names(cli: Cli, earlier: str) -> None:
    data = _search(cli, "--organisatie", "De")
    assert [h for h in data["resultaten"] if h["soort"] == "organisatie"] == []
    data = _search(cli, "--organisatie", "Bouwbedrijf Zuid")
    assert [h["omschrijving"] for h in data["resultaten"]] != ["Kwekerij De Tulp B.V."]


def test_a_name_with_an_apostrophe_is_found(cli: Cli, new_signal: Callable[..., str]) -> None:
    ref = new_signal("--persoon", "naam=Seán O'Brien; rol=betrokkene")
    for query in (("O'Brien",), ("--persoon", "O'Brien"), ("OBrien",), ("S. O’Brien",)):
        top = _top(_search(cli, *query), "persoon")
        assert [s["id"] for s in top["signalen"]] == [ref], query


def test_a_double_surname_alone_finds_the_person(cli: Cli, new_signal: Callable[..., str]) -> None:
    ref = new_signal("--persoon", "naam=Zoë Ångström-Müller; rol=slachtoffer; geboren=2001")
    for query in (("--persoon", "Ångström-Müller"), ("Angstrom-Muller",), ("Müller",)):
        top = _top(_search(cli, *query), "persoon")
        assert [s["id"] for s in top["signalen"]] == [ref], query
