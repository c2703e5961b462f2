"""Plain dataclasses in and out of the matching engine, and the published scoring constants.

Everything here is data: no spreadsheet I/O, no solver. See ``docs/matching.md`` for the
policy these encode.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Rank = Literal["first", "second", "city", "near", "locked"]
Priority = Literal["coverage", "wishes"]
PRIORITIES: tuple[Priority, ...] = ("coverage", "wishes")
MAX_WANTS = 10  # markets one organisation may ask for (희망시장수)

# L5 is kept in integer units of 0.01 point so that every level is an exact integer.
UNITS_PER_POINT = 100
DISTANCE_POINTS = 15  # linear from 15 points at 0 km to 0 at >= ZERO_POINTS_KM
ZERO_POINTS_KM = 30.0
FIT_POINTS = 2  # per matched trait pair, five pairs: up to 10 points
FIRST_PARTNER_BONUS = 1  # a market that never had a partner
NEAR_KM = 10.0  # any market this close is allowed
NEIGHBOUR_KM = 40.0  # a market of a neighbouring 시군 of the wished 시군 must be this close

# applicant trait -> market trait it fits, and the Korean reason shown when both are present
FIT: tuple[tuple[str, str, str], ...] = (
    ("onnuri", "onnuri", "온누리상품권 가맹"),
    ("mural", "idle_space", "유휴공간 보유(벽화)"),
    ("sns", "culture_room", "문화교실 보유(SNS 교육)"),
    ("online", "online_ready", "온라인 판로 준비(온라인 입점)"),
    ("large_group", "large", "대형 시장(단체 방문)"),
)
FIRST_PARTNER_REASON = "첫 결연 시장"

Neighbours = Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class Applicant:
    """An organisation asking for a market.

    ``order`` is the published priority key (e.g. ``(received_date_iso, application_id)``):
    smaller is earlier. ``lat``/``lon`` are the caller's point for the organisation (usually the
    centre of its address's 구 or 시군); ``None`` when the address could not be placed.
    """

    id: str
    order: tuple[str, ...]
    choices: tuple[str, ...] = ()
    wish_sigun: str | None = None
    lat: float | None = None
    lon: float | None = None
    sigun: str | None = None
    traits: frozenset[str] = frozenset()
    wants: int = 1  # markets wanted (희망시장수); never the same market twice

    @property
    def city_only(self) -> bool:
        """Named no market, only a 시군: counts for L4 (placed in the wished 시군)."""
        return not self.choices and self.wish_sigun is not None


@dataclass(frozen=True)
class Market:
    code: str
    name: str
    sigun: str | None
    lat: float | None
    lon: float | None
    capacity: int = 1
    participating: bool = True
    traits: frozenset[str] = frozenset()
    had_partner: bool = False


@dataclass(frozen=True)
class Lock:
    """A 확정/협약체결 pair: never moved, consumes one unit of the market's capacity."""

    app_id: str
    market_code: str


@dataclass(frozen=True)
class Exclusion:
    """A 거절 pair: never suggested again."""

    app_id: str
    market_code: str


@dataclass(frozen=True)
class Objective:
    """The objective of an assignment (larger is better): compare with :meth:`key`, which orders
    the levels by the matching priority (docs/matching.md).

    ``matched`` (L1) counts organisations given at least one market, ``places`` the markets given
    in all (equal to ``matched`` when every organisation wants one), ``first``/``second`` the
    organisations holding their 1st/2nd choice, ``city`` the places of city-only organisations in
    their wished 시군; ``score_units`` is L5 in units of 0.01 point (an exact integer).
    """

    matched: int = 0
    first: int = 0
    second: int = 0
    city: int = 0
    score_units: int = 0
    places: int = 0

    @property
    def score(self) -> float:
        return self.score_units / UNITS_PER_POINT

    def key(self, priority: Priority = "coverage") -> tuple[int, ...]:
        """The levels in lexicographic order: coverage first, or 1st and 2nd choices first."""
        if priority == "wishes":
            return (self.first, self.second, self.matched, self.places, self.city, self.score_units)
        return (self.matched, self.places, self.first, self.second, self.city, self.score_units)

    def _zip(self, other: Objective, sign: int) -> Objective:
        # field by field (dataclasses.astuple deep-copies: too slow for one call per assignment)
        return Objective(
            self.matched + sign * other.matched,
            self.first + sign * other.first,
            self.second + sign * other.second,
            self.city + sign * other.city,
            self.score_units + sign * other.score_units,
            self.places + sign * other.places,
        )

    def minus(self, other: Objective) -> Objective:
        return self._zip(other, -1)

    def plus(self, other: Objective) -> Objective:
        return self._zip(other, 1)


@dataclass(frozen=True)
class Assignment:
    app_id: str
    market_code: str
    rank: Rank
    km: float | None
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Unmatched:
    """``reason_code``: ``'full'`` (allowed markets exist, all taken — next round) or
    ``'no_options'`` (nothing is allowed at all)."""

    app_id: str
    reason_code: Literal["full", "no_options"]
    reason: str


@dataclass(frozen=True)
class MatchResult:
    """Assignments (locked pairs included, rank ``'locked'``) and unmatched applicants, both in
    published order; ``objective`` counts every assignment of a known applicant."""

    assignments: tuple[Assignment, ...]
    unmatched: tuple[Unmatched, ...]
    objective: Objective
    stats: Mapping[str, object] = field(default_factory=dict, compare=False)
    short: Mapping[str, int] = field(default_factory=dict)  # organisation id -> markets wanted but not given


@dataclass(frozen=True)
class Explanation:
    """Why an applicant did not get its 1st choice (see :func:`automation.matching.explain`).

    ``cost`` is base objective minus the objective with the pair forced (one re-solve); None when
    the pair cannot be forced (``staff`` says why). ``rule`` names the published rule that decided
    a near-tie (forcing costs nothing on L1..L4 and less than one point on L5).
    """

    app_id: str
    first_choice: str
    holders: tuple[str, ...]
    cost: Objective | None
    near_tie: bool
    rule: str | None
    applicant: str
    staff: str


@dataclass(frozen=True)
class Metrics:
    """docs/matching.md's quality figures. ``first_pct``/``second_pct`` are of the applicants who named a
    1st/2nd choice, ``city_pct`` of the city-only applicants, the rest of all applicants."""

    applicants: int
    matched_pct: float
    first_pct: float
    second_pct: float
    city_pct: float
    unmatched_pct: float
    mean_km: float | None
