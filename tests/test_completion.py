"""Tab completion for bash, zsh, fish and PowerShell: commands, options, signal numbers from the
file (read-only, no passphrase, no new file), gemeenten, vormen and partners."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.mhtool_process import TEST_PASSPHRASE


def bash(cli: Cli, monkeypatch: pytest.MonkeyPatch, line: str) -> list[str]:
    """What mhtool answers bash for the command line `line` (the cursor at its end)."""
    words = line.split(" ")
    monkeypatch.setenv("_MHTOOL_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", line)
    monkeypatch.setenv("COMP_CWORD", str(len(words) - 1))
    result = cli()
    monkeypatch.delenv("_MHTOOL_COMPLETE")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return [value for value in result.stdout.split("\n") if value]


def test_commands_subcommands_and_options(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "signaal" in bash(cli, monkeypatch, "mhtool sig")
    assert {"nieuw", "toon", "lijst", "stap"} <= set(bash(cli, monkeypatch, "mhtool signaal "))
    assert bash(cli, monkeypatch, "mhtool signaal nieuw --gem") == ["--gemeente"]
    assert "--db" in bash(cli, monkeypatch, "mhtool --")


def test_values_for_gemeente_vorm_partner_and_more(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert bash(cli, monkeypatch, "mhtool signaal nieuw --gemeente Dijk") == ["Dijk\\ en\\ Waard"]
    assert bash(cli, monkeypatch, "mhtool signaal nieuw --gemeente waard") == ["Dijk\\ en\\ Waard"]
    assert bash(cli, monkeypatch, "mhtool signaal nieuw --vorm ") == [
        "seksueel",
        "arbeid",
        "crimineel",
        "orgaanverwijdering",
        "onbekend",
    ]
    assert bash(cli, monkeypatch, "mhtool signaal lijst --vorm ar") == ["arbeid"]
    partners = bash(cli, monkeypatch, "mhtool signaal stap MH-2026-0001 --partner ")
    assert {"oe-wijk", "zorgcoordinator", "riec", "querido"} <= set(partners)
    assert bash(cli, monkeypatch, "mhtool signaal nieuw --kanaal tel") == ["telefoon"]
    assert bash(cli, monkeypatch, "mhtool gemeenten --regio ") == ["driehoek", "nhn"]


def test_signal_numbers_come_from_the_file_newest_first(
    cli: Cli, new_signal: Callable[..., str], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        new_signal()
    new_signal(datum="01-02-2025")
    before = sorted(p.name for p in db_path.parent.iterdir())
    newest_first = ["MH-2026-0003", "MH-2026-0002", "MH-2026-0001", "MH-2025-0001"]
    assert bash(cli, monkeypatch, "mhtool signaal toon ") == newest_first
    assert bash(cli, monkeypatch, "mhtool signaal toon 2026-") == newest_first[:3]
    assert bash(cli, monkeypatch, "mhtool signaal stap mh-2025") == ["MH-2025-0001"]
    assert bash(cli, monkeypatch, "mhtool zoek --signaal MH-2026-0002") == ["MH-2026-0002"]
    assert bash(cli, monkeypatch, "mhtool signaal toon MH-2024") == []
    assert sorted(p.name for p in db_path.parent.iterdir()) == before  # no -wal/-shm left


def test_db_option_on_the_line_is_the_file_completed_from(
    cli: Cli, new_signal: Callable[..., str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_signal()
    other = tmp_path / "ander.db"
    assert bash(cli, monkeypatch, f"mhtool --db {other} signaal toon ") == []
    assert not other.exists()  # completion never creates a database


def test_an_encrypted_or_missing_file_completes_nothing_and_asks_nothing(
    cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert bash(cli, monkeypatch, "mhtool signaal toon ") == []
    assert not db_path.exists()
    monkeypatch.setenv("MHTOOL_WACHTWOORD", TEST_PASSPHRASE)
    assert cli("init", "--versleuteld").exit_code == 0
    monkeypatch.delenv("MHTOOL_WACHTWOORD")
    assert bash(cli, monkeypatch, "mhtool signaal toon ") == []


def test_zsh_fish_and_powershell_get_the_same_values(
    cli: Cli, new_signal: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    new_signal()
    monkeypatch.setenv("_MHTOOL_COMPLETE", "complete_zsh")
    monkeypatch.setenv("_TYPER_COMPLETE_ARGS", "mhtool signaal nieuw --gemeente Dijk")
    assert '"Dijk en Waard"' in cli().stdout
    monkeypatch.setenv("_MHTOOL_COMPLETE", "complete_fish")
    monkeypatch.setenv("_TYPER_COMPLETE_FISH_ACTION", "get-args")
    monkeypatch.setenv("_TYPER_COMPLETE_ARGS", "mhtool signaal toon ")
    assert cli().stdout.split() == ["MH-2026-0001"]
    monkeypatch.setenv("_MHTOOL_COMPLETE", "complete_powershell")
    monkeypatch.setenv("_TYPER_COMPLETE_ARGS", "mhtool signaal stap MH-2026-0001 --partner q")
    monkeypatch.setenv("_TYPER_COMPLETE_WORD_TO_COMPLETE", "q")
    assert cli().stdout.startswith("querido:::")


@pytest.mark.parametrize("instruction", ["source_bash", "bash_source"])
def test_both_instruction_orders_give_the_script(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, instruction: str
) -> None:
    monkeypatch.setenv("_MHTOOL_COMPLETE", instruction)
    result = cli()
    assert result.exit_code == 0
    assert "complete -o default -F _mhtool_completion mhtool" in result.stdout


def test_an_unknown_instruction_is_a_dutch_error(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_MHTOOL_COMPLETE", "bash_iets")
    result = cli()
    assert result.exit_code == 2
    assert result.stderr.startswith("Fout: onbekende opdracht in _MHTOOL_COMPLETE")


@pytest.mark.parametrize(
    "shell, marker",
    [
        ("bash", "complete -o default -F _mhtool_completion mhtool"),
        ("zsh", "compdef _mhtool_completion mhtool"),
        ("fish", "complete --command mhtool"),
        ("powershell", "Register-ArgumentCompleter -Native -CommandName mhtool"),
    ],
)
def test_aanvulling_prints_the_script_for_each_shell(cli: Cli, shell: str, marker: str) -> None:
    result = cli("aanvulling", shell)
    assert result.exit_code == 0, result.output
    assert marker in result.stdout


def test_aanvulling_detects_the_shell_and_refuses_an_unknown_one(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHELL", "/usr/bin/zsh")
    assert "compdef _mhtool_completion mhtool" in cli("aanvulling").stdout
    wrong = cli("aanvulling", "tcsh")
    assert wrong.exit_code == 2
    assert wrong.stderr == "Fout: Onbekende shell 'tcsh'; kies bash, zsh, fish of powershell.\n"


def test_aanvulling_installeer_writes_the_shell_start_files(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    result = cli("aanvulling", "bash", "--installeer")
    assert result.exit_code == 0, result.output
    script = tmp_path / ".bash_completions" / "mhtool.sh"
    assert "_mhtool_completion" in script.read_text(encoding="utf-8")
    assert f"source '{script}'" in (tmp_path / ".bashrc").read_text(encoding="utf-8")
    assert "open een nieuwe terminal" in result.stdout


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_real_bash_completes_through_the_installed_script(
    cli: Cli, new_signal: Callable[..., str], db_path: Path
) -> None:
    """bash itself sources the script and calls the completion function, which runs mhtool."""
    new_signal()
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "mhtool").exists()
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env["MHTOOL_DB"] = str(db_path)
    probe = (
        "source <(mhtool aanvulling bash); "
        'COMP_WORDS=(mhtool signaal toon ""); COMP_CWORD=3; _mhtool_completion mhtool; '
        'printf "%s\\n" "${COMPREPLY[@]}"; '
        "COMP_WORDS=(mhtool signaal nieuw --gemeente Dijk); COMP_CWORD=4; "
        '_mhtool_completion mhtool; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(
        ["bash", "--norc", "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["MH-2026-0001", "Dijk\\ en\\ Waard"]


@pytest.mark.slow
def test_help_does_not_load_completion(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from mhtool.cli.app import main\n"
        "sys.argv = ['mhtool', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('mhtool.cli.completion')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
