"""`signaal wijzig --datum`: the receipt date can be corrected with a reason; the number stays,
statistics and lists follow the corrected date, and the old date stays in the history."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.backend_helpers import make_empty_database, stored_dump
from tests.conftest import Backend, Cli
from tests.mhtool_process import child_env, log_signal_installed, run_mhtool

NewSignal = Callable[..., str]

# Correcting a signal's fields, on a file and on a PostgreSQL server alike.
pytestmark = pytest.mark.usefixtures("backend")


def _per_year(cli: Cli, years: str) -> dict[str, int]:
    result = cli("statistiek", "--jaar", years, "--json")
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout)["totaal"]["per_jaar"])


def test_corrected_receipt_date_keeps_the_number_and_moves_the_statistics(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    typo = new_signal(datum="03-11-2016")
    other = new_signal(datum="02-11-2026")
    assert typo == "MH-2016-0001"
    assert _per_year(cli, "2016-2026")["2016"] == 1

    result = cli(
        "signaal", "wijzig", typo, "--datum", "03-11-2026", "--reden", "tikfout in het jaar",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] == "MH-2016-0001" and data["ontvangen"] == "2026-11-03"
    assert data["stap_sinds"] == "2026-11-03"
    assert [e["datum"] for e in data["verloop"] if e["soort"] == "ontvangst"] == ["2026-11-03"]

    figures = _per_year(cli, "2016-2026")
    assert figures["2016"] == 0 and figures["2026"] == 2
    # The number is never reissued: the next 2016 signal is 0002, the next 2026 one 0002.
    assert new_signal(datum="04-11-2016") == "MH-2016-0002"
    assert other == "MH-2026-0001" and new_signal(datum="05-11-2026") == "MH-2026-0002"
    listed = json.loads(cli("signaal", "lijst", "--jaar", "2026", "--json").stdout)
    assert typo in [s["id"] for s in listed]
    assert typo not in [
        s["id"] for s in json.loads(cli("signaal", "lijst", "--jaar", "2016", "--json").stdout)
    ]

    changes = [
        json.loads(str(c))
        for (c,) in backend.rows("SELECT changes FROM history WHERE action = 'gecorrigeerd'")
    ]
    assert {"oud": "2016-11-03", "nieuw": "2026-11-03"} in [c.get("received_on") for c in changes]
    assert any(c.get("reden") == "tikfout in het jaar" for c in changes)
    shown = cli("signaal", "toon", typo)
    assert "03-11-2016 → 03-11-2026" in shown.stdout


@pytest.mark.parametrize(
    ("extra", "message", "code"),
    [
        (("--datum", "03-11-2026"), "reden verplicht", 2),
        (("--datum", "03-11-2026", "--reden", " "), "reden verplicht", 2),
        (("--datum", "01-01-1999", "--reden", "x"), "vóór 2000", 2),
        (("--datum", "03-11-2099", "--reden", "x"), "in de toekomst", 2),
        (("--datum", "10-11-2026", "--reden", "x"), "na de datum van een stap", 2),
        (("--datum", "02-11-2015", "--reden", "x"), "--ja", 2),
        (("--omschrijving", "x", "--reden", "x"), "is afgerond", 6),
    ],
)
def test_bad_corrections_leave_the_file_unchanged(
    cli: Cli,
    new_signal: NewSignal,
    backend: Backend,
    extra: tuple[str, ...],
    message: str,
    code: int,
) -> None:
    ref = new_signal(datum="01-11-2026")
    assert cli("signaal", "stap", ref, "--controle", "x", "--datum", "05-11-2026").exit_code == 0
    closed = new_signal(datum="01-11-2026")
    assert (
        cli(
            "signaal", "stap", closed, "--naar", "5", "--reden", "r", "--conclusie", "geen",
            "--geen-terugkoppeling",
        ).exit_code
        == 0
    )  # fmt: skip
    target = closed if message == "is afgerond" else ref
    before = stored_dump(backend)
    result = cli("signaal", "wijzig", target, *extra)
    assert result.exit_code == code, result.output
    assert message in result.stderr.lower() or message in result.stderr
    assert result.stderr.startswith("Fout: ") and result.stderr.count("\n") == 1
    assert stored_dump(backend) == before


def test_unknown_signal_is_one_dutch_sentence(cli: Cli, backend: Backend) -> None:
    make_empty_database(cli, backend)
    before = stored_dump(backend)
    result = cli("signaal", "wijzig", "MH-2026-0099", "--datum", "01-11-2026", "--reden", "x")
    assert result.exit_code == 3 and "bestaat niet" in result.stderr
    assert stored_dump(backend) == before


def test_birth_after_corrected_date_is_refused(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    ref = new_signal("--persoon", "naam=Testpersoon Baby; geboren=01-06-2026", datum="01-11-2026")
    before = stored_dump(backend)
    result = cli("signaal", "wijzig", ref, "--datum", "01-01-2026", "--reden", "x")
    assert result.exit_code == 2 and "geboortedatum" in result.stderr
    assert stored_dump(backend) == before


@pytest.mark.slow
def test_installed_mhtool_corrects_a_receipt_date(backend: Backend) -> None:
    env = child_env(backend.target)
    ref = log_signal_installed(env)
    fixed = run_mhtool(
        "signaal", "wijzig", ref, "--datum", "31-10-2026", "--reden", "verkeerde dag", "--json",
        env=env,
    )  # fmt: skip
    assert fixed.returncode == 0, fixed.stderr
    assert json.loads(fixed.stdout)["ontvangen"] == "2026-10-31"
    refused = run_mhtool("signaal", "wijzig", ref, "--datum", "30-10-2026", env=env)
    assert refused.returncode == 2 and refused.stderr.startswith("Fout: ")
