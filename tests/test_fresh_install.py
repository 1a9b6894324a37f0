"""README's two commands, verbatim, on a fresh machine: a copy of the repository, an empty HOME,
Debian's /usr/bin/python3 where it exists (it refuses system-wide pip, PEP 668), and a PATH with
nothing of this test run's virtual environment on it.

The installs fetch packages from the package index, as a new user's would; the pip cache lives
in the empty HOME, so nothing from this machine's earlier installs helps.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.name == "nt" or shutil.which("bash") is None, reason="POSIX shell"),
]

ROOT = Path(__file__).resolve().parents[1]
DEBIAN_PYTHON = Path("/usr/bin/python3")


def readme_commands() -> tuple[str, str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    return blocks[0].strip(), blocks[1].strip()


def fresh_copy(tmp_path: Path) -> Path:
    """The files a clone has (tracked, plus new files not yet committed), nothing else."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    copy = tmp_path / "mhtool"
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    return copy


def clean_env(home: Path) -> dict[str, str]:
    """A login's environment on a fresh machine: python3 is the system's, HOME is empty."""
    if DEBIAN_PYTHON.exists():
        path = f"{DEBIAN_PYTHON.parent}{os.pathsep}/bin"
    else:  # no Debian Python here: the python3 on PATH outside any virtual environment
        outside = [
            p
            for p in os.environ["PATH"].split(os.pathsep)
            if not Path(p, "activate").exists() and Path(p).resolve() != Path(sys.executable).parent
        ]
        path = os.pathsep.join([*outside, "/usr/bin", "/bin"])
    home.mkdir()
    env = {"HOME": str(home), "PATH": path, "LANG": "C.UTF-8", "TERM": "xterm"}
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CERT"):
        if name in os.environ:  # where the package index is, on this network
            env[name] = os.environ[name]
    return env


def test_readme_commands_work_on_a_fresh_machine(tmp_path: Path) -> None:
    install_and_start, install_and_test = readme_commands()
    repo = fresh_copy(tmp_path)
    env = clean_env(tmp_path / "home")
    python3 = shutil.which("python3", path=env["PATH"])
    assert python3 is not None
    if DEBIAN_PYTHON.exists():  # the point of the test: a Python that refuses system-wide pip
        refused = subprocess.run(
            ["bash", "-c", "python3 -m pip install --dry-run ."],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if "externally-managed-environment" not in refused.stderr:
            pytest.fail(f"{DEBIAN_PYTHON} was expected to refuse pip: {refused.stderr}")

    # 1. Install and start the form, in a terminal, as a user types it; Ctrl-C leaves it.
    child = pexpect.spawn(
        "bash",
        ["-c", install_and_start],
        cwd=str(repo),
        env={**env, "PROMPT_TOOLKIT_NO_CPR": "1"},
        encoding="utf-8",
        timeout=600,
        dimensions=(40, 120),
    )
    child.expect("mhtool is geïnstalleerd")
    # A true first run: where the data go, and the offer to encrypt them.
    child.expect("Eerste gebruik: mhtool bewaart alle gegevens in één bestand", timeout=60)
    child.expect("versleutelen met een wachtwoord")
    child.send("n\r")
    child.expect("Ontvangstdatum")
    child.sendintr()
    child.expect(pexpect.EOF, timeout=60)
    child.close()
    assert child.exitstatus == 130, child.before
    assert "Afgebroken; er is niets opgeslagen." in str(child.before)
    # Broken off before saving: no file at all, not even an empty one.
    assert not (tmp_path / "home" / ".local" / "share" / "mhtool" / "mhtool.db").exists()

    # 2. Install with the test tools and run the tests. Only a few test files, through pytest's
    # own environment variable: the whole suite inside the suite would double CI's time.
    tests = subprocess.run(
        ["bash", "-c", install_and_test],
        cwd=repo,
        env={**env, "PYTEST_ADDOPTS": "-q -p no:cacheprovider tests/test_cli_reference.py"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert re.search(r"^\d+ passed", tests.stdout, re.M), tests.stdout
    assert (repo / ".venv").is_dir()
    assert not (tmp_path / "home" / ".local" / "lib").exists(), "installed outside .venv"


def test_install_without_ensurepip_uses_the_systems_pip(tmp_path: Path) -> None:
    """Debian without python3-venv: `python3 -m venv` cannot put pip in an environment. Here
    ensurepip is made to fail the same way; the installer falls back to another source."""
    install_and_start = readme_commands()[0]
    repo = fresh_copy(tmp_path)
    env = clean_env(tmp_path / "home")
    broken = tmp_path / "zonder-ensurepip" / "ensurepip"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('no ensurepip (Debian)')\n")
    (broken / "__main__.py").write_text("raise SystemExit(1)\n")
    env["PYTHONPATH"] = str(broken.parent)
    no_venv = subprocess.run(
        ["bash", "-c", "python3 -m venv --help >/dev/null && python3 -m ensurepip --version"],
        env=env,
        capture_output=True,
        check=False,
    )
    assert no_venv.returncode != 0  # as on Debian without python3-venv
    assert install_and_start.endswith(" signaal nieuw")
    done = subprocess.run(
        ["bash", "-c", install_and_start.removesuffix(" signaal nieuw") + " info"],
        cwd=repo,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pip in die omgeving zetten" in done.stderr
    assert "Database:" in done.stdout
    assert (repo / ".venv").is_dir()


def test_pip_comes_from_the_configured_index_when_python_has_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last source of pip: the index pip is set up for (here a PEP 503 folder index with
    the wheel Python bundles), checked against the index's sha256; a wrong digest is refused."""
    import ensurepip
    import hashlib
    import importlib.util
    import venv

    spec = importlib.util.spec_from_file_location("installeer", ROOT / "installeer.py")
    assert spec is not None and spec.loader is not None
    installer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(installer)

    bundled = next((Path(ensurepip.__file__).parent / "_bundled").glob("pip-*.whl"))
    index = tmp_path / "index"
    (index / "pip").mkdir(parents=True)
    shutil.copy2(bundled, index / bundled.name)
    good = hashlib.sha256(bundled.read_bytes()).hexdigest()

    def publish(digest: str) -> None:
        (index / "pip" / "index.html").write_text(
            f'<a href="../pip-1.0-py3-none-any.whl#sha256={"0" * 64}">old</a>\n'
            f'<a href="../{bundled.name}#sha256={digest}">{bundled.name}</a>\n'
        )

    monkeypatch.setenv("PIP_INDEX_URL", index.as_uri())
    assert installer.configured_index() == index.as_uri()
    environment = tmp_path / "env"
    venv.create(environment, with_pip=False)
    python = installer.venv_python(environment)

    publish("f" * 64)  # the index's digest does not match the file: nothing is run
    assert installer._pip_from_index(python) is False
    publish(good)
    assert installer._pip_from_index(python) is True
    assert subprocess.run([str(python), "-m", "pip", "--version"], check=False).returncode == 0
