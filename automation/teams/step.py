"""``onemarket teams`` and the 협약 step of ``run``: every 확정 pair in a team, teams checked.

* A 확정 (or 협약체결/종료) pair with a blank 협약ID gets a one-pair team of its own: a new ID is
  written into the blank cell by compare-and-set (a person typing there meanwhile wins).
* A 협약ID staff typed on pairs (to form a multi-party team) gets its 협약 row.
* Each team's 구성 is rewritten from its pairs; problems go into its 점검 cell and the report:
  a cell naming two teams or a pair in two teams (errors: the team is held), a team with nobody
  in it (a warning), a 협약체결 team whose pairs differ from those it was signed with (an error).
* A team set to 협약체결 or 종료 takes its pairs along (확정 → 협약체결 → 종료 on 매칭).
* 차수, 협약명 and 상태 are written once, when the team is made; afterwards they are staff's
  (협약명 follows the members only while it still holds the name the job gave it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from automation.clock import now
from automation.domain.ids import IdAllocator
from automation.domain.status import SIGNED_ONCE, Status
from automation.domain.teams import (
    Grouping,
    Team,
    TeamStatus,
    ceremony_of,
    first_round,
    first_status,
    group,
    members_text,
    team_ids,
    team_name,
)
from automation.parsers import is_yes
from automation.report import ERROR, Issue, StepReport
from automation.schema import SchemaSet
from automation.sheets import Workbooks
from automation.sheets.table import Row, Table, missing_optional
from automation.sheets.writes import RowUpdate, TabWrite, write_tables
from automation.state import WorkState, read_with_state
from automation.teams.tasks import seed

LABEL = "협약"
#: _작업상태 kinds: the membership a team was signed with; the 협약명 the job gave a team
SIGNED_KIND = "협약구성"
NAME_KIND = "협약명"
#: what a team's 상태 makes of its pairs' 상태 on 매칭
FOLLOW = {
    TeamStatus.SIGNED: {Status.CONFIRMED: Status.SIGNED},
    TeamStatus.ENDED: {Status.CONFIRMED: Status.ENDED, Status.SIGNED: Status.ENDED},
}


@dataclass
class TeamsOutcome:
    dry_run: bool = False
    waiting: str = ""  # why the step did nothing (the workbook has no 협약 tab yet)
    teams: int = 0
    shapes: Counter[str] = field(default_factory=Counter)
    created: int = 0
    tasks: int = 0  # 협력과제 seeded
    ids_written: int = 0
    followed: int = 0
    held: int = 0
    issues: list[Issue] = field(default_factory=list)

    def summary(self) -> str:
        if self.waiting:
            return self.waiting
        if not self.teams and not self.issues:
            return "협약 0팀: 확정된 짝이 없습니다."
        multi = sum(n for shape, n in self.shapes.items() if shape != "1사-1시장")
        head = f"협약 {self.teams}팀 (여러 기관·시장이 묶인 팀 {multi})" + (
            f" — {', '.join(f'{s} {n}' for s, n in sorted(self.shapes.items()))}" if self.shapes else ""
        )
        verb = "쓸 계획" if self.dry_run else "씀"
        lines = [
            head,
            f"새 협약 {self.created}, 매칭 탭에 협약ID {self.ids_written}건 {verb}, 협약 상태를 따른 짝 {self.followed}, "
            f"새 협력과제 {self.tasks}",
        ]
        if self.held:
            lines.append(f"점검에 오류가 있어 멈춘 협약 {self.held}팀: 협약 탭의 점검 열을 보세요.")
        return "\n".join(lines)

    def step_report(self) -> StepReport:
        report = StepReport(LABEL, issues=list(self.issues), message=self.summary())
        report.counts.update({"협약": self.teams, "새 협약": self.created, "멈춘 협약": self.held})
        return report

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "waiting": self.waiting,
            "teams": self.teams,
            "shapes": dict(self.shapes),
            "created": self.created,
            "tasks": self.tasks,
            "ids_written": self.ids_written,
            "followed": self.followed,
            "held": self.held,
            "issues": [i.as_dict() for i in self.issues],
        }


def _waiting(books: Workbooks, schemas: SchemaSet) -> str:
    if missing_optional(books.master, [schemas.teams]):
        return (
            f"'{schemas.teams.name}' 탭이 아직 없어 협약을 만들지 않았습니다. 'onemarket init'을 실행하면 "
            "협약·협력과제·협약식 탭과 매칭 탭의 협약ID 열이 생깁니다 (직원이 입력한 값은 그대로 둡니다)."
        )
    return ""


def _signed_check(team: Team, state: WorkState) -> bool:
    """A signed team keeps the pairs it was signed with: the first time the job sees it signed the
    membership is recorded; a later difference is an error. Back to 준비 forgets the record."""
    recorded = state.get(SIGNED_KIND, team.team_id) or ""
    if team.status == TeamStatus.PREPARING:
        if recorded:
            state.set(SIGNED_KIND, team.team_id, "")
        return True
    if team.status not in (TeamStatus.SIGNED, TeamStatus.ENDED):
        return True
    now_fp = team.fingerprint()
    if not recorded:
        state.set(SIGNED_KIND, team.team_id, now_fp)
        return True
    if recorded == now_fp:
        return True
    was, now_set = set(recorded.split("|")) - {""}, set(now_fp.split("|")) - {""}
    parts = []
    if now_set - was:
        parts.append("더해진 짝 " + ", ".join(sorted(now_set - was)))
    if was - now_set:
        parts.append("빠진 짝 " + ", ".join(sorted(was - now_set)))
    team.changed_after_signing = True
    team.add(
        ERROR,
        f"협약체결 뒤에 구성이 바뀌었습니다 ({'; '.join(parts)}). 서명한 협약서와 다릅니다. 매칭 탭의 협약ID·상태를 "
        "되돌리거나, 바뀐 구성으로 다시 협약하려면 이 협약의 상태를 준비로 돌리세요.",
    )
    return False


def _signed_ceremonies(table: Table | None) -> dict[str, str]:
    """차수 → date of every ceremony staff marked 협약체결 = Y (the date may be blank)."""
    out: dict[str, str] = {}
    for r in table.data_rows() if table is not None else []:
        if is_yes(r["signed"]) and r["round"].strip():
            out[r["round"].strip()] = r["held_at"].strip()[:10]
    return out


def _from_ceremony(team: Team, signed_at: dict[str, str]) -> None:
    """A team still 준비 is signed now when its ceremony is marked 협약체결 (its pairs follow), or
    when staff set every one of its pairs to 협약체결/종료 directly (the old way)."""
    if team.row is None or team.held or not team.members or team.status != TeamStatus.PREPARING:
        return
    if ceremony_of(team) in signed_at or all(m.status in SIGNED_ONCE for m in team.members):
        team.override = TeamStatus.SIGNED


def _check_text(team: Team) -> str:
    return "\n".join(f"{severity.value}: {message}" for severity, message in team.problems)


@dataclass
class _Writes:
    matches: dict[str, dict[str, str]] = field(default_factory=dict)  # 매칭ID → values
    team_updates: list[RowUpdate] = field(default_factory=list)
    team_appends: list[dict[str, str]] = field(default_factory=list)
    task_appends: list[dict[str, str]] = field(default_factory=list)
    task_updates: list[RowUpdate] = field(default_factory=list)


def _markets(table: Table) -> dict[str, Row]:
    """The 시장 rows by 시장코드 and by 시장명 (a hand-typed pair may carry only the name)."""
    out: dict[str, Row] = {}
    for r in table.data_rows():
        for key in (r["market_code"].strip(), r["market_name"].strip()):
            if key:
                out.setdefault(key, r)
    return out


def _team_row(
    team: Team,
    grouping: Grouping,
    teams: Table,
    state: WorkState,
    stamp: str,
    writes: _Writes,
    signed_at: dict[str, str],
) -> None:
    """The team's 협약 row: appended when missing, else 구성/점검 (and a job-given 협약명) refreshed."""
    check = _check_text(team)
    if team.row is None:
        name = team_name(team)
        writes.team_appends.append(
            {
                "team_id": team.team_id,
                "round": first_round(team),
                "name": name,
                "status": first_status(team),
                "members": members_text(team),
                "check": check,
                "processed_at": stamp,
            }
        )
        state.set(NAME_KIND, team.team_id, name)
        return
    row = team.row
    values: dict[str, str] = {}
    if not team.changed_after_signing and row["members"] != members_text(team):
        values["members"] = members_text(team)
    if row["check"] != check:
        values["check"] = check
    given = state.get(NAME_KIND, team.team_id)
    if team.status == TeamStatus.PREPARING and team.members and given and row["name"].strip() == given:
        name = team_name(team)
        if name != given:
            values["name"] = name
            state.set(NAME_KIND, team.team_id, name)
    if team.override and row["status"].strip() != team.override:
        values["status"] = team.override
        if not row["signed_on"].strip() and signed_at.get(ceremony_of(team)):
            values["signed_on"] = signed_at[ceremony_of(team)]
    unnamed = next((tid for r, tid in grouping.unnamed if r is row), "")
    if unnamed:
        values["team_id"] = unnamed
    if not values:
        return
    values["processed_at"] = stamp
    if unnamed:
        writes.team_updates.append(RowUpdate(values, row=row.number, fingerprint=teams.fingerprint(row)))
    else:
        writes.team_updates.append(RowUpdate(values, id=team.team_id))


