"""`mhtool ongedaan`: the last change of this user in this file is taken back exactly, after
showing what it will undo; it is recorded in history and audit log; it refuses when someone
else built on the change, when there is nothing to undo, and never undoes an erasure."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.backend_helpers import as_user, make_empty_database, stored_dump, stored_execute
from tests.conftest import Backend, Cli
from tests.mhtool_process import child_env, log_signal_installed, run_mhtool

NewSignal = Callable[..., str]
# `ongedaan` on a file and on a PostgreSQL server alike.
pytestmark = pytest.mark.usefixtures("backend")
# The tables that hold the record itself (history and audit log only grow).
STATE = (
    "signal", "signal_form", "signal_measure", "signal_person", "signal_address",
    "signal_organisation", "person", "address", "organisation", "note", "step_event",
    "search_term",
)  # fmt: skip
PERSON = "naam=Testpersoon Ongedaan; rol=slachtoffer; geboren=1990"


def state(backend: Backend) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the record, without the moment of the last update (an undo is a change)."""
    found: dict[str, list[tuple[object, ...]]] = {}
    for table in STATE:
        if backend.is_postgresql:
            names = backend.rows(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                "current_schema() AND table_name = ? ORDER BY ordinal_position",
                [table],
            )
        else:
            names = backend.rows("SELECT name FROM pragma_table_info(?) ORDER BY cid", [table])
        columns = [str(n) for (n,) in names if n != "updated_at"]
        found[table] = backend.rows(
            f"SELECT {', '.join(columns)} FROM {table} ORDER BY 1, 2"  # noqa: S608
        )
    return found


def undo(cli: Cli, *extra: str) -> None:
    result = cli("ongedaan", "--ja", *extra)
    assert result.exit_code == 0, result.output
    assert "Ongedaan gemaakt." in result.stdout


COMMANDS: dict[str, tuple[str, ...]] = {
    "stap": ("signaal", "stap", "{ref}", "--controle", "niets gevonden"),
    "notitie": ("signaal", "notitie", "{ref}", "Gebeld met de melder"),
    "verrijk": (
        "signaal", "verrijk", "{ref}", "--persoon", PERSON, "--adres",
        "straat=Kerkstraat; nummer=14-2; postcode=1701AB", "--organisatie", "id=2",
    ),
    "wijzig": (
        "signaal", "wijzig", "{ref}", "--datum", "31-10-2026", "--gemeente", "Texel",
        "--vorm", "seksueel", "--acuut", "--reden", "verkeerd overgenomen",
    ),
    "vervallen": ("signaal", "vervallen", "{ref}", "--reden", "dubbel"),
    "avim": ("signaal", "avim", "{acute}", "--op", "01-11-2026 10:00"),
    "afronden": (
        "signaal", "stap", "{ref}", "--naar", "5", "--reden", "r", "--conclusie", "geen",
        "--geen-terugkoppeling", "--maatregel", "apv",
    ),
}  # fmt: skip


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_undo_restores_the_record_exactly(
    cli: Cli, new_signal: NewSignal, backend: Backend, command: str
) -> None:
    ref = new_signal("--organisatie", "naam=Voorbeeld BV; kvk=12345678")
    acute = new_signal("--acuut", "--organisatie", "naam=Ander BV")
    before = state(backend)
    args = [a.format(ref=ref, acute=acute) for a in COMMANDS[command]]
    done = cli(*args)
    assert done.exit_code == 0, done.output
    changed = state(backend)
    assert changed != before
    preview = cli("ongedaan")  # no terminal, no --ja: shows and refuses
    assert preview.exit_code == 2 and "--ja" in preview.stderr
    assert "Ongedaan maken betekent:" in preview.stdout
    assert state(backend) == changed
    undo(cli)
    assert state(backend) == before
    assert cli("audit", "controleer").exit_code == 0
    undone = backend.rows("SELECT count(*) FROM history WHERE action = 'ongedaan'")
    assert int(str(undone[0][0])) >= 1
    assert backend.rows(
        "SELECT action, result FROM audit_log WHERE action = 'ongedaan' ORDER BY id"
    )[-1] == ("ongedaan", "gelukt")


def test_undo_of_reopening_and_restoring(cli: Cli, new_signal: NewSignal, backend: Backend) -> None:
    ref = new_signal()
    closed = cli(
        "signaal", "stap", ref, "--naar", "5", "--reden", "r", "--conclusie", "geen",
        "--geen-terugkoppeling", "--maatregel", "bibob",
    )  # fmt: skip
    assert closed.exit_code == 0, closed.output
    before = state(backend)
    assert cli("signaal", "heropen", ref, "--reden", "nieuwe info").exit_code == 0
    undo(cli)
    assert state(backend) == before
    assert backend.rows("SELECT measure FROM signal_measure") == [("bibob",)]


