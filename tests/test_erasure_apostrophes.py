"""A name with an apostrophe is erased in every spelling search matches: straight or curly
apostrophe, or none at all ('O'Brien', 'O’Brien', 'OBrien')."""

from __future__ import annotations

import json

from tests.conftest import Backend, Cli
from tests.signal_helpers import log_signal


def test_apostrophe_spellings_are_erased_like_search_finds_them(cli: Cli, backend: Backend) -> None:
    log_signal(
        cli,
        "--persoon",
        "naam=Seán O'Brien; rol=slachtoffer",
        datum="01-11-2026",
        omschrijving="Seán O’Brien belde; Sean OBrien ook, en S. O'Brien. Later: O’Brien.",
    )
    for spelling in ("Sean OBrien", "Seán O’Brien"):
        found = json.loads(cli("zoek", "--persoon", spelling, "--json").stdout)
        assert found["resultaten"][0]["score"] == 100, spelling
    erased = cli("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja")
    assert erased.exit_code == 0, erased.output
    (text,) = backend.rows("SELECT description FROM signal")[0]
    assert "brien" not in str(text).lower(), text
