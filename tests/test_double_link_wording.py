"""Linking a person, address or organisation that is already linked says what to do instead:
for a person, how to correct the role; never a 'rol' for an address."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.backend_helpers import stored_dump
from tests.conftest import Backend, Cli

# Linking twice, on a file and on a PostgreSQL server alike.
pytestmark = pytest.mark.usefixtures("backend")

NewSignal = Callable[..., str]


def test_linking_twice_says_what_to_do(cli: Cli, new_signal: NewSignal, backend: Backend) -> None:
    ref = new_signal(
        "--persoon", "naam=Twee Keer; rol=slachtoffer",
        "--adres", "straat=Dubbelstraat; nummer=2; plaats=Hoorn",
    )  # fmt: skip
    before = stored_dump(backend)
    person = cli("signaal", "verrijk", ref, "--persoon", "id=1; rol=dader")
    assert person.exit_code == 2, person.output
    assert person.stderr.count("\n") == 1
    assert f"mhtool signaal wijzig {ref} --rol" in person.stderr
    address = cli("signaal", "verrijk", ref, "--adres", "id=1")
    assert address.exit_code == 2, address.output
    assert "rol" not in address.stderr and "niets gewijzigd" in address.stderr
    assert stored_dump(backend) == before
