"""The local .xlsx backend on real files in tmp_path."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from automation.errors import WorkbookError, WorkbookLockedError, WriteConflictError
from automation.sheets.base import CellWrite, transaction
from automation.sheets.xlsx import BACKUP_DIR, XlsxBackend, cell_text


def make_file(path, rows, title="탭"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


TEXT_CASES = [
    ("none", None, ""),
    ("text", "못골시장", "못골시장"),
    ("phone-as-number", 1012345678, "1012345678"),
    ("integral-float", 1000.0, "1000"),
    ("float", 37.82972123, "37.82972123"),
    ("bool", True, "TRUE"),
    ("date", dt.datetime(2024, 5, 2), "2024-05-02"),
    ("datetime", dt.datetime(2024, 5, 2, 10, 31, 5), "2024-05-02 10:31:05"),
    ("formula-as-text", "=1+1", "=1+1"),
]


@pytest.mark.parametrize(("value", "text"), [c[1:] for c in TEXT_CASES], ids=[c[0] for c in TEXT_CASES])
def test_every_cell_is_read_as_text(tmp_path, value, text):
    path = make_file(tmp_path / "a.xlsx", [["머리글"], [value]])
    raw = XlsxBackend(path).read(["탭"])["탭"]
    assert raw.values[1:] == ([[text]] if text else [])
    assert cell_text(value) == text


def test_round_trip_keeps_text_and_never_writes_formulas(tmp_path):
    path = make_file(tmp_path / "a.xlsx", [["A", "B"]])
    b = XlsxBackend(path)
    with transaction(b):
        b.write({"탭": [CellWrite(2, 1, '=IMPORTXML("http://evil")'), CellWrite(2, 2, "01012345678")]})
    ws = openpyxl.load_workbook(path)["탭"]
    assert ws["A2"].data_type == "s"
    assert ws["A2"].value == '=IMPORTXML("http://evil")'
    assert ws["B2"].value == "01012345678"


def test_save_is_atomic_with_a_backup(tmp_path):
    path = make_file(tmp_path / "a.xlsx", [["A"], ["old"]])
    before = path.read_bytes()
    b = XlsxBackend(path)
    with transaction(b):
        b.write({"탭": [CellWrite(2, 1, "new")]})
    assert (tmp_path / BACKUP_DIR / "a.xlsx").read_bytes() == before
    assert XlsxBackend(path).read(["탭"])["탭"].values == [["A"], ["new"]]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_failure_inside_a_transaction_writes_nothing(tmp_path):
    path = make_file(tmp_path / "a.xlsx", [["A"], ["old"]])
    before = path.read_bytes()
    b = XlsxBackend(path)
    with pytest.raises(RuntimeError), transaction(b):
        b.write({"탭": [CellWrite(2, 1, "half")]})
        raise RuntimeError("step crashed")
    assert path.read_bytes() == before


@pytest.mark.parametrize("lock_name", ["~$a.xlsx", ".~lock.a.xlsx#"], ids=["excel", "libreoffice"])
def test_refuses_when_the_file_is_open_in_excel_or_libreoffice(tmp_path, lock_name):
    path = make_file(tmp_path / "a.xlsx", [["A"]])
    b = XlsxBackend(path)
    b.write({"탭": [CellWrite(2, 1, "x")]})
    (tmp_path / lock_name).write_text("owner")
    before = path.read_bytes()
    with pytest.raises(WorkbookLockedError) as info:
        b.commit()
    assert "a.xlsx 파일이 엑셀 또는 리브레오피스에서 열려 있습니다" in info.value.message
    assert "파일을 저장하고 닫은 뒤 다시 실행하세요" in info.value.message
    assert path.read_bytes() == before
    with pytest.raises(WorkbookLockedError):
        XlsxBackend(path)


def test_someone_else_saving_meanwhile_is_not_overwritten(tmp_path):
    path = make_file(tmp_path / "a.xlsx", [["A"], ["old"]])
    b = XlsxBackend(path)
    b.write({"탭": [CellWrite(2, 1, "job")]})
    make_file(path, [["A"], ["person saved this"]])
    with pytest.raises(WriteConflictError):
        b.commit()
    assert XlsxBackend(path).read(["탭"])["탭"].values[1] == ["person saved this"]


def test_reloads_a_file_saved_by_a_person_before_writing(tmp_path):
    path = make_file(tmp_path / "a.xlsx", [["A"], ["old"]])
    b = XlsxBackend(path)
    b.read(["탭"])
    make_file(path, [["A"], ["edited"], ["added"]])
    assert b.read(["탭"])["탭"].values == [["A"], ["edited"], ["added"]]


def test_merged_cells_are_reported_by_row(tmp_path):
    path = make_file(tmp_path / "a.xlsx", [["A", "B"], ["1", "2"], ["3", "4"], ["5", "6"]])
    wb = openpyxl.load_workbook(path)
    wb["탭"].merge_cells("A3:A4")
    wb.save(path)
    assert XlsxBackend(path).read(["탭"])["탭"].merged_rows == {3, 4}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.xls", b"", ".xlsx 파일만 쓸 수 있습니다"),
        ("a.xlsx", b"not a zip", "a.xlsx을(를) .xlsx로 읽을 수 없습니다"),
    ],
    ids=["wrong-extension", "corrupt"],
)
def test_unusable_files_are_clear_errors(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(WorkbookError) as info:
        XlsxBackend(path)
    assert message in info.value.message


def test_missing_file_says_run_init(tmp_path):
    with pytest.raises(WorkbookError, match="'onemarket init'으로 만들거나"):
        XlsxBackend(tmp_path / "nope.xlsx")


def test_append_goes_after_the_last_row(tmp_path):
    path = make_file(tmp_path / "a.xlsx", [["A", "B"], ["1", "2"]])
    b = XlsxBackend(path)
    with transaction(b):
        b.append("탭", [["3", "4"], ["=5", ""]])
    assert XlsxBackend(path).read(["탭"])["탭"].values == [["A", "B"], ["1", "2"], ["3", "4"], ["=5"]]


def test_a_message_of_several_lines_is_wrapped_so_every_line_shows(tmp_path):
    """Measured before: a 검증메시지 with two problems showed only its last line in LibreOffice."""
    import openpyxl

    from automation.sheets.xlsx import _put_text

    wb = openpyxl.Workbook()
    ws = wb.active
    _put_text(ws, 2, 3, "연락처: …\n이메일: …")
    _put_text(ws, 2, 4, "한 줄")
    assert ws.cell(2, 3).alignment.wrap_text and not ws.cell(2, 4).alignment.wrap_text
