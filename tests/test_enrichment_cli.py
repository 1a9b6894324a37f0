"""`signaal verrijk` and `signaal wijzig`: completing and correcting a logged signal."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.conftest import Backend, Cli
from tests.signal_helpers import log_signal

# Enriching and correcting a signal, on a file and on a PostgreSQL server alike.
pytestmark = pytest.mark.usefixtures("backend")


def test_enrich_adds_new_and_links_existing(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    first = new_signal("--adres", "straat=Kerkstraat; nummer=1; postcode=1700AA")
    second = new_signal()
    result = cli(
        "signaal",
        "verrijk",
        second,
        "--adres",
        "id=1",
        "--persoon",
        "naam=Testpersoon Delta; rol=betrokkene",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [a["id"] for a in data["adressen"]] == [1]
    assert [p["naam"] for p in data["personen"]] == ["Testpersoon Delta"]
    # One address row, now shared by both signals.
    assert backend.rows("SELECT count(*) FROM address") == [(1,)]
    assert backend.rows("SELECT count(*) FROM signal_address") == [(2,)]
    assert first != second


def test_enrich_needs_something_and_refuses_closed(
    cli: Cli, new_signal: Callable[..., str]
) -> None:
    ref = new_signal()
    empty = cli("signaal", "verrijk", ref)
    assert empty.exit_code == 2 and "--persoon" in empty.stderr
    cli(
        "signaal",
        "stap",
        ref,
        "--naar",
        "5",
        "--reden",
        "r",
        "--conclusie",
        "geen",
        "--geen-terugkoppeling",
    )
    closed = cli("signaal", "verrijk", ref, "--persoon", "naam=X; rol=dader")
    assert closed.exit_code == 6


def test_correct_keeps_the_old_value_in_history(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal()
    no_reason = cli("signaal", "wijzig", ref, "--gemeente", "Texel")
    assert no_reason.exit_code == 2 and "--reden" in no_reason.stderr
    nothing = cli("signaal", "wijzig", ref, "--reden", "x")
    assert nothing.exit_code == 2 and "wat er verandert" in nothing.stderr

    result = cli(
        "signaal",
        "wijzig",
        ref,
        "--gemeente",
        "Texel",
        "--vorm",
        "seksueel",
        "--reden",
        "verkeerde gemeente gekozen",
    )
    assert result.exit_code == 0, result.output
    assert backend.rows("SELECT municipality FROM signal") == [("Texel",)]
    assert backend.rows("SELECT form FROM signal_form") == [("seksueel",)]
    changes = [
        json.loads(str(c))
        for (c,) in backend.rows(
            "SELECT changes FROM history WHERE action IN ('gecorrigeerd', 'correctie')"
        )
    ]
    assert changes == [
        {
            "municipality": {"oud": "Dijk en Waard", "nieuw": "Texel"},
            "reden": "verkeerde gemeente gekozen",
            "vormen": {"oud": ["arbeid"], "nieuw": ["seksueel"]},
        }
    ]
    again = cli("signaal", "wijzig", ref, "--gemeente", "texel", "--reden", "nog eens")
    assert again.exit_code == 2 and "Er verandert niets" in again.stderr
    shown = cli("signaal", "toon", ref)
    assert "gemeente: Dijk en Waard → Texel" in shown.stdout


def test_acute_can_be_corrected_and_shows_the_avim_route(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal()
    result = cli("signaal", "wijzig", ref, "--acuut", "--reden", "toch acuut gevaar")
    assert result.exit_code == 0, result.output
    assert "direct AVIM inschakelen" in result.stdout
    assert backend.rows("SELECT acute FROM signal") == [(1,)]


def test_linking_twice_is_refused_and_keeps_the_role(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal(
        "--persoon", "naam=Testpersoon; rol=slachtoffer", "--adres", "straat=A; nummer=1"
    )
    for spec in (("--persoon", "id=1; rol=dader"), ("--adres", "id=1")):
        result = cli("signaal", "verrijk", ref, *spec)
        assert result.exit_code == 2, result.output
        assert "al gekoppeld" in result.stderr
    assert backend.rows("SELECT role FROM signal_person") == [("slachtoffer",)]
    twice = cli(
        "signaal",
        "nieuw",
        "--gemeente",
        "Texel",
        "--melder",
        "x",
        "--kanaal",
        "mail",
        "--omschrijving",
        "y",
        "--adres",
        "id=1",
        "--adres",
        "id=1",
    )
    assert twice.exit_code == 2 and "al gekoppeld" in twice.stderr


def test_json_output_is_only_json_even_for_acute_signals(cli: Cli) -> None:
    created = cli(
        "signaal",
        "nieuw",
        "--gemeente",
        "Texel",
        "--melder",
        "x",
        "--kanaal",
        "mail",
        "--omschrijving",
        "y",
        "--acuut",
        "--json",
    )
    assert json.loads(created.stdout)["acuut"] is True
    # The AVIM route still reaches the person running the script, on stderr.
    assert "ACUUT: schakel direct AVIM" in created.stderr
    assert f"mhtool signaal avim {json.loads(created.stdout)['id']}" in created.stderr
    made_acute = cli(
        "signaal",
        "nieuw",
        "--gemeente",
        "Texel",
        "--melder",
        "x",
        "--kanaal",
        "mail",
        "--omschrijving",
        "y",
        "--json",
    )
    ref = json.loads(made_acute.stdout)["id"]
    corrected = cli("signaal", "wijzig", ref, "--acuut", "--reden", "r", "--json")
    assert json.loads(corrected.stdout)["acuut"] is True


def test_enrich_refuses_a_person_born_after_receipt(cli: Cli, backend: Backend) -> None:
    ref = log_signal(cli, datum="01-01-2025", omschrijving="Tip.")
    result = cli("signaal", "verrijk", ref, "--persoon", "naam=Z; rol=betrokkene; geboren=2026")
    assert result.exit_code == 2
    assert "ligt na de ontvangstdatum (01-01-2025)" in result.stderr
    assert backend.rows("SELECT count(*) FROM person") == [(0,)]
