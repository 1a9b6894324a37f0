"""A corrected person, address or organisation shows its history: `persoon|adres|organisatie
wijzig` answers "de oude waarde staat in de historie", so `... toon` must show it (who, when,
old and new value, the reason), in the terminal and in --json; never the search keys."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.backend_helpers import as_user
from tests.conftest import Backend, Cli

# Corrections shown with their old values, on a file and on a PostgreSQL server alike.
pytestmark = pytest.mark.usefixtures("backend")

NewSignal = Callable[..., str]


def test_toon_shows_corrections_with_old_values(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    ref = new_signal(
        "--persoon", "naam=Jan de Vreis; rol=slachtoffer; geboren=1990",
        "--adres", "straat=Kerkstraat; nummer=142; postcode=1701AB; plaats=Hoorn",
        "--organisatie", "naam=Tulp BV",
    )  # fmt: skip
    for args in (
        (*as_user(backend, "anna"), "persoon", "wijzig", "1", "--naam", "Jan de Vries"),
        ("adres", "wijzig", "1", "--nummer", "14-2"),
        ("organisatie", "wijzig", "1", "--kvk", "12345678"),
        ("signaal", "wijzig", ref, "--rol", "id=1; rol=dader"),
    ):
        assert cli(*args, "--reden", "tikfout paspoort").exit_code == 0, args

    shown = cli("persoon", "toon", "1")
    assert shown.exit_code == 0, shown.output
    history = shown.stdout.split("Historie", 1)[1]
    assert "Jan de Vreis → Jan de Vries" in history
    assert "tikfout paspoort" in history and "anna" in history
    assert "slachtoffer → dader" in history
    assert "sleutel" not in history
    data = json.loads(cli("persoon", "toon", "1", "--json").stdout)
    corrected = [h for h in data["historie"] if h["actie"] == "gecorrigeerd"]
    assert corrected and corrected[0]["wijzigingen"]["naam"] == {
        "oud": "Jan de Vreis",
        "nieuw": "Jan de Vries",
    }
    assert corrected[0]["door"] == "anna" and corrected[0]["signaal"] is None
    assert not any("sleutel" in k for h in data["historie"] for k in h["wijzigingen"])

    address = cli("adres", "toon", "1")
    assert "huisnummer" in address.stdout.split("Historie", 1)[1].lower()
    organisation = json.loads(cli("organisatie", "toon", "1", "--json").stdout)
    assert any(
        h["wijzigingen"].get("kvk") == {"oud": "", "nieuw": "12345678"}
        for h in organisation["historie"]
    )
