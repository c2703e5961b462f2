"""``onemarket validate`` (and the validate step of ``run``).

One batched read per file, checks on plain values, then one batched write per tab into the
job-owned columns only (검증결과, 검증메시지 and a new ID). Staff cells change only with ``fix``,
and every such change is listed. ``dry_run`` writes nothing and keeps the ID counter as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automation.clock import now
from automation.domain import outcome_tabs as ot
from automation.domain.ids import PREFIXES, IdAllocator
from automation.domain.outcome_records import records_activity
from automation.domain.status import Status
from automation.report import ERROR, WARNING, Issue, StepReport
from automation.schema import TABS, SchemaSet
from automation.sheets import Workbooks
from automation.sheets.table import Row, Table, missing_optional, read_tables
from automation.sheets.writes import RowUpdate, TabWrite, write_tables
from automation.state import read_with_state
from automation.validation import crossrow
from automation.validation.cells import check_cells
from automation.validation.findings import OK, RowFindings

MASTER_ROLES = ("applications", "markets", "matches")
WRITTEN_ROLES = ("applications", "markets", "outcomes")  # 매칭 has no 검증 columns: its findings go to the report
MARKET_TABS_LABEL = "시장 성과 탭"


@dataclass
class TabSummary:
    tab: str
    read: int = 0
    ok: int = 0
    warnings: int = 0
    errors: int = 0
    blank: int = 0

    def line(self) -> str:
        # on the markets' own tabs a row with only its starter cells (매칭ID, 시장명, 기관명) is no outcome yet
        blank = "성과를 아직 적지 않은 행" if self.tab == MARKET_TABS_LABEL else "빈 행"
        return (
            f"{self.tab}: {self.read}행 읽음 — 정상 {self.ok}, 경고 {self.warnings}, 오류 {self.errors}, "
            f"{blank} {self.blank}"
        )


@dataclass(frozen=True)
class FixChange:
    tab: str
    row: int
    column: str
    before: str
    after: str


@dataclass
class ValidationResult:
    summaries: list[TabSummary] = field(default_factory=list)
    findings: dict[str, list[RowFindings]] = field(default_factory=dict)
    fixes: list[FixChange] = field(default_factory=list)
    write_issues: list[Issue] = field(default_factory=list)
    ids_assigned: int = 0
    dry_run: bool = False

    @property
    def issues(self) -> list[Issue]:
        return [i for rows in self.findings.values() for f in rows for i in f.issues]

    @property
    def has_errors(self) -> bool:
        return any(s.errors for s in self.summaries)

    def step_report(self) -> StepReport:
        report = StepReport("검증", issues=self.issues + self.write_issues)
        for s in self.summaries:
            if s.read:
                report.counts[f"{s.tab} 정상"] = s.ok
                report.counts[f"{s.tab} 경고"] = s.warnings
                report.counts[f"{s.tab} 오류"] = s.errors
        report.counts["ID 부여"] = self.ids_assigned
        report.message = "\n".join(s.line() for s in self.summaries if s.read)
        if self.write_issues:
            report.message += f"\n쓰지 못한 행 {len(self.write_issues)}개: 다음 실행에서 다시 처리합니다."
        return report

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "tabs": [s.__dict__ for s in self.summaries],
            "ids_assigned": self.ids_assigned,
            "fixes": [c.__dict__ for c in self.fixes],
            "issues": [i.as_dict() for i in self.issues],
            "write_issues": [i.as_dict() for i in self.write_issues],
        }


def _rows(name: str, table: Table) -> list[Row]:
    """A market tab's starter rows (매칭ID, 시장명, 기관명 only) are not records yet."""
    rows = table.data_rows()
    return [r for r in rows if records_activity(r)] if ot.is_market_tab(name) else rows


def _check_market_tabs(
    tables: dict[str, Table], findings: dict[str, list[RowFindings]], tasks: Table | None = None
) -> None:
    titles = {title: code for code, title in ot.market_titles(tables[TABS.markets]).items()}
    owned = ot.owned_match_ids(tables[TABS.matches])
    teams = ot.teams_by_market(tables[TABS.matches])
    task_team = (
        {r["task_id"].strip(): r["team_id"].strip() for r in tasks.data_rows() if r["task_id"].strip()}
        if tasks is not None
        else None
    )
    match_ids = [r["match_id"] for r in tables[TABS.matches].data_rows()]
    for name in (n for n in tables if ot.is_market_tab(n)):
        crossrow.references(findings[name], "match_id", "매칭ID", match_ids, TABS.matches)
        code = titles.get(name)
        crossrow.owned_by_market(findings[name], name, None if code is None else owned.get(code, set()), match_ids)
        crossrow.owned_by_team(findings[name], None if code is None else teams.get(code, set()), task_team)


