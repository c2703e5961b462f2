"""Korean reason strings (docs/matching.md §Reasons). Applicant-facing texts never name another
organisation; staff texts may."""

from __future__ import annotations

from automation.matching.allowed import CITY, FIRST, SECOND
from automation.matching.model import (
    FIRST_PARTNER_REASON,
    FIT,
    UNITS_PER_POINT,
    Applicant,
    Market,
    Neighbours,
    Objective,
)

MISSED_FIRST = "1지망 시장은 다른 기관에 배정되었습니다"
FIRST_NOT_AVAILABLE = "1지망 시장은 이번 배정 대상이 아닙니다"
FULL = "허용된 시장이 모두 찼습니다 (다음 차수 배정 대상)"
LOCKED = "확정된 결연 유지"
RULE_ORDER = "동점 — 공개 규칙 ‘먼저 신청한 기관 우선’으로 결정"
NEAR_TIE_POINTS = 1  # forcing costs nothing on L1..L4 and less than this many points on L5


def km_text(km: float | None) -> str:
    return "거리 정보 없음" if km is None else f"{km:.1f}km"


def rank_reason(rank: int | None, app: Applicant, market: Market, km: float | None, neighbours: Neighbours) -> str:
    """'1지망 시장 · 1.1km', '희망 시·군(하남시) 내 시장 · 2.1km', … (rank None: a locked pair)."""
    where = km_text(km)
    if rank is None:
        return f"{LOCKED} · {where}"
    if rank == FIRST:
        return f"1지망 시장 · {where}"
    if rank == SECOND:
        return f"2지망 시장 · {where}"
    if rank == CITY:
        return f"희망 시·군({app.wish_sigun}) 내 시장 · {where}"
    wish = app.wish_sigun
    if wish is not None and market.sigun in neighbours.get(wish, frozenset()):
        return f"희망 시·군({wish}) 인접 {market.sigun} 시장 · {where}"
    return f"가까운 시장(10km 이내) · {where}"


def trait_reasons(app: Applicant, market: Market) -> list[str]:
    out = [text for mine, theirs, text in FIT if mine in app.traits and theirs in market.traits]
    if not market.had_partner:
        out.append(FIRST_PARTNER_REASON)
    return out


def no_options(app: Applicant) -> str:
    """'조건에 맞는 시장이 없습니다 (희망시장·희망지역 없음, 주소 위치 없음)' and its variants."""
    missing = [w for w, gone in (("희망시장", not app.choices), ("희망지역", app.wish_sigun is None)) if gone]
    parts = [f"{'·'.join(missing)} 없음"] if missing else []
    if app.choices:
        parts.append("희망시장 배정 불가(미참여·제외·미등록)")
    if app.wish_sigun is not None:
        parts.append(f"희망지역({app.wish_sigun}) 참여 시장 없음")
    parts.append("주소 위치 없음" if app.lat is None or app.lon is None else "10km 이내 참여 시장 없음")
    return f"조건에 맞는 시장이 없습니다 ({', '.join(parts)})"


def cost_text(cost: Objective) -> str:
    """What forcing the pair would change: base minus forced, shown as the forced side's loss."""
    return (
        f"매칭 {-cost.matched:+d}, "
        + (f"배정 시장 {-cost.places:+d}, " if cost.places != cost.matched else "")
        + f"1지망 {-cost.first:+d}, 2지망 {-cost.second:+d}, "
        f"희망 시·군 {-cost.city:+d}, 점수 {-cost.score_units / UNITS_PER_POINT:+.2f}점"
    )


def rule_for(cost: Objective) -> str | None:
    """The published rule that decided a near-tie, or None when it was not one."""
    if (cost.matched, cost.places, cost.first, cost.second, cost.city) != (0, 0, 0, 0, 0):
        return None
    if cost.score_units >= NEAR_TIE_POINTS * UNITS_PER_POINT:
        return None
    if cost.score_units <= 0:
        return RULE_ORDER
    return f"근소한 차이 — 거리·적합도·첫 결연 점수가 {cost.score_units / UNITS_PER_POINT:.2f}점 높은 배정을 골랐습니다"
