"""`onemarket ceremony --round N`: the signing pack of one round on real .xlsx files and real PDFs —
every agreement as many times as its team has signatories, the running order and attendee list
without contacts, one name plate per signatory; fonts embedded."""

from __future__ import annotations

import re
import shutil
import subprocess

import openpyxl
import pytest

from automation.pipeline.runner import STEP_BY_NAME, run
from tests.step_helpers import run_step, workbook
from tests.test_teams_step import markets, orgs, pair, set_team_cell

pytestmark = pytest.mark.skipif(
    (shutil.which("soffice") or shutil.which("libreoffice")) is None or shutil.which("pdftotext") is None,
    reason="LibreOffice/poppler not installed",
)


def _pages(pdf) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"^Pages:\s+(\d+)$", info, re.M)
    assert found, info
    return int(found.group(1))


def _text(pdf) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _ceremony(config, n: int = 1):
    return run(config, steps=[STEP_BY_NAME["ceremony"]], options={"round": n})


@pytest.fixture
def signed_round(tmp_path):
    rows = [pair(1, 1, 1, team="가평"), pair(2, 2, 1, team="가평"), pair(3, 3, 1, team="가평"), pair(4, 4, 2)]
    config = workbook(tmp_path, apps=orgs(4), markets=markets(2), matches=rows, documents='pdf = "always"\n')
    wb = openpyxl.load_workbook(config.workbooks["master"])
    wb["협약식"].append(["1", "2024-05-16 14:00", "수원 영동시장 2층 대회의실", ""])
    wb.save(config.workbooks["master"])
    run_step(config, "teams")
    run_step(config, "agreements")
    return config


def test_the_signing_pack_of_a_round(tmp_path, signed_round):
    result = _ceremony(signed_round)
    assert result.exit_code == 0, [r.message for r in result.reports]
    folder = tmp_path / "agreements" / "협약식" / "1차"
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "1차_명패.docx",
        "1차_명패.pdf",
        "1차_진행순서_참석자.docx",
        "1차_진행순서_참석자.pdf",
        "1차_협약서묶음.pdf",
    ]
    agreements = {p.name.split("_")[0]: p for p in (tmp_path / "agreements").glob("*.pdf")}
    # 3사-1시장: 3 bodies + 1 market + 입회 = 5 copies; the one-pair team: 3 copies
    expected = 5 * _pages(agreements["가평"]) + 3 * _pages(agreements["T-2026-0001"])
    assert _pages(folder / "1차_협약서묶음.pdf") == expected
    assert _pages(folder / "1차_명패.pdf") == 5 + 3
    order = _text(folder / "1차_진행순서_참석자.pdf").replace(" ", "")
    assert "제1차협약식진행순서및참석자명단" in order and "수원영동시장2층대회의실" in order
    assert "3사-1시장" in order and "갑3" in order and "경기지방중소벤처기업청" in order
    for contact in ("010-2345-6789", "0102345678", "lee@hanbit.example.com", "031-255-0000"):
        assert contact not in order
    for pdf in folder.glob("*.pdf"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "NanumGothic" in fonts, pdf.name
        assert all(" yes " in line for line in fonts.splitlines()[2:]), (pdf.name, fonts)
    plates = _text(folder / "1차_명패.pdf").replace(" ", "")
    assert "기관1" in plates and "시장1상인회" in plates


def test_a_team_of_another_round_or_set_to_another_ceremony_stays_out(tmp_path, signed_round):
    set_team_cell(signed_round, "T-2026-0001", "협약식", "2")
    result = _ceremony(signed_round)
    report = next(r for r in result.reports if r.step == "협약식")
    assert report.counts["협약"] == 1
    assert _pages(tmp_path / "agreements" / "협약식" / "1차" / "1차_명패.pdf") == 5
    second = _ceremony(signed_round, 2)
    assert next(r for r in second.reports if r.step == "협약식").counts["협약"] == 1


def test_a_round_without_teams_says_so(tmp_path, signed_round):
    result = _ceremony(signed_round, 7)
    report = next(r for r in result.reports if r.step == "협약식")
    assert "7차 협약식에 속한 협약이 없습니다" in report.message
    assert not (tmp_path / "agreements" / "협약식" / "7차").exists()


def test_the_same_round_gives_the_same_files(tmp_path, signed_round):
    folder = tmp_path / "agreements" / "협약식" / "1차"
    _ceremony(signed_round)
    first = {p.name: p.read_bytes() for p in folder.iterdir()}
    _ceremony(signed_round)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == first  # .docx and PDF: no clock inside
