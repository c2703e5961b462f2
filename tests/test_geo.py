"""automation.geo: 시군 facts, address parsing, distances."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.geo import (
    CENTROIDS,
    GU,
    SIGUN,
    AddressParts,
    haversine_km,
    normalize_sido,
    normalize_sigun,
    parse_address,
)
from tests.conftest import SHARED_DATA

DATA = SHARED_DATA
CENTROIDS_CSV = DATA / "gyeonggi_sigungu_centroids.csv"
GG = "경기도"


def test_sigun_facts() -> None:
    assert len(SIGUN) == 31 == len(set(SIGUN))
    assert sum(s.endswith("시") for s in SIGUN) == 28
    assert sorted(s for s in SIGUN if s.endswith("군")) == ["가평군", "양평군", "연천군"]
    with_gu = {s: len(g) for s, g in GU.items() if g}
    assert with_gu == {
        "수원시": 4,
        "성남시": 3,
        "안양시": 2,
        "부천시": 3,
        "안산시": 2,
        "고양시": 3,
        "용인시": 3,
        "화성시": 4,
    }
    assert GU["화성시"] == ("만세구", "효행구", "병점구", "동탄구")
    assert GU["부천시"] == ("원미구", "소사구", "오정구")
    all_gu = [g for gus in GU.values() for g in gus]
    assert len(all_gu) == len(set(all_gu)) == 24
    assert set(CENTROIDS) == set(SIGUN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("수원", "수원시"),
        ("수원시", "수원시"),
        ("가평", "가평군"),
        ("경기 수원", "수원시"),
        ("경기도 수원시", "수원시"),
        ("경기수원", "수원시"),
        (" 양평군 ", "양평군"),
        ("고양특례시", "고양시"),
        ("남양 주", "남양주시"),
        ("분당구", "성남시"),
        ("분당", "성남시"),
        ("동탄", "화성시"),
        ("일산", "고양시"),
        ("여주군", "여주시"),
        ("광주", "광주시"),
        ("광주시", "광주시"),
        ("\u3000수원\u3000", "수원시"),
        ("수원시 영통구", "수원시"),
        ("서울", None),
        ("서울특별시", None),
        ("광주광역시", None),
        ("강남구", None),
        ("경기", None),
        ("", None),
        ("시장", None),
    ],
    ids=str,
)
def test_normalize_sigun(text: str, expected: str | None) -> None:
    assert normalize_sigun(text) == expected


def test_normalize_sigun_every_form() -> None:
    for sigun in SIGUN:
        short = sigun[:-1]
        for text in (sigun, short, f"경기도 {sigun}", f"경기 {short}", f"경기도{sigun}"):
            assert normalize_sigun(text) == sigun, text


def test_normalize_sigun_nfd_input() -> None:
    import unicodedata

    assert normalize_sigun(unicodedata.normalize("NFD", "의정부시")) == "의정부시"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("경기", GG),
        ("경기도", GG),
        ("서울", "서울특별시"),
        ("강원도", "강원특별자치도"),
        ("전라북도", "전북특별자치도"),
        ("세종", "세종특별자치시"),
        ("수원시", None),
        ("", None),
    ],
)
def test_normalize_sido(text: str, expected: str | None) -> None:
    assert normalize_sido(text) == expected


# (address, (시도, 시군, 구)) — every 시군, 도로명 and 지번, with and without 경기도, short forms
ADDRESSES: list[tuple[str, tuple[str | None, str | None, str | None]]] = [
    ("경기도 수원시 팔달구 수원천로 254", (GG, "수원시", "팔달구")),
    ("수원 영통구 광교중앙로 140", (GG, "수원시", "영통구")),
    ("경기 수원시 장안구 정자동 73-10", (GG, "수원시", "장안구")),
    ("수원시 권선구 세권로 185 권선동", (GG, "수원시", "권선구")),
    ("성남시 분당구 판교역로 235", (GG, "성남시", "분당구")),
    ("경기도 성남시 중원구 성남대로 1127", (GG, "성남시", "중원구")),
    ("경기도 성남시 수정구 태평동 3681", (GG, "성남시", "수정구")),
    ("경기도 성남시 서현로210번길 20", (GG, "성남시", None)),
    ("경기도 의정부시 태평로73번길 20", (GG, "의정부시", None)),
    ("경기 안양시 만안구 냉천로 196", (GG, "안양시", "만안구")),
    ("안양 동안구 시민대로 235", (GG, "안양시", "동안구")),
    ("경기도 부천시 원미구 길주로 210", (GG, "부천시", "원미구")),
    ("경기도 부천시 소사구 심곡본동 659", (GG, "부천시", "소사구")),
    ("부천 오정구 오정로 100", (GG, "부천시", "오정구")),
    ("경기도 광명시 광이로13번길 17-5", (GG, "광명시", None)),
    ("평택시 통복시장로25번길 10", (GG, "평택시", None)),
    ("경기도 동두천시 생연동 823", (GG, "동두천시", None)),
    ("경기도 안산시 단원구 화랑로 149", (GG, "안산시", "단원구")),
    ("안산 상록구 본오동 872", (GG, "안산시", "상록구")),
    ("경기도 고양시 일산동구 중앙로 1275", (GG, "고양시", "일산동구")),
    ("고양시 일산서구 일산동 617-20", (GG, "고양시", "일산서구")),
    ("경기 고양시 덕양구 호국로790번길 17", (GG, "고양시", "덕양구")),
    ("과천시 별양상가2로 14", (GG, "과천시", None)),
    ("경기도 구리시 검배로6번길 31", (GG, "구리시", None)),
    ("경기도 남양주시 진접읍 장현로 77", (GG, "남양주시", None)),
    ("오산 오산로272번길 21", (GG, "오산시", None)),
    ("경기도 시흥시 정왕동 1202", (GG, "시흥시", None)),
    ("경기 군포시 산본천로183번길 6", (GG, "군포시", None)),
    ("경기도 의왕시삼동 192-554", (GG, "의왕시", None)),
    ("하남시 수리북로 22", (GG, "하남시", None)),
    ("경기도 용인시 처인구 금령로107번길 13", (GG, "용인시", "처인구")),
    ("용인 수지구 포은대로 435", (GG, "용인시", "수지구")),
    ("경기도 용인시 기흥구 구갈동 1-1", (GG, "용인시", "기흥구")),
    ("경기도 파주시 문산읍 문향로 57", (GG, "파주시", None)),
    ("이천시 장호원읍 오남리 3-1", (GG, "이천시", None)),
    ("경기도 안성시 시장길 37", (GG, "안성시", None)),
    ("김포시 통진읍 서암리 721-8", (GG, "김포시", None)),
    ("경기도 화성시 동탄구 동탄대로 446", (GG, "화성시", "동탄구")),
    ("경기도 화성시 향남읍 평2길 7", (GG, "화성시", "만세구")),
    ("화성시 봉담읍 와우리 1", (GG, "화성시", "효행구")),
    ("경기도 화성시 남양리 1165-25", (GG, "화성시", None)),
    ("경기 광주시 경안로25번길 14-1", (GG, "광주시", None)),
    ("광주 경안동 33-16", (GG, "광주시", None)),
    ("경기도 양주시 부흥로 1533", (GG, "양주시", None)),
    ("포천시 영북면 운천리 531-5", (GG, "포천시", None)),
    ("경기도 여주시 세종로14번길 24-1", (GG, "여주시", None)),
    ("경기도 연천군 전곡읍 전곡로172번길 4-15", (GG, "연천군", None)),
    ("가평군 가평읍 읍내리 405", (GG, "가평군", None)),
    ("경기 양평군 양평읍 양평장터길 15", (GG, "양평군", None)),
    # glued, postcodes, NFKC, commas, a 구 without its city
    ("경기도수원시 장안구 파장로82번길 9", (GG, "수원시", "장안구")),
    ("(우)16489 경기도 수원시 팔달구 정조로 1", (GG, "수원시", "팔달구")),
    ("[13529] 성남시 분당구 판교역로 166, 3층", (GG, "성남시", "분당구")),
    ("경기도　수원시　영통구　광교로 1", (GG, "수원시", "영통구")),
    ("분당구 정자일로 95", (GG, "성남시", "분당구")),
    # other 시도
    ("서울특별시 중구 세종대로 110", ("서울특별시", "중구", None)),
    ("서울 강남구 테헤란로 152", ("서울특별시", "강남구", None)),
    ("강원특별자치도 강릉시 금성로21", ("강원특별자치도", "강릉시", None)),
    ("강원도 춘천시 중앙로 1", ("강원특별자치도", "춘천시", None)),
    ("경상남도 창원시 의창구 중앙대로 151", ("경상남도", "창원시", "의창구")),
    ("광주광역시 서구 내방로 111", ("광주광역시", "서구", None)),
    ("광주 북구 용봉로 77", ("광주광역시", "북구", None)),
    ("인천광역시 부평구 부평대로 1", ("인천광역시", "부평구", None)),
    ("세종특별자치시 조치원읍 1", ("세종특별자치시", None, None)),
    # nothing usable
    ("", (None, None, None)),
    ("주소 없음", (None, None, None)),
    ("테헤란로 152", (None, None, None)),
    ("12345", (None, None, None)),
]


@pytest.mark.parametrize(("address", "expected"), ADDRESSES, ids=[a or "<blank>" for a, _ in ADDRESSES])
def test_parse_address(address: str, expected: tuple[str | None, str | None, str | None]) -> None:
    assert parse_address(address) == AddressParts(*expected)


def test_address_table_covers_every_sigun() -> None:
    assert {e[1] for _, e in ADDRESSES if e[0] == GG} == set(SIGUN)


@pytest.mark.parametrize("value", [None, 123, b"\xea\xb2\xbd\xea\xb8\xb0", ["경기도"]], ids=repr)
def test_parse_address_non_text(value: object) -> None:
    assert parse_address(value) == AddressParts(None, None, None)  # type: ignore[arg-type]


@given(st.text())
def test_parse_address_never_raises(text: str) -> None:
    parts = parse_address(text)
    assert parts.sigun is None or parts.sido != GG or parts.sigun in SIGUN


def test_haversine() -> None:
    assert haversine_km(37.5, 127.0, 37.5, 127.0) == 0
    assert haversine_km(37.0, 127.0, 38.0, 127.0) == pytest.approx(111.2, abs=0.1)
    a = haversine_km(37.280, 127.009, 37.410, 127.120)
    assert a == pytest.approx(haversine_km(37.410, 127.120, 37.280, 127.009))
    assert 17 < a < 18


def test_centroids_inside_gyeonggi() -> None:
    for sigun, (lat, lon) in CENTROIDS.items():
        assert 36.9 < lat < 38.3 and 126.5 < lon < 127.9, sigun
        assert (round(lat, 3), round(lon, 3)) == (lat, lon)


def _reference_centroids() -> dict[str, tuple[float, float]]:
    if not CENTROIDS_CSV.is_file():
        pytest.skip(f"reference data not present: {CENTROIDS_CSV}")
    with CENTROIDS_CSV.open(encoding="utf-8") as f:
        return {
            r["sigun"]: (float(r["centroid_lat"]), float(r["centroid_lon"]))
            for r in csv.DictReader(f)
            if r["level"] == "sigun"
        }


def test_reference_file_lists_the_same_sigun() -> None:
    assert set(_reference_centroids()) == set(SIGUN)


@pytest.mark.parametrize("sigun", SIGUN)
def test_centroid_within_5km_of_reference(sigun: str) -> None:
    ref = _reference_centroids()[sigun]
    assert haversine_km(*CENTROIDS[sigun], *ref) < 5.0
