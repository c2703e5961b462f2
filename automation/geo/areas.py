"""Which Gyeonggi 시군 border each other, where each 구 lies, and address → point.

All facts are written by hand (nothing is read from a data file at run time); the tests check
them against the KOSTAT 2018 polygons and centroids in ``../shared/data`` when that folder exists.

* :data:`NEIGHBOURS` — the 시군 of 경기도 that share a land (or river/sea-channel) border with each
  other. Only Gyeonggi 시군 are listed; borders with other 시도 are noted in comments.
* :data:`GU_CENTROIDS` — an approximate centre (lat, lon; WGS84, 3 decimals) of each 일반구 of
  :data:`automation.geo.GU`.
* :func:`locate` — an address → :class:`Location`: a configured :class:`Geocoder`'s point when it
  gives one, else the 구 centre, else the 시군 centre.
"""

from __future__ import annotations

import math
from typing import Literal, NamedTuple, Protocol

from automation.geo import CENTROIDS, GU, GYEONGGI, SIGUN, parse_address


def _n(*names: str) -> frozenset[str]:
    return frozenset(names)


# Administrative adjacency between the 31 시군 (each entry lists Gyeonggi neighbours only).
# Borders in the 한강 (고양–김포, 파주–김포, 구리–하남, 남양주–하남, 남양주–광주 at 팔당) and across
# the 시화호/탄도 sea walls (안산–화성) count: the administrative line runs through the water.
# Borders with other 시도 (not listed), for reference:
#   서울특별시 — 고양, 양주, 의정부, 남양주, 구리, 하남, 성남, 과천, 안양, 광명, 부천, 김포 (12 시)
#   인천광역시 — 김포, 부천, 시흥 (and 안산 단원구 at sea, facing 옹진군)
#   강원특별자치도 — 연천, 포천, 가평, 양평, 여주
#   충청북도 — 여주, 이천, 안성
#   충청남도 — 안성, 평택 (평택 also faces 당진 across 아산만)
# Checked against the KOSTAT 2018 (simplified) polygons in tests/test_geo_areas.py. The one
# disagreement with the first hand-written draft was 오산–용인: the draft listed them as
# neighbours, but in the polygons 오산 is enclosed by 화성 and 평택 alone, with ~1.8 km of
# 화성 (동탄) land between 오산 and 용인 처인구 (남사읍). The polygons are built from shared arcs, so
# simplification keeps every real common border (as at least one arc) and cannot open a gap
# that wide: the polygons were taken as right and 오산–용인 was dropped. Boundary changes since
# 2018 (수원–화성 망포/반정 and 수원–용인 swaps in 2019; 화성's 구 in 2026) change no pair.
NEIGHBOURS: dict[str, frozenset[str]] = {
    "수원시": _n("용인시", "화성시", "의왕시", "안산시"),
    "성남시": _n("하남시", "광주시", "용인시", "의왕시", "과천시"),
    "의정부시": _n("양주시", "포천시", "남양주시"),
    "안양시": _n("광명시", "시흥시", "안산시", "군포시", "의왕시", "과천시"),
    "부천시": _n("광명시", "시흥시"),
    "광명시": _n("부천시", "시흥시", "안양시"),
    "평택시": _n("화성시", "오산시", "용인시", "안성시"),
    "동두천시": _n("양주시", "포천시", "연천군"),
    "안산시": _n("시흥시", "안양시", "군포시", "의왕시", "수원시", "화성시"),
    "고양시": _n("파주시", "양주시", "김포시"),
    "과천시": _n("안양시", "의왕시", "성남시"),
    "구리시": _n("남양주시", "하남시"),
    "남양주시": _n("의정부시", "구리시", "하남시", "광주시", "양평군", "가평군", "포천시"),
    "오산시": _n("화성시", "평택시"),
    "시흥시": _n("부천시", "광명시", "안양시", "안산시"),
    "군포시": _n("안양시", "의왕시", "안산시"),
    "의왕시": _n("안양시", "과천시", "성남시", "용인시", "수원시", "군포시", "안산시"),
    "하남시": _n("구리시", "남양주시", "광주시", "성남시"),
    "용인시": _n("수원시", "성남시", "의왕시", "광주시", "이천시", "안성시", "평택시", "화성시"),
    "파주시": _n("고양시", "양주시", "연천군", "김포시"),
    "이천시": _n("용인시", "광주시", "여주시", "안성시"),
    "안성시": _n("평택시", "용인시", "이천시"),
    "김포시": _n("고양시", "파주시"),
    "화성시": _n("수원시", "안산시", "오산시", "용인시", "평택시"),
    "광주시": _n("성남시", "하남시", "남양주시", "양평군", "여주시", "이천시", "용인시"),
    "양주시": _n("고양시", "파주시", "연천군", "동두천시", "포천시", "의정부시"),
    "포천시": _n("연천군", "동두천시", "양주시", "의정부시", "남양주시", "가평군"),
    "여주시": _n("이천시", "광주시", "양평군"),
    "연천군": _n("파주시", "양주시", "동두천시", "포천시"),
    "가평군": _n("포천시", "남양주시", "양평군"),
    "양평군": _n("가평군", "남양주시", "광주시", "여주시"),
}

