"""`mhtool statistiek`: selection of years and gemeenten, grouping, totals and bad input."""

from __future__ import annotations

import pytest

from tests.conftest import Backend, Cli
from tests.statistics_helpers import advance, close, log, stats_json, table_rows

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture(autouse=True)
def existing_database(cli: Cli, backend: Backend) -> None:
    """Reading commands never create the file, so each test starts from an initialised one.
    (A server database exists before mhtool first uses it; `init` is for a file.)"""
    if not backend.is_postgresql:
        assert cli("init").exit_code == 0


@pytest.fixture
def spread(cli: Cli) -> dict[str, str]:
    """Five signals over three gemeenten and two years, one with two forms and a company."""
    return {
        "dw_2025": log(cli, "--vorm", "arbeid", datum="10-03-2025"),
        "dw_2026": log(
            cli,
            "--vorm",
            "arbeid",
            "--vorm",
            "seksueel",
            "--organisatie",
            "naam=Voorbeeld BV; sector=horeca",
            datum="02-02-2026",
        ),
        "hk_2026": log(cli, "--vorm", "seksueel", gemeente="Hollands Kroon", datum="03-02-2026"),
        "alk_2026a": log(cli, "--vorm", "crimineel", gemeente="Alkmaar", datum="04-02-2026"),
        "alk_2026b": log(cli, gemeente="Alkmaar", datum="05-05-2026"),
    }


def test_default_is_gemeente_by_year_with_totals(cli: Cli, spread: dict[str, str]) -> None:
    data = stats_json(cli)
    assert data["indeling"] == ["gemeente"]
    assert data["jaren"] == [2025, 2026]
    assert [(r["gemeente"], r["per_jaar"], r["totaal"]) for r in data["rijen"]] == [
        ("Alkmaar", {"2025": 0, "2026": 2}, 2),
        ("Dijk en Waard", {"2025": 1, "2026": 1}, 2),
        ("Hollands Kroon", {"2025": 0, "2026": 1}, 1),
    ]
    assert data["totaal"] == {"per_jaar": {"2025": 1, "2026": 4}, "totaal": 5}


def test_numbers_match_the_stored_rows(cli: Cli, spread: dict[str, str], backend: Backend) -> None:
    stored = dict(
        ((g, y), n)
        for g, y, n in backend.rows("SELECT municipality, year, count(*) FROM signal GROUP BY 1, 2")
    )
    shown = {
        (r["gemeente"], int(y)): n
        for r in stats_json(cli)["rijen"]
        for y, n in r["per_jaar"].items()
        if n
    }
    assert shown == stored


def test_years_one_several_or_a_range(cli: Cli, spread: dict[str, str]) -> None:
    assert stats_json(cli, "--jaar", "2026")["jaren"] == [2026]
    assert stats_json(cli, "--jaar", "2024", "--jaar", "2026")["jaren"] == [2024, 2026]
    ranged = stats_json(cli, "--jaar", "2024-2026")
    assert ranged["jaren"] == [2024, 2025, 2026]
    assert ranged["totaal"]["per_jaar"] == {"2024": 0, "2025": 1, "2026": 4}


def test_gemeente_selection_shows_chosen_rows_even_when_zero(
    cli: Cli, spread: dict[str, str]
) -> None:
    data = stats_json(cli, "--gemeente", "driehoek")
    assert [r["gemeente"] for r in data["rijen"]] == [
        "Dijk en Waard",
        "Hollands Kroon",
        "Koggenland",
    ]
    assert data["rijen"][2]["totaal"] == 0
    assert data["totaal"]["totaal"] == 3
    one = stats_json(cli, "--gemeente", "alkmaar", "--gemeente", "Heerhugowaard")
    assert one["gemeenten"] == ["Alkmaar", "Dijk en Waard"]
    assert one["totaal"]["totaal"] == 4
    assert stats_json(cli, "--gemeente", "alle")["totaal"]["totaal"] == 5


def test_per_vorm_counts_a_signal_in_each_of_its_forms_and_once_in_the_total(
    cli: Cli, spread: dict[str, str]
) -> None:
    data = stats_json(cli, "--per", "vorm", "--jaar", "2026")
    counts = {r["vorm"]: r["per_jaar"]["2026"] for r in data["rijen"]}
    assert counts == {
        "seksueel": 2,
        "arbeid": 1,
        "crimineel": 1,
        "orgaanverwijdering": 0,
        "onbekend": 1,
    }
    assert data["totaal"]["per_jaar"]["2026"] == 4  # five rows, four distinct signals


def test_per_sector_stap_kanaal_conclusie(cli: Cli, spread: dict[str, str]) -> None:
    sectors = stats_json(cli, "--per", "sector")
    by_sector = {r["sector"]: r["totaal"] for r in sectors["rijen"] if r["totaal"]}
    assert by_sector == {"horeca": 1, "": 4}
    assert "geen organisatie" in [r["omschrijving"] for r in sectors["rijen"]]

    close(
        cli,
        spread["alk_2026a"],
        ("05-02-2026", "06-02-2026", "07-02-2026", "08-02-2026"),
        "--strafrechtelijk",
    )
    advance(cli, spread["hk_2026"], "04-02-2026", "--controle", "niets gevonden")
    steps = {r["stap"]: r["totaal"] for r in stats_json(cli, "--per", "stap")["rijen"]}
    assert steps == {1: 3, 2: 1, 3: 0, 4: 0, 5: 1}
    conclusions = stats_json(cli, "--per", "conclusie")["rijen"]
    assert {r["conclusie"]: r["totaal"] for r in conclusions} == {
        "geen": 0,
        "verder-onderzoek": 0,
        "duiding": 1,
        "": 4,
    }
    assert conclusions[-1]["omschrijving"] == "nog niet afgerond"
    channels = {r["kanaal"]: r["totaal"] for r in stats_json(cli, "--per", "kanaal")["rijen"]}
    assert channels["mail"] == 5


