"""One agreement per team: the programme's shapes through the real teams and agreements steps on
.xlsx files — every organisation as 갑, every market as 을, the 과제 by party, the date from the team
or its ceremony, frozen once signed; a one-pair team without 과제 keeps the old document byte for byte."""

from __future__ import annotations

import re
import shutil
import subprocess

import openpyxl
import pytest

from automation.documents.docx import document_lines
from tests.step_helpers import match_rows, run_step, set_match_cell, workbook
from tests.test_documents_render import assert_same_parts
from tests.test_teams_step import YEAR, markets, orgs, pair, set_team_cell, task_rows

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDF = 'pdf = "always"\n'


def _docs(tmp_path, suffix: str = ".docx") -> dict[str, object]:
    return {p.name.split("_")[0]: p for p in (tmp_path / "agreements").glob(f"*{suffix}")}


def _team(tmp_path, n_orgs: int, n_markets: int, pairs: list[tuple[int, int]], documents: str = 'pdf = "never"\n'):
    rows = [pair(k, o, m, team="공동") for k, (o, m) in enumerate(pairs, start=1)]
    config = workbook(tmp_path, apps=orgs(n_orgs), markets=markets(n_markets), matches=rows, documents=documents)
    run_step(config, "teams")
    return config


def test_three_bodies_and_one_market_sign_one_agreement_naming_every_party(tmp_path):
    config = _team(tmp_path, 3, 1, [(1, 1), (2, 1), (3, 1)])
    result = run_step(config, "agreements")
    assert result.exit_code == 0
    docs = _docs(tmp_path)
    assert list(docs) == ["공동"]
    lines = document_lines(docs["공동"])
    assert lines[1].startswith(
        "기관1(이하 “갑1”), 기관2(이하 “갑2”), 기관3(이하 “갑3”)(이하 함께 “갑”)과 시장1 상인회(이하 “을”)은 "
    )
    assert "이 협약의 성립을 증명하기 위하여 협약서 5부를 작성하여 서명 날인한 후 각 1부씩 보관한다." in lines
    table = lines[lines.index("구분") :]
    assert table[:4] == ["구분", "기관·시장", "대표자 (서명)", "주소"]
    assert [table[i] for i in range(4, len(table) - 1, 4)][:5] == ["갑1", "갑2", "갑3", "을", "입회"]
    assert lines[-1] == "협약ID 공동 · 1차 · 3사-1시장"
    # every member's 협약서 cell names the one document
    assert {r["협약서"] for r in match_rows(config)} == {f"agreements/{docs['공동'].name}"}


def test_the_articles_list_the_teams_tasks_by_party(tmp_path):
    config = _team(tmp_path, 1, 1, [(1, 1)])
    path = config.workbooks["master"]
    wb = openpyxl.load_workbook(path)
    wb["협력과제"].append(
        ["", "공동", "상인회와 공동 바자회", "행사협력", "공동", "연 2회", "2026-06-01", "", "계획", ""]
    )
    wb["협력과제"].append(["", "공동", "보류한 과제", "기타", "기관", "", "", "", "보류", ""])
    wb.save(path)
    run_step(config, "agreements")
    lines = document_lines(_docs(tmp_path)["공동"])
    joint = lines.index("제4조(공동 협력 사항) 갑과 을은 다음 사항을 함께 추진한다.")
    assert lines[joint + 1] == "1. 상인회와 공동 바자회: 연 2회 (2026-06-01 ~ 협약 기간 끝)"
    org = lines.index("제2조(갑의 협력 사항) 갑은 다음 사항에 협력한다.")
    assert lines[org + 1 : joint - 2] == [
        "1. 전통시장 가는 날 운영: 기관1 임직원이 시장1을 찾아 장보기",
        "2. 전통시장 물품 구매: 기관1의 행사·업무 물품을 시장1에서 구매",
        "3. 온누리상품권 구매 (연 1,200천원): 기관1이 온누리상품권을 연 1,200천원 구매",
        "4. 특화프로그램: 임직원 봉사와 SNS 홍보",
    ]
    assert "보류한 과제" not in "\n".join(lines)
    assert lines[joint - 1] == "1. 유휴공간 제공: 시장1의 고객지원센터 2층 교육장을 기관1의 행사·교육에 제공"


@pytest.mark.parametrize(
    ("team_date", "ceremony", "expected"),
    [
        ("2026-05-16", "", "2026년 5월 16일"),
        ("", "2026-06-20 14:00", "2026년 6월 20일"),
        ("", "", "20    년    월    일"),
    ],
    ids=["team-date", "ceremony-date", "blank-for-handwriting"],
)
def test_the_date_comes_from_the_team_or_its_ceremony(tmp_path, team_date, ceremony, expected):
    config = _team(tmp_path, 2, 1, [(1, 1), (2, 1)])
    if team_date:
        set_team_cell(config, "공동", "협약일", team_date)
    if ceremony:
        wb = openpyxl.load_workbook(config.workbooks["master"])
        wb["협약식"].append(["1", ceremony, "수원 영동시장 2층", ""])
        wb.save(config.workbooks["master"])
    run_step(config, "agreements")
    assert expected in document_lines(_docs(tmp_path)["공동"])


