"""``onemarket outcomes`` and the 성과준비 step of ``run``.

For every 확정/협약체결 pair the market gets the place where it records activities: its own tab
in the outcomes file (see :mod:`automation.domain.outcome_tabs`) with the 성과보고 columns, dropdowns, a
starter row per pair (매칭ID, 시장명, 기관명 — never a person's data) and, on Google Sheets, a
protection that lets only that market's 상인회이메일 (plus the service account and the staff in
``[outcomes] editors``) edit it. A market with no outcome row ``remind_after_days`` after its pair
was first seen as 협약체결 gets one reminder per period, through the mail journal (at most once).
Validation of the rows markets type happens in the 검증 step.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from automation.clock import now
from automation.config import Config
from automation.domain import outcome_tabs as ot
from automation.domain.outcome_records import records_activity
from automation.domain.status import LOCKED, Status
from automation.domain.tabs import apply_file, plan_file
from automation.job_tabs import ensure_job_tabs
from automation.mail.journal import MailJournal
from automation.outcomes.reminders import Reminder, send_reminders
from automation.parsers import parse_email
from automation.privacy import PATTERNS
from automation.report import WARNING, Issue, StepReport
from automation.schema import TABS, SchemaSet
from automation.sheets import Workbooks
from automation.sheets.base import Backend, Dropdown
from automation.sheets.table import Row, Table, missing_optional, read_tables
from automation.sheets.writes import TabWrite, write_tables
from automation.state import PROTECTION, SIGNED, WorkState

READY = LOCKED


@dataclass
class OutcomesOutcome:
    dry_run: bool = False
    tabs_created: list[str] = field(default_factory=list)
    starter_rows: int = 0
    protected: int = 0
    reminders: int = 0
    markets: int = 0
    issues: list[Issue] = field(default_factory=list)
    stopped: str = ""

    def summary(self) -> str:
        pre = "미리보기: " if self.dry_run else ""
        return "\n".join(
            x
            for x in (
                f"{pre}시장 {self.markets}곳의 성과 탭 — 새 탭 {len(self.tabs_created)}, 새 시작 행 {self.starter_rows}, "
                f"보호 설정 {self.protected}, 성과 보고 요청 메일 {self.reminders}",
                self.stopped,
            )
            if x
        )

    def step_report(self) -> StepReport:
        report = StepReport("성과준비", issues=list(self.issues), message=self.summary())
        report.counts.update(
            {"새 탭": len(self.tabs_created), "시작 행": self.starter_rows, "요청 메일": self.reminders}
        )
        return report

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "issues"} | {
            "issues": [i.as_dict() for i in self.issues]
        }


class _State:
    """When each pair was first seen 협약체결, and each tab's protection: the workbook's job state."""

    def __init__(self, state: WorkState) -> None:
        self.state = state
        self.signed = dict(state.items(SIGNED))
        self.protection = dict(state.items(PROTECTION))

    def save(self) -> None:
        for match_id, day in self.signed.items():
            self.state.set(SIGNED, match_id, day)
        for title, key in self.protection.items():
            self.state.set(PROTECTION, title, key)


def _market_issue(market: Row, code: str, *, message: str) -> Issue:
    return Issue(
        code=code,
        row=market.number,
        column="상인회이메일",
        value="",
        message=message,
        severity=WARNING,
        tab=TABS.markets,
    )


def _prepare_tabs(
    backend: Backend, schemas: SchemaSet, wanted: dict[str, list[Row]], titles: dict[str, str], outcome: OutcomesOutcome
) -> dict[str, Table]:
    """Create missing market tabs (header, styling, dropdowns); read them and 성과보고 in one request."""
    existing = set(backend.list_tabs())
    new = [titles[code] for code in wanted if titles[code] not in existing]
    outcome.tabs_created = sorted(new)
    if new and not outcome.dry_run:
        backend.ensure_tabs(new)
        plans = plan_file(backend, [ot.tab_schema(schemas, t) for t in new])
        apply_file(backend, "outcomes", plans)  # inside deferred(): styles etc. are held, headers written now
        existing |= set(new)

    read = [t for t in ot.outcome_tab_titles([TABS.outcomes, *(titles[c] for c in wanted)]) if t in existing]
    tables = read_tables(backend, [ot.tab_schema(schemas, t) for t in read]) if read else {}
    stale = [t for t, table in tables.items() if ot.is_market_tab(t) and "task_id" not in table.header.positions]
    if stale and not outcome.dry_run:  # tabs made before 협약ID/과제ID existed get the two headers (once)
        apply_file(backend, "outcomes", plan_file(backend, [ot.tab_schema(schemas, t) for t in stale]))
        tables.update(read_tables(backend, [ot.tab_schema(schemas, t) for t in stale]))
    if outcome.dry_run:
        return tables
    for code in (c for c in wanted if titles[c] in new):
        table = tables[titles[code]]
        ids = tuple(r["match_id"].strip() for r in wanted[code])
        backend.set_dropdowns(
            table.schema.name,
            [
                Dropdown(
                    table.header.col("match_id"), values=ids, strict=True, prompt="이 시장의 매칭ID 중 하나를 고르세요."
                ),
                Dropdown(
                    table.header.col("activity_type"), values=table.schema.column("activity_type").enum, strict=True
                ),
                Dropdown(table.header.col("best_practice"), values=("Y", "N"), strict=False),
            ],
        )
    return tables


def _starter_rows(
    backend: Backend,
    tables: dict[str, Table],
    wanted: dict[str, list[Row]],
    titles: dict[str, str],
    outcome: OutcomesOutcome,
    tasks: dict[str, list[Row]] | None = None,
) -> None:
    """A starter row per pair not yet in its market's tab (with its 협약ID) and, for each of the
    market's teams, one per 협력과제 not yet there (협약ID, 과제ID) — so the market's tab lists its
    teams and their 과제. Appended to every tab in one guarded write (a market may be typing in its
    tab: rows are only ever added after the last one)."""
    writes: list[TabWrite] = []
    for code, pairs in wanted.items():
        table = tables.get(titles[code])
        present = {r["match_id"].strip() for r in table.rows if not r["task_id"].strip()} if table else set()
        listed = {r["task_id"].strip() for r in table.rows} if table else set()
        with_teams = table is not None and "team_id" in table.header.positions
        # the outcomes file is shared with every market: names only, any contact typed into them masked
        rows = [_starter(p, p["org_name"].strip(), with_teams) for p in pairs if p["match_id"].strip() not in present]
        if with_teams and tasks:
            rows += _task_starters(pairs, tasks, listed)
        outcome.starter_rows += len(rows)
        if rows and table is not None and not outcome.dry_run:
            writes.append(TabWrite(table.schema, appends=rows))
    if writes:
        written = write_tables(backend, writes)
        outcome.issues.extend(written.issues)


def _starter(pair: Row, org: str, with_teams: bool, task: str = "") -> dict[str, str]:
    row = {
        "match_id": pair["match_id"].strip(),
        "market_name": PATTERNS.mask(pair["market_name"].strip()),
        "org_name": PATTERNS.mask(org),
    }
    if with_teams and pair["team_id"].strip():
        row["team_id"] = pair["team_id"].strip()
        if task:
            row["task_id"] = task
    return row


def _task_starters(pairs: list[Row], tasks: dict[str, list[Row]], listed: set[str]) -> list[dict[str, str]]:
    """One row per 과제 of each of the market's teams (the first pair of the market in that team)."""
    rows = []
    by_team: dict[str, list[Row]] = {}
    for p in pairs:
        if p["team_id"].strip():
            by_team.setdefault(p["team_id"].strip(), []).append(p)
    for team_id, members in by_team.items():
        orgs = "·".join(dict.fromkeys(m["org_name"].strip() for m in members))
        for task in tasks.get(team_id, []):
            task_id = task["task_id"].strip()
            if task_id and task_id not in listed and task["status"].strip() != "보류":
                rows.append(_starter(members[0], orgs, True, task_id))
    return rows


