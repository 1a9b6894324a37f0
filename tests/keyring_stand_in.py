"""An OS keyring stand-in with the real `keyring` backend interface, for tests of what mhtool
keeps in the keyring. In-process tests install it with `keyring.set_keyring`; a child process
gets it through `PYTHON_KEYRING_BACKEND=tests.keyring_stand_in.FileKeyring` and keeps its
entries in the JSON file named by `MHTOOL_TEST_SLEUTELBOS`, so no test reads or writes the real
user's keyring."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

FILE_ENV = "MHTOOL_TEST_SLEUTELBOS"


class FileKeyring(KeyringBackend):
    """Entries in a dict, written through to a JSON file when one is named."""

    priority = 1

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        named = os.environ.get(FILE_ENV)
        self.path = path if path is not None else (Path(named) if named else None)
        self.items: dict[str, str] = {}
        if self.path is not None and self.path.exists():
            self.items = json.loads(self.path.read_text(encoding="utf-8"))

    def _save(self) -> None:
        if self.path is not None:
            self.path.write_text(json.dumps(self.items), encoding="utf-8")

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[f"{service}\n{username}"] = password
        self._save()

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError("no such entry")
        self._save()

    def entries(self) -> dict[tuple[str, str], str]:
        return {tuple(key.split("\n", 1)): value for key, value in self.items.items()}  # type: ignore[misc]
