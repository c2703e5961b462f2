"""automation.domain.markets_csv: reading the official market CSV and planning the upsert."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from automation.domain.markets_csv import (
    STAFF_KEYS,
    derive_market_code,
    market_rows,
    plan_upsert,
    read_market_csv,
    schema_import_keys,
)
from automation.errors import InputFileError
from automation.geo import SIGUN
from tests.conftest import SHARED_DATA

DATA = SHARED_DATA
NATIONAL = DATA / "std_traditional_markets_national_20241104.csv"
GYEONGGI = DATA / "std_traditional_markets_gyeonggi_20241104.csv"
KEYS = schema_import_keys()

HEADER = (
    "시장명,시장유형,소재지도로명주소,소재지지번주소,시장개설주기,위도,경도,점포수,취급품목,"
    "사용가능상품권,홈페이지주소,공중화장실보유여부,주차장보유여부,개설연도,전화번호,데이터기준일자,"
    "제공기관코드,제공기관명"
)
ROWS = [
    "못골종합시장,상설장,경기도 수원시 팔달구 수원천로254,경기도 수원시 팔달구 지동 415,매일,"
    "37.27618303,127.0200138,86,농산물+음식점,,,Y,Y,1980,,2024-11-04,B553077,소상공인시장진흥공단",
    "모란종합시장,상설장+5일장,경기도 성남시 중원구 성남대로 1127,경기도 성남시 중원구 성남동 4182,"
    "4일+9일,37.4303345,127.1288817,62,농산물,,,Y,Y,1990,,2024-11-04,B553077,소상공인시장진흥공단",
    "가평잣고을시장,상설장+5일장,,경기 가평군 읍내리 405,5일+10일,37.82972123,127.5152015,119,"
    "음식점,,,Y,Y,2015,031-582-8181,2024-11-04,B553077,소상공인시장진흥공단",
    "중앙시장,상설장,강원특별자치도 강릉시 금성로21,강원특별자치도 강릉시 성남동 50,매일,"
    "37.75401611,128.8986236,276,농산물,,,Y,Y,1980,033-648-4477,2024-11-04,B553077,소상공인시장진흥공단",
]
SAMPLE = "\n".join([HEADER, *ROWS]) + "\n"


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "markets.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"], ids=["utf8", "utf8-bom", "cp949"])
def test_read_encodings(tmp_path: Path, encoding: str) -> None:
    records = read_market_csv(write(tmp_path, SAMPLE, encoding))
    assert len(records) == 4
    assert next(iter(records[0])) == "시장명"  # no BOM left in the first header
    assert records[0]["시장명"] == "못골종합시장"
    assert records[0]["위도"] == "37.27618303"
    assert records[3]["소재지도로명주소"] == "강원특별자치도 강릉시 금성로21"


def test_read_crlf_and_blank_lines(tmp_path: Path) -> None:
    text = SAMPLE.replace("\n", "\r\n") + "\r\n,,,\r\n"
    assert len(read_market_csv(write(tmp_path, text, "cp949"))) == 4


def test_year_header_variant(tmp_path: Path) -> None:
    records = read_market_csv(write(tmp_path, SAMPLE.replace("개설연도", "개설년도")))
    assert records[0]["개설연도"] == "1980"
    assert "개설년도" not in records[0]


def test_missing_market_name_message(tmp_path: Path) -> None:
    path = write(tmp_path, SAMPLE.replace("시장명,", "이름,", 1))
    with pytest.raises(InputFileError) as info:
        read_market_csv(path)
    assert info.value.message == (
        "markets.csv에 '시장명' 열이 없습니다. 첫 줄이 머리글"
        "(시장명, 시장유형, 소재지도로명주소 …)인 전국전통시장표준데이터 CSV를 지정하세요."
    )
    assert info.value.exit_code == 2


def test_missing_both_addresses(tmp_path: Path) -> None:
    text = SAMPLE.replace("소재지도로명주소", "주소1").replace("소재지지번주소", "주소2")
    message = "'소재지도로명주소' 또는 '소재지지번주소' 열이 없습니다"
    with pytest.raises(InputFileError, match=message):
        read_market_csv(write(tmp_path, text))


def test_one_address_column_is_enough(tmp_path: Path) -> None:
    records = read_market_csv(write(tmp_path, SAMPLE.replace("소재지도로명주소", "비고")))
    assert len(market_rows(records)) == 3  # by the lot address


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (b"", "비어 있습니다"),
        (b"\xef\xbb\xbf  \n\n", "비어 있습니다"),
        (HEADER.encode("utf-8") + b"\n", "머리글만 있고"),
        (b"PK\x03\x04\x14\x00\x06\x00rest-of-an-xlsx", "엑셀 파일입니다"),
        (bytes(range(256)) * 4, "CSV 텍스트 파일"),
        ("이것은 메모입니다\n둘째 줄".encode(), "'시장명' 열이 없습니다"),
    ],
    ids=["empty", "bom-and-blank", "header-only", "xlsx", "binary", "not-a-market-csv"],
)
def test_unusable_files(tmp_path: Path, content: bytes, pattern: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=pattern):
        read_market_csv(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="없습니다"):
        read_market_csv(tmp_path / "nope.csv")


def test_market_rows_sample(tmp_path: Path) -> None:
    rows = market_rows(read_market_csv(write(tmp_path, SAMPLE)))
    assert [r["market_name"] for r in rows] == ["못골종합시장", "모란종합시장", "가평잣고을시장"]
    first = rows[0]
    assert set(first) == KEYS
    assert first == {
        "market_code": derive_market_code("못골종합시장", "수원시"),
        "market_name": "못골종합시장",
        "market_type": "상설장",
        "sigun": "수원시",
        "gu": "팔달구",
        "road_address": "경기도 수원시 팔달구 수원천로254",
        "lot_address": "경기도 수원시 팔달구 지동 415",
        "latitude": "37.27618303",
        "longitude": "127.0200138",
        "store_count": "86",
        "items": "농산물+음식점",
        "vouchers": "",
        "parking": "Y",
    }
    assert rows[2]["sigun"] == "가평군" and rows[2]["road_address"] == ""
    assert market_rows(read_market_csv(write(tmp_path, SAMPLE)), sido="경기") == rows
    gangwon = market_rows(read_market_csv(write(tmp_path, SAMPLE)), sido="강원도")
    assert [(r["market_name"], r["sigun"]) for r in gangwon] == [("중앙시장", "강릉시")]


def test_market_code_column_is_used(tmp_path: Path) -> None:
    text = SAMPLE.replace("제공기관명", "제공기관명,시장코드", 1)
    text = (
        "\n".join(line + (",a31370001" if i == 1 else ",") if i else line for i, line in enumerate(text.splitlines()))
        + "\n"
    )
    rows = market_rows(read_market_csv(write(tmp_path, text)))
    assert rows[0]["market_code"] == "a31370001"
    assert rows[1]["market_code"] == derive_market_code("모란종합시장", "성남시")


def test_derived_code() -> None:
    code = derive_market_code("못골 종합시장", "수원시")
    assert re.fullmatch(r"M[0-9A-F]{8}", code)
    assert code == derive_market_code("못골종합시장", "수원시")  # spaces do not matter
    assert code != derive_market_code("못골종합시장", "성남시")


def test_twins_in_one_sigun_get_distinct_codes() -> None:
    record = dict(zip(HEADER.split(","), ROWS[0].split(","), strict=True))
    twin = {**record, "소재지도로명주소": "경기도 수원시 팔달구 다른로 1"}
    rows = market_rows([record, twin])
    assert len({r["market_code"] for r in rows}) == 2
    assert market_rows([record, twin]) == rows  # still deterministic


# --- the real national file (present in this workplace only) -------------------------------


@pytest.fixture(scope="module")
def national() -> list[dict[str, str]]:
    if not NATIONAL.is_file():
        pytest.skip(f"reference data not present: {NATIONAL}")
    return read_market_csv(NATIONAL)


@pytest.fixture(scope="module")
def gg_rows(national: list[dict[str, str]]) -> list[dict[str, str]]:
    return market_rows(national)


def test_national_file(national: list[dict[str, str]], gg_rows: list[dict[str, str]]) -> None:
    assert len(national) == 1388
    assert len(gg_rows) == 150
    assert all(r["latitude"] and r["longitude"] for r in gg_rows)
    assert all(r["sigun"] in SIGUN for r in gg_rows)
    assert len({r["market_code"] for r in gg_rows}) == 150
    assert all(re.fullmatch(r"\d+\.\d+", r["latitude"]) for r in gg_rows)


def test_national_file_cp949_copy(tmp_path: Path, national: list[dict[str, str]]) -> None:
    copy = tmp_path / "전국전통시장표준데이터.csv"
    copy.write_bytes(NATIONAL.read_bytes().decode("utf-8").encode("cp949"))
    assert read_market_csv(copy) == national


def test_sigun_matches_gyeonggi_subset(gg_rows: list[dict[str, str]]) -> None:
    if not GYEONGGI.is_file():
        pytest.skip(f"reference data not present: {GYEONGGI}")
    with GYEONGGI.open(encoding="utf-8") as f:
        expected = {(r["시장명"], r["소재지도로명주소"], r["소재지지번주소"]): r for r in csv.DictReader(f)}
    assert len(expected) == 150
    for row in gg_rows:
        ref = expected[(row["market_name"], row["road_address"], row["lot_address"])]
        assert row["sigun"] == ref["시군"], row["market_name"]
        if row["gu"] and row["sigun"] != "화성시":  # 화성's 구 date from 2026, after that file
            assert row["gu"] == ref["구"], row["market_name"]


def test_other_sido(national: list[dict[str, str]]) -> None:
    seoul = market_rows(national, sido="서울")
    assert len(seoul) == 189
    seoul_gu = {
        "종로구",
        "중구",
        "용산구",
        "성동구",
        "광진구",
        "동대문구",
        "중랑구",
        "성북구",
        "강북구",
        "도봉구",
        "노원구",
        "은평구",
        "서대문구",
        "마포구",
        "양천구",
        "강서구",
        "구로구",
        "금천구",
        "영등포구",
        "동작구",
        "관악구",
        "서초구",
        "강남구",
        "송파구",
        "강동구",
    }
    assert {r["sigun"] for r in seoul} <= seoul_gu


# --- plan_upsert -------------------------------------------------------------------------------


def test_import_keys_from_schema() -> None:
    assert {"market_code", "market_name", "sigun", "gu", "latitude", "store_count"} <= KEYS
    assert not KEYS & set(STAFF_KEYS)


def test_second_import_changes_nothing(gg_rows: list[dict[str, str]]) -> None:
    first = plan_upsert([], gg_rows, KEYS)
    assert len(first.added) == 150 and not first.updated and first.unchanged == 0
    assert all(row["capacity"] == "" and row["participating"] == "" for row in first.added)
    second = plan_upsert(first.added, gg_rows, KEYS)
    assert (len(second.added), len(second.updated), second.unchanged) == (0, 0, 150)
    assert second.not_in_source == 0 and not second.problems


def staffed(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Existing sheet rows: the import's rows plus staff columns and one extra column."""
    return [
        {
            **r,
            "association_contact": "홍길동",
            "association_phone": "031-000-1234",
            "association_email": "a@example.org",
            "capacity": "2",
            "participating": "Y",
            "idle_space": "2층",
            "culture_space": "",
            "메모": f"직원 메모 {i}",
        }
        for i, r in enumerate(rows)
    ]


