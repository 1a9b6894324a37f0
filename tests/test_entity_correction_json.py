"""`persoon|adres|organisatie wijzig --json` answers with the same Dutch keys as `... toon
--json` (its `gegevens`), plus soort, id and omschrijving; never column names or search keys."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.conftest import Cli

# The JSON of corrections, on a file and on a PostgreSQL server alike.
pytestmark = pytest.mark.usefixtures("backend")

NewSignal = Callable[..., str]


def test_corrections_answer_in_dutch_keys_like_toon(cli: Cli, new_signal: NewSignal) -> None:
    new_signal(
        "--persoon", "naam=Jan de Vreis; rol=slachtoffer; geboren=1990",
        "--adres", "straat=Kerkstraat; nummer=142; postcode=1701AB; plaats=Hoorn",
        "--organisatie", "naam=Tulp BV",
    )  # fmt: skip
    for kind, args, label in (
        ("persoon", ("--naam", "Jan de Vries"), "Jan de Vries (geb. 1990)"),
        ("adres", ("--nummer", "14-2"), "Kerkstraat 14-2, 1701AB Hoorn"),
        ("organisatie", ("--kvk", "12345678"), "Tulp BV (KvK 12345678)"),
    ):
        result = cli(kind, "wijzig", "1", *args, "--reden", "tikfout", "--json")
        assert result.exit_code == 0, result.output
        answer = json.loads(result.stdout)
        shown = json.loads(cli(kind, "toon", "1", "--json").stdout)
        assert answer == {
            "soort": kind,
            "id": 1,
            "omschrijving": label,
            **shown["gegevens"],
        }, kind
        assert shown["omschrijving"] == label
