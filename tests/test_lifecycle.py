"""The case after step 5 (issue 11): each conclusion leads where the plan's flowchart says,
follow-up actions keep a signal open, outcomes are recorded after closing without reopening,
acute means AVIM, and every bad input leaves the file as it was."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mhtool.domain.enums import Conclusion, Measure, Partner
from mhtool.domain.lifecycle import CONCLUSION_PATHS, CaseStatus, derive_status
from mhtool.domain.signal_input import parse_choice
from mhtool.errors import ValidationError
from tests.backend_helpers import open_backend, stored_tables
from tests.conftest import Backend, Cli

# The case after step 5 on a file and on a PostgreSQL server alike.
pytestmark = pytest.mark.usefixtures("backend")

TODAY = dt.date.today()


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).strftime("%d-%m-%Y")


def close(cli: Cli, ref: str, conclusion: str, *extra: str) -> Any:
    return cli(
        "signaal",
        "stap",
        ref,
        "--naar",
        "5",
        "--reden",
        "snel afgerond",
        "--conclusie",
        conclusion,
        "--geen-terugkoppeling",
        *extra,
    )


def shown(cli: Cli, ref: str) -> dict[str, Any]:
    result = cli("signaal", "toon", ref, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def open_refs(cli: Cli) -> set[str]:
    result = cli("signaal", "lijst", "--open", "--json")
    assert result.exit_code == 0, result.output
    return {s["id"] for s in json.loads(result.stdout)}


# --- the flowchart's three conclusions, transition by transition ------------------------------


def test_further_inquiry_leads_to_a_follow_up_action_and_stays_open(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal()
    closed = close(cli, ref, "verder-onderzoek")
    assert closed.exit_code == 0, closed.output
    data = shown(cli, ref)
    assert data["stap"] == 5 and data["status"] == "vervolg" and data["status_htcds"] == "FollowUp"
    assert data["open"] is True
    [action] = data["acties"]
    assert action["nummer"] == 1 and action["klaar_op"] is None
    assert action["omschrijving"] == "verder onderzoek en afstemming met de ketenpartners"
    # Due after the default norm for follow-up actions (30 days after closing).
    assert action["voor"] == (TODAY + dt.timedelta(days=30)).isoformat()
    assert ref in open_refs(cli)
    assert ref not in {
        s["id"] for s in json.loads(cli("signaal", "lijst", "--afgerond", "--json").stdout)
    }
    info = json.loads(cli("info", "--json").stdout)
    assert (info["signalen"], info["open_signalen"]) == (1, 1)
    # Done: the signal is closed, and its step history did not change.
    events_before = backend.scalar("SELECT count(*) FROM step_event")
    done = cli("signaal", "actie-klaar", ref, "1", "--toelichting", "OM pakt op")
    assert done.exit_code == 0, done.output
    assert "status: afgesloten" in done.stdout
    assert shown(cli, ref)["status"] == "afgesloten"
    assert ref not in open_refs(cli)
    assert backend.scalar("SELECT count(*) FROM step_event") == events_before
    assert backend.rows("SELECT done_note, done_by IS NOT NULL FROM follow_up_action") == [
        ("OM pakt op", 1)
    ]


def test_further_inquiry_with_own_action_due_date_and_partner(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal()
    closed = close(
        cli,
        ref,
        "verder-onderzoek",
        "--actie",
        "Afstemmen met FairWork",
        "--actie-voor",
        day(10),
        "--actie-partner",
        "fairwork",
    )
    assert closed.exit_code == 0, closed.output
    assert backend.rows("SELECT seq, description, due_on, partner FROM follow_up_action") == [
        (1, "Afstemmen met FairWork", (TODAY + dt.timedelta(days=10)).isoformat(), "fairwork")
    ]


def test_no_trafficking_leads_to_a_referral_and_closed_referred(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal()
    assert close(cli, ref, "geen").exit_code == 0
    data = shown(cli, ref)
    assert data["status"] == "afgesloten" and data["acties"] == []
    assert ref not in open_refs(cli)
    referred = cli(
        "signaal", "uitkomst", ref, "--verwijzing", "wijkteam", "--reden", "schulden", "--json"
    )
    assert referred.exit_code == 0, referred.output
    data = json.loads(referred.stdout)
    assert data["status"] == "afgesloten-verwezen" and data["status_htcds"] == "ClosedReferred"
    [outcome] = data["uitkomsten"]
    assert (outcome["soort"], outcome["partner"], outcome["toelichting"]) == (
        "verwijzing",
        "wijkteam",
        "schulden",
    )
    assert outcome["datum"] == TODAY.isoformat()
    # Still closed: a referral is no open work.
    assert ref not in open_refs(cli)
    assert backend.scalar("SELECT step FROM signal") == 5


def test_trafficking_outcomes_after_closing_without_reopening(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal()
    assert close(cli, ref, "duiding").exit_code == 0
    assert shown(cli, ref)["status"] == "afgesloten"
    steps_before = backend.rows("SELECT * FROM step_event ORDER BY id")
    later = day(-1)
    results = [
        cli("signaal", "uitkomst", ref, "--terugkoppeling", "--datum", later),
        cli("signaal", "uitkomst", ref, "--strafrechtelijk", "--opvang"),
        cli("signaal", "uitkomst", ref, "--maatregel", "gemeentewet-172", "--status", "overwogen"),
        cli("signaal", "uitkomst", ref, "--maatregel", "gemeentewet-172", "--status", "opgelegd"),
        cli("signaal", "uitkomst", ref, "--comensha", "--datum", later),
    ]
    for result in results:
        assert result.exit_code == 0, result.output
    data = shown(cli, ref)
    assert data["stap"] == 5 and data["conclusie"] == "duiding"
    assert data["terugkoppeling_gegeven"] is True
    assert data["terugkoppeling_op"] == (TODAY - dt.timedelta(days=1)).isoformat()
    assert data["strafrechtelijk_opgepakt"] is True and data["opvang_geregeld"] is True
    kinds = [(o["soort"], o["maatregel"], o["maatregel_status"]) for o in data["uitkomsten"]]
    assert ("maatregel", "gemeentewet-172", "overwogen") in kinds
    assert ("maatregel", "gemeentewet-172", "opgelegd") in kinds
    assert {k for k, _, _ in kinds} == {
        "terugkoppeling",
        "strafrechtelijk",
        "opvang",
        "maatregel",
        "comensha",
    }
    # The step history is untouched (no reopening); the history has old and new values.
    assert backend.rows("SELECT * FROM step_event ORDER BY id") == steps_before
    changes = [
        json.loads(str(c))
        for (c,) in backend.rows(
            "SELECT changes FROM history WHERE action = 'uitkomst-signaal' ORDER BY id"
        )
    ]
    assert changes[0]["feedback_given"] == {"oud": 0, "nieuw": 1}
    assert changes[1]["criminal_case"] == {"oud": None, "nieuw": 1}
    # The yearly figures count it.
    figures = cli("statistiek", "--tabel", "jaarcijfers", "--gemeente", "Dijk en Waard", "--json")
    rows = {r["cijfer"]: r["per_jaar"]["2026"] for r in json.loads(figures.stdout)["rijen"]}
    assert rows["strafrechtelijk_opgepakt"] == 1 and rows["opvang_slachtoffers"] == 1
    text = cli("signaal", "toon", ref).stdout
    assert "Uitkomsten" in text and "overwogen" in text and "geregistreerd bij CoMensha" in text


def test_every_conclusion_has_a_path_in_meldroute(cli: Cli) -> None:
    result = cli("meldroute")
    assert result.exit_code == 0
    assert {p.conclusion for p in CONCLUSION_PATHS} == set(Conclusion)
    for path in CONCLUSION_PATHS:
        assert f"{path.conclusion.label} ({path.conclusion.value})" in result.stdout
    for text in ("actie/vervolg", "verwijzing", "AVIM", "vervolg (FollowUp)", "comensha", "om:"):
        assert text in result.stdout


@pytest.mark.parametrize(
    ("step", "open_actions", "referrals", "status"),
    [
        (1, 0, 0, CaseStatus.ACTIVE),
        (4, 2, 1, CaseStatus.ACTIVE),
        (5, 1, 0, CaseStatus.FOLLOW_UP),
        (5, 1, 1, CaseStatus.FOLLOW_UP),
        (5, 0, 0, CaseStatus.CLOSED),
        (5, 0, 2, CaseStatus.CLOSED_REFERRED),
    ],
)
def test_status_is_derived(
    step: int, open_actions: int, referrals: int, status: CaseStatus
) -> None:
    assert derive_status(step, open_actions, referrals) is status


def test_an_open_action_reopens_a_closed_signal_as_follow_up(
    cli: Cli, new_signal: Callable[..., str]
) -> None:
    ref = new_signal()
    assert close(cli, ref, "duiding").exit_code == 0
    added = cli("signaal", "actie", ref, "Bellen met Nidos", "--voor", day(3), "--partner", "nidos")
    assert added.exit_code == 0, added.output
    assert "Actie 1 vastgelegd" in added.stdout
    assert shown(cli, ref)["status"] == "vervolg"
    assert ref in open_refs(cli)
    lijst = cli("signaal", "lijst", "--open")
    assert "+vervolg" in lijst.stdout


# --- acute means AVIM -------------------------------------------------------------------------


def test_acute_signal_closes_only_with_avim_or_a_reason(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal("--acuut")
    before = stored_tables(backend)
    refused = close(cli, ref, "duiding")
    assert refused.exit_code == 2
    assert refused.stderr.startswith("Fout: ") and "--geen-avim" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert stored_tables(backend) == before
    empty = close(cli, ref, "duiding", "--geen-avim", "  ")
    assert empty.exit_code == 2 and stored_tables(backend) == before
    done = close(cli, ref, "duiding", "--geen-avim", "melder trok signaal direct in")
    assert done.exit_code == 0, done.output
    [details] = backend.rows("SELECT details FROM step_event WHERE to_step = 5")
    assert json.loads(str(details[0]))["geen_avim_reden"] == "melder trok signaal direct in"
    # AVIM engaged later: recorded on the closed signal, and as an outcome.
    later = cli("signaal", "avim", ref, "--op", f"{day(0)} 08:00", "--json")
    assert later.exit_code == 0, later.output
    data = json.loads(later.stdout)
    assert data["avim_geinformeerd"].endswith("08:00")
    assert [o["soort"] for o in data["uitkomsten"]] == ["avim"]


def test_not_acute_refuses_geen_avim(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal()
    before = stored_tables(backend)
    result = close(cli, ref, "geen", "--geen-avim", "x")
    assert result.exit_code == 2 and "niet acuut" in result.stderr
    assert stored_tables(backend) == before


def test_acute_with_avim_closes_as_before(cli: Cli, new_signal: Callable[..., str]) -> None:
    ref = new_signal("--acuut", "--avim-geinformeerd", "01-11-2026 10:00")
    assert close(cli, ref, "duiding").exit_code == 0


# --- vocabularies -------------------------------------------------------------------------------


def test_vocabularies_have_dutch_labels_and_suggestions() -> None:
    for code in ("om", "comensha", "fairwork", "nidos", "veilig-thuis", "zvh"):
        assert Partner(code).label != code or code in ("om",)
    assert Partner("zvh").label == "Zorg- en Veiligheidshuis"
    assert Measure("gemeentewet-172").label.endswith("art. 172 Gemeentewet)")
    assert Measure("goed-verhuurderschap").label == "Wet goed verhuurderschap"
    with pytest.raises(ValidationError, match="Bedoelt u 'comensha'"):
        parse_choice(Partner, "comnesha", "Partner")
    with pytest.raises(ValidationError, match="Bedoelt u 'bibob'"):
        parse_choice(Measure, "bibop", "Maatregel")
    assert parse_choice(Partner, "Openbaar Ministerie (OM)", "Partner") is Partner.OM


# --- bad input: one Dutch sentence, non-zero exit, file unchanged -------------------------------

BAD_INPUTS: list[tuple[tuple[str, ...], int, str]] = [
    (("actie", "{ref}", "", "--voor", "{soon}"), 2, "Omschrijving van de actie is verplicht"),
    (("actie", "{ref}", "Bellen", "--voor", "31-02-2027"), 2, "bestaat niet"),
    (("actie", "{ref}", "Bellen", "--voor", "{past}"), 2, "ligt vóór"),
    (("actie", "{ref}", "Bellen", "--voor", "{soon}", "--partner", "comnesha"), 2, "Bedoelt u"),
    (("actie", "MH-2026-0999", "Bellen", "--voor", "{soon}"), 3, "bestaat niet"),
    (("actie-klaar", "{ref}", "7"), 3, "geen actie 7"),
    (("actie-klaar", "{ref}", "0"), 2, "genummerd vanaf 1"),
    (("uitkomst", "{ref}"), 2, "Geef op welke uitkomst"),
    (("uitkomst", "{ref}", "--maatregel", "bibob"), 2, "--status"),
    (("uitkomst", "{ref}", "--maatregel", "bibob", "--status", "misschien"), 2, "onbekend"),
    (("uitkomst", "{ref}", "--status", "opgelegd"), 2, "hoort bij --maatregel"),
    (("uitkomst", "{ref}", "--verwijzing", "wijkteam"), 2, "reden"),
    (("uitkomst", "{ref}", "--reden", "x"), 2, "hoort bij --verwijzing"),
    (("uitkomst", "{ref}", "--comensha", "--datum", "{future}"), 2, "toekomst"),
    (("uitkomst", "{ref}", "--comensha", "--datum", "01-01-2020"), 2, "ontvangstdatum"),
    (("uitkomst", "{ref}", "--bedenktijd", "--tot", "{far}"), 2, "drie maanden"),
    (("uitkomst", "{ref}", "--tot", "{soon}"), 2, "hoort bij --bedenktijd"),
]


@pytest.mark.parametrize(("args", "code", "message"), BAD_INPUTS)
def test_bad_input_leaves_the_file_unchanged(
    cli: Cli,
    new_signal: Callable[..., str],
    backend: Backend,
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    ref = new_signal()
    assert close(cli, ref, "verder-onderzoek").exit_code == 0
    values = {
        "ref": ref,
        "soon": day(5),
        "past": day(-40),
        "future": day(3),
        "far": day(200),
    }
    before = stored_tables(backend)
    result = cli("signaal", *(a.format(**values) for a in args))
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("Fout: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert stored_tables(backend) == before


def test_outcomes_of_closing_are_refused_on_an_open_signal(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal()
    before = stored_tables(backend)
    result = cli("signaal", "uitkomst", ref, "--strafrechtelijk")
    assert result.exit_code == 6 and "nog niet afgerond" in result.stderr
    assert stored_tables(backend) == before
    # A referral or a CoMensha registration may come before closing.
    assert cli("signaal", "uitkomst", ref, "--comensha").exit_code == 0


def test_finishing_twice_is_refused(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal()
    assert close(cli, ref, "verder-onderzoek").exit_code == 0
    assert cli("signaal", "actie-klaar", ref, "1").exit_code == 0
    before = stored_tables(backend)
    again = cli("signaal", "actie-klaar", ref, "1")
    assert again.exit_code == 6 and "al klaar" in again.stderr
    assert stored_tables(backend) == before


def test_history_rows_carry_enough_to_undo(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal()
    assert close(cli, ref, "verder-onderzoek").exit_code == 0
    assert cli("signaal", "actie-klaar", ref, "1").exit_code == 0
    rows = backend.rows(
        "SELECT action, entity, entity_id, changes FROM history WHERE entity = "
        "'follow_up_action' ORDER BY id",
    )
    assert [r[0] for r in rows] == ["actie-aangemaakt", "actie-klaar"]
    created = json.loads(str(rows[0][3]))
    assert created["description"] and created["due_on"] and created["seq"] == 1
    finished = json.loads(str(rows[1][3]))
    assert finished["done_on"]["oud"] is None and finished["done_on"]["nieuw"]


def test_erasing_a_person_takes_the_name_out_of_actions_and_outcomes(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal("--persoon", "naam=Zoë Testpersoon; rol=slachtoffer")
    assert close(cli, ref, "verder-onderzoek", "--actie", "Zoë Testpersoon bellen").exit_code == 0
    assert (
        cli("signaal", "actie-klaar", ref, "1", "--toelichting", "Testpersoon gesproken").exit_code
        == 0
    )
    referred = cli(
        "signaal", "uitkomst", ref, "--verwijzing", "wijkteam", "--reden", "Testpersoon wil hulp"
    )
    assert referred.exit_code == 0, referred.output
    person_id = json.loads(cli("signaal", "toon", ref, "--json").stdout)["personen"][0]["id"]
    erased = cli(
        "persoon",
        "verwijder",
        str(person_id),
        "--reden",
        "avg-verzoek",
        "--kenmerk",
        "AVG-1",
        "--ja",
    )
    assert erased.exit_code == 0, erased.output
    texts = backend.rows("SELECT description, done_note FROM follow_up_action") + backend.rows(
        "SELECT note, '' FROM outcome"
    )
    assert texts and not any("Testpersoon" in str(t) for row in texts for t in row)


def test_ongedaan_takes_back_actions_and_outcomes_exactly(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal()
    start = stored_tables(backend)
    assert close(cli, ref, "verder-onderzoek").exit_code == 0
    closed = stored_tables(backend)
    assert cli("signaal", "actie-klaar", ref, "1").exit_code == 0
    assert cli("signaal", "uitkomst", ref, "--strafrechtelijk", "--comensha").exit_code == 0
    for expected in ("--comensha", "actie-klaar", "afronding"):
        undone = cli("ongedaan", "--ja")
        assert undone.exit_code == 0, (expected, undone.output)
        if expected == "actie-klaar":
            assert backend.rows("SELECT done_on FROM follow_up_action") == [(None,)]
            assert backend.rows("SELECT count(*) FROM outcome") == [(0,)]
            assert backend.scalar("SELECT criminal_case FROM signal") is None
    after = stored_tables(backend)
    for table in ("signal", "follow_up_action", "outcome", "step_event", "signal_measure"):
        assert [r for r in after[table]] == [r for r in start[table]] or table == "signal", table
    assert backend.scalar("SELECT step FROM signal") == 1
    assert closed["follow_up_action"] and not after["follow_up_action"]
    norm = cli("normen", "zet", "stap-2", "5")
    assert norm.exit_code == 0
    refused = cli("ongedaan", "--ja")
    assert refused.exit_code == 6 and "mhtool normen zet" in refused.stderr


def test_weekly_report_lists_open_follow_up_actions_without_their_text(
    cli: Cli, new_signal: Callable[..., str]
) -> None:
    ref = new_signal()
    assert close(cli, ref, "verder-onderzoek", "--actie", "Bel Zoë Geheim").exit_code == 0
    late = new_signal(datum=day(-20))
    assert (
        cli("signaal", "actie", late, "Iets", "--voor", day(-2), "--datum", day(-10)).exit_code == 0
    )
    week = (TODAY - dt.timedelta(days=TODAY.weekday())).isocalendar()
    label = f"{week[0]}-W{week[1]:02d}"
    report = cli("rapport", "--week", label, "--json")
    assert report.exit_code == 0, report.output
    lines = json.loads(report.stdout)["vervolgacties"]
    # Due by this week's Sunday: the action of 2 days ago; the one due in 30 days is not.
    assert [(line["id"], line["actie"]) for line in lines] == [(late, 1)]
    text = cli("rapport", "--week", label, "--uitvoer", "-").stdout
    assert "Open vervolgacties" in text and "Geheim" not in text


def test_status_transition_by_transition(
    cli: Cli, new_signal: Callable[..., str], db_path: Path
) -> None:
    """actief -> vervolg -> afgesloten -> vervolg -> afgesloten-verwezen -> actief (heropen)."""
    ref = new_signal()

    def status() -> tuple[str, bool]:
        data = shown(cli, ref)
        return data["status"], data["open"]

    assert status() == ("actief", True)
    assert close(cli, ref, "verder-onderzoek").exit_code == 0
    assert status() == ("vervolg", True)
    assert cli("signaal", "actie-klaar", ref, "1").exit_code == 0
    assert status() == ("afgesloten", False)
    assert cli("signaal", "actie", ref, "Nazorg", "--voor", day(7)).exit_code == 0
    assert status() == ("vervolg", True)
    referral = ("signaal", "uitkomst", ref, "--verwijzing", "veilig-thuis", "--reden", "kind")
    assert cli(*referral).exit_code == 0
    assert status() == ("vervolg", True)  # open work comes first
    assert cli("signaal", "actie-klaar", ref, "2").exit_code == 0
    assert status() == ("afgesloten-verwezen", False)
    reopened = cli("signaal", "heropen", ref, "--reden", "nieuwe informatie")
    assert reopened.exit_code == 0, reopened.output
    assert status() == ("actief", True)


CLOSING_BAD = [
    (("verder-onderzoek", "--actie-voor", "{soon}"), "horen bij --actie"),
    (("verder-onderzoek", "--actie", " "), "--actie is leeg"),
    (("duiding", "--actie", "x", "--actie-voor", "{past}"), "vóór de datum"),
    (("duiding", "--actie", "x", "--actie-partner", "ommm"), "Bedoelt u 'om'"),
]


@pytest.mark.parametrize(("args", "message"), CLOSING_BAD)
def test_bad_follow_up_options_at_closing_change_nothing(
    cli: Cli,
    new_signal: Callable[..., str],
    backend: Backend,
    args: tuple[str, ...],
    message: str,
) -> None:
    ref = new_signal()
    before = stored_tables(backend)
    values = {"soon": day(5), "past": day(-2)}
    result = close(cli, ref, *(a.format(**values) for a in args))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Fout: ") and message in result.stderr
    assert stored_tables(backend) == before


def test_follow_up_options_belong_to_closing(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal()
    before = stored_tables(backend)
    result = cli("signaal", "stap", ref, "--controle", "niets", "--actie", "x")
    assert result.exit_code == 2 and "--actie hoort bij stap 5 afronding" in result.stderr
    assert stored_tables(backend) == before


def test_list_counts_put_follow_up_signals_with_the_open_ones(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    from mhtool.store.signals import SignalFilter, count_listed

    new_signal()  # in the meldroute
    assert close(cli, new_signal(), "verder-onderzoek").exit_code == 0  # follow-up open
    assert close(cli, new_signal(), "geen").exit_code == 0  # closed
    store = open_backend(backend)
    try:
        everything = count_listed(store, SignalFilter())
        closed = count_listed(store, SignalFilter(closed_only=True))
        still_open = count_listed(store, SignalFilter(open_only=True))
    finally:
        store.close()
    assert (everything.open, everything.closed) == (2, 1)
    assert (closed.open, closed.closed) == (0, 1)
    assert (still_open.open, still_open.closed) == (2, 0)


def test_finishing_an_action_of_an_annulled_signal_is_refused(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    """An annulled signal cannot change, follow-up actions included (as `actie` and
    `uitkomst` already refuse); it changes again only after `vervallen --herstel`."""
    ref = new_signal()
    assert cli("signaal", "actie", ref, "Bellen", "--voor", day(5)).exit_code == 0
    assert cli("signaal", "vervallen", ref, "--reden", "dubbel ingevoerd").exit_code == 0
    before = stored_tables(backend)
    result = cli("signaal", "actie-klaar", ref, "1")
    assert result.exit_code == 6, result.output
    assert result.stderr.startswith("Fout: ") and "vervallen" in result.stderr
    assert result.stderr.count("\n") == 1
    assert stored_tables(backend) == before


def test_the_reason_for_closing_without_avim_is_shown_and_avim_is_not_urged_after_closing(
    cli: Cli, new_signal: Callable[..., str]
) -> None:
    ref = new_signal("--acuut")
    assert close(cli, ref, "duiding", "--geen-avim", "melder trok signaal direct in").exit_code == 0
    shown_text = cli("signaal", "toon", ref)
    assert shown_text.exit_code == 0, shown_text.output
    flat = " ".join(shown_text.stdout.split())
    assert "zonder AVIM: melder trok signaal direct in" in flat
    assert "schakel direct AVIM" not in flat
    # Still open and acute without AVIM: the urgent panel stays.
    other = new_signal("--acuut")
    assert "schakel direct AVIM" in " ".join(cli("signaal", "toon", other).stdout.split())


def test_avim_recorded_twice_names_the_earlier_moment_as_dutch_date(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal("--acuut", "--avim-geinformeerd", "01-11-2026 10:00")
    before = stored_tables(backend)
    again = cli("signaal", "avim", ref, "--op", "02-11-2026 09:00")
    assert again.exit_code == 2, again.output
    assert "01-11-2026 10:00" in again.stderr and "2026-11-01" not in again.stderr
    assert "--reden" in again.stderr and again.stderr.count("\n") == 1
    assert stored_tables(backend) == before


def test_a_negative_outcome_is_confirmed_as_negative(
    cli: Cli, new_signal: Callable[..., str]
) -> None:
    ref = new_signal()
    assert close(cli, ref, "duiding").exit_code == 0
    result = cli("signaal", "uitkomst", ref, "--niet-strafrechtelijk", "--geen-opvang")
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "niet strafrechtelijk opgepakt, geen opvang geregeld." in said
    assert shown(cli, ref)["strafrechtelijk_opgepakt"] is False
    positive = cli("signaal", "uitkomst", ref, "--strafrechtelijk")
    assert "uitkomst vastgelegd" in positive.stdout.lower()
    assert ": strafrechtelijk opgepakt." in " ".join(positive.stdout.split())


def test_feedback_errors_at_closing_name_options_that_exist(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal()
    before = stored_tables(backend)
    base = ("signaal", "stap", ref, "--naar", "5", "--reden", "snel", "--conclusie", "geen")
    missing = cli(*base)
    assert missing.exit_code == 2 and "--terugkoppeling of --geen-terugkoppeling" in missing.stderr
    assert "ja/nee" not in missing.stderr
    later = cli(
        *base, "--datum", "02-11-2026", "--terugkoppeling", "--terugkoppeling-datum", "03-11-2026"
    )
    assert later.exit_code == 2, later.output
    assert "signaal uitkomst" in later.stderr and later.stderr.count("\n") == 1
    assert stored_tables(backend) == before


def test_finishing_without_a_note_records_no_empty_change(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal()
    assert close(cli, ref, "verder-onderzoek").exit_code == 0
    before = stored_tables(backend)
    assert cli("signaal", "actie-klaar", ref, "1").exit_code == 0
    [details] = backend.rows("SELECT changes FROM history WHERE action = 'actie-klaar'")
    assert "done_note" not in json.loads(str(details[0]))
    undone = cli("ongedaan", "--ja")
    assert undone.exit_code == 0, undone.output
    assert "toelichting klaar" not in undone.stdout
    after = stored_tables(backend)
    assert after["follow_up_action"] == before["follow_up_action"]


def test_an_action_due_more_than_a_year_ahead_asks_for_confirmation(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    """'01-09-2036' for '01-09-2026' would keep the action off the agenda for ten years."""
    ref = new_signal()
    before = stored_tables(backend)
    far = day(400)
    refused = cli("signaal", "actie", ref, "Bellen", "--voor", far)
    assert refused.exit_code == 2, refused.output
    assert refused.stderr.startswith("Fout: ") and "meer dan een jaar vooruit" in refused.stderr
    assert "--ja" in refused.stderr and refused.stderr.count("\n") == 1
    assert stored_tables(backend) == before
    assert cli("signaal", "actie", ref, "Bellen", "--voor", day(300)).exit_code == 0
    confirmed = cli("signaal", "actie", ref, "Evalueren", "--voor", far, "--ja", "--json")
    assert confirmed.exit_code == 0, confirmed.output
    assert [a["nummer"] for a in json.loads(confirmed.stdout)["acties"]] == [1, 2]


def test_closing_with_further_inquiry_says_the_signal_stays_open(
    cli: Cli, new_signal: Callable[..., str]
) -> None:
    """The user learns at once that mhtool made an action and the signal stays open."""
    ref = new_signal()
    result = close(cli, ref, "verder-onderzoek", "--datum", "02-11-2026")
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "staat nu in stap 5 afronding" in said
    assert "vervolgactie 1 (uiterlijk 02-12-2026)" in said and "blijft open" in said
    other = new_signal()
    plain = close(cli, other, "geen")
    assert "vervolgactie" not in plain.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("uitkomst", "{ref}", "--verwijzing", " ", "--reden", "x"),
        ("uitkomst", "{ref}", "--maatregel", "", "--status", "opgelegd"),
        ("actie", "{ref}", "Bellen", "--voor", "{soon}", "--partner", ""),
    ],
)
def test_an_empty_code_is_called_empty(
    cli: Cli, new_signal: Callable[..., str], backend: Backend, args: tuple[str, ...]
) -> None:
    ref = new_signal()
    before = stored_tables(backend)
    result = cli("signaal", *(a.format(ref=ref, soon=day(5)) for a in args))
    assert result.exit_code == 2, result.output
    assert "is leeg" in result.stderr and "''" not in result.stderr
    assert result.stderr.startswith("Fout: ") and result.stderr.count("\n") == 1
    assert stored_tables(backend) == before
