"""An annulled signal is not kept forever: annulling gives it a destruction date under the
term for 'geen mensenhandel' (counted from the day it was annulled), `bewaartermijn zet` moves
that date, `--herstel` and `ongedaan` put the dates back, and `opschonen` destroys it once the
archivist has confirmed that term."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest

from tests.backend_helpers import open_backend, stored_dump
from tests.conftest import Backend, Cli

pytestmark = pytest.mark.usefixtures("backend")

NewSignal = Callable[..., str]


def _destroy_on(backend: Backend, ref: str) -> object:
    return backend.scalar("SELECT destroy_on FROM signal WHERE ref = ?", (ref,))


def _years_from_today(years: int) -> str:
    from mhtool.domain.retention import add_years

    return add_years(dt.date.today(), years).isoformat()


def test_annulling_sets_a_destruction_date_that_follows_the_term_and_restoring_clears_it(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    ref = new_signal()
    assert _destroy_on(backend, ref) is None
    annulled = cli("signaal", "vervallen", ref, "--reden", "dubbel ingevoerd")
    assert annulled.exit_code == 0, annulled.output
    assert "vernietigd" in annulled.stdout  # the user is told the record will not stay forever
    assert _destroy_on(backend, ref) == _years_from_today(2)  # placeholder term for 'geen'
    shown = cli("signaal", "toon", ref)
    assert "vernietigingsdatum" in shown.stdout.lower()

    # The archivist's term for 'geen mensenhandel' applies to annulled signals too.
    changed = cli("bewaartermijn", "zet", "--conclusie", "geen", "--jaren", "1")
    assert changed.exit_code == 0, changed.output
    assert _destroy_on(backend, ref) == _years_from_today(1)
    other = cli("bewaartermijn", "zet", "--conclusie", "duiding", "--jaren", "7")
    assert other.exit_code == 0, other.output
    assert _destroy_on(backend, ref) == _years_from_today(1)

    restored = cli("signaal", "vervallen", ref, "--herstel", "--reden", "toch terecht")
    assert restored.exit_code == 0, restored.output
    assert _destroy_on(backend, ref) is None  # an open signal has no destruction date

    assert cli("ongedaan", "--ja").exit_code == 0  # takes back the restore
    assert _destroy_on(backend, ref) == _years_from_today(1)
    assert (
        backend.rows("SELECT annulled_on FROM signal WHERE ref = ?", (ref,))[0][0]
        == dt.date.today().isoformat()
    )


def test_undoing_an_annulment_clears_its_destruction_date(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    ref = new_signal()
    assert cli("signaal", "vervallen", ref, "--reden", "per vergissing").exit_code == 0
    assert cli("ongedaan", "--ja").exit_code == 0
    assert backend.rows("SELECT annulled_on, destroy_on FROM signal WHERE ref = ?", (ref,)) == [
        (None, None)
    ]


def test_opschonen_destroys_an_annulled_signal_once_the_term_for_geen_is_confirmed(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    from mhtool.services.annulment import annul_signal

    mistake = new_signal(
        "--persoon", "naam=Vergissing Persoon; rol=slachtoffer", datum="02-01-2020"
    )
    kept = new_signal(datum="03-01-2020")
    # Annulled long ago (the CLI always annuls today).
    store = open_backend(backend)
    try:
        annul_signal(store, mistake, "verkeerd bestand", "tester", today=dt.date(2021, 3, 1))
    finally:
        store.close()
    assert _destroy_on(backend, mistake) == "2023-03-01"

    preview = json.loads(cli("opschonen", "--proef", "--json").stdout)
    assert preview["signalen"] == []
    assert [s["id"] for s in preview["wacht_op_vaststelling"]] == [mistake]
    waiting = cli("opschonen", "--ja")
    assert waiting.exit_code == 0, waiting.output
    assert mistake in waiting.stdout and "archivaris" in waiting.stdout
    assert backend.rows("SELECT count(*) FROM signal") == [(2,)]

    assert cli("bewaartermijn", "zet", "--conclusie", "geen", "--jaren", "2").exit_code == 0
    shown = cli("opschonen", "--proef")
    assert shown.exit_code == 0, shown.output
    assert mistake in shown.stdout and "01-03-2021" in shown.stdout
    assert "Vergissing" not in shown.output
    preview = json.loads(cli("opschonen", "--proef", "--json").stdout)
    assert preview["signalen"] == [
        {
            "id": mistake,
            "afgerond_op": None,
            "vervallen_op": "2021-03-01",
            "vernietigingsdatum": "2023-03-01",
            "conclusie": None,
        }
    ]
    before = stored_dump(backend)
    destroyed = cli("opschonen", "--ja")
    assert destroyed.exit_code == 0, destroyed.output
    assert f"vernietigd: {mistake}" in destroyed.stdout
    assert stored_dump(backend) != before
    assert backend.rows("SELECT ref FROM signal") == [(kept,)]
    assert backend.rows("SELECT count(*) FROM person WHERE name LIKE 'Vergissing%'") == [(0,)]
