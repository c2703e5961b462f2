"""Rules that look across rows and tabs: duplicate IDs and organisations, wished markets,
cooperation fields, consent, and references between 매칭/성과보고 and the rows they name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from automation.domain.market_names import MarketIndex, MarketRef
from automation.geo import parse_address
from automation.parsers import org_key, quote
from automation.privacy import MARKET_BOUND, MASK, PEOPLE, consent_detector, for_market, kinds_text
from automation.schema import TabSchema
from automation.validation.findings import RowFindings

CHECKED = list[RowFindings]


def duplicate_ids(schema: TabSchema, found: CHECKED, raw_ids: dict[int, str]) -> None:
    """A copied row that repeats an ID is flagged on every row that has it (never renumbered)."""
    rows: dict[str, list[int]] = defaultdict(list)
    for f in found:
        if raw_ids.get(f.row, "").strip():
            rows[raw_ids[f.row].strip()].append(f.row)
    header = schema.id.header
    by_row = {f.row: f for f in found}
    for value, numbers in rows.items():
        if len(numbers) < 2:
            continue
        for n in numbers:
            others = ", ".join(str(o) for o in numbers if o != n)
            by_row[n].error(
                "duplicate_id",
                column=header,
                value=value,
                message=f"중복 ID: {quote(value, '이')} {others}행에도 있습니다. 복사한 행이면 이 행의 {header}를 "
                "비우세요 (다음 실행에서 새 ID를 받습니다).",
            )


def duplicate_orgs(found: CHECKED) -> None:
    """The same organisation applying twice (name without legal form, or 사업자등록번호)."""
    groups: dict[tuple[str, str], list[RowFindings]] = defaultdict(list)
    for f in found:
        name, brn = f.values.get("org_name", ""), f.values.get("brn", "")
        if name and org_key(name):
            groups[("name", org_key(name))].append(f)
        if brn:
            groups[("brn", brn)].append(f)
    for (kind, _), members in groups.items():
        if len(members) < 2:
            continue
        column = "기관명" if kind == "name" else "사업자등록번호"
        for f in members:
            others = ", ".join(str(o.row) for o in members if o is not f)
            f.warn(
                "duplicate_org",
                column=column,
                value=f.values.get("org_name", ""),
                message=f"같은 기관의 신청이 {others}행에도 있습니다. 중복 신청인지 확인하고 하나만 남기세요 "
                "(자동으로 합치지 않습니다).",
            )


def cooperation_and_consent(found: CHECKED) -> None:
    for f in found:
        v = f.values
        chosen = (
            v.get("market_day") == "Y"
            or v.get("purchase") == "Y"
            or v.get("onnuri_thousand_won", "0") not in ("", "0")
            or bool(v.get("special_program"))
            or bool(v.get("other_cooperation"))
        )
        if not chosen and not any(i.column in ("전통시장가는날", "물품구매", "온누리상품권(천원)") for i in f.issues):
            f.error(
                "no_cooperation",
                column="협력분야",
                value="",
                message="협력 분야를 하나 이상 고르세요 (전통시장가는날 Y, 물품구매 Y, 온누리상품권(천원), 특화프로그램, 기타협력).",
            )
        if v.get("privacy_consent") == "N":
            f.error(
                "no_consent",
                column="개인정보동의",
                value="N",
                message="동의하지 않은 신청은 처리할 수 없습니다. 동의서를 받은 뒤 Y로 고치세요.",
            )


def contact_in_market_bound_text(found: CHECKED) -> None:
    """Without 제3자제공동의 = Y, contact details typed into text that reaches the market (특화프로그램,
    기타협력, 기관명, 주소) are masked there: staff are told on the row, column by column."""
    for f in found:
        v = f.values
        if v.get("third_party_consent") == "Y" or v.get("privacy_consent") == "N":
            continue
        detector = consent_detector({k: v.get(k, "") for k in PEOPLE})
        for key, header in MARKET_BOUND.items():
            _, counts = for_market(detector, key, v.get(key, ""))
            if counts:
                f.warn(
                    "consent_masked",
                    column=header,
                    value=None,
                    message=f"제3자제공동의가 Y가 아니어서 이 칸의 {kinds_text(counts)}은 시장에 가는 협약서·안내 메일에서 "
                    f"{MASK}으로 바뀝니다. 시장에 알려도 되면 제3자제공동의를 받아 Y로 고치세요.",
                )


def partnered_markets_have_an_address(markets: CHECKED, partnered: dict[str, list[str]]) -> None:
    """A market in a 확정/협약체결 pair needs an address: the agreement names it."""
    for f in markets:
        pairs = partnered.get(f.values.get("market_code", ""), [])
        if pairs and not (f.values.get("road_address") or f.values.get("lot_address")):
            f.warn(
                "market_no_address",
                column="도로명주소",
                value=None,
                message=f"확정된 짝({', '.join(pairs[:3])})이 있는 시장인데 도로명주소와 지번주소가 비어 있습니다. "
                "협약서에 시장 주소가 들어가니 주소를 적으세요.",
            )


def market_index(markets: CHECKED) -> MarketIndex:
    return MarketIndex(
        MarketRef(m.values.get("market_code", ""), m.values.get("market_name", ""), m.values.get("sigun", ""))
        for m in markets
    )


def wished_markets(found: CHECKED, index: MarketIndex) -> None:
    for f in found:
        sigun = parse_address(f.values.get("address", "")).sigun
        for key, header in (("wish_market_1", "희망시장1"), ("wish_market_2", "희망시장2")):
            typed = f.values.get(key, "")
            if not typed:
                continue
            res = index.resolve(typed, sigun)
            if res.kind in ("normalized", "fuzzy") and res.market:
                f.warn(
                    "market_guess",
                    column=header,
                    value=typed,
                    message=f"{quote(typed, '을')} {res.market.sigun} {quote(res.market.name, '으로')} 읽었습니다. 맞으면 시장명을 "
                    f"{quote(res.market.name, '으로')} 고치세요.",
                )
            elif res.kind == "ambiguous":
                twins = len({m.label() for m in res.candidates}) < len(res.candidates)
                names = ", ".join(m.label(with_code=twins) for m in res.candidates)
                fix = "이름과 시군이 같은 시장들이니 시장코드를 적으세요." if twins else "시장명을 정확히 적으세요."
                f.warn(
                    "market_ambiguous",
                    column=header,
                    value=typed,
                    message=f"{quote(typed, '에')} 맞는 시장이 여러 곳입니다: {names}. {fix}",
                )
            elif res.kind == "none":
                f.error(
                    "market_unknown",
                    column=header,
                    value=typed,
                    message=f"{quote(typed, '을')} '시장' 탭에서 찾을 수 없습니다. 시장명을 확인하거나, 비우고 희망지역을 적으세요.",
                )


def references(found: CHECKED, key: str, header: str, known: Iterable[str], target: str) -> None:
    """Each row's ``key`` must name an existing row of ``target`` (e.g. 매칭.신청ID → 참여신청)."""
    ids = set(known)
    for f in found:
        value = f.values.get(key, "")
        if value and value not in ids:
            f.error(
                "unknown_reference",
                column=header,
                value=value,
                message=f"{quote(value, '은')} '{target}' 탭에 없습니다. 값을 확인하세요 (삭제된 행이면 담당자에게 알리세요).",
            )


