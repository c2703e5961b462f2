"""Spreadsheet state and A1 ranges for the loopback Sheets server (:mod:`gsheets_server`).

Follows the public Sheets API v4 reference for what onemarket uses. Values are stored as text;
trailing empty cells and rows are trimmed on read, as Google does. Values outside a sheet's grid
(default 1000 rows x 26 columns) are refused with Google's "exceeds grid limits" 400; an
INSERT_ROWS append grows the rows but not the columns. ``updateCells`` writes typed values
(``stringValue`` literal, ``numberValue`` shown as the number's text, ``formulaValue`` kept as a
formula) and clears values/formats over a range; the typed value of each cell is kept in
``Tab.typed``. Charts (``addChart``/``deleteEmbeddedObject``) live on the sheet of their anchor
cell and are listed by ``spreadsheets.get`` as ``sheets[].charts[]`` with their ``chartId``. Not
modelled: number formats, formula evaluation (a USER_ENTERED formula reads back as
``#FORMULA(...)`` and a USER_ENTERED number loses leading zeros and thousands separators — a
rough imitation so a test can tell RAW from USER_ENTERED), chart rendering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar


class ApiError(Exception):
    """An error answer in Google's JSON format."""

    STATUS: ClassVar[dict[int, str]] = {
        400: "INVALID_ARGUMENT",
        401: "UNAUTHENTICATED",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        429: "RESOURCE_EXHAUSTED",
        500: "INTERNAL",
        502: "UNAVAILABLE",
        503: "UNAVAILABLE",
        504: "DEADLINE_EXCEEDED",
    }

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "status": self.STATUS.get(self.code, "UNKNOWN")}}


@dataclass
class Tab:
    sheet_id: int
    title: str
    rows: list[list[str]] = field(default_factory=list)
    frozen_rows: int = 0
    merges: list[dict[str, Any]] = field(default_factory=list)
    protected: list[dict[str, Any]] = field(default_factory=list)
    validations: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)
    formats: list[dict[str, Any]] = field(default_factory=list)
    widths: dict[int, int] = field(default_factory=dict)  # 0-based column → pixels
    notes: dict[tuple[int, int], str] = field(default_factory=dict)  # 0-based (row, col)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    typed: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)  # updateCells values
    cell_formats: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)  # updateCells formats
    charts: list[dict[str, Any]] = field(default_factory=list)  # {"chartId", "spec", "position"}
    row_count: int = 1000  # the grid: Google rejects values outside it ("exceeds grid limits")
    col_count: int = 26
    hidden: bool = False

    def values(self) -> list[list[str]]:
        return trim([list(r) for r in self.rows])

    def set(self, r: int, c: int, value: str) -> None:
        while len(self.rows) <= r:
            self.rows.append([])
        row = self.rows[r]
        while len(row) <= c:
            row.append("")
        row[c] = value

    def last_row(self) -> int:
        """Number of rows up to the last non-empty one."""
        rows = self.values()
        return len(rows)

    def properties(self, index: int) -> dict[str, Any]:
        grid: dict[str, Any] = {"rowCount": self.row_count, "columnCount": self.col_count}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        props = {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": grid,
        }
        if self.hidden:
            props["hidden"] = True
        return props


@dataclass
class Book:
    key: str
    title: str
    tabs: list[Tab] = field(default_factory=list)
    shared: bool = True
    next_id: int = 1000

    def tab(self, title: str) -> Tab:
        for t in self.tabs:
            if t.title == title:
                return t
        raise KeyError(title)

    def by_id(self, sheet_id: Any) -> Tab:
        for t in self.tabs:
            if t.sheet_id == sheet_id:
                return t
        raise ApiError(400, f"Invalid requests: No grid with id: {sheet_id}")

    def add(self, title: str, rows: list[list[str]] | None = None) -> Tab:
        if any(t.title.lower() == title.lower() for t in self.tabs):
            raise ApiError(
                400,
                f'Invalid requests[0].addSheet: A sheet with the name "{title}" '
                "already exists. Please enter another name.",
            )
        self.next_id += 1
        data = [list(r) for r in rows or []]
        tab = Tab(
            0 if not self.tabs else self.next_id * 7919 % 2_000_000_000,
            title,
            data,
            row_count=max(1000, len(data)),
            col_count=max(26, *map(len, data), 0),
        )
        self.tabs.append(tab)
        return tab

    def metadata(self) -> dict[str, Any]:
        sheets = []
        for index, t in enumerate(self.tabs):
            sheet: dict[str, Any] = {"properties": t.properties(index)}
            if t.merges:
                sheet["merges"] = [dict(m) for m in t.merges]
            if t.protected:
                sheet["protectedRanges"] = [dict(p) for p in t.protected]
            if t.charts:
                sheet["charts"] = [dict(c) for c in t.charts]
            sheets.append(sheet)
        return {
            "spreadsheetId": self.key,
            "properties": {"title": self.title, "locale": "ko_KR"},
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.key}/edit",
        }


