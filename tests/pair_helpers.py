"""Small master workbooks with confirmed pairs, for the agreements and notify tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from automation.domain.pairs import Pair, PairSet, collect_pairs
from automation.sheets.memory import MemoryBackend
from automation.sheets.table import read_tables
from tests.validation_helpers import SCHEMAS, app, rows_for

MARKET = {
    "market_code": "MK1",
    "market_name": "못골시장",
    "sigun": "수원시",
    "gu": "팔달구",
    "road_address": "경기도 수원시 팔달구 창룡대로8번길 5",
    "idle_space": "고객지원센터 2층 교육장",
    "association_contact": "박상인",
    "association_phone": "031-255-0000",
    "association_email": "mot-gol@example.org",
    "capacity": "2",
    "participating": "Y",
}
APP = app(
    org_name="주식회사 한빛테크",
    representative="김한빛",
    address="경기도 수원시 영통구 광교로 156",
    contact_name="이담당",
    contact_title="과장",
    phone="010-2345-6789",
    email="lee@hanbit.example.com",
    market_day="Y",
    purchase="Y",
    onnuri_thousand_won="1200",
    special_program="임직원 봉사와 SNS 홍보",
    other_cooperation="",
    application_id="A-2026-0001",
)
MATCH = {
    "match_id": "M-2026-0001",
    "round": "1",
    "application_id": "A-2026-0001",
    "org_name": "주식회사 한빛테크",
    "market_code": "MK1",
    "market_name": "못골시장",
    "status": "확정",
}


def master(
    apps: Sequence[Mapping[str, str]] = (APP,),
    markets: Sequence[Mapping[str, str]] = (MARKET,),
    matches: Sequence[Mapping[str, str]] = (MATCH,),
) -> MemoryBackend:
    return MemoryBackend(
        {
            "참여신청": rows_for("참여신청", apps),
            "시장": rows_for("시장", markets),
            "매칭": rows_for("매칭", matches),
            "작업기록": rows_for("작업기록", []),
        }
    )


def pairs_of(backend: MemoryBackend, statuses: Sequence[str] = ("확정", "협약체결")) -> PairSet:
    t = read_tables(backend, [SCHEMAS["참여신청"], SCHEMAS["시장"], SCHEMAS["매칭"]])
    return collect_pairs(t["매칭"], t["참여신청"], t["시장"], statuses)


def one_pair(app_changes: Mapping[str, str] | None = None, market_changes: Mapping[str, str] | None = None) -> Pair:
    found = pairs_of(master([{**APP, **(app_changes or {})}], [{**MARKET, **(market_changes or {})}]))
    assert len(found.pairs) == 1, found.issues
    return found.pairs[0]