def test_changed_store_count_is_one_update(gg_rows: list[dict[str, str]]) -> None:
    existing = staffed(gg_rows)
    incoming = [dict(r) for r in gg_rows]
    incoming[7]["store_count"] = "999"
    plan = plan_upsert(existing, incoming, KEYS)
    assert not plan.added and plan.unchanged == 149
    assert len(plan.updated) == 1
    update = plan.updated[0]
    assert (update.index, update.market_code, update.changes) == (7, gg_rows[7]["market_code"], {"store_count": "999"})


def test_staff_keys_never_touched(gg_rows: list[dict[str, str]]) -> None:
    existing = staffed(gg_rows)
    incoming = [
        {**r, "items": "바뀐 품목", "association_contact": "덮어쓰기", "capacity": "9", "메모": "x"} for r in gg_rows
    ]
    plan = plan_upsert(existing, incoming, KEYS)
    assert len(plan.updated) == 150
    assert all(set(u.changes) == {"items"} for u in plan.updated)
    plan_new = plan_upsert([], incoming, KEYS)
    assert all(r["association_contact"] == "" and r["capacity"] == "" and "메모" not in r for r in plan_new.added)


def test_matching_by_name_and_address_keeps_existing_code() -> None:
    incoming = [
        {
            "market_code": "M00000001",
            "market_name": "못골종합시장",
            "sigun": "수원시",
            "road_address": "경기도 수원시 팔달구 수원천로254",
            "store_count": "90",
        }
    ]
    existing = [
        {
            "market_code": "S-17",
            "market_name": "못골 종합시장",
            "sigun": "수원시",
            "road_address": "수원시 팔달구  수원천로254",
            "store_count": "86",
        }
    ]
    plan = plan_upsert(existing, incoming, KEYS)
    assert [(u.index, u.market_code, u.changes) for u in plan.updated] == [
        (
            0,
            "S-17",
            {
                "market_name": "못골종합시장",  # the official spelling wins
                "road_address": "경기도 수원시 팔달구 수원천로254",
                "store_count": "90",
            },
        )
    ]


