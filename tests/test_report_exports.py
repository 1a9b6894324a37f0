"""Export formats of `mhtool rapport` and `mhtool statistiek`: pseudonymised, injection-safe,
self-contained, written atomically with mode 0600."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import sqlite3
import stat
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from mhtool.domain.reports import Document, Table
from mhtool.exporters import render
from mhtool.exporters.atomic import write_atomic
from tests.conftest import Backend, Cli
from tests.statistics_helpers import SECRETS, change_behind_mhtools_back, log, week_45_data


@pytest.fixture(autouse=True)
def existing_database(cli: Cli) -> None:
    """Reading commands never create the file, so each test starts from an initialised one."""
    assert cli("init").exit_code == 0


FORMATS = ("md", "csv", "xlsx", "html")


def export(cli: Cli, path: Path, fmt: str, *extra: str) -> None:
    result = cli("rapport", "--week", "2026-W45", "--formaat", fmt, "--uitvoer", str(path), *extra)
    assert result.exit_code == 0, result.output
    assert f"opgeslagen in {path}" in " ".join(result.stdout.split())


def all_text(path: Path) -> str:
    """Everything in the file as text; for xlsx every XML part inside the zip."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as archive:
            return "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    return path.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.usefixtures("backend")
def test_partner_export_holds_no_personal_details(cli: Cli, tmp_path: Path, fmt: str) -> None:
    week_45_data(cli)
    path = tmp_path / f"rapport.{fmt}"
    export(cli, path, fmt)
    content = all_text(path)
    for secret in SECRETS:
        assert secret not in content, f"{secret!r} leaked into the {fmt} export"
    # What partners do get: the signal, the age band, the postcode area, the sector.
    assert "(0-17, minderjarig)" in content
    assert "1701" in content
    assert "duiding mensenhandel" in content


