"""The blank 참여 신청서 as .docx (python-docx) and .hwpx (python-hwpx), from the form layout.

Both files hold the same table: a shaded title row per section, then one row per line — the label
on the left, the place to write (or the □ boxes to tick) on the right. Boxes are the plain
character □, so ticking means replacing it (■, ☑) or writing next to it (V, ✓) in 한글 or Word —
both survive any editor, unlike form controls. This module is the only one that writes forms.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from hwpx import HwpxDocument

from automation.documents.files import write_atomic
from automation.domain.form_layout import (
    ADDRESSEE,
    CONSENT_NOTE,
    CONSENT_SECTION,
    DATE_LINE,
    HOW_TO,
    PLEDGE,
    SIGNATURE_LINE,
    TITLE,
    Section,
)
from automation.errors import DocumentError

FONT = "NanumGothic"  # as the agreement template (Word substitutes 맑은 고딕; see tools/)


def _rows(sections: tuple[Section, ...]) -> list[tuple[str, str] | str]:
    """Table rows: a section title (str) or (label, blank value)."""
    out: list[tuple[str, str] | str] = []
    for section in sections:
        out.append(section.title)
        out.extend((line.label, line.blank) for line in section.lines)
    return out


def _font(run_or_style: object, size: float | None = None, bold: bool = False) -> None:
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = FONT
    if size:
        font.size = Pt(size)
    font.bold = bold or None
    rpr = run_or_style.element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _shade(cell: object) -> None:
    tcpr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:fill"), "E7EEF7")
    tcpr.append(shd)


def _paragraph(doc: object, text: str, *, size: float = 10.5, bold: bool = False, center: bool = False) -> None:
    p = doc.add_paragraph()  # type: ignore[attr-defined]
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), size, bold)


def docx_bytes(sections: tuple[Section, ...]) -> bytes:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(2.0))
    sec.top_margin, sec.bottom_margin = Cm(1.8), Cm(1.5)
    _font(doc.styles["Normal"], 10)
    _paragraph(doc, TITLE, size=15, bold=True, center=True)
    _paragraph(doc, HOW_TO, size=9)
    rows = _rows(sections)
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for col, width in zip(table.columns, (Cm(5.2), Cm(11.8)), strict=True):
        col.width = width
    for r, row in enumerate(rows):
        left, right = table.cell(r, 0), table.cell(r, 1)
        left.width, right.width = Cm(5.2), Cm(11.8)
        table.rows[r].height = Cm(0.72)
        for cell in (left, right):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        if isinstance(row, str):
            merged = left.merge(right)
            _shade(merged)
            _font(merged.paragraphs[0].add_run(row), 10.5, True)
            if row == CONSENT_SECTION:
                _font(merged.add_paragraph().add_run(CONSENT_NOTE), 8.5)
            continue
        _font(left.paragraphs[0].add_run(row[0]), 10, True)
        if row[1]:
            _font(right.paragraphs[0].add_run(row[1]), 10)
    for text, center in ((PLEDGE, False), (DATE_LINE, True), (SIGNATURE_LINE, True)):
        _paragraph(doc, text, center=center)
    _paragraph(doc, ADDRESSEE, size=12, bold=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def hwpx_bytes(sections: tuple[Section, ...]) -> bytes:
    doc = HwpxDocument.new()
    doc.add_paragraph(TITLE)
    doc.add_paragraph(HOW_TO)
    rows = _rows(sections)
    table = doc.add_table(len(rows), 2)
    table.set_column_widths([30, 70])  # as the .docx: labels left, room to write right
    for r, row in enumerate(rows):
        if isinstance(row, str):
            title = row + (f"  ({CONSENT_NOTE})" if row == CONSENT_SECTION else "")
            table.set_cell_text(r, 0, title)
            table.set_cell_shading(r, 0, "#E7EEF7")
            table.merge_cells(r, 0, r, 1)
            continue
        table.set_cell_text(r, 0, row[0])
        table.set_cell_text(r, 1, row[1])
    for text in (PLEDGE, DATE_LINE, SIGNATURE_LINE, ADDRESSEE):
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save_to_stream(out)
    return out.getvalue()


def write_forms(sections: tuple[Section, ...], folder: Path, stem: str = "참여신청서") -> list[Path]:
    """신청서 .hwpx and .docx in ``folder`` (written atomically)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix, make in ((".hwpx", hwpx_bytes), (".docx", docx_bytes)):
        path = folder / f"{stem}{suffix}"
        try:
            write_atomic(path, make(sections))
        except OSError as exc:
            raise DocumentError(f"신청서를 쓰지 못했습니다 ({path}): {exc}") from exc
        written.append(path)
    return written
