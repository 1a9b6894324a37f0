"""Helpers shared by the statistics and weekly-report tests: drive signals through the real CLI
and read back what a user sees."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from tests.conftest import Backend, Cli


def log(cli: Cli, *extra: str, gemeente: str = "Dijk en Waard", datum: str = "01-11-2026") -> str:
    result = cli(
        "signaal",
        "nieuw",
        "--datum",
        datum,
        "--gemeente",
        gemeente,
        "--melder",
        "Fictieve Melder",
        "--kanaal",
        "mail",
        "--omschrijving",
        "Fictief signaal voor een test.",
        *extra,
        "--ja",  # tests also log signals received more than a year ago
        "--json",
    )
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["id"])


def advance(cli: Cli, ref: str, datum: str, *extra: str) -> None:
    result = cli("signaal", "stap", ref, "--datum", datum, *extra, "--json")
    assert result.exit_code == 0, result.output


def close(cli: Cli, ref: str, dates: tuple[str, str, str, str], *closing: str) -> None:
    """Steps 2 to 5 on the given dates; `closing` adds the step-5 flags."""
    advance(cli, ref, dates[0], "--controle", "geen eerdere registraties")
    advance(cli, ref, dates[1], "--partner", "oe-wijk")
    advance(cli, ref, dates[2], "--partner", "riec")
    advance(
        cli,
        ref,
        dates[3],
        "--conclusie",
        "duiding",
        "--terugkoppeling",
        *closing,
    )


def stats_json(cli: Cli, *args: str) -> dict[str, Any]:
    result = cli("statistiek", *args, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def table_rows(stdout: str) -> list[list[str]]:
    """The body and header rows of a rich table as lists of stripped cell texts."""
    rows = []
    for line in stdout.splitlines():
        for border in ("│", "┃"):
            if line.startswith(border):
                rows.append([cell.strip() for cell in line.strip(border).split(border)])
    return rows


def sql(db: Path, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Read (or, to simulate a tampered file, change) the stored data directly."""
    conn = sqlite3.connect(db)
    try:
        with conn:
            return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def stored_state(db: Backend) -> Any:
    """Everything stored, to show that a refused command changed nothing: the file's bytes, or
    every row of every table (the audit log too) on a server."""
    if not db.is_postgresql:
        return Path(db.target).read_bytes()
    tables = [
        str(t)
        for (t,) in db.rows(
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
            "ORDER BY tablename"
        )
    ]
    return {t: sorted(map(repr, db.rows(f'SELECT * FROM "{t}"'))) for t in tables}  # noqa: S608


def change_behind_mhtools_back(db: Backend, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
    """Change stored rows directly, as another program could (foreign keys on; on a server as
    the superuser)."""
    if db.is_postgresql:
        for statement, params in statements:
            db.rows(statement, params)
        return
    conn = sqlite3.connect(db.target)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        with conn:
            for statement, params in statements:
                conn.execute(statement, params)
    finally:
        conn.close()


# Personal details that must never reach a partner export (all fictitious).
SECRETS = (
    "Jantje Geheimnaam",
    "Pietje Geheimdader",
    "2009-03-14",
    "14-03-2009",
    "Geheimstraat",
    "1701AB",
    "1701 AB",
    "Geheim Uitzendbureau",
    "12345678",
    "Fictieve Melder",
    "Fictief signaal voor een test",
    "notitie noemt Klaas Geheim",
    "reden noemt Karel Geheim",
)


def week_45_data(cli: Cli) -> dict[str, str]:
    """Signals around ISO week 2026-W45 (2 to 8 November 2026)."""
    refs = {
        "new_acute": log(
            cli,
            "--acuut",
            "--avim-geinformeerd",
            "03-11-2026 14:30",
            "--vorm",
            "seksueel",
            "--persoon",
            "naam=Jantje Geheimnaam; rol=slachtoffer; geboren=14-03-2009; nationaliteit=NL",
            "--persoon",
            "naam=Pietje Geheimdader; rol=dader; geboren=1980",
            "--adres",
            "straat=Geheimstraat; nummer=13; postcode=1701 AB; plaats=Heerhugowaard",
            "--organisatie",
            "naam=Geheim Uitzendbureau BV; kvk=12345678; sector=uitzendbureau",
            datum="03-11-2026",
        ),
        "new_plain": log(
            cli,
            "--persoon",
            "naam=Jantje Geheimnaam; rol=betrokkene; geboren=1990",
            gemeente="Koggenland",
            datum="05-11-2026",
        ),
        "closed": log(cli, gemeente="Hollands Kroon", datum="01-09-2026"),
        "waiting": log(cli, gemeente="Alkmaar", datum="01-08-2026"),
        "acute_old": log(cli, "--acuut", gemeente="Hoorn", datum="01-10-2026"),
        "later": log(cli, datum="20-11-2026"),
    }
    ref = refs["closed"]
    advance(cli, ref, "02-09-2026", "--controle", "geen eerdere registraties")
    advance(
        cli, ref, "04-11-2026", "--partner", "oe-wijk", "--notitie", "notitie noemt Klaas Geheim"
    )
    advance(cli, ref, "05-11-2026", "--partner", "riec")
    advance(
        cli,
        ref,
        "06-11-2026",
        "--conclusie",
        "duiding",
        "--terugkoppeling",
        "--terugkoppeling-datum",
        "06-11-2026",
        "--strafrechtelijk",
        "--opvang",
        "--maatregel",
        "bibob",
        "--notitie",
        "reden noemt Karel Geheim",
    )
    note = cli(
        "signaal", "notitie", refs["waiting"], "notitie noemt Klaas Geheim", "--datum", "02-08-2026"
    )
    assert note.exit_code == 0, note.output
    return refs
