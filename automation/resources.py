"""Where the packaged resources are: ``sheet_schemas/`` and ``templates/`` (the one place that knows).

In a wheel they sit in ``automation/_data/``; in a checkout, beside the package at the repository root.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path | None:
    """``sheet_schemas`` or ``templates`` (or a folder inside, e.g. ``templates/mail``), or None if missing."""
    for base in (PACKAGE / "_data", PACKAGE.parent):
        candidate = base / name
        if candidate.is_dir():
            return candidate
    return None
