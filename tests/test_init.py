"""`onemarket init` on real .xlsx files: exact tabs and headers, repair without loss, idempotent."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from automation.errors import HeaderError
from automation.schema import DASHBOARD_TABS
from automation.setup import jobs
from tests.test_schema import FRESH_HEADERS, TEAM_TABS

RUNLOG = ["기록ID", "실행ID", "시각", "단계", "결과", "건수", "메시지"]


def headers(path, tab):
    ws = openpyxl.load_workbook(path)[tab]
    return [c.value for c in ws[1] if c.value is not None]


def test_init_on_empty_files_yields_exactly_the_design(xlsx_config):
    results = jobs.init(xlsx_config)
    assert all(r.changed for r in results)
    master = xlsx_config.workbooks["master"]
    wb = openpyxl.load_workbook(master)
    assert wb.sheetnames == ["참여신청", "시장", "매칭", "작업기록", *TEAM_TABS, "_작업상태", "_발송기록"]
    assert [ws.title for ws in wb.worksheets if ws.sheet_state == "hidden"] == ["_작업상태", "_발송기록"]
    assert openpyxl.load_workbook(xlsx_config.workbooks["outcomes"]).sheetnames == ["성과보고"]
    assert openpyxl.load_workbook(xlsx_config.workbooks["dashboard"]).sheetnames == list(DASHBOARD_TABS)
    for tab in ("참여신청", "시장"):
        assert headers(master, tab) == FRESH_HEADERS[tab]
    assert headers(master, "매칭") == FRESH_HEADERS["매칭"]
    for tab, expected in TEAM_TABS.items():
        assert headers(master, tab) == expected + (["협약체결"] if tab == "협약식" else [])
    assert headers(master, "작업기록") == RUNLOG
    assert headers(xlsx_config.workbooks["outcomes"], "성과보고") == FRESH_HEADERS["성과보고"]


def test_init_twice_changes_nothing(xlsx_config):
    jobs.init(xlsx_config)
    again = jobs.init(xlsx_config)
    assert not any(r.changed for r in again)
    assert headers(xlsx_config.workbooks["master"], "참여신청") == FRESH_HEADERS["참여신청"]


def test_repair_keeps_staff_columns_in_place_and_appends_missing(xlsx_config):
    jobs.init(xlsx_config)
    path = xlsx_config.workbooks["master"]
    wb = openpyxl.load_workbook(path)
    ws = wb["참여신청"]
    ws.insert_cols(3)
    ws["C1"] = "직원 비고"
    ws["C2"] = "전화 먼저"
    ws["B2"] = "2024-05-02"
    ws.delete_cols(ws.max_column)  # staff deleted 검증메시지
    ws["K1"] = "담당자 연락처"  # renamed 연락처 (an alias; it sits in K after the insert)
    wb.save(path)
    result = jobs.init(xlsx_config)
    assert result[0].headers_added["참여신청"] == ["검증메시지"]
    got = headers(path, "참여신청")
    assert got[:3] == ["신청ID", "접수일", "직원 비고"]
    assert got[-1] == "검증메시지"
    assert "담당자 연락처" in got and "연락처" not in got
    ws = openpyxl.load_workbook(path)["참여신청"]
    assert (ws["B2"].value, ws["C2"].value) == ("2024-05-02", "전화 먼저")


def test_duplicate_header_stops_before_any_write(xlsx_config):
    jobs.init(xlsx_config)
    path = xlsx_config.workbooks["master"]
    wb = openpyxl.load_workbook(path)
    wb["매칭"].cell(row=1, column=20, value="상태")
    wb.save(path)
    files = {role: Path(p).read_bytes() for role, p in xlsx_config.workbooks.items()}
    with pytest.raises(HeaderError) as info:
        jobs.init(xlsx_config)
    assert info.value.message.startswith(
        "'매칭' 탭의 머리글을 자동으로 고칠 수 없습니다: '상태' 머리글이 2번 있습니다 (I열, T열)"
    )
    assert {role: Path(p).read_bytes() for role, p in xlsx_config.workbooks.items()} == files


def test_dropdowns_and_job_column_marks(xlsx_config):
    jobs.init(xlsx_config)
    ws = openpyxl.load_workbook(xlsx_config.workbooks["master"])["참여신청"]
    by_range = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    org_type = by_range["D2:D1048576"]
    assert org_type.formula1.startswith('"대기업,중견기업') and org_type.showErrorMessage
    wish = by_range["R2:R1048576"]
    assert wish.formula1 == "'시장'!$B$2:$B$5000" and not wish.showErrorMessage  # non-strict
    assert by_range["A2:A1048576"].promptTitle == "작업 전용 열"
    assert ws.freeze_panes == "A2"
    assert ws["A1"].comment is not None and "직접 고치지 마세요" in ws["A1"].comment.text


def test_dry_run_writes_nothing(xlsx_config):
    results = jobs.init(xlsx_config, dry_run=True)
    assert results[0].tabs_created == ["참여신청", "시장", "매칭", "작업기록", *TEAM_TABS, "_작업상태", "_발송기록"]
    assert not any(Path(p).exists() for p in xlsx_config.workbooks.values())


def test_init_again_does_not_resave_or_rotate_the_backup(xlsx_config):
    jobs.init(xlsx_config)
    files = {role: Path(p).read_bytes() for role, p in xlsx_config.workbooks.items()}
    jobs.init(xlsx_config)
    assert {role: Path(p).read_bytes() for role, p in xlsx_config.workbooks.items()} == files