def test_matching_by_lot_address_and_by_sigun() -> None:
    incoming = [
        {"market_code": "M1", "market_name": "가시장", "sigun": "수원시", "lot_address": "수원시 지동 1"},
        {"market_code": "M2", "market_name": "나시장", "sigun": "성남시", "road_address": "새 주소 1"},
    ]
    existing = [
        {"market_code": "", "market_name": "가시장", "sigun": "수원시", "lot_address": "경기도 수원시 지동 1"},
        {"market_code": "", "market_name": "나시장", "sigun": "성남시", "road_address": "옛 주소"},
    ]
    plan = plan_upsert(existing, incoming, KEYS)
    assert not plan.added
    assert [(u.index, u.changes) for u in plan.updated] == [
        (0, {"market_code": "M1", "lot_address": "수원시 지동 1"}),
        (1, {"market_code": "M2", "road_address": "새 주소 1"}),
    ]


def test_ambiguous_name_in_sigun_is_not_guessed() -> None:
    existing = [
        {"market_code": "", "market_name": "중앙시장", "sigun": "안양시"},
        {"market_code": "", "market_name": "중앙시장", "sigun": "안양시"},
    ]
    incoming = [
        {
            "market_code": "M9",
            "market_name": "중앙시장",
            "sigun": "안양시",
            "road_address": "경기도 안양시 만안구 냉천로 196",
        }
    ]
    plan = plan_upsert(existing, incoming, KEYS)
    assert len(plan.added) == 1 and plan.not_in_source == 2