def test_two_groupings_cross(cli: Cli, spread: dict[str, str]) -> None:
    data = stats_json(cli, "--per", "gemeente", "--per", "vorm", "--jaar", "2026")
    pairs = {(r["gemeente"], r["vorm"]): r["totaal"] for r in data["rijen"]}
    assert pairs == {
        ("Alkmaar", "crimineel"): 1,
        ("Alkmaar", "onbekend"): 1,
        ("Dijk en Waard", "seksueel"): 1,
        ("Dijk en Waard", "arbeid"): 1,
        ("Hollands Kroon", "seksueel"): 1,
    }
    shown = cli("statistiek", "--per", "gemeente", "--per", "vorm", "--jaar", "2026")
    assert table_rows(shown.stdout)[0] == ["Gemeente", "Vorm", "2026", "Totaal"]


def test_year_figures_default_to_noord_holland_noord(cli: Cli, spread: dict[str, str]) -> None:
    log(cli, gemeente="Amsterdam", datum="01-03-2026")  # outside NHN: not in the regional figure
    close(
        cli,
        spread["dw_2026"],
        ("03-02-2026", "04-02-2026", "05-02-2026", "06-02-2026"),
        "--strafrechtelijk",
        "--opvang",
    )
    data = stats_json(cli, "--tabel", "jaarcijfers", "--jaar", "2026")
    assert [(r["cijfer"], r["per_jaar"]["2026"]) for r in data["rijen"]] == [
        ("signalen", 4),
        ("strafrechtelijk_opgepakt", 1),
        ("opvang_slachtoffers", 1),
    ]
    everywhere = stats_json(cli, "--tabel", "jaarcijfers", "--jaar", "2026", "--gemeente", "alle")
    assert everywhere["rijen"][0]["per_jaar"]["2026"] == 5
    assert everywhere["rijen"][0]["omschrijving"] == "Aantal ontvangen signalen alle gemeenten"


def test_empty_database_gives_zero_table_not_an_error(cli: Cli) -> None:
    data = stats_json(cli, "--jaar", "2026")
    assert data["rijen"] == []
    assert data["totaal"] == {"per_jaar": {"2026": 0}, "totaal": 0}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--jaar", "2023-2022"], "Jaarbereik '2023-2022' loopt achteruit"),
        (["--jaar", "twintig"], "Jaar 'twintig' is ongeldig"),
        (["--jaar", "1850"], "Jaar 1850 is niet mogelijk"),
        (["--gemeente", "Atlantis"], "Onbekende gemeente 'Atlantis'"),
        (["--per", "leeftijd"], "--per 'leeftijd' is onbekend; kies uit: gemeente, vorm"),
        (["--tabel", "alles"], "--tabel 'alles' is onbekend; kies uit: gemeenten, jaarcijfers"),
        (["--tabel", "driehoek", "--per", "vorm"], "--per past niet bij --tabel driehoek"),
        (["--tabel", "driehoek", "--gemeente", "Hoorn"], "laat --gemeente weg"),
        (["--per", "vorm", "--per", "vorm"], "Noem elke indeling bij --per maar één keer"),
        (["--per", "vorm", "--per", "stap", "--per", "kanaal"], "hoogstens twee"),
        (["--onderdruk", "1"], "--onderdruk 1 kan niet"),
        (["--json", "--csv"], "Kies één uitvoervorm"),
        (["--grafiek", "--onderdruk", "5"], "laat --per, --tabel en --onderdruk weg"),
        (["--uitvoer", "cijfers.txt"], "Aan de bestandsnaam cijfers.txt is het formaat niet"),
    ],
)
def test_bad_input_is_one_dutch_sentence(cli: Cli, args: list[str], message: str) -> None:
    result = cli("statistiek", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Fout: ")
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["statistiek", "rapport"])
def test_help_is_dutch_throughout(cli: Cli, command: str) -> None:
    result = cli(command, "--help")
    assert result.exit_code == 0
    for english in ("[default", "Options", "Usage", "<list[str]>", "<path>"):
        assert english not in result.stdout
    assert "Opties:" in result.stdout


def test_a_signal_with_two_companies_in_one_sector_counts_once(cli: Cli) -> None:
    log(
        cli,
        "--organisatie",
        "naam=Voorbeeld Een BV; sector=horeca",
        "--organisatie",
        "naam=Voorbeeld Twee BV; sector=horeca",
        "--organisatie",
        "naam=Voorbeeld Drie BV",
        datum="02-02-2026",
    )
    rows = {r["sector"]: r["totaal"] for r in stats_json(cli, "--per", "sector")["rijen"]}
    assert rows["horeca"] == 1
    assert rows["?"] == 1  # an organisation without a sector
    assert stats_json(cli, "--per", "sector")["totaal"]["totaal"] == 1
