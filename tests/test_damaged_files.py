"""A wrong or damaged file behind --db: a distinct Dutch sentence per kind, exit code 4, and the
file byte-for-byte as it was."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.mhtool_process import SIGNAL_ARGS

PAGE = 4096


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mhtool_file(cli: Cli, path: Path, signals: int) -> Path:
    """A real mhtool database with enough signals to span many pages, fully checkpointed."""
    for number in range(signals):
        result = cli(
            "--db",
            str(path),
            *SIGNAL_ARGS,
            "--omschrijving",
            f"Signaal {number}: " + "veel mensen op één adres, werken in de kassen. " * 40,
            "--persoon",
            f"naam=Persoon {number}; rol=slachtoffer",
        )
        assert result.exit_code == 0, result.output
    assert not Path(f"{path}-wal").exists()
    return path


def _text_file(tmp: Path, cli: Cli) -> Path:
    path = tmp / "export.csv"
    path.write_text("naam;adres\nJan de Vries;Dorpsstraat 1\n", encoding="utf-8")
    return path


def _empty_file(tmp: Path, cli: Cli) -> Path:
    path = tmp / "leeg.db"
    path.touch()
    return path


def _directory(tmp: Path, cli: Cli) -> Path:
    path = tmp / "map.db"
    path.mkdir()
    return path


def _other_binary(tmp: Path, cli: Cli) -> Path:
    path = tmp / "foto.db"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    return path


def _other_program(tmp: Path, cli: Cli) -> Path:
    path = tmp / "adresboek.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contact (name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contact VALUES ('Jan', '0612345678')")
    conn.commit()
    conn.close()
    return path


def _newer_schema(tmp: Path, cli: Cli) -> Path:
    path = _mhtool_file(cli, tmp / "nieuwer.db", 1)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    return path


def _truncated(tmp: Path, cli: Cli) -> Path:
    path = _mhtool_file(cli, tmp / "afgekapt.db", 12)
    size = path.stat().st_size
    assert size >= 8 * PAGE
    with path.open("r+b") as handle:
        handle.truncate(size // 2 // PAGE * PAGE)
    return path


def _corrupt(tmp: Path, cli: Cli) -> Path:
    path = _mhtool_file(cli, tmp / "beschadigd.db", 12)
    pages = path.stat().st_size // PAGE
    with path.open("r+b") as handle:
        handle.seek((pages // 2) * PAGE)
        handle.write(bytes((i * 37 + 11) % 256 for i in range(PAGE)))
    return path


def _pipe(tmp: Path, cli: Cli) -> Path:
    path = tmp / "pijp.db"
    os.mkfifo(path)
    return path


CASES: dict[str, tuple[Callable[[Path, Cli], Path], str]] = {
    "tekstbestand": (_text_file, "is een tekstbestand"),
    "leeg bestand": (_empty_file, "is een leeg bestand (0 bytes)"),
    "map": (_directory, "is een map"),
    "pipe": (_pipe, "geen gewoon bestand"),
    "ander binair bestand": (_other_binary, "ander soort bestand"),
    "ander programma": (_other_program, "database van een ander programma"),
    "nieuwer schema": (_newer_schema, "nieuwere versie van mhtool"),
    "afgekapt": (_truncated, "is afgekapt"),
    "beschadigd": (_corrupt, "is beschadigd"),
}


def _fingerprint(path: Path) -> str:
    if path.is_dir() or path.is_fifo():
        return str(path.stat().st_mode)
    return _digest(path)


@pytest.mark.parametrize("case", list(CASES))
def test_damaged_file_is_refused_untouched(case: str, cli: Cli, tmp_path: Path) -> None:
    make, expected = CASES[case]
    path = make(tmp_path, cli)
    before = _fingerprint(path)
    new_signal = ["signaal", "nieuw", "--gemeente", "Bergen", "--melder", "A", "--kanaal", "mail"]
    for command in (["signaal", "lijst"], ["info"], [*new_signal, "--omschrijving", "Test"]):
        result = cli("--db", str(path), *command)
        assert result.exit_code == 4, (command, result)
        assert result.stderr.startswith("Fout: "), result
        assert expected in result.stderr, result
        assert "Traceback" not in result.output
        assert _fingerprint(path) == before
    leftovers = {p.name for p in tmp_path.iterdir()} - {path.name}
    assert not {name for name in leftovers if name.startswith(path.name)}


def test_each_kind_of_damage_has_its_own_message(cli: Cli, tmp_path: Path) -> None:
    messages = set()
    for number, (make, _) in enumerate(CASES.values()):
        folder = tmp_path / str(number)
        folder.mkdir()
        result = cli("--db", str(make(folder, cli)), "signaal", "lijst")
        assert result.exit_code == 4
        messages.add(result.stderr.replace(str(folder), "<map>"))
    assert len(messages) == len(CASES)


def test_corruption_found_on_first_use_reports_damage(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even when the open-time check passes, SQLite's 'malformed' later gives the same sentence."""
    from mhtool.store import open_store as open_store_module

    path = _mhtool_file(cli, tmp_path / "beschadigd.db", 3)
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'signal'").fetchone()[0]
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * PAGE)
        handle.write(b"\xff" * 64)
    monkeypatch.setattr(open_store_module, "_quick_check", lambda conn: None)
    before = _digest(path)
    result = cli("--db", str(path), "signaal", "lijst", "--json")
    assert result.exit_code == 4, result
    assert "is beschadigd" in result.stderr
    assert _digest(path) == before


CREATES = (
    "signaal",
    "nieuw",
    "--gemeente",
    "Texel",
    "--melder",
    "x",
    "--kanaal",
    "mail",
    "--omschrijving",
    "y",
)


def test_a_dangling_link_or_unwritable_place_is_refused(cli: Cli, tmp_path: Path) -> None:
    link = tmp_path / "link.db"
    link.symlink_to(tmp_path / "weg" / "nergens.db")
    result = cli("--db", str(link), *CREATES)
    assert result.exit_code == 4, result
    assert "Kan geen database aanmaken" in result.stderr
    assert link.is_symlink() and not (tmp_path / "weg").exists()
    blocked = tmp_path / "bestand"
    blocked.write_text("x")
    result = cli("--db", str(blocked / "mhtool.db"), *CREATES)
    assert result.exit_code == 4 and "Kan geen database aanmaken" in result.stderr
