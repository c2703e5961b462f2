"""Which agreements there are: one per team (협약) — or one per pair, where a pair has no team yet.

* A team of one pair without 협력과제 keeps the pair's own agreement (templates/agreement.docx, the
  same document as before teams, keyed by 매칭ID), with the team's 차수 and 협약일 when set.
* Any other team gets the team agreement (templates/agreement_team.docx, keyed by 협약ID): every
  organisation as 갑, every market as 을, the 과제 by party.
* A team whose grouping has an error (see :mod:`automation.domain.teams`) gets no document until
  staff fix it; its pairs are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from automation.domain.pairs import Pair, pair_issue
from automation.domain.status import SIGNED_ONCE
from automation.domain.teams import Team, TeamStatus, group
from automation.report import Issue
from automation.sheets.table import Row, Table

PAIR, TEAM = "pair", "team"


@dataclass
class Unit:
    key: str  # the manifest key: 매칭ID (a pair's own agreement) or 협약ID
    pairs: list[Pair]
    kind: str = PAIR
    team_id: str = ""
    name: str = ""  # the team's 협약명 (file names)
    shape: str = ""
    round: str | None = None  # the team's 차수 (None: the pair's own)
    signed_on: str = ""  # YYYY-MM-DD: the team's 협약일, else its ceremony's date
    tasks: list[Row] = field(default_factory=list)
    #: signed (협약체결/종료): its document is frozen once it exists
    signed: bool = False

    @property
    def member_ids(self) -> list[str]:
        return [p.match_id for p in self.pairs]


def _ceremony_dates(ceremonies: Table | None) -> dict[str, str]:
    """차수 → the date of its 협약식 (the 일시's date part)."""
    if ceremonies is None:
        return {}
    out: dict[str, str] = {}
    for r in ceremonies.data_rows():
        number, when = r["round"].strip(), r["held_at"].strip()
        if number and when:
            out.setdefault(number, when[:10])
    return out


def _signed_on(team: Team, dates: dict[str, str]) -> str:
    if team.row is None:
        return ""
    typed = team.row["signed_on"].strip()
    if typed:
        return typed
    ceremony = team.row["ceremony"].strip() or team.row["round"].strip()
    return dates.get(ceremony, "")


def _team_unit(team: Team, pairs: list[Pair], tasks: list[Row], dates: dict[str, str]) -> Unit:
    row = team.row
    round_ = row["round"].strip() if row is not None and row["round"].strip() else None
    # signed: the team says so, or every pair was set to 협약체결/종료 directly (the old way)
    signed = team.status in (TeamStatus.SIGNED, TeamStatus.ENDED) or all(p.status in SIGNED_ONCE for p in pairs)
    common = {
        "team_id": team.team_id,
        "round": round_,
        "signed_on": _signed_on(team, dates),
        "signed": signed,
        "shape": team.shape(),
    }
    if len(team.members) == 1 and not tasks:
        return Unit(pairs[0].match_id, pairs, **common)  # type: ignore[arg-type]
    name = row["name"].strip() if row is not None else ""
    return Unit(team.team_id, pairs, kind=TEAM, name=name, tasks=tasks, **common)  # type: ignore[arg-type]


def build_units(
    pairs: list[Pair], matches: Table, teams: Table | None, tasks: Table | None, ceremonies: Table | None
) -> tuple[list[Unit], list[Issue]]:
    """The agreements to keep up to date, from the joined pairs (확정/협약체결) and the teams."""
    if teams is None or "team_id" not in matches.header.positions:
        return [Unit(p.match_id, [p], signed=p.status == "협약체결") for p in pairs], []
    by_id = {p.match_id: p for p in pairs}
    grouping = group(matches, teams)
    dates = _ceremony_dates(ceremonies)
    task_rows: dict[str, list[Row]] = {}
    for r in tasks.data_rows() if tasks is not None else []:
        task_rows.setdefault(r["team_id"].strip(), []).append(r)
    units: list[Unit] = []
    issues: list[Issue] = []
    placed: set[str] = set()
    for team in grouping.teams.values():
        members = [by_id[m.match_id] for m in team.members if m.match_id in by_id]
        if not members:
            continue
        placed.update(p.match_id for p in members)
        if team.held:
            issues += [
                pair_issue(
                    p,
                    "agreement_team_held",
                    column="협약ID",
                    message=f"{p.match_id}: 협약 {team.team_id}의 점검에 오류가 있어 협약서를 만들지 않았습니다. "
                    "협약 탭의 점검 칸을 보고 고치면 다음 실행에서 만듭니다.",
                )
                for p in members
            ]
            continue
        units.append(_team_unit(team, members, task_rows.get(team.team_id, []), dates))
    for p in pairs:  # pairs the teams step has not reached yet (or could not): their own agreement
        if p.match_id in placed:
            continue
        if p.match["team_id"].strip():  # a 협약ID the grouping could not place (two IDs in one cell)
            issues.append(
                pair_issue(
                    p,
                    "agreement_team_unclear",
                    column="협약ID",
                    message=f"{p.match_id}: 협약ID 칸을 읽을 수 없어(협약이 두 개 이상) 협약서를 만들지 않았습니다. "
                    "협약ID를 하나만 남기세요.",
                )
            )
            continue
        units.append(Unit(p.match_id, [p], signed=p.status == "협약체결"))
    return units, issues
