"""A person stored with a middle name ('Jan Pieter de Vries') is found by search as 'J. de
Vries', 'J.P. de Vries', 'Jan de Vries' and, in their own signals, 'de Vries': erasure removes
those forms too (with the same namesake rule), not only the full stored name."""

from __future__ import annotations

import json

from tests.conftest import Backend, Cli
from tests.signal_helpers import log_signal

TEXT = "Jan de Vries belde; J. de Vries en J.P. de Vries zijn dezelfde; de Vries bevestigt."


def test_forms_without_the_middle_name_are_erased(cli: Cli, backend: Backend) -> None:
    log_signal(
        cli, "--persoon", "naam=Jan Pieter de Vries; rol=slachtoffer", datum="01-11-2026",
        omschrijving=TEXT,
    )  # fmt: skip
    found = json.loads(cli("zoek", "--persoon", "J. de Vries", "--json").stdout)
    assert found["resultaten"], found
    erased = cli("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja")
    assert erased.exit_code == 0, erased.output
    (text,) = backend.rows("SELECT description FROM signal")[0]
    assert "vries" not in str(text).lower(), text


def test_a_namesake_without_middle_name_keeps_his_forms(cli: Cli, backend: Backend) -> None:
    log_signal(
        cli, "--persoon", "naam=Jan Pieter de Vries; rol=slachtoffer", datum="01-11-2026",
        omschrijving="x",
    )  # fmt: skip
    other = log_signal(
        cli, "--persoon", "naam=Jan de Vries; rol=dader", datum="02-11-2026", omschrijving=TEXT
    )
    erased = cli("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja", "--json")
    assert erased.exit_code == 0, erased.output
    (text,) = backend.rows("SELECT description FROM signal WHERE ref = ?", (other,))[0]
    assert text == TEXT
    assert backend.rows("SELECT name FROM person") == [("Jan de Vries",)]
