"""The managers' 추진실적 보고 as .docx (python-docx; LibreOffice makes the PDF): A4 portrait,
NanumGothic, the headline figures, the map and the monthly chart, teams and 협력과제 by 상태,
우수사례 candidates and the period's changes. Its inputs (기준 시각, period) are printed on it; no
personal data reaches it (the caller passes scrubbed text only)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from automation.documents.ceremony import add_table, fix_properties, heading, save_docx, set_fonts


@dataclass(frozen=True)
class ReportContent:
    title: str  # "1사-1시장 협력 프로젝트 추진실적 보고 (2026년 5월)"
    inputs: str  # "기준: … · 기간: … · 자료: master/outcomes"
    headline: str
    figures: Sequence[tuple[str, str, str, str]]  # 항목, 단위, 누계, 이번 기간 (already formatted)
    map_png: bytes | None
    chart_png: bytes | None
    teams: Sequence[Sequence[str]]  # 협약ID, 협약명, 협약식, 상태, 과제(완료/전체), 기간 활동
    tasks: Sequence[tuple[str, Sequence[Sequence[str]]]]  # 상태 → rows (협약ID, 과제명, 분야, 주체)
    best: Sequence[Sequence[str]]  # 활동일, 시장, 기관, 활동유형, 내용, 수치
    changes: Sequence[str]
    notes: Sequence[str] = field(default_factory=tuple)


def _paragraph(doc: DocxDocument, text: str, size: float = 10, bold: bool = False) -> None:
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.font.size, run.bold = Pt(size), bold or None


def _picture(doc: DocxDocument, png: bytes, width_mm: float) -> None:
    doc.add_picture(io.BytesIO(png), width=Mm(width_mm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _empty(rows: Sequence[Sequence[str]], cols: int, text: str) -> list[list[str]]:
    return [list(r) for r in rows] or [[text, *([""] * (cols - 1))]]


def report_docx(content: ReportContent) -> DocxDocument:
    doc = Document()
    set_fonts(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin = section.bottom_margin = Mm(16)
    heading(doc, content.title, 16)
    _paragraph(doc, content.inputs, 8.5)
    heading(doc, "1. 주요 실적", 12)
    _paragraph(doc, content.headline, 10.5, bold=True)
    add_table(doc, ["항목", "단위", "누계", "이번 기간"], [list(r) for r in content.figures], [62, 18, 47, 47])
    heading(doc, "2. 지역과 추이", 12)
    if content.map_png is not None:
        _picture(doc, content.map_png, 120)
    if content.chart_png is not None:
        _picture(doc, content.chart_png, 160)
    heading(doc, "3. 협약(팀) 현황", 12)
    teams = _empty(content.teams, 6, "확정된 협약이 아직 없습니다.")
    add_table(
        doc, ["협약ID", "협약명", "협약식", "상태", "과제(완료/전체)", "기간 활동"], teams, [29, 57, 22, 18, 26, 22]
    )
    heading(doc, "4. 협력과제 (상태별)", 12)
    for status, rows in content.tasks:
        _paragraph(doc, f"{status} {len(rows)}건", 10, bold=True)
        if rows:
            add_table(doc, ["협약ID", "과제명", "분야", "주체"], [list(r) for r in rows], [29, 87, 36, 22])
    heading(doc, "5. 우수사례 후보", 12)
    best = _empty(content.best, 6, "우수사례추천이 Y인 성과가 없습니다.")
    add_table(doc, ["활동일", "시장", "기관", "활동", "내용", "수치"], best, [24, 24, 28, 22, 48, 28])
    heading(doc, "6. 이번 기간의 변동", 12)
    for line in content.changes:
        _paragraph(doc, f"ㅇ {line}", 10)
    for note in content.notes:
        _paragraph(doc, f"※ {note}", 8.5)
    fix_properties(doc, content.title)
    return doc


def write_report(content: ReportContent, out: Path) -> Path:
    save_docx(report_docx(content), out)
    return out
