"""The values of a guarded write: what a step asks for, what it got, and what a window placed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from automation.report import WARNING, Issue, Severity
from automation.schema import TabSchema
from automation.sheets.base import CellWrite
from automation.sheets.table import Table


@dataclass(frozen=True)
class RowUpdate:
    """New text for some columns of one row, addressed by ID or (for an ID-less row) by
    row number + fingerprint taken when the job read it."""

    values: Mapping[str, str]
    id: str = ""
    row: int = 0
    fingerprint: str = ""
    #: cells that must still hold these values at write time (compare-and-set): a person who
    #: changed one of them since the job read the row wins, and the row is reported instead.
    #: :func:`write_tables` adds every staff-owned cell the update writes, from ``TabWrite.base``
    expect: Mapping[str, str] = field(default_factory=dict)
    #: the row's staff content (``Table.fingerprint``) the values were computed from: when the row
    #: changed since, nothing is written to it (validation results always match what they checked)
    content: str = ""
    #: columns left out of ``fingerprint`` (repairs: cells a misplaced write may have changed)
    loose: frozenset[str] = frozenset()
    #: ``fingerprint`` covers every cell, job columns too (a row that holds only what the job wrote)
    exact: bool = False
    #: compare-and-set cell by cell (undoing a misplaced write): a cell a person changed since keeps
    #: the person's value, the others are still put back
    per_cell: bool = False
    #: the row that holds these values in these columns (undoing a misplaced write: the wrong values
    #: are where the write put them, whatever else people changed in the row since); tried first
    holds: Mapping[str, str] = field(default_factory=dict)
    #: look by ``fingerprint`` before ``id`` (a repair's redo: the ID cell it would look for may hold
    #: a value a misplaced write put there)
    content_first: bool = False


@dataclass(frozen=True)
class TabWrite:
    """What one step writes into one tab: updates of existing rows and new rows (by column key)."""

    schema: TabSchema
    updates: Sequence[RowUpdate] = ()
    appends: Sequence[Mapping[str, str]] = ()
    #: staff-owned columns this step may write (always under compare-and-set)
    allow: Iterable[str] = ()
    #: the step's own read of the tab: where the compare-and-set values come from
    base: Table | None = None


@dataclass
class WriteResult:
    written_rows: int = 0
    written_cells: int = 0
    appended: int = 0
    repaired: int = 0
    issues: list[Issue] = field(default_factory=list)


@dataclass
class _Placed:
    tab: str
    row: int  # where the window's read had it
    update: RowUpdate
    cells: dict[str, str]  # key → value actually sent (changed cells only)
    ident: str  # its ID, or "" (then its fingerprint identifies it)
    fp: str  # staff-content fingerprint in the window's read
    before: dict[str, str]  # the written cells' values in the window's read
    rfp: str  # the same without the cells written (what identifies it after)
    row_cells: tuple[str, ...] = ()  # the whole row in the window's read


@dataclass
class _Plan:
    cells: dict[str, list[CellWrite]] = field(default_factory=dict)
    appends: dict[str, list[list[str]]] = field(default_factory=dict)
    placed: list[_Placed] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    tables: dict[str, Table] = field(default_factory=dict)
    appended_ids: dict[str, list[str]] = field(default_factory=dict)
    #: what each written cell held at the instant of the write (WriteWindow.before)
    before: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)

    def held(self, p: _Placed, key: str) -> str | None:
        return self.before.get(p.tab, {}).get((p.row, self.tables[p.tab].header.col(key)))

    @property
    def empty(self) -> bool:
        return not any(self.cells.values()) and not any(self.appends.values())


def _issue(
    code: str,
    *,
    tab: str,
    row: int | None,
    column: str | None,
    value: str | None,
    message: str,
    severity: Severity = WARNING,
) -> Issue:
    return Issue(code=code, row=row, column=column, value=value, message=message, severity=severity, tab=tab)


#: tab → column key → every non-empty value one write_tables call has sent (to find strays)
_Seen = dict[str, dict[str, set[str]]]
