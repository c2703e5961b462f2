"""The dashboard's tables, computed with pandas from plain facts (no backend, no personal data).

Input: :class:`AppFacts` (one per non-blank 참여신청 row), :class:`PairFacts` (one per 매칭 row),
:class:`OutcomeFacts` (one per usable outcome row). None of them carries a name, phone, e-mail
or business number; the only free text (우수사례후보) arrives already scrubbed. Output: one
:class:`TabContent` (rows of typed values, charts, widths) per dashboard tab. The definitions are
in :mod:`automation.summary.step`'s docstring.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from automation.domain.status import PARTNERED, SIGNED_ONCE, Status
from automation.geo import SIGUN
from automation.schema import TABS, default_schemas
from automation.sheets.base import ChartSpec, Scalar

OTHER_SIGUN = "기타/미상"
UNKNOWN_TYPE = "미상"
ORG_TYPES = tuple(default_schemas().applications.column("org_type").enum)  # 기관유형, from the schema
FIELDS = ("전통시장가는날", "물품구매", "온누리상품권", "특화프로그램", "기타협력")
PROPOSED = (Status.SUGGESTED,)
SIGNED = SIGNED_ONCE
TOTAL = "합계"
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
)
BEST_HEADER = tuple(default_schemas().outcomes.column(k).header for k in BEST_KEYS)
NO_BEST = "우수사례추천이 Y인 성과 행이 아직 없습니다."


@dataclass(frozen=True)
class AppFacts:
    app_id: str
    valid: bool  # 검증결과 정상 or 경고
    sigun: str  # a SIGUN entry or OTHER_SIGUN
    org_type: str  # an ORG_TYPES entry or UNKNOWN_TYPE
    fields: frozenset[str]  # the FIELDS this application chose
    pledge_thousand: int  # 온누리상품권(천원)


@dataclass(frozen=True)
class PairFacts:
    match_id: str
    app_id: str
    round: int | None
    status: str
    market_sigun: str  # the market's 시군 or OTHER_SIGUN


@dataclass(frozen=True)
class OutcomeFacts:
    match_id: str
    sigun: str  # the pair's market 시군 or OTHER_SIGUN
    day: dt.date | None
    participants: int
    purchase_won: int
    onnuri_won: int


@dataclass(frozen=True)
class BestCase:
    """One 우수사례후보 row, text already scrubbed of personal data."""

    match_id: str
    market: str
    org: str
    day: dt.date | None
    activity: str
    content: str
    participants: int
    purchase_won: int
    onnuri_won: int
    link: str


@dataclass
class TabContent:
    rows: list[list[Scalar]]
    charts: list[ChartSpec] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)


def _n(value: Any) -> int:
    """A plain ``int`` (numpy integers are not ``int`` to the backends)."""
    return int(value)


def _frames(apps: Sequence[AppFacts], pairs: Sequence[PairFacts]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Typed columns even when empty (an empty bool column must still select rows, not columns)."""
    a = pd.DataFrame(
        {
            "app_id": pd.Series([x.app_id for x in apps], dtype=object),
            "valid": pd.Series([x.valid for x in apps], dtype=bool),
            "sigun": pd.Series([x.sigun for x in apps], dtype=object),
            "org_type": pd.Series([x.org_type for x in apps], dtype=object),
            "pledge": pd.Series([x.pledge_thousand for x in apps], dtype="int64"),
            **{f: pd.Series([f in x.fields for x in apps], dtype=bool) for f in FIELDS},
        }
    )
    p = pd.DataFrame(
        {
            "match_id": pd.Series([x.match_id for x in pairs], dtype=object),
            "app_id": pd.Series([x.app_id for x in pairs], dtype=object),
            "round": pd.Series([x.round for x in pairs], dtype="Int64"),
            "status": pd.Series([x.status for x in pairs], dtype=object),
            "market_sigun": pd.Series([x.market_sigun for x in pairs], dtype=object),
        }
    )
    p["partnered"] = p["status"].isin(PARTNERED).astype(bool)
    p["signed"] = p["status"].isin(SIGNED).astype(bool)
    p["proposed"] = p["status"].isin(PROPOSED).astype(bool)
    return a, p


def primary_rounds(pairs: Sequence[PairFacts]) -> dict[str, int | None]:
    """신청ID → the round of its 'own' 매칭 row: partnered before 제안 before 미배정 before 거절,
    then the highest round, then the lowest row."""
    rank: dict[str, int] = {**dict.fromkeys(PARTNERED, 3), Status.SUGGESTED: 2, Status.UNMATCHED: 1}
    best: dict[str, tuple[int, int, int]] = {}
    out: dict[str, int | None] = {}
    for order, p in enumerate(pairs):
        if not p.app_id:
            continue
        key = (rank.get(p.status, 0), p.round if p.round is not None else -1, -order)
        if p.app_id not in best or key > best[p.app_id]:
            best[p.app_id], out[p.app_id] = key, p.round
    return out


