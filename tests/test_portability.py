"""POSIX-only calls stay behind checks, so Windows gets no false warnings and no failures.

These run on Linux with the Windows branch selected (`POSIX = False`), and with a file system
that cannot open directories, as Windows cannot; docs/windows.md says what is tested there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from mhtool import portability
from mhtool.store import open_store
from tests.conftest import Cli


def windows_file_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (
        "mhtool.portability",
        "mhtool.store.open_store",
        "mhtool.services.database_info",
    ):
        monkeypatch.setattr(f"{module}.POSIX", False)


def test_a_wide_mode_is_tightened_and_told_on_posix(
    cli: Cli, new_signal: Callable[..., str], db_path: Path
) -> None:
    new_signal()
    os.chmod(db_path, 0o644)
    shown = cli("info")
    assert "was ook voor anderen toegankelijk (0644)" in shown.stderr
    assert os.stat(db_path).st_mode & 0o777 == 0o600


def test_windows_has_no_file_modes_to_warn_about(
    cli: Cli, new_signal: Callable[..., str], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_signal()
    os.chmod(db_path, 0o666)  # what st_mode always reads on Windows
    windows_file_modes(monkeypatch)
    shown = cli("info")
    assert shown.exit_code == 0, shown.output
    assert "toegankelijk" not in shown.output
    assert "rechten van de map" in shown.stdout
    assert os.stat(db_path).st_mode & 0o777 == 0o666  # not touched
    as_json = json.loads(cli("info", "--json").stdout)
    assert as_json["bestandsrechten"] is None
    assert open_store._owner_only(db_path) is None


def test_no_umask_is_set_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def umask(mask: int) -> int:
        calls.append(mask)
        return 0

    monkeypatch.setattr(os, "umask", umask)
    windows_file_modes(monkeypatch)
    portability.restrict_new_files()
    assert calls == []
    monkeypatch.setattr(portability, "POSIX", True)
    portability.restrict_new_files()
    assert calls == [0o077]


@pytest.mark.parametrize("posix", [True, False], ids=["posix", "windows"])
def test_an_export_succeeds_where_directories_cannot_be_opened(
    cli: Cli,
    new_signal: Callable[..., str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    posix: bool,
) -> None:
    new_signal("--persoon", "naam=Testpersoon Alfa; rol=slachtoffer")
    real_open = os.open

    def no_directories(path: object, flags: int, *args: int, **kwargs: int) -> int:
        if os.path.isdir(str(path)):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", no_directories)
    monkeypatch.setattr(portability, "POSIX", posix)
    target = tmp_path / "inzage.json"
    result = cli("persoon", "inzage", "1", "--uitvoer", str(target))
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text(encoding="utf-8"))["persoon"]["naam"] == "Testpersoon Alfa"


@pytest.mark.parametrize(
    "env",
    [
        {"XDG_DATA_HOME": "/srv/gegevens", "HOME": "/home/ambtenaar"},
        {"XDG_DATA_HOME": "/srv/gegevens/", "HOME": "/home/ambtenaar"},
        {"XDG_DATA_HOME": None, "HOME": "/home/ambtenaar"},
        {"XDG_DATA_HOME": "", "HOME": "/home/ambtenaar/"},
        {"XDG_DATA_HOME": None, "HOME": "/"},
        {"XDG_DATA_HOME": "relatief/pad", "HOME": "/home/ambtenaar"},
        {"XDG_DATA_HOME": None, "HOME": "relatief"},
        {"XDG_DATA_HOME": None, "HOME": None},
    ],
)
def test_user_data_folder_is_what_platformdirs_says(
    env: dict[str, str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shortcut that spares every command the platformdirs import gives the very folder
    platformdirs gives (the default database and the crash sweep's registry live there)."""
    import platformdirs

    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert portability.user_data_folder() == platformdirs.user_data_path("mhtool", appauthor=False)
