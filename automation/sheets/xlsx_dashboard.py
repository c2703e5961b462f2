"""Dashboard tabs in a .xlsx file: typed cell values and openpyxl charts (used by ``XlsxBackend.replace_tab``).

A chart's series are references to the tab's own cells, so Excel and LibreOffice redraw it from
the numbers written beside it; the series names are the header cells' text.
"""

from __future__ import annotations

from typing import Any

from openpyxl.chart import BarChart, LineChart, Reference, Series

from automation.sheets.base import ChartSpec, Scalar


def put_value(cell: Any, value: Scalar) -> None:
    """A typed value: numbers stay numbers, text stays literal text (never a formula)."""
    if isinstance(value, str):
        if value == "":
            return
        cell.value = value
        cell.data_type = "s"
        return
    cell.value = value


def build_chart(ws: Any, spec: ChartSpec) -> Any:
    chart: Any
    if spec.kind == "line":
        chart = LineChart()
    elif spec.kind == "column":
        chart = BarChart()
        chart.type = "col"
    else:
        raise ValueError(f"unknown chart kind {spec.kind!r}")
    chart.title = spec.title
    chart.width, chart.height = 18, 9
    for col in spec.series_cols:
        values = Reference(ws, min_col=col, min_row=spec.first_row, max_row=spec.last_row)
        chart.series.append(Series(values, title=str(ws.cell(row=spec.header_row, column=col).value or "")))
    chart.set_categories(Reference(ws, min_col=spec.category_col, min_row=spec.first_row, max_row=spec.last_row))
    return chart


__all__ = ["build_chart", "put_value"]
