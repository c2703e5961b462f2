"""The plain facts the dashboard is computed from, and what one rebuilt tab holds.

None of the facts carries a person's name, phone, e-mail or business number; the only free text
(협약명, 우수사례후보) arrives already scrubbed by :mod:`automation.privacy`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from automation.schema import default_schemas
from automation.sheets.base import TabContent as TabContent  # re-exported: the summary builds them

OTHER_SIGUN = "기타/미상"
UNKNOWN_TYPE = "미상"
ORG_TYPES = tuple(default_schemas().applications.column("org_type").enum)  # 기관유형, from the schema
FIELDS = ("전통시장가는날", "물품구매", "온누리상품권", "특화프로그램", "기타협력")
TASK_STATES = tuple(default_schemas().tasks.column("status").enum)  # 계획, 진행, 완료, 보류
TOTAL = "합계"
NO_ROUND = "협약식 미정"


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
class TeamFacts:
    """One team (협약) with at least one 확정 pair."""

    team_id: str
    name: str  # 협약명 (scrubbed), else the name the teams step would give it
    ceremony: int | None  # the 차수 of its 협약식 (else its 차수); None: not planned yet
    status: str  # 준비, 협약체결 or 종료
    signed_on: dt.date | None  # 협약일, else its ceremony's 일시
    orgs: tuple[str, ...]  # 신청ID of its organisations
    markets: tuple[str, ...]  # 시장코드 of its markets
    market_siguns: tuple[str, ...]  # the 시군 of each market, same order
    match_ids: tuple[str, ...]

    @property
    def signed(self) -> bool:
        return self.status in ("협약체결", "종료")


@dataclass(frozen=True)
class TaskFacts:
    task_id: str
    team_id: str
    field: str  # 분야 (blank when not chosen)
    status: str  # a TASK_STATES entry (blank counts as 계획)
    title: str = ""  # 과제명 (scrubbed)
    party: str = ""  # 주체: 기관, 시장 or 공동


@dataclass(frozen=True)
class OutcomeFacts:
    match_id: str
    team_id: str  # the row's 협약ID, else the team of its 매칭ID ('' when neither is known)
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
    publish: bool = False  # 홍보동의 Y (staff)
    photo: str = ""  # a local picture file (staff)


@dataclass(frozen=True)
class Period:
    """The activity period the figures count (either end may be open) and the 기준 day."""

    since: dt.date | None
    until: dt.date | None
    today: dt.date
    idle_days: int = 60

    def holds(self, day: dt.date | None) -> bool:
        """Undated rows count only when the period is open at both ends."""
        if day is None:
            return self.since is None and self.until is None
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    def label(self) -> str:
        if self.since is None and self.until is None:
            return "전체 기간"
        return f"{self.since or '처음'} ~ {self.until or '지금'}"


@dataclass(frozen=True)
class CeremonyFacts:
    round: int
    held_at: str  # as staff typed it (일시)
    place: str


@dataclass(frozen=True)
class Facts:
    apps: tuple[AppFacts, ...]
    pairs: tuple[PairFacts, ...]
    teams: tuple[TeamFacts, ...]
    tasks: tuple[TaskFacts, ...]
    outcomes: tuple[OutcomeFacts, ...]  # usable rows, in the period
    best: tuple[BestCase, ...]
    all_outcomes: int = 0  # usable rows whatever their day (the period may leave some out)
    ceremonies: tuple[CeremonyFacts, ...] = ()
