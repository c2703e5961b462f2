"""``spreadsheets.batchUpdate`` requests that rebuild a dashboard tab (``GoogleBackend.replace_tab``).

Pure functions on plain values (no HTTP here). The order inside the one batch matters and is:
grow the grid (``appendDimension``) → delete the tab's old charts (``deleteEmbeddedObject``) →
clear every value and format (``updateCells`` over the whole sheet) → write the rows from A1
(``updateCells``; text as ``stringValue``, numbers as ``numberValue`` with a ``#,##0`` number
format, never ``formulaValue``; the bold rows' cells bold) → freeze the header rows
(``updateSheetProperties``) → column widths (``updateDimensionProperties``) → one ``addChart``
per chart (a ``basicChart`` whose domain and series are ranges of the same tab).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from automation.sheets.base import ChartSpec, Scalar

CHART_TYPES = {"column": "COLUMN", "bar": "BAR", "line": "LINE"}
CHART_SIZE = (640, 360)  # pixels
PX_PER_BAR = 22  # a horizontal bar chart grows with its categories so that every label shows
WHOLE = {"type": "NUMBER", "pattern": "#,##0"}
FRACTION = {"type": "NUMBER", "pattern": "#,##0.0"}


def cell_data(value: Scalar) -> dict[str, Any]:
    """One CellData: a number stays a number, text stays literal text, '' is an empty cell."""
    if isinstance(value, bool):  # not a Scalar, but never let True become 1
        return {"userEnteredValue": {"stringValue": "TRUE" if value else "FALSE"}}
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        return {"userEnteredValue": {"numberValue": value}}
    if value == "":
        return {}
    return {"userEnteredValue": {"stringValue": str(value)}}


def styled_cell(value: Scalar, bold: bool) -> dict[str, Any]:
    """:func:`cell_data` with its format: numbers get a thousands separator, bold rows are bold."""
    out = cell_data(value)
    fmt: dict[str, Any] = {}
    if isinstance(value, int | float) and not isinstance(value, bool):
        fmt["numberFormat"] = WHOLE if isinstance(value, int) else FRACTION
    if bold:
        fmt["textFormat"] = {"bold": True}
    if fmt:
        out["userEnteredFormat"] = fmt
    return out


def pixels(width: float) -> int:
    """Column width in characters (as in .xlsx) → pixels, as ``style_header`` converts it."""
    return int(width * 7 + 10)


def grid_range(sheet_id: int, row0: int, row1: int, col0: int, col1: int) -> dict[str, int]:
    """A GridRange from 0-based, end-exclusive indexes."""
    return {
        "sheetId": sheet_id,
        "startRowIndex": row0,
        "endRowIndex": row1,
        "startColumnIndex": col0,
        "endColumnIndex": col1,
    }


def chart_request(sheet_id: int, spec: ChartSpec) -> dict[str, Any]:
    """``addChart``: a basic column or line chart over ``spec``'s block of the tab."""
    if spec.kind not in CHART_TYPES:
        raise ValueError(f"unknown chart kind {spec.kind!r}")
    with_header = spec.header_row == spec.first_row - 1
    top = spec.header_row - 1 if with_header else spec.first_row - 1

    def source(col: int) -> dict[str, Any]:
        return {"sourceRange": {"sources": [grid_range(sheet_id, top, spec.last_row, col - 1, col)]}}

    values_axis = "BOTTOM_AXIS" if spec.kind == "bar" else "LEFT_AXIS"
    value_axis: dict[str, Any] = {"position": values_axis}
    if spec.y_max is not None:
        value_axis["viewWindowOptions"] = {
            "viewWindowMode": "EXPLICIT",
            "viewWindowMin": 0,
            "viewWindowMax": spec.y_max,
        }
    other = {"position": "LEFT_AXIS" if spec.kind == "bar" else "BOTTOM_AXIS"}
    basic: dict[str, Any] = {
        "chartType": CHART_TYPES[spec.kind],
        "legendPosition": "BOTTOM_LEGEND" if len(spec.series_cols) > 1 else "NO_LEGEND",
        "headerCount": 1 if with_header else 0,
        "axis": [other, value_axis],
        "domains": [{"domain": source(spec.category_col)}],
        "series": [{"series": source(col), "targetAxis": values_axis} for col in spec.series_cols],
    }
    width, height = CHART_SIZE
    if spec.kind == "bar":
        height = max(height, 100 + PX_PER_BAR * (spec.last_row - spec.first_row + 1))
    position = {
        "overlayPosition": {
            "anchorCell": {"sheetId": sheet_id, "rowIndex": spec.anchor_row - 1, "columnIndex": spec.anchor_col - 1},
            "widthPixels": width,
            "heightPixels": height,
        }
    }
    return {"addChart": {"chart": {"spec": {"title": spec.title, "basicChart": basic}, "position": position}}}


