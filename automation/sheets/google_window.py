"""The guarded write on Google Sheets, as plain request bodies and answer parsers (no HTTP here).

A write window is two ``spreadsheets.batchUpdate`` calls (``GoogleBackend.begin_write`` and
``finish_write``):

1. *open*: ``addProtectedRange`` over each tab the step writes, editable by the service account
   only (the *fence*), with the tabs' values in the same answer
   (``includeSpreadsheetInResponse`` + ``responseIncludeGridData``). From here until the window
   closes, editors cannot insert, delete, sort or type in those tabs, so the positions and values
   just read are the ones the write meets (owners can: see README).
2. *close*: every cell as ``updateCells`` at the position found in step 1, new rows as
   ``appendCells``, then ``deleteProtectedRange`` of the fences — one batch, which Google applies
   as a whole or not at all, with the tabs as they are right after in the answer (the read-back
   that verifies the write, free).

Because the close deletes the fences, it can land only while they exist: a close that timed out
and is still queued at Google can never land after the job gave up and removed the fences itself
(``GoogleBackend._settle``), nor after a person removed the protection. A retried close whose
first attempt did land fails on the missing fence instead of writing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from automation.sheets.base import CellWrite, Merge, RawTab

WINDOW_MARK = "onemarket:window"
#: a window older than this belongs to a run that died (windows normally last a second or two)
WINDOW_TTL = dt.timedelta(minutes=10)
RESPONSE_FIELDS = (
    "replies,updatedSpreadsheet(sheets(properties(sheetId,title,index,gridProperties),merges,"
    "protectedRanges(protectedRangeId,description,range),"
    "data(startRow,startColumn,rowData(values(formattedValue)))))"
)


def window_description(token: str, at: dt.datetime) -> str:
    return f"{WINDOW_MARK} {token} {at.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"


def is_window(description: str) -> bool:
    return description.startswith(WINDOW_MARK)


def window_stale(description: str, now: dt.datetime) -> bool:
    """True for a window description whose time is older than WINDOW_TTL (or unreadable)."""
    parts = description.split()
    try:
        opened = dt.datetime.strptime(parts[2], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except (IndexError, ValueError):
        return True
    return now - opened > WINDOW_TTL


def open_body(
    sheet_ids: Sequence[int], titles: Sequence[str], description: str, editor: str, stale: Sequence[int] = ()
) -> dict[str, Any]:
    """Fence every tab; delete windows left by runs that died; answer with the tabs' values."""
    editors = {"users": [editor]} if editor else {}
    requests: list[dict[str, Any]] = [{"deleteProtectedRange": {"protectedRangeId": pid}} for pid in stale]
    requests += [
        {
            "addProtectedRange": {
                "protectedRange": {
                    "range": {"sheetId": sid},
                    "description": description,
                    "warningOnly": False,
                    "editors": editors,
                }
            }
        }
        for sid in sheet_ids
    ]
    return with_answer(requests, titles)


def quote_title(title: str) -> str:
    """A1 sheet name, always quoted: ``'It''s'``."""
    return "'" + title.replace("'", "''") + "'"


def with_answer(requests: list[dict[str, Any]], titles: Sequence[str]) -> dict[str, Any]:
    return {
        "requests": requests,
        "includeSpreadsheetInResponse": True,
        "responseRanges": [quote_title(t) for t in titles],
        "responseIncludeGridData": True,
    }


def fence_ids(reply: Mapping[str, Any]) -> tuple[int, ...]:
    out = []
    for answer in reply.get("replies", []):
        added = (answer or {}).get("addProtectedRange", {}).get("protectedRange", {})
        if "protectedRangeId" in added:
            out.append(int(added["protectedRangeId"]))
    return tuple(out)


def _cell(value: str) -> dict[str, Any]:
    """Literal text (never a formula); '' empties the cell (the field is in the mask, not the data)."""
    return {"userEnteredValue": {"stringValue": value}} if value != "" else {}


Run = tuple[int, int, list[str]]  # (row, first col, values): adjacent cells of one row


def runs(cells: Sequence[CellWrite]) -> list[Run]:
    """The cells as runs of adjacent cells in a row (the last value for a cell written twice)."""
    latest: dict[tuple[int, int], str] = {}
    for c in cells:
        latest[(c.row, c.col)] = str(c.value)
    out: list[Run] = []
    for (row, col), value in sorted(latest.items()):
        if out and out[-1][0] == row and out[-1][1] + len(out[-1][2]) == col:
            out[-1][2].append(value)
        else:
            out.append((row, col, [value]))
    return out