def _check_tables(tables: dict[str, Table], today: dt.date, tasks: str = "") -> dict[str, list[RowFindings]]:
    """``tasks``: the 협력과제 tab's name when it was read (its cells are checked; market tabs' 과제ID
    must name one of its rows)."""
    findings: dict[str, list[RowFindings]] = {}
    for name, table in tables.items():
        rows = _rows(name, table)
        findings[name] = [check_cells(table.schema, r, today) for r in rows]
        ids = {r.number: r[table.schema.id_column] for r in rows}
        crossrow.duplicate_ids(table.schema, findings[name], ids)
    apps = findings[TABS.applications]
    crossrow.duplicate_orgs(apps)
    crossrow.cooperation_and_consent(apps)
    crossrow.contact_in_market_bound_text(apps)
    crossrow.wished_markets(apps, crossrow.market_index(findings[TABS.markets]))
    partnered: dict[str, list[str]] = {}
    for r in tables[TABS.matches].data_rows():
        if r["status"].strip() in (Status.CONFIRMED, Status.SIGNED) and r["market_code"].strip():
            partnered.setdefault(r["market_code"].strip(), []).append(r["match_id"].strip())
    crossrow.partnered_markets_have_an_address(findings[TABS.markets], partnered)
    app_ids = [r["application_id"] for r in tables[TABS.applications].data_rows()]
    market_codes = [r["market_code"] for r in tables[TABS.markets].data_rows()]
    match_ids = [r["match_id"] for r in tables[TABS.matches].data_rows()]
    crossrow.references(findings[TABS.matches], "application_id", "신청ID", app_ids, TABS.applications)
    crossrow.references(findings[TABS.matches], "market_code", "시장코드", market_codes, TABS.markets)
    crossrow.references(findings[TABS.outcomes], "match_id", "매칭ID", match_ids, TABS.matches)
    _check_market_tabs(tables, findings, tables.get(tasks) if tasks else None)
    return findings


def _updates(
    table: Table, findings: list[RowFindings], ids: IdAllocator | None, fix: bool, result: ValidationResult
) -> list[RowUpdate]:
    schema = table.schema
    by_row = {r.number: r for r in table.rows}
    duplicated = {f.row for f in findings if any(i.code == "duplicate_id" for i in f.issues)}
    updates = []
    for f in findings:
        row = by_row[f.row]
        current_id = row[schema.id_column].strip()
        values = {"validation_result": f.status, "validation_message": f.message()}
        expect: dict[str, str] = {}
        if ids is not None and schema.id.job_owned and not current_id:
            values[schema.id_column] = ids.next(PREFIXES.get(schema.role, PREFIXES["outcomes"]))
            expect[schema.id_column] = row[schema.id_column]  # only into a cell that is still empty
            result.ids_assigned += 1
        if fix:
            for key, after in f.fixes.items():
                result.fixes.append(FixChange(schema.name, f.row, schema.column(key).header, row[key], after))
                values[key] = after
        by_id = bool(current_id) and f.row not in duplicated
        content = table.fingerprint(row)  # the results describe this content: a row edited since gets none
        updates.append(
            RowUpdate(
                values,
                id=current_id if by_id else "",
                row=f.row,
                fingerprint="" if by_id else content,
                content=content,
                expect=expect,
            )
        )
    return updates


def _summaries(tables: dict[str, Table], findings: dict[str, list[RowFindings]]) -> list[TabSummary]:
    """One line per tab; all market tabs together on one line."""
    out: dict[str, TabSummary] = {}
    for name, table in tables.items():
        label = MARKET_TABS_LABEL if ot.is_market_tab(name) else name
        s = out.setdefault(label, TabSummary(label))
        span = max(table.last_row - 1, len(table.rows))  # every row between the header and the last value
        s.read += span
        s.blank += span - len(findings[name])
        for f in findings[name]:
            status = f.status
            s.ok += status == OK
            s.warnings += status == WARNING
            s.errors += status == ERROR
    return list(out.values())


def validate(
    books: Workbooks,
    schemas: SchemaSet,
    state_dir: Path,
    *,
    dry_run: bool = False,
    fix: bool = False,
    today: dt.date | None = None,
) -> ValidationResult:
    today = today or now().date()
    master, outcomes = books.master, books.outcomes
    with_tasks = not missing_optional(master, [schemas.tasks])
    tables, state = read_with_state(
        master,
        schemas,
        [*(schemas.by_role(r) for r in MASTER_ROLES), *([schemas.tasks] if with_tasks else [])],
        dry_run=dry_run,
        legacy=state_dir,
    )
    tables.pop(state.schema.name, None)
    outcome_titles = [TABS.outcomes, *(t for t in outcomes.list_tabs() if ot.is_market_tab(t))]
    tables.update(read_tables(outcomes, [ot.tab_schema(schemas, t) for t in outcome_titles]))
    findings = _check_tables(tables, today, schemas.tasks.name if with_tasks else "")
    result = ValidationResult(_summaries(tables, findings), findings, dry_run=dry_run)
    ids = IdAllocator(state, today.year)
    for table in tables.values():
        for row in table.rows:
            ids.observe(row[table.schema.id_column])
    fixable = {k for rows in findings.values() for f in rows for k in f.fixes} if fix else set()
    plans: dict[str, list[TabWrite]] = {"master": [], "outcomes": []}
    for name in [
        *(schemas.by_role(r).name for r in WRITTEN_ROLES),
        *(t for t in outcome_titles if ot.is_market_tab(t)),
    ]:
        table = tables[name]
        updates = _updates(table, findings[name], ids, fix, result)
        allow = {c.key for c in table.schema.columns if c.key in fixable and not c.job_owned}
        plans["outcomes" if name in outcome_titles else "master"].append(
            TabWrite(table.schema, updates, allow=allow, base=table)
        )
    if dry_run:
        return result
    ids.save()
    marks = state.tab_write()
    if marks is not None:  # the high-water mark lands with the rows that got the new IDs (one batch)
        plans["master"].append(marks)
    for role, backend in (("master", master), ("outcomes", outcomes)):
        written = write_tables(backend, plans[role])  # one guarded write per file
        result.write_issues.extend(written.issues)
    state.written()
    result.write_issues.extend(state.notes)
    return result
