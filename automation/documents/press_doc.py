"""The 보도자료 draft in the government layout, as .docx (python-docx; LibreOffice makes the PDF)
and .hwpx (python-hwpx): a header box (보도자료 · 보도 시점 · 배포 일시), title and subtitle, □/ㅇ
body bullets, a 담당 부서·담당자·연락처 table and the 붙임 list. Places for staff to write (quotes,
the head's name) are marked 【 … 】. ``PressRelease.text()`` is the same content as plain text (the
golden file of the tests)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from hwpx import HwpxDocument

from automation.documents.ceremony import add_table, fix_properties, set_fonts
from automation.documents.files import write_atomic
from automation.documents.stable import stable_hwpx, stable_zip
from automation.errors import DocumentError


@dataclass(frozen=True)
class PressRelease:
    timing: Sequence[tuple[str, str]]  # (보도 시점, …), (배포 일시, …)
    title: str
    subtitle: Sequence[str]
    body: Sequence[tuple[int, str]]  # (0, "□ …") or (1, "ㅇ …")
    contacts: Sequence[Sequence[str]]  # header row, then rows
    attachments: Sequence[str]
    inputs: str  # 기준 시각 and what the figures count

    def text(self) -> str:
        lines = ["보도자료", *(f"{k}: {v}" for k, v in self.timing), "", self.title]
        lines += [f"- {s} -" for s in self.subtitle]
        lines.append("")
        lines += [("  " * level) + text for level, text in self.body]
        lines += ["", "[담당]", *(" | ".join(r) for r in self.contacts)]
        if self.attachments:
            lines += ["", "붙임", *(f"  {k}. {a}" for k, a in enumerate(self.attachments, start=1))]
        lines += ["", self.inputs]
        return "\n".join(lines) + "\n"


def docx_bytes(press: PressRelease) -> bytes:
    doc = Document()
    set_fonts(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    add_table(doc, ["보도자료", ""], [[k, v] for k, v in press.timing], [40, 130])
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(14)
    run = title.add_run(press.title)
    run.bold, run.font.size = True, Pt(18)
    for line in press.subtitle:
        sub = doc.add_paragraph()
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
        sub.add_run(f"- {line} -").font.size = Pt(12)
    for level, text in press.body:
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.left_indent = Mm(6 * level)
        paragraph.paragraph_format.space_before = Pt(8 if level == 0 else 2)
        paragraph.add_run(text).font.size = Pt(12 if level == 0 else 11)
    doc.add_paragraph()
    add_table(doc, list(press.contacts[0]), [list(r) for r in press.contacts[1:]], [70, 50, 50])
    if press.attachments:
        doc.add_paragraph().add_run("붙임").bold = True
        for k, item in enumerate(press.attachments, start=1):
            doc.add_paragraph(f"  {k}. {item}")
    note = doc.add_paragraph()
    note.add_run(press.inputs).font.size = Pt(8)
    fix_properties(doc, press.title)
    buf = io.BytesIO()
    doc.save(buf)
    return stable_zip(buf.getvalue())


def hwpx_bytes(press: PressRelease) -> bytes:
    doc = HwpxDocument.new()
    header = doc.add_table(1 + len(press.timing), 2)
    header.set_column_widths([25, 75])
    header.set_cell_text(0, 0, "보도자료")
    header.set_cell_shading(0, 0, "#E7EEF7")
    header.merge_cells(0, 0, 0, 1)
    for r, (key, value) in enumerate(press.timing, start=1):
        header.set_cell_text(r, 0, key)
        header.set_cell_text(r, 1, value)
    doc.add_paragraph(press.title)
    for line in press.subtitle:
        doc.add_paragraph(f"- {line} -")
    for level, text in press.body:
        doc.add_paragraph(("  " * level) + text)
    contacts = doc.add_table(len(press.contacts), len(press.contacts[0]))
    for r, row in enumerate(press.contacts):
        for c, value in enumerate(row):
            contacts.set_cell_text(r, c, value)
    if press.attachments:
        doc.add_paragraph("붙임")
        for k, item in enumerate(press.attachments, start=1):
            doc.add_paragraph(f"  {k}. {item}")
    doc.add_paragraph(press.inputs)
    out = io.BytesIO()
    doc.save_to_stream(out)
    return stable_hwpx(out.getvalue())


def write_press(press: PressRelease, folder: Path, stem: str) -> list[Path]:
    written = []
    for suffix, make in ((".hwpx", hwpx_bytes), (".docx", docx_bytes)):
        path = folder / f"{stem}{suffix}"
        try:
            write_atomic(path, make(press))
        except OSError as exc:
            raise DocumentError(
                f"보도자료를 쓰지 못했습니다 ({path}): {exc.strerror or exc}. 폴더를 확인하세요."
            ) from exc
        written.append(path)
    return written