@pytest.mark.usefixtures("backend")
def test_json_output_holds_no_personal_details_either(cli: Cli) -> None:
    week_45_data(cli)
    result = cli("rapport", "--week", "2026-W45", "--json")
    for secret in SECRETS:
        assert secret not in result.stdout


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.usefixtures("backend")
def test_files_are_private_and_named_after_the_week(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.chdir(tmp_path)
    old_umask = os.umask(0)  # even a permissive umask must not widen the mode
    try:
        result = cli("rapport", "--week", "2026-W45", "--formaat", fmt)
    finally:
        os.umask(old_umask)
    assert result.exit_code == 0, result.output
    path = tmp_path / f"weekrapport-2026-W45.{fmt}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith((".tmp", ".mhtool-tmp"))] == []


@pytest.mark.usefixtures("backend")
def test_an_existing_wider_file_is_replaced_by_a_private_one(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "rapport.md"
    export(cli, path, "md")
    path.chmod(0o644)
    old = path.read_text()
    refused = cli("rapport", "--week", "2026-W45", "--uitvoer", str(path))
    assert refused.exit_code == 2 and "--overschrijf" in refused.stderr
    assert path.read_text() == old
    export(cli, path, "md", "--overschrijf")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("# Weekrapport")


def test_an_export_never_replaces_a_database_or_a_device(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    """Found in review: '--uitvoer mhtool.db' replaced the live database with a report."""
    from tests.record_helpers import dump

    cli("signaal", "nieuw", "--gemeente", "Texel", "--melder", "x", "--kanaal", "mail",
        "--omschrijving", "y")  # fmt: skip
    before = dump(db_path)
    other = tmp_path / "kopie.md"  # a database under an export's name
    assert cli("backup", str(other)).exit_code == 0
    copy_bytes = other.read_bytes()
    attempts = [
        ("rapport", "--uitvoer", str(db_path), "--formaat", "md"),
        ("rapport", "--uitvoer", str(db_path) + "-wal", "--overschrijf"),
        ("statistiek", "--uitvoer", str(db_path), "--csv", "--overschrijf"),
        ("statistiek", "--uitvoer", str(tmp_path / "cijfers.csv"), "--csv"),  # fine: a new file
        ("rapport", "--uitvoer", str(other), "--overschrijf"),
        ("statistiek", "--csv", "--uitvoer", str(other), "--overschrijf"),
        ("rapport", "--uitvoer", "/dev/null", "--formaat", "md", "--overschrijf"),
        ("rapport", "--formaat", "csv", "--uitvoer", str(tmp_path / "r.md")),
        ("rapport", "--uitvoer", str(tmp_path / "geen-map" / "r.md")),
        ("statistiek", "--uitvoer", str(tmp_path)),
    ]
    outcomes = [cli(*args) for args in attempts]
    assert [r.exit_code for r in outcomes] == [2, 2, 2, 0, 2, 2, 2, 2, 2, 2]
    messages = [r.stderr for r in outcomes]
    assert "past niet bij formaat md" in messages[0]
    assert "is een database" in messages[4]
    assert "geen gewoon bestand" in messages[6]
    assert "past niet bij formaat csv" in messages[7]
    assert "bestaat niet" in messages[8]
    assert "is een map" in messages[9]
    assert dump(db_path)[: len(before)] == before
    assert other.read_bytes() == copy_bytes
    assert Path("/dev/null").is_char_device()
    # Even a database whose name looks like an export is never replaced by one.
    odd = tmp_path / "gegevens.csv"
    made = cli("--db", str(odd), "signaal", "nieuw", "--gemeente", "Texel", "--melder", "x",
               "--kanaal", "mail", "--omschrijving", "y")  # fmt: skip
    assert made.exit_code == 0
    own = cli("--db", str(odd), "statistiek", "--csv", "--uitvoer", str(odd), "--overschrijf")
    assert own.exit_code == 2 and "het databasebestand van mhtool zelf" in own.stderr
    assert odd.read_bytes().startswith(b"SQLite format 3")


HOSTILE = (
    '=HYPERLINK("http://voorbeeld.invalid","klik")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\tTAB",
    "\rCR",
    "\nLF",
    "  =1+1",
)


@pytest.fixture
def tampered(cli: Cli, backend: Backend) -> list[str]:
    """Signals whose stored gemeente was changed behind mhtool's back (a damaged or edited
    file, or a server database edited with another client): exports must stay harmless
    whatever is in the database."""
    refs = [log(cli, datum="04-11-2026") for _ in HOSTILE]
    change_behind_mhtools_back(
        backend,
        [
            ("UPDATE signal SET municipality = ? WHERE ref = ?", (value, ref))
            for ref, value in zip(refs, HOSTILE, strict=True)
        ],
    )
    return refs


@pytest.mark.usefixtures("backend")
def test_csv_cells_are_neutralised(cli: Cli, tmp_path: Path, tampered: list[str]) -> None:
    path = tmp_path / "rapport.csv"
    export(cli, path, "csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Dutch Excel reads UTF-8
    cells = [
        c for row in csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";") for c in row
    ]
    for value in HOSTILE:
        assert "'" + value in cells
    for cell in cells:
        assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r", "\n")), cell


@pytest.mark.usefixtures("backend")
def test_xlsx_has_no_formulas_and_text_cells(cli: Cli, tmp_path: Path, tampered: list[str]) -> None:
    path = tmp_path / "rapport.xlsx"
    export(cli, path, "xlsx")
    with zipfile.ZipFile(path) as archive:
        assert not any(
            "<f>" in archive.read(n).decode() or "<f " in archive.read(n).decode()
            for n in archive.namelist()
        )
    book = openpyxl.load_workbook(path)
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert not cell.value.lstrip(" ").startswith(("=", "+", "-", "@", "\t")), (
                        cell.value
                    )
                    found.append(cell.value)
    for value in HOSTILE:
        assert "'" + value in found
    chart_sheet = book[book.sheetnames[-1]]
    numbers = [c.value for row in chart_sheet.iter_rows(min_row=4) for c in row[1:]]
    assert all(isinstance(n, int) for n in numbers)  # counts stay numbers


def test_html_is_one_self_contained_escaped_file(
    cli: Cli, tmp_path: Path, backend: Backend
) -> None:
    ref = log(cli, datum="04-11-2026")
    change_behind_mhtools_back(
        backend,
        [
            (
                "UPDATE signal SET municipality = ? WHERE ref = ?",
                ('<script>alert("x")</script><img src=x onerror=alert(1)>', ref),
            )
        ],
    )
    path = tmp_path / "rapport.html"
    export(cli, path, "html")
    page = path.read_text()
    tags = Tags()
    tags.feed(page)
    assert tags.names <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "h2",
        "dl",
        "dt",
        "dd",
        "svg",
        "line",
        "text",
        "rect",
        "p",
        "span",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }, tags.names
    assert not {a for a in tags.attributes if a in ("src", "href") or a.startswith("on")}
    lowered = page.lower()
    for forbidden in ("http://", "https://", "url(", "@import"):
        assert forbidden not in lowered, forbidden
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<svg" in page and "<rect" in page  # the chart is drawn inline
    assert "default-src 'none'" in page


class Tags(HTMLParser):
    """Every element and attribute name in a page: what a browser would act on."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.add(tag)
        self.attributes.update(name for name, _ in attrs)


def test_markdown_escapes_table_and_link_syntax(tmp_path: Path) -> None:
    document = Document(
        "Titel",
        tables=(Table("t", "T", ("a", "b"), (("x | y", "[klik](javascript:alert(1))"),)),),
    )
    text = render(document, "md").decode()
    assert "x \\| y" in text
    assert "\\[klik\\](javascript:alert(1))" in text


@pytest.mark.usefixtures("backend")
def test_failed_export_leaves_the_existing_file_intact(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "rapport.html"
    made = cli("rapport", "--week", "2026-W44", "--formaat", "html", "--uitvoer", str(path))
    assert made.exit_code == 0, made
    last_week = path.read_text()

    def broken(document: Document, out: io.BufferedWriter) -> None:
        out.write(b"<!DOCTYPE html><html>half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("mhtool.exporters.html.write", broken)
    result = cli(
        "rapport", "--week", "2026-W45", "--formaat", "html", "--uitvoer", str(path),
        "--overschrijf",
    )  # fmt: skip
    # A full disk is exit 8 from the README's table (it was 1, which the table did not list),
    # in Dutch: the operating system's English text never reaches the user.
    assert result.exit_code == 8
    assert "De schijf is vol" in result.stderr and "ongewijzigd" in result.stderr
    assert "No space" not in result.stderr
    assert "Traceback" not in result.output
    assert path.read_text() == last_week
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mhtool.db", "rapport.html"]


def test_write_atomic_never_leaves_half_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "nieuw.csv"

    def half(handle: object) -> None:
        handle.write(b"begin")  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, half)
    assert [p.name for p in tmp_path.iterdir() if p.name != "mhtool.db"] == []


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("geen-map/rapport.md", "bestaat niet; maak hem eerst aan"),
        (".", "is een map; geef een bestandsnaam op"),
    ],
)
@pytest.mark.usefixtures("backend")
def test_bad_output_paths(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("rapport", "--week", "2026-W45", "--uitvoer", target)
    assert result.exit_code != 0
    assert message in result.stderr


@pytest.mark.usefixtures("backend")
def test_text_formats_to_the_screen_but_not_xlsx(cli: Cli) -> None:
    shown = cli("rapport", "--week", "2026-W45", "--uitvoer", "-")
    assert shown.exit_code == 0
    assert shown.stdout.startswith("# Weekrapport signalen mensenhandel, week 2026-W45")
    refused = cli("rapport", "--week", "2026-W45", "--formaat", "xlsx", "--uitvoer", "-")
    assert refused.exit_code == 2
    assert "xlsx is binair" in refused.stderr
    unknown = cli("rapport", "--formaat", "pdf")
    assert unknown.exit_code == 2
    assert "Formaat 'pdf' is onbekend; kies uit: md, csv, xlsx, html." in unknown.stderr


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.usefixtures("backend")
def test_statistics_export_files(cli: Cli, tmp_path: Path, fmt: str) -> None:
    for day in range(1, 4):
        log(cli, datum=f"0{day}-02-2026")
    log(cli, gemeente="Texel", datum="01-03-2026")
    path = tmp_path / f"cijfers.{fmt}"
    result = cli("statistiek", "--onderdruk", "3", "--uitvoer", str(path))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    content = all_text(path)
    assert "Dijk en Waard" in content and "Texel" in content
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(path).worksheets[1]
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
        assert rows == [
            ["Gemeente", "2026", "Totaal"],
            ["Dijk en Waard", 3, 3],
            ["Texel", "<3", "x"],
            ["Totaal", "x", "x"],
        ]


@pytest.mark.slow
def test_installed_program_writes_the_report(tmp_path: Path, backend: Backend, cli: Cli) -> None:
    """End to end in a fresh process, as the officer runs it."""
    import subprocess
    import sys

    log(cli, datum="04-11-2026")
    target = tmp_path / "rapport.xlsx"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mhtool",
            "--db",
            backend.target,
            "rapport",
            "--week",
            "2026-W45",
            "--formaat",
            "xlsx",
            "--uitvoer",
            str(target),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "Weekrapport 2026-W45 opgeslagen" in done.stdout
    assert openpyxl.load_workbook(target)["Nieuwe signalen"]["A4"].value == "MH-2026-0001"


@pytest.mark.parametrize("command", [("rapport", "--week", "2026-W45"), ("statistiek",)])
@pytest.mark.usefixtures("backend")
def test_no_export_file_remains_without_its_audit_entry(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    from mhtool.errors import DatabaseInUseError

    cli("signaal", "nieuw", "--gemeente", "Texel", "--melder", "x", "--kanaal", "mail",
        "--omschrijving", "y", "--datum", "03-11-2026")  # fmt: skip

    def busy(*args: object, **kwargs: object) -> None:
        raise DatabaseInUseError("De database is in gebruik; probeer het zo opnieuw.")

    monkeypatch.setattr("mhtool.services.audit.record", busy)
    target = tmp_path / "uit.md"
    result = cli(*command, "--uitvoer", str(target))
    assert result.exit_code == 5
    assert not target.exists()
    to_screen = ("--uitvoer", "-") if command[0] == "rapport" else ()
    shown = cli(*command, *to_screen)  # to the screen: logged first, so nothing is shown
    assert shown.exit_code == 5 and shown.stdout == ""


@pytest.mark.usefixtures("backend")
def test_an_export_replaces_only_an_earlier_export(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Second review: an encrypted database copied to 'x.xlsx' was replaced with
    --overschrijf. Encrypted bytes look random, so only a file that looks like an earlier
    export of that format is replaced."""
    from tests.mhtool_process import TEST_PASSPHRASE

    monkeypatch.setenv("MHTOOL_WACHTWOORD", TEST_PASSPHRASE)
    encrypted = tmp_path / "geheim.db"
    assert cli("--db", str(encrypted), "init", "--versleuteld").exit_code == 0
    monkeypatch.delenv("MHTOOL_WACHTWOORD")
    original = encrypted.read_bytes()
    for name in ("kopie.xlsx", "kopie.csv", "kopie.md"):
        copy = tmp_path / name
        copy.write_bytes(original)
        result = cli("statistiek", "--uitvoer", str(copy), "--overschrijf")
        assert result.exit_code == 2, name
        assert "lijkt geen eerder rapport" in result.stderr
        assert copy.read_bytes() == original
    earlier = tmp_path / "cijfers.xlsx"
    assert cli("statistiek", "--uitvoer", str(earlier)).exit_code == 0
    assert cli("statistiek", "--uitvoer", str(earlier), "--overschrijf").exit_code == 0


@pytest.mark.parametrize("fmt", ["md", "csv", "html", "xlsx"])
@pytest.mark.usefixtures("backend")
def test_overschrijf_replaces_only_an_earlier_export_of_the_format(
    cli: Cli, tmp_path: Path, fmt: str
) -> None:
    """Found in an attack: 'rapport --formaat md --overschrijf' replaced any UTF-8 text file."""
    import zipfile

    own = tmp_path / f"eigen.{fmt}"
    if fmt == "xlsx":
        with zipfile.ZipFile(own, "w") as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
    else:
        own.write_text(
            {
                "md": "# Mijn aantekeningen\n\n- **Let op:** niet weggooien\n",
                "csv": '\ufeff"naam";"telefoon"\r\n"Jan";"06"\r\n',
                "html": "<!DOCTYPE html>\n<html><body>mijn pagina</body></html>\n",
            }[fmt],
            encoding="utf-8",
        )
    before = own.read_bytes()
    refused = cli("rapport", "--week", "2026-W45", "--formaat", fmt, "--uitvoer", str(own),
                  "--overschrijf")  # fmt: skip
    assert refused.exit_code == 2, refused
    assert "lijkt geen eerder rapport" in refused.stderr
    assert own.read_bytes() == before
    earlier = tmp_path / f"rapport.{fmt}"
    export(cli, earlier, fmt)
    export(cli, earlier, fmt, "--overschrijf")


def test_a_replacing_export_that_cannot_be_logged_leaves_the_earlier_one(
    cli: Cli, tmp_path: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --overschrijf the new file replaced the earlier export first; when its audit entry
    then failed (database busy), it stayed in place: an export of signal data without its
    audit entry, which the BIO logging promise rules out. Busy: another writer holds the
    write lock (BEGIN IMMEDIATE on a file, the writers' advisory lock on a server)."""
    log(cli, datum="03-11-2026")
    path = tmp_path / "rapport.md"
    export(cli, path, "md")
    before = path.read_bytes()
    log(cli, datum="04-11-2026")
    monkeypatch.setenv("MHTOOL_WACHTTIJD", "1")
    with another_writer(backend):
        result = cli("rapport", "--week", "2026-W45", "--uitvoer", str(path), "--overschrijf")
    assert result.exit_code == 5, result
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if "rapport" in p.name] == ["rapport.md"]


@contextlib.contextmanager
def another_writer(backend: Backend) -> Iterator[None]:
    """Another process in the middle of a write transaction on the same database."""
    if backend.cluster is not None:
        from mhtool.store.postgres_connection import WRITE_LOCK

        with backend.cluster.connect(backend.dbname, autocommit=False) as server:
            server.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            try:
                yield
            finally:
                server.rollback()
        return
    file = sqlite3.connect(backend.target, isolation_level=None)
    file.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        file.execute("ROLLBACK")
        file.close()