def owned_by_market(found: CHECKED, tab: str, owned: set[str] | None, known: Iterable[str]) -> None:
    """A market tab's 매칭ID must be one of that market's own pairs (BAD_INPUTS #44)."""
    ids = set(known)
    for f in found:
        value = f.values.get("match_id", "")
        if not value or value not in ids:
            continue  # blank or unknown: the required / reference checks say so
        if owned is None:
            f.error(
                "market_tab_unknown",
                column="매칭ID",
                value=value,
                message=f"탭 '{tab}'의 시장을 '시장' 탭에서 찾을 수 없어 이 성과를 받을 수 없습니다. 담당자에게 알리세요 "
                "(시장명이 바뀌었거나 시장이 삭제되었습니다).",
            )
        elif value not in owned:
            f.error(
                "foreign_match_id",
                column="매칭ID",
                value=value,
                message=f"{quote(value, '은')} 이 시장의 매칭ID가 아닙니다. 이 탭에는 이 시장의 협약({', '.join(sorted(owned)) or '없음'})만 "
                "적을 수 있습니다. 매칭ID를 확인하세요.",
            )


def owned_by_team(found: CHECKED, teams: set[str] | None, task_team: dict[str, str] | None) -> None:
    """A market tab's 협약ID must be one of that market's teams; its 과제ID a 과제 of that team (or,
    without a 협약ID, of one of the market's teams). ``task_team``: 과제ID → 협약ID (None: no 협력과제 tab)."""
    if teams is None:
        return  # the market itself is unknown: owned_by_market says so
    listed = ", ".join(sorted(teams)) or "없음"
    for f in found:
        team, task = f.values.get("team_id", ""), f.values.get("task_id", "")
        if team and team not in teams:
            f.error(
                "foreign_team",
                column="협약ID",
                value=team,
                message=f"{quote(team, '은')} 이 시장의 협약이 아닙니다. 이 탭에는 이 시장의 협약({listed})만 적을 수 "
                "있습니다. 협약ID를 확인하세요.",
            )
            continue
        if not task or task_team is None:
            continue
        owner = task_team.get(task)
        if owner is None:
            f.error(
                "unknown_task",
                column="과제ID",
                value=task,
                message=f"{quote(task, '은')} '협력과제' 탭에 없습니다. 과제ID를 확인하거나 비우세요.",
            )
        elif (team and owner != team) or (not team and owner not in teams):
            f.error(
                "foreign_task",
                column="과제ID",
                value=task,
                message=f"{quote(task, '은')} 협약 {owner}의 과제입니다. 이 행의 협약"
                f"({team or listed})의 과제ID를 적거나 비우세요.",
            )
