"""``onemarket report [--month 2026-05]``: the managers' 추진실적 보고 (.docx and PDF).

The same facts and definitions as the dashboard (:mod:`.step`, :mod:`.headline`), so every figure
equals the dashboard's: 누계 is the whole programme, 이번 기간 the month (활동일 in it; 신규 협약 by
협약일). Without ``--month`` the month of the 기준 day (to date). Written to
``[documents] output``/보고/추진실적_YYYY-MM.docx (+ .pdf with LibreOffice); ``--dry-run`` writes into
the preview folder. Nothing is written into any workbook.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automation.config import Config
from automation.documents.map import MapFontMissing
from automation.documents.report_doc import ReportContent, write_report
from automation.errors import UsageError
from automation.preview import preview_folder
from automation.privacy import cut
from automation.report import Issue, StepReport
from automation.schema import SchemaSet
from automation.sheets import Workbooks
from automation.summary.headline import LINES, Figures, figures, follow_up_tab, ordered, round_label, sentence
from automation.summary.model import TASK_STATES, TOTAL, Facts, Period
from automation.summary.step import load_facts, moment, sigun_map
from automation.summary.tables import by_month, sigun_tab

LABEL = "추진실적 보고"
#: the figure lines that depend on the period; the others are counted as of the 기준 day
ACTIVITY = frozenset({"온누리 구매", "물품 구매", "활동", "참여 인원"})
CHART_MONTHS = 12


def month_period(month: str | None, today: dt.date, idle_days: int) -> Period:
    if month is None:
        first = today.replace(day=1)
    else:
        try:
            first = dt.date.fromisoformat(f"{month.strip()}-01")
        except ValueError:
            raise UsageError(f"--month는 2026-05처럼 연도-월로 적으세요 (받은 값: {month!r}).") from None
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    if first <= today < last:  # the month under way: up to today, as the report says
        last = today
    return Period(first, last, today, idle_days)


def _shown(value: object) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value) if value != "" else "—"


def figure_rows(total: Figures, month: Figures, new_teams: int) -> list[tuple[str, str, str, str]]:
    rows = []
    for label, unit, value, _ in LINES:
        key = label.strip()
        now_value = _shown(value(month)) if key in ACTIVITY else "—"
        rows.append((label.replace("  ", "ㄴ "), unit, _shown(value(total)), now_value))
    rows.insert(3, ("ㄴ 이번 기간 협약체결(협약일)", "팀", "—", f"{new_teams:,}"))
    return rows


def _chart(f: Facts, period: Period) -> bytes | None:
    from automation.documents.charts import bars_png

    upto = [o for o in f.outcomes if o.day is not None and o.day <= (period.until or period.today)]
    table, _ = by_month(upto, [])
    if not len(table):
        return None
    tail = table.tail(CHART_MONTHS)
    return bars_png([str(m) for m in tail.index], [int(v) for v in tail["n"]], "월별 활동 수 (최근 12개월)", "건")


def _month_name(period: Period) -> str:
    first = period.since or period.today
    return f"{first.year}년 {first.month}월"


def report_content(f: Facts, period: Period, stamp: str) -> tuple[ReportContent, list[str]]:
    """The document's content, and notes for the command (a map or chart left out, and why)."""
    whole = Period(None, None, period.today, period.idle_days)
    total, month = figures(f, whole)[TOTAL], figures(f, period)[TOTAL]
    signed = [t for t in ordered(f.teams) if t.signed and t.signed_on and period.holds(t.signed_on)]
    in_month = [o for o in f.outcomes if period.holds(o.day)]
    acts: dict[str, int] = {}
    for o in in_month:
        acts[o.team_id] = acts.get(o.team_id, 0) + 1
    tasks_of = {t.team_id: [x for x in f.tasks if x.team_id == t.team_id] for t in f.teams}
    teams = [
        [
            t.team_id,
            t.name,
            round_label(t.ceremony),
            t.status,
            f"{sum(x.status == '완료' for x in tasks_of[t.team_id])}/{len(tasks_of[t.team_id])}",
            f"{acts.get(t.team_id, 0)}건",
        ]
        for t in ordered(f.teams)
    ]
    known = set(tasks_of)
    tasks = [
        (s, [[x.team_id, x.title, x.field, x.party] for x in f.tasks if x.team_id in known and x.status == s])
        for s in TASK_STATES
    ]
    best = [
        [
            b.day.isoformat() if b.day else "",
            b.market,
            b.org,
            b.activity,
            cut(b.content, 80),
            f"{b.participants:,}명 · 온누리 {b.onnuri_won:,}원",
        ]
        for b in f.best
        if period.holds(b.day)
    ]
    late = [r for r in follow_up_tab(f, period).rows[1:] if len(r) == 7]
    changes = [
        f"신규 협약 {len(signed)}팀" + (f": {', '.join(t.name for t in signed)}" if signed else ""),
        f"활동 {month.activities:,}건 — 참여 {month.participants:,}명, 물품 구매 {month.purchase_won:,}원, "
        f"온누리상품권 구매 {month.onnuri_won:,}원",
        f"우수사례 후보 {len(best)}건",
        f"후속관리 대상 {len(late)}팀 (마지막 활동 뒤 {period.idle_days}일 이상)",
    ]
    notes: list[str] = []
    map_png = chart_png = None
    try:
        map_png = sigun_map(sigun_tab(f, whole), whole, stamp)
        chart_png = _chart(f, period)
    except MapFontMissing as missing:
        notes.append(missing.message)
    content = ReportContent(
        title=f"1사-1시장 협력 프로젝트 추진실적 보고 ({_month_name(period)})",
        inputs=f"기준: {stamp} · 이번 기간: {period.label()} · 누계: 사업 시작부터 · 자료: 참여신청·매칭·협약·협력과제·성과보고",
        headline=sentence(total),
        figures=figure_rows(total, month, len(signed)),
        map_png=map_png,
        chart_png=chart_png,
        teams=teams,
        tasks=tasks,
        best=best,
        changes=changes,
        notes=(
            "숫자는 관리자 요약 파일(요약 탭)과 같은 정의로 셉니다. 검증 오류인 성과 행은 세지 않습니다.",
            "개인정보(사람 이름, 연락처, 사업자등록번호)는 싣지 않습니다.",
        ),
    )
    return content, notes


