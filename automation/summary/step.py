"""``onemarket summary`` and the 요약 step of ``run``: the managers' dashboard, rebuilt whole.

Reads master (참여신청, 시장, 매칭, and 협약, 협력과제, 협약식 where the file has them: one
request) and every outcome row (성과보고 + market tabs: one request; rows whose 검증결과 is 오류
are left out), computes the tabs (:mod:`.headline`, :mod:`.tables`) and rewrites each dashboard tab
with ``replace_tab`` (values, formats and charts of the tab are replaced, never appended).
``--dry-run`` computes and reports, and writes nothing (missing tabs are not created either). The
dashboard holds no personal data: the tables are counts and sums; the only text copied from the
sheets (협약명, 우수사례후보) is scrubbed by :mod:`automation.privacy` and neutralised where it
looks like a formula. ``[dashboard] since / until`` choose the activity period and
``idle_days`` the 후속관리 threshold.

The 신청·매칭 흐름 block of 요약 keeps the pair-level counts: 접수 (non-blank 참여신청 rows),
검증 통과 (정상·경고), 매칭 제안 / 확정 / 협약체결 (매칭 rows in 제안 / 확정·협약체결·종료 /
협약체결·종료) and 성과보고 (확정 pairs with a usable outcome row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from automation.clock import now
from automation.config import DashboardConfig
from automation.domain.outcome_records import OutcomeRecord, collect_outcomes
from automation.domain.status import PARTNERED, SIGNED_ONCE, Status
from automation.geo import SIGUN
from automation.privacy import Detector
from automation.report import StepReport
from automation.schema import DASHBOARD_TABS, TABS, SchemaSet
from automation.sheets import Workbooks
from automation.sheets.base import ImageSpec
from automation.sheets.table import Table, missing_optional, read_tables
from automation.summary.facts import (
    app_facts,
    best_cases,
    ceremony_facts,
    dashboard_text,
    market_sigun,
    name_cells,
    outcome_facts,
    pair_facts,
    task_facts,
    team_facts,
)
from automation.summary.headline import figures, follow_up_tab, summary_tab, teams_tab
from automation.summary.model import TOTAL, Facts, PairFacts, Period, TabContent
from automation.summary.tables import best_tab, field_tab, monthly_tab, org_type_tab, sigun_tab

REQUIRED = {  # by tab role
    "applications": (
        "application_id",
        "org_type",
        "representative",
        "address",
        "contact_name",
        "market_day",
        "purchase",
        "onnuri_thousand_won",
        "special_program",
        "other_cooperation",
        "wish_region",
        "validation_result",
    ),
    "markets": ("market_code", "market_name", "sigun", "association_contact"),
    "matches": ("match_id", "round", "application_id", "market_code", "status"),
}
OPTIONAL = ("teams", "tasks", "ceremonies")


def flow(f: Facts, reported: set[str]) -> list[tuple[str, int, str]]:
    """The pair-level 신청·매칭 흐름 (label, count, 설명)."""
    pairs: Sequence[PairFacts] = f.pairs
    partnered = [p for p in pairs if p.status in PARTNERED]
    return [
        ("접수", len(f.apps), "참여신청 탭의 빈칸 아닌 행"),
        ("검증 통과", sum(a.valid for a in f.apps), "검증결과 정상·경고"),
        ("매칭 제안", sum(p.status == Status.SUGGESTED for p in pairs), "매칭 상태 제안 (매칭 행 수)"),
        ("확정", len(partnered), "매칭 상태 확정·협약체결·종료"),
        ("협약체결", sum(p.status in SIGNED_ONCE for p in pairs), "매칭 상태 협약체결·종료"),
        (
            TABS.outcomes,
            sum(1 for p in partnered if p.match_id and p.match_id in reported),
            "확정 짝 중 성과 행(검증 오류 제외)이 1건 이상인 짝",
        ),
    ]


def read_facts(tables: dict[str, Table], records: Sequence[OutcomeRecord], schemas: SchemaSet) -> Facts:
    apps, markets, matches = tables[TABS.applications], tables[TABS.markets], tables[TABS.matches]
    by_code, by_name = market_sigun(markets)
    pairs = pair_facts(matches, by_code)
    scrub = dashboard_text(Detector(name_cells(apps, markets)))
    teams = team_facts(matches, tables.get(schemas.teams.name), tables.get(schemas.ceremonies.name), by_code, scrub)
    return Facts(
        apps=tuple(app_facts(apps)),
        pairs=tuple(pairs),
        teams=tuple(teams),
        tasks=tuple(task_facts(tables.get(schemas.tasks.name), scrub)),
        outcomes=tuple(outcome_facts(records, pairs, teams, by_name)),
        best=tuple(best_cases(records, scrub)),
        all_outcomes=len(records),
        ceremonies=tuple(ceremony_facts(tables.get(schemas.ceremonies.name), scrub)),
    )


def load_facts(books: Workbooks, schemas: SchemaSet) -> Facts:
    """One read of master (with the optional team tabs it has) and one of the outcomes file."""
    master = books.master
    optional = [schemas.by_role(r) for r in OPTIONAL]
    absent = set(missing_optional(master, optional))
    tables = read_tables(
        master,
        [schemas.by_role(r) for r in REQUIRED] + [s for s in optional if s.name not in absent],
        required={schemas.by_role(r).name: keys for r, keys in REQUIRED.items()},
    )
    records = [r for r in collect_outcomes(books.outcomes, schemas) if r.usable]
    return read_facts(tables, records, schemas)


def dashboard_tabs(f: Facts, period: Period, stamp: str) -> dict[str, TabContent]:
    """Every dashboard tab, in schema.DASHBOARD_TABS order (pure; no backend)."""
    reported = {o.match_id for o in f.outcomes if o.match_id}
    return {
        "요약": summary_tab(f, flow(f, reported), period, stamp),
        "팀별활동": teams_tab(f, period),
        "후속관리": follow_up_tab(f, period),
        "시군별": sigun_tab(f, period),
        "기관유형별": org_type_tab(f),
        "협력분야별": field_tab(f),
        "월별성과": monthly_tab(f, period),
        "우수사례후보": best_tab(f.best),
    }


MAP_TITLE = "시군별 협약 팀"
BOUNDARY_NOTE = "경계: 통계청 SGIS 2018 (공공누리 제1유형), 단순화"


def sigun_map(sigun: TabContent, period: Period, stamp: str) -> bytes:
    """The choropleth of 협약 팀 per 시군, labelled with 팀 and 활동 (numbers from the 시군별 tab)."""
    from automation.documents.map import choropleth_png

    rows = [r for r in sigun.rows[1:] if r and r[0] in SIGUN]
    values = {str(r[0]): int(r[2]) for r in rows}
    labels = {str(r[0]): f"{r[2]}팀 · 활동 {r[5]}" for r in rows if r[2] or r[5]}
    note = f"기준: {stamp} · 활동 기간: {period.label()} · 팀은 시장이 있는 시군마다 셈 · {BOUNDARY_NOTE}"
    return choropleth_png(values, labels, MAP_TITLE, note)


def _place_map(tabs: dict[str, TabContent], period: Period, stamp: str) -> str:
    """Put the map on 시군별 (right of its chart); '' or why there is none."""
    from automation.documents.map import MapFontMissing, png_size

    tab = tabs["시군별"]
    try:
        png = sigun_map(tab, period, stamp)
    except MapFontMissing as missing:
        return missing.message
    width, height = png_size(png)
    scale = 0.75  # about 620 px wide on the sheet
    tab.images.append(ImageSpec(png, 2, len(tab.rows[0]) + 13, int(width * scale), int(height * scale)))
    return ""


def headline_totals(f: Facts, period: Period) -> dict[str, int]:
    """What the command prints: the 합계 column's headline figures, then the 흐름 counts."""
    total = figures(f, period)[TOTAL]
    reported = {o.match_id for o in f.outcomes if o.match_id}
    return {
        "협약 팀": total.teams,
        "협약체결 팀": total.signed,
        "협력과제": total.tasks,
        "참여 기관": total.orgs,
        "참여 시장": total.markets,
        "활동": total.activities,
        **{label: n for label, n, _ in flow(f, reported)},
    }


