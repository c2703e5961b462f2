"""Every command is documented in README and has Korean --help text; README's links resolve."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from automation.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help_and_a_readme_row(name: str) -> None:
    command = main.commands[name]
    assert command.help and re.search(r"[가-힣]", command.help), name
    assert re.search(rf"^\| `{re.escape(name)}[ `]", README, re.M), f"README's 명령 table has no row for {name}"


def test_readme_links_to_files_in_the_repository_resolve() -> None:
    links = re.findall(r"\]\(([^)#]+)\)", README)
    local = [link for link in links if not link.startswith(("http://", "https://", "mailto:"))]
    assert local, "README links the docs"
    for link in local:
        assert (ROOT / link).exists(), link
