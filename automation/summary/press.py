"""``onemarket press --round N`` / ``--period 2026-05``: a 보도자료 draft with the real figures.

Every figure comes from :func:`automation.summary.headline.figures` — the dashboard's 요약 numbers
(a test compares them). ``--round N``: the teams of the N차 협약식 and the 일시·장소 from the 협약식
tab; ``--period``: the month's activity and the running totals. Quotes and the head's name are
left as marked places (【…】) unless ``[press] head`` is set; the 담당 table comes from ``[press]``.
Written as .hwpx, .docx (+ PDF) into ``[documents] output``/보도자료/; nothing goes into a workbook.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automation.config import Config, PressConfig
from automation.documents.press_doc import PressRelease, write_press
from automation.errors import UsageError
from automation.preview import preview_folder
from automation.report import Issue, StepReport
from automation.schema import SchemaSet
from automation.sheets import Workbooks
from automation.summary.headline import Figures, figures
from automation.summary.model import TOTAL, Facts, Period
from automation.summary.report import month_period
from automation.summary.step import load_facts, moment

LABEL = "보도자료"
AGENCY = "경기지방중소벤처기업청"
PROJECT = "「우리동네 1사-1시장 협력 프로젝트」"
TODO = "【담당자 입력: {}】"
FIELD_WORDS = {
    "전통시장가는날": "전통시장 가는 날",
    "물품구매": "물품 구매",
    "온누리상품권구매": "온누리상품권 구매",
    "SNS홍보": "SNS 홍보",
    "온라인입점": "온라인 입점",
    "벽화·환경개선": "벽화·환경 개선",
}


def _or_todo(value: str, what: str) -> str:
    return value or TODO.format(what)


def _contacts(press: PressConfig) -> list[list[str]]:
    return [
        ["담당 부서", "담당자", "연락처"],
        [_or_todo(press.department, "담당 부서"), _or_todo(press.officer, "직급 이름"), _or_todo(press.phone, "전화")],
    ]


def _timing(today: dt.date) -> list[tuple[str, str]]:
    return [
        ("보도 시점", TODO.format("보도 일시 (예: 배포 즉시 보도 가능)")),
        ("배포 일시", f"{today:%Y. %m. %d.} " + TODO.format("배포 시각")),
    ]


def _kinds(f: Facts, orgs: set[str]) -> str:
    counted = Counter(a.org_type for a in f.apps if a.app_id in orgs)
    return ", ".join(f"{kind} {n}곳" for kind, n in sorted(counted.items(), key=lambda x: (-x[1], x[0])))


def _fields(f: Facts, teams: set[str]) -> str:
    counted = Counter(FIELD_WORDS.get(t.field, t.field or "기타") for t in f.tasks if t.team_id in teams)
    return ", ".join(f"{name} {n}건" for name, n in sorted(counted.items(), key=lambda x: (-x[1], x[0])))


def _running(total: Figures) -> tuple[int, str]:
    share = f"(약정의 {total.bought_share}%)" if total.bought_share != "" else ""
    return (
        0,
        f"□ 지금까지 모두 {total.teams}팀(협약체결 {total.signed}팀)이 협력과제 {total.tasks}개를 추진하고 있으며, "
        f"참여 기관 {total.orgs}곳과 시장 {total.markets}곳이 활동 {total.activities:,}건(참여 {total.participants:,}명), "
        f"온누리상품권 구매 {total.onnuri_won:,}원{share}의 성과를 냈다.",
    )


def _closing(press: PressConfig) -> list[tuple[int, str]]:
    head = press.head or TODO.format("청장 이름")
    apply = press.apply or TODO.format("신청 방법·누리집 주소")
    return [
        (0, f"□ {AGENCY} {head} 청장은 “{TODO.format('청장 인용문')}”이라고 말했다."),
        (0, f"□ 참여를 원하는 기업·기관은 상시 신청할 수 있다. {apply}"),
    ]


WEEKDAYS = "월화수목금토일"


def _when(text: str) -> str:
    """'2026-05-16 14:00' → '2026년 5월 16일(토) 14:00' (anything else as typed)."""
    try:
        at = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return text
    clock = f" {at:%H:%M}" if (at.hour, at.minute) != (0, 0) else ""
    return f"{at.year}년 {at.month}월 {at.day}일({WEEKDAYS[at.weekday()]}){clock}"


def round_release(f: Facts, round_: int, press: PressConfig, today: dt.date, stamp: str) -> PressRelease:
    whole = Period(None, None, today)
    figs = figures(f, whole)
    if round_ not in figs:
        raise UsageError(f"{round_}차 협약식에 속한 협약이 없습니다 (협약 탭의 협약식 또는 차수 열을 확인하세요).")
    mine, total = figs[round_], figs[TOTAL]
    teams = {t.team_id for t in f.teams if t.ceremony == round_}
    orgs = {o for t in f.teams if t.team_id in teams for o in t.orgs}
    held = next((c for c in f.ceremonies if c.round == round_), None)
    when = _when(held.held_at) if held and held.held_at else TODO.format("일시")
    where = held.place if held and held.place else TODO.format("장소")
    body = [
        (
            0,
            f"□ {AGENCY}은 {when} {where}에서 {PROJECT} 제{round_}차 협약식을 열고 기업·기관 {mine.orgs}곳과 "
            f"전통시장 {mine.markets}곳이 {mine.teams}팀 {mine.tasks}개 협력과제를 함께 추진하기로 했다.",
        ),
        (1, f"ㅇ 참여 기관은 {_kinds(f, orgs) or '—'}이다."),
        (
            1,
            f"ㅇ 협력과제는 {_fields(f, teams) or TODO.format('협력과제')}이며, 온누리상품권 구매 약정은 {mine.pledge_thousand:,}천원이다.",
        ),
        _running(total),
        *_closing(press),
    ]
    return PressRelease(
        timing=_timing(today),
        title=f"{AGENCY}, {PROJECT} 제{round_}차 협약식 개최",
        subtitle=[f"기업·기관 {mine.orgs}곳과 전통시장 {mine.markets}곳, {mine.teams}팀 {mine.tasks}개 협력과제 추진"],
        body=body,
        contacts=_contacts(press),
        attachments=[f"제{round_}차 협약 현황 1부.", TODO.format("행사 사진") + " 1부."],
        inputs=f"숫자 기준: {stamp} 관리자 요약과 같은 정의 (자동 작성 초안 — 보내기 전에 【】 부분을 채우고 확인하세요)",
    )


def period_release(f: Facts, period: Period, press: PressConfig, stamp: str) -> PressRelease:
    month = figures(f, period)[TOTAL]
    total = figures(f, Period(None, None, period.today))[TOTAL]
    name = f"{period.since.year}년 {period.since.month}월" if period.since else "이번 기간"
    body = [
        (
            0,
            f"□ {AGENCY}은 {PROJECT}에 참여한 기업·기관과 전통시장이 {name}에 활동 {month.activities:,}건"
            f"(참여 {month.participants:,}명)을 펼쳤다고 밝혔다.",
        ),
        (1, f"ㅇ 이 기간 온누리상품권 구매는 {month.onnuri_won:,}원, 물품 구매는 {month.purchase_won:,}원이다."),
        _running(total),
        *_closing(press),
    ]
    return PressRelease(
        timing=_timing(period.today),
        title=f"{PROJECT}, {name} 협력 활동 {month.activities:,}건",
        subtitle=[f"누적 {total.teams}팀 {total.tasks}개 협력과제, 온누리상품권 구매 {total.onnuri_won:,}원"],
        body=body,
        contacts=_contacts(press),
        attachments=[TODO.format("우수사례 사진") + " 1부."],
        inputs=f"숫자 기준: {stamp}, 기간 {period.label()} — 관리자 요약과 같은 정의 (자동 작성 초안)",
    )


@dataclass
class PressOutcome:
    what: str
    dry_run: bool = False
    files: list[Path] = field(default_factory=list)
    title: str = ""
    notes: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def summary(self) -> str:
        verb = "미리보기로 만들었습니다" if self.dry_run else "만들었습니다"
        lines = [f"{self.what} 보도자료 초안을 {verb}: {', '.join(str(p) for p in self.files)}", self.title]
        return "\n".join([*lines, *self.notes])

    def step_report(self) -> StepReport:
        report = StepReport(LABEL, message=self.summary())
        report.counts.update({"파일": len(self.files)})
        return report

    def as_dict(self) -> dict[str, Any]:
        return {"what": self.what, "dry_run": self.dry_run, "files": [str(p) for p in self.files], "title": self.title}


def press(
    books: Workbooks,
    schemas: SchemaSet,
    config: Config,
    *,
    round_: int | None = None,
    month: str | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> PressOutcome:
    from automation.documents.pdf import convert_to_pdf, find_soffice

    if (round_ is None) == (month is None):
        raise UsageError("--round N(협약식 차수) 또는 --period 2026-05(달) 중 하나만 적으세요.")
    at = moment(today)
    stamp = f"{at:%Y-%m-%d %H:%M}"
    facts = load_facts(books, schemas)
    if round_ is not None:
        release, stem, what = (
            round_release(facts, round_, config.press, at.date(), stamp),
            f"보도자료_{round_}차협약식",
            f"제{round_}차 협약식",
        )
    else:
        period = month_period(month, at.date(), config.dashboard.idle_days)
        release = period_release(facts, period, config.press, stamp)
        stem, what = f"보도자료_{period.since:%Y-%m}", f"{period.since:%Y-%m}"
    folder = preview_folder(config.documents.preview, "보도자료") if dry_run else config.documents.output / "보도자료"
    out = PressOutcome(what, dry_run, title=release.title)
    out.files = write_press(release, folder, stem)
    soffice = find_soffice(config.documents.soffice) if config.documents.pdf != "never" else None
    if soffice is None:
        out.notes.append("LibreOffice가 없어 PDF는 만들지 않았습니다.")
        return out
    pdf = convert_to_pdf([out.files[1]], folder, soffice).get(out.files[1])
    if pdf is not None:
        out.files.append(pdf)
    return out
