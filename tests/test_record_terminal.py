"""The questions of the correctable record in a real pseudo-terminal: an unusual receipt date
is confirmed in the form, and `mhtool ongedaan` asks before it takes anything back."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pexpect
import pytest

from tests.test_interactive_form import answer, spawn

pytestmark = pytest.mark.slow


def _count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def test_form_asks_to_confirm_a_receipt_date_more_than_a_year_ago(tmp_path: Path) -> None:
    db = tmp_path / "form.db"
    old = (dt.date.today() - dt.timedelta(days=800)).strftime("%d-%m-%Y")
    recent = (dt.date.today() - dt.timedelta(days=3)).strftime("%d-%m-%Y")
    child = spawn(
        db, "signaal", "nieuw", "--gemeente", "Texel", "--melder", "A", "--afdeling", "B",
        "--kanaal", "mail", "--vorm", "arbeid", "--niet-acuut",
    )  # fmt: skip
    answer(child, "Ontvangstdatum", "\x7f" * 10 + old + "\r")
    answer(child, "meer dan een jaar terug. Klopt dat", "n\r")
    answer(child, "Ontvangstdatum", "\x7f" * 10 + recent + "\r")
    answer(child, "Omschrijving", "Tip over een woning\r")
    answer(child, "Een persoon toevoegen", "n\r")
    answer(child, "Een adres toevoegen", "n\r")
    answer(child, "Een organisatie toevoegen", "n\r")
    answer(child, "Opslaan", "j\r")
    child.expect("vastgelegd")
    child.expect(pexpect.EOF)
    conn = sqlite3.connect(db)
    try:
        received = conn.execute("SELECT received_on FROM signal").fetchall()
    finally:
        conn.close()
    assert received == [((dt.date.today() - dt.timedelta(days=3)).isoformat(),)]


def test_ongedaan_asks_and_no_keeps_everything(tmp_path: Path) -> None:
    db = tmp_path / "undo.db"
    child = spawn(
        db, "signaal", "nieuw", "--gemeente", "Texel", "--melder", "A", "--kanaal", "mail",
        "--vorm", "arbeid", "--niet-acuut", "--omschrijving", "x", "--datum", "vandaag",
    )  # fmt: skip
    child.expect(pexpect.EOF)
    child = spawn(db, "ongedaan")
    child.expect("nieuw signaal vastgelegd")
    answer(child, "Deze wijziging ongedaan maken", "n\r")
    child.expect("niets gewijzigd")
    child.expect(pexpect.EOF)
    assert _count(db, "SELECT count(*) FROM signal") == 1
    child = spawn(db, "ongedaan")
    answer(child, "Deze wijziging ongedaan maken", "j\r")
    child.expect("Ongedaan gemaakt")
    child.expect(pexpect.EOF)
    assert _count(db, "SELECT count(*) FROM signal") == 0