@dataclass
class SummaryOutcome:
    dry_run: bool = False
    stamp: str = ""
    period: str = ""
    rows: dict[str, int] = field(default_factory=dict)  # tab → rows written (header included)
    charts: int = 0
    created: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    headline: str = ""  # 요약's one-line figure ("협약 N팀 M과제 …")
    map_note: str = ""  # why the dashboard has no map ('' when it has one)
    outcome_rows: int = 0
    best: int = 0

    def summary(self) -> str:
        tabs = ", ".join(f"{t} {n}행" for t, n in self.rows.items())
        head = (
            "미리보기: 대시보드에 아무것도 쓰지 않았습니다. 실행하면 다시 만들 탭 — "
            if self.dry_run
            else "대시보드 탭을 다시 만들었습니다 — "
        )
        lines = [
            f"{head}{tabs}; 차트 {self.charts}개 (기준 {self.stamp}, 활동 기간 {self.period})",
            self.headline,
            ", ".join(f"{k} {v}" for k, v in self.totals.items())
            + f"; 성과 행 {self.outcome_rows}, 우수사례후보 {self.best}",
        ]
        if self.map_note:
            lines.append(f"지도는 넣지 못했습니다: {self.map_note}")
        if self.created:
            verb = "새로 만들 탭" if self.dry_run else "새로 만든 탭"
            lines.append(f"{verb}: {', '.join(self.created)}")
        return "\n".join(lines)

    def step_report(self) -> StepReport:
        report = StepReport("요약", message=self.summary())
        report.counts.update(
            {
                "협약 팀": self.totals.get("협약 팀", 0),
                "접수": self.totals.get("접수", 0),
                "확정": self.totals.get("확정", 0),
                "성과 행": self.outcome_rows,
                "우수사례후보": self.best,
            }
        )
        return report

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "stamp": self.stamp,
            "period": self.period,
            "rows": dict(self.rows),
            "charts": self.charts,
            "created": list(self.created),
            "totals": dict(self.totals),
            "headline": self.headline,
            "map_note": self.map_note,
            "outcome_rows": self.outcome_rows,
            "best": self.best,
        }


