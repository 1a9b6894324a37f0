"""A corrected receipt date may not lie after anything recorded about the signal: also not
after a follow-up action (issue 11), and the error names what is in the way."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.backend_helpers import stored_dump
from tests.conftest import Backend, Cli

NewSignal = Callable[..., str]

# A corrected receipt date against later follow-up, on a file and on a PostgreSQL server alike.
pytestmark = pytest.mark.usefixtures("backend")


def test_receipt_date_not_after_a_follow_up_action(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    ref = new_signal(datum="01-11-2026")
    action = cli("signaal", "actie", ref, "Bellen", "--voor", "20-11-2026", "--datum", "03-11-2026")
    assert action.exit_code == 0, action.output
    before = stored_dump(backend)
    moved = cli("signaal", "wijzig", ref, "--datum", "10-11-2026", "--reden", "tikfout")
    assert moved.exit_code == 2, moved.output
    assert "vervolgactie (03-11-2026)" in moved.stderr and moved.stderr.count("\n") == 1
    assert stored_dump(backend) == before
    assert cli("signaal", "wijzig", ref, "--datum", "03-11-2026", "--reden", "r").exit_code == 0


def test_the_error_names_an_avim_report_as_such(cli: Cli, new_signal: NewSignal) -> None:
    ref = new_signal("--acuut", datum="01-11-2026")
    assert cli("signaal", "avim", ref, "--op", "02-11-2026 10:00").exit_code == 0
    moved = cli("signaal", "wijzig", ref, "--datum", "04-11-2026", "--reden", "tikfout")
    assert moved.exit_code == 2, moved.output
    assert "AVIM" in moved.stderr and "02-11-2026" in moved.stderr
