"""`mhtool rapport`: what the weekly report contains, and which week it is about."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from mhtool.domain.periods import IsoWeek, last_complete_week, parse_week
from mhtool.errors import ValidationError
from tests.conftest import Backend, Cli
from tests.statistics_helpers import week_45_data


@pytest.fixture(autouse=True)
def existing_database(cli: Cli, backend: Backend) -> None:
    """Reading commands never create the file, so each test starts from an initialised one.
    (Every test runs on both backends; a server database exists before mhtool first uses it.)"""
    if not backend.is_postgresql:
        assert cli("init").exit_code == 0


def report(cli: Cli, *args: str) -> dict[str, Any]:
    result = cli("rapport", *args, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_week_sections(cli: Cli) -> None:
    refs = week_45_data(cli)
    data = report(cli, "--week", "2026-W45")
    assert (data["week"], data["van"], data["tot_en_met"]) == (
        "2026-W45",
        "2026-11-02",
        "2026-11-08",
    )
    assert data["week_voorbij"] is True

    new = data["nieuwe_signalen"]
    assert [s["id"] for s in new] == [refs["new_acute"], refs["new_plain"]]
    assert new[0]["personen"] == [
        {"rol": "slachtoffer", "leeftijdscategorie": "0-17 (minderjarig)"},
        {"rol": "dader", "leeftijdscategorie": "40-49"},
    ]
    assert new[0]["postcodegebieden"] == ["1701"]
    assert new[0]["sectoren"] == ["uitzendbureau"]
    assert new[0]["acuut"] is True
    assert new[1]["personen"] == [{"rol": "betrokkene", "leeftijdscategorie": "30-39"}]

    moves = data["stapwijzigingen"]
    assert [(m["id"], m["datum"], m["van_stap"], m["naar_stap"]) for m in moves] == [
        (refs["closed"], "2026-11-04", 2, 3),
        (refs["closed"], "2026-11-05", 3, 4),
        (refs["closed"], "2026-11-06", 4, 5),
    ]
    assert moves[0]["besproken_met"] == ["oe-wijk"]

    assert data["afgerond"] == [
        {
            "id": refs["closed"],
            "gemeente": "Hollands Kroon",
            "afgerond_op": "2026-11-06",
            "conclusie": "duiding",
            "terugkoppeling_gegeven": True,
            "terugkoppeling_op": "2026-11-06",
            "strafrechtelijk_opgepakt": True,
            "opvang_geregeld": True,
            "bestuurlijke_maatregelen": ["bibob"],
        }
    ]
    acute = {a["id"]: a for a in data["acuut"]}
    assert set(acute) == {refs["new_acute"], refs["acute_old"]}
    assert acute[refs["new_acute"]]["nieuw_deze_week"] is True
    assert acute[refs["new_acute"]]["avim_geinformeerd"] == "2026-11-03T14:30"
    assert acute[refs["acute_old"]]["nieuw_deze_week"] is False
    assert acute[refs["acute_old"]]["avim_geinformeerd"] is None

    waiting = [(w["id"], w["stap"], w["dagen_in_stap"]) for w in data["wachtend"]]
    assert waiting == [(refs["waiting"], 1, 99), (refs["acute_old"], 1, 38)]
    assert data["wachtdagen"] == 30
    chart = data["grafiek"]
    assert chart["weken"][-1] == "2026-W45" and len(chart["weken"]) == 13
    assert chart["reeksen"]["Dijk en Waard"][-1] == 1
    assert chart["reeksen"]["Koggenland"][-1] == 1


def test_wait_days_option_and_environment(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    refs = week_45_data(cli)
    assert [
        w["id"] for w in report(cli, "--week", "2026-W45", "--wachtdagen", "60")["wachtend"]
    ] == [refs["waiting"]]
    monkeypatch.setenv("MHTOOL_WACHTDAGEN", "100")
    assert report(cli, "--week", "2026-W45")["wachtend"] == []
    monkeypatch.setenv("MHTOOL_WACHTDAGEN", "dertig")
    bad = cli("rapport", "--week", "2026-W45", "--json")
    assert bad.exit_code == 2
    assert "MHTOOL_WACHTDAGEN='dertig' is geen geheel aantal dagen" in bad.stderr
    zero = cli("rapport", "--week", "2026-W45", "--wachtdagen", "0")
    assert zero.exit_code == 2
    assert "--wachtdagen 0 kan niet" in zero.stderr


def test_default_week_is_the_last_complete_week(cli: Cli) -> None:
    assert report(cli)["week"] == last_complete_week(dt.date.today()).label


def test_a_reopened_signal_keeps_what_was_recorded_when_it_closed(cli: Cli) -> None:
    refs = week_45_data(cli)
    again = cli(
        "signaal",
        "heropen",
        refs["closed"],
        "--reden",
        "nieuwe informatie",
        "--datum",
        "10-11-2026",
    )
    assert again.exit_code == 0, again.output
    closed = report(cli, "--week", "2026-W45")["afgerond"]
    assert closed[0]["conclusie"] == "duiding"
    reopened = report(cli, "--week", "2026-W46")["stapwijzigingen"]
    assert [(m["soort"], m["naar_stap"]) for m in reopened] == [("heropen", 4)]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2025-W53", "Week '2025-W53' bestaat niet: 2025 heeft weken 1 tot en met 52."),
        ("2026-W00", "Week '2026-W00' bestaat niet"),
        ("week 48", "Week 'week 48' is ongeldig; schrijf een ISO-week als jjjj-Www"),
        ("48", "Week '48' is ongeldig"),
        ("2026-13-01", "Week '2026-13-01' is ongeldig"),
        ("0999-W01", "jaar 999 is niet mogelijk"),
    ],
)
def test_bad_weeks_are_refused_in_dutch(cli: Cli, typed: str, message: str) -> None:
    result = cli("rapport", "--week", typed)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Fout: ")
    assert message in result.stderr


def test_a_week_that_has_not_started_is_refused(cli: Cli) -> None:
    future = IsoWeek(*dt.date.today().isocalendar()[:2]).shifted(2)
    result = cli("rapport", "--week", future.label)
    assert result.exit_code == 2
    assert f"Week {future.label} is nog niet begonnen" in result.stderr


def test_week_parsing_rules() -> None:
    sunday = dt.date(2026, 11, 29)
    assert parse_week(None, sunday) == IsoWeek(2026, 47)  # the week of the 29th is not over yet
    with pytest.raises(ValidationError, match="leeg"):
        parse_week("", sunday)
    assert parse_week(None, dt.date(2026, 11, 30)) == IsoWeek(2026, 48)
    assert parse_week("2026w48", sunday) == IsoWeek(2026, 48)
    assert parse_week(" 2026-W8 ", sunday) == IsoWeek(2026, 8)
    assert parse_week("2020-W53", sunday).monday == dt.date(2020, 12, 28)
    assert IsoWeek(2026, 1).monday == dt.date(2025, 12, 29)
    assert IsoWeek(2026, 1).shifted(-1) == IsoWeek(2025, 52)
    with pytest.raises(ValidationError):
        parse_week("2026-W49", sunday)
