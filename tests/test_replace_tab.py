"""Backend.replace_tab and Backend.protect_tab on real .xlsx files, the loopback Google server and
the in-memory backend; and the loopback server's honest refusals of the requests they send."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from gsheets_model import ApiError, Book
from gsheets_requests import apply_request
from gsheets_server import SheetsServer

from automation.errors import GoogleError, TabNotFoundError
from automation.sheets.base import ChartSpec, Scalar
from automation.sheets.memory import MemoryBackend
from automation.sheets.xlsx import XlsxBackend

KEY = "1MasterTestKey_abcdefghij"
EMAIL = "onemarket-bot@test-project.iam.gserviceaccount.com"
ROWS: list[list[Scalar]] = [
    ["시군", "확정 짝", "메모"],
    ["수원시", 3, "=SUM(B2:B3)"],
    ["성남시", 1.5, ""],
    [],
    ["기준: 2024-05-20 09:30"],
]
CHART = ChartSpec(
    "column",
    "시군별 확정 짝",
    anchor_row=2,
    anchor_col=5,
    header_row=1,
    first_row=2,
    last_row=3,
    category_col=1,
    series_cols=(2,),
)
LINE = ChartSpec(
    "line", "추이", anchor_row=20, anchor_col=5, header_row=1, first_row=2, last_row=3, category_col=1, series_cols=(2,)
)


# -- xlsx -------------------------------------------------------------------------------------


def _xlsx(tmp_path: Path) -> XlsxBackend:
    b = XlsxBackend(tmp_path / "dashboard.xlsx", create=True)
    b.ensure_tabs(["요약", "시군별", "월별성과"])
    b.remove_blank_default_tab()
    b.replace_tab("시군별", [["옛 머리글", "옛 값"], ["지울 행", 99]], charts=[CHART, LINE])
    b.commit()
    return b


def test_xlsx_replace_tab_rebuilds_the_sheet_in_place(tmp_path):
    b = XlsxBackend(_xlsx(tmp_path).path)
    b.replace_tab("시군별", ROWS, charts=[CHART], widths={1: 12, 3: 30})
    b.commit()
    wb = openpyxl.load_workbook(tmp_path / "dashboard.xlsx")
    assert wb.sheetnames == ["요약", "시군별", "월별성과"]
    ws = wb["시군별"]
    assert [[c.value for c in r] for r in ws.iter_rows()] == [
        ["시군", "확정 짝", "메모"],
        ["수원시", 3, "=SUM(B2:B3)"],
        ["성남시", 1.5, None],
        [None] * 3,
        ["기준: 2024-05-20 09:30", None, None],
    ]
    assert ws["C2"].data_type == "s" and ws["B2"].data_type == "n"  # text stays text, numbers numbers
    assert all(c.font.b for c in ws[1]) and not ws["A2"].font.b
    assert ws.column_dimensions["A"].width == 12 and ws.column_dimensions["C"].width == 30
    assert [c.title.tx.rich.p[0].r[0].t for c in ws._charts] == ["시군별 확정 짝"]  # the old two are gone
    assert ws._charts[0].series[0].val.numRef.f == "'시군별'!$B$2:$B$3"


def test_xlsx_replace_tab_needs_the_tab_and_protect_tab_records_nothing(tmp_path):
    b = _xlsx(tmp_path)
    with pytest.raises(TabNotFoundError) as caught:
        b.replace_tab("없는탭", ROWS)
    assert (
        caught.value.message
        == "dashboard.xlsx에 '없는탭' 탭이 없습니다. 탭 이름을 되돌리거나 'onemarket init'을 실행하세요."
    )
    before = (tmp_path / "dashboard.xlsx").read_bytes()
    b.protect_tab("시군별", ["manager@gg.go.kr"], "관리자만")
    b.commit()
    assert (tmp_path / "dashboard.xlsx").read_bytes() == before


# -- memory -----------------------------------------------------------------------------------


def test_memory_replace_tab_keeps_typed_rows_charts_and_protection():
    b = MemoryBackend({"요약": [["옛"]]})
    b.replace_tab("요약", ROWS, charts=[CHART], widths={1: 12})
    b.protect_tab("요약", ["a@gg.go.kr"], "관리자만")
    assert b.typed["요약"] == ROWS and b.charts["요약"] == [CHART] and b.widths["요약"] == {1: 12}
    assert b.tabs["요약"][1] == ["수원시", "3", "=SUM(B2:B3)"] and b.tabs["요약"][2][1] == "1.5"
    assert b.tab_protection == {"요약": (("a@gg.go.kr",), "관리자만")}
    with pytest.raises(TabNotFoundError):
        b.replace_tab("시군별", ROWS)


# -- Google -----------------------------------------------------------------------------------


def _batches(server: SheetsServer) -> list[list[str]]:
    return [[next(iter(r)) for r in e.body["requests"]] for e in server.requests("spreadsheets.batchUpdate")]


def test_google_replace_tab_is_one_batch_with_typed_values_and_charts(make_google_backend, gsheets):
    b = make_google_backend({"요약": [["옛 값", "x"], ["지울 행"]], "시군별": []})
    b.replace_tab("시군별", ROWS, charts=[CHART, LINE], widths={1: 12})
    gets = gsheets.count("spreadsheets.get")
    b.replace_tab("시군별", ROWS, charts=[CHART], widths={1: 12})
    b.replace_tab("요약", [["항목", "전체"], ["접수", 6]])
    assert gsheets.count("spreadsheets.get") == gets  # ids and grid come from the first batch's reply
    assert _batches(gsheets) == [
        ["updateCells", "updateCells", "updateSheetProperties", "updateDimensionProperties", "addChart", "addChart"],
        [
            "deleteEmbeddedObject",
            "deleteEmbeddedObject",
            "updateCells",
            "updateCells",
            "updateSheetProperties",
            "updateDimensionProperties",
            "addChart",
        ],
        ["updateCells", "updateCells", "updateSheetProperties"],
    ]
    tab = gsheets.tab(KEY, "시군별")
    assert gsheets.values(KEY, "시군별") == [
        ["시군", "확정 짝", "메모"],
        ["수원시", "3", "=SUM(B2:B3)"],
        ["성남시", "1.5"],
        [],
        ["기준: 2024-05-20 09:30"],
    ]
    assert tab.typed[(1, 1)] == {"numberValue": 3} and tab.typed[(1, 2)] == {"stringValue": "=SUM(B2:B3)"}
    assert tab.cell_formats[(1, 1)] == {"numberFormat": {"type": "NUMBER", "pattern": "#,##0"}}
    assert tab.cell_formats[(0, 0)] == {"textFormat": {"bold": True}} and (1, 0) not in tab.cell_formats
    assert tab.frozen_rows == 1
    assert not tab.formulas and tab.widths == {0: 94}
    assert [c["spec"]["title"] for c in tab.charts] == ["시군별 확정 짝"]
    series = tab.charts[0]["spec"]["basicChart"]["series"][0]["series"]["sourceRange"]["sources"][0]
    assert series == {
        "sheetId": tab.sheet_id,
        "startRowIndex": 0,
        "endRowIndex": 3,
        "startColumnIndex": 1,
        "endColumnIndex": 2,
    }
    assert gsheets.values(KEY, "요약") == [["항목", "전체"], ["접수", "6"]]  # old values cleared


def test_google_replace_tab_grows_the_grid_in_the_same_batch(make_google_backend, gsheets):
    b = make_google_backend({"월별성과": []})
    # 1,005 rows and (in row 1) 30 columns: past the 1000 × 26 default grid, kept light so a busy
    # machine does not time the loopback server out
    rows: list[list[Scalar]] = [[f"r{i}", 0, 1] for i in range(1005)]
    rows[0] = ["r0", *range(29)]
    b.replace_tab("월별성과", rows)
    assert _batches(gsheets) == [
        ["appendDimension", "appendDimension", "updateCells", "updateCells", "updateSheetProperties"]
    ]
    tab = gsheets.tab(KEY, "월별성과")
    assert (tab.row_count, tab.col_count) == (1005, 30)
    assert gsheets.values(KEY, "월별성과")[1004][:3] == ["r1004", "0", "1"]


def test_google_chart_deleted_by_a_person_is_handled_by_one_fresh_retry(make_google_backend, gsheets):
    b = make_google_backend({"시군별": []})
    b.replace_tab("시군별", ROWS, charts=[CHART])
    gsheets.tab(KEY, "시군별").charts.clear()  # a manager deletes the chart by hand
    b.replace_tab("시군별", ROWS, charts=[CHART])
    assert [e.status for e in gsheets.requests("spreadsheets.batchUpdate")] == [200, 400, 200]
    assert len(gsheets.tab(KEY, "시군별").charts) == 1


def test_google_replace_tab_needs_the_tab(make_google_backend):
    b = make_google_backend({"요약": []})
    with pytest.raises(TabNotFoundError) as caught:
        b.replace_tab("시군별", ROWS)
    assert caught.value.message == f"'시군별' 탭이 없습니다 (Google 스프레드시트 {KEY}). 'onemarket init'을 실행하세요."


def test_google_protect_tab_replaces_our_earlier_protection_only(make_google_backend, gsheets):
    b = make_google_backend({"성과_못골시장": [["성과ID"]]})
    gsheets.tab(KEY, "성과_못골시장").protected.append(
        {"protectedRangeId": 7, "description": "직원 것", "range": {"sheetId": 0}}
    )
    b.protect_tab("성과_못골시장", ["mot-gol@example.org"], "못골시장 상인회만 고칠 수 있습니다")
    b.protect_tab(
        "성과_못골시장", ["mot-gol@example.org", "staff@gg.example.go.kr"], "못골시장 상인회만 고칠 수 있습니다"
    )
    assert _batches(gsheets)[-1] == ["deleteProtectedRange", "addProtectedRange"]
    protected = gsheets.tab(KEY, "성과_못골시장").protected
    assert [p["description"] for p in protected] == ["직원 것", "onemarket:tab: 못골시장 상인회만 고칠 수 있습니다"]
    assert protected[1]["range"] == {"sheetId": 0} and protected[1]["warningOnly"] is False
    assert protected[1]["editors"] == {"users": [EMAIL, "mot-gol@example.org", "staff@gg.example.go.kr"]}


def test_google_protect_tab_with_a_bad_editor_changes_nothing(make_google_backend, gsheets):
    b = make_google_backend({"성과_못골시장": [["성과ID"]]})
    with pytest.raises(GoogleError, match="HTTP 400"):
        b.protect_tab("성과_못골시장", ["상인회 담당자"], "상인회만")
    assert gsheets.tab(KEY, "성과_못골시장").protected == []


# -- the loopback server refuses what Google refuses ----------------------------------------


def _book() -> Book:
    book = Book("k", "t")
    book.add("요약", [["a"]])
    return book


@pytest.mark.parametrize(
    "request_, message",
    [
        pytest.param(
            {"updateCells": {"range": {"sheetId": 42}, "fields": "userEnteredValue"}},
            "No grid with id: 42",
            id="update-cells-unknown-sheet",
        ),
        pytest.param(
            {
                "updateCells": {
                    "start": {"sheetId": 0, "rowIndex": 999},
                    "fields": "userEnteredValue",
                    "rows": [{"values": [{}]}, {"values": [{}]}],
                }
            },
            "exceeds grid limits",
            id="update-cells-outside-grid",
        ),
        pytest.param({"updateCells": {"range": {"sheetId": 0}}}, "'fields' is required", id="update-cells-no-fields"),
        pytest.param(
            {
                "updateCells": {
                    "start": {"sheetId": 0},
                    "fields": "userEnteredValue",
                    "rows": [{"values": [{"userEnteredValue": {"numberValue": "3"}}]}],
                }
            },
            "Invalid value at 'numberValue'",
            id="number-as-text",
        ),
        pytest.param(
            {"repeatCell": {"range": {"sheetId": 5}, "cell": {}, "fields": "*"}},
            "No grid with id: 5",
            id="repeat-cell-unknown-sheet",
        ),
        pytest.param(
            {
                "updateDimensionProperties": {
                    "range": {"sheetId": 5, "dimension": "COLUMNS"},
                    "properties": {"pixelSize": 9},
                    "fields": "pixelSize",
                }
            },
            "No grid with id: 5",
            id="widths-unknown-sheet",
        ),
        pytest.param(
            {
                "addChart": {
                    "chart": {
                        "spec": {
                            "basicChart": {
                                "chartType": "COLUMN",
                                "domains": [{"domain": {"sourceRange": {"sources": [{"sheetId": 0}]}}}],
                                "series": [{"series": {"sourceRange": {"sources": [{"sheetId": 9}]}}}],
                            }
                        },
                        "position": {"overlayPosition": {"anchorCell": {"sheetId": 0}}},
                    }
                }
            },
            "No grid with id: 9",
            id="chart-series-unknown-sheet",
        ),
        pytest.param(
            {
                "addChart": {
                    "chart": {
                        "spec": {
                            "basicChart": {
                                "chartType": "COLUMN",
                                "domains": [],
                                "series": [{"series": {"sourceRange": {"sources": [{"sheetId": 0}]}}}],
                            }
                        },
                        "position": {"overlayPosition": {"anchorCell": {"sheetId": 0, "rowIndex": 1000}}},
                    }
                }
            },
            "outside the grid",
            id="chart-anchor-outside-grid",
        ),
        pytest.param({"deleteEmbeddedObject": {"objectId": 123}}, "No object with id: 123", id="delete-unknown-chart"),
        pytest.param(
            {"addProtectedRange": {"protectedRange": {"range": {"sheetId": 0}, "editors": {"users": ["박상인"]}}}},
            "Invalid editors",
            id="protect-editor-not-an-email",
        ),
        pytest.param(
            {"deleteProtectedRange": {"protectedRangeId": 77}},
            "No protected range with id: 77",
            id="delete-unknown-protection",
        ),
    ],
)
def test_server_refuses_like_google(request_, message):
    with pytest.raises(ApiError, match=message) as caught:
        apply_request(_book(), 0, request_)
    assert caught.value.code == 400


def test_server_lists_charts_in_metadata_and_clears_values_and_formats():
    book = _book()
    tab = book.tabs[0]
    apply_request(book, 0, {"repeatCell": {"range": {"sheetId": 0, "endRowIndex": 1}, "cell": {}, "fields": "*"}})
    reply = apply_request(
        book,
        1,
        {
            "addChart": {
                "chart": {
                    "spec": {
                        "title": "c",
                        "basicChart": {
                            "chartType": "LINE",
                            "series": [{"series": {"sourceRange": {"sources": [{"sheetId": 0}]}}}],
                        },
                    },
                    "position": {"overlayPosition": {"anchorCell": {"sheetId": 0}}},
                }
            }
        },
    )
    chart_id = reply["addChart"]["chart"]["chartId"]
    assert book.metadata()["sheets"][0]["charts"][0]["chartId"] == chart_id
    apply_request(book, 2, {"updateCells": {"range": {"sheetId": 0}, "fields": "userEnteredValue,userEnteredFormat"}})
    assert tab.values() == [] and tab.formats == []
    apply_request(book, 3, {"deleteEmbeddedObject": {"objectId": chart_id}})
    assert "charts" not in book.metadata()["sheets"][0]
