"""Teams (협약): which 매칭 pairs one agreement binds, read from 매칭's 협약ID and the 협약 tab.

A pair is a 매칭 row in 확정, 협약체결 or 종료. Its 협약ID names its team; a pair without one gets a
one-pair team of its own (the teams step writes the new ID into the blank cell). Staff form a
multi-party team by giving several pairs the same 협약ID. This module only reads and checks —
the teams step writes, and the agreement, notice and outcome steps use the same reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from automation.domain.status import PARTNERED, SIGNED_ONCE, Status
from automation.parsers import parse_date, parser_for
from automation.report import ERROR, WARNING, Issue, Severity
from automation.sheets.table import Row, Table

#: several IDs typed into one 협약ID cell (a pair belongs to one team only)
_SEPARATORS = re.compile(r"[,;/\n]+")


class TeamStatus(StrEnum):
    PREPARING = "준비"  # being planned: members and 협력과제 may change
    SIGNED = "협약체결"  # signed at its ceremony: members frozen, every pair follows
    ENDED = "종료"  # the partnership ended


@dataclass(frozen=True)
class Member:
    """One pair of a team, as its 매칭 row says."""

    match_id: str
    row: int
    app_id: str
    org: str
    market_code: str
    market: str
    status: str
    round: str

    @property
    def pair(self) -> tuple[str, str]:
        """What identifies the pair whatever its row: the organisation and the market."""
        return (self.app_id, self.market_code or self.market)


@dataclass
class Team:
    team_id: str
    members: list[Member] = field(default_factory=list)
    row: Row | None = None  # its 협약 row (None: the teams step appends one)
    problems: list[tuple[Severity, str]] = field(default_factory=list)
    #: the 상태 the teams step is about to write (its ceremony was marked 협약체결)
    override: str = ""
    #: signed, and its pairs differ from those it was signed with (구성 keeps what was signed)
    changed_after_signing: bool = False

    @property
    def status(self) -> str:
        """The row's 상태; for a team without a row yet, what its pairs already are."""
        if self.override:
            return self.override
        if self.row is None:
            return first_status(self)
        return self.row["status"].strip() or TeamStatus.PREPARING

    @property
    def held(self) -> bool:
        """A team with an error is left alone by every later step until staff fix it."""
        return any(severity == ERROR for severity, _ in self.problems)

    @property
    def orgs(self) -> list[Member]:
        """One member per organisation, in sheet order."""
        return _first_of(self.members, lambda m: m.app_id)

    @property
    def markets(self) -> list[Member]:
        return _first_of(self.members, lambda m: m.market_code or m.market)

    def shape(self) -> str:
        """The programme's own words for a team's shape: 1사-1시장, 3사-1시장, 1사-5시장."""
        return f"{len(self.orgs)}사-{len(self.markets)}시장"

    def fingerprint(self) -> str:
        """The membership, order-free: what was signed (kept in _작업상태 at signing)."""
        return "|".join(sorted(f"{a}/{m}" for a, m in {m.pair for m in self.members}))

    def add(self, severity: Severity, message: str) -> None:
        if (severity, message) not in self.problems:
            self.problems.append((severity, message))


def ceremony_of(team: Team) -> str:
    """The 차수 of the ceremony a team signs at: its 협약식, else its 차수."""
    if team.row is None:
        return ""
    return team.row["ceremony"].strip() or team.row["round"].strip()


def _first_of(members: Iterable[Member], key: object) -> list[Member]:
    seen: set[str] = set()
    out = []
    for m in members:
        k = key(m)  # type: ignore[operator]
        if k not in seen:
            seen.add(k)
            out.append(m)
    return out


def _names(items: list[str], limit: int = 3) -> str:
    if len(items) <= limit:
        return "·".join(items)
    return f"{items[0]} 외 {len(items) - 1}곳"


def team_name(team: Team) -> str:
    """The name the job gives a new team (staff may rename it): its organisations and markets."""
    orgs = [m.org or m.app_id for m in team.orgs]
    markets = [m.market or m.market_code for m in team.markets]
    return f"{_names(orgs)} – {_names(markets)} 협약"


def members_text(team: Team) -> str:
    """구성: who the team binds, for people (no personal data: names of bodies and markets only)."""
    if not team.members:
        return "(비어 있음)"
    orgs = ", ".join(m.org or m.app_id for m in team.orgs)
    markets = ", ".join(m.market or m.market_code for m in team.markets)
    ids = ", ".join(m.match_id for m in team.members)
    return f"{team.shape()} · 기관 {len(team.orgs)}곳: {orgs} · 시장 {len(team.markets)}곳: {markets} (매칭 {ids})"


def first_round(team: Team) -> str:
    """차수 of a new team: the highest 차수 its pairs carry (blank when none has one)."""
    rounds = [int(m.round) for m in team.members if m.round.strip().isdigit()]
    return str(max(rounds)) if rounds else ""


def first_status(team: Team) -> str:
    """상태 of a new team: what its pairs already are (an old workbook's signed pairs stay signed)."""
    statuses = {m.status for m in team.members}
    if statuses and statuses <= {Status.ENDED}:
        return TeamStatus.ENDED
    if statuses and statuses <= set(SIGNED_ONCE):
        return TeamStatus.SIGNED
    return TeamStatus.PREPARING


