"""The folder tree is the architecture: one folder per command, a shared core below, the pure engine
below that. Every import of every module (also inside functions) is read with ``ast``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "automation"
FEATURES = (
    "setup",
    "validation",
    "match",
    "teams",
    "agreements",
    "ceremony",
    "intake",
    "notify",
    "outcomes",
    "summary",
    "demo",
)
FRONTS = ("cli", "__main__", "demo")  # what people run: may reach the runner and the features
RUNNER = "pipeline"  # calls the features' steps; nothing below calls it
#: each third-party library with I/O or a heavy engine has one home (a module or a folder)
HOMES = {
    "gspread": ("sheets/",),
    "google": ("sheets/",),
    "openpyxl": ("sheets/",),
    "click": ("cli.py",),
    "smtplib": ("mail/transport.py",),
    "yagmail": ("mail/transport.py",),
    "docxtpl": ("documents/docx.py",),
    "scipy": ("matching/",),
    "pandas": ("summary/",),
    "pypdf": ("documents/ceremony.py",),
    "hwpx": ("documents/",),
    "matplotlib": ("documents/map.py", "documents/charts.py"),
    "PIL": ("documents/cards.py",),
}


def _modules() -> dict[str, Path]:
    return {p.relative_to(PACKAGE).as_posix(): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """Every module name this file imports, resolved to dotted names (``automation.match.step``)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def _part(module: str) -> str:
    """The top-level room of ``automation.x.y``: 'x' (a folder or a module)."""
    return module.split(".")[1] if module.startswith("automation.") and module.count(".") >= 1 else ""


def _room(rel: str) -> str:
    return rel.split("/")[0].removesuffix(".py")


MODULES = _modules()


@pytest.mark.parametrize("rel", list(MODULES), ids=list(MODULES))
def test_a_feature_imports_no_other_feature_and_the_core_imports_no_feature(rel: str) -> None:
    room = _room(rel)
    reached = {_part(m) for m in _imports(MODULES[rel]) if m.startswith("automation.")} - {room, ""}
    if room in FRONTS:
        return
    if room == RUNNER:
        assert not reached & {"cli", "demo"}, reached
        return
    if room in FEATURES:
        assert not reached & (set(FEATURES) | {RUNNER, "cli"}), f"{rel} reaches {sorted(reached & set(FEATURES))}"
        return
    assert not reached & (set(FEATURES) | {RUNNER, "cli"}), f"core module {rel} reaches {sorted(reached)}"


@pytest.mark.parametrize("library", list(HOMES))
def test_each_library_stays_in_its_home(library: str) -> None:
    outside = [
        rel
        for rel, path in MODULES.items()
        if any(m == library or m.startswith(library + ".") for m in _imports(path))
        and not rel.startswith(HOMES[library])
    ]
    assert not outside, f"{library} imported outside {HOMES[library]}: {outside}"


def test_every_command_has_its_folder() -> None:
    for feature in FEATURES:
        assert (PACKAGE / feature / "__init__.py").is_file(), feature
