"""In-memory backend for tests: the same contract as the real ones, no storage."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence

from automation.errors import TabNotFoundError
from automation.sheets.base import (
    Backend,
    CellWrite,
    ChartSpec,
    Dropdown,
    HeaderStyle,
    ImageSpec,
    Merge,
    RawTab,
    Scalar,
    WriteWindow,
    resolve_titles,
)


class MemoryBackend(Backend):
    remote = True  # behaves like a shared spreadsheet: tests edit it between requests
    places_images = True

    def __init__(self, tabs: Mapping[str, Sequence[Sequence[str]]] | None = None, location: str = "memory") -> None:
        self.location = location
        self.tabs: dict[str, list[list[str]]] = {title: [list(r) for r in rows] for title, rows in (tabs or {}).items()}
        self.dropdowns: dict[str, list[Dropdown]] = {}
        self.protected: dict[str, tuple[int, ...]] = {}
        self.styles: dict[str, HeaderStyle] = {}
        #: merged blocks per tab (tests set them)
        self.merges: dict[str, list[Merge]] = {}
        #: replace_tab: the typed rows, charts and widths last written to each dashboard tab
        self.typed: dict[str, list[list[Scalar]]] = {}
        self.charts: dict[str, list[ChartSpec]] = {}
        self.widths: dict[str, dict[int, float]] = {}
        self.images: dict[str, list[ImageSpec]] = {}
        self.hidden: set[str] = set()
        #: protect_tab: title → (editors, description)
        self.tab_protection: dict[str, tuple[tuple[str, ...], str]] = {}
        self.requests = 0
        #: called before each write/append with this backend — tests use it to simulate a
        #: person editing the sheet between the job's read and its write
        self.before_write: Callable[[MemoryBackend], None] | None = None
        #: called as ``on_read(self, n)`` before the n-th read (1-based) — a person editing
        #: between the job's first read and the re-read that locates rows for its write
        self.on_read: Callable[[MemoryBackend, int], None] | None = None
        self.reads = 0
        #: called as ``on_request(self, n)`` before every read, write and append (n counts them, 1-based)
        self.on_request: Callable[[MemoryBackend, int], None] | None = None
        self.calls = 0
        #: the request numbers (``calls``) that were closes of a guarded write
        self.closes: list[int] = []

    def _request(self) -> None:
        self.calls += 1
        if self.on_request is not None:
            self.on_request(self, self.calls)

    def list_tabs(self) -> list[str]:
        return list(self.tabs)

    def _title(self, title: str) -> str:
        found = resolve_titles([title], list(self.tabs), self.location)[title]
        if found is None:
            raise TabNotFoundError(f"'{title}' 탭이 없습니다 ({self.location}). 'onemarket init'을 실행하세요.")
        return found

    def read(self, titles: Sequence[str]) -> dict[str, RawTab]:
        self._request()
        self.reads += 1
        if self.on_read is not None:
            self.on_read(self, self.reads)
        self.requests += 1
        return self._snapshot(titles)

    def _snapshot(self, titles: Sequence[str]) -> dict[str, RawTab]:
        out: dict[str, RawTab] = {}
        for title in titles:
            actual = self._title(title)
            out[title] = RawTab(actual, copy.deepcopy(self.tabs[actual]), merges=self.merges.get(actual, []))
        return out

    def finish_write(
        self,
        window: WriteWindow,
        cells: Mapping[str, Sequence[CellWrite]],
        appends: Mapping[str, Sequence[Sequence[str]]],
    ) -> dict[str, RawTab] | None:
        """One request, like Google's close: cells and rows land together and the answer is the tabs
        right after (``before_write`` and ``on_request`` run before it, as a person's edit would)."""
        self._request()
        self.closes.append(self.calls)
        self._hook()
        self.requests += 1
        for name in window.tabs:
            grid = self.tabs[self._title(name)]
            spots = {(c.row, c.col) for c in cells.get(name, ())} | window.capture.get(name, set())
            window.before[name] = {
                (r, c): (grid[r - 1][c - 1] if r <= len(grid) and c <= len(grid[r - 1]) else "") for r, c in spots
            }
        self._put(cells)
        for title, rows in appends.items():
            self._add(title, rows)
        return self._snapshot(list(window.tabs))

    def hide_tab(self, title: str) -> None:
        self.hidden.add(self._title(title))

    def rename_tab(self, title: str, new_title: str) -> None:
        actual = self._title(title)
        self.tabs = {(new_title if t == actual else t): rows for t, rows in self.tabs.items()}

    def _hook(self) -> None:
        if self.before_write is not None:
            hook, self.before_write = self.before_write, None
            hook(self)

    def write(self, updates: Mapping[str, Sequence[CellWrite]]) -> None:
        self._request()
        self._hook()
        self.requests += 1
        self._put(updates)

    def _put(self, updates: Mapping[str, Sequence[CellWrite]]) -> None:
        for title, cells in updates.items():
            rows = self.tabs[self._title(title)]
            for c in cells:
                while len(rows) < c.row:
                    rows.append([])
                row = rows[c.row - 1]
                while len(row) < c.col:
                    row.append("")
                row[c.col - 1] = str(c.value)

    def append(self, title: str, rows: Sequence[Sequence[str]]) -> None:
        self._request()
        self._hook()
        self.requests += 1
        self._add(title, rows)

    def _add(self, title: str, rows: Sequence[Sequence[str]]) -> None:
        data = self.tabs[self._title(title)]
        while data and not any(c != "" for c in data[-1]):
            data.pop()
        data.extend([str(v) for v in r] for r in rows)

    def ensure_tabs(self, titles: Sequence[str]) -> list[str]:
        found = resolve_titles(list(dict.fromkeys(titles)), list(self.tabs), self.location)
        created = [t for t, actual in found.items() if actual is None]
        if created:
            self.requests += 1
            for t in created:
                self.tabs[t] = []
        return created

    def remove_blank_default_tab(self) -> bool:
        for name in ("Sheet1", "시트1", "Sheet"):
            if name in self.tabs and len(self.tabs) > 1 and not any(any(c for c in r) for r in self.tabs[name]):
                del self.tabs[name]
                return True
        return False

    def style_header(self, title: str, style: HeaderStyle) -> None:
        self.styles[title] = style

    def set_dropdowns(self, title: str, dropdowns: Sequence[Dropdown]) -> None:
        self.dropdowns[title] = list(dropdowns)

    def protect_columns(self, title: str, cols: Sequence[int], description: str) -> None:
        self.protected[title] = tuple(cols)

    def _need(self, title: str) -> None:
        if title not in self.tabs:
            raise TabNotFoundError(f"'{title}' 탭이 없습니다 ({self.location}). 'onemarket init'을 실행하세요.")

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
        self._need(title)
        self._hook()
        self.requests += 1
        self.typed[title] = [list(r) for r in rows]
        self.tabs[title] = [[scalar_text(v) for v in r] for r in rows]
        self.charts[title] = list(charts)
        self.widths[title] = dict(widths or {})
        self.images[title] = list(images)

    def protect_tab(self, title: str, editors: Sequence[str], description: str) -> None:
        self._need(title)
        self.tab_protection[title] = (tuple(editors), description)


def scalar_text(value: Scalar) -> str:
    """The text a spreadsheet shows for a typed value (1200.0 → '1200')."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
