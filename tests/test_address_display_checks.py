"""The earlier-records check of `signaal nieuw` names the address it looked for as a Dutch
address is written: '14-2' (house 14, addition 2), never '142', a different house."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Cli

NewSignal = Callable[..., str]


def test_the_check_names_a_numeric_addition_with_its_separator(
    cli: Cli, new_signal: NewSignal
) -> None:
    new_signal("--adres", "straat=Prins Hendrikstraat; nummer=14-3; postcode=1700 AA")
    result = cli(
        "signaal", "nieuw", "--datum", "02-11-2026", "--gemeente", "Dijk en Waard",
        "--melder", "P. Jansen", "--kanaal", "mail", "--omschrijving", "x", "--vorm", "arbeid",
        "--adres", "straat=Prins Hendrikstraat; nummer=14-2; postcode=1700 AA",
        "--adres", "straat=Prins Hendrikstraat; nummer=14 hs; postcode=1700 AA",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "adres 'Prins Hendrikstraat 14-2 1700AA'" in result.output
    assert "adres 'Prins Hendrikstraat 14 hs 1700AA'" in result.output
    assert "142" not in result.stdout and "14hs" not in result.output
