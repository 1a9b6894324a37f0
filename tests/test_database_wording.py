"""Messages and help name the database as it is: on a server there is no file.

An officer on a PostgreSQL server was told that a voided signal "blijft in het bestand" and
that there was no change of theirs "in dit bestand" to undo; the root help said everything is
in one SQLite file. The words now fit both backends ("de database"), and the help names the
server mode.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.backend_helpers import server_only
from tests.conftest import Backend, Cli


def _new(cli: Cli) -> str:
    result = cli(
        "signaal", "nieuw", "--datum", "03-11-2026", "--gemeente", "Koggenland",
        "--melder", "P. Jansen", "--kanaal", "mail", "--vorm", "arbeid", "--niet-acuut",
        "--omschrijving", "Acht arbeidsmigranten op één adres.", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["id"])


def test_voiding_says_the_signal_stays_in_the_database(cli: Cli, backend: Backend) -> None:
    ref = _new(cli)
    voided = cli("signaal", "vervallen", ref, "--reden", "per vergissing")
    assert voided.exit_code == 0, voided.output
    assert f"Signaal {ref} is vervallen; het blijft in de database" in " ".join(
        voided.stdout.split()
    )
    assert "bestand" not in voided.output
    assert backend.scalar("SELECT annulled_on IS NOT NULL FROM signal WHERE ref = ?", (ref,))


def test_nothing_to_undo_names_the_database_not_a_file(cli: Cli, backend: Backend) -> None:
    if not backend.is_postgresql:
        assert cli("init").exit_code == 0  # the server database is there already
    nothing = cli("ongedaan", "--ja")
    assert nothing.exit_code == 3, nothing.output
    assert "in deze database die ongedaan kan worden gemaakt" in nothing.stderr
    assert "bestand" not in nothing.output
    assert backend.scalar("SELECT count(*) FROM history") == 0


@pytest.mark.parametrize(
    "args", [("ongedaan", "--help"), ("signaal", "vervallen", "--help"), ("--help",)]
)
def test_help_does_not_say_everything_is_in_a_file(cli: Cli, args: tuple[str, ...]) -> None:
    shown = cli(*args)
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.stdout.split())
    assert "dit bestand" not in text
    assert "in het bestand" not in text
    if args == ("--help",):
        assert "PostgreSQL-database op een server" in text


@pytest.mark.parametrize("command", ["init", "vergrendel", "backup"])
def test_file_only_commands_on_a_server_are_the_ones_docs_name(
    cli: Cli, backend: Backend, command: str, tmp_path: Path
) -> None:
    """A beheerder who types `mhtool init` on a server is refused; docs/server.md, where the
    refusal points, must then say what to do instead."""
    server_only(backend, "file-only commands refused on a server")
    args = [command, str(tmp_path / "kopie.db")] if command == "backup" else [command]
    refused = cli(*args)
    assert refused.exit_code == 2, refused.output
    assert "docs/server.md" in refused.stderr
    doc = (Path(__file__).resolve().parent.parent / "docs" / "server.md").read_text("utf-8")
    section = doc[doc.index("## Wat op een server anders is") :]
    assert f"**`{command}`**" in section
    # README's "Met een team of regio" promises the same commands: it names the exceptions.
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    team = readme[readme.index("## Met een team of regio") :]
    team = " ".join(team[: team.index("\n## ")].split())
    assert f"`{command}`" in team
