"""The one runner: every command (``run`` and each single step: init, import-markets, validate, match,
teams, agreements, notify, outcomes, summary) goes through :func:`run` — one lock, its steps, 작업기록.

``run`` runs :data:`STEPS` in order; a new capability adds its step there. A step gets a :class:`Context` and returns
a :class:`StepReport`; an :class:`OnemarketError` inside a step marks that step failed (recorded
in 작업기록) and the run goes on with the steps that do not depend on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automation.config import ROLES, Config
from automation.errors import OnemarketError, UsageError
from automation.locking import job_lock
from automation.pipeline.runlog import append_runlog, new_run_id
from automation.report import ERROR, StepReport
from automation.schema import TABS, SchemaSet, default_schemas
from automation.sheets import Workbooks, transaction
from automation.sheets.base import Backend
from automation.sheets.table import missing_optional, read_tables

log = logging.getLogger("onemarket.run")


@dataclass
class Context:
    """What a step gets: the config, the schemas, the workbooks (opened on first use), the command's
    options (``fix``, ``round``, ``csv`` …) and a place for the step's full outcome (``details``),
    which the CLI prints; 작업기록 gets the step's report."""

    config: Config
    schemas: SchemaSet = field(default_factory=default_schemas)
    dry_run: bool = False
    run_id: str = field(default_factory=new_run_id)
    options: Mapping[str, Any] = field(default_factory=dict)
    create: bool = False  # init: make missing .xlsx files
    details: dict[str, Any] = field(default_factory=dict)
    workbooks: Workbooks = field(init=False)

    def __post_init__(self) -> None:
        self.workbooks = Workbooks(self.config, create=self.create)

    @property
    def master(self) -> Backend:
        return self.workbooks.master

    @property
    def outcomes(self) -> Backend:
        return self.workbooks.outcomes

    @property
    def dashboard(self) -> Backend:
        return self.workbooks.dashboard

    def commit(self) -> None:
        if self.dry_run:  # a preview writes nothing, whatever a step touched
            self.workbooks.discard()
        else:
            self.workbooks.commit()

    def discard(self) -> None:
        """Forget a failed step's pending (xlsx) changes: nothing half-written."""
        self.workbooks.discard()


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    func: Callable[[Context], StepReport]
    needs: tuple[str, ...] = ()


def check_step(ctx: Context) -> StepReport:
    """구조점검: every tab of master and outcomes exists and its header matches the schema."""
    report = StepReport("구조점검")
    absent: list[str] = []
    for role in ("master", "outcomes"):
        backend = ctx.workbooks.open(role)
        schemas = ctx.schemas.for_workbook(role, job_tabs=False)  # the job makes its own tabs when missing
        missing = set(missing_optional(backend, schemas))
        absent += [s.name for s in schemas if s.name in missing]
        tables = read_tables(backend, [s for s in schemas if s.name not in missing])
        for name, table in tables.items():
            report.add(f"{name} 행", len(table.data_rows()))
    ctx.dashboard.list_tabs()
    report.message = "세 파일의 탭과 머리글이 스키마와 맞습니다."
    if absent:
        report.message += (
            f" ({', '.join(absent)} 탭은 아직 없습니다: 'onemarket init'으로 추가하면 협약·협력과제·협약식을 씁니다.)"
        )
    return report


def init_step(ctx: Context) -> StepReport:
    """초기화: the three files' tabs, headers, drop-downs and job-column marks."""
    from automation.domain.tabs import init_workbooks

    results = init_workbooks({role: ctx.workbooks.open(role) for role in ROLES}, ctx.schemas, apply=not ctx.dry_run)
    ctx.details["init"] = results
    report = StepReport("초기화")
    report.add("새 탭", sum(len(r.tabs_created) for r in results))
    report.add("새 머리글", sum(len(h) for r in results for h in r.headers_added.values()))
    report.add("되돌린 탭 이름", sum(len(r.tabs_renamed) for r in results))
    report.message = (
        "바뀐 것 없음 (이미 최신)"
        if not any(r.changed for r in results)
        else f"세 파일을 {'고칠 계획입니다 (미리보기)' if ctx.dry_run else '만들거나 고쳤습니다'}: {report.counts_text()}"
    )
    return report


def import_markets_step(ctx: Context) -> StepReport:
    """시장 가져오기: the official market CSV upserted into 시장."""
    from automation.setup.markets import import_markets_into

    result = import_markets_into(
        ctx.master, ctx.schemas, ctx.options["csv"], sido=ctx.options.get("sido", "경기도"), dry_run=ctx.dry_run
    )
    ctx.details["import-markets"] = result
    return result.step_report()


def validate_step(ctx: Context) -> StepReport:
    """검증: typed cells and cross-row rules; results into 검증결과/검증메시지 (and new IDs)."""
    from automation.validation import validate

    result = validate(
        ctx.workbooks, ctx.schemas, ctx.config.state_dir, dry_run=ctx.dry_run, fix=bool(ctx.options.get("fix"))
    )
    ctx.details["validate"] = result
    return result.step_report()


