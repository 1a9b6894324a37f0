"""`signaal vervallen`: a signal registered by mistake stays in the file and its history, is
left out of lists, statistics and the weekly report, is shown as VERVALLEN where it appears,
cannot change while annulled, and can be restored with a reason. Its number is never reused."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.backend_helpers import stored_dump
from tests.conftest import Backend, Cli
from tests.mhtool_process import child_env, log_signal_installed, run_mhtool

NewSignal = Callable[..., str]

# Annulling and restoring a signal, on a file and on a PostgreSQL server alike.
pytestmark = pytest.mark.usefixtures("backend")
PERSON = "naam=Testpersoon Vervalnaam; rol=slachtoffer; geboren=1990"


def _ids(cli: Cli, *extra: str) -> list[str]:
    result = cli("signaal", "lijst", *extra, "--json")
    assert result.exit_code == 0, result.output
    return [s["id"] for s in json.loads(result.stdout)]


def test_annulled_signal_is_kept_but_counts_nowhere(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    kept = new_signal(datum="02-11-2026")
    mistake = new_signal("--persoon", PERSON, datum="03-11-2026")
    result = cli("signaal", "vervallen", mistake, "--reden", "dubbel ingevoerd", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["vervallen"] is True and data["vervallen_op"]

    assert _ids(cli) == [kept]
    assert _ids(cli, "--met-vervallen") == [kept, mistake]
    assert _ids(cli, "--open") == [kept]
    table = cli("signaal", "lijst", "--met-vervallen")
    assert "VERVALLEN" in table.stdout
    stats = json.loads(cli("statistiek", "--jaar", "2026", "--json").stdout)
    assert stats["totaal"]["per_jaar"] == {"2026": 1}
    report = cli("rapport", "--week", "2026-W45", "--uitvoer", "-", "--formaat", "csv")
    assert report.exit_code == 0, report.output
    assert mistake not in report.stdout and kept in report.stdout

    shown = cli("signaal", "toon", mistake)
    assert (
        shown.exit_code == 0 and "VERVALLEN" in shown.stdout and "dubbel ingevoerd" in shown.stdout
    )
    found = cli("zoek", "Testpersoon Vervalnaam")
    assert f"{mistake} (03-11-2026, VERVALLEN" in found.stdout
    person = cli("persoon", "toon", "1")
    assert "VERVALLEN" in person.stdout
    # Everything is still in the file; its number is not reissued.
    assert backend.rows("SELECT count(*) FROM signal") == [(2,)]
    assert new_signal(datum="04-11-2026") == "MH-2026-0003"


def test_annulled_signal_cannot_change_until_restored(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    ref = new_signal()
    assert cli("signaal", "vervallen", ref, "--reden", "per vergissing").exit_code == 0
    before = stored_dump(backend)
    for args in (
        ("stap", ref, "--controle", "x"),
        ("notitie", ref, "tekst"),
        ("wijzig", ref, "--omschrijving", "y", "--reden", "r"),
        ("verrijk", ref, "--persoon", PERSON),
        ("vervallen", ref, "--reden", "nog eens"),
    ):
        refused = cli("signaal", *args)
        assert refused.exit_code == 6, (args, refused.output)
        assert refused.stderr.startswith("Fout: ") and "vervallen" in refused.stderr
    assert stored_dump(backend) == before

    restored = cli("signaal", "vervallen", ref, "--herstel", "--reden", "toch terecht", "--json")
    assert restored.exit_code == 0, restored.output
    assert json.loads(restored.stdout)["vervallen"] is False
    assert _ids(cli) == [ref]
    assert cli("signaal", "stap", ref, "--controle", "x").exit_code == 0
    history = [a for (a,) in backend.rows("SELECT action FROM history ORDER BY id")]
    assert "vervallen" in history and "vervallen-hersteld" in history
    kinds = [k for (k,) in backend.rows("SELECT kind FROM step_event ORDER BY id")]
    assert kinds[:3] == ["ontvangst", "vervallen", "hersteld"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("MH-2026-0042", "--reden", "x"), 3, "bestaat niet"),
        (("{ref}",), 2, "Reden"),
        (("{ref}", "--reden", ""), 2, "Reden"),
        (("{ref}", "--herstel", "--reden", "x"), 6, "niet vervallen"),
        (("{closed}", "--reden", "x"), 6, "afgerond"),
    ],
)
def test_bad_annulments_leave_the_file_unchanged(
    cli: Cli,
    new_signal: NewSignal,
    backend: Backend,
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    ref = new_signal()
    closed = new_signal()
    done = cli(
        "signaal", "stap", closed, "--naar", "5", "--reden", "r", "--conclusie", "geen",
        "--geen-terugkoppeling",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    before = stored_dump(backend)
    result = cli("signaal", "vervallen", *(a.format(ref=ref, closed=closed) for a in args))
    assert result.exit_code == code, result.output
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert stored_dump(backend) == before


@pytest.mark.slow
def test_installed_mhtool_annuls_and_restores(backend: Backend) -> None:
    env = child_env(backend.target)
    ref = log_signal_installed(env)
    annulled = run_mhtool("signaal", "vervallen", ref, "--reden", "dubbel", env=env)
    assert annulled.returncode == 0, annulled.stderr
    assert "vervallen" in annulled.stdout
    twice = run_mhtool("signaal", "vervallen", ref, "--reden", "dubbel", env=env)
    assert twice.returncode == 6 and "al vervallen" in twice.stderr
    listed = run_mhtool("signaal", "lijst", "--met-vervallen", env=env)
    assert "VERVALLEN" in listed.stdout
    restored = run_mhtool("signaal", "vervallen", ref, "--herstel", "--reden", "toch", env=env)
    assert restored.returncode == 0, restored.stderr
