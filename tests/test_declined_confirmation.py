"""Answering 'nee' to a confirmation says so once: one 'Fout: Afgebroken; ...' sentence and exit
code 130, with nothing changed (main() used to add its own Ctrl-C sentence to the command's)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pexpect
import pytest

from tests.test_interactive_form import answer, spawn

pytestmark = pytest.mark.slow


def _rest(child: pexpect.spawn) -> str:
    child.expect(pexpect.EOF)
    child.close()
    return str(child.before)


@pytest.mark.parametrize(
    ("args", "question", "sentence"),
    [
        (("ongedaan",), "Deze wijziging ongedaan maken", "Afgebroken; er is niets gewijzigd."),
        (
            ("persoon", "verwijder", "1", "--reden", "avg-verzoek"),
            "definitief",
            "Afgebroken; er is niets verwijderd.",
        ),
    ],
)
def test_no_to_a_confirmation_gives_one_sentence(
    tmp_path: Path, args: tuple[str, ...], question: str, sentence: str
) -> None:
    db = tmp_path / "nee.db"
    made = spawn(
        db, "signaal", "nieuw", "--gemeente", "Texel", "--melder", "A", "--kanaal", "mail",
        "--vorm", "arbeid", "--niet-acuut", "--omschrijving", "x", "--datum", "vandaag",
        "--persoon", "naam=Nee Zegger; rol=slachtoffer",
    )  # fmt: skip
    made.expect(pexpect.EOF)
    child = spawn(db, *args)
    answer(child, question, "n\r")
    rest = _rest(child)
    assert child.exitstatus == 130
    assert rest.count("Afgebroken") == 1, rest
    assert sentence in rest
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM person").fetchone()[0] == 1
    finally:
        conn.close()


def test_ongedaan_json_in_a_terminal_never_asks_blind(tmp_path: Path) -> None:
    """With --json the preview is not shown, so mhtool must not ask to confirm what the user
    has not seen: it wants --ja, as in a script."""
    db = tmp_path / "json.db"
    made = spawn(
        db, "signaal", "nieuw", "--gemeente", "Texel", "--melder", "A", "--kanaal", "mail",
        "--vorm", "arbeid", "--niet-acuut", "--omschrijving", "x", "--datum", "vandaag",
    )  # fmt: skip
    made.expect(pexpect.EOF)
    child = spawn(db, "ongedaan", "--json")
    rest = _rest(child)
    assert child.exitstatus == 2, rest
    assert "--ja" in rest and "?" not in rest.split("Fout:")[0]
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM signal").fetchone()[0] == 1
    finally:
        conn.close()
