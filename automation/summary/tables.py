"""The dashboard's breakdown tabs (시군별, 기관유형별, 협력분야별, 월별성과, 우수사례후보), computed
from plain facts (:mod:`.model`; no backend, no personal data). Definitions:

* 시군별: an application counts at its 시군 (희망지역, else 주소); a team in every 시군 where it has a
  market (once in 합계); a market at its own; an organisation's 온누리 약정 at its first team's; an activity at its
  pair's market (by 매칭ID, else by a 시장명 that names one market). Anything that is not one of
  the 31 경기 시군 is 기타/미상.
* 기관유형별 / 협력분야별: organisations in teams (협약 기관), once each; 협력분야 chosen on the
  application: 전통시장가는날/물품구매 = Y, 온누리상품권 = an amount above 0, 특화프로그램/기타협력
  = any text except N, 없음, 해당없음, 미정 or '-'. A 협력과제 counts at its 분야 (온누리상품권구매 →
  온누리상품권, 기타 or blank → 기타협력, 벽화·SNS·안전점검·온라인입점·행사·할인 → 특화프로그램).
* 월별성과: by the month of 활동일 (and 협약일 for 신규 협약), every month from the first to the
  last (zeros included); rows without 활동일 are shown apart, and in 합계.
* 우수사례후보: usable outcome rows with 우수사례추천 Y, oldest first; 내용 at most 200 characters;
  홍보동의 (staff) shown last, as cards use only those rows.

Activity columns count the period's rows (:class:`~.model.Period`); undated rows only when the
period is open at both ends.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

import pandas as pd

from automation.geo import SIGUN
from automation.schema import default_schemas
from automation.sheets.base import ChartSpec, Scalar, nice_max
from automation.summary.headline import ordered
from automation.summary.layout import fit_widths
from automation.summary.model import (
    FIELDS,
    ORG_TYPES,
    OTHER_SIGUN,
    TOTAL,
    UNKNOWN_TYPE,
    BestCase,
    Facts,
    OutcomeFacts,
    Period,
    TabContent,
    TeamFacts,
)

NO_DATE = "활동일 없음"
#: the 성과보고 columns a 우수사례후보 row shows, in this order (headers from the schema)
BEST_KEYS = (
    "match_id",
    "market_name",
    "org_name",
    "activity_date",
    "activity_type",
    "content",
    "participants",
    "purchase_won",
    "onnuri_won",
    "evidence_link",
    "publish",
)
BEST_HEADER = tuple(default_schemas().outcomes.column(k).header for k in BEST_KEYS)
NO_BEST = "우수사례추천이 Y인 성과 행이 아직 없습니다."
TASK_FIELD = {
    "전통시장가는날": "전통시장가는날",
    "물품구매": "물품구매",
    "온누리상품권구매": "온누리상품권",
    "기타": "기타협력",
    "": "기타협력",
}


def in_period(outcomes: Iterable[OutcomeFacts], period: Period) -> list[OutcomeFacts]:
    return [o for o in outcomes if period.holds(o.day)]


def first_team_of_org(teams: Sequence[TeamFacts]) -> dict[str, TeamFacts]:
    out: dict[str, TeamFacts] = {}
    for t in ordered(teams):
        for org in t.orgs:
            out.setdefault(org, t)
    return out


def _table(labels: Sequence[str], columns: Sequence[Counter[str]]) -> list[list[Scalar]]:
    rows: list[list[Scalar]] = [[label, *(c.get(label, 0) for c in columns)] for label in labels]
    rows.append([TOTAL, *(sum(c.get(label, 0) for label in labels) for c in columns)])
    return rows


def sigun_tab(f: Facts, period: Period) -> TabContent:
    labels = [*SIGUN, OTHER_SIGUN]
    pledge = {a.app_id: a.pledge_thousand for a in f.apps}
    applied = Counter(a.sigun for a in f.apps)
    # a team counts in every 시군 where it has a market (an LG-like team in five), and once in 합계
    teams = Counter(s for t in f.teams for s in dict.fromkeys(t.market_siguns))
    markets = Counter(
        dict.fromkeys(((m, s) for t in f.teams for m, s in zip(t.markets, t.market_siguns, strict=True)), 1)
    )
    market_count = Counter(s for _, s in markets)
    pledged: Counter[str] = Counter()
    for org, t in first_team_of_org(f.teams).items():
        pledged[t.market_siguns[0] if t.market_siguns else OTHER_SIGUN] += pledge.get(org, 0)
    counted = in_period(f.outcomes, period)
    acts = Counter(o.sigun for o in counted)
    onnuri: Counter[str] = Counter()
    for o in counted:
        onnuri[o.sigun] += o.onnuri_won
    header: list[Scalar] = ["시군", "신청", "협약 팀", "참여 시장", "온누리 약정(천원)", "활동(건)", "온누리 구매(원)"]
    rows = [header, *_table(labels, [applied, teams, market_count, pledged, acts, onnuri])]
    rows[-1][2] = sum(1 for t in f.teams if t.market_siguns)
    chart = ChartSpec(
        "bar",
        "시군별 협약 팀",
        anchor_row=2,
        anchor_col=len(header) + 2,
        header_row=1,
        first_row=2,
        last_row=1 + len(labels),
        category_col=1,
        series_cols=(3,),
        y_max=nice_max(max(teams.values(), default=0)),
    )
    return TabContent(rows, [chart], fit_widths(rows))


def org_type_tab(f: Facts) -> TabContent:
    labels = [*ORG_TYPES, UNKNOWN_TYPE]
    kind = {a.app_id: a.org_type for a in f.apps}
    pledge = {a.app_id: a.pledge_thousand for a in f.apps}
    first = first_team_of_org(f.teams)
    signed = {org for t in f.teams if t.signed for org in t.orgs}
    columns = [
        Counter(a.org_type for a in f.apps),
        Counter(kind.get(org, UNKNOWN_TYPE) for org in first),
        Counter(kind.get(org, UNKNOWN_TYPE) for org in signed),
        Counter(),
    ]
    for org in first:
        columns[3][kind.get(org, UNKNOWN_TYPE)] += pledge.get(org, 0)
    header: list[Scalar] = ["기관유형", "신청", "협약 기관", "협약체결 기관", "온누리 약정(천원)"]
    rows = [header, *_table(labels, columns)]
    return TabContent(rows, widths=fit_widths(rows))


def field_tab(f: Facts) -> TabContent:
    chose = {a.app_id: a.fields for a in f.apps}
    in_team = first_team_of_org(f.teams)
    known = {t.team_id for t in f.teams}
    applied = Counter(x for a in f.apps for x in a.fields)
    teamed = Counter(x for org in in_team for x in chose.get(org, ()))
    tasks = Counter(TASK_FIELD.get(t.field, "특화프로그램") for t in f.tasks if t.team_id in known)
    done = Counter(
        TASK_FIELD.get(t.field, "특화프로그램") for t in f.tasks if t.team_id in known and t.status == "완료"
    )
    header: list[Scalar] = ["협력분야", "신청 기관", "협약 기관", "협력과제", "완료 과제"]
    rows: list[list[Scalar]] = [header]
    rows += [[x, applied.get(x, 0), teamed.get(x, 0), tasks.get(x, 0), done.get(x, 0)] for x in FIELDS]
    chart = ChartSpec(
        "column",
        "협력분야별 신청 기관과 협약 기관",
        anchor_row=2,
        anchor_col=len(header) + 2,
        header_row=1,
        first_row=2,
        last_row=1 + len(FIELDS),
        category_col=1,
        series_cols=(2, 3),
        y_max=nice_max(max([*applied.values(), *teamed.values()], default=0)),
    )
    return TabContent(rows, [chart], fit_widths(rows))


MONTHLY_KEYS = ("n", "participants", "purchase_won", "onnuri_won")


def by_month(outcomes: Sequence[OutcomeFacts], new_teams: Sequence[dt.date]) -> tuple[pd.DataFrame, list[int]]:
    """One row per month from the first to the last (zeros included): 신규 협약 and the activity
    sums; and the sums of the rows without 활동일."""
    o = pd.DataFrame(
        {
            "day": pd.to_datetime(pd.Series([x.day for x in outcomes], dtype="object")),
            **{k: pd.Series([getattr(x, k) for x in outcomes], dtype="int64") for k in MONTHLY_KEYS[1:]},
        }
    )
    o["n"] = 1
    dated = o[o["day"].notna()].copy()
    dated["month"] = dated["day"].dt.to_period("M")
    teams = pd.Series(pd.to_datetime(pd.Series(list(new_teams), dtype="object")).dt.to_period("M"), dtype="object")
    seen = [*dated["month"], *teams]
    undated = [int(o[o["day"].isna()][k].sum()) for k in MONTHLY_KEYS]
    if not seen:
        return pd.DataFrame(columns=["new", *MONTHLY_KEYS]), undated
    months = pd.period_range(min(seen), max(seen), freq="M")
    table = dated.groupby("month")[list(MONTHLY_KEYS)].sum().reindex(months, fill_value=0)
    table.insert(0, "new", teams.value_counts().reindex(months, fill_value=0).to_numpy())
    return table, undated


def monthly_tab(f: Facts, period: Period) -> TabContent:
    counted = in_period(f.outcomes, period)
    signed = [t.signed_on for t in f.teams if t.signed and t.signed_on and period.holds(t.signed_on)]
    table, undated = by_month(counted, signed)
    header: list[Scalar] = ["월", "신규 협약(팀)", "활동(건)", "참여 인원(명)", "구매금액(원)", "온누리상품권(원)"]
    rows: list[list[Scalar]] = [header]
    rows += [
        [str(month), *(int(v) for v in values)] for month, values in zip(table.index, table.to_numpy(), strict=True)
    ]
    months = len(rows) - 1
    if any(undated):
        rows.append([NO_DATE, 0, *undated])
    rows.append([TOTAL, len(signed), *(int(table[k].sum()) + undated[i] for i, k in enumerate(MONTHLY_KEYS))])
    charts = []
    if months:
        charts = [
            ChartSpec(
                "column",
                "월별 활동 수",
                anchor_row=2,
                anchor_col=len(header) + 2,
                header_row=1,
                first_row=2,
                last_row=1 + months,
                category_col=1,
                series_cols=(3,),
                y_max=nice_max(int(table["n"].max())),
            ),
            ChartSpec(
                "column",
                "월별 온누리상품권 구매(원)",
                anchor_row=22,
                anchor_col=len(header) + 2,
                header_row=1,
                first_row=2,
                last_row=1 + months,
                category_col=1,
                series_cols=(6,),
            ),
        ]
    return TabContent(rows, charts, fit_widths(rows))


def best_tab(cases: Sequence[BestCase]) -> TabContent:
    ordered_cases = sorted(cases, key=lambda c: (c.day is None, c.day or dt.date.min, c.match_id))
    rows: list[list[Scalar]] = [list(BEST_HEADER)]
    rows += [
        [
            c.match_id,
            c.market,
            c.org,
            c.day.isoformat() if c.day else "",
            c.activity,
            c.content,
            c.participants,
            c.purchase_won,
            c.onnuri_won,
            c.link,
            "Y" if c.publish else "",
        ]
        for c in ordered_cases
    ]
    if not cases:
        rows.append([NO_BEST])
    return TabContent(rows, widths=fit_widths(rows, {6: 60, 10: 40}))
