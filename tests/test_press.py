"""``onemarket press``: the 보도자료 draft from the team fixture — golden text, the dashboard's figures,
marked places for staff, the 담당 table from ``[press]``, .hwpx and .docx that open, a PDF with
NanumGothic embedded; a wrong call says how to call it."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document
from hwpx import HwpxDocument

from automation.config import Config, PressConfig
from automation.errors import UsageError
from automation.sheets import Workbooks
from automation.summary.press import press, round_release
from automation.summary.step import load_facts, summary
from tests.test_summary import leaks
from tests.test_summary_teams import AT, _books
from tests.validation_helpers import SCHEMAS

GOLDEN = Path(__file__).parent / "golden" / "press_round1.txt"
STAMP = "2026-09-30 10:00"


NO_PRESS = PressConfig()


def _release(config_press: PressConfig = NO_PRESS):  # type: ignore[no-untyped-def]
    facts = load_facts(Workbooks.of(_books()), SCHEMAS)
    return round_release(facts, 1, config_press, AT.date(), STAMP)


def test_golden_text_of_the_first_ceremony():
    assert _release().text() == GOLDEN.read_text(encoding="utf-8")


def test_the_figures_are_the_dashboards():
    backends = _books()
    summary(Workbooks.of(backends), SCHEMAS, today=AT)
    head = {str(r[0]).strip(): r for r in backends["dashboard"].typed["요약"][5:21]}
    text = _release().text()
    first = {k: v[3] for k, v in head.items()}  # the 1차 협약식 column
    assert (
        f"기업·기관 {first['참여 기관']}곳과 전통시장 {first['참여 시장']}곳, {first['협약 팀']}팀 {first['협력과제']}개"
        in text
    )
    assert f"지금까지 모두 {head['협약 팀'][2]}팀" in text and f"온누리상품권 구매 {head['온누리 구매'][2]:,}원" in text


def test_config_fills_the_marked_places():
    filled = _release(PressConfig("지역혁신정책과", "주무관 홍길동", "042-481-0000", "김경기", "누리집에서 신청"))
    text = filled.text()
    assert "지역혁신정책과 | 주무관 홍길동 | 042-481-0000" in text and "김경기 청장은" in text
    assert "【담당자 입력: 청장 인용문】" in text  # the quote is always the staff's to write


def test_files_open_and_hold_no_personal_data(xlsx_config: Config, tmp_path: Path):
    outcome = press(Workbooks.of(_books()), SCHEMAS, xlsx_config, round_=1, today=AT)
    hwpx, docx = outcome.files[:2]
    assert hwpx.name == "보도자료_1차협약식.hwpx" and docx.suffix == ".docx"
    doc = Document(str(docx))
    text = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert outcome.title in text and leaks({"press": [text]}) == []
    opened = HwpxDocument.open(str(hwpx))
    assert outcome.title in opened.text.plain()
    first = [p.read_bytes() for p in outcome.files]
    again = press(Workbooks.of(_books()), SCHEMAS, xlsx_config, round_=1, today=AT)
    assert [p.read_bytes() for p in again.files] == first  # the same workbook, the same .hwpx, .docx (and PDF)


@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdffonts"), reason="LibreOffice/poppler")
def test_the_pdf_is_one_page_with_korean_fonts(xlsx_config: Config):
    outcome = press(Workbooks.of(_books()), SCHEMAS, xlsx_config, round_=1, today=AT)
    pdf = outcome.files[2]
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "NanumGothic" in fonts
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info and "Jan  1 00:00:00 1980" in info  # no creation clock
    again = press(Workbooks.of(_books()), SCHEMAS, xlsx_config, round_=1, today=AT)
    assert again.files[2].read_bytes() == pdf.read_bytes()  # no clock inside: creation date and id fixed


@pytest.mark.parametrize(
    "kw, message",
    [
        pytest.param({}, "--round N(협약식 차수) 또는 --period 2026-05(달) 중 하나만 적으세요.", id="neither"),
        pytest.param(
            {"round_": 1, "month": "2026-05"},
            "--round N(협약식 차수) 또는 --period 2026-05(달) 중 하나만 적으세요.",
            id="both",
        ),
        pytest.param(
            {"round_": 7},
            "7차 협약식에 속한 협약이 없습니다 (협약 탭의 협약식 또는 차수 열을 확인하세요).",
            id="no-such-round",
        ),
    ],
)
def test_wrong_calls(xlsx_config: Config, kw, message):
    with pytest.raises(UsageError) as caught:
        press(Workbooks.of(_books()), SCHEMAS, xlsx_config, today=AT, **kw)
    assert caught.value.message == message


def test_a_month_release_counts_that_month(xlsx_config: Config):
    outcome = press(Workbooks.of(_books()), SCHEMAS, replace(xlsx_config), month="2026-06", today=AT)
    assert outcome.title == "「우리동네 1사-1시장 협력 프로젝트」, 2026년 6월 협력 활동 2건"
