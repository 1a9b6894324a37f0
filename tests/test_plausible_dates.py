"""Plausible dates only: a receipt date before 2000 or in the future, a step date before the
receipt date or in the future, a birth date more than 110 years ago are refused; a receipt date
more than a year ago is stored only when confirmed (--ja in flag mode)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from mhtool.domain.dates import format_date
from tests.conftest import Cli
from tests.mhtool_process import SIGNAL_ARGS, child_env, run_mhtool
from tests.record_helpers import dump

TODAY = dt.date.today()

SIGNAL = (
    "signaal", "nieuw", "--gemeente", "Texel", "--melder", "A. Bakker", "--kanaal", "mail",
    "--omschrijving", "Tip over een woning.",
)  # fmt: skip


def _years_ago(years: int, days: int = 0) -> dt.date:
    return TODAY.replace(year=TODAY.year - years, day=min(TODAY.day, 28)) - dt.timedelta(days=days)


@pytest.mark.parametrize(
    ("datum", "message"),
    [
        ("01-01-1900", "vóór 2000"),
        ("31-12-1999", "vóór 2000"),
        (format_date(TODAY + dt.timedelta(days=1)), "in de toekomst"),
        ("1999-06-01", "vóór 2000"),
    ],
)
def test_impossible_receipt_date_is_refused_and_nothing_is_stored(
    cli: Cli, db_path: Path, datum: str, message: str
) -> None:
    assert cli("init").exit_code == 0
    before = dump(db_path)
    result = cli(*SIGNAL, "--datum", datum, "--ja")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Fout: ") and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert dump(db_path) == before


def test_receipt_more_than_a_year_ago_needs_confirmation(cli: Cli, db_path: Path) -> None:
    assert cli("init").exit_code == 0
    old = format_date(_years_ago(2))
    before = dump(db_path)
    refused = cli(*SIGNAL, "--datum", old)
    assert refused.exit_code == 2
    assert "meer dan een jaar terug" in refused.stderr and "--ja" in refused.stderr
    assert dump(db_path) == before

    stored = cli(*SIGNAL, "--datum", old, "--ja", "--json")
    assert stored.exit_code == 0, stored.output
    assert json.loads(stored.stdout)["ontvangen"] == _years_ago(2).isoformat()
    # 2000 itself is the earliest possible year.
    assert cli(*SIGNAL, "--datum", "01-01-2000", "--ja").exit_code == 0


def test_recent_receipt_needs_no_confirmation(cli: Cli) -> None:
    recent = format_date(TODAY - dt.timedelta(days=300))
    assert cli(*SIGNAL, "--datum", recent).exit_code == 0


def test_step_date_before_receipt_or_in_future_is_refused(
    cli: Cli, new_signal: Callable[..., str], db_path: Path
) -> None:
    ref = new_signal(datum=format_date(TODAY - dt.timedelta(days=10)))
    before = dump(db_path)
    early = cli(
        "signaal", "stap", ref, "--controle", "x",
        "--datum", format_date(TODAY - dt.timedelta(days=11)),
    )  # fmt: skip
    assert early.exit_code == 2 and "vóór" in early.stderr
    future = cli(
        "signaal", "stap", ref, "--controle", "x",
        "--datum", format_date(TODAY + dt.timedelta(days=1)),
    )  # fmt: skip
    assert future.exit_code == 2 and "in de toekomst" in future.stderr
    note = cli(
        "signaal", "notitie", ref, "Gebeld",
        "--datum", format_date(TODAY - dt.timedelta(days=11)),
    )  # fmt: skip
    assert note.exit_code == 2 and "vóór de ontvangstdatum" in note.stderr
    assert dump(db_path) == before


@pytest.mark.parametrize(
    "geboren",
    [
        str(TODAY.year - 111),
        format_date(_years_ago(110, days=1)),
        "01-01-1890",
    ],
)
def test_birth_more_than_110_years_ago_is_refused(cli: Cli, db_path: Path, geboren: str) -> None:
    assert cli("init").exit_code == 0
    before = dump(db_path)
    result = cli(*SIGNAL, "--persoon", f"naam=Testpersoon Oud; geboren={geboren}")
    assert result.exit_code == 2, result.output
    assert "110 jaar" in result.stderr or "te ver in het verleden" in result.stderr
    assert dump(db_path) == before


def test_birth_110_years_ago_is_still_possible(cli: Cli) -> None:
    result = cli(*SIGNAL, "--persoon", f"naam=Testpersoon Oud; geboren={TODAY.year - 110}")
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_installed_mhtool_refuses_an_unconfirmed_old_date(tmp_path: Path) -> None:
    db = tmp_path / "e2e.db"
    env = child_env(db)
    args = [a if a != "01-11-2026" else format_date(_years_ago(3)) for a in SIGNAL_ARGS]
    refused = run_mhtool(*args, "--omschrijving", "x", env=env)
    assert refused.returncode == 2 and "--ja" in refused.stderr
    assert not db.exists()
    stored = run_mhtool(*args, "--omschrijving", "x", "--ja", env=env)
    assert stored.returncode == 0, stored.stderr
