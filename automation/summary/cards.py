"""``onemarket cards [--period 2026-05]``: a 카드뉴스 series (1080×1080 PNG, 5–8 cards) — cover,
headline figures, what the teams do (협력과제 by 분야), one card per 우수사례 staff approved for
publication (우수사례추천 Y **and** 홍보동의 Y, at most three, oldest first), how to apply, contact.

Figures are the dashboard's (:func:`automation.summary.headline.figures`); case text is scrubbed of
personal data like every dashboard cell; a photo is used only when staff typed a local file into 사진
(relative paths are read from the config's folder). Written to ``[documents] output``/카드뉴스/.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automation.config import Config
from automation.documents.cards import Card, Figure, write_cards
from automation.preview import preview_folder
from automation.privacy import cut
from automation.report import Issue, StepReport
from automation.schema import SchemaSet
from automation.sheets import Workbooks
from automation.summary.headline import figures
from automation.summary.model import TOTAL, BestCase, Facts, Period
from automation.summary.press import FIELD_WORDS, TODO
from automation.summary.report import month_period
from automation.summary.step import load_facts, moment

LABEL = "카드뉴스"
MAX_CASES = 3
CASE_TEXT = 110
COVER = "우리동네 1사-1시장 협력 프로젝트"


def cases(f: Facts, period: Period) -> list[BestCase]:
    approved = [b for b in f.best if b.publish and period.holds(b.day)]
    return sorted(approved, key=lambda b: (b.day is None, b.day or dt.date.min, b.match_id))[:MAX_CASES]


def case_figures(b: BestCase) -> list[Figure]:
    """A case's numbers that are not zero: 참여 인원, 물품 구매, 온누리상품권."""
    shown = [(b.participants, "명", "참여"), (b.purchase_won, "원", "물품 구매"), (b.onnuri_won, "원", "온누리상품권")]
    return [Figure(f"{n:,}{unit}", label) for n, unit, label in shown if n]


def _photo_path(cell: str, config: Config) -> tuple[Path | None, str]:
    """The local picture staff typed into 사진 (relative to the config's folder), or a note why not."""
    text = cell.strip()
    if not text:
        return None, ""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text):
        return None, f"사진 칸의 인터넷 주소는 쓰지 않습니다 (받아서 이 컴퓨터의 파일 경로를 적으세요): {text}"
    path = Path(text).expanduser()
    return (path if path.is_absolute() else config.base_dir / path), ""


def series(f: Facts, period: Period, config: Config, stamp: str) -> list[Card]:
    total = figures(f, period)[TOTAL]
    footer = f"경기지방중소벤처기업청 · 기준 {stamp[:10]}"
    when = "지금까지의 성과" if period.since is None else f"{period.since.year}년 {period.since.month}월의 성과"
    teams = (
        Figure(f"{total.signed}팀", "협약을 맺은 팀")
        if total.signed
        else Figure(f"{total.teams}팀", "협약을 준비하는 팀")
    )
    cards = [
        Card(
            "cover",
            COVER,
            [when, f"{'협약' if total.signed else '협약 준비'} {teams.value} · 협력과제 {total.tasks}개"],
            footer=footer,
        ),
        Card(
            "figures",
            "숫자로 보는 1사-1시장",
            figures=[
                teams,
                Figure(f"{total.tasks}개", "협력과제"),
                Figure(f"{total.orgs}곳 · {total.markets}곳", "참여 기관 · 전통시장"),
                Figure(f"{total.onnuri_won:,}원", "온누리상품권 구매"),
            ],
            footer=f"활동 {total.activities:,}건, 참여 {total.participants:,}명 · {period.label()}",
        ),
    ]
    known = {t.team_id for t in f.teams}
    kinds = Counter(FIELD_WORDS.get(t.field, t.field or "기타") for t in f.tasks if t.team_id in known)
    lines = [f"{name} {n}건" for name, n in sorted(kinds.items(), key=lambda x: (-x[1], x[0]))[:6]]
    cards.append(Card("tasks", "이렇게 함께합니다", lines or ["협력과제를 준비하고 있습니다."], footer=footer))
    for b in cases(f, period):
        photo, why = _photo_path(b.photo, config)
        cards.append(
            Card(
                "case",
                f"{b.market} × {b.org}",
                [f"{b.day.isoformat() if b.day else ''} · {b.activity}".strip(" ·"), cut(b.content, CASE_TEXT)],
                figures=case_figures(b),
                photo=photo,
                footer=footer,
                notes=[why] if why else [],
            )
        )
    press = config.press
    cards.append(
        Card(
            "apply",
            "참여 신청 방법",
            [
                "기업 · 대학 · 공공기관 · 협회 · 군부대 누구나, 언제든 신청할 수 있습니다.",
                "참여 신청서(한글 · 워드)를 채워 보내 주시면 희망 시장과 짝지어 드립니다.",
                press.apply or TODO.format("신청 방법·누리집 주소"),
            ],
            footer=footer,
        )
    )
    cards.append(
        Card(
            "contact",
            "문의",
            [
                press.department or TODO.format("담당 부서"),
                press.officer or TODO.format("직급 이름"),
                press.phone or TODO.format("전화"),
            ],
            footer=footer,
        )
    )
    return cards


@dataclass
class CardsOutcome:
    what: str
    dry_run: bool = False
    files: list[Path] = field(default_factory=list)
    cases: int = 0
    notes: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def summary(self) -> str:
        verb = "미리보기로 만들었습니다" if self.dry_run else "만들었습니다"
        folder = self.files[0].parent if self.files else ""
        lines = [f"{self.what} 카드뉴스 {len(self.files)}장을 {verb} (우수사례 {self.cases}건) — 폴더: {folder}"]
        return "\n".join([*lines, *self.notes])

    def step_report(self) -> StepReport:
        report = StepReport(LABEL, message=self.summary())
        report.counts.update({"카드": len(self.files), "우수사례": self.cases})
        return report

    def as_dict(self) -> dict[str, Any]:
        return {"what": self.what, "dry_run": self.dry_run, "files": [str(p) for p in self.files], "cases": self.cases}


def cards(
    books: Workbooks,
    schemas: SchemaSet,
    config: Config,
    *,
    month: str | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> CardsOutcome:
    at = moment(today)
    period = (
        month_period(month, at.date(), config.dashboard.idle_days)
        if month is not None
        else Period(None, None, at.date())
    )
    what = f"{period.since:%Y-%m}" if period.since else "전체"
    facts = load_facts(books, schemas)
    made = series(facts, period, config, f"{at:%Y-%m-%d %H:%M}")
    folder = (
        preview_folder(config.documents.preview, f"카드뉴스-{what}")
        if dry_run
        else config.documents.output / "카드뉴스" / what
    )
    out = CardsOutcome(what, dry_run, cases=sum(c.kind == "case" for c in made))
    out.files = write_cards(made, folder)
    out.notes = [n for c in made for n in c.notes]
    if not out.cases:
        out.notes.append("홍보동의가 Y인 우수사례가 없어 사례 카드는 없습니다 (성과보고의 홍보동의 열).")
    return out
