"""Install mhtool from this folder into its own environment, then start it or run the tests.

    python3 installeer.py signaal nieuw     # install, then run `mhtool signaal nieuw`
    python3 installeer.py --test            # install with the test tools, then run pytest
    python3 installeer.py --test -m "not slow"   # arguments after --test go to pytest

Why a script and not pipx or uv: on Debian and Ubuntu the system Python refuses `pip install`
(PEP 668, "externally-managed-environment") and often lacks `python3 -m venv` (no python3-venv
package). pipx and uv would have to be installed first, which runs into exactly that refusal.
This script needs only the standard library: it creates `.venv` next to itself without pip,
then gets pip into it from the first source that works (ensurepip; the system's own pip with
`--python`; pip's wheel from the package index pip is configured for, checked against the
sha256 the index publishes), and installs mhtool there.
It installs nothing outside `.venv`, except a link named `mhtool` in `~/.local/bin` when that
folder is already on PATH.

User-facing text is Dutch, like the rest of mhtool; it runs on Windows too (`py installeer.py`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
MINIMUM = (3, 11)
PIP_QUIET = ["--disable-pip-version-check", "--no-input", "--quiet"]


class InstallError(Exception):
    """A step failed; the message is one Dutch sentence for the user."""


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def venv_python(root: Path = VENV) -> Path:
    if os.name == "nt":
        return root / "Scripts" / "python.exe"
    return root / "bin" / "python"


def venv_program(name: str, root: Path = VENV) -> Path:
    if os.name == "nt":
        return root / "Scripts" / f"{name}.exe"
    return root / "bin" / name


def _runs(command: list[str]) -> bool:
    try:
        done = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, check=False, timeout=600
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def create_environment(root: Path = VENV) -> Path:
    """A virtual environment at `root` (reused when it works), without pip for now: creating
    one with pip fails where ensurepip is missing, and pip is added by `ensure_pip`."""
    python = venv_python(root)
    check = "import sys; sys.exit(sys.version_info < (3, 11))"
    if python.exists() and _runs([str(python), "-c", check]):
        return python
    if root.exists() and not (root / "pyvenv.cfg").exists():
        raise InstallError(
            f"{root} bestaat al en is geen Python-omgeving; verplaats of verwijder die map en "
            "probeer het opnieuw."
        )
    say(f"Een eigen Python-omgeving voor mhtool maken in {root} ...")
    try:
        venv.EnvBuilder(with_pip=False, clear=root.exists(), symlinks=os.name != "nt").create(root)
    except (OSError, subprocess.CalledProcessError) as error:
        raise InstallError(
            f"De Python-omgeving in {root} kon niet worden gemaakt ({type(error).__name__}); "
            "controleer of u in deze map mag schrijven."
        ) from error
    return python


def _pip_from_ensurepip(python: Path) -> bool:
    return _runs([str(python), "-m", "ensurepip", "--upgrade", "--default-pip"])


def _pip_from_system(python: Path) -> bool:
    """The system's own pip (Debian's python3-pip) installing pip into the environment; the
    PEP 668 refusal does not apply there, because the target is not the system."""
    if not _runs([sys.executable, "-m", "pip", "--version"]):
        return False
    return _runs(
        [sys.executable, "-m", "pip", "--python", str(python), "install", *PIP_QUIET, "pip"]
    )


def configured_index() -> str | None:
    """The package index pip on this computer is set up to use: PIP_INDEX_URL, else `index-url`
    in pip's own configuration files. No address of ours: where packages come from is the
    user's (or IT's) choice, as it is for pip itself."""
    if os.environ.get("PIP_INDEX_URL", "").strip():
        return os.environ["PIP_INDEX_URL"].split()[0]
    import configparser

    home = Path.home()
    files = [Path("/etc/pip.conf"), Path("/etc/xdg/pip/pip.conf")]
    if os.environ.get("APPDATA"):
        files.append(Path(os.environ["APPDATA"]) / "pip" / "pip.ini")
    files += [home / ".config" / "pip" / "pip.conf", home / ".pip" / "pip.conf"]
    if os.environ.get("PIP_CONFIG_FILE"):
        files.append(Path(os.environ["PIP_CONFIG_FILE"]))
    found = None
    for file in files:  # later files win, as in pip
        config = configparser.ConfigParser()
        try:
            config.read(file, encoding="utf-8")
        except (OSError, configparser.Error):
            continue
        for section in ("global", "install"):
            value = config.get(section, "index-url", fallback="").strip()
            if value:
                found = value.split()[0]
    return found


def _newest_pip_wheel(page: str, base: str) -> tuple[str, str, str] | None:
    """(url, file name, sha256) of the newest pip wheel on a PEP 503 index page."""
    import re

    best: tuple[tuple[int, ...], str, str, str] | None = None
    for href in re.findall(r'href="([^"]+)"', page):
        link = urllib.parse.urljoin(base, href.replace("&amp;", "&"))
        location, _, fragment = link.partition("#")
        name = urllib.parse.unquote(location.rsplit("/", 1)[-1])
        match = re.fullmatch(r"pip-(\d+(?:\.\d+)*)-py3-none-any\.whl", name)
        digest = re.fullmatch(r"sha256=([0-9a-f]{64})", fragment)
        if match and digest:
            version = tuple(int(part) for part in match.group(1).split("."))
            if best is None or version > best[0]:
                best = (version, location, name, digest.group(1))
    return None if best is None else best[1:]


def _pip_from_index(python: Path) -> bool:
    """pip's own wheel from the package index pip is configured for, checked against the
    sha256 the index publishes, run from the wheel to install itself (pip supports running
    from its wheel for exactly this)."""
    index = configured_index()
    if index is None:
        return False
    base = index.rstrip("/") + "/pip/"
    # A folder index (file:) keeps each project's page as index.html, as pip reads it.
    page_url = base + "index.html" if base.startswith("file:") else base
    try:
        with urllib.request.urlopen(page_url, timeout=60) as answer:  # noqa: S310 - scheme checked below
            page = answer.read().decode("utf-8", "replace")
        found = _newest_pip_wheel(page, base)
        if found is None:
            return False
        url, name, sha256 = found
        if urllib.parse.urlsplit(url).scheme not in ("https", "file"):
            return False
        with urllib.request.urlopen(url, timeout=120) as answer:  # noqa: S310
            data = answer.read()
    except (OSError, ValueError):
        return False
    if hashlib.sha256(data).hexdigest() != sha256:
        return False
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return _runs([str(python), str(path / "pip"), "install", *PIP_QUIET, str(path)])


PIP_SOURCES = (_pip_from_ensurepip, _pip_from_system, _pip_from_index)


def ensure_pip(python: Path) -> None:
    if _runs([str(python), "-m", "pip", "--version"]):
        return
    say("pip in die omgeving zetten ...")
    for source in PIP_SOURCES:
        if source(python) and _runs([str(python), "-m", "pip", "--version"]):
            return
    raise InstallError(
        "pip kon niet in de omgeving worden gezet: geen ensurepip, geen pip van het systeem en "
        "geen pakketindex ingesteld (PIP_INDEX_URL) of bereikbaar. Installeer op Debian/Ubuntu "
        "'python3-venv' of 'python3-pip' en probeer het opnieuw."
    )


def install_mhtool(python: Path, *, for_tests: bool) -> None:
    # The keyring extra makes `--sleutelbos` work out of the box; the test extra includes it.
    target = ".[test]" if for_tests else ".[sleutelbos]"
    say("mhtool en wat het nodig heeft installeren (de eerste keer duurt dat even) ...")
    command = [str(python), "-m", "pip", "install", *PIP_QUIET]
    command += ["--editable", target] if for_tests else [target]
    if subprocess.run(command, cwd=HERE, stdin=subprocess.DEVNULL, check=False).returncode != 0:
        raise InstallError(
            "Installeren is mislukt (zie de meldingen van pip hierboven); controleer de "
            "internetverbinding en probeer het opnieuw."
        )


def offer_on_path(program: Path) -> None:
    """Link `mhtool` from ~/.local/bin when that folder is already on PATH (POSIX only: on
    Windows a link needs rights a civil servant may not have); otherwise say where it is."""
    local_bin = Path.home() / ".local" / "bin"
    on_path = [Path(p) for p in os.environ.get("PATH", "").split(os.pathsep) if p]
    link = local_bin / "mhtool"
    if os.name != "nt" and local_bin in on_path and local_bin.is_dir():
        if link.is_symlink() and link.resolve() != program.resolve():
            link.unlink()
        if not link.exists() and not link.is_symlink():
            link.symlink_to(program)
        if link.resolve() == program.resolve():
            say(f"mhtool is geïnstalleerd; start het voortaan met: mhtool (via {link}).")
            return
    say(f"mhtool is geïnstalleerd; start het voortaan met: {program}")


def run(command: list[str]) -> int:
    """Hand over to the installed program: on POSIX by replacing this process, so that
    Ctrl-C, the terminal and the exit code are exactly mhtool's own."""
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name != "nt":
        os.execv(command[0], command)
    try:
        return subprocess.run(command, check=False).returncode
    except KeyboardInterrupt:
        return 130


def main(argv: list[str]) -> int:
    if sys.version_info < MINIMUM:
        say("mhtool heeft Python 3.11 of nieuwer nodig; installeer die en probeer het opnieuw.")
        return 2
    for_tests = bool(argv) and argv[0] == "--test"
    try:
        python = create_environment()
        ensure_pip(python)
        install_mhtool(python, for_tests=for_tests)
    except InstallError as error:
        say(f"Fout: {error}")
        return 1
    if for_tests:
        os.chdir(HERE)  # pytest finds its settings in pyproject.toml here
        return run([str(python), "-m", "pytest", *argv[1:]])
    program = venv_program("mhtool")
    offer_on_path(program)
    if not argv:
        return 0
    return run([str(program), *argv])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
