"""Dashboard tabs in a .xlsx file: typed cell values, number formats, openpyxl charts and pictures
(used by ``XlsxBackend.replace_tab``).

A chart's series are references to the tab's own cells, so Excel and LibreOffice redraw it from
the numbers written beside it; the series names are the header cells' text. Axes are drawn
(openpyxl hides them unless told), category labels are never skipped, and a value axis with
``y_max`` runs in five whole-number steps.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from automation.sheets.base import ChartSpec, ImageSpec, Scalar

WHOLE = "#,##0"
FRACTION = "#,##0.0"
CM_PER_ROW = 0.55  # a horizontal bar chart grows with its categories so that every label shows


def put_value(cell: Any, value: Scalar) -> None:
    """A typed value: numbers stay numbers (with a thousands separator), text stays literal text."""
    if isinstance(value, str):
        if value == "":
            return
        cell.value = value
        cell.data_type = "s"
        return
    cell.value = value
    if isinstance(value, int | float) and not isinstance(value, bool):
        cell.number_format = WHOLE if isinstance(value, int) else FRACTION


def build_chart(ws: Any, spec: ChartSpec) -> Any:
    chart: Any
    if spec.kind == "line":
        chart = LineChart()
    elif spec.kind in ("column", "bar"):
        chart = BarChart()
        chart.type = "col" if spec.kind == "column" else "bar"
    else:
        raise ValueError(f"unknown chart kind {spec.kind!r}")
    chart.title = spec.title
    categories = spec.last_row - spec.first_row + 1
    chart.width = 18
    chart.height = max(9.0, 2.5 + CM_PER_ROW * categories) if spec.kind == "bar" else 9.0
    for col in spec.series_cols:
        values = Reference(ws, min_col=col, min_row=spec.first_row, max_row=spec.last_row)
        chart.series.append(Series(values, title=str(ws.cell(row=spec.header_row, column=col).value or "")))
    chart.set_categories(Reference(ws, min_col=spec.category_col, min_row=spec.first_row, max_row=spec.last_row))
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.tickLblSkip = 1  # every category label
    chart.y_axis.numFmt = WHOLE
    chart.y_axis.majorGridlines = chart.y_axis.majorGridlines
    if spec.kind == "bar":
        chart.x_axis.scaling.orientation = "maxMin"  # first category on top, as in the table
    if spec.y_max is not None:
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = spec.y_max
        chart.y_axis.majorUnit = spec.y_max / 5
    if len(spec.series_cols) == 1:
        chart.legend = None  # one series: its name is the title
    return chart


def add_image(ws: Any, spec: ImageSpec) -> None:
    from openpyxl.drawing.image import Image  # needs Pillow (installed with matplotlib)

    picture = Image(io.BytesIO(spec.png))
    picture.width, picture.height = spec.width_px, spec.height_px
    ws.add_image(picture, f"{get_column_letter(spec.anchor_col)}{spec.anchor_row}")


def fill_tab(
    ws: Any,
    rows: Sequence[Sequence[Scalar]],
    charts: Sequence[ChartSpec],
    widths: Mapping[int, float],
    bold_rows: Sequence[int],
    freeze_rows: int,
    images: Sequence[ImageSpec],
) -> None:
    """Everything ``replace_tab`` puts on a fresh sheet."""
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            put_value(ws.cell(row=r, column=c), value)
    bold = Font(bold=True)
    for r in bold_rows:
        if r <= len(rows):
            for cell in ws[r]:
                cell.font = bold
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    if freeze_rows > 0 and rows:
        ws.freeze_panes = f"A{freeze_rows + 1}"
    for spec in charts:
        ws.add_chart(build_chart(ws, spec), f"{get_column_letter(spec.anchor_col)}{spec.anchor_row}")
    for image in images:
        add_image(ws, image)


__all__ = ["build_chart", "fill_tab", "put_value"]
