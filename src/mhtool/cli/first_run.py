"""The first use of a database file, and turning a plain one into an encrypted one.

The README asks to encrypt before the first signal, so the moment a file is about to be
created is the moment to say where the data go and whether they are encrypted: at a terminal
mhtool offers encryption there and then; a script is told afterwards, with the one command that
makes an encrypted copy.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mhtool.errors import ValidationError

if TYPE_CHECKING:
    from mhtool.cli.context import AppState


def quoted(path: Path | str) -> str:
    """A path as the user's shell needs it typed (Windows shells take double quotes)."""
    text = str(path)
    if os.name == "nt":
        return f'"{text}"' if any(c in text for c in " &()^%!;,") else text
    return shlex.quote(text)


def encrypted_copy_name(path: Path) -> Path:
    return path.with_name(f"{path.stem}-versleuteld{path.suffix or '.db'}")


def encrypt_command(path: Path, source: str) -> str:
    """The one command that makes an encrypted copy of the plain database at `path`."""
    db = f"--db {quoted(path)} " if source == "--db" else ""
    return f"mhtool {db}backup --versleuteld {quoted(encrypted_copy_name(path))}"


def offer_encryption(path: Path, source: str) -> str | None:
    """At a terminal, before the first signal creates the file: say where it goes, and offer
    to encrypt it. Returns the new passphrase, or None for a plain file.

    The question is asked on a true first run, at the default location. A path someone chose
    with --db or MHTOOL_DB (an administrator, a script run by hand, a test) gets the same facts
    and the command to start encrypted instead of a question in its way."""
    from mhtool.cli.passphrase import ask_passphrase
    from mhtool.cli.prompts import confirm
    from mhtool.cli.render import console, text
    from mhtool.services.database import DEFAULT_SOURCE

    out = console()
    out.print(
        text(
            f"Eerste gebruik: mhtool bewaart alle gegevens in één bestand, {path} (gekozen via "
            f"{source}). Dat bestand wordt gemaakt bij het opslaan van dit signaal."
        )
    )
    if source != DEFAULT_SOURCE:
        db = f"--db {quoted(path)} " if source == "--db" else ""
        out.print(
            text(
                "Het wordt niet versleuteld. Versleuteld beginnen: stop met Ctrl-C en typ eerst "
                f"'mhtool {db}init --versleuteld'."
            )
        )
        return None
    if not confirm("Het bestand versleutelen met een wachtwoord (aanbevolen)?", default=True):
        return None
    return ask_passphrase(path, True)


def tell_created(path: Path, source: str, encrypted: bool) -> None:
    """After a command created the file: where it is and whether it is encrypted (stderr, so
    --json output stays clean)."""
    from mhtool.cli.render import safe

    if encrypted:
        sys.stderr.write(
            f"Nieuwe database aangemaakt: {safe(path)} (gekozen via {source}), versleuteld. "
            "Bewaar het wachtwoord goed: zonder wachtwoord is de inhoud niet terug te halen.\n"
        )
        return
    sys.stderr.write(
        f"Nieuwe database aangemaakt: {safe(path)} (gekozen via {source}); het bestand is niet "
        f"versleuteld. Een versleutelde kopie maakt u met: {safe(encrypt_command(path, source))}\n"
    )


def convert_existing(st: AppState, path: Path, source: str) -> None:
    """`mhtool init --versleuteld` on an existing plain file: offer the encrypted copy that
    `mhtool backup --versleuteld` makes (at a terminal), or name that command (in a script)."""
    from mhtool.services.database import is_encrypted_file

    if is_encrypted_file(path):
        raise ValidationError(f"{path} bestaat al en is al versleuteld; er is niets gewijzigd.")
    command = encrypt_command(path, source)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise ValidationError(
            f"{path} bestaat al en is niet versleuteld; 'mhtool init' maakt alleen een nieuwe "
            f"database. Een versleutelde kopie maakt u met: {command}"
        )
    import typer

    from mhtool.cli.passphrase import ask_passphrase
    from mhtool.cli.prompts import ask_text, confirm
    from mhtool.cli.render import console, count, text
    from mhtool.services.backup import make_backup

    out = console()
    store = st.store()
    out.print(text(f"{path} bestaat al en is niet versleuteld."))
    if not confirm(
        "Er een versleutelde kopie van maken (zoals 'mhtool backup --versleuteld')?", default=True
    ):
        raise typer.Abort()
    target = Path(
        ask_text("Bestand voor de versleutelde kopie:", default=str(encrypted_copy_name(path)))
        or str(encrypted_copy_name(path))
    ).expanduser()
    done = make_backup(
        store,
        target,
        st.user,
        overwrite=False,
        new_passphrase=lambda: ask_passphrase(target, True),
    )
    out.print(
        text(
            f"Versleutelde kopie gemaakt en gecontroleerd: {done.path} "
            f"({count(done.signals, 'signaal')})."
        )
    )
    out.print(
        text(
            f"Gebruik voortaan die kopie (met --db of MHTOOL_DB), of zet hem op de plaats van "
            f"{path} terwijl mhtool niet draait. Verwijder daarna het onversleutelde bestand "
            f"{path}."
        )
    )