def confirmed_apps(a: pd.DataFrame, p: pd.DataFrame) -> pd.DataFrame:
    """Applications with a partnered pair, once each, with the market 시군 of their first such pair."""
    first = p[p["partnered"]].drop_duplicates("app_id")[["app_id", "market_sigun"]]
    return a.drop_duplicates("app_id").merge(first, on="app_id", how="inner")


def _counts(series: pd.Series, index: Iterable[object]) -> list[int]:
    counted = series.value_counts()
    return [_n(counted.get(k, 0)) for k in index]


def _sums(frame: pd.DataFrame, by: str, col: str, index: Iterable[str]) -> list[int]:
    summed = frame.groupby(by)[col].sum() if len(frame) else pd.Series(dtype="int64")
    return [_n(summed.get(k, 0)) for k in index]


def summary_tab(apps: Sequence[AppFacts], pairs: Sequence[PairFacts], reported: set[str], stamp: str) -> TabContent:
    a, p = _frames(apps, pairs)
    rounds = sorted({_n(r) for r in p["round"].dropna()})
    app_round = primary_rounds(pairs)
    a["round"] = pd.Series([app_round.get(x.app_id) for x in apps], dtype="Int64")
    p["reported"] = (p["partnered"] & p["match_id"].isin(reported) & (p["match_id"] != "")).astype(bool)
    lines = [
        ("접수", a, None, "참여신청 탭의 빈칸 아닌 행 (차수는 그 신청의 매칭 행 차수)"),
        ("검증 통과", a, "valid", "검증결과 정상·경고"),
        ("매칭 제안", p, "proposed", "매칭 상태 제안 (매칭 행 수)"),
        ("확정", p, "partnered", "매칭 상태 확정·협약체결·종료"),
        ("협약체결", p, "signed", "매칭 상태 협약체결·종료"),
        (TABS.outcomes, p, "reported", "확정 짝 중 성과 행(검증 오류 제외)이 1건 이상인 짝"),
    ]
    rows: list[list[Scalar]] = [["항목", "전체", *(f"{r}차" for r in rounds), "설명"]]
    for label, frame, flag, note in lines:
        chosen = frame if flag is None else frame[frame[flag]]
        rows.append([label, len(chosen), *_counts(chosen["round"].dropna().astype("int64"), rounds), note])
    rows += [[], [f"기준: {stamp} (자동 생성 — 고치지 마세요)"]]
    return TabContent(rows, widths={1: 12, len(rows[0]): 48})


def sigun_tab(apps: Sequence[AppFacts], pairs: Sequence[PairFacts], outcomes: Sequence[OutcomeFacts]) -> TabContent:
    a, p = _frames(apps, pairs)
    o = pd.DataFrame(
        {
            "sigun": pd.Series([x.sigun for x in outcomes], dtype=object),
            "onnuri": pd.Series([x.onnuri_won for x in outcomes], dtype="int64"),
        }
    )
    labels = [*SIGUN, OTHER_SIGUN]
    columns = [
        _counts(a["sigun"], labels),
        _counts(p[p["partnered"]]["market_sigun"], labels),
        _sums(confirmed_apps(a, p), "market_sigun", "pledge", labels),
        _counts(o["sigun"], labels),
        _sums(o, "sigun", "onnuri", labels),
    ]
    header: list[Scalar] = ["시군", "신청", "확정 짝", "온누리 약정(천원)", "활동 수", "온누리 구매(원)"]
    rows = [header] + [[label, *(c[i] for c in columns)] for i, label in enumerate(labels)]
    rows.append([TOTAL, *(sum(c) for c in columns)])
    chart = ChartSpec(
        "column",
        "시군별 확정 짝",
        anchor_row=2,
        anchor_col=8,
        header_row=1,
        first_row=2,
        last_row=1 + len(labels),
        category_col=1,
        series_cols=(3,),
    )
    return TabContent(rows, [chart], {1: 12, 4: 16, 6: 16})


