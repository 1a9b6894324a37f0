"""Erasure reaches the history of follow-up actions and outcomes too: their descriptions and
notes are free text that may quote the person, and their history rows hold a copy."""

from __future__ import annotations

from tests.backend_helpers import stored_bytes
from tests.conftest import Backend, Cli
from tests.signal_helpers import log_signal


def test_the_name_leaves_actions_outcomes_and_their_history(cli: Cli, backend: Backend) -> None:
    ref = log_signal(
        cli,
        "--persoon",
        "naam=Zbigniew Kowalsky; rol=slachtoffer",
        datum="01-11-2026",
        omschrijving="Veel mensen op één adres.",
    )
    closed = cli(
        "signaal", "stap", ref, "--naar", "5", "--reden", "klaar", "--conclusie",
        "verder-onderzoek", "--geen-terugkoppeling", "--actie", "Zbigniew Kowalsky bellen",
    )  # fmt: skip
    assert closed.exit_code == 0, closed.output
    outcome = cli("signaal", "uitkomst", ref, "--opvang", "--notitie", "Kowalsky opgevangen")
    assert outcome.exit_code == 0, outcome.output
    done = cli("signaal", "actie-klaar", ref, "1", "--toelichting", "Zbigniew Kowalsky gebeld")
    assert done.exit_code == 0, done.output
    assert b"kowalsky" in stored_bytes(backend)

    erased = cli("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja")
    assert erased.exit_code == 0, erased.output
    assert b"kowalsky" not in stored_bytes(backend)
