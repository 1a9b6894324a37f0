"""What the forms leave on the screen is what was chosen, in Dutch: a yes/no answered with Enter
shows 'ja' or 'nee', a date typed as a word shows the date it became, a multiple choice shows the
chosen names, and Enter alone under the measures means 'geen'."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
import sys
from pathlib import Path

import pexpect
import pytest

from tests.mhtool_process import SIGNAL_ARGS, child_env, run_mhtool

pytestmark = pytest.mark.slow

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
DOWN = "\x1b[B"


def spawn(db: Path, *args: str) -> pexpect.spawn:
    installed = shutil.which("mhtool", path=str(Path(sys.executable).parent))
    assert installed
    env = {**child_env(db), "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    return pexpect.spawn(
        installed, list(args), env=env, encoding="utf-8", timeout=30, dimensions=(50, 120)
    )


def screen_text(transcript: str) -> str:
    """What the terminal showed, without escape codes (redraws stay, one after the other)."""
    return ANSI.sub("", transcript)


def test_signal_form_shows_resolved_answers(tmp_path: Path) -> None:
    db = tmp_path / "mhtool.db"
    assert run_mhtool("init", env=child_env(db)).returncode == 0
    child = spawn(db, "signaal", "nieuw")
    transcript: list[str] = []
    child.logfile_read = _Collect(transcript)
    child.expect("Ontvangstdatum")
    child.send("\x7f" * 12 + "gisteren\r")
    child.expect("Gemeente")
    child.send("Koggenland\r")
    child.expect("Melder")
    child.send("Jan Balie\r")
    child.expect("Afdeling")
    child.send("\r")
    child.expect("Hoe kwam")
    child.send("\r")
    child.expect("Vorm")
    child.send(" " + DOWN + " \r")
    child.expect("acuut gevaar")
    child.send("\r")  # Enter: the default, no
    child.expect("Omschrijving")
    child.send("Veel mensen op één adres\r")
    child.expect("Een persoon toevoegen")
    child.send("\r")
    child.expect("Een adres toevoegen")
    child.send("\r")
    child.expect("Een organisatie toevoegen")
    child.send("\r")
    child.expect("Opslaan")
    child.send("\r")  # Enter: the default, yes
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    yesterday = (dt.date.today() - dt.timedelta(days=1)).strftime("%d-%m-%Y")
    shown = screen_text("".join(transcript))
    assert f"? Ontvangstdatum (dd-mm-jjjj): {yesterday}" in shown
    assert "? Is er acuut gevaar? (j/N) nee" in shown
    assert "? Een persoon toevoegen? (j/N) nee" in shown
    assert "? Opslaan? (J/n) ja" in shown
    assert "? Vorm(en) van uitbuiting: seksuele uitbuiting, arbeidsuitbuiting" in shown
    assert "done" not in shown and "selections" not in shown
    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT received_on FROM signal").fetchall()
    conn.close()
    assert stored == [((dt.date.today() - dt.timedelta(days=1)).isoformat(),)]


def test_enter_under_measures_means_geen(tmp_path: Path) -> None:
    db = tmp_path / "mhtool.db"
    env = child_env(db)
    assert run_mhtool(*SIGNAL_ARGS, "--omschrijving", "x", env=env).returncode == 0
    for step in (["--controle", "niets"], ["--partner", "oe-wijk"], ["--partner", "riec"]):
        moved = run_mhtool("signaal", "stap", "MH-2026-0001", *step, env=env)
        assert moved.returncode == 0, moved.stderr
    child = spawn(db, "signaal", "stap", "MH-2026-0001")
    transcript: list[str] = []
    child.logfile_read = _Collect(transcript)
    child.expect("Conclusie")
    child.send("\r")
    child.expect("terugkoppeling aan de melder")
    child.send("n\r")
    child.expect("Strafrechtelijk")
    child.send("\r")
    child.expect("Opvang")
    child.send("\r")
    child.expect("Bestuurlijke maatregel")
    child.send("\r")  # nothing ticked: geen
    child.expect(pexpect.EOF)
    child.close()
    shown = screen_text("".join(transcript))
    assert child.exitstatus == 0, shown
    assert "? Is er terugkoppeling aan de melder gegeven? (J/n) nee" in shown
    assert "? Strafrechtelijk opgepakt? (j/N) nee" in shown
    assert "? Bestuurlijke maatregel(en): geen" in shown
    conn = sqlite3.connect(db)
    step, measures = conn.execute(
        "SELECT step, (SELECT count(*) FROM signal_measure) FROM signal"
    ).fetchone()
    conn.close()
    assert (step, measures) == (5, 0)


class _Collect:
    def __init__(self, into: list[str]) -> None:
        self.into = into

    def write(self, data: str) -> None:
        self.into.append(data)

    def flush(self) -> None:
        pass


def test_link_choice_names_the_signal_within_80_columns(tmp_path: Path) -> None:
    db = tmp_path / "mhtool.db"
    env = child_env(db)
    earlier = run_mhtool(
        *SIGNAL_ARGS,
        "--omschrijving",
        "eerder",
        "--persoon",
        "naam=Johannes Wilhelmus van der Velde-Bakker; rol=slachtoffer; geboren=12-03-1990",
        env=env,
    )
    assert earlier.returncode == 0, earlier.stderr
    child = spawn(db, "signaal", "nieuw", *SIGNAL_ARGS[2:], "--niet-acuut", "--afdeling", "X")
    child.setwinsize(40, 80)
    transcript: list[str] = []
    child.logfile_read = _Collect(transcript)
    child.expect("Omschrijving")
    child.send("tweede\r")
    child.expect("Een persoon toevoegen")
    child.send("j\r")
    child.expect("Naam")
    child.send("Johannes Wilhelmus van der Velde-Bakker\r")
    child.expect("Geboortedatum")
    child.send("12-03-1990\r")
    child.expect("Rol")
    child.send("\r")
    child.expect("Nationaliteit")
    child.send("\r")
    child.expect("Koppelen aan een bestaande registratie")
    child.expect("Nee, nieuw vastleggen")
    shown = screen_text("".join(transcript))
    # The whole match was printed before the choice, and the choice line itself names the
    # signal while fitting in 80 columns.
    assert "1. persoon 1: Johannes Wilhelmus van der Velde-Bakker" in shown.replace("\n", " ")
    choice = re.search(r"Koppelen aan persoon 1: Johannes Wilhelmus [^\r\n\x1b]*\(MH-2026-0001\)", shown)
    assert choice is not None, shown
    assert len(choice.group(0)) <= 76
    child.send(DOWN + "\r")
    child.expect("Nog een persoon")
    child.send("\r")
    child.expect("Een adres")
    child.send("\r")
    child.expect("Een organisatie")
    child.send("\r")
    child.expect("Opslaan")
    child.send("\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    conn = sqlite3.connect(db)
    linked = conn.execute("SELECT count(*), count(DISTINCT person_id) FROM signal_person").fetchone()
    conn.close()
    assert linked == (2, 1)
