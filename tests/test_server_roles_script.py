"""`mhtool server rollen` without a server: the SQL it writes, and what it refuses.

Whether the SQL does what it says is tested against a real server in test_server_roles.py
(slow); here only that each gemeente goes to the right login, that bad names and gemeenten are
refused in Dutch before anything is written, and that nothing runs unless asked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli


def _assignments(script: str) -> set[tuple[str, str]]:
    found = set()
    for line in script.splitlines():
        if line.startswith("INSERT INTO officer_municipality"):
            values = line.split("VALUES (", 1)[1].split(")", 1)[0]
            login, place = (part.strip().strip("'") for part in values.split(", "))
            found.add((login, place))
    return found


def test_each_gemeente_goes_to_the_officer_named_before_it(cli: Cli, db_path: Path) -> None:
    result = cli(
        "server",
        "rollen",
        "--functionaris",
        "a.jansen",
        "--gemeente",
        "koggenland",
        "--gemeente",
        "Hoorn",
        "--lezer",
        "b.bakker",
        "--gemeente",
        "texel",
        "--functionaris",
        "c.smit",
        "--gemeente",
        "Dijk en Waard",
        "--regio",
        "riec",
    )
    assert result.exit_code == 0, result.output
    assert _assignments(result.stdout) == {
        ("a.jansen", "Koggenland"),
        ("a.jansen", "Hoorn"),
        ("b.bakker", "Texel"),
        ("c.smit", "Dijk en Waard"),
    }
    script = result.stdout
    assert 'GRANT mhtool_functionaris TO "a.jansen";' in script
    assert 'GRANT mhtool_lezer TO "b.bakker";' in script
    assert 'GRANT mhtool_regio TO "riec";' in script
    assert script.index("BEGIN;") < script.index("CREATE ROLE") < script.index("COMMIT;")
    # The region reads views only; no password is ever part of the script.
    regio_grants = [line for line in script.splitlines() if line.endswith("TO mhtool_regio;")]
    assert regio_grants and all("regio_" in line for line in regio_grants)
    assert "PASSWORD" not in script.upper().replace("\\PASSWORD", "")
    assert not db_path.exists()  # printing touches no database


def test_without_names_it_writes_the_group_roles_only(cli: Cli) -> None:
    result = cli("server", "rollen")
    assert result.exit_code == 0, result.output
    for group in ("mhtool_functionaris", "mhtool_lezer", "mhtool_regio"):
        assert f'CREATE ROLE "{group}" NOLOGIN' in result.stdout
    assert " LOGIN;" not in result.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--gemeente", "Texel", "--functionaris", "a.jansen"), "direct na de --functionaris"),
        (("--regio", "riec", "--gemeente", "Texel"), "regio-rol ziet alleen cijfers"),
        (("--functionaris", "a.jansen", "--gemeente", "Atlantis"), "Onbekende gemeente"),
        (("--functionaris", "Jan Jansen"), "kan geen inlognaam zijn"),
        (("--lezer", 'x"; DROP ROLE postgres; --'), "kan geen inlognaam zijn"),
        (("--functionaris", "postgres"), "gereserveerde naam"),
        (("--regio", "mhtool_functionaris"), "gereserveerde naam"),
        (("--functionaris", "a.jansen", "--lezer", "a.jansen"), "hoort bij één rol"),
    ],
)
def test_bad_input_is_one_dutch_sentence_and_no_sql(
    cli: Cli, args: tuple[str, ...], said: str
) -> None:
    result = cli("server", "rollen", *args)
    assert result.exit_code == 2, result.output
    assert said in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_uitvoeren_needs_a_server(cli: Cli, db_path: Path) -> None:
    result = cli("server", "rollen", "--functionaris", "a.jansen", "--uitvoeren")
    assert result.exit_code == 2, result.output
    assert "alleen in een database op een server" in result.stderr
    assert result.stdout == ""


def test_a_reader_without_gemeenten_stands_in_for_the_officers_of_the_command(cli: Cli) -> None:
    result = cli(
        "server", "rollen", "--functionaris", "a.jansen", "--gemeente", "Koggenland",
        "--functionaris", "c.smit", "--gemeente", "Hoorn", "--lezer", "v.vervanger",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert {(login, place) for login, place in _assignments(result.stdout)} == {
        ("a.jansen", "Koggenland"),
        ("c.smit", "Hoorn"),
        ("v.vervanger", "Koggenland"),
        ("v.vervanger", "Hoorn"),
    }
    assert result.stderr == ""


def test_a_login_without_gemeente_is_warned_about(cli: Cli) -> None:
    result = cli("server", "rollen", "--functionaris", "a.jansen", "--regio", "riec")
    assert result.exit_code == 0, result.output
    assert "a.jansen krijgt geen gemeente" in result.stderr
    assert "riec" not in result.stderr  # the region sees every gemeente, as figures
    assert "INSERT INTO officer_municipality" not in result.stdout


def test_every_login_gets_jit_off(cli: Cli) -> None:
    result = cli("server", "rollen", "--functionaris", "a.jansen", "--gemeente", "Hoorn")
    assert result.exit_code == 0, result.output
    assert 'ALTER ROLE "a.jansen" SET jit = off;' in result.stdout
