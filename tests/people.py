"""A person editing a spreadsheet by hand: insert, delete and sort rows, type into cells.

The same edits apply to a plain list of rows (the in-memory backend, and a replay of the edits
alone that tests compare against) and to a tab of the loopback Sheets server, where Google's
protection rules decide whether the person may: an *owner* always may; an *editor* may not touch
a cell inside a protected range that does not list them (the job's write window protects a whole
tab, so no edit of an editor lands inside a window), nor insert, delete or sort rows of a tab that
a whole-tab protection covers. Column protections (the job-owned columns) block typing in those
columns only — which is as much of Google's rule as these tests rely on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

OWNER = "owner@agency.go.kr"
EDITOR = "staff@agency.go.kr"


@dataclass(frozen=True)
class Edit:
    """One edit. Rows are sheet row numbers (1 = header; edits keep off it); ``col`` is 1-based."""

    kind: str  # "insert" | "delete" | "sort" | "type"
    row: int = 2
    col: int = 1
    value: str = ""
    values: tuple[str, ...] = ()  # an inserted row's cells
    reverse: bool = False
    who: str = OWNER
    #: when set, the edit is about the row whose ``key_col`` holds this text (a person deletes "the
    #: row of 기관2", not "row 3"), found when the edit happens; inserts go just above it
    target: str = ""
    key_col: int = 0

    def describe(self) -> str:
        return f"{self.kind}@{self.row}:{self.col}={self.value or self.values!r} by {self.who.split('@')[0]}"


def resolve(rows: Sequence[Sequence[str]], edit: Edit) -> Edit | None:
    """The edit with ``row`` set from ``target`` (None when no single row holds it now)."""
    if not edit.target:
        return edit
    found = [
        n
        for n, r in enumerate(rows, start=1)
        if n >= 2 and len(r) >= edit.key_col and r[edit.key_col - 1] == edit.target
    ]
    if len(found) != 1:
        return None
    return dataclasses.replace(edit, row=found[0], target="")


def apply_rows(rows: list[list[str]], edit: Edit) -> bool:
    """Apply to a list of rows (row 1 = ``rows[0]``); False when the edit does not apply (off the data)."""
    found = resolve(rows, edit)
    if found is None:
        return False
    edit = found
    data_end = len(rows)
    if edit.kind == "insert":
        at = min(max(edit.row, 2), data_end + 1)
        rows.insert(at - 1, list(edit.values))
        return True
    if edit.kind == "delete":
        if not 2 <= edit.row <= data_end:
            return False
        del rows[edit.row - 1]
        return True
    if edit.kind == "sort":
        body = rows[1:]
        body.sort(key=lambda r: r[edit.col - 1] if len(r) >= edit.col else "", reverse=edit.reverse)
        rows[1:] = body
        return True
    if edit.kind == "type":
        if not 2 <= edit.row <= data_end:
            return False
        row = rows[edit.row - 1]
        while len(row) < edit.col:
            row.append("")
        row[edit.col - 1] = edit.value
        return True
    raise ValueError(edit.kind)


@dataclass
class Journal:
    """What people did, for the assertions: every applied edit and every refused one."""

    applied: list[tuple[str, Edit]] = field(default_factory=list)
    refused: list[tuple[str, Edit]] = field(default_factory=list)


# -- on the loopback server --------------------------------------------------------------------


def _covers(rng: dict[str, Any], row0: int | None, col0: int | None) -> bool:
    """Does a GridRange cover 0-based (row0, col0)? None = any row / any column."""
    r_lo, r_hi = rng.get("startRowIndex", 0), rng.get("endRowIndex")
    c_lo, c_hi = rng.get("startColumnIndex", 0), rng.get("endColumnIndex")
    if row0 is not None and (row0 < r_lo or (r_hi is not None and row0 >= r_hi)):
        return False
    return not (col0 is not None and (col0 < c_lo or (c_hi is not None and col0 >= c_hi)))


def allowed(tab: Any, edit: Edit) -> bool:
    """Google's protection rule as far as these tests model it (module docstring)."""
    found = resolve(tab.rows, edit)
    if found is None:
        return False
    edit = found
    if edit.who == OWNER:
        return True
    for p in tab.protected:
        if edit.who in p.get("editors", {}).get("users", []):
            continue
        rng = p.get("range", {})
        whole = "startColumnIndex" not in rng and "endColumnIndex" not in rng and "endRowIndex" not in rng
        if edit.kind == "type":
            if _covers(rng, edit.row - 1, edit.col - 1):
                return False
        elif whole:
            return False
    return True


def _shift(mapping: dict[tuple[int, int], Any], at0: int, delta: int) -> dict[tuple[int, int], Any]:
    out = {}
    for (r, c), v in mapping.items():
        if delta < 0 and r == at0:
            continue
        out[(r + delta if r >= at0 else r, c)] = v
    return out


def apply_tab(tab: Any, edit: Edit) -> bool:
    """Apply to a loopback server Tab (values, typed cells, notes and formulas move with the rows)."""
    found = resolve(tab.rows, edit)
    if found is None:
        return False
    edit = found
    rows = tab.rows
    while len(rows) < 1:
        rows.append([])
    before = len(rows)
    if edit.kind in ("insert", "delete"):
        at0 = (min(max(edit.row, 2), len(rows) + 1) if edit.kind == "insert" else edit.row) - 1
        if not apply_rows(rows, edit):
            return False
        delta = len(rows) - before
        for name in ("typed", "formulas", "notes"):
            setattr(tab, name, _shift(getattr(tab, name), at0, delta))
        tab.row_count = max(tab.row_count + delta, len(rows))
        return True
    if edit.kind == "sort":
        order = sorted(
            range(1, len(rows)),
            key=lambda i: rows[i][edit.col - 1] if len(rows[i]) >= edit.col else "",
            reverse=edit.reverse,
        )
        new_pos = {old: new for new, old in enumerate(order, start=1)}
        rows[1:] = [rows[i] for i in order]
        for name in ("typed", "formulas", "notes"):
            setattr(tab, name, {(new_pos.get(r, r), c): v for (r, c), v in getattr(tab, name).items()})
        return True
    applied = apply_rows(rows, edit)
    if applied:
        tab.typed.pop((edit.row - 1, edit.col - 1), None)
        tab.formulas.pop((edit.row - 1, edit.col - 1), None)
    return applied


def replay(rows: Sequence[Sequence[str]], edits: Sequence[Edit]) -> list[list[str]]:
    """The rows after the edits alone (what the sheet would hold had no job written)."""
    out = [list(r) for r in rows]
    for edit in edits:
        apply_rows(out, edit)
    return out