def cell_requests(sheet_id: int, cells: Sequence[CellWrite]) -> list[dict[str, Any]]:
    """One ``updateCells`` per run of adjacent cells in a row (untouched cells are never sent)."""
    return [_update(sheet_id, (row, col), values) for row, col, values in runs(cells)]


#: a hidden job tab: each close first copies the cells it is about to overwrite here, in the same
#: atomic batch, so the job knows exactly what they held at that instant (a person's last-instant
#: edit is put back; a misplaced write is undone exactly)
SCRATCH = "_작업버퍼"


def capture_requests(sheet_id: int, chosen: Sequence[Run], scratch_id: int, first: int) -> list[dict[str, Any]]:
    """``copyPaste`` of each run to its own row of the scratch tab, from row ``first`` (0-based)."""
    out = []
    for k, (row, col, values) in enumerate(chosen):
        out.append(
            {
                "copyPaste": {
                    "source": {
                        "sheetId": sheet_id,
                        "startRowIndex": row - 1,
                        "endRowIndex": row,
                        "startColumnIndex": col - 1,
                        "endColumnIndex": col - 1 + len(values),
                    },
                    "destination": {
                        "sheetId": scratch_id,
                        "startRowIndex": first + k,
                        "endRowIndex": first + k + 1,
                        "startColumnIndex": 0,
                        "endColumnIndex": len(values),
                    },
                    "pasteType": "PASTE_NORMAL",
                    "pasteOrientation": "NORMAL",
                }
            }
        )
    return out


def captured(scratch: RawTab | None, chosen: Sequence[tuple[str, Run]]) -> dict[str, dict[tuple[int, int], str]]:
    """What each captured run held, read back from the scratch tab (row k = run k)."""
    out: dict[str, dict[tuple[int, int], str]] = {}
    if scratch is None:
        return out
    for k, (name, (row, col, values)) in enumerate(chosen):
        for j in range(len(values)):
            out.setdefault(name, {})[(row, col + j)] = scratch.cell(k + 1, j + 1)
    return out


def _update(sheet_id: int, start: tuple[int, int], values: list[str]) -> dict[str, Any]:
    return {
        "updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": start[0] - 1, "columnIndex": start[1] - 1},
            "rows": [{"values": [_cell(v) for v in values]}],
            "fields": "userEnteredValue",
        }
    }


def append_request(sheet_id: int, rows: Sequence[Sequence[str]]) -> dict[str, Any]:
    """``appendCells``: after the last row with data; Google inserts rows as needed."""
    return {
        "appendCells": {
            "sheetId": sheet_id,
            "fields": "userEnteredValue",
            "rows": [{"values": [_cell(str(v)) for v in row]} for row in rows],
        }
    }


def grow_requests(sheet_id: int, grid: tuple[int, int], need: tuple[int, int]) -> list[dict[str, Any]]:
    """``appendDimension`` for a grid smaller than (rows, cols) — it only ever grows."""
    out = []
    for dim, want, have in (("ROWS", need[0], grid[0]), ("COLUMNS", need[1], grid[1])):
        if want > have:
            out.append({"appendDimension": {"sheetId": sheet_id, "dimension": dim, "length": want - have}})
    return out


def grid_tabs(spreadsheet: Mapping[str, Any]) -> dict[str, RawTab]:
    """RawTabs (by actual title) from an answer's ``updatedSpreadsheet`` with grid data."""
    out: dict[str, RawTab] = {}
    for sheet in spreadsheet.get("sheets", []):
        title = str(sheet.get("properties", {}).get("title", ""))
        blocks = sheet.get("data") or []
        if not blocks:
            continue
        rows: dict[int, list[str]] = {}
        for block in blocks:
            r0, c0 = int(block.get("startRow", 0)), int(block.get("startColumn", 0))
            for i, row in enumerate(block.get("rowData") or []):
                cells = [str(v.get("formattedValue", "")) for v in (row or {}).get("values") or []]
                if c0:
                    cells = [""] * c0 + cells
                rows[r0 + i + 1] = cells
        out[title] = RawTab(title, rows=rows, merges=merges_of(sheet))
    return out


def merges_of(sheet: Mapping[str, Any]) -> list[Merge]:
    out = []
    for m in sheet.get("merges", []) or []:
        out.append(
            Merge(
                int(m.get("startRowIndex", 0)) + 1,
                int(m.get("endRowIndex", 0)),
                int(m.get("startColumnIndex", 0)) + 1,
                int(m.get("endColumnIndex", 0)),
            )
        )
    return out