def test_undo_of_a_new_signal_never_reuses_its_number(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    make_empty_database(cli, backend)
    before = state(backend)
    ref = new_signal("--persoon", PERSON)
    undo(cli)
    after = state(backend)
    assert after == before
    assert cli("signaal", "toon", ref).exit_code == 3
    assert new_signal() == "MH-2026-0002"
    # The undone signal's history is kept, with the undo.
    actions = [a for (a,) in backend.rows("SELECT action FROM history WHERE signal_id = 1")]
    assert actions[0] == "aangemaakt" and actions[-1] == "ongedaan"


def test_undo_twice_takes_back_the_change_before(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    ref = new_signal()
    first = state(backend)
    assert cli("signaal", "stap", ref, "--controle", "x").exit_code == 0
    assert cli("signaal", "notitie", ref, "tekst").exit_code == 0
    undo(cli)
    undo(cli)
    assert state(backend) == first


def test_refuses_when_someone_else_built_on_the_change(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    ref = new_signal()
    assert cli(*as_user(backend, "anna"), "signaal", "stap", ref, "--controle", "x").exit_code == 0
    assert cli(*as_user(backend, "bert"), "signaal", "notitie", ref, "Van Bert").exit_code == 0
    before = stored_dump(backend)
    refused = cli(*as_user(backend, "anna"), "ongedaan", "--ja")
    assert refused.exit_code == 6, refused.output
    assert "bert" in refused.stderr and refused.stderr.count("\n") == 1
    assert stored_dump(backend) == before
    # Bert can take back his own note; Anna's step still came before Bert's changes.
    assert cli(*as_user(backend, "bert"), "ongedaan", "--ja").exit_code == 0
    again = cli(*as_user(backend, "anna"), "ongedaan", "--ja")
    assert again.exit_code == 6  # Bert's note and its undo still came after Anna's step


def test_only_the_users_own_changes(cli: Cli, new_signal: NewSignal, backend: Backend) -> None:
    new_signal()
    before = stored_dump(backend)
    result = cli(*as_user(backend, "iemand-anders"), "ongedaan", "--ja")
    assert result.exit_code == 3 and "iemand-anders" in result.stderr
    assert result.stderr.startswith("Fout: ")
    assert stored_dump(backend) == before


def test_nothing_to_undo(cli: Cli, backend: Backend) -> None:
    make_empty_database(cli, backend)
    before = stored_dump(backend)
    result = cli("ongedaan", "--ja")
    assert result.exit_code == 3 and "geen wijziging" in result.stderr
    assert stored_dump(backend) == before


def test_never_undoes_an_erasure(cli: Cli, new_signal: NewSignal, backend: Backend) -> None:
    new_signal("--persoon", PERSON)
    erased = cli("persoon", "verwijder", "1", "--reden", "avg-verzoek", "--ja")
    assert erased.exit_code == 0, erased.output
    before = stored_dump(backend)
    result = cli("ongedaan", "--ja")
    assert result.exit_code == 6 and "verwijdering" in result.stderr
    assert stored_dump(backend) == before


def test_refuses_when_the_record_changed_behind_its_back(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    ref = new_signal()
    assert cli("signaal", "wijzig", ref, "--gemeente", "Texel", "--reden", "r").exit_code == 0
    stored_execute(backend, "UPDATE signal SET municipality = 'Hoorn'")
    before = stored_dump(backend)
    result = cli("ongedaan", "--ja")
    assert result.exit_code == 6 and "veranderd" in result.stderr
    assert stored_dump(backend) == before


@pytest.mark.slow
def test_installed_mhtool_undoes_a_step(backend: Backend) -> None:
    env = child_env(backend.target)
    ref = log_signal_installed(env)
    assert run_mhtool("signaal", "stap", ref, "--controle", "x", env=env).returncode == 0
    asked = run_mhtool("ongedaan", env=env)
    assert asked.returncode == 2 and "naar volgende stap" in asked.stdout
    done = run_mhtool("ongedaan", "--ja", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["signaal"] == ref
    shown = run_mhtool("signaal", "toon", ref, "--json", env=env)
    assert json.loads(shown.stdout)["stap"] == 1
    assert run_mhtool("audit", "controleer", env=env).returncode == 0


def test_undo_of_follow_up_actions_and_outcomes(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    """Actions added after step 5 (issue 11) are undone by the shape of their history rows."""
    ref = new_signal()
    closed = cli(
        "signaal", "stap", ref, "--naar", "5", "--reden", "r", "--conclusie", "geen",
        "--geen-terugkoppeling",
    )  # fmt: skip
    assert closed.exit_code == 0, closed.output
    before = state(backend)
    tables = ("follow_up_action", "outcome")
    counts = {t: backend.rows(f"SELECT count(*) FROM {t}")[0][0] for t in tables}  # noqa: S608
    steps = (
        ("signaal", "actie", ref, "Bellen met het OM", "--voor", "10-12-2026"),
        ("signaal", "actie-klaar", ref, "1"),
        ("signaal", "uitkomst", ref, "--opvang", "--verwijzing", "veilig-thuis", "--reden", "x"),
    )
    for args in steps:
        done = cli(*args)
        assert done.exit_code == 0, (args, done.output)
    for _ in steps:
        undo(cli)
    assert state(backend) == before
    for table in tables:
        assert backend.rows(f"SELECT count(*) FROM {table}")[0][0] == counts[table]  # noqa: S608
    assert cli("audit", "controleer").exit_code == 0


def test_never_undoes_a_destruction(cli: Cli, backend: Backend) -> None:
    from tests.signal_helpers import close_signal, log_signal

    kept = log_signal(cli, datum="01-11-2026", omschrijving="Blijft.")
    doomed = log_signal(cli, datum="01-01-2020", omschrijving="Over de termijn.")
    close_signal(cli, doomed, "04-01-2020")
    for conclusie, jaren in (("geen", "2"), ("verder-onderzoek", "5"), ("duiding", "5")):
        set_term = cli("bewaartermijn", "zet", "--conclusie", conclusie, "--jaren", jaren)
        assert set_term.exit_code == 0, set_term.output
    purged = cli("opschonen", "--ja")
    assert purged.exit_code == 0, purged.output
    assert backend.rows("SELECT ref FROM signal") == [(kept,)]
    before = stored_dump(backend)
    result = cli("ongedaan", "--ja")
    assert result.exit_code == 6 and "vernietigd" in result.stderr
    assert stored_dump(backend) == before