def match_step(ctx: Context) -> StepReport:
    """매칭: optimal suggestions for the applications that passed validation."""
    from automation.match.step import match

    outcome = match(
        ctx.workbooks,
        ctx.schemas,
        ctx.config.state_dir,
        round_=ctx.options.get("round"),
        dry_run=ctx.dry_run,
        priority=ctx.config.matching.priority,
    )
    ctx.details["match"] = outcome
    return outcome.step_report()


def teams_step(ctx: Context) -> StepReport:
    """협약: every 확정 pair in a team; 구성 and the grouping checks on the 협약 tab."""
    from automation.teams.step import teams

    outcome = teams(ctx.workbooks, ctx.schemas, dry_run=ctx.dry_run)
    ctx.details["teams"] = outcome
    return outcome.step_report()


def agreements_step(ctx: Context) -> StepReport:
    """협약서: .docx (+ PDF) for 확정 pairs, path into 협약서."""
    from automation.agreements.step import agreements

    return agreements(ctx.workbooks, ctx.schemas, ctx.config, dry_run=ctx.dry_run).step_report()


def ceremony_step(ctx: Context) -> StepReport:
    """협약식: the signing pack of one round (files only; nothing is written into the workbook)."""
    from automation.ceremony.step import ceremony

    outcome = ceremony(ctx.workbooks, ctx.schemas, ctx.config, round_=int(ctx.options["round"]), dry_run=ctx.dry_run)
    ctx.details["ceremony"] = outcome
    return outcome.step_report()


def import_forms_step(ctx: Context) -> StepReport:
    """신청서 가져오기: filled 신청서 (the command's paths, else ``[intake] inbox``) and the Google Forms
    responses tab (``[intake] responses``) into 참여신청."""
    from automation.intake.step import import_forms

    intake = ctx.config.intake
    paths = ctx.options.get("paths")
    move = bool(ctx.options.get("move", False))
    if paths is None:  # inside ``run``: the configured inbox (no folder yet: nothing to import)
        paths = [intake.inbox] if intake.inbox is not None and intake.inbox.is_dir() else []
        move = intake.move
    responses = ctx.options.get("responses") or intake.responses or None
    if not paths and not responses:
        raise UsageError(
            "가져올 신청서 파일이나 폴더를 적으세요 (예: onemarket import-forms 신청서함/), 또는 설정의 "
            "[intake] inbox / responses를 채우세요."
        )
    outcome = import_forms(
        ctx.workbooks,
        ctx.schemas,
        [Path(p) for p in paths],
        responses=responses,
        responses_workbook=intake.responses_workbook,
        move=move,
        dry_run=ctx.dry_run,
    )
    ctx.details["import-forms"] = outcome
    return outcome.step_report()


def notify_step(ctx: Context) -> StepReport:
    """안내메일: one notice per side of each 확정 pair, at most once."""
    from automation.notify.step import notify

    return notify(ctx.workbooks, ctx.schemas, ctx.config, dry_run=ctx.dry_run).step_report()


def outcomes_step(ctx: Context) -> StepReport:
    """성과준비: each partnered market's tab in the outcomes file; reminders."""
    from automation.outcomes.step import outcomes

    return outcomes(ctx.workbooks, ctx.schemas, ctx.config, dry_run=ctx.dry_run).step_report()


def summary_step(ctx: Context) -> StepReport:
    """요약: the managers' dashboard, rebuilt whole."""
    from automation.summary.step import summary

    return summary(ctx.workbooks, ctx.schemas, dry_run=ctx.dry_run, settings=ctx.config.dashboard).step_report()


def report_step(ctx: Context) -> StepReport:
    """추진실적 보고: the month's report (.docx + PDF; nothing is written into the workbook)."""
    from automation.summary.report import report

    outcome = report(ctx.workbooks, ctx.schemas, ctx.config, month=ctx.options.get("month"), dry_run=ctx.dry_run)
    ctx.details["report"] = outcome
    return outcome.step_report()


def press_step(ctx: Context) -> StepReport:
    """보도자료: a draft for one 협약식 or one month (files only)."""
    from automation.summary.press import press

    round_ = ctx.options.get("round")
    outcome = press(
        ctx.workbooks,
        ctx.schemas,
        ctx.config,
        round_=int(round_) if round_ is not None else None,
        month=ctx.options.get("period"),
        dry_run=ctx.dry_run,
    )
    ctx.details["press"] = outcome
    return outcome.step_report()


def cards_step(ctx: Context) -> StepReport:
    """카드뉴스: the card series (files only)."""
    from automation.summary.cards import cards

    outcome = cards(ctx.workbooks, ctx.schemas, ctx.config, month=ctx.options.get("period"), dry_run=ctx.dry_run)
    ctx.details["cards"] = outcome
    return outcome.step_report()


