"""The one small interface every spreadsheet backend implements.

Everything is text: a backend returns cells as ``str`` (never numbers) and writes ``str`` as
literal text (never a formula). Rows are addressed by sheet row numbers only *inside* one
request; callers find rows again by their stable ID (see :mod:`automation.sheets.table`).
Nothing above this package imports gspread or openpyxl.
"""

from __future__ import annotations

import abc
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from automation.errors import DuplicateTabError, TabNotFoundError


def col_letter(col: int) -> str:
    """1 → A, 27 → AA (spreadsheet column letters)."""
    out = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def title_key(title: str) -> str:
    """How tab titles are compared: NFKC then NFC (a title renamed on macOS arrives in NFD), no
    whitespace of any kind (NBSP, ideographic space, zero-width characters), case-folded."""
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", title))
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Zs", "Zl", "Zp"))
    return "".join(text.split()).casefold()


def resolve_titles(names: Sequence[str], existing: Sequence[str], location: str = "") -> dict[str, str | None]:
    """The actual tab title for each wanted name: the exact title, else the one look-alike (same
    :func:`title_key`), else None. Two look-alikes for one name is an error a person must settle."""
    exact = set(existing)
    by_key: dict[str, list[str]] = {}
    for title in existing:
        by_key.setdefault(title_key(title), []).append(title)
    out: dict[str, str | None] = {}
    for name in names:
        alike = by_key.get(title_key(name), [])
        if len(alike) > 1:  # even with the exact title among them: people may be typing in the other
            listed = ", ".join(repr(t) for t in alike)
            where = f" ({location})" if location else ""
            raise DuplicateTabError(
                f"'{name}' 탭과 이름이 같아 보이는 탭이 여러 개입니다{where}: {listed}. 하나만 남기고 나머지는 "
                "이름을 바꾸거나 지운 뒤 다시 실행하세요. 아무것도 쓰지 않았습니다."
            )
        out[name] = name if name in exact else (alike[0] if alike else None)
    return out


@dataclass(frozen=True)
class Merge:
    """A merged block, 1-based and inclusive."""

    first_row: int
    last_row: int
    first_col: int
    last_col: int

    def covers(self, row: int, col: int) -> bool:
        return self.first_row <= row <= self.last_row and self.first_col <= col <= self.last_col

    def covers_row(self, row: int) -> bool:
        return self.first_row <= row <= self.last_row


def _blank(cells: Sequence[str]) -> bool:
    return not any(c.strip() for c in cells)


class RawTab:
    """A tab's values as text, kept sparse: only rows with a visible value are stored, so a stray
    value far down the sheet (row 1,048,576) costs one row, not a million. Row 1 is the header."""

    __slots__ = ("merges", "rows", "title")

    def __init__(
        self,
        title: str,
        values: Sequence[Sequence[str]] | None = None,
        *,
        rows: Mapping[int, Sequence[str]] | None = None,
        merges: Sequence[Merge] = (),
    ) -> None:
        self.title = title
        stored: dict[int, list[str]] = {}
        source = rows.items() if rows is not None else enumerate(values or [], start=1)
        for number, cells in source:
            kept = list(cells)
            while kept and kept[-1] == "":
                kept.pop()
            if number == 1 or not _blank(kept):
                stored[number] = kept
        self.rows = dict(sorted(stored.items()))
        self.merges = tuple(merges)

    def __repr__(self) -> str:
        return f"RawTab({self.title!r}, {len(self.rows)} rows)"

    @property
    def header(self) -> list[str]:
        return list(self.rows.get(1, []))

    @property
    def last_row(self) -> int:
        """The last row that holds a visible value (0 for an empty tab)."""
        filled = [n for n, cells in self.rows.items() if not _blank(cells)]
        return max(filled, default=0)

    @property
    def values(self) -> list[list[str]]:
        """Dense rows 1..last_row (small tabs and tests only)."""
        return [list(self.rows.get(n, [])) for n in range(1, self.last_row + 1)]

    @property
    def merged_rows(self) -> frozenset[int]:
        """Data rows (2 and below) that hold a stored value and lie inside a merged block."""
        return frozenset(n for n in self.rows if n >= 2 and self.row_merged(n))

    def row_merged(self, row: int) -> bool:
        return any(m.covers_row(row) for m in self.merges)

    def cell_merged(self, row: int, col: int) -> bool:
        return any(m.covers(row, col) for m in self.merges)

    def data_rows(self) -> Iterator[tuple[int, list[str]]]:
        """(sheet row number, cells) for every stored row below the header."""
        for number, cells in self.rows.items():
            if number >= 2:
                yield number, list(cells)

    def cell(self, row: int, col: int) -> str:
        """1-based row and column; '' outside the data."""
        cells = self.rows.get(row)
        if cells is None:
            return ""
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

    kind: str  # "column" (vertical bars), "bar" (horizontal bars: every label fits) or "line"
    title: str
    anchor_row: int  # the chart's top-left cell
    anchor_col: int
    header_row: int  # the row that names the series
    first_row: int  # data rows first..last
    last_row: int
    category_col: int  # labels along the x axis
    series_cols: tuple[int, ...]  # one series per column
    #: the value axis runs 0..y_max in five whole-number steps (None: the program picks)
    y_max: int | None = None


