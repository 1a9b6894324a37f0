"""Erasure also takes out the names a person had before a correction (`persoon wijzig
--naam`): texts written before the correction still hold the old spelling. The same rule
applies as for the current name: a former name that a remaining person also has is left
standing and listed for review."""

from __future__ import annotations

import json

from tests.backend_helpers import stored_bytes
from tests.conftest import Backend, Cli
from tests.signal_helpers import log_signal


def test_erasure_removes_the_name_as_it_was_before_a_correction(cli: Cli, backend: Backend) -> None:
    ref = log_signal(
        cli,
        "--persoon",
        "naam=Zbigniew Kowalsky; rol=slachtoffer",
        datum="01-11-2026",
        omschrijving="Zbigniew Kowalsky werkt daar.",
    )
    assert cli("signaal", "notitie", ref, "Zbigniew Kowalsky gesproken").exit_code == 0
    fixed = cli("persoon", "wijzig", "1", "--naam", "Zbigniew Kowalski", "--reden", "paspoort")
    assert fixed.exit_code == 0, fixed.output
    assert cli("signaal", "notitie", ref, "Zbigniew Kowalski opnieuw gesproken").exit_code == 0

    erased = cli("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja", "--json")
    assert erased.exit_code == 0, erased.output
    assert json.loads(erased.stdout)["na_te_kijken"] == []
    data = stored_bytes(backend)
    assert b"kowalsky" not in data and b"kowalski" not in data
    assert backend.rows("SELECT description FROM signal") == [
        ("[persoon verwijderd] werkt daar.",)
    ]


def test_a_former_name_someone_else_still_has_is_left_for_review(cli: Cli, backend: Backend) -> None:
    first = log_signal(
        cli,
        "--persoon",
        "naam=Marek Nowak; rol=slachtoffer",
        datum="01-11-2026",
        omschrijving="Marek Nowak woont op zolder.",
    )
    log_signal(
        cli,
        "--persoon",
        "naam=Marek Nowak; rol=dader; geboren=1970",
        datum="02-11-2026",
        omschrijving="Een andere Marek Nowak.",
    )
    renamed = cli("persoon", "wijzig", "1", "--naam", "Marek Nowakowski", "--reden", "paspoort")
    assert renamed.exit_code == 0, renamed.output
    other_history = backend.rows(
        "SELECT id, changes FROM history WHERE entity = 'person' AND entity_id = 2"
    )
    erased = cli("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja", "--json")
    assert erased.exit_code == 0, erased.output
    report = json.loads(erased.stdout)
    assert any(place.startswith(first) for place in report["na_te_kijken"]), report
    assert backend.rows("SELECT description FROM signal ORDER BY id") == [
        ("Marek Nowak woont op zolder.",),
        ("Een andere Marek Nowak.",),
    ]
    assert backend.rows("SELECT name FROM person") == [("Marek Nowak",)]
    assert (
        backend.rows("SELECT id, changes FROM history WHERE entity = 'person' AND entity_id = 2")
        == other_history
    )