# Approximate centre (lat, lon) of each 일반구, 3 decimals, good to a few km.
# * 수원·성남·안양·안산·고양·용인: the middle of each 구's land area.  안산 단원구 is given the
#   centre of its mainland part (고잔·원곡·선부·초지); an area centroid over all of 단원구 falls in
#   the sea between 대부도 and the mainland because of the islands, which is useless for addresses.
# * 부천 (구 re-created 2024-01-01 with the names of the 1988–2016 구): 원미구 = the middle of the
#   city (중동·상동·원미·심곡), 소사구 = the south (소사본·범박·괴안·옥길), 오정구 = the north
#   (오정·원종·고강·대장).
# * 화성 (구 from 2026-02-01; no polygon yet): the mean of the 읍/면/동 centres of each 구 —
#   만세구 = 남양·송산·서신·마도·우정·장안·향남·팔탄·양감 (+ 새솔동), 효행구 = 봉담·비봉·매송·
#   정남 (+ 기배동), 병점구 = 병점1·2·진안·반월·화산동, 동탄구 = 동탄1–9동 (동탄 1·2 신도시).
GU_CENTROIDS: dict[tuple[str, str], tuple[float, float]] = {
    ("수원시", "장안구"): (37.310, 127.005),
    ("수원시", "권선구"): (37.260, 126.975),
    ("수원시", "팔달구"): (37.278, 127.017),
    ("수원시", "영통구"): (37.272, 127.055),
    ("성남시", "수정구"): (37.437, 127.105),
    ("성남시", "중원구"): (37.435, 127.165),
    ("성남시", "분당구"): (37.378, 127.105),
    ("안양시", "만안구"): (37.402, 126.910),
    ("안양시", "동안구"): (37.398, 126.955),
    ("부천시", "원미구"): (37.503, 126.780),
    ("부천시", "소사구"): (37.475, 126.800),
    ("부천시", "오정구"): (37.528, 126.795),
    ("안산시", "상록구"): (37.312, 126.865),
    ("안산시", "단원구"): (37.320, 126.795),
    ("고양시", "덕양구"): (37.655, 126.880),
    ("고양시", "일산동구"): (37.680, 126.800),
    ("고양시", "일산서구"): (37.678, 126.730),
    ("용인시", "처인구"): (37.205, 127.250),
    ("용인시", "기흥구"): (37.268, 127.120),
    ("용인시", "수지구"): (37.330, 127.075),
    ("화성시", "만세구"): (37.150, 126.820),
    ("화성시", "효행구"): (37.225, 126.935),
    ("화성시", "병점구"): (37.215, 127.035),
    ("화성시", "동탄구"): (37.200, 127.090),
}

Precision = Literal["address", "gu", "sigun"]


class Location(NamedTuple):
    """Where an address is: a point and how fine it is.

    ``precision`` is ``'address'`` when the point came from a :class:`Geocoder`, ``'gu'`` or
    ``'sigun'`` when it is the centre of that area, and ``None`` (with ``lat``/``lon`` None) when
    the address could not be placed. ``sigun``/``gu`` are the Gyeonggi 시군/구 read from the text
    (None outside 경기도), whatever the point's source.
    """

    lat: float | None
    lon: float | None
    sigun: str | None
    gu: str | None
    precision: Precision | None


class Geocoder(Protocol):
    """Anything that turns an address into (lat, lon), or None when it cannot."""

    def geocode(self, address: str) -> tuple[float, float] | None: ...


def _valid_point(point: object) -> tuple[float, float] | None:
    if not isinstance(point, tuple) or len(point) != 2:
        return None
    lat, lon = point
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in (lat, lon)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return float(lat), float(lon)


def locate(address: str, geocoder: Geocoder | None = None) -> Location:
    """Place an address: the geocoder's point if it gives one, else the 구 or 시군 centre.

    Parsing never raises (see :func:`automation.geo.parse_address`); an exception from the
    geocoder is not caught — the caller decides whether a failed look-up should stop a job. A
    geocoder answer that is not a pair of finite, in-range numbers counts as no answer.
    """
    parts = parse_address(address)
    sigun = parts.sigun if parts.sido == GYEONGGI and parts.sigun in SIGUN else None
    gu = parts.gu if sigun is not None and parts.gu in GU[sigun] else None
    if geocoder is not None and isinstance(address, str) and address.strip():
        point = _valid_point(geocoder.geocode(address))
        if point is not None:
            return Location(point[0], point[1], sigun, gu, "address")
    if sigun is None:
        return Location(None, None, None, None, None)
    if gu is not None:
        lat, lon = GU_CENTROIDS[sigun, gu]
        return Location(lat, lon, sigun, gu, "gu")
    lat, lon = CENTROIDS[sigun]
    return Location(lat, lon, sigun, None, "sigun")
