"""The signing pack's documents: the running order with the attendee list, the name plates (both
.docx for LibreOffice to turn into PDF) and the bundle of every agreement, each as many copies as
its team has signatories (pypdf). No phone number or e-mail address is ever written here.

Fonts as in the agreements (NanumGothic named for every script, see tools/make_agreement_template.py).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from automation.documents.files import write_atomic
from automation.documents.stable import stable_zip
from automation.errors import DocumentError

FONT = "NanumGothic"


@dataclass(frozen=True)
class Signatory:
    role: str  # 갑1, 을, 입회
    body: str  # 기관명, "○○시장 상인회", 경기지방중소벤처기업청
    title: str  # 대표, 회장, 청장
    name: str = ""  # 대표자 (blank: written by hand)


@dataclass(frozen=True)
class TeamSheet:
    team_id: str
    name: str
    shape: str
    signatories: Sequence[Signatory]
    agreement_pdf: Path | None = None

    @property
    def copies(self) -> int:
        return len(self.signatories)


@dataclass(frozen=True)
class Ceremony:
    round: str
    held_at: str = ""  # as staff typed it (일시)
    place: str = ""
    note: str = ""
    teams: Sequence[TeamSheet] = field(default_factory=tuple)


def set_fonts(doc: DocxDocument) -> None:
    style = doc.styles["Normal"]
    rpr = style.element.get_or_add_rPr()
    fonts = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    rpr.insert(0, fonts)
    style.font.size = Pt(10.5)


def fix_properties(doc: DocxDocument, title: str) -> None:
    """Fixed properties: the same workbook gives the same document."""
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, "onemarket", "onemarket"
    props.revision = 1
    props.created = props.modified = props.last_printed = datetime(2026, 1, 1)


def heading(doc: DocxDocument, text: str, size: float = 16) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(12)
    paragraph.paragraph_format.space_after = Pt(6)
    run = paragraph.add_run(text)
    run.bold, run.font.size = True, Pt(size)


def add_table(doc: DocxDocument, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)  # the grid LibreOffice lays out by
    for r, values in enumerate([header, *rows]):
        row = table.rows[r]
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for c, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = Mm(widths[c])
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(text)
            run.bold = r == 0 or None
            run.font.size = Pt(9.5)


def running_order(ceremony: Ceremony) -> DocxDocument:
    """진행 순서 and 참석자 명단 (team, parties, signatories; no contacts)."""
    doc = Document()
    set_fonts(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    heading(doc, f"제{ceremony.round}차 협약식 진행 순서 및 참석자 명단")
    facts = [("일시", ceremony.held_at or "(미정)"), ("장소", ceremony.place or "(미정)")]
    if ceremony.note:
        facts.append(("비고", ceremony.note))
    doc.add_paragraph(" · ".join(f"{k}: {v}" for k, v in facts))
    teams = len(ceremony.teams)
    doc.add_paragraph(f"협약 {teams}팀, 서명 당사자 {sum(t.copies for t in ceremony.teams)}명 (입회 포함)")
    order = [("1", "개회 및 참석자 소개"), ("2", "협약 취지 설명 (경기지방중소벤처기업청)")]
    for k, team in enumerate(ceremony.teams, start=3):
        order.append((str(k), f"협약서 서명: {team.name} ({team.shape}, {team.team_id})"))
    order += [(str(teams + 3), "기념 촬영"), (str(teams + 4), "폐회")]
    heading(doc, "진행 순서", 12)
    add_table(doc, ["순서", "내용"], order, [14, 156])
    heading(doc, "참석자 명단", 12)
    rows = [
        [team.name if i == 0 else "", s.role, s.body, f"{s.title} {s.name}".strip()]
        for team in ceremony.teams
        for i, s in enumerate(team.signatories)
    ]
    add_table(doc, ["협약", "구분", "기관·시장", "서명자"], rows, [62, 14, 56, 38])
    fix_properties(doc, f"제{ceremony.round}차 협약식 진행 순서")
    return doc


def _plate_size(text: str) -> float:
    """Large type that still fits one line of a landscape A4 page (about 250 mm)."""
    return float(max(28, min(72, int(560 / max(len(text), 1)))))


def name_plates(ceremony: Ceremony) -> DocxDocument:
    """One landscape page per signatory: the body's name in large type, the team underneath."""
    doc = Document()
    set_fonts(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = Mm(60)
    first = True
    for team in ceremony.teams:
        for s in team.signatories:
            paragraph = doc.add_paragraph()
            if not first:
                paragraph.add_run().add_break(WD_BREAK.PAGE)
            first = False
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(s.body)
            run.bold, run.font.size = True, Pt(_plate_size(s.body))
            small = doc.add_paragraph()
            small.alignment = WD_ALIGN_PARAGRAPH.CENTER
            note = small.add_run(f"{s.role} · {team.name}")
            note.font.size = Pt(14)
    fix_properties(doc, f"제{ceremony.round}차 협약식 명패")
    return doc


def save_docx(doc: DocxDocument, out: Path) -> None:
    """Write ``doc`` byte-stable (:func:`~automation.documents.stable.stable_zip`), or say why not."""
    buf = io.BytesIO()
    doc.save(buf)
    try:
        write_atomic(out, stable_zip(buf.getvalue()))
    except OSError as exc:
        raise DocumentError(f"{out}을(를) 쓸 수 없습니다({exc.strerror or exc}). 폴더를 확인하세요.") from exc


def bundle(teams: Sequence[TeamSheet], out: Path) -> int:
    """Every team's agreement PDF, ``copies`` times in a row, into one PDF; the number of pages."""
    writer = PdfWriter()
    for team in teams:
        if team.agreement_pdf is None:
            continue
        try:
            reader = PdfReader(str(team.agreement_pdf))
            pages = list(reader.pages)
        except (OSError, PdfReadError) as exc:
            raise DocumentError(
                f"{team.team_id}의 협약서 PDF {team.agreement_pdf.name}을(를) 읽을 수 없습니다({exc}). "
                "'onemarket agreements'로 다시 만드세요."
            ) from exc
        for _ in range(team.copies):
            for page in pages:
                writer.add_page(page)
    writer.add_metadata({"/Title": "협약서 묶음", "/Producer": "onemarket"})
    write_atomic(out, writer.write)
    return len(writer.pages)
