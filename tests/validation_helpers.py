"""Build small master/outcomes workbooks from dicts and run validation on them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from automation.schema import default_schemas
from automation.sheets import Workbooks
from automation.sheets.memory import MemoryBackend
from automation.validation import validate
from automation.validation.step import ValidationResult

SCHEMAS = default_schemas()
TODAY = dt.date(2024, 5, 20)

GOOD_APP = {
    "received_on": "2024-05-02",
    "org_name": "(주)가나다전자",
    "org_type": "중소기업",
    "representative": "김대표",
    "brn": "116-82-00276",
    "address": "경기도 수원시 팔달구 정조로 800",
    "contact_name": "이담당",
    "contact_title": "과장",
    "phone": "010-1234-5678",
    "email": "lee@example.com",
    "products": "전자부품",
    "market_day": "Y",
    "purchase": "N",
    "onnuri_thousand_won": "1000",
    "special_program": "",
    "other_cooperation": "",
    "wish_market_1": "못골시장",
    "wish_market_2": "",
    "wish_region": "수원시",
    "privacy_consent": "Y",
    "third_party_consent": "Y",
}
MARKETS = [
    {
        "market_code": "M0000001",
        "market_name": "못골시장",
        "sigun": "수원시",
        "gu": "팔달구",
        "latitude": "37.27",
        "longitude": "127.02",
        "capacity": "1",
        "participating": "Y",
    },
    {"market_code": "M0000002", "market_name": "지동시장", "sigun": "수원시", "gu": "팔달구", "capacity": "1"},
    {"market_code": "M0000003", "market_name": "모란시장", "sigun": "성남시", "gu": "중원구", "capacity": "2"},
    {"market_code": "M0000004", "market_name": "중앙시장", "sigun": "안양시", "capacity": "1"},
    {"market_code": "M0000005", "market_name": "중앙시장", "sigun": "평택시", "capacity": "1"},
]


def rows_for(tab: str, records: Sequence[Mapping[str, str] | None], extra: Sequence[str] = ()) -> list[list[str]]:
    schema = SCHEMAS[tab]
    header = [*schema.headers, *extra]
    out = [header]
    for rec in records:
        if rec is None:
            out.append([])
            continue
        out.append([rec.get(c.key, "") for c in schema.columns] + [rec.get(x, "") for x in extra])
    return out


def make_backends(
    apps: Sequence[Mapping[str, str] | None],
    markets: Sequence[Mapping[str, str]] = MARKETS,
    matches: Sequence[Mapping[str, str]] = (),
    outcomes: Sequence[Mapping[str, str]] = (),
) -> dict[str, MemoryBackend]:
    master = MemoryBackend(
        {
            "참여신청": rows_for("참여신청", apps),
            "시장": rows_for("시장", markets),
            "매칭": rows_for("매칭", matches),
            "작업기록": rows_for("작업기록", []),
        }
    )
    out = MemoryBackend({"성과보고": rows_for("성과보고", outcomes)})
    return {"master": master, "outcomes": out}


def run_validate(backends: Mapping[str, MemoryBackend], state_dir: Path, **kw: object) -> ValidationResult:
    return validate(Workbooks.of(backends), SCHEMAS, state_dir, today=TODAY, **kw)


def app_cells(backends: Mapping[str, MemoryBackend], row: int) -> dict[str, str]:
    header = backends["master"].tabs["참여신청"][0]
    cells = backends["master"].tabs["참여신청"][row - 1]
    return {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}


def app(**changes: str) -> dict[str, str]:
    return {**GOOD_APP, **changes}
