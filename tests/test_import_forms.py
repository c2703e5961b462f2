"""``import-forms`` on real .xlsx files: filled 신청서 in three formats become new 참여신청 rows once,
whatever staff do to the tab in between; resubmissions are new flagged rows; refusals are named;
``--move`` files them; a pre-intake workbook stops before writing; ``run`` takes an inbox."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from automation.config import load_config
from automation.pipeline.runner import STEP_BY_NAME, run
from tests.conftest import write_config
from tests.form_fill import fill_docx, fill_hwpx, to_hwp
from tests.pair_helpers import APP
from tests.step_helpers import BASE, set_app_cell, tab_rows, workbook
from tests.test_cli import cli
from tests.test_intake_forms import BLANK, FILLED

STAFF_ROW = {**APP, "application_id": "A-2026-0001"}


def forms(folder: Path, **orgs: str) -> Path:
    """One filled form per keyword: file name (its suffix picks the format) → organisation name."""
    folder.mkdir(parents=True, exist_ok=True)
    for n, (stem, org) in enumerate(orgs.items()):
        values = {**FILLED, "기관(기업)명": org, "사업자등록번호": ""}
        kind = ("docx", "hwpx", "hwp")[n % 3]
        data = fill_docx(BLANK["docx"], values) if kind == "docx" else fill_hwpx(BLANK["hwpx"], values)
        if kind == "hwp":
            data = to_hwp(data)
        (folder / f"{stem}.{kind}").write_bytes(data)
    return folder


def import_forms(config, *paths: Path, move: bool = False, dry_run: bool = False):
    result = run(
        config, dry_run=dry_run, steps=[STEP_BY_NAME["import-forms"]], options={"paths": list(paths), "move": move}
    )
    return result, result.details["import-forms"]


def test_three_formats_become_three_rows_with_ids_and_sources(tmp_path: Path) -> None:
    config = workbook(tmp_path, apps=[STAFF_ROW])
    inbox = forms(tmp_path / "inbox", a="가나상사", b="다라협회", c="마바대학")
    result, outcome = import_forms(config, inbox)
    assert result.exit_code == 0
    assert [f.status for f in outcome.files] == ["imported"] * 3
    rows = tab_rows(config, "참여신청")
    assert rows[0]["기관명"] == APP["org_name"]  # the staff row, untouched
    new = rows[1:]
    assert [r["기관명"] for r in new] == ["가나상사", "다라협회", "마바대학"]
    assert [r["신청ID"] for r in new] == [f"A-{r['신청ID'][2:6]}-{n:04d}" for n, r in zip((2, 3, 4), new, strict=True)]
    assert [r["원본파일"].split(" #")[0] for r in new] == ["a.docx", "b.hwpx", "c.hwp"]
    assert all(r["접수일"] and r["이메일"] == "hong@example.com" and r["제3자제공동의"] == "N" for r in new)
    assert outcome.files[0].text().startswith("[가져옴] a.docx → ")


def test_the_same_file_twice_adds_nothing_even_after_staff_sort_and_edit(tmp_path: Path) -> None:
    config = workbook(tmp_path, apps=[STAFF_ROW])
    inbox = forms(tmp_path / "inbox", a="가나상사", b="다라협회")
    import_forms(config, inbox)
    # staff sort the tab by name (descending), insert an empty row, edit a cell of an imported row
    wb = openpyxl.load_workbook(config.workbooks["master"])
    ws = wb["참여신청"]
    body = sorted(
        (list(r) for r in ws.iter_rows(min_row=2, values_only=True) if any(r)), key=lambda r: str(r[2]), reverse=True
    )
    ws.delete_rows(2, ws.max_row)
    ws.insert_rows(2)
    for r in body:
        ws.append(r)
    wb.save(config.workbooks["master"])
    set_app_cell(config, "담당자명", "직원이 고친 이름", row=3)
    before = tab_rows(config, "참여신청")
    _, outcome = import_forms(config, inbox)
    assert [f.status for f in outcome.files] == ["skipped", "skipped"]
    assert outcome.files[0].reason.startswith("이미 가져온 파일입니다 (A-")
    assert tab_rows(config, "참여신청") == before


def test_a_second_form_of_the_same_organisation_is_a_new_flagged_row(tmp_path: Path) -> None:
    config = workbook(tmp_path, apps=[STAFF_ROW])
    first = tmp_path / "first.docx"
    first.write_bytes(fill_docx(BLANK["docx"], {**FILLED, "기관(기업)명": "한빛테크 주식회사", "사업자등록번호": ""}))
    second = tmp_path / "second.hwpx"
    second.write_bytes(fill_hwpx(BLANK["hwpx"], {**FILLED, "기관(기업)명": "(주)새이름", "사업자등록번호": APP["brn"]}))
    import_forms(config, first, second)
    rows = tab_rows(config, "참여신청")
    assert rows[1]["재제출"] == "재제출 — 먼저 받은 신청: A-2026-0001 (기관명이 같음)"
    assert rows[2]["재제출"] == "재제출 — 먼저 받은 신청: A-2026-0001 (사업자등록번호가 같음)"
    assert rows[0] == {**rows[0], "기관명": APP["org_name"], "재제출": ""}


def test_refusals_are_named_nothing_is_half_imported_and_move_files_them(tmp_path: Path) -> None:
    config = workbook(tmp_path, apps=[STAFF_ROW])
    inbox = forms(tmp_path / "inbox", a="가나상사")
    (inbox / "memo.docx").write_bytes(b"hello")
    (inbox / "mangled.docx").write_bytes(fill_docx(BLANK["docx"], {**FILLED, "주소": None, "이메일": None}))
    (inbox / "letter.docx").write_bytes(fill_docx(BLANK["docx"], {k: None for k in FILLED}))
    result, outcome = import_forms(config, inbox, move=True)
    assert result.exit_code == 0  # the step ran; the CLI turns refusals into exit 1
    by_name = {f.path.name: f for f in outcome.files}
    assert by_name["a.docx"].status == "imported"
    assert by_name["memo.docx"].reason.startswith("신청서 파일(.hwpx, .hwp, .docx)이 아닙니다.")
    assert by_name["mangled.docx"].reason == (
        "필수 항목을 찾지 못했습니다: 주소, 이메일. 양식의 항목 이름을 지우거나 바꾸지 말고 다시 보내 주세요."
    )
    assert by_name["letter.docx"].reason.startswith("참여 신청서로 보이지 않습니다 (알아본 항목 ")
    assert len(tab_rows(config, "참여신청")) == 2
    assert sorted(p.name for p in (inbox / "처리완료").iterdir()) == ["a.docx"]
    assert sorted(p.name for p in (inbox / "확인필요").iterdir()) == ["letter.docx", "mangled.docx", "memo.docx"]
    # a folder imported again looks past the two sub-folders
    _, again = import_forms(config, inbox)
    assert again.files == []


def test_dry_run_writes_nothing_and_moves_nothing(tmp_path: Path) -> None:
    config = workbook(tmp_path, apps=[STAFF_ROW])
    inbox = forms(tmp_path / "inbox", a="가나상사")
    before = Path(config.workbooks["master"]).read_bytes()
    _, outcome = import_forms(config, inbox, move=True, dry_run=True)
    assert outcome.files[0].status == "imported" and outcome.files[0].application_id
    assert Path(config.workbooks["master"]).read_bytes() == before
    assert (inbox / "a.docx").exists()


def test_a_workbook_without_the_source_column_stops_before_writing(tmp_path: Path) -> None:
    config = workbook(tmp_path, apps=[STAFF_ROW])
    wb = openpyxl.load_workbook(config.workbooks["master"])
    ws = wb["참여신청"]
    col = next(c.column for c in ws[1] if c.value == "원본파일")
    ws.delete_cols(col)
    wb.save(config.workbooks["master"])
    before = tab_rows(config, "참여신청")
    inbox = forms(tmp_path / "inbox", a="가나상사")
    proc = cli("import-forms", str(inbox), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        "오류: '참여신청' 탭에 '원본파일' 열이 없어 신청서를 가져올 수 없습니다. 'onemarket init'을 실행하면 "
        "열이 생깁니다 (직원이 입력한 값은 그대로 둡니다)."
    )
    assert tab_rows(config, "참여신청") == before  # (작업기록 records the failed command)


def test_cli_lines_and_exit_codes(tmp_path: Path) -> None:
    workbook(tmp_path, apps=[STAFF_ROW])
    inbox = forms(tmp_path / "inbox", a="가나상사")
    proc = cli("import-forms", str(inbox), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "신청서 1개: 가져옴 1, 이미 있음 0, 거부 0"
    assert lines[1].startswith("  [가져옴] a.docx → A-") and lines[1].endswith("(행 3)")
    (inbox / "memo.docx").write_bytes(b"hello")
    proc = cli("import-forms", str(inbox), "--json", cwd=tmp_path)
    assert proc.returncode == 1
    assert '"skipped": 1' in proc.stdout and '"refused": 1' in proc.stdout
    proc = cli("import-forms", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert proc.returncode == 2 and "nowhere'이(가) 없습니다" in proc.stderr
    proc = cli("import-forms", cwd=tmp_path)  # no paths and no [intake] inbox / responses
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        "오류: 가져올 신청서 파일이나 폴더를 적으세요 (예: onemarket import-forms 신청서함/), 또는 설정의 "
        "[intake] inbox / responses를 채우세요."
    )


def test_form_command_writes_both_files(tmp_path: Path) -> None:
    proc = cli("form", "--out", "양식", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1:] == ["  양식/참여신청서.hwpx", "  양식/참여신청서.docx"]
    assert (tmp_path / "양식" / "참여신청서.hwpx").read_bytes()[:2] == b"PK"


def test_run_imports_the_inbox_then_validates_the_new_rows(tmp_path: Path) -> None:
    config = workbook(tmp_path, apps=[STAFF_ROW])
    write_config(tmp_path, BASE + '[documents]\npdf = "never"\n[intake]\ninbox = "신청서함"\n')
    config = load_config(tmp_path / "onemarket.toml")
    inbox = forms(tmp_path / "신청서함", a="가나상사")
    result = run(config, steps=[STEP_BY_NAME["check"], *_intake_and_validate(config)])
    assert result.exit_code in (0, 1)
    rows = tab_rows(config, "참여신청")
    assert rows[1]["기관명"] == "가나상사" and rows[1]["검증결과"] in ("정상", "경고", "오류")
    assert (inbox / "처리완료" / "a.docx").exists()


def _intake_and_validate(config):
    from automation.pipeline.runner import run_order

    steps = run_order(config)
    assert [s.name for s in steps[:3]] == ["check", "import-forms", "validate"]
    return steps[1:3]


@pytest.fixture(autouse=True)
def _no_leftovers(tmp_path: Path):
    yield
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)


# -- Google Forms responses -----------------------------------------------------------------------

RESPONSES_HEADER = [
    "타임스탬프",
    "기관(기업)명을 적어 주세요",
    "기관 유형",
    "주소",
    "담당자 성명",
    "연락처",
    "이메일 주소",
    "협력(희망) 분야",
    "온누리상품권 구매 (연, 천원)",
    "희망시장 1순위",
    "개인정보 수집·이용에 동의합니까?",
    "어떻게 알게 되셨나요?",
]


def response(stamp: str, org: str) -> list[str]:
    return [
        stamp,
        org,
        "중소기업",
        "경기도 수원시 팔달구 효원로 1",
        "홍길동",
        "010-1234-5678",
        "hong@example.com",
        "전통시장 가는 날 운영, 전통시장 물품 구매",
        "500",
        "영동시장",
        "동의함",
        "지인 소개",
    ]


def responses_tab(config, rows: list[list[str]], title: str = "설문지 응답 시트1") -> None:
    wb = openpyxl.load_workbook(config.workbooks["master"])
    if title in wb.sheetnames:
        del wb[title]
    ws = wb.create_sheet(title)
    ws.append(RESPONSES_HEADER)
    for r in rows:
        ws.append(r)
    wb.save(config.workbooks["master"])


def import_responses(config, tab: str = "설문지 응답 시트1"):
    result = run(config, steps=[STEP_BY_NAME["import-forms"]], options={"paths": [], "responses": tab})
    return result, result.details.get("import-forms")


def test_google_forms_responses_once_each_even_after_sorting_and_deleting(tmp_path: Path) -> None:
    config = workbook(tmp_path, apps=[STAFF_ROW])
    first = [response("2026. 5. 2 오전 10:31:05", "가나상사"), response("2026. 5. 3 오후 2:00:00", "다라협회")]
    responses_tab(config, first)
    _, outcome = import_responses(config)
    assert [f.status for f in outcome.files] == ["imported", "imported"]
    rows = tab_rows(config, "참여신청")[1:]
    assert rows[0]["기관명"] == "가나상사" and rows[0]["전통시장가는날"] == "Y" and rows[0]["물품구매"] == "Y"
    assert (
        rows[0]["온누리상품권(천원)"] == "500"
        and rows[0]["개인정보동의"] == "Y"
        and rows[0]["이메일"] == "hong@example.com"
    )
    assert rows[0]["원본파일"].startswith("설문응답 2026. 5. 2 오전 10:31:05 #")
    # staff sort the responses newest first, delete one, and a new response arrives
    responses_tab(config, [response("2026. 5. 4 오전 9:00:00", "마바대학"), first[1]])
    _, outcome = import_responses(config)
    assert [(f.name, f.status) for f in outcome.files] == [
        ("설문응답 2026. 5. 4 오전 9:00:00", "imported"),
        ("설문응답 2026. 5. 3 오후 2:00:00", "skipped"),
    ]
    assert [r["기관명"] for r in tab_rows(config, "참여신청")[1:]] == ["가나상사", "다라협회", "마바대학"]


def test_a_responses_tab_without_a_required_question_stops_before_writing(tmp_path: Path) -> None:
    config = workbook(tmp_path, apps=[STAFF_ROW])
    wb = openpyxl.load_workbook(config.workbooks["master"])
    ws = wb.create_sheet("응답")
    ws.append(["타임스탬프", "회사 이름", "주소"])
    ws.append(["2026. 5. 2", "가나", "수원"])
    wb.save(config.workbooks["master"])
    result, _ = import_responses(config, "응답")
    (report,) = result.reports
    assert report.failed and report.message.startswith(
        "설문 응답 탭 '응답'에서 필수 질문을 찾지 못했습니다: 기관(기업)명, 기관 유형, 담당자 성명, 연락처, 이메일, "
        "개인정보 수집·이용에 동의합니까?."
    )
    assert len(tab_rows(config, "참여신청")) == 1


def test_responses_in_their_own_spreadsheet_are_read_and_never_written(tmp_path: Path) -> None:
    workbook(tmp_path, apps=[STAFF_ROW])
    book = tmp_path / "설문응답.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "설문지 응답 시트1"
    ws.append(RESPONSES_HEADER)
    ws.append(response("2026. 5. 2 오전 10:31:05", "가나상사"))
    wb.save(book)
    before = book.read_bytes()
    write_config(
        tmp_path,
        BASE
        + '[documents]\npdf = "never"\n[intake]\nresponses = "설문지 응답 시트1"\nresponses_workbook = "설문응답.xlsx"\n',
    )
    config = load_config(tmp_path / "onemarket.toml")
    result = run(config, steps=[STEP_BY_NAME["import-forms"]], options={"paths": []})
    assert result.exit_code == 0, [r.message for r in result.reports]
    assert tab_rows(config, "참여신청")[1]["기관명"] == "가나상사"
    assert book.read_bytes() == before


def test_the_extension_does_not_decide_the_format(tmp_path: Path) -> None:
    config = workbook(tmp_path, apps=[STAFF_ROW])
    wrong = tmp_path / "신청서.hwp"
    wrong.write_bytes(fill_docx(BLANK["docx"], FILLED))  # a DOCX saved under an .hwp name
    _, outcome = import_forms(config, wrong)
    assert outcome.files[0].status == "imported"
    assert tab_rows(config, "참여신청")[1]["기관명"] == FILLED["기관(기업)명"]


def test_a_blank_form_is_refused_not_imported(tmp_path: Path) -> None:
    config = workbook(tmp_path, apps=[STAFF_ROW])
    blank = tmp_path / "빈양식.hwpx"
    blank.write_bytes(BLANK["hwpx"])
    _, outcome = import_forms(config, blank)
    assert outcome.files[0].status == "refused"
    assert outcome.files[0].reason == (
        "기관(기업)명이 비어 있습니다. 작성하지 않은 빈 양식이면 채워서, 아니면 기관(기업)명을 적어 다시 보내 주세요."
    )
    assert len(tab_rows(config, "참여신청")) == 1
