"""The weekly report's waiting list is bounded: the signals waiting longest, counts per step and
gemeente of all of them, and `rapport --wachtlijst` for the full list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Backend, Cli
from tests.statistics_helpers import advance, log, week_45_data

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture(autouse=True)
def small_top(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two instead of fifty, so a handful of signals shows the bound."""
    monkeypatch.setattr("mhtool.services.weekly_report.WAITING_TOP", 2)


@pytest.fixture
def waiting(cli: Cli) -> dict[str, str]:
    refs = week_45_data(cli)  # 'waiting' (Alkmaar, stap 1) and 'acute_old' (Hoorn, stap 1)
    refs["step_2"] = log(cli, gemeente="Alkmaar", datum="10-09-2026")
    advance(cli, refs["step_2"], "11-09-2026", "--controle", "niets gevonden")
    refs["koggenland"] = log(cli, gemeente="Koggenland", datum="15-09-2026")
    return refs


def _json(cli: Cli, *args: str) -> Any:
    result = cli("rapport", "--week", "2026-W45", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_report_lists_the_oldest_and_counts_them_all(cli: Cli, waiting: dict[str, str]) -> None:
    data = _json(cli)
    assert [(w["id"], w["dagen_in_stap"]) for w in data["wachtend"]] == [
        (waiting["waiting"], 99),
        (waiting["step_2"], 58),
    ]
    assert data["wachtend_totaal"] == 4
    assert data["wachtend_per_stap"] == {"1": 3, "2": 1}
    assert data["wachtend_per_gemeente"] == {"Alkmaar": 2, "Hoorn": 1, "Koggenland": 1}

    markdown = cli("rapport", "--week", "2026-W45", "--uitvoer", "-")
    assert markdown.exit_code == 0, markdown.output
    text = markdown.stdout
    assert "- **Langer dan 30 dagen in één stap:** 4" in text
    assert "de 2 die het langst wachten, van 4" in text
    assert "mhtool rapport --wachtlijst" in text
    assert "Langer dan 30 dagen in één stap, per gemeente" in text
    assert waiting["koggenland"] not in text  # only counted, not listed


def test_few_waiting_signals_give_the_report_as_before(cli: Cli) -> None:
    refs = week_45_data(cli)
    text = cli("rapport", "--week", "2026-W45", "--uitvoer", "-").stdout
    assert refs["waiting"] in text and refs["acute_old"] in text
    assert "in één stap, per gemeente" not in text and "--wachtlijst" not in text


def test_the_full_list_is_its_own_export(
    cli: Cli,
    waiting: dict[str, str],
    tmp_path: Path,
    backend: Backend,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    full = _json(cli, "--wachtlijst")
    expected = [
        str(ref)
        for (ref,) in backend.rows(
            "SELECT ref FROM signal WHERE step < 5 AND step_since < '2026-10-09' "
            "AND received_on <= '2026-11-08' AND annulled_on IS NULL ORDER BY step_since, ref",
        )
    ]
    assert [w["id"] for w in full] == expected
    assert len(expected) == 4

    monkeypatch.chdir(tmp_path)
    written = cli("rapport", "--week", "2026-W45", "--wachtlijst", "--formaat", "csv")
    assert written.exit_code == 0, written.output
    assert "Wachtlijst 2026-W45 opgeslagen in wachtlijst-2026-W45.csv" in written.stdout
    content = (tmp_path / "wachtlijst-2026-W45.csv").read_text(encoding="utf-8-sig")
    assert all(ref in content for ref in expected)
    assert "Geheim" not in content  # names in notes never leave the file
    details = [
        json.loads(str(d))
        for (d,) in backend.rows(
            "SELECT details FROM audit_log WHERE action = 'rapport' ORDER BY id"
        )
    ]
    assert details[-1]["soort"] == "wachtlijst" and details[-1]["wachtend"] == 4
    assert details[-1]["bestand"] is True
