"""The one small interface every spreadsheet backend implements.

Everything is text: a backend returns cells as ``str`` (never numbers) and writes ``str`` as
literal text (never a formula). Rows are addressed by sheet row numbers only *inside* one
request; callers find rows again by their stable ID (see :mod:`automation.sheets.table`).
Nothing above this package imports gspread or openpyxl.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field


def col_letter(col: int) -> str:
    """1 → A, 27 → AA (spreadsheet column letters)."""
    out = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass(frozen=True)
class RawTab:
    """A tab's values as text. ``values[0]`` is sheet row 1 (the header row)."""

    title: str
    values: list[list[str]]
    merged_rows: frozenset[int] = field(default_factory=frozenset)

    @property
    def header(self) -> list[str]:
        return list(self.values[0]) if self.values else []

    def data_rows(self) -> Iterator[tuple[int, list[str]]]:
        """(sheet row number, cells) for every row below the header."""
        yield from enumerate(self.values[1:], start=2)

    def cell(self, row: int, col: int) -> str:
        """1-based row and column; '' outside the data."""
        if row < 1 or row > len(self.values):
            return ""
        cells = self.values[row - 1]
        return cells[col - 1] if 0 < col <= len(cells) else ""


@dataclass(frozen=True)
class CellWrite:
    """Write ``value`` as literal text into 1-based (row, col)."""

    row: int
    col: int
    value: str


@dataclass(frozen=True)
class Dropdown:
    """A list of allowed values on one column from row 2 down.

    Either ``values`` (a fixed list) or ``source`` (tab title, 1-based column) whose cells from
    row 2 feed the list. ``strict`` False shows the list but accepts other text.
    """

    col: int
    values: tuple[str, ...] = ()
    source: tuple[str, int] | None = None
    strict: bool = True
    prompt: str = ""


@dataclass(frozen=True)
class HeaderStyle:
    """How init formats a header row: frozen, bold, job-owned columns marked, widths."""

    job_cols: tuple[int, ...] = ()
    widths: Mapping[int, int] = field(default_factory=dict)
    notes: Mapping[int, str] = field(default_factory=dict)


Scalar = str | int | float


@dataclass(frozen=True)
class ChartSpec:
    """A chart over a block of a rebuilt (dashboard) tab; rows and columns are 1-based."""

    kind: str                      # "column" (vertical bars) or "line"
    title: str
    anchor_row: int                # the chart's top-left cell
    anchor_col: int
    header_row: int                # the row that names the series
    first_row: int                 # data rows first..last
    last_row: int
    category_col: int              # labels along the x axis
    series_cols: tuple[int, ...]   # one series per column


class Backend(abc.ABC):
    """One spreadsheet file (xlsx) or spreadsheet (Google)."""

    #: human-readable location for messages (a path or a spreadsheet key)
    location: str = ""
    #: requests sent to the storage (Google API calls; xlsx saves) — for tests and benchmarks
    requests: int = 0
    #: True when others can change the data between two of our requests (Google): writes are
    #: then read back to verify
    remote: bool = False

    @abc.abstractmethod
    def list_tabs(self) -> list[str]:
        """Tab titles in order."""

    @abc.abstractmethod
    def read(self, titles: Sequence[str]) -> dict[str, RawTab]:
        """Read whole tabs as text in one request. Raises TabNotFoundError for a missing tab."""

    @abc.abstractmethod
    def write(self, updates: Mapping[str, Sequence[CellWrite]]) -> None:
        """Write cells of one or more tabs in one request, as literal text."""

    @abc.abstractmethod
    def append(self, title: str, rows: Sequence[Sequence[str]]) -> None:
        """Append rows after the last non-empty row of ``title`` in one request."""

    @abc.abstractmethod
    def ensure_tabs(self, titles: Sequence[str]) -> list[str]:
        """Create the tabs that do not exist (one request); return the titles created."""

    @abc.abstractmethod
    def remove_blank_default_tab(self) -> bool:
        """Remove an untouched default first tab (Sheet1/시트1) if other tabs exist."""

    @abc.abstractmethod
    def style_header(self, title: str, style: HeaderStyle) -> None:
        """Freeze and format row 1, mark job-owned columns, set column widths."""

    @abc.abstractmethod
    def set_dropdowns(self, title: str, dropdowns: Sequence[Dropdown]) -> None:
        """Install dropdowns (replacing the ones this program installed before)."""

    @abc.abstractmethod
    def protect_columns(self, title: str, cols: Sequence[int], description: str) -> None:
        """Protect job-owned columns from row 1 down (replacing earlier protections of ours)."""

    def replace_tab(self, title: str, rows: Sequence[Sequence[Scalar]], *, charts: Sequence[ChartSpec] = (),
                    widths: Mapping[int, float] | None = None) -> None:
        """Dashboard tabs only: clear ``title`` (values, formats, charts), then write ``rows`` from A1 as
        typed values (numbers stay numbers, text is literal, never a formula), bold row 1, set column
        ``widths`` (1-based) and add ``charts``. The tab must exist (``ensure_tabs``). Google: one
        spreadsheets.batchUpdate (plus one metadata read when the chart ids are not cached)."""
        raise NotImplementedError

    def protect_tab(self, title: str, editors: Sequence[str], description: str) -> None:
        """Only ``editors`` (plus the service account; the owner always can) may edit the whole tab,
        replacing this program's earlier protection of it. A file (xlsx) has no per-person rights:
        there it records nothing and the README says so."""
        raise NotImplementedError

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Hold structural requests (styles, dropdowns, protections) made inside the block and send
        them together at its end (Google); a file backend has nothing to hold."""
        yield

    def commit(self) -> None:  # noqa: B027 - optional hook
        """Persist pending changes (xlsx); Google writes are immediate."""

    def discard(self) -> None:  # noqa: B027 - optional hook
        """Forget pending changes after a failure (xlsx)."""


@contextmanager
def transaction(backend: Backend) -> Iterator[Backend]:
    """Commit on success; on an exception, discard pending changes (nothing half-written)."""
    try:
        yield backend
    except BaseException:
        backend.discard()
        raise
    backend.commit()