def nice_max(largest: float) -> int:
    """The top of a whole-number value axis in five equal steps of 1, 2, 5, 10, 20, 50, … (5, 10,
    25, 50, 100, 250, …): the smallest one at or above ``largest``."""
    top = max(float(largest), 1.0)
    power = 1
    while True:
        for base in (1, 2, 5):
            if base * power * 5 >= top:
                return base * power * 5
        power *= 10


@dataclass(frozen=True)
class ImageSpec:
    """A picture (PNG bytes) placed over a rebuilt tab, its top-left at a 1-based cell."""

    png: bytes
    anchor_row: int
    anchor_col: int
    width_px: int
    height_px: int


@dataclass
class TabContent:
    """A rebuilt dashboard tab: typed rows from A1, and how it looks (widths and bold rows 1-based)."""

    rows: list[list[Scalar]]
    charts: list[ChartSpec] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    bold_rows: tuple[int, ...] = (1,)
    freeze_rows: int = 1
    images: list[ImageSpec] = field(default_factory=list)


@dataclass
class WriteWindow:
    """An open write on one file: the tabs as they were when it opened (nobody but the owner can
    change them until it closes, on Google), and what the backend needs to close it."""

    titles: dict[str, str]  # wanted name → actual tab title
    tabs: dict[str, RawTab]  # by wanted name, read when the window opened
    token: str = ""
    fences: tuple[int, ...] = ()  # Google: the protected ranges that freeze the tabs
    sheet_ids: dict[str, int] = field(default_factory=dict)
    #: set by finish_write when the close met a missing fence: nothing of it landed unless the
    #: tabs it returned show it (a retried close whose first attempt did land)
    lost: bool = False
    #: windows of runs that died, seen when this one opened: removed after it closes
    stale: tuple[int, ...] = ()
    #: set by finish_write: what every written cell held at the instant of the write, captured in
    #: the same atomic step (wanted name → (row, col) → text) — exact undo and compare-and-set
    #: even for an edit made in the last instant
    before: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
    #: the cells whose instant value matters (staff cells under compare-and-set), set by the writer
    #: before finish_write; a backend may capture more
    capture: dict[str, set[tuple[int, int]]] = field(default_factory=dict)


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

    def replace_tab(
        self,
        title: str,
        rows: Sequence[Sequence[Scalar]],
        *,
        charts: Sequence[ChartSpec] = (),
        widths: Mapping[int, float] | None = None,
        bold_rows: Sequence[int] = (1,),
        freeze_rows: int = 1,
        images: Sequence[ImageSpec] = (),
    ) -> None:
        """Dashboard tabs only: clear ``title`` (values, formats, charts, pictures), then write ``rows``
        from A1 as typed values (numbers stay numbers with a thousands separator — ``#,##0``, or
        ``#,##0.0`` for a fraction —, text is literal, never a formula), bold ``bold_rows``, freeze the
        first ``freeze_rows`` rows, set column ``widths`` (1-based) and add ``charts`` and ``images``.
        The tab must exist (``ensure_tabs``). Google: one spreadsheets.batchUpdate (plus one metadata
        read when the chart ids are not cached); Sheets has no API for a picture over the grid
        without a public URL, so ``images`` are left out there (the report carries them)."""
        raise NotImplementedError

    def replace_tabs(self, tabs: Mapping[str, TabContent]) -> None:
        """:meth:`replace_tab` for several tabs (Google: whole tabs grouped into spreadsheets.batchUpdate
        requests of about 2 MB at most — one for a dashboard of a few hundred teams)."""
        for title, c in tabs.items():
            self.replace_tab(
                title,
                c.rows,
                charts=c.charts,
                widths=c.widths,
                bold_rows=c.bold_rows,
                freeze_rows=c.freeze_rows,
                images=c.images,
            )

    def protect_tab(self, title: str, editors: Sequence[str], description: str) -> None:
        """Only ``editors`` (plus the service account; the owner always can) may edit the whole tab,
        replacing this program's earlier protection of it. A file (xlsx) has no per-person rights:
        there it records nothing and the README says so."""
        raise NotImplementedError

    # -- guarded writes (see automation.sheets.writes) ------------------------------------------

    #: replace_tab places ``images`` (a .xlsx file does; Google Sheets cannot without a public URL)
    places_images: bool = False

    #: True when finish_write's answer is a fresh look at the file (Google), so the write can be
    #: checked against it; False when it would only echo our own memory (xlsx, before the save)
    verifies: bool = True

    def begin_write(self, names: Sequence[str]) -> WriteWindow:
        """Open a write on ``names``: read them fresh (one request). Google also protects the tabs
        for the service account alone until :meth:`finish_write` or :meth:`abort_write`."""
        titles = self.actual_titles(names)
        raws = self.read(list(names))
        return WriteWindow(titles, raws)

    def finish_write(
        self,
        window: WriteWindow,
        cells: Mapping[str, Sequence[CellWrite]],
        appends: Mapping[str, Sequence[Sequence[str]]],
    ) -> dict[str, RawTab] | None:
        """Write ``cells`` (by position, as found in the window's read) and append ``appends`` as one
        unit, close the window, and return the tabs as they are right after (None when the backend
        cannot look again, see :attr:`verifies`). Raises :class:`WindowLostError` when nothing was
        written because the window had been closed by someone else."""
        if any(cells.values()):
            self.write({t: c for t, c in cells.items() if c})
        for title, rows in appends.items():
            if rows:
                self.append(title, rows)
        return self.read(list(window.tabs)) if self.verifies else None

    def abort_write(self, window: WriteWindow) -> None:  # noqa: B027 - optional hook
        """Close a window without writing."""

    def actual_titles(self, names: Sequence[str]) -> dict[str, str]:
        """The actual title of each wanted tab (look-alikes found, see :func:`resolve_titles`)."""
        found = resolve_titles(names, self.list_tabs(), self.location)
        missing = [n for n, t in found.items() if t is None]
        if missing:
            raise TabNotFoundError(f"'{missing[0]}' 탭이 없습니다 ({self.location}). 'onemarket init'을 실행하세요.")
        return {n: t for n, t in found.items() if t is not None}

    def rename_tab(self, title: str, new_title: str) -> None:
        """Rename one tab (init puts a look-alike title back to the schema's spelling)."""
        raise NotImplementedError

    def hide_tab(self, title: str) -> None:
        """Hide a job-state tab (people can still unhide it; on Google it is also protected)."""
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