def _protect(
    backend: Backend,
    config: Config,
    markets: dict[str, Row],
    wanted: dict[str, list[Row]],
    titles: dict[str, str],
    state: _State,
    outcome: OutcomesOutcome,
) -> None:
    if not backend.remote:
        return  # a file has no per-person rights (README: share the market's tab as its own file if needed)
    for code in wanted:
        market = markets[code]
        email = parse_email(market["association_email"])
        if not email.ok:
            outcome.issues.append(
                _market_issue(
                    market,
                    "outcome_tab_unprotected",
                    message=f"{titles[code]}: 상인회이메일이 없거나 올바르지 않아 이 탭은 직원만 고칠 수 있습니다. "
                    "주소를 적으면 다음 실행에서 시장에 편집 권한을 줍니다.",
                )
            )
            editors: list[str] = []
        else:
            editors = [email.value]
        editors += [e for e in config.outcomes.editors if e]
        key = hashlib.sha1("|".join(editors).encode()).hexdigest()[:12]
        if state.protection.get(titles[code]) == key:
            continue
        outcome.protected += 1
        if not outcome.dry_run:
            backend.protect_tab(titles[code], editors, f"{titles[code]} — 이 시장과 직원만 편집")
            state.protection[titles[code]] = key


def _reminders_due(
    config: Config,
    wanted: dict[str, list[Row]],
    markets: dict[str, Row],
    titles: dict[str, str],
    reported: set[str],
    state: _State,
    today: dt.date,
) -> list[Reminder]:
    days = config.outcomes.remind_after_days
    due: list[Reminder] = []
    for code, pairs in wanted.items():
        for pair in pairs:
            match_id = pair["match_id"].strip()
            if pair["status"].strip() != Status.SIGNED:
                continue
            signed = dt.date.fromisoformat(state.signed.setdefault(match_id, today.isoformat()))
            elapsed = (today - signed).days
            if days and elapsed >= days and match_id not in reported:
                due.append(Reminder(pair, markets[code], titles[code], elapsed, period=elapsed // days))
    return due


def outcomes(
    books: Workbooks, schemas: SchemaSet, config: Config, *, dry_run: bool = False, today: dt.date | None = None
) -> OutcomesOutcome:
    today = today or now().date()
    job = schemas.job_state
    with_state = not dry_run or job.name in books.master.list_tabs()
    if not dry_run:
        ensure_job_tabs(books.master, [job])
    with_tasks = not missing_optional(books.master, [schemas.tasks])
    master = read_tables(
        books.master,
        [schemas.markets, schemas.matches, *([schemas.tasks] if with_tasks else []), *([job] if with_state else [])],
    )
    tasks: dict[str, list[Row]] = {}
    for r in master[schemas.tasks.name].data_rows() if with_tasks else []:
        tasks.setdefault(r["team_id"].strip(), []).append(r)
    titles = ot.market_titles(master[TABS.markets])
    markets = {r["market_code"].strip(): r for r in master[TABS.markets].data_rows() if r["market_code"].strip()}
    by_market = ot.pairs_by_market(master[TABS.matches], READY)
    outcome = OutcomesOutcome(dry_run=dry_run)
    for code in sorted(set(by_market) - set(markets)):
        for pair in by_market.pop(code):
            outcome.issues.append(
                Issue(
                    code="market_missing",
                    row=pair.number,
                    column="시장코드",
                    value=code,
                    message=f"{pair['match_id'].strip()}: 시장코드 '{code}'인 시장이 시장 탭에 없어 성과 탭을 "
                    "준비하지 않았습니다. 확인하세요.",
                    severity=WARNING,
                    tab=TABS.matches,
                )
            )
    outcome.markets = len(by_market)
    backend = books.outcomes
    work = (
        WorkState.from_table(books.master, master[job.name], config.state_dir)
        if with_state
        else WorkState.load(books.master, schemas, config.state_dir, create=False)
    )
    state = _State(work)
    with backend.deferred():  # Google: every new tab's styles, dropdowns and protections in one go
        tables = _prepare_tabs(backend, schemas, by_market, titles, outcome)
        _protect(backend, config, markets, by_market, titles, state, outcome)
    _starter_rows(backend, tables, by_market, titles, outcome, tasks)
    reported = {r["match_id"].strip() for t in tables.values() for r in t.data_rows() if records_activity(r)}
    due = _reminders_due(config, by_market, markets, titles, reported, state, today)
    journal = MailJournal(books.master, schemas, create=not dry_run, legacy=config.state_dir) if due else None
    try:
        sent, issues, stopped = send_reminders(config, due, journal, dry_run=dry_run)
    finally:
        if journal is not None:
            journal.close()
    outcome.reminders, outcome.stopped = sent, stopped
    outcome.issues.extend(issues)
    if not dry_run:
        state.save()
        outcome.issues.extend(work.flush())
        outcome.issues.extend(work.notes)
    return outcome
