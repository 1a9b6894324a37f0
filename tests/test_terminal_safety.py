"""User text on the terminal is shown as typed: never read as rich markup, and control
characters, ANSI escapes and bidi overrides appear as visible escapes instead of acting."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.signal_helpers import execute

BOLD = "[bold]vet[/bold]"
LINK = "[link=https://evil.example]klik[/link]"
ANSI = "\x1b[31mrood\x1b[0m"
BIDI = "\u202egnp.exe"
ESCAPED_ANSI = "\\x1b[31mrood\\x1b[0m"
ESCAPED_BIDI = "\\u202egnp.exe"


@pytest.fixture
def hostile_ref(cli: Cli) -> str:
    result = cli(
        "--gebruiker",
        "[bold]aof[/bold]",
        "signaal",
        "nieuw",
        "--datum",
        "01-11-2026",
        "--gemeente",
        "Dijk en Waard",
        "--melder",
        f"Melder {BOLD}",
        "--afdeling",
        f"Afdeling {ANSI}",
        "--kanaal",
        "mail",
        "--omschrijving",
        f"{BOLD} {LINK} {ANSI} {BIDI}",
        "--persoon",
        f"naam={LINK}; nationaliteit={BIDI}",
        "--adres",
        f"straat={ANSI}; nummer=1",
        "--organisatie",
        f"naam={BIDI}",
        "--json",
    )
    assert result.exit_code == 0, result.output
    ref = str(json.loads(result.stdout)["id"])
    assert cli("signaal", "notitie", ref, f"Notitie {LINK} {ANSI}").exit_code == 0
    return ref


def _assert_shown_literally(output: str) -> None:
    assert BOLD in output
    assert LINK in output
    assert ESCAPED_ANSI in output
    assert ESCAPED_BIDI in output
    assert "\x1b[31m" not in output  # the user's colour code never reaches the terminal
    assert "\u202e" not in output
    assert "\x1b]8;" not in output  # no OSC 8 hyperlink was made from the [link] markup


@pytest.fixture
def colour_terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make rich believe it writes to a colour terminal, where markup would really act."""
    from mhtool.cli import render

    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(render, "_console", None)
    yield
    render._console = None


def test_signaal_toon_shows_hostile_text_literally(cli: Cli, hostile_ref: str) -> None:
    result = cli("signaal", "toon", hostile_ref)
    assert result.exit_code == 0, result.output
    _assert_shown_literally(result.stdout)
    assert "Melder [bold]vet[/bold]" in result.stdout
    assert "Notitie [link=https://evil.example]klik[/link]" in result.stdout
    assert "[bold]aof[/bold]" in result.stdout  # the user name in Verloop and Historie


def test_signaal_toon_on_a_colour_terminal_still_shows_it_literally(
    cli: Cli, hostile_ref: str, colour_terminal: None
) -> None:
    result = cli("signaal", "toon", hostile_ref)
    assert result.exit_code == 0, result.output
    assert "\x1b[1m" in result.stdout  # rich does style its own headings here
    _assert_shown_literally(result.stdout)


def test_signaal_lijst_escapes_text_from_a_tampered_file(
    cli: Cli, hostile_ref: str, db_path: Path, colour_terminal: None
) -> None:
    # Values that mhtool itself would never store, put in with a SQLite browser.
    execute(
        db_path,
        "UPDATE signal SET municipality = '[bold]vet[/bold] ' || char(27) || '[31mrood' "
        "|| char(27) || '[0m', conclusion = '[link=https://evil.example]klik[/link]', step = 5",
        "UPDATE signal_form SET form = char(8238) || 'gnp.exe'",
    )
    result = cli("signaal", "lijst")
    assert result.exit_code == 0, result.output
    _assert_shown_literally(result.stdout)


def test_json_output_escapes_bidi_and_round_trips(cli: Cli, hostile_ref: str) -> None:
    result = cli("signaal", "toon", hostile_ref, "--json")
    assert "\u202e" not in result.stdout
    assert "\x1b" not in result.stdout
    assert "\\u202e" in result.stdout
    data = json.loads(result.stdout)
    assert data["omschrijving"] == f"{BOLD} {LINK} {ANSI} {BIDI}"
    assert data["personen"][0]["nationaliteit"] == BIDI


def test_error_messages_show_typed_text_escaped(cli: Cli, hostile_ref: str) -> None:
    result = cli("signaal", "lijst", "--gemeente", f"{BOLD}{ANSI}{BIDI}")
    assert result.exit_code == 2
    assert f"{BOLD}{ESCAPED_ANSI}{ESCAPED_BIDI}" in result.stderr
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    usage = cli("signaal", "lijst", "--stap", f"{ANSI}")
    assert usage.exit_code == 2
    assert "\x1b" not in usage.stderr


def test_audit_toon_shows_user_names_literally(
    cli: Cli, hostile_ref: str, colour_terminal: None
) -> None:
    result = cli("audit", "toon")
    assert result.exit_code == 0, result.output
    assert "[bold]aof[/bold]" in result.stdout


def test_form_validation_messages_are_escaped() -> None:
    from mhtool.cli.prompts import _validator
    from mhtool.errors import ValidationError

    def check(answer: str) -> None:
        raise ValidationError(f"'{answer}' klopt niet")

    message = _validator(check)(f"{ANSI}{BIDI}")
    assert message == f"'{ESCAPED_ANSI}{ESCAPED_BIDI}' klopt niet"


def test_safe_makes_every_hidden_character_visible() -> None:
    from mhtool.cli.render import safe

    assert safe("a\tb\nc") == "a\tb\nc"
    assert safe("\x00\x07\x1b\x7f\x9b") == "\\x00\\x07\\x1b\\x7f\\x9b"
    assert safe("\u200b\u2028\u2066\ufeff\udcff") == "\\u200b\\u2028\\u2066\\ufeff\\udcff"
    assert safe("Łódź é ü 北京") == "Łódź é ü 北京"


def test_signaal_toon_escapes_codes_from_a_tampered_file(
    cli: Cli, hostile_ref: str, db_path: Path, colour_terminal: None
) -> None:
    """Codes (rol, sector, kvk, soort stap) are shown as labels; an unknown one is shown as is,
    and that must not become markup either."""
    execute(
        db_path,
        "UPDATE signal_person SET role = '[bold]vet[/bold]'",
        "UPDATE organisation SET sector = '[link=https://evil.example]klik[/link]', "
        "kvk = char(27) || '[31mrood' || char(27) || '[0m'",
        "UPDATE step_event SET kind = char(8238) || 'gnp.exe'",
    )
    result = cli("signaal", "toon", hostile_ref)
    assert result.exit_code == 0, result.output
    _assert_shown_literally(result.stdout)
