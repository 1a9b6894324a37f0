"""The meldroute and the case record give the same answers on a file and on a server.

One officer's whole case, command by command, run twice in one test: against a file and
against a PostgreSQL database. Every command's exit code, stdout and stderr must be equal,
apart from what necessarily differs (the moment a row was written, and where the database
is). The user is the same on both: the server's login name `postgres`, given on the file
with --gebruiker. This is the strongest form of "the same output and exit codes on both
backends": the other both-backend tests assert what a user sees on each backend; this one
also catches any difference none of them thought to assert (ordering, NULLs, booleans,
number formats).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tests.backend_helpers import server_only
from tests.conftest import Backend, Cli, Result

TODAY = dt.date.today()
# A stored moment (created_at, history 'at', avim 'nu'): differs by the second between runs.
MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?([+-]\d\d:\d\d|Z)?")
SHOWN_MOMENT = re.compile(r"\d\d-\d\d-\d{4} \d\d:\d\d")


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).strftime("%d-%m-%Y")


def case_commands() -> list[tuple[str, ...]]:
    """A case through the whole meldroute and after, with refusals on the way."""
    ref, acute, other = "MH-{y}-0001", "MH-{y}-0002", "MH-{y}-0003"
    person = "naam=Maria Ionescu; rol=slachtoffer; geboren=12-03-2004; nationaliteit=Roemeense"
    return [
        (
            "signaal", "nieuw", "--datum", day(-40), "--gemeente", "Koggenland", "--melder",
            "A. de Boer", "--afdeling", "Handhaving", "--kanaal", "meldpunt", "--vorm", "seksueel",
            "--vorm", "crimineel", "--omschrijving", "Steeds andere mannen aan de deur.",
            "--persoon", person, "--persoon", "naam=Onbekende man; rol=dader; geboren=1990",
            "--adres", "straat=Dorpsstr.; nummer=12-a; postcode=1687 ab; plaats=Wognum",
            "--organisatie", "naam=Sauna Het Zand; kvk=1234 5678; sector=seksbranche",
        ),
        (
            "signaal", "nieuw", "--datum", day(-3), "--gemeente", "Texel", "--melder", "BOA",
            "--kanaal", "telefoon", "--omschrijving", "Man in container", "--acuut",
        ),
        (
            "signaal", "nieuw", "--datum", day(-2), "--gemeente", "Koggenland", "--melder", "x",
            "--kanaal", "mail", "--omschrijving", "Tweede melding", "--persoon",
            "naam=M. Ionescu; rol=slachtoffer; geboren=2004",
        ),
        ("signaal", "nieuw", "--gemeente", "Alkmar", "--melder", "x", "--kanaal", "mail",
         "--omschrijving", "y"),
        ("signaal", "lijst"),
        ("signaal", "lijst", "--json"),
        ("signaal", "lijst", "--acuut"),
        ("agenda", "--json"),
        ("signaal", "stap", ref, "--datum", day(-39), "--controle", "adres bekend"),
        ("signaal", "stap", ref, "--datum", day(-38), "--partner", "oe-wijk", "--partner",
         "zorgcoordinator"),
        ("signaal", "stap", ref, "--naar", "2", "--datum", day(-37)),
        ("signaal", "notitie", ref, "Gebeld met de melder", "--datum", day(-37)),
        ("signaal", "stap", ref, "--datum", day(-30), "--partner", "querido", "--notitie", "Q"),
        ("signaal", "stap", other, "--controle", "niets"),
        ("signaal", "stap", other, "--controle", "eerder signaal", "--ja"),
        ("signaal", "verrijk", other, "--persoon", "id=1"),
        ("signaal", "wijzig", other, "--gemeente", "Texel", "--reden", "verkeerd overgenomen"),
        ("signaal", "avim", acute, "--op", day(-3) + " 10:00"),
        ("signaal", "avim", ref),
        (
            "signaal", "stap", ref, "--naar", "5", "--datum", day(-20), "--conclusie",
            "verder-onderzoek", "--terugkoppeling", "--terugkoppeling-datum", day(-21),
            "--actie", "Afstemmen met OM", "--actie-voor", day(-5), "--maatregel", "bibob",
        ),
        ("signaal", "actie", ref, "Nazorg", "--voor", day(10), "--partner", "fairwork"),
        ("signaal", "uitkomst", ref, "--verwijzing", "veilig-thuis", "--reden", "kind"),
        ("agenda",),
        ("agenda", "--json"),
        ("signaal", "lijst", "--open", "--json"),
        ("signaal", "lijst", "--afgerond"),
        ("signaal", "actie-klaar", ref, "1", "--toelichting", "OM pakt op"),
        ("signaal", "toon", ref),
        ("signaal", "toon", ref, "--json"),
        ("persoon", "toon", "1"),
        ("persoon", "wijzig", "1", "--naam", "Maria Ionescu-Popescu", "--reden", "spelling"),
        ("ongedaan",),
        ("ongedaan", "--ja"),
        ("signaal", "vervallen", acute, "--reden", "dubbel ingevoerd"),
        ("signaal", "lijst", "--met-vervallen", "--csv"),
        ("signaal", "vervallen", acute, "--herstel", "--reden", "toch niet dubbel"),
        ("signaal", "heropen", ref, "--reden", "nieuwe informatie"),
        ("signaal", "toon", ref, "--json"),
        ("normen", "zet", "stap-1", "1"),
        ("normen", "toon", "--json"),
        ("agenda", "--gemeente", "koggenland", "--json"),
        ("signaal", "lijst", "--jaar", str(TODAY.year), "--vorm", "seksueel", "--json"),
        ("signaal", "toon", "MH-2020-0099"),
        ("ongedaan", "--ja"),
        ("signaal", "toon", other, "--json"),
    ]  # fmt: skip


def normalised(result: Result, location: str) -> tuple[int, str, str]:
    def clean(text: str) -> str:
        text = text.replace(location, "<database>")
        text = MOMENT.sub("<moment>", text)
        return SHOWN_MOMENT.sub("<moment>", text)

    return result.exit_code, clean(result.stdout), clean(result.stderr)


def test_a_whole_case_gives_the_same_output_on_a_file_and_on_a_server(
    cli: Cli, backend: Backend, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server_only(backend, "compares a file with a server database")
    monkeypatch.delenv("MHTOOL_AGENDA_HINT")  # the hint after each command must agree too
    year = str(TODAY.year)
    # Signals received 40 days ago may fall in last year: number them as mhtool would.
    years = {
        "MH-{y}-0001": (TODAY - dt.timedelta(days=40)).year,
        "MH-{y}-0002": (TODAY - dt.timedelta(days=3)).year,
        "MH-{y}-0003": (TODAY - dt.timedelta(days=2)).year,
    }
    seq = {"MH-{y}-0001": 0, "MH-{y}-0002": 0, "MH-{y}-0003": 0}
    counters: dict[int, int] = {}
    for key, y in years.items():
        counters[y] = counters.get(y, 0) + 1
        seq[key] = counters[y]
    refs = {key: f"MH-{years[key]}-{seq[key]:04d}" for key in years}
    # A new file says so once on stderr (a server database exists already): made beforehand.
    assert cli("--db", str(db_path), "init").exit_code == 0
    differences = []
    for command in case_commands():
        args = tuple(refs.get(a, a).replace("{y}", year) for a in command)
        on_file = cli("--db", str(db_path), "--gebruiker", "postgres", *args)
        on_server = cli(*args)
        file_view = normalised(on_file, str(db_path))
        server_view = normalised(on_server, backend.target)
        if file_view != server_view:
            differences.append((args, file_view, server_view))
    assert not differences, "\n\n".join(
        f"{' '.join(args)}\n  file:   {f}\n  server: {sv}" for args, f, sv in differences
    )
    # And both keep the same record: the same signals, history actions and audit actions.
    file_backend = Backend("sqlite", str(db_path))
    for sql in (
        "SELECT ref, step, conclusion, municipality, acute, annulled_on, destroy_on "
        "FROM signal ORDER BY id",
        "SELECT signal_id, entity, entity_id, action, by_user FROM history ORDER BY id",
        "SELECT action, object_type, object_id, result, by_user FROM audit_log ORDER BY id",
        "SELECT signal_id, seq, description, due_on, partner, done_on FROM follow_up_action "
        "ORDER BY id",
    ):
        assert file_backend.rows(sql) == backend.rows(sql), sql
