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
    r"\b(SELECT\b.+\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)\b", re.S
)


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


def test_questionary_only_in_prompts() -> None:
    users = [p.relative_to(SRC) for p in modules() if "questionary" in imported_names(p)]
    assert [str(p) for p in users] == ["cli/prompts.py"]