def trim(rows: list[list[str]]) -> list[list[str]]:
    for row in rows:
        while row and row[-1] == "":
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def quote(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def letter(col0: int) -> str:
    out, n = "", col0 + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


_CELL = re.compile(r"^([A-Za-z]{0,3})(\d{0,7})$")


@dataclass(frozen=True)
class Span:
    """A parsed A1 range: 0-based starts, exclusive ends, None = unbounded."""

    tab: Tab
    r0: int
    r1: int | None
    c0: int
    c1: int | None

    def a1(self) -> str:
        end_col = letter(self.c1 - 1) if self.c1 else letter(max(25, self.c0))
        end_row = str(self.r1) if self.r1 else str(max(1000, len(self.tab.rows)))
        return f"{quote(self.tab.title)}!{letter(self.c0)}{self.r0 + 1}:{end_col}{end_row}"


def parse_range(book: Book, text: str) -> Span:
    bad = ApiError(400, f"Unable to parse range: {text}")
    if text.startswith("'"):
        parts, i = [], 1
        while True:
            j = text.find("'", i)
            if j < 0:
                raise bad
            if text[j + 1 : j + 2] == "'":
                parts.append(text[i:j] + "'")
                i = j + 2
                continue
            parts.append(text[i:j])
            rest = text[j + 1 :]
            break
        title = "".join(parts)
        if rest and not rest.startswith("!"):
            raise bad
        cells = rest[1:]
    elif "!" in text:
        title, cells = text.rsplit("!", 1)
    elif any(t.title == text for t in book.tabs):
        title, cells = text, ""
    else:
        title, cells = book.tabs[0].title, text
    try:
        tab = book.tab(title)
    except KeyError:
        raise bad from None
    if not cells:
        return Span(tab, 0, None, 0, None)
    ends = cells.split(":")
    matches = [_CELL.match(e) for e in ends]
    if len(ends) > 2 or not all(matches):
        raise bad
    (c_a, r_a), (c_b, r_b) = (m.groups() for m in (matches[0], matches[-1]))  # type: ignore[union-attr]
    if not (c_a or r_a):
        raise bad
    return Span(
        tab,
        int(r_a) - 1 if r_a else 0,
        int(r_b) if r_b else None,
        _col(c_a) - 1 if c_a else 0,
        _col(c_b) if c_b else None,
    )


def _col(letters: str) -> int:
    return sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(letters.upper())))


def check_grid(span: Span, rows: int, cols: int) -> None:
    """Google's 400 for a range outside the sheet's grid (values and reads alike)."""
    tab = span.tab
    if rows > tab.row_count or cols > tab.col_count:
        cell = f"{letter(max(cols, 1) - 1)}{max(rows, 1)}"
        raise ApiError(
            400,
            f"Range ({quote(tab.title)}!{cell}) exceeds grid limits. Max rows: "
            f"{tab.row_count}, max columns: {tab.col_count}",
        )


def read(span: Span) -> list[list[str]]:
    check_grid(span, span.r1 or 0, span.c1 or 0)
    rows = span.tab.rows[span.r0 : span.r1]
    return trim([list(r[span.c0 : span.c1]) for r in rows])


def cell_text(value: Any, option: str) -> str | None:
    """How a sent JSON value is stored; None leaves the cell unchanged (as Google does)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    if option == "USER_ENTERED":
        if text.startswith("'"):
            return text[1:]
        if re.fullmatch(r"[+-]?\d[\d,]*(\.\d+)?", text):
            number = float(text.replace(",", ""))
            return str(int(number)) if number.is_integer() else str(number)
    return text


def write(span: Span, values: list[list[Any]], option: str, insert_rows: bool = False) -> int:
    """Store ``values`` from the span's top-left cell; ``insert_rows`` grows the grid (append)."""
    if insert_rows:
        span.tab.row_count = max(span.tab.row_count, span.r0 + len(values))
    check_grid(span, span.r0 + len(values), span.c0 + max(map(len, values), default=0))
    if span.r1 is not None and span.r0 + len(values) > span.r1:
        raise ApiError(
            400, f"Requested writing within range [{span.a1()}], but tried writing to row [{span.r0 + len(values)}]"
        )
    count = 0
    for i, row in enumerate(values):
        if span.c1 is not None and span.c0 + len(row) > span.c1:
            raise ApiError(
                400,
                f"Requested writing within range [{span.a1()}], but tried "
                f"writing to column [{letter(span.c0 + len(row) - 1)}]",
            )
        for j, value in enumerate(row):
            text = cell_text(value, option)
            if text is None:
                continue
            pos = (span.r0 + i, span.c0 + j)
            if option == "USER_ENTERED" and text.startswith("="):
                span.tab.formulas[pos] = text
                text = f"#FORMULA({text})"
            else:
                span.tab.formulas.pop(pos, None)
            span.tab.typed.pop(pos, None)
            span.tab.set(*pos, text)
            count += 1
    return count
