"""Wording findings of issue 12: what a user reads is correct Dutch, complete and consistent."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest

from tests.conftest import Cli
from tests.signal_helpers import close_signal

LONG_DESCRIPTION = (
    "Acht arbeidsmigranten ingeschreven op één adres aan de Dorpsstraat; de eigenaar verhuurt "
    "ook kamers in de schuur achter het huis, volgens de buren al jaren."
)


def test_signaal_toon_shows_the_full_old_description(
    cli: Cli, new_signal: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = new_signal()
    assert cli("signaal", "wijzig", ref, "--omschrijving", LONG_DESCRIPTION, "--reden", "x")
    changed = cli("signaal", "wijzig", ref, "--omschrijving", "Kort.", "--reden", "verduidelijkt")
    assert changed.exit_code == 0, changed.output
    monkeypatch.setenv("COLUMNS", "80")
    shown = cli("signaal", "toon", ref).stdout
    words = " ".join(re.sub(r"[│┃]", " ", shown).split())
    assert "…" not in shown
    assert f"omschrijving: {LONG_DESCRIPTION} → Kort." in words


def test_one_signal_is_singular(cli: Cli, new_signal: Callable[..., str]) -> None:
    new_signal()
    empty_page = cli("signaal", "lijst", "--limiet", "1", "--pagina", "2")
    assert "er is 1 signaal, dat is 1 pagina van 1" in empty_page.stdout
    assert cli("signaal", "lijst").stdout.rstrip().endswith("1 signaal.")
    chart = cli("statistiek", "--grafiek", "--jaar", "2026")
    assert chart.exit_code == 0, chart.output
    assert "█ = 1 signaal in een maand" in chart.stdout


def test_weekly_report_age_band_avim_time_and_one_day(
    cli: Cli, new_signal: Callable[..., str], tmp_path: Path
) -> None:
    new_signal(
        "--acuut",
        "--avim-geinformeerd",
        "02-11-2026 14:30",
        "--persoon",
        "naam=Test Kind; rol=slachtoffer; geboren=2012",
        datum="02-11-2026",
    )
    target = tmp_path / "week.md"
    made = cli("rapport", "--week", "2026-W45", "--uitvoer", str(target), "--wachtdagen", "1")
    assert made.exit_code == 0, made.output
    assert "langer dan 1 dag in één stap" in " ".join(made.stdout.split())
    report = target.read_text(encoding="utf-8")
    assert "slachtoffer (0-17, minderjarig)" in report
    assert "((" not in report and "minderjarig))" not in report
    assert "02-11-2026 14:30 " in report or "02-11-2026 14:30|" in report.replace(" ", "")
    assert "14:30:00" not in report
    assert "Langer dan 1 dag in één stap" in report


def test_avim_time_in_the_history_is_a_dutch_moment(
    cli: Cli, new_signal: Callable[..., str]
) -> None:
    ref = new_signal("--acuut", datum="02-11-2026")
    assert cli("signaal", "avim", ref, "--op", "02-11-2026 22:10").exit_code == 0
    shown = cli("signaal", "toon", ref).stdout
    assert "02-11-2026 22:10" in shown
    assert "T22:10" not in shown and "2026-11-02" not in shown


def test_kvk_is_written_kvk(cli: Cli, new_signal: Callable[..., str]) -> None:
    new_signal("--organisatie", "naam=Kwekerij De Tulp B.V.; kvk=12345678; sector=agrarisch")
    shown = cli("organisatie", "toon", "1").stdout
    assert "KvK-nummer" in shown and "Kvk" not in shown


def test_persoon_help_summaries_are_not_cut_at_art(cli: Cli) -> None:
    shown = cli("persoon", "--help").stdout
    inzage = next(line for line in shown.splitlines() if line.strip().startswith("inzage"))
    verwijder = next(line for line in shown.splitlines() if line.strip().startswith("verwijder"))
    assert "(art. 15 AVG)" in inzage and "(art. 17 AVG)" in verwijder
    assert not inzage.rstrip().endswith("(art.")


def test_an_exact_name_scores_100_but_is_linked_only_when_it_identifies(
    cli: Cli, new_signal: Callable[..., str]
) -> None:
    new_signal("--persoon", "naam=Jan de Vries; rol=slachtoffer; geboren=12-03-1990")
    new_signal("--persoon", "naam=Jan de Vries; rol=betrokkene")
    found = json.loads(cli("zoek", "--persoon", "Jan de Vries", "--json").stdout)["resultaten"]
    assert [h["score"] for h in found] == [100, 100]
    assert not any(h["exact"] for h in found)  # a namesake is possible: never linked alone
    shown = cli("zoek", "Jan de Vries").stdout
    assert shown.startswith("100  persoon") and "(score 100 = exact)" in shown
    dated = json.loads(
        cli("zoek", "--persoon", "Jan de Vries", "--geboren", "12-03-1990", "--json").stdout
    )["resultaten"]
    assert dated[0]["score"] == 100 and dated[0]["exact"] and dated[0]["id"] == 1
    organisation = "naam=Kwekerij De Tulp B.V.; sector=agrarisch"
    new_signal("--organisatie", organisation)
    by_name = json.loads(cli("zoek", "--organisatie", "Kwekerij De Tulp", "--json").stdout)
    assert by_name["resultaten"][0]["score"] == 100 and not by_name["resultaten"][0]["exact"]


def test_mistyped_action_and_role_get_a_suggestion(
    cli: Cli, new_signal: Callable[..., str], db_path: Path
) -> None:
    ref = new_signal()
    assert cli("signaal", "toon", ref).exit_code == 0
    typo = cli("audit", "toon", "--actie", "signaal.tooon")
    assert typo.exit_code == 2
    assert typo.stderr == (
        "Fout: Actie 'signaal.tooon' komt niet voor in het auditlog; bedoelt u 'signaal.toon'?\n"
    )
    group = cli("audit", "toon", "--actie", "signal")
    assert "bedoelt u 'signaal'?" in group.stderr
    unknown = cli("audit", "toon", "--actie", "foo")
    assert unknown.exit_code == 0
    assert "Groepen van acties in het log: audit, signaal." in " ".join(unknown.stdout.split())
    before = db_path.read_bytes()
    role = cli("signaal", "verrijk", ref, "--persoon", "naam=A B; rol=slachtofer")
    assert role.exit_code == 2
    assert "bedoelt u 'slachtoffer'" in role.stderr.lower()
    assert db_path.read_bytes() == before


@pytest.mark.parametrize("postcode", ["1234 SA", "1234sd", "1701 ss"])
def test_postcodes_with_sa_sd_ss_are_refused(
    cli: Cli, new_signal: Callable[..., str], db_path: Path, postcode: str
) -> None:
    ref = new_signal()
    before = db_path.read_bytes()
    result = cli(
        "signaal", "verrijk", ref, "--adres", f"straat=Dorpsstraat; nummer=1; postcode={postcode}"
    )
    assert result.exit_code == 2
    assert "de lettercombinaties SA, SD en SS worden nooit uitgegeven" in result.stderr
    assert db_path.read_bytes() == before
    assert cli("zoek", "--postcode", postcode).exit_code == 2


def test_postcode_with_other_s_pairs_is_fine(cli: Cli, new_signal: Callable[..., str]) -> None:
    ref = new_signal()
    result = cli("signaal", "verrijk", ref, "--adres", "straat=Dorpsstraat; nummer=1; postcode=1234 SB")
    assert result.exit_code == 0, result.output


def test_xlsx_sheet_names_numbers_and_dates(
    cli: Cli, new_signal: Callable[..., str], tmp_path: Path
) -> None:
    import openpyxl

    new_signal("--persoon", "naam=X Y; rol=slachtoffer; geboren=1990", datum="03-11-2026")
    target = tmp_path / "week.xlsx"
    made = cli("rapport", "--week", "2026-W45", "--formaat", "xlsx", "--uitvoer", str(target))
    assert made.exit_code == 0, made.output
    book = openpyxl.load_workbook(target)
    titles = {sheet.title: sheet["A1"].value for sheet in book}
    for name, title in titles.items():
        assert len(name) <= 31
        assert str(title).startswith(name) or name == "Overzicht", (name, title)
        cut = str(title)[len(name) : len(name) + 1]
        assert name == "Overzicht" or cut in ("", " "), f"{name!r} cuts a word of {title!r}"
    overview = book["Overzicht"]
    facts = {row[0].value: row[1] for row in overview.iter_rows(min_row=3) if row[0].value}
    assert facts["Nieuwe signalen"].value == 1 and facts["Nieuwe signalen"].data_type == "n"
    assert facts["Week"].value == "2026-W45" and facts["Week"].data_type == "s"
    new = book["Nieuwe signalen"]
    header = [c.value for c in new[3]]
    row = {h: c for h, c in zip(header, new[4], strict=False)}
    assert row["Ontvangen"].value == dt.datetime(2026, 11, 3)
    assert row["Ontvangen"].is_date and "dd" in row["Ontvangen"].number_format
    assert row["Signaal"].value == "MH-2026-0001" and row["Signaal"].data_type == "s"
    chart = next(sheet for sheet in book if sheet.title.startswith("Ontvangen signalen"))
    counts = [c.value for c in chart[5][1:]]
    assert counts and all(isinstance(v, int) for v in counts)


@pytest.mark.slow
def test_one_signal_to_destroy_is_asked_as_dit_signaal(cli: Cli, db_path: Path) -> None:
    from tests.test_interactive_form import spawn
    from tests.test_retention import _confirm_terms, _old_signal

    ref = _old_signal(cli)
    close_signal(cli, ref, "04-01-2020")
    _confirm_terms(cli)
    child = spawn(db_path, "opschonen")
    child.expect("Dit signaal definitief vernietigen?")
    child.send("n\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
