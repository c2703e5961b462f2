"""``spreadsheets:batchUpdate`` requests for the loopback Sheets server, applied to a :class:`Book`.

Each request kind follows the public Sheets API v4 reference as far as onemarket uses it, with
Google's 400 for what Google refuses (an unknown ``sheetId``, an unknown protected range or
chart id, values outside the grid, an unknown request kind). The server applies a batch
atomically (see :mod:`gsheets_server`).
"""

from __future__ import annotations

import re
from typing import Any

from gsheets_model import ApiError, Book, Tab, letter, parse_range, quote

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _range_key(rng: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(rng.get(k) for k in ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex"))


def apply_request(book: Book, i: int, request: dict[str, Any]) -> dict[str, Any]:
    """One entry of ``spreadsheets:batchUpdate``; returns its reply."""
    if len(request) != 1:
        raise ApiError(400, f"Invalid requests[{i}]: exactly one kind of request expected")
    ((kind, body),) = request.items()
    if kind == "addSheet":
        props = body.get("properties", {})
        if "sheetId" in props and any(t.sheet_id == props["sheetId"] for t in book.tabs):
            raise ApiError(
                400, f"Invalid requests[{i}].addSheet: A sheet with the id {props['sheetId']} already exists."
            )
        tab = book.add(props.get("title") or f"Sheet{len(book.tabs) + 1}")
        if "sheetId" in props:
            tab.sheet_id = int(props["sheetId"])
        grid = props.get("gridProperties", {})
        tab.row_count = int(grid.get("rowCount", tab.row_count))
        tab.col_count = int(grid.get("columnCount", tab.col_count))
        tab.hidden = bool(props.get("hidden", False))
        return {"addSheet": {"properties": tab.properties(book.tabs.index(tab))}}
    if kind == "copyPaste":
        copy_paste(book, i, body)
        return {}
    if kind == "deleteSheet":
        tab = book.by_id(body.get("sheetId"))
        if len(book.tabs) == 1:
            raise ApiError(400, f"Invalid requests[{i}].deleteSheet: You can't remove all the sheets in a document.")
        book.tabs.remove(tab)
    elif kind == "updateSheetProperties":
        props = body.get("properties", {})
        tab = book.by_id(props.get("sheetId"))
        fields = body.get("fields", "")
        if "frozenRowCount" in fields or fields == "*":
            tab.frozen_rows = int(props.get("gridProperties", {}).get("frozenRowCount", 0))
        if "title" in fields.split(",") and props.get("title"):
            tab.title = props["title"]
        if "hidden" in fields.split(",") or fields == "*":
            tab.hidden = bool(props.get("hidden", False))
        grid = props.get("gridProperties", {})
        if "rowCount" in fields and "rowCount" in grid:
            tab.row_count = int(grid["rowCount"])
            del tab.rows[tab.row_count :]
        if "columnCount" in fields and "columnCount" in grid:
            tab.col_count = int(grid["columnCount"])
            tab.rows = [r[: tab.col_count] for r in tab.rows]
    elif kind == "appendDimension":
        tab = book.by_id(body.get("sheetId"))
        if body.get("dimension") == "ROWS":
            tab.row_count += int(body.get("length", 0))
        else:
            tab.col_count += int(body.get("length", 0))
    elif kind == "repeatCell":
        book.by_id(body["range"].get("sheetId")).formats.append(body)
    elif kind == "updateDimensionProperties":
        rng = body["range"]
        tab = book.by_id(rng.get("sheetId"))
        if rng.get("dimension") == "COLUMNS" and "pixelSize" in body.get("properties", {}):
            for col in range(rng.get("startIndex", 0), rng.get("endIndex", 0)):
                tab.widths[col] = int(body["properties"]["pixelSize"])
    elif kind == "setDataValidation":
        rng = body["range"]
        tab = book.by_id(rng.get("sheetId"))
        rule = body.get("rule")
        if rule is None:
            tab.validations.pop(_range_key(rng), None)
            return {}
        condition = rule.get("condition", {})
        if condition.get("type") not in ("ONE_OF_LIST", "ONE_OF_RANGE"):
            raise ApiError(400, f"Invalid requests[{i}].setDataValidation: unsupported type")
        if condition["type"] == "ONE_OF_RANGE":
            source = condition.get("values", [{}])[0].get("userEnteredValue", "")
            if not source.startswith("="):
                raise ApiError(400, f"Invalid requests[{i}].setDataValidation: Invalid ConditionValue.userEnteredValue")
            parse_range(book, source[1:])
        tab.validations[_range_key(rng)] = body
    elif kind == "addProtectedRange":
        protected = dict(body["protectedRange"])
        tab = book.by_id(protected.get("range", {}).get("sheetId"))
        users = protected.get("editors", {}).get("users", [])
        if not isinstance(users, list) or not all(isinstance(u, str) and _EMAIL.fullmatch(u) for u in users):
            raise ApiError(400, f"Invalid requests[{i}].addProtectedRange: Invalid editors: {users}")
        book.next_id += 1
        protected["protectedRangeId"] = book.next_id
        tab.protected.append(protected)
        return {"addProtectedRange": {"protectedRange": protected}}
    elif kind == "deleteProtectedRange":
        pid = body.get("protectedRangeId")
        for tab in book.tabs:
            kept = [p for p in tab.protected if p["protectedRangeId"] != pid]
            if len(kept) != len(tab.protected):
                tab.protected = kept
                return {}
        raise ApiError(400, f"Invalid requests[{i}].deleteProtectedRange: No protected range with id: {pid}")
    elif kind == "updateCells":
        update_cells(book, i, body)
    elif kind == "appendCells":
        append_cells(book, i, body)
    elif kind == "addChart":
        return {"addChart": {"chart": add_chart(book, i, body.get("chart", {}))}}
    elif kind == "deleteEmbeddedObject":
        oid = body.get("objectId")
        for tab in book.tabs:
            kept = [c for c in tab.charts if c["chartId"] != oid]
            if len(kept) != len(tab.charts):
                tab.charts = kept
                return {}
        raise ApiError(400, f"Invalid requests[{i}].deleteEmbeddedObject: No object with id: {oid}")
    elif kind == "mergeCells":
        book.by_id(body["range"].get("sheetId")).merges.append(dict(body["range"]))
    else:
        raise ApiError(
            400, f"Invalid JSON payload received. Unknown name \"{kind}\" at 'requests[{i}]': Cannot find field."
        )
    return {}


def _store(tab: Tab, pos: tuple[int, int], value: dict[str, Any] | None) -> None:
    """One cell's userEnteredValue (None or {} empties the cell)."""
    tab.formulas.pop(pos, None)
    tab.typed.pop(pos, None)
    if not value:
        if pos[0] < len(tab.rows) and pos[1] < len(tab.rows[pos[0]]):
            tab.rows[pos[0]][pos[1]] = ""
        return
    if len(value) != 1:
        raise ApiError(400, "Invalid value at 'userEnteredValue': exactly one kind of value expected")
    ((kind, raw),) = value.items()
    if kind == "stringValue":
        text = str(raw)
    elif kind == "numberValue":
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ApiError(400, f"Invalid value at 'numberValue' ({raw!r})")
        text = str(int(raw)) if float(raw).is_integer() else str(raw)
    elif kind == "boolValue":
        text = "TRUE" if raw else "FALSE"
    elif kind == "formulaValue":
        tab.formulas[pos] = str(raw)
        text = f"#FORMULA({raw})"
    else:
        raise ApiError(400, f"Invalid JSON payload received. Unknown name \"{kind}\" at 'userEnteredValue'")
    tab.typed[pos] = {kind: raw}
    tab.set(*pos, text)


def _bounds(tab: Tab, rng: dict[str, Any]) -> tuple[int, int, int, int]:
    """0-based, end-exclusive (rows, cols) of a GridRange; missing ends mean the whole grid."""
    return (
        int(rng.get("startRowIndex", 0)),
        int(rng.get("endRowIndex", tab.row_count)),
        int(rng.get("startColumnIndex", 0)),
        int(rng.get("endColumnIndex", tab.col_count)),
    )


def _within(inner: dict[str, Any], outer: tuple[int, int, int, int], tab: Tab) -> bool:
    r0, r1, c0, c1 = _bounds(tab, inner)
    return outer[0] <= r0 and r1 <= outer[1] and outer[2] <= c0 and c1 <= outer[3]


def update_cells(book: Book, i: int, body: dict[str, Any]) -> None:
    """``updateCells``: notes, typed values, or clearing values/formats over ``range``."""
    where = body.get("start") or body.get("range") or {}
    tab = book.by_id(where.get("sheetId"))
    fields = {f.strip() for f in body.get("fields", "").split(",") if f.strip()}
    if not fields:
        raise ApiError(400, f"Invalid requests[{i}].updateCells: 'fields' is required")
    rows = body.get("rows")
    if "start" in body:
        r0, c0 = int(where.get("rowIndex", 0)), int(where.get("columnIndex", 0))
    else:
        r0, _, c0, _ = _bounds(tab, where)
    if rows is None:  # clear the range
        box = _bounds(tab, where)
        if "userEnteredValue" in fields:
            for r in range(box[0], min(box[1], len(tab.rows))):
                for c in range(box[2], min(box[3], len(tab.rows[r]))):
                    _store(tab, (r, c), None)
        if "userEnteredFormat" in fields:
            tab.formats = [f for f in tab.formats if not _within(f["range"], box, tab)]
            tab.cell_formats = {
                k: v for k, v in tab.cell_formats.items() if not (box[0] <= k[0] < box[1] and box[2] <= k[1] < box[3])
            }
        if "note" in fields:
            tab.notes = {
                k: v for k, v in tab.notes.items() if not (box[0] <= k[0] < box[1] and box[2] <= k[1] < box[3])
            }
        return
    last_row = r0 + len(rows)
    last_col = c0 + max((len(r.get("values", [])) for r in rows), default=0)
    if last_row > tab.row_count or last_col > tab.col_count:
        raise ApiError(
            400,
            f"Invalid requests[{i}].updateCells: Range ({quote(tab.title)}!"
            f"{letter(max(last_col, 1) - 1)}{last_row}) exceeds grid limits. Max rows: "
            f"{tab.row_count}, max columns: {tab.col_count}",
        )
    for dr, row in enumerate(rows):
        for dc, cell in enumerate(row.get("values", [])):
            pos = (r0 + dr, c0 + dc)
            if "note" in fields:
                tab.notes[pos] = cell.get("note", "")
            if "userEnteredFormat" in fields:
                tab.cell_formats.pop(pos, None)
                if cell.get("userEnteredFormat"):
                    tab.cell_formats[pos] = cell["userEnteredFormat"]
            if "userEnteredValue" in fields:
                _store(tab, pos, cell.get("userEnteredValue"))
                _format_number(tab, pos)


def _format_number(tab: Tab, pos: tuple[int, int]) -> None:
    """A number shows as its number format says (FORMATTED_VALUE reads), for the patterns the jobs use."""
    raw = tab.typed.get(pos, {}).get("numberValue")
    pattern = tab.cell_formats.get(pos, {}).get("numberFormat", {}).get("pattern")
    if raw is None or pattern not in ("#,##0", "#,##0.0"):
        return
    tab.set(*pos, f"{raw:,.0f}" if pattern == "#,##0" else f"{raw:,.1f}")


_CHART_TYPES = frozenset({"BAR", "LINE", "AREA", "COLUMN", "SCATTER", "COMBO", "STEPPED_AREA"})


def _check_sources(book: Book, i: int, source: dict[str, Any], what: str) -> None:
    ranges = source.get("sourceRange", {}).get("sources", [])
    if not ranges:
        raise ApiError(400, f"Invalid requests[{i}].addChart: {what} must have a sourceRange")
    for rng in ranges:
        book.by_id(rng.get("sheetId"))


def add_chart(book: Book, i: int, chart: dict[str, Any]) -> dict[str, Any]:
    """``addChart``: a basicChart whose ranges name existing sheets; stored on the anchor's sheet."""
    basic = chart.get("spec", {}).get("basicChart")
    if not isinstance(basic, dict) or basic.get("chartType") not in _CHART_TYPES:
        raise ApiError(400, f"Invalid requests[{i}].addChart: only basicChart with a chartType is modelled")
    for domain in basic.get("domains", []):
        _check_sources(book, i, domain.get("domain", {}), "domain")
    if not basic.get("series"):
        raise ApiError(400, f"Invalid requests[{i}].addChart: a chart needs at least one series")
    for series in basic["series"]:
        _check_sources(book, i, series.get("series", {}), "series")
    anchor = chart.get("position", {}).get("overlayPosition", {}).get("anchorCell", {})
    tab = book.by_id(anchor.get("sheetId"))
    row, col = int(anchor.get("rowIndex", 0)), int(anchor.get("columnIndex", 0))
    if row >= tab.row_count or col >= tab.col_count:
        raise ApiError(400, f"Invalid requests[{i}].addChart: anchor cell ({row}, {col}) is outside the grid")
    book.next_id += 1
    stored = {
        "chartId": book.next_id * 104729 % 2_000_000_000,
        "spec": chart["spec"],
        "position": chart.get("position", {}),
    }
    tab.charts.append(stored)
    return dict(stored)


def append_cells(book: Book, i: int, body: dict[str, Any]) -> None:
    """``appendCells``: rows after the last row with data; rows are inserted when the grid is too
    small, columns are not (Google's "exceeds grid limits" then)."""
    tab = book.by_id(body.get("sheetId"))
    fields = {f.strip() for f in body.get("fields", "").split(",") if f.strip()}
    if "userEnteredValue" not in fields:
        raise ApiError(400, f"Invalid requests[{i}].appendCells: 'fields' must name userEnteredValue here")
    rows = body.get("rows", [])
    start = tab.last_row()
    width = max((len(r.get("values", [])) for r in rows), default=0)
    if width > tab.col_count:
        raise ApiError(
            400,
            f"Invalid requests[{i}].appendCells: Range ({quote(tab.title)}!"
            f"{letter(width - 1)}{start + 1}) exceeds grid limits. Max columns: {tab.col_count}",
        )
    tab.row_count = max(tab.row_count, start + len(rows))
    for dr, row in enumerate(rows):
        for dc, cell in enumerate(row.get("values", [])):
            _store(tab, (start + dr, dc), cell.get("userEnteredValue"))


def spreadsheet_with_grid(book: Book, ranges: list[str], grid: bool) -> dict[str, Any]:
    """``updatedSpreadsheet`` of a batchUpdate answer: the metadata, and with ``grid`` the
    ``formattedValue`` of every cell in ``ranges`` (whole tabs here) as GridData."""
    meta = book.metadata()
    if not grid:
        return meta
    wanted: dict[int, list[Any]] = {}
    for text in ranges:
        span = parse_range(book, text)
        wanted.setdefault(span.tab.sheet_id, []).append(span)
    for sheet in meta["sheets"]:
        sid = sheet["properties"]["sheetId"]
        if sid not in wanted:
            continue
        tab = book.by_id(sid)
        blocks = []
        for span in wanted[sid]:
            rows = tab.rows[span.r0 : span.r1]
            blocks.append(
                {
                    "startRow": span.r0,
                    "startColumn": span.c0,
                    "rowData": [
                        {"values": [({"formattedValue": v} if v != "" else {}) for v in r[span.c0 : span.c1]]}
                        if r
                        else {}
                        for r in rows
                    ],
                }
            )
        sheet["data"] = blocks
    return meta


def copy_paste(book: Book, i: int, body: dict[str, Any]) -> None:
    """``copyPaste`` of values (PASTE_NORMAL or PASTE_VALUES; formats are not modelled) from one
    GridRange to another of the same size; the destination must lie inside its grid."""
    src, dst = body.get("source", {}), body.get("destination", {})
    if body.get("pasteType", "PASTE_NORMAL") not in ("PASTE_NORMAL", "PASTE_VALUES"):
        raise ApiError(400, f"Invalid requests[{i}].copyPaste: pasteType not modelled here")
    a, b = book.by_id(src.get("sheetId")), book.by_id(dst.get("sheetId"))
    r0, r1 = int(src.get("startRowIndex", 0)), int(src.get("endRowIndex", a.row_count))
    c0, c1 = int(src.get("startColumnIndex", 0)), int(src.get("endColumnIndex", a.col_count))
    d0, e0 = int(dst.get("startRowIndex", 0)), int(dst.get("startColumnIndex", 0))
    if d0 + (r1 - r0) > b.row_count or e0 + (c1 - c0) > b.col_count:
        raise ApiError(400, f"Invalid requests[{i}].copyPaste: destination exceeds grid limits")
    block = [
        [(a.rows[r][c] if r < len(a.rows) and c < len(a.rows[r]) else "") for c in range(c0, c1)] for r in range(r0, r1)
    ]
    for dr, row in enumerate(block):
        for dc, value in enumerate(row):
            b.set(d0 + dr, e0 + dc, value)