def test_not_in_source_is_counted_not_deleted(gg_rows: list[dict[str, str]]) -> None:
    staff_row = {"market_code": "X1", "market_name": "직원이 넣은 시장", "sigun": "양주시"}
    existing = [*staffed(gg_rows), staff_row, {"market_code": "", "market_name": ""}]
    plan = plan_upsert(existing, gg_rows[:100], KEYS)
    assert plan.unchanged == 100 and not plan.added and not plan.updated
    assert plan.not_in_source == 51  # 50 markets + the staff row; the blank row is ignored
    assert plan.not_in_source_rows[-1] == 150


def test_blank_import_value_does_not_clear() -> None:
    existing = [{"market_code": "M1", "market_name": "가시장", "vouchers": "온누리상품권"}]
    incoming = [{"market_code": "M1", "market_name": "가시장", "vouchers": ""}]
    plan = plan_upsert(existing, incoming, KEYS)
    assert plan.unchanged == 1 and not plan.updated


def test_duplicate_code_in_import_is_reported() -> None:
    incoming = [{"market_code": "M1", "market_name": "가시장"}, {"market_code": "M1", "market_name": "나시장"}]
    plan = plan_upsert([], incoming, KEYS)
    assert len(plan.added) == 1
    assert plan.problems == ["시장코드 'M1'가 가져온 파일에 두 번 나옵니다 (나시장): 두 번째 행은 건너뜁니다."]