def moment(today: dt.date | None) -> dt.datetime:
    if isinstance(today, dt.datetime):
        return today
    if today is not None:
        return dt.datetime.combine(today, now().time())
    return now()


def summary(
    books: Workbooks,
    schemas: SchemaSet,
    *,
    dry_run: bool = False,
    today: dt.date | None = None,
    settings: DashboardConfig | None = None,
) -> SummaryOutcome:
    """Rebuild the dashboard's tabs (dry run: compute and report only)."""
    settings = settings or DashboardConfig()
    at = moment(today)
    period = Period(settings.since, settings.until, at.date(), settings.idle_days)
    facts = load_facts(books, schemas)
    outcome = SummaryOutcome(dry_run=dry_run, stamp=f"{at:%Y-%m-%d %H:%M}", period=period.label())
    outcome.outcome_rows = sum(1 for o in facts.outcomes if period.holds(o.day))
    tabs = dashboard_tabs(facts, period, outcome.stamp)
    outcome.headline = str(tabs["요약"].rows[1][0])
    outcome.totals = headline_totals(facts, period)
    outcome.rows = {title: len(t.rows) for title, t in tabs.items()}
    outcome.charts = sum(len(t.charts) for t in tabs.values())
    outcome.best = len(facts.best)
    dashboard = books.dashboard
    if not dry_run and dashboard.places_images:
        outcome.map_note = _place_map(tabs, period, outcome.stamp)
    if dry_run:
        existing = set(dashboard.list_tabs())
        outcome.created = [t for t in DASHBOARD_TABS if t not in existing]
        return outcome
    outcome.created = dashboard.ensure_tabs(DASHBOARD_TABS)
    dashboard.replace_tabs({title: tabs[title] for title in DASHBOARD_TABS})
    return outcome
