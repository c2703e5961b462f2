"""협력과제 seeding: a team's first 과제, from its members' applications and its markets' offers.

Each member brings its 과제 once per team (recorded in ``_작업상태``): an organisation its
application's 협력 분야 (전통시장 가는 날, 물품 구매, 온누리상품권 연 N천원, 특화프로그램, 기타),
a market what it offers (유휴공간, 문화공간). Seeding happens while the team is 준비; after that the
과제 are staff's — edited, added and deleted freely, never written again by the job. No personal
data goes into a 과제: names of bodies and markets only.
"""

from __future__ import annotations

from collections.abc import Mapping

from automation.domain.teams import Team, TeamStatus
from automation.parsers import is_yes, mask_rrn, thousands
from automation.parsers.base import josa, neutralise_formula
from automation.sheets.table import Row
from automation.state import WorkState

SEEDED_KIND = "과제채움"
PLANNED = "계획"
#: a few words in a free-text 협력 item and the 분야 (활동유형) they point to; else the default
_FIELD_WORDS = (
    (("sns", "SNS", "홍보", "카드뉴스", "유튜브", "인스타"), "SNS홍보"),
    (("벽화", "환경", "간판", "도색"), "벽화·환경개선"),
    (("안전", "소방", "점검"), "안전점검"),
    (("온라인", "입점", "라이브", "쇼핑몰"), "온라인입점"),
    (("할인", "쿠폰"), "할인혜택"),
    (("구매", "납품", "장보기"), "물품구매"),
)


def guess_field(text: str, default: str) -> str:
    for words, field_name in _FIELD_WORDS:
        if any(w in text for w in words):
            return field_name
    return default


def _free_text(text: str) -> str:
    """A free-text cell as one line for a 과제; a formula-looking cell (=HYPERLINK(…)) is not copied
    (validation already warns on its row) and 주민등록번호-like runs are masked."""
    line, note = neutralise_formula(" ".join(mask_rrn(text).split()))
    return "" if note == "formula" else line


def _task(title: str, field_name: str, party: str, content: str) -> dict[str, str]:
    return {"title": title, "field": field_name, "party": party, "content": content, "status": PLANNED}


def org_tasks(app: Row, markets: str) -> list[dict[str, str]]:
    """What the organisation offered on its application, as 과제 (주체 기관)."""
    org = app["org_name"].strip()
    out = []
    if is_yes(app["market_day"]):
        out.append(
            _task(
                "전통시장 가는 날 운영",
                "전통시장가는날",
                "기관",
                f"{org} 임직원이 {markets}{josa(markets, '을')} 찾아 장보기",
            )
        )
    if is_yes(app["purchase"]):
        out.append(_task("전통시장 물품 구매", "물품구매", "기관", f"{org}의 행사·업무 물품을 {markets}에서 구매"))
    thousand = thousands(app["onnuri_thousand_won"])
    if thousand:
        out.append(
            _task(
                f"온누리상품권 구매 (연 {thousand:,}천원)",
                "온누리상품권구매",
                "기관",
                f"{org}{josa(org, '이')} 온누리상품권을 연 {thousand:,}천원 구매",
            )
        )
    special = _free_text(app["special_program"])
    if special:
        out.append(_task(f"특화프로그램: {special}", guess_field(special, "행사협력"), "기관", special))
    other = _free_text(app["other_cooperation"])
    if other:
        out.append(_task(f"기타: {other}", guess_field(other, "기타"), "기관", other))
    return out


def market_tasks(market: Row, orgs: str) -> list[dict[str, str]]:
    """What the market offers its partners (주체 시장)."""
    name = market["market_name"].strip()
    out = []
    idle = _free_text(market["idle_space"])
    if idle:
        out.append(
            _task("유휴공간 제공", "행사협력", "시장", f"{name}의 {idle}{josa(idle, '을')} {orgs}의 행사·교육에 제공")
        )
    culture = _free_text(market["culture_space"])
    if culture:
        out.append(
            _task("문화공간 활용", "행사협력", "시장", f"{name}의 {culture}에서 {orgs}{josa(orgs, '과')} 함께하는 행사")
        )
    return out


def seed(
    team: Team,
    apps: Mapping[str, Row],
    markets: Mapping[str, Row],
    state: WorkState,
    *,
    has_tasks: bool = False,
) -> list[dict[str, str]]:
    """The 과제 rows (without 과제ID) a team gets now: each member's once, while the team is 준비.
    A team whose 과제 staff wrote themselves (before the job seeded anything) is never seeded."""
    if team.status != TeamStatus.PREPARING or team.held or not team.members:
        return []
    items = [f"{team.team_id}/{m.app_id}" for m in team.orgs]
    items += [f"{team.team_id}/{m.market_code or m.market}" for m in team.markets]
    if has_tasks and not any(state.get(SEEDED_KIND, i) for i in items):
        for item in items:
            state.set(SEEDED_KIND, item, "staff")
        return []
    market_names = "·".join(m.market or m.market_code for m in team.markets)
    org_names = "·".join(m.org or m.app_id for m in team.orgs)
    rows: list[dict[str, str]] = []
    for m in team.orgs:
        item = f"{team.team_id}/{m.app_id}"
        if state.get(SEEDED_KIND, item) or m.app_id not in apps:
            continue
        rows += org_tasks(apps[m.app_id], market_names)
        state.set(SEEDED_KIND, item, "Y")
    for m in team.markets:
        code = m.market_code or m.market
        item = f"{team.team_id}/{code}"
        if state.get(SEEDED_KIND, item) or code not in markets:
            continue
        rows += market_tasks(markets[code], org_names)
        state.set(SEEDED_KIND, item, "Y")
    return [{**r, "team_id": team.team_id} for r in rows]
