"""House numbers are shown as a Dutch address writes them: a numeric addition keeps its
separator ('14-2' is not house 142), one letter sits against the number, a word follows a space."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from mhtool.domain.normalise import house_number_display, split_house_number
from tests.conftest import Cli


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("14-2", "14-2"),
        ("14 - 2", "14-2"),
        ("14/2", "14-2"),
        ("14 hs", "14 hs"),
        ("14HS", "14 hs"),
        ("12a", "12a"),
        ("12-A", "12a"),
        ("12 A", "12a"),
        ("7", "7"),
        ("3-a1", "3-A1"),
        ("101 bis", "101 bis"),
    ],
)
def test_house_number_display(typed: str, shown: str) -> None:
    assert house_number_display(*split_house_number(typed)) == shown


def test_numeric_addition_is_never_glued_to_the_number(
    cli: Cli, new_signal: Callable[..., str]
) -> None:
    ref = new_signal(
        "--adres",
        "straat=Prins Hendrikstraat; nummer=14-2; postcode=1701AB; plaats=Hoorn",
        "--adres",
        "straat=Prins Hendrikstraat; nummer=14 hs; postcode=1701AB; plaats=Hoorn",
        "--adres",
        "straat=Kerkstraat; nummer=12-A; postcode=1702AB; plaats=Hoorn",
    )
    shown = cli("signaal", "toon", ref)
    assert shown.exit_code == 0, shown.output
    assert "Prins Hendrikstraat 14-2, 1701AB Hoorn" in shown.stdout
    assert "Prins Hendrikstraat 14 hs, 1701AB Hoorn" in shown.stdout
    assert "Kerkstraat 12a" in shown.stdout
    assert "142" not in shown.stdout and "14hs" not in shown.stdout

    data = json.loads(cli("signaal", "toon", ref, "--json").stdout)
    full = [a["huisnummer_volledig"] for a in data["adressen"]]
    assert full == ["14-2", "14 hs", "12a"]
    assert [(a["huisnummer"], a["toevoeging"]) for a in data["adressen"]][0] == (14, "2")

    found = cli("zoek", "Prins Hendrikstraat 14-2")
    assert found.exit_code == 0, found.output
    assert "Prins Hendrikstraat 14-2" in found.stdout
    assert "Prins Hendrikstraat 142" not in found.stdout

    address = cli("adres", "toon", "1")
    assert address.exit_code == 0, address.output
    assert "Prins Hendrikstraat 14-2" in address.stdout
