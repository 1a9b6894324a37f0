"""The questionary forms in a real pseudo-terminal, as an officer uses them."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pexpect
import pytest

from tests.conftest import Backend

# The forms on a file and on a PostgreSQL server alike.
pytestmark = pytest.mark.slow

DOWN = "\x1b[B"


def spawn(db: Path | str, *args: str) -> pexpect.spawn:
    installed = shutil.which("mhtool", path=str(Path(sys.executable).parent))
    assert installed
    env = {**os.environ, "MHTOOL_DB": str(db), "TERM": "xterm", "COLUMNS": "120", "LINES": "50"}
    env["PROMPT_TOOLKIT_NO_CPR"] = "1"  # a pty does not answer cursor-position requests
    env.pop("MHTOOL_DEBUG", None)
    return pexpect.spawn(
        installed, list(args), env=env, encoding="utf-8", timeout=20, dimensions=(50, 120)
    )


def answer(child: pexpect.spawn, prompt: str, keys: str) -> None:
    child.expect(prompt)
    child.send(keys)


def test_form_logs_a_complete_signal(backend: Backend) -> None:
    db = backend.target
    child = spawn(db, "signaal", "nieuw")
    answer(child, "Ontvangstdatum", "\x7f" * 10 + "31-02-2026\r")
    child.expect("bestaat niet")  # inline validation; the answer can be corrected
    child.send("\x7f" * 12 + "03-11-2026\r")
    answer(child, "Gemeente", "Koggenland\r")
    answer(child, "Melder", "Jan Balie\r")
    answer(child, "Afdeling", "\r")
    answer(child, "Hoe kwam", DOWN + "\r")  # second channel: meldpunt
    answer(child, "Vorm", " " + DOWN + " \r")  # sexual and labour exploitation
    answer(child, "acuut gevaar", "j\r")
    child.expect("AVIM")
    answer(child, "AVIM al ingeschakeld", "n\r")
    answer(child, "Omschrijving", "Meisje wordt dagelijks opgehaald\r")
    answer(child, "Een persoon toevoegen", "j\r")
    # A check across fields fails after the last field: that part is asked again, the rest of
    # the form is kept.
    answer(child, "Naam", "Test Persoon\r")
    answer(child, "Geboortedatum", "05-11-2026\r")
    answer(child, "Rol", "\r")
    answer(child, "Nationaliteit", "\r")
    child.expect("ligt na de ontvangstdatum")
    answer(child, "Deze persoon opnieuw invullen", "j\r")
    answer(child, "Naam", "Test Persoon\r")
    answer(child, "Geboortedatum", "2010\r")
    answer(child, "Rol", "\r")
    answer(child, "Nationaliteit", "\r")
    answer(child, "Nog een persoon", "\r")
    answer(child, "Een adres toevoegen", "j\r")
    answer(child, "Straat", "\r")
    answer(child, "Huisnummer", "7b\r")
    answer(child, "Postcode", "\r")
    answer(child, "Plaats", "Wognum\r")
    child.expect("straat of een postcode nodig")
    answer(child, "Dit adres opnieuw invullen", "\r")  # yes is the default
    answer(child, "Straat", "Kerkstraat\r")
    answer(child, "Huisnummer", "7b\r")
    answer(child, "Postcode", "1687 ab\r")
    answer(child, "Plaats", "Wognum\r")
    # Only the town is known: the officer may leave that address out and go on.
    answer(child, "Nog een adres", "j\r")
    answer(child, "Straat", "\r")
    answer(child, "Huisnummer", "1\r")
    answer(child, "Postcode", "\r")
    answer(child, "Plaats", "Den Burg\r")
    answer(child, "Dit adres opnieuw invullen", "n\r")
    answer(child, "Nog een adres", "n\r")
    answer(child, "Een organisatie toevoegen", "\r")
    answer(child, "Opslaan", "\r")
    child.expect("Signaal MH-2026-0001 vastgelegd")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert backend.rows("SELECT ref, municipality, channel, acute, received_on FROM signal") == [
        ("MH-2026-0001", "Koggenland", "meldpunt", 1, "2026-11-03")
    ]
    assert backend.rows("SELECT form FROM signal_form ORDER BY form") == [
        ("arbeid",),
        ("seksueel",),
    ]
    assert backend.rows("SELECT name, birth_year FROM person") == [("Test Persoon", 2010)]
    assert backend.rows("SELECT house_key, postcode FROM address") == [("7b", "1687AB")]


def test_ctrl_c_in_the_form_saves_nothing(backend: Backend) -> None:
    db = backend.target
    child = spawn(db, "signaal", "nieuw")
    answer(child, "Ontvangstdatum", "\r")
    answer(child, "Gemeente", "Texel\r")
    child.expect("Melder")
    child.sendcontrol("c")
    child.expect("Afgebroken; er is niets opgeslagen")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    if backend.is_postgresql:
        assert backend.scalar("SELECT count(*) FROM signal") == 0
    else:
        assert not Path(db).exists()  # not even an empty database is left behind


def test_answering_no_to_save_stores_nothing(backend: Backend) -> None:
    db = backend.target
    child = spawn(
        db,
        "signaal",
        "nieuw",
        "--gemeente",
        "Texel",
        "--melder",
        "x",
        "--kanaal",
        "mail",
        "--omschrijving",
        "y",
        "--vorm",
        "onbekend",
        "--niet-acuut",
        "--datum",
        "vandaag",
    )
    # Required flags are given, so there is no form at all: it is saved straight away.
    child.expect("vastgelegd")
    child.expect(pexpect.EOF)
    child = spawn(db, "signaal", "nieuw", "--gemeente", "Texel", "--datum", "vandaag")
    answer(child, "Melder", "x\r")
    answer(child, "Afdeling", "\r")
    answer(child, "Hoe kwam", "\r")
    # Nothing chosen is refused and the question stays: the next keys still answer it.
    answer(child, "Vorm", "\r")
    child.send(DOWN * 4 + " \r")  # onbekend
    answer(child, "acuut gevaar", "\r")
    answer(child, "Omschrijving", "y\r")
    for question in ("Een persoon", "Een adres", "Een organisatie"):
        answer(child, question, "\r")
    answer(child, "Opslaan", "n\r")
    child.expect("Afgebroken")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert backend.rows("SELECT count(*) FROM signal") == [(1,)]


@pytest.mark.parametrize("use_flags", [False, True])
def test_step_form_asks_only_what_the_step_needs(backend: Backend, use_flags: bool) -> None:
    db = backend.target
    child = spawn(
        db,
        "signaal",
        "nieuw",
        "--gemeente",
        "Texel",
        "--melder",
        "x",
        "--kanaal",
        "mail",
        "--omschrijving",
        "y",
        "--niet-acuut",
        "--vorm",
        "arbeid",
    )
    child.expect(pexpect.EOF)
    ref = "MH-2026-0001"
    child = spawn(db, "signaal", "stap", ref, *(["--controle", "niets"] if use_flags else []))
    if not use_flags:  # nothing earlier found: the automatic check is the conclusion
        child.expect("Automatische controle: geen eerdere registraties gevonden")
    child.expect("staat nu in stap 2")
    child.expect(pexpect.EOF)
    child = spawn(db, "signaal", "stap", ref)
    answer(child, "Met wie is het signaal besproken", DOWN + " \r")  # zorgcoördinator
    child.expect("staat nu in stap 3")
    child.expect(pexpect.EOF)
    assert backend.rows("SELECT details FROM step_event WHERE to_step = 3") == [
        ('{"partners": ["zorgcoordinator"]}',)
    ]
    # The form reads the signal before asking, but only the steps are logged: no 'view'.
    assert backend.rows("SELECT action FROM audit_log WHERE object_id = 'MH-2026-0001'") == [
        ("signaal.nieuw",),
        ("signaal.stap",),
        ("signaal.stap",),
    ]


def test_closing_form_asks_why_no_avim_and_for_the_follow_up(backend: Backend) -> None:
    """Issue 11: acute without an AVIM time needs a reason; 'verder onderzoek' an action."""
    db = backend.target
    child = spawn(
        db, "signaal", "nieuw", "--gemeente", "Texel", "--melder", "x", "--kanaal", "mail",
        "--omschrijving", "y", "--acuut", "--vorm", "arbeid",
    )  # fmt: skip
    child.expect(pexpect.EOF)
    ref = backend.rows("SELECT ref FROM signal")[0][0]
    child = spawn(
        db, "signaal", "stap", str(ref), "--naar", "5", "--reden", "direct afgerond",
        "--conclusie", "verder-onderzoek", "--geen-terugkoppeling", "--niet-strafrechtelijk",
        "--geen-opvang", "--maatregel", "apv",
    )  # fmt: skip
    answer(child, "Waarom is AVIM niet ingeschakeld", "melder trok het in\r")
    answer(child, "Vervolgactie", "Bellen met FairWork\r")
    child.expect("staat nu in stap 5")
    child.expect(pexpect.EOF)
    assert backend.rows("SELECT description FROM follow_up_action") == [("Bellen met FairWork",)]
    closing = backend.rows("SELECT details FROM step_event WHERE to_step = 5")
    assert "melder trok het in" in str(closing)