@dataclass
class Grouping:
    """Every team, and the 매칭 rows that need a new 협약ID (매칭ID → the ID)."""

    teams: dict[str, Team] = field(default_factory=dict)
    new_ids: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    #: 협약 rows that hold something but no 협약ID: (row, the ID the job gives it)
    unnamed: list[tuple[Row, str]] = field(default_factory=list)
    #: pairs without a 협약ID when the reader gives none (``new_id`` returns ''): each its own agreement
    singles: list[Member] = field(default_factory=list)

    def team(self, team_id: str) -> Team:
        return self.teams.setdefault(team_id, Team(team_id))


def team_ids(cell: str) -> list[str]:
    """The 협약IDs written in one cell (staff may list several by mistake: ``T1, T2``)."""
    return [t.strip() for t in _SEPARATORS.split(cell) if t.strip()]


def _member(row: Row) -> Member:
    return Member(
        match_id=row["match_id"].strip(),
        row=row.number,
        app_id=row["application_id"].strip(),
        org=row["org_name"].strip(),
        market_code=row["market_code"].strip(),
        market=row["market_name"].strip(),
        status=row["status"].strip(),
        round=row["round"].strip(),
    )


def _issue(code: str, row: Row, value: str, message: str, severity: Severity = ERROR, tab: str = "") -> Issue:
    return Issue(code=code, severity=severity, tab=tab, row=row.number, column="협약ID", value=value, message=message)


def group(matches: Table, teams: Table | None, new_id: object = lambda: "") -> Grouping:
    """Read the teams. ``new_id()`` gives the next 협약ID (the teams step's allocator); a reader
    that only looks (the default) leaves pairs without one in ``singles``."""
    out = Grouping()
    tab = matches.schema.name
    for r in matches.data_rows():
        status, typed = r["status"].strip(), r["team_id"].strip()
        if status not in PARTNERED:
            if typed:
                out.issues.append(
                    _issue(
                        "team_not_partnered",
                        r,
                        typed,
                        f"협약ID가 있지만 상태가 '{status or '빈칸'}'이라 협약에 넣지 않았습니다. 확정하면 이 협약에 들어갑니다.",
                        WARNING,
                        tab,
                    )
                )
            continue
        member = _member(r)
        ids = team_ids(typed)
        if len(ids) > 1:
            where = f"매칭 {r.number}행({member.match_id or '매칭ID 없음'})"
            out.issues.append(
                _issue(
                    "team_two_ids",
                    r,
                    typed,
                    f"협약ID에 협약이 {len(ids)}개 적혀 있습니다 ({', '.join(ids)}). 한 짝은 한 협약에만 속합니다. "
                    "하나만 남기세요.",
                    ERROR,
                    tab,
                )
            )
            for team_id in ids:
                out.team(team_id).add(
                    ERROR, f"{where}의 협약ID에 이 협약과 다른 협약이 함께 적혀 있습니다. 하나만 남기세요."
                )
            continue
        if not ids:
            if not member.match_id:
                continue  # a hand-added row without 매칭ID: the match step gives it one first
            given = new_id()  # type: ignore[operator]
            if not given:  # a reader that gives no IDs (the agreement step): the pair stands alone
                out.singles.append(member)
                continue
            ids = [given]
            out.new_ids[member.match_id] = given
        out.team(ids[0]).members.append(member)
    _attach_rows(out, teams, new_id)
    _check_pairs(out)
    return out


def _attach_rows(out: Grouping, teams: Table | None, new_id: object) -> None:
    if teams is None:
        return
    for r in teams.data_rows():
        team_id = r["team_id"].strip()
        if not team_id:
            team_id = new_id()  # type: ignore[operator]
            if not team_id:
                continue
            out.unnamed.append((r, team_id))
        team = out.team(team_id)
        if team.row is None:
            team.row = r
    for team in out.teams.values():
        if team.row is not None and not team.members:
            team.add(
                WARNING,
                "이 협약에 속한 확정 짝이 없습니다 (매칭 탭의 협약ID가 다른 협약으로 바뀌었거나 짝이 거절되었습니다). "
                "매칭 탭에서 이 협약ID를 적거나, 필요 없으면 이 행을 지우세요.",
            )
        if team.row is not None:
            _check_cells(team, team.row, teams)


def _check_cells(team: Team, row: Row, teams: Table) -> None:
    """The typed cells of a 협약 row (상태, 차수, 협약식, 협약일): a wrong one is an error on the row."""
    status = row["status"].strip()
    if status and status not in tuple(TeamStatus):
        team.add(ERROR, f"상태: '{status}'은(는) 준비, 협약체결, 종료 중 하나여야 합니다. 목록에서 고르세요.")
    for key in ("round", "ceremony", "signed_on"):
        text = row[key].strip()
        if not text or key not in teams.header.positions:
            continue
        column = teams.schema.column(key)
        parsed = parse_date(text) if column.type == "date" else parser_for(column.type)(text)
        problem = parsed.error or column.range_message(parsed.value)
        if problem:
            team.add(ERROR, f"{column.header}: {problem}")


def _check_pairs(out: Grouping) -> None:
    """The same pair (organisation and market) in two teams is an error on both."""
    where: dict[tuple[str, str], dict[str, Member]] = {}
    for team in out.teams.values():
        for m in team.members:
            where.setdefault(m.pair, {}).setdefault(team.team_id, m)
    for pair, found in where.items():
        if len(found) < 2:
            continue
        members = list(found.values())
        rows = ", ".join(f"{m.row}행" for m in members)
        label = f"{members[0].org or pair[0]} – {members[0].market or pair[1]}"
        for team_id in found:
            others = ", ".join(t for t in found if t != team_id)
            out.teams[team_id].add(
                ERROR,
                f"같은 짝({label})이 다른 협약({others})에도 들어 있습니다 (매칭 {rows}). 한 협약의 협약ID만 남기세요.",
            )
