"""Encryption at rest: `init --versleuteld`, where the passphrase may come from, and that no
name ever reaches the disk in plaintext (database, WAL, backup)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest

from mhtool.store.connection import Store
from mhtool.store.open_store import open_store
from tests.conftest import Cli
from tests.disk_full import cap_database_growth
from tests.mhtool_process import (
    MHTOOL,
    SIGNAL_ARGS,
    TEST_PASSPHRASE,
    child_env,
    run_mhtool,
)

NAME = "Xylofoon Pietersz"
STREET = "Zonnebloemstraat"


def _log_signal(store: Store) -> None:
    from mhtool.domain.signal_input import build_address, build_person, build_signal
    from mhtool.services.signals import log_signal

    new = build_signal(
        received_on="01-11-2026",
        municipality="Dijk en Waard",
        reporter="P. Jansen",
        reporter_department="Publiekszaken",
        channel="mail",
        forms=["arbeid"],
        acute=False,
        description=f"{NAME} woont met tien anderen aan de {STREET}.",
        persons=[build_person(NAME, "slachtoffer", "1990")],
        addresses=[build_address(STREET, "12", "", "1703AB", "Heerhugowaard")],
    )
    log_signal(store, new, "tester")


def _given(passphrase: str) -> Callable[[Path, bool], str]:
    return lambda path, new: passphrase


def _contains_plaintext(path: Path) -> bool:
    data = path.read_bytes()
    return any(
        needle in data
        for needle in (NAME.encode(), STREET.encode(), NAME.encode("utf-16-le"), b"signal_person")
    )


@pytest.mark.parametrize("encrypted", [True, False], ids=["versleuteld", "controle-onversleuteld"])
def test_database_and_wal_hold_no_plaintext(tmp_path: Path, encrypted: bool) -> None:
    """The plain run is the control: it proves the search finds the name when it is there."""
    path = tmp_path / "geheim.db"
    store = open_store(path, encrypt=encrypted, passphrase=_given(TEST_PASSPHRASE))
    try:
        _log_signal(store)
        wal = Path(f"{path}-wal")
        assert wal.stat().st_size > 0
        assert _contains_plaintext(wal) is not encrypted
        backup = tmp_path / "kopie.db"
        from mhtool.store.backup import backup_to

        backup_to(store, backup)
        assert _contains_plaintext(backup) is not encrypted
    finally:
        store.close()
    assert _contains_plaintext(path) is not encrypted
    assert path.read_bytes().startswith(b"SQLite format 3") is not encrypted


@pytest.mark.slow
def test_encrypted_database_end_to_end(tmp_path: Path) -> None:
    db = tmp_path / "mhtool.db"
    env = child_env(db, TEST_PASSPHRASE)
    created = run_mhtool("init", "--versleuteld", env=env)
    assert created.returncode == 0, created.stderr
    assert "versleuteld" in created.stdout
    logged = run_mhtool(
        *SIGNAL_ARGS,
        "--omschrijving",
        f"{NAME} aan de {STREET}",
        "--persoon",
        f"naam={NAME}; rol=slachtoffer",
        "--json",
        env=env,
    )
    assert logged.returncode == 0, logged.stderr
    ref = json.loads(logged.stdout)["id"]
    shown = run_mhtool("signaal", "toon", ref, "--json", env=env)
    assert shown.returncode == 0 and NAME in shown.stdout
    info = json.loads(run_mhtool("info", "--json", env=env).stdout)
    assert info["versleuteld"] is True and info["signalen"] == 1
    assert info["bestandsrechten"] == "0600"
    assert not _contains_plaintext(db)


@pytest.mark.slow
def test_wrong_passphrase_is_one_dutch_line_without_library_noise(tmp_path: Path) -> None:
    db = tmp_path / "mhtool.db"
    assert run_mhtool("init", "--versleuteld", env=child_env(db, TEST_PASSPHRASE)).returncode == 0
    before = db.read_bytes()
    wrong = run_mhtool("signaal", "lijst", env=child_env(db, "dit is het verkeerde wachtwoord"))
    assert wrong.returncode == 4
    assert wrong.stdout == ""
    lines = wrong.stderr.splitlines()
    assert len(lines) == 1, wrong.stderr
    assert lines[0].startswith("Fout: Het wachtwoord voor ") and "is onjuist" in lines[0]
    assert "ERROR" not in wrong.stderr and "hmac" not in wrong.stderr.lower()
    assert db.read_bytes() == before


@pytest.mark.slow
def test_no_terminal_and_no_key_is_an_error_not_a_hang(tmp_path: Path) -> None:
    db = tmp_path / "mhtool.db"
    assert run_mhtool("init", "--versleuteld", env=child_env(db, TEST_PASSPHRASE)).returncode == 0
    opened = run_mhtool("signaal", "lijst", env=child_env(db), timeout=30)
    assert opened.returncode == 4
    assert "is versleuteld en er is geen terminal" in opened.stderr
    assert "MHTOOL_WACHTWOORD" in opened.stderr
    created = run_mhtool("init", "--versleuteld", env=child_env(tmp_path / "nieuw.db"))
    assert created.returncode == 4
    assert "geen terminal" in created.stderr
    assert not (tmp_path / "nieuw.db").exists()


def _spawn(args: list[str], env: dict[str, str]) -> pexpect.spawn:
    return pexpect.spawn(MHTOOL[0], [*MHTOOL[1:], *args], env=env, encoding="utf-8", timeout=30)


@pytest.mark.slow
def test_hidden_prompt_asks_twice_at_init_and_once_to_open(tmp_path: Path) -> None:
    db = tmp_path / "mhtool.db"
    env = child_env(db)
    child = _spawn(["init", "--versleuteld"], env)
    child.expect("Kies een wachtwoord")
    child.sendline(TEST_PASSPHRASE)
    child.expect("nogmaals")
    child.sendline(TEST_PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert TEST_PASSPHRASE not in (child.before or "")

    child = _spawn(["signaal", "lijst", "--json"], env)
    child.expect("Wachtwoord voor mhtool.db")
    child.sendline(TEST_PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert TEST_PASSPHRASE not in (child.before or "")
    assert "[]" in (child.before or "")


@pytest.mark.slow
def test_passphrases_that_differ_create_nothing(tmp_path: Path) -> None:
    db = tmp_path / "mhtool.db"
    child = _spawn(["init", "--versleuteld"], child_env(db))
    child.expect("Kies een wachtwoord")
    child.sendline(TEST_PASSPHRASE)
    child.expect("nogmaals")
    child.sendline(TEST_PASSPHRASE + "x")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "niet gelijk" in (child.before or "")
    assert not db.exists()


@pytest.mark.slow
def test_short_passphrase_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "mhtool.db"
    result = run_mhtool("init", "--versleuteld", env=child_env(db, "kort"))
    assert result.returncode == 2
    assert "te kort" in result.stderr
    assert not db.exists()


def test_no_command_takes_a_passphrase_argument() -> None:
    """Arguments are visible in the process list, so no option may carry a passphrase."""
    from typing import Any

    import typer

    from mhtool.cli.app import app

    def walk(command: Any) -> list[str]:
        names = [n for p in command.params for n in getattr(p, "opts", [])]
        if hasattr(command, "commands"):  # a group (typer may bundle its own click)
            for sub in command.commands.values():
                names += walk(sub)
        return names

    options = walk(typer.main.get_command(app))
    assert "--versleuteld" in options
    assert not [o for o in options if any(w in o for w in ("wachtwoord", "sleutel=", "key"))]


def test_init_refuses_an_existing_file(cli: Cli, db_path: Path) -> None:
    db_path.write_text("iets\n")
    result = cli("init")
    assert result.exit_code == 2
    assert "bestaat al" in result.stderr
    assert db_path.read_text() == "iets\n"


@pytest.mark.slow
def test_plain_init_and_plain_use_never_load_sqlcipher(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from mhtool.cli.app import main\n"
        "for argv in (['init'], ['signaal', 'lijst']):\n"
        "    sys.argv = ['mhtool', *argv]\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as e:\n"
        "        assert e.code in (0, None), e.code\n"
        "print('sqlcipher3' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=child_env(tmp_path / "gewoon.db"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"


class MemoryKeyring:
    """An OS keyring stand-in with the real `keyring` backend interface."""

    @staticmethod
    def make() -> object:
        from keyring.backend import KeyringBackend

        class Backend(KeyringBackend):
            priority = 1

            def __init__(self) -> None:
                super().__init__()  # type: ignore[no-untyped-call]
                self.items: dict[tuple[str, str], str] = {}

            def get_password(self, service: str, username: str) -> str | None:
                return self.items.get((service, username))

            def set_password(self, service: str, username: str, password: str) -> None:
                self.items[(service, username)] = password

            def delete_password(self, service: str, username: str) -> None:
                self.items.pop((service, username), None)

        return Backend()


def test_keyring_keeps_the_passphrase(
    cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring = pytest.importorskip("keyring")
    previous = keyring.get_keyring()
    backend = MemoryKeyring.make()
    keyring.set_keyring(backend)
    try:
        monkeypatch.setenv("MHTOOL_WACHTWOORD", TEST_PASSPHRASE)
        created = cli("init", "--versleuteld", "--sleutelbos")
        assert created.exit_code == 0, created.output
        assert "sleutelbos" in created.stdout
        assert keyring.get_password("mhtool", str(db_path.resolve())) == TEST_PASSPHRASE
        monkeypatch.delenv("MHTOOL_WACHTWOORD")
        listed = cli("signaal", "lijst", "--json")
        assert listed.exit_code == 0, listed.output
        monkeypatch.setenv("MHTOOL_SLEUTELBOS", "uit")
        refused = cli("signaal", "lijst")
        assert refused.exit_code == 4 and "geen terminal" in refused.stderr
    finally:
        keyring.set_keyring(previous)


def test_keyring_option_without_a_keyring_creates_nothing(
    cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring = pytest.importorskip("keyring")
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        monkeypatch.setenv("MHTOOL_WACHTWOORD", TEST_PASSPHRASE)
        result = cli("init", "--versleuteld", "--sleutelbos")
    finally:
        keyring.set_keyring(previous)
    assert result.exit_code == 1
    assert "geen sleutelbos" in result.stderr
    assert not db_path.exists()


def test_disk_full_on_an_encrypted_database_is_translated(
    cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sqlcipher3 raises its own exception classes; they must get the same Dutch sentences."""
    monkeypatch.setenv("MHTOOL_WACHTWOORD", TEST_PASSPHRASE)
    assert cli("init", "--versleuteld").exit_code == 0
    cap_database_growth(monkeypatch)
    result = cli(*SIGNAL_ARGS, "--omschrijving", "x" * 9000)
    assert result.exit_code == 4, result
    assert "vol" in result.stderr
    assert "sqlcipher" not in result.output.lower()


@pytest.mark.slow
def test_environment_passphrase_is_not_stored_anywhere(tmp_path: Path) -> None:
    db = tmp_path / "mhtool.db"
    env = child_env(db, TEST_PASSPHRASE)
    assert run_mhtool("init", "--versleuteld", env=env).returncode == 0
    assert run_mhtool(*SIGNAL_ARGS, "--omschrijving", "x", env=env).returncode == 0
    for file in tmp_path.iterdir():
        data = file.read_bytes()
        assert TEST_PASSPHRASE.encode() not in data
        assert TEST_PASSPHRASE.encode().hex().encode() not in data
    assert os.stat(db).st_mode & 0o777 == 0o600