def org_type_tab(apps: Sequence[AppFacts], pairs: Sequence[PairFacts]) -> TabContent:
    a, p = _frames(apps, pairs)
    labels = [*ORG_TYPES, UNKNOWN_TYPE]
    joined = p.merge(a.drop_duplicates("app_id")[["app_id", "org_type"]], on="app_id", how="left")
    joined["org_type"] = joined["org_type"].fillna(UNKNOWN_TYPE)
    columns = [
        _counts(a["org_type"], labels),
        _counts(joined[joined["partnered"]]["org_type"], labels),
        _counts(joined[joined["signed"]]["org_type"], labels),
        _sums(confirmed_apps(a, p), "org_type", "pledge", labels),
    ]
    header: list[Scalar] = ["기관유형", "신청", "확정", "협약체결", "온누리 약정(천원)"]
    rows = [header] + [[label, *(c[i] for c in columns)] for i, label in enumerate(labels)]
    rows.append([TOTAL, *(sum(c) for c in columns)])
    return TabContent(rows, widths={1: 12, 5: 16})


def field_tab(apps: Sequence[AppFacts], pairs: Sequence[PairFacts]) -> TabContent:
    a, p = _frames(apps, pairs)
    partnered = p[p["partnered"]].merge(a.drop_duplicates("app_id"), on="app_id", how="inner")
    pledged = _n(confirmed_apps(a, p)["pledge"].sum())
    rows: list[list[Scalar]] = [["협력분야", "신청 수", "확정 수", "온누리 약정(천원)"]]
    for f in FIELDS:
        rows.append([f, _n(a[f].sum()), _n(partnered[f].sum()), pledged if f == "온누리상품권" else ""])
    chart = ChartSpec(
        "column",
        "협력분야별 신청·확정",
        anchor_row=2,
        anchor_col=6,
        header_row=1,
        first_row=2,
        last_row=1 + len(FIELDS),
        category_col=1,
        series_cols=(2, 3),
    )
    return TabContent(rows, [chart], {1: 16, 4: 16})


def monthly_tab(outcomes: Sequence[OutcomeFacts]) -> TabContent:
    o = pd.DataFrame(
        {
            "day": pd.to_datetime(pd.Series([x.day for x in outcomes], dtype="object")),
            **{
                k: pd.Series([getattr(x, k) for x in outcomes], dtype="int64")
                for k in ("participants", "purchase_won", "onnuri_won")
            },
        }
    )
    o["n"] = 1
    header: list[Scalar] = ["월", "활동 수", "참여인원", "구매금액(원)", "온누리상품권(원)"]
    keys = ["n", "participants", "purchase_won", "onnuri_won"]
    dated = o[o["day"].notna()].copy()
    rows: list[list[Scalar]] = [header]
    if len(dated):
        dated["month"] = dated["day"].dt.to_period("M")
        months = pd.period_range(dated["month"].min(), dated["month"].max(), freq="M")
        table = dated.groupby("month")[keys].sum().reindex(months, fill_value=0)
        rows += [[str(month), *(_n(v) for v in values)] for month, values in zip(months, table.to_numpy(), strict=True)]
    n_months = len(rows) - 1
    undated = o[o["day"].isna()]
    if len(undated):
        rows.append([NO_DATE, *(_n(undated[k].sum()) for k in keys)])
    rows.append([TOTAL, *(_n(o[k].sum()) for k in keys)])
    charts = (
        [
            ChartSpec(
                "line",
                "월별 구매금액·온누리상품권",
                anchor_row=2,
                anchor_col=7,
                header_row=1,
                first_row=2,
                last_row=1 + n_months,
                category_col=1,
                series_cols=(4, 5),
            )
        ]
        if n_months
        else []
    )
    return TabContent(rows, charts, {1: 12, 4: 16, 5: 18})


def best_tab(cases: Sequence[BestCase]) -> TabContent:
    ordered = sorted(cases, key=lambda c: (c.day is None, c.day or dt.date.min, c.match_id))
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
        ]
        for c in ordered
    ]
    if not cases:
        rows.append([NO_BEST])
    return TabContent(rows, widths={1: 14, 2: 14, 3: 18, 4: 12, 6: 60, 10: 40})


def build_tabs(
    apps: Sequence[AppFacts],
    pairs: Sequence[PairFacts],
    outcomes: Sequence[OutcomeFacts],
    best: Sequence[BestCase],
    stamp: str,
) -> dict[str, TabContent]:
    """Every dashboard tab, in schema.DASHBOARD_TABS order."""
    reported = {o.match_id for o in outcomes if o.match_id}
    return {
        "요약": summary_tab(apps, pairs, reported, stamp),
        "시군별": sigun_tab(apps, pairs, outcomes),
        "기관유형별": org_type_tab(apps, pairs),
        "협력분야별": field_tab(apps, pairs),
        "월별성과": monthly_tab(outcomes),
        "우수사례후보": best_tab(best),
    }
