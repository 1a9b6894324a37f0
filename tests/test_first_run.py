"""The first use says where the data go and whether they are encrypted, and offers encryption;
`init --versleuteld` on an existing plain file offers (or names) the encrypted copy."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest

from mhtool.services.database import is_encrypted_file
from tests.conftest import Cli
from tests.mhtool_process import MHTOOL, SIGNAL_ARGS, TEST_PASSPHRASE, child_env

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def signals_in(db: Path, passphrase: str | None = None) -> int:
    from mhtool.store.cipher import key_material
    from mhtool.store.connection import connect

    conn = connect(db, key_material(passphrase) if passphrase else None)
    try:
        return int(conn.execute("SELECT count(*) FROM signal").fetchone()[0])
    finally:
        conn.close()


def test_first_signal_names_the_file_and_the_command_that_encrypts_it(
    cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = cli(*SIGNAL_ARGS, "--omschrijving", "eerste", "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["id"] == "MH-2026-0001"  # stdout stays JSON
    copy = db_path.with_name("mhtool-versleuteld.db")
    assert first.stderr.splitlines()[-1] == (
        f"Nieuwe database aangemaakt: {db_path} (gekozen via MHTOOL_DB); het bestand is niet "
        f"versleuteld. Een versleutelde kopie maakt u met: mhtool backup --versleuteld {copy}"
    )
    second = cli(*SIGNAL_ARGS, "--omschrijving", "tweede")
    assert second.exit_code == 0, second.output
    assert "Nieuwe database" not in second.output  # only when the file is created

    # The command it names does what it says.
    monkeypatch.setenv("MHTOOL_WACHTWOORD", TEST_PASSPHRASE)
    command = first.stderr.splitlines()[-1].split("maakt u met: mhtool ")[1].split()
    made = cli(*command)
    assert made.exit_code == 0, made.output
    assert is_encrypted_file(copy)
    assert signals_in(copy, TEST_PASSPHRASE) == 2


def test_a_db_option_is_part_of_the_command(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "map met spatie" / "zaken.db"
    db.parent.mkdir()
    result = cli("--db", str(db), *SIGNAL_ARGS, "--omschrijving", "x")
    assert result.exit_code == 0, result.output
    assert (
        f"(gekozen via --db); het bestand is niet versleuteld. Een versleutelde kopie maakt u "
        f"met: mhtool --db '{db}' backup --versleuteld '{db.parent / 'zaken-versleuteld.db'}'"
    ) in result.stderr


def test_init_says_where_and_whether_encrypted(cli: Cli, db_path: Path) -> None:
    result = cli("init")
    assert result.exit_code == 0, result.output
    assert f"Database aangemaakt: {db_path}" in result.stdout
    assert "niet versleuteld" in result.output


def test_init_encrypted_on_an_existing_plain_file_names_the_conversion(
    cli: Cli, new_signal: Callable[..., str], db_path: Path
) -> None:
    new_signal()
    before = db_path.read_bytes()
    result = cli("init", "--versleuteld")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Fout: {db_path} bestaat al en is niet versleuteld; 'mhtool init' maakt alleen een "
        "nieuwe database. Een versleutelde kopie maakt u met: mhtool backup --versleuteld "
        f"{db_path.with_name('mhtool-versleuteld.db')}\n"
    )
    assert db_path.read_bytes() == before
    assert not db_path.with_name("mhtool-versleuteld.db").exists()


def test_init_encrypted_on_an_encrypted_file_changes_nothing(
    cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MHTOOL_WACHTWOORD", TEST_PASSPHRASE)
    assert cli("init", "--versleuteld").exit_code == 0
    again = cli("init", "--versleuteld")
    assert again.exit_code == 2
    assert (
        again.stderr == f"Fout: {db_path} bestaat al en is al versleuteld; er is niets gewijzigd.\n"
    )


def _spawn(args: list[str], env: dict[str, str]) -> pexpect.spawn:
    env = {**env, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    return pexpect.spawn(
        MHTOOL[0], [*MHTOOL[1:], *args], env=env, encoding="utf-8", timeout=30, dimensions=(50, 120)
    )


@pytest.mark.slow
def test_first_run_at_the_default_location_offers_encryption(tmp_path: Path) -> None:
    env = child_env(tmp_path / "unused.db", XDG_DATA_HOME=str(tmp_path / "data"))
    del env["MHTOOL_DB"]  # a true first run: the default location
    default = tmp_path / "data" / "mhtool" / "mhtool.db"
    child = _spawn(["signaal", "nieuw", *SIGNAL_ARGS[2:], "--omschrijving", "eerste"], env)
    child.expect("Eerste gebruik: mhtool bewaart alle gegevens in één bestand")
    child.expect("versleutelen met een wachtwoord")
    child.send("\r")  # yes is the default
    child.expect("Kies een wachtwoord")
    child.sendline(TEST_PASSPHRASE)
    child.expect("nogmaals")
    child.sendline(TEST_PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "versleuteld. Bewaar het wachtwoord goed" in ANSI.sub("", child.before or "")
    assert is_encrypted_file(default)
    assert signals_in(default, TEST_PASSPHRASE) == 1


@pytest.mark.slow
def test_a_chosen_path_is_told_not_asked(tmp_path: Path) -> None:
    db = tmp_path / "zaken.db"
    child = _spawn(
        ["signaal", "nieuw", *SIGNAL_ARGS[2:], "--omschrijving", "eerste"], child_env(db)
    )
    child.expect(pexpect.EOF)
    child.close()
    shown = ANSI.sub("", child.before or "").replace("\r\n", " ")
    assert child.exitstatus == 0, shown
    assert "Versleuteld beginnen: stop met Ctrl-C en typ eerst 'mhtool init --versleuteld'" in shown
    assert "het bestand is niet versleuteld" in shown
    assert not is_encrypted_file(db)


@pytest.mark.slow
def test_init_encrypted_at_a_terminal_makes_the_encrypted_copy(tmp_path: Path) -> None:
    db = tmp_path / "mhtool.db"
    env = child_env(db)
    for text in ("een", "twee"):
        child = _spawn(["signaal", "nieuw", *SIGNAL_ARGS[2:], "--omschrijving", text], env)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0, child.before
    child = _spawn(["init", "--versleuteld"], env)
    child.expect("bestaat al en is niet versleuteld")
    child.expect("versleutelde kopie")
    child.send("j\r")
    child.expect("Bestand voor de versleutelde kopie")
    child.send("\r")  # the suggested name next to it
    child.expect("Kies een wachtwoord")
    child.sendline("kort")
    child.expect("te kort")  # asked again, not fatal
    child.expect("Kies een wachtwoord")
    child.sendline(TEST_PASSPHRASE)
    child.expect("nogmaals")
    child.sendline(TEST_PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    shown = ANSI.sub("", child.before or "").replace("\r\n", " ")
    assert child.exitstatus == 0, shown
    copy = tmp_path / "mhtool-versleuteld.db"
    assert "Versleutelde kopie gemaakt en gecontroleerd" in shown and "(2 signalen)" in shown
    assert is_encrypted_file(copy) and not is_encrypted_file(db)
    assert signals_in(copy, TEST_PASSPHRASE) == 2
    assert os.stat(copy).st_mode & 0o077 == 0


@pytest.mark.slow
def test_a_too_short_passphrase_at_init_is_asked_again(tmp_path: Path) -> None:
    db = tmp_path / "nieuw.db"
    child = _spawn(["init", "--versleuteld"], child_env(db))
    for short in ("kort", "negen tkn"):
        child.expect("Kies een wachtwoord")
        child.sendline(short)
        child.expect("te kort")
        assert not db.exists()
    child.expect("Kies een wachtwoord")
    child.sendline(TEST_PASSPHRASE)
    child.expect("nogmaals")
    child.sendline(TEST_PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert is_encrypted_file(db)
    assert signals_in(db, TEST_PASSPHRASE) == 0
