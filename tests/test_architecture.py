"""Dependencies point one way: cli -> services -> domain, store. Checked on the source itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "mhtool"
UI = ("typer", "rich", "questionary", "click", "tabulate")

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "domain": (
        "mhtool.store",
        "mhtool.services",
        "mhtool.cli",
        "mhtool.exporters",
        "sqlite3",
        "sqlite_utils",
        "sqlcipher3",
        *UI,
    ),
    "store": ("mhtool.services", "mhtool.cli", "mhtool.exporters", *UI),
    "services": ("mhtool.cli", *UI),
    "exporters": ("mhtool.cli", "mhtool.store", "mhtool.services", "typer", "rich", "questionary"),
}
SQL = re.compile(
    r"\b(SELECT\b.+\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE"
    r"|PRAGMA\s+\w+|BEGIN\s+(IMMEDIATE|EXCLUSIVE|DEFERRED|TRANSACTION)|^\s*VACUUM\b)",
    re.S | re.I | re.M,
)


def runtime_imports(path: Path) -> set[str]:
    """Imports that run: those under `if TYPE_CHECKING:` are for the type checker only."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only.update(id(n) for n in ast.walk(node))
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_layer_imports(path: Path) -> None:
    layer = path.relative_to(SRC).parts[0]
    banned = FORBIDDEN.get(layer, ())
    bad = sorted(
        name
        for name in imported_names(path)
        if any(name == b or name.startswith(b + ".") for b in banned)
    )
    assert not bad, f"{path.relative_to(SRC)} imports {bad}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_sql_only_in_store(path: Path) -> None:
    if path.relative_to(SRC).parts[0] == "store":
        return
    strings = [
        node.value
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    assert not [s for s in strings if SQL.search(s)], f"SQL outside store/ in {path}"


@pytest.mark.parametrize(
    "path", [p for p in modules() if p.relative_to(SRC).parts[0] == "cli"], ids=lambda p: p.name
)
def test_cli_reaches_the_store_only_through_services(path: Path) -> None:
    """The CLI may name store types for the checker, never call the store itself."""
    bad = sorted(n for n in runtime_imports(path) if n.startswith("mhtool.store"))
    assert not bad, f"{path.relative_to(SRC)} imports {bad} at run time"


def test_questionary_only_in_prompts() -> None:
    users = [p.relative_to(SRC) for p in modules() if "questionary" in imported_names(p)]
    assert [str(p) for p in users] == ["cli/prompts.py"]
