"""From sheet rows to the matching engine's plain inputs (and back to Korean labels).

Only applications whose 검증결과 is 정상 or 경고 and that have a 신청ID take part (the validate
step runs right before match in ``onemarket run``). Wished market names are resolved the same
way validation resolves them; an organisation's location is its address's 구 or 시군 centre.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from automation.domain.market_names import MarketIndex, MarketRef
from automation.domain.status import LOCKED, PARTNERED, USABLE, RowResult, Status
from automation.geo.areas import NEIGHBOURS, locate
from automation.matching.model import MAX_WANTS, Applicant, Exclusion, Lock, Market
from automation.parsers import parse_date, parse_float, parse_int, parse_krw_thousand, parse_sigun
from automation.sheets.table import Row, Table

EXCLUDED = (Status.REFUSED,)
LARGE_MARKET_STORES = 150
_MURAL = re.compile(r"벽화|디자인|환경\s*개선")
_SNS = re.compile(r"SNS|sns|에스엔에스|홍보\s*교육|마케팅\s*교육")
_ONLINE = re.compile(r"온라인|입점|라이브\s*커머스|쇼핑몰")
_LARGE = re.compile(r"임직원|단체|전\s*직원|장병|학생")


@dataclass
class Inputs:
    applicants: list[Applicant] = field(default_factory=list)
    markets: list[Market] = field(default_factory=list)
    locks: list[Lock] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)
    app_rows: dict[str, Row] = field(default_factory=dict)
    market_rows: dict[str, Row] = field(default_factory=dict)
    #: applications that cannot take part, with the Korean reason (by 신청ID)
    left_out: dict[str, str] = field(default_factory=dict)
    #: 신청ID → (1st choice code or '', named text) for the contested-markets summary
    first_named: dict[str, str] = field(default_factory=dict)
    neighbours: dict[str, frozenset[str]] = field(default_factory=lambda: dict(NEIGHBOURS))


def _text_traits(text: str) -> set[str]:
    traits = set()
    for name, pattern in (("mural", _MURAL), ("sns", _SNS), ("online", _ONLINE), ("large_group", _LARGE)):
        if pattern.search(text):
            traits.add(name)
    return traits


def applicant_traits(row: Row) -> frozenset[str]:
    traits = _text_traits(" ".join((row["special_program"], row["other_cooperation"], row["products"])))
    onnuri = parse_krw_thousand(row["onnuri_thousand_won"])
    if onnuri.ok and onnuri.value not in ("", "0"):
        traits.add("onnuri")
    return frozenset(traits)


def market_traits(row: Row) -> frozenset[str]:
    traits = set()
    if "온누리" in row["vouchers"]:
        traits.add("onnuri")
    if row["idle_space"].strip() not in ("", "N", "없음"):
        traits.add("idle_space")
    if row["culture_space"].strip() not in ("", "N", "없음"):
        traits.add("culture_room")
    stores = parse_int(row["store_count"])
    if stores.ok and stores.value and int(stores.value) >= LARGE_MARKET_STORES:
        traits.add("large")
    return frozenset(traits)


def _float(text: str) -> float | None:
    parsed = parse_float(text)
    return float(parsed.value) if parsed.ok and parsed.value else None


def build_markets(table: Table, matches: Iterable[Row]) -> tuple[list[Market], dict[str, Row]]:
    partnered = {m["market_code"].strip() for m in matches if m["status"].strip() in PARTNERED}
    markets, rows = [], {}
    for row in table.data_rows():
        code = row["market_code"].strip()
        if not code or code in rows:
            continue  # a duplicated 시장코드 is a validation error; the first row stands
        capacity = parse_int(row["capacity"])
        markets.append(
            Market(
                code=code,
                name=row["market_name"].strip(),
                sigun=parse_sigun(row["sigun"]).value or None,
                lat=_float(row["latitude"]),
                lon=_float(row["longitude"]),
                capacity=int(capacity.value) if capacity.ok and capacity.value else 1,
                participating=row["participating"].strip().upper() not in ("N", "아니오", "X"),
                traits=market_traits(row),
                had_partner=code in partnered,
            )
        )
        rows[code] = row
    return markets, rows


def build_inputs(apps: Table, markets_table: Table, matches: Table) -> Inputs:
    out = Inputs()
    match_rows = matches.data_rows()
    out.markets, out.market_rows = build_markets(markets_table, match_rows)
    index = MarketIndex(MarketRef(m.code, m.name, m.sigun or "") for m in out.markets)
    known = {m.code for m in out.markets}
    held: dict[str, str] = {}  # confirmed on a market that is gone: staff decide, the job does not re-match
    for m in match_rows:
        app_id, code, status = m["application_id"].strip(), m["market_code"].strip(), m["status"].strip()
        if not app_id or not code:
            continue
        if status in LOCKED and code not in known:
            held[app_id] = (
                f"{status}된 시장(시장코드 {code})이 시장 탭에 없거나 매칭에서 빠져 다시 매칭하지 않았습니다. "
                "시장을 되살리거나 매칭 행을 고치세요."
            )
        elif status in LOCKED:
            out.locks.append(Lock(app_id, code))
        elif status in EXCLUDED:
            out.exclusions.append(Exclusion(app_id, code))
    for row in apps.data_rows():
        app_id = row["application_id"].strip()
        if not app_id:
            continue  # validate gives it an ID first
        if app_id in out.app_rows:
            out.left_out[app_id] = "신청ID가 여러 행에 있어 매칭에서 뺐습니다. 검증메시지를 확인하세요."
            continue
        out.app_rows[app_id] = row
        if app_id in held:
            out.left_out[app_id] = held[app_id]
            continue
        status = row["validation_result"].strip()
        if status not in USABLE:
            out.left_out[app_id] = (
                "검증 오류가 있어 매칭에서 뺐습니다. 검증메시지를 보고 고치세요."
                if status == RowResult.ERROR
                else "아직 검증되지 않았습니다. 'onemarket validate'나 run을 먼저 실행하세요."
            )
            continue
        place = locate(row["address"])
        choices = []
        for key in ("wish_market_1", "wish_market_2"):
            res = index.resolve(row[key], place.sigun)
            if res.market and res.market.code not in choices:
                choices.append(res.market.code)
            if key == "wish_market_1" and res.market:
                out.first_named[app_id] = res.market.code
        wish = parse_sigun(row["wish_region"])
        received = parse_date(row["received_on"])
        wants = parse_int(row["wants"])
        out.applicants.append(
            Applicant(
                id=app_id,
                order=(received.value if received.ok and received.value else "9999-12-31", app_id),
                choices=tuple(choices),
                wish_sigun=wish.value if wish.ok and wish.value else None,
                lat=place.lat,
                lon=place.lon,
                sigun=place.sigun,
                traits=applicant_traits(row),
                wants=min(max(int(wants.value), 1), MAX_WANTS) if wants.ok and wants.value else 1,
            )
        )
    _too_many_locks(out)
    return out


def _too_many_locks(out: Inputs) -> None:
    """An organisation with more 확정/협약체결 rows than the markets it wants takes no part (its
    confirmed rows still hold their markets' places); staff decide which row stands."""
    held = Counter(lock.app_id for lock in dict.fromkeys(out.locks))
    keep = []
    for app in out.applicants:
        if held[app.id] > app.wants:
            out.left_out[app.id] = (
                f"확정·협약체결 행이 {held[app.id]}개로 희망시장수({app.wants})보다 많아 다시 매칭하지 않았습니다. "
                "참여신청의 희망시장수를 고치거나 필요 없는 매칭 행을 거절로 바꾸세요."
            )
        else:
            keep.append(app)
    out.applicants = keep
