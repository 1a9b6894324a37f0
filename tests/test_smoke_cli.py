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
