"""Which database file to use and opening it (what `mhtool info` reports: database_info.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from mhtool.errors import (
    MhtoolError,
    ValidationError,
    check_database_name,
    check_name_length,
)
from mhtool.store.connection import (
    PassphraseSource,
    Store,
)
from mhtool.store.connection import database_files as database_files  # for the CLI
from mhtool.store.open_store import open_store

if TYPE_CHECKING:
    from mhtool.domain.server_address import ServerAddress

ENV_VAR = "MHTOOL_DB"
DEFAULT_NAME = "mhtool.db"


DEFAULT_SOURCE = "standaardlocatie"


def default_database_path() -> Path:
    from mhtool.portability import user_data_folder

    return user_data_folder() / DEFAULT_NAME


def server_target(flag: str | None) -> tuple[str, str] | None:
    """The server address given with --db or MHTOOL_DB (and which one), or None for a file.
    Anything starting like `postgresql:` counts, and is checked against the wire policy right
    here (services/server_access.py), so every command refuses a password in the address or a
    server elsewhere without verify-full, also one that works on a file only, and a mistyped
    address gets a sentence instead of becoming a new file with that name."""
    from mhtool.domain.server_address import is_server_address

    if flag:
        found = (flag.strip(), "--db") if is_server_address(flag) else None
    else:
        env = os.environ.get(ENV_VAR, "").strip()
        found = (env, ENV_VAR) if env and is_server_address(env) else None
    if found is not None:
        from mhtool.services.server_access import server_address

        server_address(found[0])
    return found


def untranslated_database_error(error: Exception) -> MhtoolError | None:
    """A database driver's error that escaped the store's translation (on a server: the
    connection lost at a statement outside `write()`/`read()`, such as asking who is logged
    in): still one Dutch sentence by its code, never 'something unexpected' with the driver's
    class name. None for any other exception."""
    from mhtool.store.sqlite_errors import driver_error_types, translated_error

    if isinstance(error, driver_error_types()):
        return translated_error(error)
    return None


def open_server_database(
    address: str | ServerAddress, on_wait: Callable[[], None] | None = None
) -> Store:
    """Open the mhtool schema on a PostgreSQL server (created or upgraded on first use). The
    address is checked against the wire policy first (services/server_access.py: no password in
    it, TLS with a verified certificate for a server elsewhere), so nothing is sent to a server
    the policy refuses. A password kept with `mhtool server wachtwoord` is used when the server
    asks for one and libpq found none in .pgpass."""
    from mhtool.server_passwords import server_password
    from mhtool.services.server_access import server_address
    from mhtool.store.postgres_connection import open_server

    checked = server_address(address) if isinstance(address, str) else address
    return open_server(
        checked.conninfo,
        checked.display,
        password=lambda: server_password(checked),
        on_wait=on_wait,
    )


def resolve_database_path(flag: str | None) -> tuple[Path, str]:
    """--db beats MHTOOL_DB beats the per-user data directory; also says which one won.
    A server address is refused here: what asks for a path works on a file only."""
    target = server_target(flag)
    if target is not None:
        raise ValidationError(
            f"Dit commando werkt alleen met een databasebestand, niet met een database op een "
            f"server ({target[1]}); zie docs/server.md voor wat op een server anders gaat."
        )
    if flag:
        _check_name(flag)
        return Path(flag).expanduser(), "--db"
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        _check_name(env)
        return Path(env).expanduser(), ENV_VAR
    return default_database_path(), DEFAULT_SOURCE


def _check_name(given: str) -> None:
    """A new database needs room in its name for -wal and the lock file; an existing file with
    a longer name (renamed by hand) is still opened as far as SQLite allows. Never a name of a
    leftover temporary file: `opschonen` would delete the database in use."""
    check_name_length(given)
    from mhtool.safe_file import refuse_temp_name

    refuse_temp_name(Path(given).expanduser())
    if not Path(given).expanduser().exists():
        check_database_name(given)


def _folder_must_exist(path: Path, source: str) -> None:
    """Only the per-user default folder is made on first use. A folder missing from a path
    given with --db or MHTOOL_DB is most likely a typo: say so instead of quietly creating a
    new, empty database somewhere else."""
    if source != DEFAULT_SOURCE and not path.exists() and not path.parent.exists():
        raise ValidationError(
            f"De map {path.parent} bestaat niet; controleer het pad bij {source} of maak de map "
            "eerst aan."
        )


def open_database(
    path: Path,
    source: str,
    *,
    create: bool = True,
    encrypt: bool = False,
    passphrase: PassphraseSource | None = None,
    on_wait: Callable[[], None] | None = None,
) -> Store:
    """`encrypt` applies only when the file is created here."""
    if create:
        _folder_must_exist(path, source)
    return open_store(path, create=create, encrypt=encrypt, passphrase=passphrase, on_wait=on_wait)


def is_encrypted_file(path: Path) -> bool:
    """Whether the existing file at `path` looks like an encrypted database (no key needed)."""
    from mhtool.store.file_kind import FileKind, inspect_existing_file

    return inspect_existing_file(path) is FileKind.ENCRYPTED


def create_database(
    path: Path, source: str, *, encrypt: bool, passphrase: PassphraseSource | None = None
) -> Store:
    """`mhtool init`: a new file only; an existing one is never touched."""
    _folder_must_exist(path, source)
    if path.exists() or path.is_symlink():
        raise ValidationError(
            f"{path} bestaat al; 'mhtool init' maakt alleen een nieuwe database. Kies een ander "
            "pad met --db."
        )
    return open_store(path, create=True, encrypt=encrypt, passphrase=passphrase)


def signal_refs_for_completion(flag: str | None, prefix: str) -> list[str]:
    """Signal numbers for shell completion: numbers only, read-only, no passphrase, no new file
    (an encrypted or missing database completes nothing). Not audited: it shows no personal
    data, and a Tab press is not a viewing."""
    from mhtool.errors import MhtoolError
    from mhtool.store.completion import signal_refs

    try:
        if server_target(flag) is not None:
            return []  # a Tab press never connects to a server
    except MhtoolError:
        return []  # an address the policy refuses: the command itself will say why
    path, _ = resolve_database_path(flag)
    return signal_refs(path, prefix)


def forget_session_key(path: Path) -> bool:
    """`mhtool vergrendel`: drop the remembered key of an encrypted database at once (see
    mhtool.session_keys). Touches no database, so nothing is logged in one."""
    from mhtool import session_keys

    return session_keys.forget(path)