@dataclass
class ReportOutcome:
    month: str
    dry_run: bool = False
    files: list[Path] = field(default_factory=list)
    headline: str = ""
    notes: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # none today: a report reads, it judges no row

    def summary(self) -> str:
        verb = "미리보기로 만들었습니다" if self.dry_run else "만들었습니다"
        lines = [f"{self.month} 추진실적 보고를 {verb}: {', '.join(str(p) for p in self.files)}", self.headline]
        lines += self.notes
        return "\n".join(lines)

    def step_report(self) -> StepReport:
        report = StepReport(LABEL, message=self.summary())
        report.counts.update({"파일": len(self.files)})
        return report

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "dry_run": self.dry_run,
            "files": [str(p) for p in self.files],
            "headline": self.headline,
            "notes": list(self.notes),
        }


def report(
    books: Workbooks,
    schemas: SchemaSet,
    config: Config,
    *,
    month: str | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> ReportOutcome:
    from automation.documents.pdf import convert_to_pdf, find_soffice

    at = moment(today)
    period = month_period(month, at.date(), config.dashboard.idle_days)
    facts = load_facts(books, schemas)
    content, notes = report_content(facts, period, f"{at:%Y-%m-%d %H:%M}")
    label = f"{period.since:%Y-%m}"
    folder = preview_folder(config.documents.preview, f"보고-{label}") if dry_run else config.documents.output / "보고"
    out = ReportOutcome(label, dry_run, headline=content.headline, notes=notes)
    docx = write_report(content, folder / f"추진실적_{label}.docx")
    out.files.append(docx)
    soffice = find_soffice(config.documents.soffice) if config.documents.pdf != "never" else None
    if soffice is None:
        out.notes.append("LibreOffice가 없어 .docx로만 만들었습니다.")
        return out
    pdf = convert_to_pdf([docx], folder, soffice).get(docx)
    if pdf is None:
        out.notes.append("PDF로 바꾸지 못했습니다 (.docx는 있습니다).")
    else:
        out.files.append(pdf)
    return out
