"""Passwords for a server (issue 14, point 4): never on the command line; `mhtool server
wachtwoord` keeps one in the OS keyring (a stand-in here, tests/keyring_stand_in.py) and
`server_password` hands it to the connect code, never failing."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from mhtool.cli import server_commands
from mhtool.domain.server_address import parse_server_address
from mhtool.server_passwords import KEYRING_SERVICE, password_key, server_password
from tests.conftest import Cli
from tests.keyring_stand_in import FILE_ENV, FileKeyring
from tests.mhtool_process import MHTOOL, child_env

keyring = pytest.importorskip("keyring")

SECRET = "Zeer-geheim wachtwoord 42"
REMOTE = "postgresql://ik@db.gemeente.nl:6432/mhtool?sslmode=verify-full"


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[FileKeyring]:
    """An empty keyring of this test's own, and a known login name and libpq environment."""
    previous = keyring.get_keyring()
    backend = FileKeyring()
    keyring.set_keyring(backend)
    for name in ("MHTOOL_SLEUTELBOS", "MHTOOL_SERVER_ZONDER_TLS", "PGUSER", "PGPORT", FILE_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LOGNAME", "ambtenaar")
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


class Typed:
    """What the user types at the hidden prompts, in order, and the prompts that were shown."""

    def __init__(self) -> None:
        self.answers: list[str] = []
        self.asked: list[str] = []

    def extend(self, answers: list[str] | tuple[str, ...]) -> None:
        self.answers.extend(answers)

    def prompt(self, message: str) -> str:
        self.asked.append(message)
        return self.answers.pop(0)


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> Typed:
    typing = Typed()
    monkeypatch.setattr(server_commands, "_has_terminal", lambda: True)
    monkeypatch.setattr(server_commands, "_prompt", typing.prompt)
    return typing


def test_the_password_is_asked_twice_and_kept_under_user_host_port_database(
    cli: Cli, stand_in: FileKeyring, typed: Typed
) -> None:
    typed.extend([SECRET, SECRET])
    result = cli("server", "wachtwoord", REMOTE)
    assert result.exit_code == 0, result.output
    assert stand_in.entries() == {(KEYRING_SERVICE, "ik@db.gemeente.nl:6432/mhtool"): SECRET}
    assert "postgresql://ik@db.gemeente.nl:6432/mhtool" in result.stdout
    assert "bewaard in de sleutelbos" in result.stdout
    assert SECRET not in result.output
    assert "sslmode" not in result.output
    assert len(typed.asked) == 2
    # Every spelling of the same address finds it: scheme, case of the parameters, extras.
    for spelling in (
        REMOTE,
        "POSTGRES://ik@db.gemeente.nl:6432/mhtool?SSLMODE=verify-full&application_name=x",
        "postgresql://ik@db.gemeente.nl:6432/mhtool?sslrootcert=/etc/ca.pem&sslmode=verify-full",
    ):
        found = parse_server_address(spelling, lab_override=False)
        assert server_password(found) == SECRET
    other = parse_server_address(REMOTE.replace("6432", "5432"), lab_override=False)
    assert server_password(other) is None


def test_the_server_comes_from_db_or_mhtool_db_when_not_given(
    cli: Cli, stand_in: FileKeyring, typed: Typed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MHTOOL_DB", "postgresql:///team")
    typed.extend(["een", "een", "twee", "twee"])
    assert cli("server", "wachtwoord").exit_code == 0
    flag = cli("--db", "postgres://localhost/regio", "server", "wachtwoord")
    assert flag.exit_code == 0, flag.output
    assert stand_in.entries() == {
        (KEYRING_SERVICE, "ambtenaar@localhost:5432/team"): "een",
        (KEYRING_SERVICE, "ambtenaar@localhost:5432/regio"): "twee",
    }


def test_the_key_fills_in_what_libpq_would_use(
    stand_in: FileKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = parse_server_address("postgresql:///mhtool", lab_override=False)
    assert password_key(plain) == "ambtenaar@localhost:5432/mhtool"
    monkeypatch.setenv("PGUSER", "pg-gebruiker")
    monkeypatch.setenv("PGPORT", "6000")
    assert password_key(plain) == "pg-gebruiker@localhost:6000/mhtool"
    socket = parse_server_address("postgresql://ik@%2Ftmp:7000/mhtool", lab_override=False)
    assert password_key(socket) == "ik@/tmp:7000/mhtool"
    ipv6 = parse_server_address("postgresql://[::1]/mhtool", lab_override=False)
    assert password_key(ipv6) == "pg-gebruiker@::1:6000/mhtool"


@pytest.mark.parametrize(
    ("answers", "words"),
    [((SECRET, SECRET + "x"), "niet gelijk"), (("",), "leeg")],
)
def test_two_different_or_an_empty_password_keep_nothing(
    cli: Cli, stand_in: FileKeyring, typed: Typed, answers: tuple[str, ...], words: str
) -> None:
    typed.extend(answers)
    result = cli("server", "wachtwoord", REMOTE)
    assert result.exit_code == 2
    assert words in result.stderr and "niets bewaard" in result.stderr
    assert SECRET not in result.output
    assert stand_in.entries() == {}


def test_vergeet_removes_the_password_and_says_when_there_was_none(
    cli: Cli, stand_in: FileKeyring, typed: Typed
) -> None:
    typed.extend([SECRET, SECRET])
    assert cli("server", "wachtwoord", REMOTE).exit_code == 0
    keep = "postgresql:///ander"
    typed.extend(["b", "b"])
    assert cli("server", "wachtwoord", keep).exit_code == 0
    forgotten = cli("server", "wachtwoord", "--vergeet", REMOTE)
    assert forgotten.exit_code == 0, forgotten.output
    assert "verwijderd" in forgotten.stdout
    assert stand_in.entries() == {(KEYRING_SERVICE, "ambtenaar@localhost:5432/ander"): "b"}
    again = cli("server", "wachtwoord", REMOTE, "--vergeet")
    assert again.exit_code == 0
    assert "geen wachtwoord bewaard" in again.stdout
    assert len(typed.asked) == 4


def test_without_a_terminal_nothing_is_asked_or_kept(cli: Cli, stand_in: FileKeyring) -> None:
    result = cli("server", "wachtwoord", REMOTE, input=SECRET + "\n" + SECRET + "\n")
    assert result.exit_code == 1
    assert "geen terminal" in result.stderr and ".pgpass" in result.stderr
    assert stand_in.entries() == {}


@pytest.mark.parametrize(
    "given",
    [
        f"postgresql://ik:{SECRET.replace(' ', '%20')}@db.gemeente.nl/mhtool?sslmode=verify-full",
        f"postgresql://localhost/mhtool?password={SECRET.replace(' ', '%20')}",
    ],
)
def test_an_address_with_a_password_is_refused_before_any_prompt(
    cli: Cli, stand_in: FileKeyring, typed: Typed, given: str
) -> None:
    result = cli("server", "wachtwoord", given)
    assert result.exit_code == 2
    assert "wachtwoord" in result.stderr and ".pgpass" in result.stderr
    assert "Zeer-geheim" not in result.output
    assert typed.asked == []
    assert stand_in.entries() == {}


def test_a_server_elsewhere_without_verify_full_gets_no_password(
    cli: Cli, stand_in: FileKeyring, typed: Typed, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = "postgresql://ik@db.gemeente.nl/mhtool?sslmode=require"
    refused = cli("server", "wachtwoord", plain)
    assert refused.exit_code == 2 and "sslmode=verify-full" in refused.stderr
    assert typed.asked == []
    monkeypatch.setenv("MHTOOL_SERVER_ZONDER_TLS", "ja-testomgeving")
    typed.extend(["lab", "lab"])
    lab = cli("server", "wachtwoord", plain)
    assert lab.exit_code == 0, lab.output
    assert stand_in.entries() == {(KEYRING_SERVICE, "ik@db.gemeente.nl:5432/mhtool"): "lab"}


def test_a_file_is_not_a_server(cli: Cli, stand_in: FileKeyring, db_path: Path) -> None:
    result = cli("server", "wachtwoord")
    assert result.exit_code == 2
    assert "alleen bij een server" in result.stderr
    assert not db_path.exists()


def test_no_keyring_is_a_sentence_for_the_command_and_none_for_the_lookup(
    cli: Cli, stand_in: FileKeyring, typed: Typed, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keyring.backends import fail

    stand_in.set_password(KEYRING_SERVICE, "ik@db.gemeente.nl:6432/mhtool", SECRET)
    found = parse_server_address(REMOTE, lab_override=False)
    assert server_password(found) == SECRET

    monkeypatch.setenv("MHTOOL_SLEUTELBOS", "uit")
    assert server_password(found) is None
    off = cli("server", "wachtwoord", REMOTE)
    assert off.exit_code == 1 and "uitgeschakeld" in off.stderr
    monkeypatch.delenv("MHTOOL_SLEUTELBOS")

    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    assert server_password(found) is None
    missing = cli("server", "wachtwoord", REMOTE)
    assert missing.exit_code == 1 and "geen sleutelbos" in missing.stderr
    assert typed.asked == []

    class Broken(FileKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise RuntimeError("locked")

    keyring.set_keyring(Broken())
    assert server_password(found) is None

    monkeypatch.setitem(sys.modules, "keyring", None)  # the optional package is not installed
    assert server_password(found) is None
    absent = cli("server", "wachtwoord", REMOTE)
    assert absent.exit_code == 1 and "mhtool[sleutelbos]" in absent.stderr


@pytest.mark.slow
def test_the_real_prompt_is_hidden_and_asked_twice(tmp_path: Path) -> None:
    """The installed mhtool at a terminal, with a keyring backend that keeps its entries in a
    file of this test (PYTHON_KEYRING_BACKEND)."""
    store = tmp_path / "sleutelbos.json"
    root = str(Path(__file__).resolve().parents[1])
    env = child_env(
        tmp_path / "niet-gebruikt.db",
        MHTOOL_SLEUTELBOS="aan",
        PYTHON_KEYRING_BACKEND="tests.keyring_stand_in.FileKeyring",
        PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        LOGNAME="ambtenaar",
        **{FILE_ENV: str(store)},
    )
    child = pexpect.spawn(
        MHTOOL[0],
        [*MHTOOL[1:], "--db", REMOTE, "server", "wachtwoord"],
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    child.expect("Wachtwoord van ik voor postgresql://ik@db.gemeente.nl:6432/mhtool")
    child.sendline(SECRET)
    child.expect("nogmaals")
    child.sendline(SECRET)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert SECRET not in (child.before or "")
    assert json.loads(store.read_text(encoding="utf-8")) == {
        f"{KEYRING_SERVICE}\nik@db.gemeente.nl:6432/mhtool": SECRET
    }
