"""The preview of `mhtool ongedaan` names a signal by its number (the internal id means nothing
to the officer) and shows an emptied list as '–', like every other empty value."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import Cli

# The preview of ongedaan, on a file and on a PostgreSQL server alike.
pytestmark = pytest.mark.usefixtures("backend")

NewSignal = Callable[..., str]


def test_preview_names_the_signal_number_and_empty_lists(cli: Cli, new_signal: NewSignal) -> None:
    new_signal(datum="01-11-2026")
    ref = new_signal(datum="02-11-2026")
    closed = cli(
        "signaal", "stap", ref, "--naar", "5", "--reden", "r", "--conclusie", "geen",
        "--geen-terugkoppeling", "--maatregel", "bibob",
    )  # fmt: skip
    assert closed.exit_code == 0, closed.output
    undone = cli("ongedaan", "--ja")
    assert undone.exit_code == 0, undone.output
    text = " ".join(undone.stdout.split())
    assert f"signaal {ref}: " in text and "signaal 2:" not in text
    assert "maatregelen: bibob → –" in text
