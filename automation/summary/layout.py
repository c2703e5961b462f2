"""Column widths that fit what a rebuilt tab shows (Korean characters are two columns wide)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

from automation.sheets.base import Scalar

MIN_WIDTH = 6.0
MAX_WIDTH = 50.0


def shown(value: Scalar) -> str:
    """The text a cell shows: numbers with their thousands separator (the dashboard's formats)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit_widths(rows: Sequence[Sequence[Scalar]], fixed: Mapping[int, float] | None = None) -> dict[int, float]:
    """1-based column → width in characters: the widest cell plus a margin, within bounds; a
    ``fixed`` column keeps its width (long text columns that should wrap rather than grow)."""
    out: dict[int, float] = {}
    for row in rows:
        for col, value in enumerate(row, start=1):
            width = min(MAX_WIDTH, max(MIN_WIDTH, text_width(shown(value)) + 2.0))
            out[col] = max(out.get(col, MIN_WIDTH), width)
    out.update(fixed or {})
    return dict(sorted(out.items()))
