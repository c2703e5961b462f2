"""``onemarket summary`` and the 요약 step of ``run``: the managers' dashboard, rebuilt whole.

Reads master (참여신청, 시장, 매칭: one request) and every outcome row (성과보고 + market tabs: one
request; rows whose 검증결과 is 오류 are left out), computes six tables with pandas
(:mod:`automation.summary.tables`) and rewrites each dashboard tab with ``replace_tab`` (values,
formats and charts of the tab are replaced, never appended). ``--dry-run`` computes and reports,
and writes nothing (missing tabs are not created either). The dashboard holds no personal data:
the tables are counts and sums; the only text copied from the sheets (우수사례후보) is scrubbed by
:mod:`automation.privacy` (the one personal-data detector) and neutralised where it looks like a formula.

Definitions (the 요약 tab repeats them in its 설명 column):

* 접수: non-blank 참여신청 rows. 검증 통과: 검증결과 정상 or 경고.
* 매칭 제안 / 확정 / 협약체결: 매칭 rows (pairs) whose 상태 is 제안 / 확정·협약체결·종료 /
  협약체결·종료. 성과보고: 확정 pairs whose 매칭ID has at least one usable outcome row.
* 차수 columns: a pair counts in its own 차수; an application counts in the 차수 of its own 매칭
  row (partnered before 제안 before 미배정 before 거절, then the latest 차수); one with no 매칭
  row (or a blank 차수) counts in 전체 only.
* An applicant's 시군: 희망지역, else the 시군 of 주소; a pair's 시군 is its market's (시장.시군);
  anything that is not one of the 31 경기 시군 is 기타/미상. An outcome row's 시군 is its pair's
  market's (by 매칭ID, else by a 시장명 that names one market).
* 온누리 약정(천원): the sum of 온누리상품권(천원) over applications with a 확정 pair, each
  application once (at the 시군 of its first 확정 pair). 확정 counts pairs; under the 1사-1시장
  rule an application has one 확정 pair, so the two agree.
* 협력분야 chosen: 전통시장가는날/물품구매 = Y; 온누리상품권 = an amount above 0; 특화프로그램/
  기타협력 = any text except N, 없음, 해당없음, 미정 or '-'. 온누리 약정 is shown for 온누리상품권
  only (blank elsewhere: the other fields have no amount).
* 월별성과: by the month of 활동일, every month from the first to the last (zeros included);
  rows without 활동일 are shown apart, and in 합계.
* 우수사례후보: usable outcome rows with 우수사례추천 Y, oldest first; 내용 at most 200 characters.

``today`` sets the 기준 stamp (a ``datetime`` is used as is; a ``date`` gets the current time).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from automation.clock import now
from automation.domain.outcome_records import OutcomeRecord, collect_outcomes
from automation.domain.status import USABLE
from automation.geo import SIGUN, normalize_sigun, parse_address
from automation.parsers import clean_text, is_yes, parse_enum, parse_int, parse_yn, thousands
from automation.parsers.base import neutralise_formula
from automation.privacy import Detector, cut
from automation.report import StepReport
from automation.schema import DASHBOARD_TABS, TABS, SchemaSet
from automation.sheets import Workbooks
from automation.sheets.table import Table, read_tables
from automation.summary.tables import (
    FIELDS,
    ORG_TYPES,
    OTHER_SIGUN,
    UNKNOWN_TYPE,
    AppFacts,
    BestCase,
    OutcomeFacts,
    PairFacts,
    TabContent,
    build_tabs,
)

CONTENT_LIMIT = 200
VALID = USABLE
NOT_CHOSEN = frozenset({"없음", "해당없음", "미정", "-", "—", "x"})
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


def _sigun(text: str) -> str:
    name = normalize_sigun(text)
    return name if name in SIGUN else OTHER_SIGUN


def _applicant_sigun(wish: str, address: str) -> str:
    found = _sigun(wish)
    if found == OTHER_SIGUN:
        parsed = parse_address(address).sigun
        found = parsed if parsed in SIGUN else OTHER_SIGUN
    return found


def _chosen_text(text: str) -> bool:
    shown = clean_text(text)
    if not shown or shown.casefold() in NOT_CHOSEN:
        return False
    parsed = parse_yn(shown)
    return not (parsed.ok and parsed.value == "N")


def app_facts(apps: Table) -> list[AppFacts]:
    out = []
    for row in apps.data_rows():
        kind = parse_enum(row["org_type"], ORG_TYPES)
        pledge = thousands(row["onnuri_thousand_won"])
        chosen = {
            "전통시장가는날": is_yes(row["market_day"]),
            "물품구매": is_yes(row["purchase"]),
            "온누리상품권": pledge > 0,
            "특화프로그램": _chosen_text(row["special_program"]),
            "기타협력": _chosen_text(row["other_cooperation"]),
        }
        out.append(
            AppFacts(
                app_id=row["application_id"].strip() or f"#행{row.number}",  # an ID-less row joins nothing
                valid=row["validation_result"].strip() in VALID,
                sigun=_applicant_sigun(row["wish_region"], row["address"]),
                org_type=kind.value if kind.ok and kind.value else UNKNOWN_TYPE,
                fields=frozenset(f for f in FIELDS if chosen[f]),
                pledge_thousand=pledge,
            )
        )
    return out


def _unique(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """key → value for keys that occur once (an ambiguous key maps to nothing)."""
    counts = Counter(k for k, _ in pairs)
    return {k: v for k, v in pairs if k and counts[k] == 1}


def market_sigun(markets: Table) -> tuple[dict[str, str], dict[str, str]]:
    """(시장코드 → 시군, 시장명 → 시군), unambiguous entries only."""
    rows = markets.data_rows()
    by_code = _unique([(r["market_code"].strip(), _sigun(r["sigun"])) for r in rows])
    by_name = _unique([(clean_text(r["market_name"]), _sigun(r["sigun"])) for r in rows])
    return by_code, by_name


def pair_facts(matches: Table, by_code: dict[str, str]) -> list[PairFacts]:
    out = []
    for row in matches.data_rows():
        parsed = parse_int(row["round"])
        out.append(
            PairFacts(
                match_id=row["match_id"].strip(),
                app_id=row["application_id"].strip(),
                round=int(parsed.value) if parsed.ok and parsed.value else None,
                status=row["status"].strip(),
                market_sigun=by_code.get(row["market_code"].strip(), OTHER_SIGUN),
            )
        )
    return out


def outcome_facts(
    records: Sequence[OutcomeRecord], pairs: Sequence[PairFacts], by_name: dict[str, str]
) -> list[OutcomeFacts]:
    by_match: dict[str, str] = {}
    for p in pairs:
        by_match.setdefault(p.match_id, p.market_sigun)
    return [
        OutcomeFacts(
            r.match_id,
            by_match.get(r.match_id) or by_name.get(r.market_name, OTHER_SIGUN),
            r.activity_date,
            r.participants,
            r.purchase_won,
            r.onnuri_won,
        )
        for r in records
    ]


def best_cases(records: Sequence[OutcomeRecord], scrub: Callable[[str], str]) -> list[BestCase]:
    return [
        BestCase(
            r.match_id,
            scrub(r.market_name),
            scrub(r.org_name),
            r.activity_date,
            scrub(r.activity_type),
            cut(scrub(r.content), CONTENT_LIMIT),
            r.participants,
            r.purchase_won,
            r.onnuri_won,
            scrub(r.evidence_link),
        )
        for r in records
        if r.best_practice
    ]


FORMULA_LEFT_OUT = "(수식처럼 보여 뺐습니다)"


def _dashboard_text(detector: Detector) -> Callable[[str], str]:
    """Text for a dashboard cell: personal data masked, a formula-looking start neutralised."""

    def text(value: str) -> str:
        shown, note = neutralise_formula(detector(clean_text(value)))
        return FORMULA_LEFT_OUT if note == "formula" else shown

    return text


def name_cells(apps: Table, markets: Table) -> list[str]:
    """Every cell that names a person: 대표자, 담당자명, 상인회담당자."""
    return [r[k] for r in apps.data_rows() for k in ("representative", "contact_name")] + [
        r["association_contact"] for r in markets.data_rows()
    ]


def dashboard_tables(tables: dict[str, Table], records: Sequence[OutcomeRecord], stamp: str) -> dict[str, TabContent]:
    """The six tabs from master tables and usable outcome records (pure; no backend)."""
    apps, markets, matches = tables[TABS.applications], tables[TABS.markets], tables[TABS.matches]
    by_code, by_name = market_sigun(markets)
    pairs = pair_facts(matches, by_code)
    scrub = _dashboard_text(Detector(name_cells(apps, markets)))
    return build_tabs(app_facts(apps), pairs, outcome_facts(records, pairs, by_name), best_cases(records, scrub), stamp)


@dataclass
class SummaryOutcome:
    dry_run: bool = False
    stamp: str = ""
    rows: dict[str, int] = field(default_factory=dict)  # tab → rows written (header included)
    charts: int = 0
    created: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)  # 요약's 전체 column
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
            f"{head}{tabs}; 차트 {self.charts}개 (기준 {self.stamp})",
            ", ".join(f"{k} {v}" for k, v in self.totals.items())
            + f"; 성과 행 {self.outcome_rows}, 우수사례후보 {self.best}",
        ]
        if self.created:
            verb = "새로 만들 탭" if self.dry_run else "새로 만든 탭"
            lines.append(f"{verb}: {', '.join(self.created)}")
        return "\n".join(lines)

    def step_report(self) -> StepReport:
        report = StepReport("요약", message=self.summary())
        report.counts.update(
            {
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
            "rows": dict(self.rows),
            "charts": self.charts,
            "created": list(self.created),
            "totals": dict(self.totals),
            "outcome_rows": self.outcome_rows,
            "best": self.best,
        }


def _stamp(today: dt.date | None) -> str:
    if isinstance(today, dt.datetime):
        at = today
    elif today is not None:
        at = dt.datetime.combine(today, now().time())
    else:
        at = now()
    return f"{at:%Y-%m-%d %H:%M}"


def summary(
    books: Workbooks, schemas: SchemaSet, *, dry_run: bool = False, today: dt.date | None = None
) -> SummaryOutcome:
    """Rebuild the dashboard's six tabs (dry run: compute and report only)."""
    tables = read_tables(
        books.master,
        [schemas.by_role(r) for r in REQUIRED],
        required={schemas.by_role(r).name: keys for r, keys in REQUIRED.items()},
    )
    records = [r for r in collect_outcomes(books.outcomes, schemas) if r.usable]
    outcome = SummaryOutcome(dry_run=dry_run, stamp=_stamp(today), outcome_rows=len(records))
    tabs = dashboard_tables(tables, records, outcome.stamp)
    summary_rows = tabs["요약"].rows
    outcome.totals = {str(r[0]): int(r[1]) for r in summary_rows[1:] if len(r) > 1 and isinstance(r[1], int)}
    outcome.rows = {title: len(t.rows) for title, t in tabs.items()}
    outcome.charts = sum(len(t.charts) for t in tabs.values())
    outcome.best = sum(1 for r in records if r.best_practice)
    dashboard = books.dashboard
    if dry_run:
        existing = set(dashboard.list_tabs())
        outcome.created = [t for t in DASHBOARD_TABS if t not in existing]
        return outcome
    outcome.created = dashboard.ensure_tabs(DASHBOARD_TABS)
    for title in DASHBOARD_TABS:
        content = tabs[title]
        dashboard.replace_tab(title, content.rows, charts=content.charts, widths=content.widths)
    return outcome
