"""Random and hostile values through every `signaal nieuw` flag: the user always gets a Dutch
message and a documented exit code, never a traceback, and the file holds either a complete
signal (with its step event, forms, history and audit entry) or nothing new at all."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mhtool.errors import ExitCode
from tests.conftest import Cli
from tests.mhtool_process import SIGNAL_ARGS
from tests.signal_helpers import table_counts

HOSTILE = [
    "",
    " ",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "\udcff",  # an undecodable byte from argv
    "[bold]x[/bold]",
    "[link=https://evil]x[/link]",
    "'; DROP TABLE signal; --",
    "%s%s%n",
    "--json",
    "-",
    "=",
    ";;;",
    "naam=",
    "id=1",
    "id=999999999999999999999",
    "id=-1",
    "nummer=0",
    "x" * 300,
    "y" * 20_000,
    "31-02-2026",
    "01-01-1800",
    "01-01-2999",
    "nu",
    "9" * 40,
    "Ω≈ç√∫",
    "\N{PILE OF POO}",
]

VALID = {
    "--datum": ["01-11-2026", "vandaag", "2026-10-01"],
    "--gemeente": ["Dijk en Waard", "koggenland", "Hollands Kroon"],
    "--melder": ["P. Jansen"],
    "--afdeling": ["Handhaving"],
    "--kanaal": ["mail", "meldpunt", "telefoon"],
    "--vorm": ["arbeid", "seksueel", "onbekend"],
    "--omschrijving": ["Veel mensen op één adres."],
    "--persoon": [
        "naam=Maria Ionescu; rol=slachtoffer; geboren=1999",
        "naam=X; rol=dader; geboren=01-01-1990; nationaliteit=NL",
        "id=1; rol=betrokkene",
    ],
    "--adres": ["straat=Dorpsstraat; nummer=12a; postcode=1701AB; plaats=Wognum", "id=1"],
    "--organisatie": ["naam=Bedrijf BV; kvk=12345678; sector=horeca", "id=1"],
    "--avim-geinformeerd": ["nu", "01-11-2026 10:00"],
}
REQUIRED = ("--gemeente", "--melder", "--kanaal", "--omschrijving")
REPEATABLE = ("--vorm", "--persoon", "--adres", "--organisatie")
EXIT_CODES = {int(code) for code in ExitCode} - {ExitCode.INTERNAL}


def _value(flag: str) -> st.SearchStrategy[str]:
    """Mostly valid, so that enough examples get far enough to store something; one hostile
    value is then enough to have to refuse the whole signal."""
    hostile = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
    valid = st.sampled_from(VALID[flag])
    return st.integers(0, 19).flatmap(lambda n: hostile if n == 0 else valid)


@st.composite
def argv(draw: st.DrawFn) -> list[str]:
    args: list[str] = []
    for flag in VALID:
        if flag in REPEATABLE:
            for _ in range(draw(st.integers(min_value=0, max_value=2))):
                args += [flag, draw(_value(flag))]
        elif flag in REQUIRED and draw(st.integers(0, 9)) > 0 or draw(st.booleans()):
            args += [flag, draw(_value(flag))]
    if draw(st.booleans()):
        args.append(draw(st.sampled_from(["--acuut", "--niet-acuut"])))
    return args


def _signal_is_complete(conn: sqlite3.Connection, ref: str) -> None:
    (signal_id,) = conn.execute("SELECT id FROM signal WHERE ref = ?", (ref,)).fetchone()
    kinds = [
        r[0] for r in conn.execute("SELECT kind FROM step_event WHERE signal_id = ?", (signal_id,))
    ]
    assert kinds[0] == "ontvangst"
    assert (
        conn.execute(
            "SELECT count(*) FROM signal_form WHERE signal_id = ?", (signal_id,)
        ).fetchone()[0]
        >= 1
    )
    assert conn.execute(
        "SELECT count(*) FROM history WHERE signal_id = ? AND entity = 'signal' "
        "AND action = 'aangemaakt'",
        (signal_id,),
    ).fetchone() == (1,)
    assert conn.execute(
        "SELECT result FROM audit_log WHERE action = 'signaal.nieuw' AND object_id = ?", (ref,)
    ).fetchall() == [("gelukt",)]


def _check_run(cli: Cli, db_path: Path, args: list[str]) -> None:
    before = table_counts(db_path) if db_path.exists() else {}
    result = cli("--db", str(db_path), "signaal", "nieuw", *args, "--json")

    assert "Traceback" not in result.output
    assert result.exit_code in EXIT_CODES, result
    if result.exit_code != 0:
        # Notices about earlier records may come first on stderr; the error is the last line.
        assert result.stderr.splitlines()[-1].startswith("Fout: "), result
    if not db_path.exists():
        return
    after = table_counts(db_path)
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        if result.exit_code == 0:
            assert after["signal"] == before.get("signal", 0) + 1
            _signal_is_complete(conn, json.loads(result.stdout)["id"])
        else:
            # Nothing but (at most) the audit entry of the refusal and the schema itself.
            changed = {t for t in after if after[t] != before.get(t, 0)}
            if not before:  # the file was created: FTS5 shadow tables start with their own rows
                fts_shadow = ("_config", "_data", "_idx", "_docsize", "_content")
                changed = {t for t in changed if not t.endswith(fts_shadow)}
            assert changed <= {"audit_log", "schema_migration", "setting"}, (changed, result)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One file for the whole module: creating and migrating a file per run would dominate."""
    return tmp_path_factory.mktemp("hostile") / "mhtool.db"


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("flag", ["--omschrijving", "--persoon"])
def test_each_hostile_value_in_each_text_flag(
    cli: Cli, shared_db: Path, flag: str, value: str
) -> None:
    base = {
        "--gemeente": "Dijk en Waard",
        "--melder": "P. Jansen",
        "--kanaal": "mail",
        "--omschrijving": "Veel mensen op één adres.",
    }
    prefix = {"--persoon": "rol=slachtoffer; naam=", "--adres": "nummer=1; straat="}.get(flag, "")
    base[flag] = prefix + value
    _check_run(cli, shared_db, [part for item in base.items() for part in item])


@pytest.mark.slow
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(args=argv())
def test_signaal_nieuw_never_crashes_and_never_half_writes(
    cli: Cli, shared_db: Path, args: list[str]
) -> None:
    # One file for all examples: later examples run against whatever earlier ones stored.
    _check_run(cli, shared_db, args)


def test_a_huge_value_is_not_echoed_back_in_full(cli: Cli) -> None:
    """Errors quote what was typed; 120,000 characters must not flood the terminal or a log."""
    result = cli(
        "signaal", "nieuw", "--gemeente", "x" * 120_000, "--melder", "a", "--kanaal", "mail",
        "--omschrijving", "b",
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith("Fout: ") and len(result.stderr) < 600


def test_an_error_quoting_a_line_break_stays_one_line(cli: Cli) -> None:
    """Found by the fuzzer: `--adres '0\\n0'` was echoed with its line break, so the error's
    second half stood on a line of its own, where it could pass for another message."""
    result = cli(*SIGNAL_ARGS, "--omschrijving", "x", "--adres", "0\nFout: iets anders")
    assert result.exit_code == 2, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Fout: "), result
    assert "\\n" in lines[0]
