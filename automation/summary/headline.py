"""요약 (the headline figures per 협약식 and in total), 팀별활동 and 후속관리.

The unit is the team (협약), as the agency reports it ("N팀 M과제"): a team's 협약식 차수 never
shifts once the team exists, so neither do these columns. Definitions (the 설명 column repeats
them):

* 협약 팀: teams with at least one 확정 pair; 협약체결 = 상태 협약체결 or 종료.
* 협력과제: rows of 협력과제 whose 협약ID is one of those teams; a blank 상태 counts as 계획.
* 참여 기관 / 시장: distinct 신청ID / 시장코드 over the teams.
* 온누리 약정(천원): each organisation's 온누리상품권(천원) once, in the 협약식 of its first team.
* Activity (활동, 참여 인원, 물품·온누리 구매): usable outcome rows whose 활동일 is in the period;
  a row counts in the 협약식 of its team (its 협약ID, else its 매칭ID's team), and in 합계 only
  when its team is unknown. 약정 대비 구매 = 온누리 구매 ÷ 온누리 약정.
* 활동 구간: activity rows per 협약체결 team in the period — 3회 이상, 2회, 1회, 활동 없음.
* 후속관리: 협약체결 teams (not 종료) whose last activity (whatever the period), or whose 협약일
  when they have none, is ``idle_days`` or more before the 기준 day.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from automation.sheets.base import ChartSpec, Scalar, nice_max
from automation.summary.layout import fit_widths
from automation.summary.model import (
    NO_ROUND,
    TASK_STATES,
    TOTAL,
    Facts,
    OutcomeFacts,
    Period,
    TabContent,
    TeamFacts,
)

TIERS = ("활동 3회 이상", "활동 2회", "활동 1회", "활동 없음")
TITLE = "우리동네 1사-1시장 협력 프로젝트 추진 현황"
Key = int | None  # a 협약식 차수, None = 미정


def tier(count: int) -> str:
    return TIERS[0] if count >= 3 else TIERS[1] if count == 2 else TIERS[2] if count == 1 else TIERS[3]


def round_keys(teams: Iterable[TeamFacts]) -> list[Key]:
    found = {t.ceremony for t in teams}
    return [*sorted(k for k in found if k is not None), *([None] if None in found else [])]


def round_label(key: Key) -> str:
    return NO_ROUND if key is None else f"{key}차 협약식"


def ordered(teams: Iterable[TeamFacts]) -> list[TeamFacts]:
    return sorted(teams, key=lambda t: (t.ceremony is None, t.ceremony or 0, t.team_id))


@dataclass
class Figures:
    """The headline figures of one column (one 협약식, or 합계)."""

    teams: int = 0
    signed: int = 0
    preparing: int = 0
    tasks: int = 0
    signed_tasks: int = 0
    task_states: Counter[str] = field(default_factory=Counter)
    orgs: int = 0
    markets: int = 0
    pledge_thousand: int = 0
    onnuri_won: int = 0
    purchase_won: int = 0
    activities: int = 0
    participants: int = 0
    tiers: Counter[str] = field(default_factory=Counter)

    @property
    def bought_share(self) -> float | str:
        """온누리 구매 ÷ 약정, in %, one decimal ('' when nothing was pledged)."""
        if not self.pledge_thousand:
            return ""
        return round(100 * self.onnuri_won / (1000 * self.pledge_thousand), 1)


def activity_by_team(outcomes: Iterable[OutcomeFacts]) -> Counter[str]:
    return Counter(o.team_id for o in outcomes if o.team_id)


def figures(f: Facts, period: Period) -> dict[Key | str, Figures]:
    """TOTAL and each 협약식 → its figures."""
    teams = ordered(f.teams)
    keys = round_keys(teams)
    out: dict[Key | str, Figures] = {TOTAL: Figures(), **{k: Figures() for k in keys}}
    round_of = {t.team_id: t.ceremony for t in teams}
    signed_ids = {t.team_id for t in teams if t.signed}
    pledge = {a.app_id: a.pledge_thousand for a in f.apps}
    seen_org: set[str] = set()
    members: dict[Key | str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for t in teams:
        for col in (TOTAL, t.ceremony):
            fig = out[col]
            fig.teams += 1
            fig.signed += t.signed
            fig.preparing += t.status == "준비"
            members[col][0].update(t.orgs)
            members[col][1].update(t.markets)
        for org in t.orgs:
            if org not in seen_org:
                seen_org.add(org)
                for col in (TOTAL, t.ceremony):
                    out[col].pledge_thousand += pledge.get(org, 0)
    for col, (orgs, markets) in members.items():
        out[col].orgs, out[col].markets = len(orgs), len(markets)
    for task in f.tasks:
        if task.team_id not in round_of:
            continue
        for col in (TOTAL, round_of[task.team_id]):
            out[col].tasks += 1
            out[col].signed_tasks += task.team_id in signed_ids
            out[col].task_states[task.status] += 1
    counted = [o for o in f.outcomes if period.holds(o.day)]
    for o in counted:
        cols: list[Key | str] = [TOTAL, *([round_of[o.team_id]] if o.team_id in round_of else [])]
        for col in cols:
            fig = out[col]
            fig.activities += 1
            fig.participants += o.participants
            fig.purchase_won += o.purchase_won
            fig.onnuri_won += o.onnuri_won
    per_team = activity_by_team(counted)
    for t in teams:
        if t.signed:
            for col in (TOTAL, t.ceremony):
                out[col].tiers[tier(per_team.get(t.team_id, 0))] += 1
    return out


Line = tuple[str, str, Callable[[Figures], Scalar], str]


def _state(name: str) -> Callable[[Figures], Scalar]:
    return lambda g: g.task_states[name]


LINES: tuple[Line, ...] = (
    ("협약 팀", "팀", lambda g: g.teams, "확정된 짝이 1개 이상인 협약(팀), 준비 포함"),
    ("  협약체결", "팀", lambda g: g.signed, "협약 상태 협약체결·종료"),
    ("  준비", "팀", lambda g: g.preparing, "협약 상태 준비 (협약식 전)"),
    ("협력과제", "개", lambda g: g.tasks, "협력과제 탭의 과제 (위 협약의 것)"),
    *((f"  {s}", "개", _state(s), "과제 상태 (빈칸은 계획)") for s in TASK_STATES),
    ("참여 기관", "곳", lambda g: g.orgs, "협약에 든 기관 (신청ID 기준, 한 번씩)"),
    ("참여 시장", "곳", lambda g: g.markets, "협약에 든 시장 (시장코드 기준, 한 번씩)"),
    ("온누리 약정", "천원", lambda g: g.pledge_thousand, "참여 기관의 신청서 온누리상품권(천원), 기관마다 한 번"),
    ("온누리 구매", "원", lambda g: g.onnuri_won, "기간 안 성과 행의 온누리상품권(원) 합"),
    ("약정 대비 구매", "%", lambda g: g.bought_share, "온누리 구매 ÷ 온누리 약정"),
    ("물품 구매", "원", lambda g: g.purchase_won, "기간 안 성과 행의 구매금액(원) 합"),
    ("활동", "건", lambda g: g.activities, "기간 안 성과 행 (검증 오류 제외)"),
    ("참여 인원", "명", lambda g: g.participants, "기간 안 성과 행의 참여인원 합"),
)


def sentence(total: Figures) -> str:
    """The figure the agency publishes, in one line."""
    share = total.bought_share
    bought = f"온누리상품권 구매 {total.onnuri_won:,}원" + (f" (약정의 {share}%)" if share != "" else "")
    return (
        f"협약 {total.signed}팀 {total.signed_tasks}과제 · 준비 중 {total.preparing}팀 · "
        f"참여 기관 {total.orgs}곳, 시장 {total.markets}곳 · {bought} · 활동 {total.activities:,}건, "
        f"참여 {total.participants:,}명"
    )


def summary_tab(f: Facts, flow: Sequence[tuple[str, int, str]], period: Period, stamp: str) -> TabContent:
    figs = figures(f, period)
    keys = round_keys(f.teams)
    cols: list[Key | str] = [TOTAL, *keys]
    header: list[Scalar] = ["항목", "단위", TOTAL, *(round_label(k) for k in keys), "설명"]
    rows: list[list[Scalar]] = [
        [TITLE],
        [sentence(figs[TOTAL])],
        [f"기준: {stamp} · 활동 기간: {period.label()} (자동 생성 — 고치지 마세요)"],
        [],
        header,
    ]
    rows += [[label, unit, *(value(figs[c]) for c in cols), note] for label, unit, value, note in LINES]
    rows.append([])
    tier_header = len(rows) + 1
    rows.append(["활동 구간 (협약체결 팀)", "단위", TOTAL, *(round_label(k) for k in keys), "설명"])
    for name in TIERS:
        rows.append([name, "팀", *(figs[c].tiers[name] for c in cols), "기간 안 성과 행 수"])
    rows.append([])
    flow_header = len(rows) + 1
    rows.append(["신청·매칭 흐름", "단위", TOTAL, *([""] * len(keys)), "설명"])
    rows += [[label, unit, value, *([""] * len(keys)), note] for label, value, unit, note in _flow_rows(flow)]
    tiers = [figs[TOTAL].tiers[n] for n in TIERS]
    chart = ChartSpec(
        "column",
        "활동 구간별 협약체결 팀 수",
        anchor_row=5,
        anchor_col=len(header) + 2,
        header_row=tier_header,
        first_row=tier_header + 1,
        last_row=tier_header + len(TIERS),
        category_col=1,
        series_cols=(3,),
        y_max=nice_max(max(tiers, default=0)),
    )
    widths = fit_widths(rows[4:], {1: 24, len(header): 44})
    return TabContent(rows, [chart], widths, bold_rows=(1, 2, 5, tier_header, flow_header), freeze_rows=0)


def _flow_rows(flow: Sequence[tuple[str, int, str]]) -> list[tuple[str, int, str, str]]:
    units = {"접수": "건", "검증 통과": "건"}
    return [(label, value, units.get(label, "짝"), note) for label, value, note in flow]


def last_activity(outcomes: Iterable[OutcomeFacts]) -> dict[str, dt.date]:
    out: dict[str, dt.date] = {}
    for o in outcomes:
        if o.team_id and o.day is not None and (o.team_id not in out or o.day > out[o.team_id]):
            out[o.team_id] = o.day
    return out


TEAM_HEADER: tuple[str, ...] = (
    "협약ID",
    "협약명",
    "협약식",
    "상태",
    "협약일",
    "기관 수",
    "시장 수",
    "협력과제",
    "완료 과제",
    "활동(건)",
    "참여 인원(명)",
    "온누리 구매(원)",
    "마지막 활동일",
    "활동 구간",
)


def teams_tab(f: Facts, period: Period) -> TabContent:
    counted = [o for o in f.outcomes if period.holds(o.day)]
    per_team: dict[str, list[OutcomeFacts]] = defaultdict(list)
    for o in counted:
        per_team[o.team_id].append(o)
    tasks = Counter(t.team_id for t in f.tasks)
    done = Counter(t.team_id for t in f.tasks if t.status == "완료")
    last = last_activity(f.outcomes)
    rows: list[list[Scalar]] = [list(TEAM_HEADER)]
    for t in ordered(f.teams):
        mine = per_team.get(t.team_id, [])
        rows.append(
            [
                t.team_id,
                t.name,
                round_label(t.ceremony),
                t.status,
                t.signed_on.isoformat() if t.signed_on else "",
                len(t.orgs),
                len(t.markets),
                tasks.get(t.team_id, 0),
                done.get(t.team_id, 0),
                len(mine),
                sum(o.participants for o in mine),
                sum(o.onnuri_won for o in mine),
                last[t.team_id].isoformat() if t.team_id in last else "",
                tier(len(mine)) if t.signed else "(협약 전)",
            ]
        )
    if len(rows) == 1:
        rows.append(["확정된 짝이 아직 없습니다."])
    rows += [[], [f"활동 기간: {period.label()} — 활동·참여 인원·온누리 구매는 이 기간의 성과 행입니다."]]
    return TabContent(rows, widths=fit_widths(rows[:-2], {2: 40}))


def follow_up_tab(f: Facts, period: Period) -> TabContent:
    last = last_activity(f.outcomes)
    header: list[Scalar] = ["협약ID", "협약명", "협약식", "협약일", "마지막 활동일", "활동 없이 지난 날", "할 일"]
    rows: list[list[Scalar]] = [header]
    late: list[tuple[int, TeamFacts, str]] = []
    for t in f.teams:
        if t.status != "협약체결":
            continue
        since = last.get(t.team_id) or t.signed_on
        if since is None:
            late.append((-1, t, "협약일·활동 기록이 없습니다. 협약일을 적고 시장에 활동 계획을 물어보세요."))
            continue
        days = (period.today - since).days
        if days >= period.idle_days:
            todo = (
                "시장 상인회에 다음 활동 일정을 물어보세요."
                if t.team_id in last
                else "첫 활동을 계획하도록 연락하세요."
            )
            late.append((days, t, todo))
    late.sort(key=lambda x: (-x[0] if x[0] >= 0 else -(10**9), x[1].team_id))
    for days, t, todo in late:
        rows.append(
            [
                t.team_id,
                t.name,
                round_label(t.ceremony),
                t.signed_on.isoformat() if t.signed_on else "",
                last[t.team_id].isoformat() if t.team_id in last else "(없음)",
                days if days >= 0 else "",
                todo,
            ]
        )
    if not late:
        rows.append([f"없음 — 협약체결 팀이 모두 최근 {period.idle_days}일 안에 활동했습니다."])
    rows += [
        [],
        [
            f"{period.today} 기준, 마지막 활동(없으면 협약일) 뒤 {period.idle_days}일 이상 지난 협약체결 팀 "
            "([dashboard] idle_days로 바꿀 수 있습니다)."
        ],
    ]
    return TabContent(rows, widths=fit_widths(rows[:-2], {2: 40, 7: 48}))