STEPS: list[Step] = [
    Step("check", "구조점검", check_step),
    Step("validate", "검증", validate_step, needs=("check",)),
    Step("match", TABS.matches, match_step, needs=("validate",)),
    Step("teams", "협약", teams_step, needs=("check",)),
    Step("agreements", "협약서", agreements_step, needs=("check",)),
    Step("notify", "안내메일", notify_step, needs=("agreements",)),
    Step("outcomes", "성과준비", outcomes_step, needs=("check",)),
    Step("summary", "요약", summary_step, needs=("check",)),
]
#: commands that are steps of their own, not part of ``run``
SETUP_STEPS = [
    Step("init", "초기화", init_step),
    Step("import-markets", "시장 가져오기", import_markets_step),
    Step("ceremony", "협약식", ceremony_step),
    Step("import-forms", "신청서 가져오기", import_forms_step),
    Step("report", "추진실적 보고", report_step),
    Step("press", "보도자료", press_step),
    Step("cards", "카드뉴스", cards_step),
]
STEP_BY_NAME = {s.name: s for s in [*STEPS, *SETUP_STEPS]}


def run_order(config: Config) -> list[Step]:
    """``run``'s steps: with ``[intake] inbox`` or ``responses`` set, filled 신청서 and Google Forms
    responses are imported right after 구조점검, so this run validates and matches them."""
    if config.intake.inbox is None and not config.intake.responses:
        return list(STEPS)
    intake = Step("import-forms", "신청서 가져오기", import_forms_step, needs=("check",))
    return [STEPS[0], intake, *STEPS[1:]]


LABELS = {s.name: s.label for s in STEP_BY_NAME.values()}


@dataclass
class RunResult:
    run_id: str
    reports: list[StepReport]
    dry_run: bool = False
    log_error: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """The one rule: 2 = the command could not start (usage, config, a missing file, a broken
        header or template); 1 = it ran and a step failed or some row has 오류; 0 = all well."""
        if any(r.failed and r.exit_code == 2 for r in self.reports):
            return 2
        return 1 if self.failed or self.data_errors else 0

    @property
    def failed(self) -> bool:
        return any(r.failed for r in self.reports)

    @property
    def data_errors(self) -> bool:
        """Some row has 오류 (the run itself went fine): exit code 1 all the same."""
        return any(i.severity == ERROR for r in self.reports for i in r.issues)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "dry_run": self.dry_run,
            "failed": self.failed,
            "data_errors": self.data_errors,
            "log_error": self.log_error,
            "steps": [r.as_dict() for r in self.reports],
        }


def _run_step(step: Step, ctx: Context, failed: set[str]) -> StepReport:
    blocked = [n for n in step.needs if n in failed]
    if blocked:
        report = StepReport(step.label, skipped=True)
        report.message = f"앞 단계({', '.join(LABELS.get(n, n) for n in blocked)})가 실패해 건너뛰었습니다."
        return report
    try:
        report = step.func(ctx)
        ctx.commit()
        return report
    except OnemarketError as exc:
        ctx.discard()
        log.info("step %s failed (%s)", step.name, type(exc).__name__)
        return StepReport(step.label, message=exc.message, failed=True, exit_code=exc.exit_code)
    except Exception as exc:  # a bug: record it, keep the run going, keep the traceback in the log
        ctx.discard()
        log.exception("step %s crashed", step.name)
        return StepReport(
            step.label,
            message=f"예기치 못한 오류({type(exc).__name__})로 실패했습니다. 로그를 확인하세요.",
            failed=True,
        )


def run_steps(ctx: Context, steps: Sequence[Step] | None = None) -> RunResult:
    reports: list[StepReport] = []
    failed: set[str] = set()
    first_failure: dict[str, str] = {}  # message → the label of the step that failed with it first
    for step in steps or run_order(ctx.config):
        log.info("step %s", step.name)
        report = _run_step(step, ctx, failed)
        if report.failed or report.skipped:
            failed.add(step.name)  # what needs it is skipped too
        if report.failed and report.message in first_failure:
            report.message = f"앞 단계({first_failure[report.message]})와 같은 문제로 실패했습니다."
        elif report.failed:
            first_failure[report.message] = report.step
        reports.append(report)
    result = RunResult(ctx.run_id, reports, ctx.dry_run, details=ctx.details)
    if not ctx.dry_run:
        try:
            backend = ctx.master
            with transaction(backend):
                append_runlog(backend, ctx.schemas.runlog, ctx.run_id, reports)
        except OnemarketError as exc:
            same = any(r.message == exc.message for r in reports)
            result.log_error = "작업기록을 남기지 못했습니다" + ("." if same else f": {exc.message}")
    return result


def run(
    config: Config,
    *,
    dry_run: bool = False,
    wait: float = 0.0,
    steps: Sequence[Step] | None = None,
    options: Mapping[str, Any] | None = None,
) -> RunResult:
    """The one entry path of every command: the lock, the steps, 작업기록."""
    command = "run" if steps is None else " ".join(s.name for s in steps)
    create = any(s.name == "init" for s in steps or ())
    with job_lock(config, command, wait, dry_run=dry_run):
        ctx = Context(config, dry_run=dry_run, options=dict(options or {}), create=create)
        return run_steps(ctx, steps)
