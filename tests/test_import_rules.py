"""The import direction of ARCHITECTURE.md §2, enforced on every module of src/ballast."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "ballast"

# package -> the ballast packages it may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "config": {"domain"},
    "data": {"domain", "config"},
    "ledger": {"domain", "config", "data"},
    "analytics": {"domain"},
    "construct": {"domain", "config", "analytics"},
    "rebalance": {"domain", "config", "analytics", "ledger"},
    "compliance": {"domain", "config", "analytics"},
    "execution": {"domain", "config"},
    "reporting": {"domain", "analytics"},
    "audit": {"domain"},
    "security": {"domain"},
    "store": {"domain", "config", "audit"},
    "sample": {"domain", "config"},
    "engine": {
        "domain", "config", "data", "ledger", "analytics", "construct", "rebalance",
        "compliance", "execution", "reporting", "audit", "store", "sample", "security",
    },
    "api": {"engine", "domain", "config"},
    "cli": {"engine", "domain", "config", "api"},  # `ballast serve` hosts the api
}


def _package_of(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _ballast_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "ballast" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return found


MODULES = sorted(p for p in SRC.rglob("*.py") if p.parent != SRC or p.name == "cli.py")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_module_respects_layering(path: Path) -> None:
    package = _package_of(path)
    assert package in ALLOWED, f"{package} is not in the layering table; add it to ALLOWED"
    allowed = ALLOWED[package] | {package}
    bad = [f"line {line}: ballast.{target}" for line, target in _ballast_imports(path)
           if target not in allowed]
    assert not bad, f"{path.relative_to(SRC)} ({package}) may not import: {bad}"


def test_pure_stage_importing_store_is_caught(tmp_path: Path) -> None:
    """The checker itself sees a forbidden import."""
    fake = tmp_path / "mod.py"
    fake.write_text("from ballast.store import Store\nimport ballast.domain\n")
    assert [t for _, t in _ballast_imports(fake)] == ["store", "domain"]
