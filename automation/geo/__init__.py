"""Gyeonggi 시군/구 facts, address parsing and distances — plain functions on plain values.

The facts below are written by hand (not read from any data file):

* the 31 시군 of 경기도 (28 시 + 가평군·양평군·연천군) and the 일반구 that exist today
  (2026-11): 수원 4, 성남 3, 안양 2, 부천 3 (re-created 2024-01-01), 안산 2, 고양 3, 용인 3, and
  화성 4 — 만세구·효행구·병점구·동탄구, approved by 행정안전부 on 2025-08-22 and opened on
  2026-02-01. Addresses written before that date carry no 구 for 화성; :func:`parse_address`
  then infers the 구 from the 읍/면 (each 읍/면 of 화성 lies wholly in one new 구). The 동 of
  화성 are not mapped, so such an address keeps ``gu=None``.
* an approximate centre point per 시군 (WGS84, 3 decimals, good to a few km), for distances.

Outside 경기도 the parser only recognises the 시도 name (current names: 강원특별자치도,
전북특별자치도; the old names 강원도, 전라북도 map to them) and returns the next token as written.
A bare leading "광주" is read as 경기 광주시 unless the next token is a 구 of 광주광역시.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import NamedTuple

GYEONGGI = "경기도"

# 시군 → its 일반구 (empty when it has none).
GU: dict[str, tuple[str, ...]] = {
    "수원시": ("장안구", "권선구", "팔달구", "영통구"),
    "성남시": ("수정구", "중원구", "분당구"),
    "의정부시": (),
    "안양시": ("만안구", "동안구"),
    "부천시": ("원미구", "소사구", "오정구"),
    "광명시": (),
    "평택시": (),
    "동두천시": (),
    "안산시": ("상록구", "단원구"),
    "고양시": ("덕양구", "일산동구", "일산서구"),
    "과천시": (),
    "구리시": (),
    "남양주시": (),
    "오산시": (),
    "시흥시": (),
    "군포시": (),
    "의왕시": (),
    "하남시": (),
    "용인시": ("처인구", "기흥구", "수지구"),
    "파주시": (),
    "이천시": (),
    "안성시": (),
    "김포시": (),
    "화성시": ("만세구", "효행구", "병점구", "동탄구"),
    "광주시": (),
    "양주시": (),
    "포천시": (),
    "여주시": (),
    "연천군": (),
    "가평군": (),
    "양평군": (),
}
SIGUN: tuple[str, ...] = tuple(GU)

# Approximate geographic centre of each 시군 (lat, lon), rounded to 3 decimals.
CENTROIDS: dict[str, tuple[float, float]] = {
    "수원시": (37.280, 127.009),
    "성남시": (37.410, 127.120),
    "의정부시": (37.738, 127.066),
    "안양시": (37.400, 126.925),
    "부천시": (37.503, 126.786),
    "광명시": (37.448, 126.865),
    "평택시": (37.015, 126.990),
    "동두천시": (37.915, 127.075),
    "안산시": (37.295, 126.770),
    "고양시": (37.660, 126.835),
    "과천시": (37.435, 127.000),
    "구리시": (37.598, 127.130),
    "남양주시": (37.660, 127.245),
    "오산시": (37.160, 127.055),
    "시흥시": (37.385, 126.780),
    "군포시": (37.345, 126.925),
    "의왕시": (37.360, 126.985),
    "하남시": (37.525, 127.205),
    "용인시": (37.225, 127.215),
    "파주시": (37.850, 126.800),
    "이천시": (37.210, 127.475),
    "안성시": (37.035, 127.300),
    "김포시": (37.680, 126.630),
    "화성시": (37.170, 126.870),
    "광주시": (37.405, 127.295),
    "양주시": (37.805, 127.010),
    "포천시": (37.970, 127.245),
    "여주시": (37.300, 127.615),
    "연천군": (38.095, 127.030),
    "가평군": (37.815, 127.455),
    "양평군": (37.515, 127.575),
}

# 화성시 읍/면 → 구 (from 2026-02-01), for addresses written without the 구.
_HWASEONG_EUPMYEON: dict[str, str] = {
    **dict.fromkeys(
        ("우정읍", "향남읍", "남양읍", "마도면", "송산면", "서신면", "팔탄면", "장안면", "양감면"), "만세구"
    ),
    **dict.fromkeys(("봉담읍", "비봉면", "매송면", "정남면"), "효행구"),
}

# Other names people write for a 시군: former names, merged cities, well-known districts.
_NICKNAMES: dict[str, str] = {
    "여주군": "여주시",
    "송탄시": "평택시",
    "송탄": "평택시",
    "미금시": "남양주시",
    "일산": "고양시",
    "분당": "성남시",
    "판교": "성남시",
    "동탄": "화성시",
    "산본": "군포시",
    "평촌": "안양시",
    "광교": "수원시",
}

SIDO: dict[str, str] = {
    "서울특별시": "서울특별시",
    "서울시": "서울특별시",
    "서울": "서울특별시",
    "부산광역시": "부산광역시",
    "부산시": "부산광역시",
    "부산": "부산광역시",
    "대구광역시": "대구광역시",
    "대구시": "대구광역시",
    "대구": "대구광역시",
    "인천광역시": "인천광역시",
    "인천시": "인천광역시",
    "인천": "인천광역시",
    "광주광역시": "광주광역시",
    "대전광역시": "대전광역시",
    "대전시": "대전광역시",
    "대전": "대전광역시",
    "울산광역시": "울산광역시",
    "울산시": "울산광역시",
    "울산": "울산광역시",
    "세종특별자치시": "세종특별자치시",
    "세종시": "세종특별자치시",
    "세종": "세종특별자치시",
    "경기도": GYEONGGI,
    "경기": GYEONGGI,
    "강원특별자치도": "강원특별자치도",
    "강원도": "강원특별자치도",
    "강원": "강원특별자치도",
    "충청북도": "충청북도",
    "충북": "충청북도",
    "충청남도": "충청남도",
    "충남": "충청남도",
    "전북특별자치도": "전북특별자치도",
    "전라북도": "전북특별자치도",
    "전북": "전북특별자치도",
    "전라남도": "전라남도",
    "전남": "전라남도",
    "경상북도": "경상북도",
    "경북": "경상북도",
    "경상남도": "경상남도",
    "경남": "경상남도",
    "제주특별자치도": "제주특별자치도",
    "제주도": "제주특별자치도",
    "제주특별자치시도": "제주특별자치도",  # a typo found in the official market file
}
_GWANGJU_METRO_GU = frozenset({"동구", "서구", "남구", "북구", "광산구"})
_SIDO_SUFFIX = re.compile(r"(특별시|광역시|특별자치시|특별자치도|통합특별시)$")

# lookup tables built once from the facts above
_GU_CITY: dict[str, str] = {g: s for s, gus in GU.items() for g in gus}
_GU_SHORT: dict[str, str] = {g[:-1]: g for g in _GU_CITY if g != "일산동구"}  # 일산동 is a 동
_SIGUN_KEYS: dict[str, str] = {}
for _s in SIGUN:
    _SIGUN_KEYS[_s] = _s
    _SIGUN_KEYS[_s[:-1]] = _s
    _SIGUN_KEYS[_s[:-1] + "특례시"] = _s
_SIGUN_KEYS.update(_NICKNAMES)
_GLUED = sorted(SIGUN, key=len, reverse=True)
_POSTCODE = re.compile(r"^\[?(우편번호:?)?\d{5}\]?$|^(우|우편번호:?)$")


class AddressParts(NamedTuple):
    sido: str | None
    sigun: str | None
    gu: str | None


def _clean(text: object) -> str:
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text))
    return text.replace(",", " ").strip()


def normalize_sido(text: str) -> str | None:
    """'경기' → '경기도', '서울' → '서울특별시', '강원도' → '강원특별자치도'; None if unknown."""
    key = "".join(_clean(text).split())
    if key in SIDO:
        return SIDO[key]
    return key if _SIDO_SUFFIX.search(key) and len(key) > 4 else None


def _sigun_token(token: str) -> str | None:
    token = token.strip("()[]")
    if token in _SIGUN_KEYS:
        return _SIGUN_KEYS[token]
    return _GU_CITY.get(token) or _GU_CITY.get(_GU_SHORT.get(token, ""))


def normalize_sigun(text: str) -> str | None:
    """A Gyeonggi 시군 name from what people write: '수원', '수원시', '경기 수원', '가평' → 가평군.

    A 구 or well-known district gives its city ('분당구' → 성남시, '동탄' → 화성시). Returns None
    for anything that is not a Gyeonggi 시군 (e.g. '서울', '광주광역시'). Never raises.
    """
    tokens = _clean(text).split()
    if not tokens:
        return None
    first = tokens[0]
    for prefix in ("경기도", "경기"):
        if first.startswith(prefix):
            tokens[0:1] = [prefix, first[len(prefix) :]] if first != prefix else [prefix]
            break
    if normalize_sido(tokens[0]) == GYEONGGI:
        tokens = tokens[1:]
    elif tokens[0] != "광주" and normalize_sido(tokens[0]) is not None:
        return None
    if not tokens:
        return None
    return _sigun_token(tokens[0]) or _SIGUN_KEYS.get("".join(tokens))


def _split_glued(token: str) -> list[str]:
    """'의왕시삼동' → ['의왕시', '삼동']; '경기도수원시' → ['경기도', '수원시']."""
    for prefix in ("경기도", "경기"):
        if token.startswith(prefix):
            rest = token[len(prefix) :]
            if rest and any(rest.startswith(s[:-1]) for s in SIGUN):
                return [prefix, *_split_glued(rest)]
            break
    for name in _GLUED:
        if token.startswith(name) and len(token) > len(name) and not token.endswith(("로", "길")):
            return [name, token[len(name) :]]
    return [token]


def _gu_from(tokens: list[str], sigun: str) -> str | None:
    gus = GU.get(sigun, ())
    for token in tokens[:2]:
        name = token if token in gus else _GU_SHORT.get(token)
        if name in gus:
            return name
    if sigun == "화성시":
        for token in tokens[:2]:
            if token in _HWASEONG_EUPMYEON:
                return _HWASEONG_EUPMYEON[token]
    return None


def parse_address(address: str) -> AddressParts:
    """Split a 도로명 or 지번 address into (시도, 시군, 구); never raises.

    Gyeonggi addresses give ``sido='경기도'`` and a 시군 of :data:`SIGUN`, with or without the
    leading '경기도'/'경기' and with short city names ('수원 영통구 …'). Other 시도 give their
    official name, the next token as 시군구 and a 구 only for a 시 with 구 ('…시 …구').
    """
    try:
        return _parse(address)
    except Exception:  # never raise on user text
        return AddressParts(None, None, None)


def _parse(address: str) -> AddressParts:
    raw = _clean(address).replace("(", " ").replace(")", " ").split()
    while raw and _POSTCODE.match(raw[0]):  # a leading postcode: '(우)16489', '[16489]'
        raw.pop(0)
    tokens: list[str] = []
    for token in raw:
        tokens.extend(_split_glued(token) if len(tokens) < 2 else [token])
    if not tokens:
        return AddressParts(None, None, None)
    sido = normalize_sido(tokens[0])
    if tokens[0] in ("광주", "광주시"):  # 경기 광주시 unless followed by a 광주광역시 구
        metro = len(tokens) > 1 and tokens[1] in _GWANGJU_METRO_GU
        sido = "광주광역시" if metro else None
        if metro:
            tokens = tokens[1:]
    elif sido is not None:
        tokens = tokens[1:]
    if sido not in (None, GYEONGGI):
        if not tokens:
            return AddressParts(sido, None, None)
        first = tokens[0]
        has_gu = first.endswith("시") and len(tokens) > 1 and tokens[1].endswith("구")
        gu = tokens[1] if has_gu else None
        return AddressParts(sido, first if first.endswith(("시", "군", "구")) else None, gu)
    if not tokens:
        return AddressParts(sido, None, None)
    sigun = _sigun_token(tokens[0])
    if sigun is None:
        return AddressParts(sido, None, None)
    rest = tokens[1:] if tokens[0] not in _GU_CITY and _GU_SHORT.get(tokens[0]) is None else tokens
    return AddressParts(GYEONGGI, sigun, _gu_from(rest, sigun))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (mean Earth radius 6371.0088 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))
