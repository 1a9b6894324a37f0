"""Search finds a name written surname first ('Kowalczyk Agnieszka', 'Kowalczyk, Agnieszka',
'Kowalczyk, A.'), so erasure removes those forms too, also in signals the person is not linked
to; the same rule for namesakes applies (left and listed when someone who stays is written
that way)."""

from __future__ import annotations

import json

from tests.conftest import Backend, Cli
from tests.signal_helpers import log_signal

TEXT = "Kowalczyk Agnieszka werkt hier; ook Kowalczyk, Agnieszka en Kowalczyk, A. genoemd."


def test_surname_first_forms_are_erased(cli: Cli, backend: Backend) -> None:
    log_signal(
        cli, "--persoon", "naam=Agnieszka Kowalczyk; rol=slachtoffer", datum="01-11-2026",
        omschrijving="x",
    )  # fmt: skip
    log_signal(cli, datum="02-11-2026", omschrijving=TEXT)
    erased = cli("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja", "--json")
    assert erased.exit_code == 0, erased.output
    texts = [str(t) for (t,) in backend.rows("SELECT description FROM signal ORDER BY id")]
    assert "kowalczyk" not in texts[1].lower(), texts[1]
    assert texts[1].count("[persoon verwijderd]") == 3


def test_surname_first_form_of_a_namesake_stays_for_review(cli: Cli, backend: Backend) -> None:
    log_signal(
        cli, "--persoon", "naam=Agnieszka Kowalczyk; rol=slachtoffer", datum="01-11-2026",
        omschrijving="x",
    )  # fmt: skip
    log_signal(
        cli, "--persoon", "naam=Anna Kowalczyk; rol=dader", datum="02-11-2026", omschrijving="y",
    )  # fmt: skip
    other = log_signal(cli, datum="03-11-2026", omschrijving=TEXT)
    erased = cli("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja", "--json")
    assert erased.exit_code == 0, erased.output
    report = json.loads(erased.stdout)
    (text,) = backend.rows("SELECT description FROM signal WHERE ref = ?", (other,))[0]
    assert "Kowalczyk, A." in str(text)  # could be Anna
    assert "Kowalczyk Agnieszka" not in str(text)
    assert any(p.startswith(other) for p in report["na_te_kijken"]), report