def needed_grid(
    rows: Sequence[Sequence[Scalar]], charts: Sequence[ChartSpec], widths: Mapping[int, float]
) -> tuple[int, int]:
    """(rows, columns) the sheet's grid must have for the values, the chart anchors and widths."""
    n_rows = max([len(rows), *(c.anchor_row for c in charts), *(c.last_row for c in charts), 1])
    n_cols = max([*(len(r) for r in rows), *(c.anchor_col for c in charts), *widths, 1])
    return n_rows, n_cols


def replace_requests(
    sheet_id: int,
    grid: tuple[int, int],
    old_charts: Sequence[int],
    rows: Sequence[Sequence[Scalar]],
    charts: Sequence[ChartSpec],
    widths: Mapping[int, float],
    bold_rows: Sequence[int] = (1,),
    freeze_rows: int = 1,
) -> list[dict[str, Any]]:
    """Every request of the one batch that rebuilds a tab (see the module docstring)."""
    have_rows, have_cols = grid
    need_rows, need_cols = needed_grid(rows, charts, widths)
    reqs: list[dict[str, Any]] = []
    for dim, need, have in (("ROWS", need_rows, have_rows), ("COLUMNS", need_cols, have_cols)):
        if need > have:
            reqs.append({"appendDimension": {"sheetId": sheet_id, "dimension": dim, "length": need - have}})
    reqs += [{"deleteEmbeddedObject": {"objectId": cid}} for cid in old_charts]
    reqs.append({"updateCells": {"range": {"sheetId": sheet_id}, "fields": "userEnteredValue,userEnteredFormat"}})
    bold = set(bold_rows)
    if rows:
        reqs.append(
            {
                "updateCells": {
                    "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                    "rows": [{"values": [styled_cell(v, n in bold) for v in r]} for n, r in enumerate(rows, start=1)],
                    "fields": "userEnteredValue,userEnteredFormat",
                }
            }
        )
    frozen = min(max(freeze_rows, 0), len(rows)) if rows else 0
    reqs.append(
        {
            "updateSheetProperties": {
                "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": frozen}},
                "fields": "gridProperties.frozenRowCount",
            }
        }
    )
    for col, width in sorted(widths.items()):
        reqs.append(
            {
                "updateDimensionProperties": {
                    "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": col - 1, "endIndex": col},
                    "properties": {"pixelSize": pixels(width)},
                    "fields": "pixelSize",
                }
            }
        )
    reqs += [chart_request(sheet_id, spec) for spec in charts]
    return reqs


def added_chart_ids(reply: Mapping[str, Any]) -> tuple[int, ...]:
    """The chart ids Google gave the ``addChart`` requests of one batchUpdate reply."""
    return tuple(
        int(r["addChart"]["chart"]["chartId"])
        for r in reply.get("replies", [])
        if isinstance(r, Mapping) and "addChart" in r
    )


__all__ = ["added_chart_ids", "cell_data", "chart_request", "needed_grid", "replace_requests", "styled_cell"]
