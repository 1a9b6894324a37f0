from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Cli


def test_new_signal_is_stored_and_listed(
    cli: Cli, new_signal: Callable[..., str], db_path: Path
) -> None:
    ref = new_signal()
    assert ref == "MH-2026-0001"
    listed = cli("signaal", "lijst", "--json")
    assert listed.exit_code == 0
    assert [s["id"] for s in json.loads(listed.stdout)] == [ref]
    assert db_path.exists()


def test_unknown_option_is_a_dutch_usage_error(cli: Cli) -> None:
    result = cli("signaal", "lijst", "--onzin")
    assert result.exit_code == 2
    assert "Fout: onbekende optie --onzin" in result.stderr


def test_typer_usage_errors_are_translated(cli: Cli) -> None:
    out_of_range = cli("signaal", "lijst", "--stap", "9")
    assert out_of_range.exit_code == 2
    assert "Fout: ongeldige waarde voor --stap: 9 ligt niet tussen 1 en 5." in out_of_range.stderr
    not_a_number = cli("signaal", "lijst", "--stap", "x")
    assert "'x' is geen geheel getal." in not_a_number.stderr
    extra = cli("signaal", "lijst", "iets")
    assert "onverwacht extra argument (iets)" in extra.stderr
    missing = cli("signaal", "toon")
    assert "het argument ref ontbreekt" in missing.stderr


def test_help_is_dutch(cli: Cli) -> None:
    helped = cli("signaal", "stap", "--help")
    assert "verplicht" in cli("backup", "--help").stdout
    assert helped.exit_code == 0
    for english in ("Usage:", "Show this message", "Options", "[default", "required"):
        assert english not in helped.stdout
    assert "Gebruik: mhtool signaal stap" in helped.stdout
    assert "Toon deze hulp en stop." in helped.stdout
