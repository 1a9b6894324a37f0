"""`persoon verwijder` is exact: it removes this person's rows, every field that refers to them
by id and every structured field with their name (the melder), replaces in free text only the
forms that can mean this person alone, lists ambiguous places for review, and never changes
another person's record or history. Tested with colliding names: Jan de Vries, J. de Vries and
a second Jan de Vries born in another year."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Backend, Cli
from tests.mhtool_process import SIGNAL_ARGS, child_env, run_mhtool
from tests.signal_helpers import log_signal

pytestmark = pytest.mark.usefixtures("backend")

JAN = "naam=Jan de Vries; rol=slachtoffer; geboren=12-03-1990"
J = "naam=J. de Vries; rol=betrokkene; geboren=1985"
OTHER_JAN = "naam=Jan de Vries; rol=dader; geboren=1975"


def _history_of_person(db: Backend, person_id: int) -> list[tuple[object, ...]]:
    return db.rows(
        "SELECT id, action, changes FROM history WHERE entity = 'person' AND entity_id = ? "
        "ORDER BY id",
        (person_id,),
    )


def _texts(db: Backend, ref: str) -> dict[str, object]:
    row = db.rows("SELECT description, reporter FROM signal WHERE ref = ?", (ref,))[0]
    events = db.rows(
        "SELECT e.details, e.note FROM step_event e JOIN signal s ON s.id = e.signal_id "
        "WHERE s.ref = ? ORDER BY e.id",
        (ref,),
    )
    return {"omschrijving": row[0], "melder": row[1], "verloop": events}


def _setup(cli: Cli, with_other_jan: bool) -> dict[str, str]:
    refs = {
        "jan": log_signal(
            cli, "--persoon", JAN, datum="01-11-2026",
            omschrijving="Jan de Vries werkt in de kas; J. de Vries is zijn neef.",
        ),
        "j": log_signal(
            cli, "--persoon", J, datum="02-11-2026",
            omschrijving="Gesprek met J. de Vries over zijn werkgever.",
        ),
        "melder": log_signal(
            cli, datum="03-11-2026", omschrijving="Melding door een buurman.",
        ),
    }  # fmt: skip
    # The erased person is also the melder of another signal.
    fixed = cli(
        "signaal", "wijzig", refs["melder"], "--melder", "Jan de Vries", "--reden", "melder",
    )  # fmt: skip
    assert fixed.exit_code == 0, fixed.output
    step = cli("signaal", "stap", refs["j"], "--controle", "persoon bekend als J. de Vries")
    assert step.exit_code == 0, step.output
    if with_other_jan:
        refs["other"] = log_signal(
            cli, "--persoon", OTHER_JAN, datum="04-11-2026",
            omschrijving="Jan de Vries (de oudere) verhuurt kamers.",
        )  # fmt: skip
    return refs


def test_erasing_jan_leaves_j_de_vries_and_his_history_alone(cli: Cli, backend: Backend) -> None:
    refs = _setup(cli, with_other_jan=False)
    j_history = _history_of_person(backend, 2)
    j_texts = _texts(backend, refs["j"])

    result = cli("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)

    # Person 2 (J. de Vries) and everything about him is exactly as it was.
    assert backend.rows("SELECT name FROM person WHERE id = 2") == [("J. de Vries",)]
    assert _history_of_person(backend, 2) == j_history
    assert _texts(backend, refs["j"]) == j_texts
    assert any(refs["j"] in place for place in report["na_te_kijken"])
    # Jan's own signal: his stored name is gone, the initial form that could be J. stays.
    own = _texts(backend, refs["jan"])["omschrijving"]
    assert own == "[persoon verwijderd] werkt in de kas; J. de Vries is zijn neef."
    assert any(refs["jan"] in place for place in report["na_te_kijken"])
    # The melder field held his name: removed, in the signal and in its history.
    assert _texts(backend, refs["melder"])["melder"] == "[persoon verwijderd]"
    shown = cli("signaal", "toon", refs["melder"])
    assert "Jan de Vries" not in shown.stdout
    for (changes,) in backend.rows(
        "SELECT h.changes FROM history h JOIN signal s ON s.id = h.signal_id WHERE s.ref = ?",
        (refs["melder"],),
    ):
        assert "Jan de Vries" not in str(changes)
    assert backend.rows("SELECT count(*) FROM person WHERE id = 1") == [(0,)]
    assert backend.rows("SELECT count(*) FROM signal_person WHERE person_id = 1") == [(0,)]
    assert "Niet gewijzigd" not in result.stdout  # --json: the list is in the JSON


def test_a_second_jan_de_vries_keeps_every_jan_de_vries_for_review(cli: Cli, backend: Backend) -> None:
    refs = _setup(cli, with_other_jan=True)
    other_history = _history_of_person(backend, 3)
    other_texts = _texts(backend, refs["other"])
    j_history = _history_of_person(backend, 2)

    result = cli("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja")
    assert result.exit_code == 0, result.output
    assert "Niet gewijzigd" in result.stdout and refs["jan"] in result.stdout

    assert _history_of_person(backend, 3) == other_history
    assert _history_of_person(backend, 2) == j_history
    assert _texts(backend, refs["other"]) == other_texts
    # Every 'Jan de Vries' could be the other one now: left as written, and listed.
    assert _texts(backend, refs["jan"])["omschrijving"] == (
        "Jan de Vries werkt in de kas; J. de Vries is zijn neef."
    )
    assert _texts(backend, refs["melder"])["melder"] == "Jan de Vries"
    assert refs["melder"] in result.stdout
    assert backend.rows("SELECT name, birth_year FROM person ORDER BY id") == [
        ("J. de Vries", 1985),
        ("Jan de Vries", 1975),
    ]


def test_erasing_j_de_vries_never_touches_jan(cli: Cli, backend: Backend) -> None:
    refs = _setup(cli, with_other_jan=False)
    jan_history = _history_of_person(backend, 1)
    jan_texts = _texts(backend, refs["jan"])
    result = cli("persoon", "verwijder", "2", "--reden", "avg-verzoek", "--ja")
    assert result.exit_code == 0, result.output
    assert _history_of_person(backend, 1) == jan_history
    assert _texts(backend, refs["jan"]) == jan_texts
    # 'J. de Vries' could also be Jan: left and listed, not replaced.
    assert _texts(backend, refs["j"])["omschrijving"] == (
        "Gesprek met J. de Vries over zijn werkgever."
    )
    assert refs["j"] in result.stdout


def test_erasure_forgets_the_person_id_in_other_signals_checks(cli: Cli, backend: Backend) -> None:
    first = log_signal(cli, "--persoon", JAN, datum="01-11-2026", omschrijving="Eerste.")
    second = log_signal(cli, "--persoon", JAN, datum="02-11-2026", omschrijving="Tweede.")
    step = cli("signaal", "stap", second, "--controle", "zelfde persoon als in het eerste")
    assert step.exit_code == 0, step.output
    assert first
    assert cli("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja").exit_code == 0
    for (details,) in backend.rows("SELECT details FROM step_event"):
        check = json.loads(str(details)).get("automatische_controle")
        if check:
            ids = [h.get("id") for h in check["gevonden"] if h.get("soort") == "persoon"]
            ids += [h.get("id") for h in check["gezocht"] if h.get("soort") == "persoon"]
            assert 1 not in ids


@pytest.mark.slow
def test_installed_mhtool_erases_exactly(backend: Backend) -> None:
    env = child_env(backend.target)
    for spec, text in ((JAN, "Jan de Vries werkt hier."), (J, "Gesprek met J. de Vries.")):
        made = run_mhtool(*SIGNAL_ARGS, "--persoon", spec, "--omschrijving", text, env=env)
        assert made.returncode == 0, made.stderr
    erased = run_mhtool("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja", env=env)
    assert erased.returncode == 0, erased.stderr
    shown = run_mhtool("signaal", "toon", "MH-2026-0002", env=env)
    assert "Gesprek met J. de Vries." in shown.stdout
    first = run_mhtool("signaal", "toon", "MH-2026-0001", env=env)
    assert "Jan de Vries" not in first.stdout and "[persoon verwijderd]" in first.stdout