def test_a_signed_team_agreement_is_frozen(tmp_path):
    config = _team(tmp_path, 2, 1, [(1, 1), (2, 1)])
    run_step(config, "agreements")
    first = _docs(tmp_path)["공동"].read_bytes()
    set_team_cell(config, "공동", "상태", "협약체결")
    run_step(config, "teams")
    set_team_cell(config, "공동", "협약일", "2026-05-16")  # would change the document
    result = run_step(config, "agreements")
    report = next(r for r in result.reports if r.step == "협약서")
    assert "협약체결로 고정 1" in report.message
    assert _docs(tmp_path)["공동"].read_bytes() == first


def test_a_one_pair_team_without_tasks_keeps_the_old_document_byte_for_byte(tmp_path):
    before = workbook(tmp_path / "before")
    run_step(before, "agreements")  # no team at all: the pair's own agreement, as before teams
    after = workbook(tmp_path / "after")
    run_step(after, "teams")
    path = after.workbooks["master"]
    wb = openpyxl.load_workbook(path)
    wb["협력과제"].delete_rows(2, wb["협력과제"].max_row)
    wb.save(path)
    assert task_rows(after) == []
    run_step(after, "agreements")
    (old,) = (tmp_path / "before" / "agreements").glob("*.docx")
    (new,) = (tmp_path / "after" / "agreements").glob("*.docx")
    assert old.name == new.name == "M-2026-0001_주식회사 한빛테크_못골시장.docx"
    assert_same_parts(old, new)


def test_a_pair_moved_into_a_team_gets_the_teams_document_and_its_old_one_is_kept_aside(tmp_path):
    config = workbook(tmp_path, apps=orgs(2), markets=markets(1), matches=[pair(1, 1, 1), pair(2, 2, 1)])
    run_step(config, "teams")
    run_step(config, "agreements")
    assert sorted(_docs(tmp_path)) == [f"T-{YEAR}-0001", f"T-{YEAR}-0002"]  # one-pair teams with 과제
    set_match_cell(config, "M-2026-0002", "협약ID", f"T-{YEAR}-0001")
    run_step(config, "teams")
    run_step(config, "agreements")
    assert sorted(_docs(tmp_path)) == [f"T-{YEAR}-0001"]
    # set aside, never deleted: the emptied team's document and the team's earlier, one-pair version
    aside = sorted(p.name for p in (tmp_path / "agreements" / "지난판").glob("*.docx"))
    assert aside == [
        f"T-{YEAR}-0001_기관1 – 시장1 협약_1사-1시장.docx",
        f"T-{YEAR}-0002_기관2 – 시장1 협약_1사-1시장.docx",
    ]
    assert {r["협약서"].split("/")[1].split("_")[0] for r in match_rows(config)} == {f"T-{YEAR}-0001"}


def test_a_held_team_gets_no_document(tmp_path):
    rows = [pair(1, 1, 1, team="A"), pair(2, 1, 1, team="B")]  # the same pair in two teams
    config = workbook(tmp_path, apps=orgs(1), markets=markets(1), matches=rows)
    run_step(config, "teams")
    result = run_step(config, "agreements")
    assert _docs(tmp_path) == {}
    codes = {i.code for r in result.reports for i in r.issues}
    assert "agreement_team_held" in codes


@pytest.mark.skipif(SOFFICE is None or shutil.which("pdftotext") is None, reason="LibreOffice/poppler not installed")
@pytest.mark.parametrize(
    ("shape", "n_orgs", "n_markets", "pairs", "pages"),
    [
        ("1사-1시장", 1, 1, [(1, 1)], 1),
        ("3사-1시장", 3, 1, [(1, 1), (2, 1), (3, 1)], 2),
        ("1사-5시장", 1, 5, [(1, m) for m in range(1, 6)], 2),
    ],
    ids=["two-parties", "four-parties", "six-parties"],
)
def test_team_agreement_pdfs_embed_the_korean_font_and_keep_their_layout(
    tmp_path, shape, n_orgs, n_markets, pairs, pages
):
    config = _team(tmp_path, n_orgs, n_markets, pairs, documents=PDF)
    run_step(config, "agreements")
    (pdf,) = _docs(tmp_path, ".pdf").values()
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "NanumGothic" in fonts and all(" yes " in line for line in fonts.splitlines()[2:])
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(rf"^Pages:\s+{pages}$", info, re.M), info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert shape in text.replace(" ", "") and "입회" in text


def test_team_template_fields_equal_the_context_keys_and_the_generator_builds_it(tmp_path):
    from automation.documents.docx import default_team_template, template_variables
    from automation.documents.team_context import TEAM_FIELDS
    from tests.test_documents_render import _generator, assert_same_parts

    assert template_variables(default_team_template()) == TEAM_FIELDS
    built = tmp_path / "agreement_team.docx"
    _generator().build_team().save(str(built))
    assert_same_parts(default_team_template(), built)


GOLDEN = __import__("pathlib").Path(__file__).parent / "golden" / "agreement_team_3to1.txt"


def test_golden_text_of_a_three_to_one_team(tmp_path):
    import os

    config = _team(tmp_path, 3, 1, [(1, 1), (2, 1), (3, 1)])
    set_team_cell(config, "공동", "협약일", "2024-05-16")
    run_step(config, "agreements")
    lines = document_lines(_docs(tmp_path)["공동"])
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert lines == GOLDEN.read_text(encoding="utf-8").splitlines()
