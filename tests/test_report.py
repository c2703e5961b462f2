"""``onemarket report``: the managers' 추진실적 보고 from the team fixture — its figures equal the
dashboard's, its inputs are printed on it, no personal data, the .docx is byte-stable, and the PDF
embeds NanumGothic and is looked at (pdftoppm)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from automation.config import Config
from automation.errors import UsageError
from automation.sheets import Workbooks
from automation.summary.report import month_period, report
from automation.summary.step import summary
from tests.test_summary import leaks
from tests.test_summary_teams import AT, _books
from tests.validation_helpers import SCHEMAS


def _text(path: Path) -> list[str]:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return [p.text for p in doc.paragraphs] + cells


def _report(config: Config, month: str = "2026-06", **kw: object):
    backends = _books()
    outcome = report(Workbooks.of(backends), SCHEMAS, config, month=month, today=AT, **kw)
    summary(Workbooks.of(backends), SCHEMAS, today=AT)
    return outcome, backends["dashboard"].typed


def test_the_report_figures_equal_the_dashboards(xlsx_config):
    outcome, dashboard = _report(xlsx_config)
    docx = outcome.files[0]
    assert docx.name == "추진실적_2026-06.docx" and docx.parent == xlsx_config.documents.output / "보고"
    doc = Document(str(docx))
    figures = {r.cells[0].text.replace("ㄴ ", "").strip(): r.cells[2].text for r in doc.tables[0].rows[1:]}
    head = {str(r[0]).strip(): r[2] for r in dashboard["요약"][5:21]}
    for label, value in head.items():
        shown = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}" if isinstance(value, float) else "—"
        assert figures[label] == shown, label
    month = {r.cells[0].text.strip(): r.cells[3].text for r in doc.tables[0].rows[1:]}
    assert month["활동"] == "2" and month["참여 인원"] == "8"  # 2026-06: 5 + 3 people
    text = _text(docx)
    assert dashboard["요약"][1][0] in text  # the same headline line
    assert "기준: 2026-09-30 10:00 · 이번 기간: 2026-06-01 ~ 2026-06-30" in text[1]
    assert "ㅇ 후속관리 대상 2팀 (마지막 활동 뒤 60일 이상)" in text


def test_no_personal_data_in_the_report(xlsx_config):
    outcome, _ = _report(xlsx_config)
    assert leaks({"report": [_text(outcome.files[0])]}) == []


def test_the_same_workbook_gives_the_same_docx(xlsx_config, tmp_path):
    first, _ = _report(xlsx_config)
    data = first.files[0].read_bytes()
    again, _ = _report(xlsx_config)
    assert again.files[0].read_bytes() == data


@pytest.mark.parametrize(
    "month, expected",
    [
        pytest.param("2026-02", (dt.date(2026, 2, 1), dt.date(2026, 2, 28)), id="february"),
        pytest.param(" 2024-02", (dt.date(2024, 2, 1), dt.date(2024, 2, 29)), id="leap-year"),
        pytest.param(None, (dt.date(2026, 9, 1), dt.date(2026, 9, 30)), id="this-month-last-day"),
        pytest.param("2026-09", (dt.date(2026, 9, 1), dt.date(2026, 9, 30)), id="named-this-month-last-day"),
    ],
)
def test_month_period(month, expected):
    period = month_period(month, dt.date(2026, 9, 30), 60)
    assert (period.since, period.until) == expected


@pytest.mark.parametrize("month", [None, "2026-09"], ids=["this-month", "named-this-month"])
def test_the_month_under_way_ends_today(month):
    period = month_period(month, dt.date(2026, 9, 7), 60)
    assert (period.since, period.until) == (dt.date(2026, 9, 1), dt.date(2026, 9, 7))


def test_a_team_still_in_preparation_is_no_new_signing(xlsx_config):
    from automation.summary.report import report_content
    from automation.summary.step import load_facts

    backends = _books()
    facts = load_facts(Workbooks.of(backends), SCHEMAS)  # T-3 is 준비; T-1, T-2 signed on 2026-05-16
    content, _ = report_content(facts, month_period("2026-05", AT.date(), 60), "2026-09-30 10:00")
    assert content.changes[0].startswith("신규 협약 2팀: ")
    prepared = [dataclasses.replace(t, status="준비") for t in facts.teams]
    content, _ = report_content(
        dataclasses.replace(facts, teams=tuple(prepared)), month_period("2026-05", AT.date(), 60), "2026-09-30 10:00"
    )
    assert content.changes[0] == "신규 협약 0팀"


@pytest.mark.parametrize("month", ["2026-13", "06-2026", "2026/06", ""])
def test_a_wrong_month_says_how_to_write_it(month):
    with pytest.raises(UsageError) as caught:
        month_period(month, dt.date(2026, 9, 30), 60)
    assert caught.value.message == f"--month는 2026-05처럼 연도-월로 적으세요 (받은 값: {month!r})."


@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdffonts"), reason="LibreOffice/poppler")
def test_the_pdf_embeds_korean_fonts_and_is_looked_at(xlsx_config, tmp_path):
    outcome, _ = _report(xlsx_config)
    pdf = next(p for p in outcome.files if p.suffix == ".pdf")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "NanumGothic" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert 2 <= len(pages) <= 4
    from PIL import Image

    for page in pages:  # every page carries something (not a blank sheet)
        image = Image.open(page).convert("L")
        assert image.getextrema()[0] < 200
    again, _ = _report(xlsx_config)
    assert next(p for p in again.files if p.suffix == ".pdf").read_bytes() == pdf.read_bytes()  # no clock inside
