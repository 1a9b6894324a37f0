"""Encrypted files: after the passphrase was given once, later commands in the same login
session open the file with the remembered key; `mhtool vergrendel` forgets it at once.

The test run has a session keyring of its own (tests/conftest.py), so nothing here touches the
real user's session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mhtool import session_keys
from tests.conftest import Cli
from tests.mhtool_process import TEST_PASSPHRASE

pytestmark = pytest.mark.skipif(
    not session_keys._calls(), reason="remembering keys needs the Linux kernel keyring"
)


@pytest.fixture
def remembering(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MHTOOL_ONTGRENDELD_MINUTEN", "15")
    monkeypatch.setenv("MHTOOL_SLEUTELBOS", "uit")


def _encrypted(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MHTOOL_WACHTWOORD", TEST_PASSPHRASE)
    assert cli("init", "--versleuteld").exit_code == 0
    made = cli(
        "signaal", "nieuw", "--gemeente", "Texel", "--melder", "x", "--kanaal", "mail",
        "--omschrijving", "Fictief.", "--vorm", "arbeid", "--json",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    return str(json.loads(made.stdout)["id"])


def test_the_passphrase_is_needed_once_until_vergrendel(
    remembering: None, cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = _encrypted(cli, monkeypatch)
    assert cli("signaal", "lijst").exit_code == 0  # opened with the passphrase: remembered
    monkeypatch.delenv("MHTOOL_WACHTWOORD")
    shown = cli("signaal", "toon", ref, "--json")
    assert shown.exit_code == 0, shown.output  # no passphrase, no terminal: the session key
    assert json.loads(shown.stdout)["id"] == ref

    locked = cli("vergrendel")
    assert locked.exit_code == 0
    assert "Vergrendeld" in locked.stdout and "vergeten" in locked.stdout
    refused = cli("signaal", "lijst")
    assert refused.exit_code != 0
    assert "geen terminal om het wachtwoord te vragen" in refused.stderr
    again = cli("vergrendel")
    assert again.exit_code == 0 and "niets te vergrendelen" in again.stdout


def test_the_key_is_not_on_disk_and_a_wrong_passphrase_is_still_refused(
    remembering: None, cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _encrypted(cli, monkeypatch)
    assert cli("signaal", "lijst").exit_code == 0
    remembered = session_keys.recall(db_path)
    assert remembered is not None and remembered.startswith("raw:")
    raw = remembered.removeprefix("raw:")[:64]
    for file in db_path.parent.iterdir():
        if file.is_file():
            data = file.read_bytes()
            assert raw.encode() not in data and bytes.fromhex(raw) not in data, file.name

    session_keys.forget(db_path)
    monkeypatch.setenv("MHTOOL_WACHTWOORD", "een heel ander wachtwoord")
    wrong = cli("signaal", "lijst")
    assert wrong.exit_code != 0 and "onjuist" in wrong.stderr
    assert session_keys.recall(db_path) is None  # a failed open remembers nothing


def test_a_key_that_no_longer_fits_is_forgotten_and_the_passphrase_used(
    remembering: None, cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _encrypted(cli, monkeypatch)
    session_keys.remember(db_path, "raw:" + "ab" * 48)  # e.g. the file was replaced
    assert cli("signaal", "lijst").exit_code == 0
    assert session_keys.recall(db_path) != "raw:" + "ab" * 48


def test_a_backup_made_with_the_remembered_key_opens_with_the_passphrase(
    remembering: None, cli: Cli, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = _encrypted(cli, monkeypatch)
    assert cli("signaal", "lijst").exit_code == 0
    monkeypatch.delenv("MHTOOL_WACHTWOORD")
    copy = tmp_path / "kopie.db"
    made = cli("backup", str(copy))
    assert made.exit_code == 0, made.output
    monkeypatch.setenv("MHTOOL_ONTGRENDELD_MINUTEN", "0")  # the copy: only the passphrase
    monkeypatch.setenv("MHTOOL_WACHTWOORD", TEST_PASSPHRASE)
    shown = cli("--db", str(copy), "signaal", "toon", ref, "--json")
    assert shown.exit_code == 0, shown.output


def test_switched_off_nothing_is_remembered(
    cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _encrypted(cli, monkeypatch)  # conftest sets MHTOOL_ONTGRENDELD_MINUTEN=0
    assert cli("signaal", "lijst").exit_code == 0
    assert session_keys.recall(db_path) is None
    monkeypatch.setenv("MHTOOL_ONTGRENDELD_MINUTEN", "15")
    assert session_keys.recall(db_path) is None
