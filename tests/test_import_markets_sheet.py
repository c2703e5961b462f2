"""`import-markets` into a real master.xlsx: upsert, staff columns preserved, idempotent."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from automation.errors import InputFileError
from automation.schema import default_schemas
from automation.setup import jobs
from automation.setup.markets import import_markets
from automation.sheets import open_backend
from automation.sheets.table import read_tables
from tests.conftest import NATIONAL_CSV

SIGUN = {
    "가평군",
    "고양시",
    "과천시",
    "광명시",
    "광주시",
    "구리시",
    "군포시",
    "김포시",
    "남양주시",
    "동두천시",
    "부천시",
    "성남시",
    "수원시",
    "시흥시",
    "안산시",
    "안성시",
    "안양시",
    "양주시",
    "양평군",
    "여주시",
    "연천군",
    "오산시",
    "용인시",
    "의왕시",
    "의정부시",
    "이천시",
    "파주시",
    "평택시",
    "포천시",
    "하남시",
    "화성시",
}


def markets(config):
    return read_tables(open_backend(config, "master"), [default_schemas()["시장"]])["시장"].data_rows()


def test_real_national_file_gives_150_gyeonggi_markets_and_a_second_import_changes_nothing(xlsx_config, national_csv):
    jobs.init(xlsx_config)
    first = import_markets(xlsx_config, national_csv)
    assert (first.read, first.added, first.updated) == (150, 150, 0)
    rows = markets(xlsx_config)
    assert len(rows) == 150
    assert all(r["latitude"] and r["longitude"] for r in rows)
    assert {r["sigun"] for r in rows} <= SIGUN
    assert len({r["market_code"] for r in rows}) == 150
    before = Path(xlsx_config.workbooks["master"]).read_bytes()
    second = import_markets(xlsx_config, national_csv)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 150)
    assert Path(xlsx_config.workbooks["master"]).read_bytes() == before  # not even re-saved


def small_csv(path, rows, encoding="utf-8"):
    header = ["시장명", "시장유형", "소재지도로명주소", "소재지지번주소", "위도", "경도", "점포수", "개설년도"]
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


ROWS = [
    [
        "못골시장",
        "상설장",
        "경기도 수원시 팔달구 수원천로 1",
        "경기도 수원시 팔달구 지동 1",
        "37.28",
        "127.02",
        "100",
        "1980",
    ],
    ["모란시장", "5일장", "경기도 성남시 중원구 둔촌대로 68", "", "37.43", "127.13", "200", "1990"],
    ["남대문시장", "상설장", "서울특별시 중구 남대문시장4길 21", "", "37.55", "126.97", "1000", "1960"],
]


def test_staff_columns_survive_a_reimport_with_changed_data(xlsx_config, tmp_path):
    jobs.init(xlsx_config)
    src = small_csv(tmp_path / "m.csv", ROWS, encoding="cp949")
    assert import_markets(xlsx_config, src).added == 2
    path = xlsx_config.workbooks["master"]
    wb = openpyxl.load_workbook(path)
    ws = wb["시장"]
    header = [c.value for c in ws[1]]
    for r in range(2, 4):
        ws.cell(r, header.index("상인회담당자") + 1, f"담당{r}")
        ws.cell(r, header.index("수용기관수") + 1, 2)
        ws.cell(r, header.index("참여여부") + 1, "N")
    ws.cell(1, len(header) + 1, "직원메모")
    ws.cell(2, len(header) + 1, "현장 방문 완료")
    wb.save(path)
    changed = [r[:] for r in ROWS]
    changed[0][6] = "120"
    result = import_markets(xlsx_config, small_csv(tmp_path / "m2.csv", changed))
    assert (result.added, result.updated, result.unchanged) == (0, 1, 1)
    rows = {r["market_name"]: r for r in markets(xlsx_config)}
    assert rows["못골시장"]["store_count"] == "120"
    for name in ("못골시장", "모란시장"):
        assert (rows[name]["association_contact"], rows[name]["capacity"], rows[name]["participating"]) in {
            ("담당2", "2", "N"),
            ("담당3", "2", "N"),
        }
    assert "현장 방문 완료" in rows["못골시장"].cells or "현장 방문 완료" in rows["모란시장"].cells


def test_dry_run_writes_nothing(xlsx_config, tmp_path):
    jobs.init(xlsx_config)
    result = import_markets(xlsx_config, small_csv(tmp_path / "m.csv", ROWS), dry_run=True)
    assert result.added == 2
    assert markets(xlsx_config) == []


def test_no_market_of_that_sido(xlsx_config, tmp_path):
    jobs.init(xlsx_config)
    with pytest.raises(InputFileError) as info:
        import_markets(xlsx_config, small_csv(tmp_path / "m.csv", ROWS), sido="제주특별자치도")
    assert info.value.message == (
        "m.csv에 '제주특별자치도' 시장이 하나도 없습니다. --sido 값(예: 경기도)과 파일을 확인하세요."
    )


def test_another_market_dataset_is_refused_with_the_expected_file_named(xlsx_config):
    semas = NATIONAL_CSV.parent / "semas_traditional_market_status_20240719.csv"
    if not semas.is_file():
        pytest.skip(f"real market data not present at {semas}")
    jobs.init(xlsx_config)
    with pytest.raises(InputFileError) as info:
        import_markets(xlsx_config, semas)
    assert info.value.message.startswith(
        "semas_traditional_market_status_20240719.csv에 '위도' 열이 없습니다. 공공데이터포털의 「전국전통시장표준데이터」 CSV"
    )