def _follow(team: Team, writes: _Writes) -> int:
    """Pairs take their team's 협약체결/종료."""
    rule = FOLLOW.get(TeamStatus(team.status)) if team.status in tuple(TeamStatus) else None
    if not rule or team.held:
        return 0
    moved = 0
    for m in team.members:
        target = rule.get(Status(m.status)) if m.status in tuple(Status) else None
        if target and m.match_id:
            writes.matches.setdefault(m.match_id, {})["status"] = target
            moved += 1
    return moved


def _team_issues(team: Team, tab: str) -> list[Issue]:
    row = team.row.number if team.row is not None else None
    return [
        Issue(
            code="team_check", severity=severity, tab=tab, row=row, column="점검", value=team.team_id, message=message
        )
        for severity, message in team.problems
    ]


def teams(books: Workbooks, schemas: SchemaSet, *, dry_run: bool = False) -> TeamsOutcome:
    outcome = TeamsOutcome(dry_run=dry_run, waiting=_waiting(books, schemas))
    if outcome.waiting:
        return outcome
    master = books.master
    absent = set(missing_optional(master, [schemas.tasks, schemas.ceremonies]))
    wanted = [schemas.applications, schemas.markets, schemas.matches, schemas.teams]
    extra = [s for s in (schemas.tasks, schemas.ceremonies) if s.name not in absent]
    tables, state = read_with_state(master, schemas, [*wanted, *extra], dry_run=dry_run)
    matches, team_tab = tables[schemas.matches.name], tables[schemas.teams.name]
    task_tab = tables.get(schemas.tasks.name)
    if "team_id" not in matches.header.positions:
        outcome.waiting = (
            f"'{schemas.matches.name}' 탭에 '협약ID' 열이 없어 협약을 만들지 않았습니다. 'onemarket init'을 실행하면 "
            "열이 생깁니다 (직원이 입력한 값은 그대로 둡니다)."
        )
        return outcome
    ids = IdAllocator(state, now().year)
    for r in [*team_tab.rows, *matches.rows]:
        for part in team_ids(r["team_id"]):
            ids.observe(part)
    for r in task_tab.rows if task_tab else []:
        ids.observe(r["task_id"])
    grouping = group(matches, team_tab, lambda: ids.next("T"))
    outcome.issues.extend(grouping.issues)
    stamp = now().strftime("%Y-%m-%d %H:%M")
    writes = _Writes()
    apps = {r["application_id"].strip(): r for r in tables[schemas.applications.name].data_rows()}
    markets = _markets(tables[schemas.markets.name])
    tasked = {r["team_id"].strip() for r in task_tab.data_rows()} if task_tab else set()
    for mid, team_id in grouping.new_ids.items():
        writes.matches.setdefault(mid, {})["team_id"] = team_id
    signed_at = _signed_ceremonies(tables.get(schemas.ceremonies.name))
    for team in grouping.teams.values():
        _from_ceremony(team, signed_at)
        _signed_check(team, state)
        _team_row(team, grouping, team_tab, state, stamp, writes, signed_at)
        outcome.followed += _follow(team, writes)
        if task_tab is not None:
            seeded = seed(team, apps, markets, state, has_tasks=team.team_id in tasked)
            writes.task_appends += [{**t, "task_id": ids.next("P")} for t in seeded]
        outcome.issues.extend(_team_issues(team, schemas.teams.name))
        outcome.held += team.held
        if team.members:
            outcome.teams += 1
            outcome.shapes[team.shape()] += 1
    if task_tab is not None:
        for r in task_tab.data_rows():
            if not r["task_id"].strip():  # a 과제 staff added: it gets its 과제ID (found again by its content)
                writes.task_updates.append(
                    RowUpdate({"task_id": ids.next("P")}, row=r.number, fingerprint=task_tab.fingerprint(r))
                )
    outcome.created = len(writes.team_appends)
    outcome.tasks = len(writes.task_appends)
    outcome.ids_written = len(grouping.new_ids)
    if dry_run:
        return outcome
    ids.save()
    _write(master, schemas, matches, team_tab, state, writes, outcome)
    return outcome


def _write(
    master: Any,
    schemas: SchemaSet,
    matches: Table,
    team_tab: Table,
    state: WorkState,
    writes: _Writes,
    outcome: TeamsOutcome,
) -> None:
    """One guarded write of 매칭, 협약 and the job state: all of it lands or none."""
    match_updates = [RowUpdate(values, id=mid) for mid, values in writes.matches.items()]
    marks = state.tab_write()
    result = write_tables(
        master,
        [
            TabWrite(schemas.matches, match_updates, allow=("team_id", "status"), base=matches),
            TabWrite(
                schemas.teams,
                writes.team_updates,
                writes.team_appends,
                allow=("name", "status", "signed_on"),
                base=team_tab,
            ),
            *(
                [TabWrite(schemas.tasks, writes.task_updates, writes.task_appends)]
                if writes.task_appends or writes.task_updates
                else []
            ),
            *([marks] if marks else []),
        ],
    )
    state.written()
    outcome.issues.extend(result.issues)
    refused = {i.value for i in result.issues}
    outcome.ids_written -= sum(1 for mid, v in writes.matches.items() if "team_id" in v and mid in refused)
