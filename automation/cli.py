"""Command line: ``onemarket`` and ``python -m automation``.

The only module that imports click. Library errors become one Korean message here, with exit
codes 0 (ok), 1 (data problems or a failed step), 2 (usage or configuration error).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from automation import __version__
from automation.config import Config, load_config
from automation.errors import OnemarketError
from automation.privacy import PATTERNS, RedactingFilter, redact
from automation.report import ERROR, StepReport

_show = {"values": False}  # --show-values: cell values and unmasked text in the output (off by default)


def _echo(text: str = "", *, err: bool = False) -> None:
    """Every line the CLI prints: personal data masked unless --show-values (output ends up in logs)."""
    click.echo(text if _show["values"] else PATTERNS.mask(text), err=err)


def _echo_json(data: Any, indent: int | None = 2) -> None:
    shown = data if _show["values"] else redact(data)
    click.echo(json.dumps(shown, ensure_ascii=False, indent=indent))


def _config(ctx: click.Context) -> Config:
    obj = ctx.ensure_object(dict)
    if "config" not in obj:
        obj["config"] = load_config(obj.get("config_path"))
    config: Config = obj["config"]
    return config


def _command(
    ctx: click.Context, name: str, *, dry_run: bool = False, wait: float = 0.0, options: dict[str, Any] | None = None
) -> tuple[Any, Any]:
    """One command through the one runner (lock, 작업기록, dry run, exit codes); → (result, the step's
    outcome). A failed step is reported once, as "오류: …", and ends the command with its exit code."""
    from automation.pipeline.runner import STEP_BY_NAME
    from automation.pipeline.runner import run as do_run

    result = do_run(_config(ctx), dry_run=dry_run, wait=wait, steps=[STEP_BY_NAME[name]], options=options)
    failed = next((r for r in result.reports if r.failed), None)
    if failed is not None:
        _echo(f"오류: {failed.message}", err=True)
        ctx.exit(result.exit_code)
    return result, result.details.get(name)


def _print_report(report: StepReport) -> None:
    counts = f" ({report.counts_text()})" if report.counts and not report.message else ""
    _echo(f"  [{report.result}] {report.step}{counts}")
    for line in report.message.splitlines():
        _echo(f"      {line}")


GLOBAL_OPTIONS = ("--config", "-v", "-vv", "--verbose", "--show-values")


def _usage_message(exc: click.UsageError) -> str:
    """click's usage errors (English) in Korean, with the hint people need most."""
    command = exc.ctx.command_path if exc.ctx else "onemarket"
    if isinstance(exc, click.NoSuchOption):
        hint = (
            f" 이 옵션은 명령 **앞에** 씁니다 (예: onemarket {exc.option_name} … run)."
            if exc.option_name.split("=")[0] in GLOBAL_OPTIONS
            else f" 쓸 수 있는 옵션은 '{command} --help'로 보세요."
        )
        near = f" 혹시 {', '.join(sorted(exc.possibilities))}?" if exc.possibilities else ""
        return f"오류: 모르는 옵션입니다: {exc.option_name}.{near}{hint}".replace("**", "")
    text = exc.format_message()
    if text.startswith("No such command"):
        name = text.split("'")[1] if "'" in text else text
        return f"오류: 모르는 명령입니다: '{name}'. 명령 목록은 'onemarket --help'로 보세요."
    if isinstance(exc, click.MissingParameter):
        return f"오류: 필요한 값이 빠졌습니다 ({text}). '{command} --help'로 쓰는 법을 보세요."
    if isinstance(exc, click.BadParameter):
        return f"오류: 값이 잘못되었습니다 ({text}). '{command} --help'로 쓰는 법을 보세요."
    return f"오류: 명령을 잘못 썼습니다 ({text}). '{command} --help'로 쓰는 법을 보세요."


class OnemarketGroup(click.Group):
    """Turns library errors into one Korean message and an exit code; usage errors too (exit 2)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.UsageError as exc:
            click.echo(_usage_message(exc), err=True)
            sys.exit(2)
        except click.Abort:
            click.echo("중단했습니다.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OnemarketError as exc:
            _echo(f"오류: {exc.message}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=OnemarketGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="설정 파일 경로 (기본: 현재 폴더의 onemarket.toml, 또는 ONEMARKET_CONFIG).",
)
@click.option("-v", "--verbose", count=True, help="로그를 더 자세히 (-vv: 디버그).")
@click.option(
    "--show-values",
    is_flag=True,
    help="출력·--json·로그에 칸의 값과 가리지 않은 글을 보입니다 (기본: 행은 탭·행 번호·ID로만, 개인정보는 가림).",
)
@click.version_option(__version__, prog_name="onemarket")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, verbose: int, show_values: bool) -> None:
    """우리동네 1社-1市場 협력 프로젝트 — 스프레드시트 자동화 작업."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    _show["values"] = show_values
    if not show_values:
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())
    ctx.ensure_object(dict)["config_path"] = config_path


@main.command()
@click.option("--dry-run", is_flag=True, help="무엇을 만들지 보여 주기만 하고 저장하지 않습니다.")
@click.option("--json", "as_json", is_flag=True, help="결과를 JSON으로 출력합니다.")
@click.pass_context
def init(ctx: click.Context, dry_run: bool, as_json: bool) -> None:
    """세 파일(master, outcomes, dashboard)의 탭과 머리글을 만들거나 고칩니다."""
    _, results = _command(ctx, "init", dry_run=dry_run)
    if as_json:
        _echo_json([r.__dict__ for r in results])
        return
    _echo("초기화 미리보기 (저장하지 않음):" if dry_run else "초기화 완료:")
    for r in results:
        _echo(f"  {r.role}: {r.location}")
        for old, new in r.tabs_renamed.items():
            _echo(f"    탭 이름 되돌림: {old!r} → '{new}' (같은 탭으로 보고 새로 만들지 않았습니다)")
        if r.tabs_created:
            _echo(f"    새 탭: {', '.join(r.tabs_created)}")
        for tab, added in r.headers_added.items():
            if added:
                _echo(f"    '{tab}'에 추가한 머리글: {', '.join(added)}")
        if not r.changed:
            _echo("    바뀐 것 없음 (이미 최신)")


@main.command("import-markets")
@click.argument("csv_path", metavar="CSV", type=click.Path(exists=True, dir_okay=False))
@click.option("--sido", default="경기도", show_default=True, help="가져올 시도.")
@click.option("--dry-run", is_flag=True, help="바뀔 내용만 보여 주고 쓰지 않습니다.")
@click.option("--json", "as_json", is_flag=True, help="결과를 JSON으로 출력합니다.")
@click.pass_context
def import_markets(ctx: click.Context, csv_path: str, sido: str, dry_run: bool, as_json: bool) -> None:
    """전국전통시장표준데이터 CSV에서 '시장' 탭을 채우거나 갱신합니다."""
    _, result = _command(ctx, "import-markets", dry_run=dry_run, options={"csv": Path(csv_path), "sido": sido})
    if as_json:
        _echo_json(result.as_dict())
        return
    head = "시장 가져오기 미리보기 (쓰지 않음)" if dry_run else "시장 가져오기 완료"
    _echo(
        f"{head}: {sido} {result.read}곳 읽음 — 추가 {result.added}, 갱신 {result.updated}, "
        f"변동 없음 {result.unchanged}, 원본에 없음(그대로 둠) {result.not_in_source}"
    )
    for issue in result.issues:
        _echo(f"  경고: {issue.message}")


def _print_run(result: Any, dry_run: bool) -> None:
    _echo(f"실행 {result.run_id}{' (미리보기)' if dry_run else ''}:")
    for report in result.reports:
        _print_report(report)
    if result.log_error:
        _echo(f"  경고: {result.log_error}")
    if result.data_errors and not result.failed:
        _echo("오류가 있는 행이 있습니다. 시트의 검증메시지 열이나 'onemarket validate'로 확인하세요.")


@main.command()
@click.option("--dry-run", is_flag=True, help="모든 단계를 미리보기로만 실행합니다 (쓰기·발송 없음).")
@click.option("--json", "as_json", is_flag=True, help="결과를 JSON으로 출력합니다.")
@click.option(
    "--wait", type=float, default=0.0, show_default=True, help="다른 실행이 잠금을 쥐고 있으면 이 초만큼 기다립니다."
)
@click.option(
    "--every",
    "every",
    default=None,
    metavar="간격",
    help="이 간격(예: 15m, 30s, 1h)마다 계속 실행합니다. Ctrl-C나 SIGTERM이면 진행 중인 실행을 마치고 멈춥니다.",
)
@click.pass_context
def run(ctx: click.Context, dry_run: bool, as_json: bool, wait: float, every: str | None) -> None:
    """정해진 순서로 모든 단계를 실행합니다 (예약 작업)."""
    from automation.pipeline.runner import run as do_run

    if every is not None:
        _run_every(ctx, every, dry_run, as_json)
        return
    result = do_run(_config(ctx), dry_run=dry_run, wait=wait)
    if as_json:
        _echo_json(result.as_dict())
    else:
        _print_run(result, dry_run)
    ctx.exit(result.exit_code)


def _run_every(ctx: click.Context, every: str, dry_run: bool, as_json: bool) -> None:
    import threading

    from automation.pipeline.schedule import parse_interval, run_every, stop_on_signals

    interval = parse_interval(every)
    path = ctx.ensure_object(dict).get("config_path")
    _config(ctx)  # a broken config stops before the loop starts (exit 2)
    stop = threading.Event()
    _echo(f"{every} 간격으로 실행합니다. 멈추려면 Ctrl-C (진행 중인 실행은 마칩니다).")

    def on_result(result: Any) -> None:
        if as_json:
            _echo_json(result.as_dict(), indent=None)
        else:
            _print_run(result, dry_run)

    def on_skip(message: str) -> None:
        _echo(f"건너뜀: {message}", err=True)

    with stop_on_signals(stop):
        runs = run_every(
            lambda: load_config(path), interval, stop=stop, on_result=on_result, on_skip=on_skip, dry_run=dry_run
        )
    _echo(f"멈춤: {runs}번 실행했습니다.")


@main.command()
@click.option("--dry-run", is_flag=True, help="검사만 하고 시트에 쓰지 않습니다.")
@click.option("--fix", is_flag=True, help="정규화한 값(예: 전화번호 010-1234-5678)을 직원 입력 칸에도 씁니다.")
@click.option("--json", "as_json", is_flag=True, help="결과를 JSON으로 출력합니다.")
@click.option("--limit", type=int, default=30, show_default=True, help="화면에 보일 오류·경고 줄 수.")
@click.pass_context
def validate(ctx: click.Context, dry_run: bool, fix: bool, as_json: bool, limit: int) -> None:
    """참여신청·시장·매칭·성과보고의 모든 행을 검증하고 결과를 검증결과/검증메시지에 씁니다."""
    _, result = _command(ctx, "validate", dry_run=dry_run, options={"fix": fix})
    if as_json:
        _echo_json(result.as_dict())
    else:
        _echo("검증 미리보기 (쓰지 않음):" if dry_run else "검증 완료:")
        for summary in result.summaries:
            _echo(f"  {summary.line()}")
        if result.ids_assigned:
            _echo(f"  새 ID {result.ids_assigned}개를 부여했습니다{' (미리보기)' if dry_run else ''}.")
        for change in result.fixes:
            _echo(f"  고침 {change.tab} {change.row}행 {change.column}: '{change.before}' → '{change.after}'")
        issues = sorted(result.issues, key=lambda i: (i.severity != ERROR, i.tab or "", i.row or 0))
        for issue in issues[:limit]:
            _echo(f"  [{issue.severity}] {issue.tab} {issue.row}행 — {issue.message}")
        if len(issues) > limit:
            _echo(f"  … 외 {len(issues) - limit}건 (--limit 또는 --json으로 모두 보기)")
        for issue in result.write_issues:
            _echo(f"  [쓰기] {issue.tab} — {issue.message}")
    ctx.exit(1 if result.has_errors else 0)


@main.command()
@click.option("--round", "round_", type=click.IntRange(1), default=None, help="차수 (기본: 확정된 가장 큰 차수 + 1).")
@click.option("--dry-run", is_flag=True, help="미리보기 표만 보여 주고 매칭 탭에 쓰지 않습니다.")
@click.option("--json", "as_json", is_flag=True, help="결과를 JSON으로 출력합니다.")
@click.pass_context
def match(ctx: click.Context, round_: int | None, dry_run: bool, as_json: bool) -> None:
    """검증을 통과한 신청을 시장과 최적으로 짝지어 매칭 탭에 '제안'으로 씁니다."""
    _, outcome = _command(ctx, "match", dry_run=dry_run, options={"round": round_})
    if as_json:
        _echo_json(outcome.as_dict())
        return
    _echo("매칭 미리보기 (쓰지 않음):" if dry_run else "매칭 완료:")
    for line in outcome.summary_lines():
        _echo(f"  {line}")
    if dry_run:
        _echo(f"  {'신청ID':<12} {'기관명':<16} {'시장':<12} {'구분':<8} {'km':>5} {'점수':>5}  사유")
        for p in outcome.preview:
            _echo(
                f"  {p.app_id:<12} {p.org[:16]:<16} {p.market[:12]:<12} {p.rank:<8} {p.km:>5} {p.score:>5}  {p.reason}"
            )
    for issue in outcome.issues:
        _echo(f"  [쓰기] {issue.message}")


def _run_one(ctx: click.Context, name: str, dry_run: bool, as_json: bool, wait: float) -> None:
    """A single step of ``run`` on its own: same lock, same 작업기록 row, same report."""
    from automation.pipeline.runner import STEP_BY_NAME
    from automation.pipeline.runner import run as do_run

    result = do_run(_config(ctx), dry_run=dry_run, wait=wait, steps=[STEP_BY_NAME[name]])
    if as_json:
        _echo_json(result.as_dict())
    else:
        for report in result.reports:
            _print_report(report)
            for issue in report.issues[:30]:
                where = f"{issue.tab} {issue.row}행 " if issue.row else ""
                _echo(f"      [{issue.severity}] {where}{issue.message}")
            if len(report.issues) > 30:
                _echo(f"      … 외 {len(report.issues) - 30}건 (--json으로 모두 보기)")
        if result.log_error:
            _echo(f"  경고: {result.log_error}")
    ctx.exit(result.exit_code)


_STEP_OPTIONS = [
    click.option("--dry-run", is_flag=True, help="미리보기 폴더에만 만들고 시트 쓰기·메일 발송은 하지 않습니다."),
    click.option("--json", "as_json", is_flag=True, help="결과를 JSON으로 출력합니다."),
    click.option(
        "--wait",
        type=float,
        default=0.0,
        show_default=True,
        help="다른 실행이 잠금을 쥐고 있으면 이 초만큼 기다립니다.",
    ),
]


@main.command()
@click.option(
    "--round", "round_", type=click.IntRange(1), required=True, help="협약식 차수 (협약 탭의 협약식, 비면 차수)."
)
@click.option("--dry-run", is_flag=True, help="미리보기 폴더에만 만듭니다.")
@click.option("--json", "as_json", is_flag=True, help="결과를 JSON으로 출력합니다.")
@click.pass_context
def ceremony(ctx: click.Context, round_: int, dry_run: bool, as_json: bool) -> None:
    """협약식 자료: 그 차수 협약서 묶음 PDF(당사자 수만큼), 진행 순서·참석자 명단, 명패를 만듭니다."""
    _files_command(ctx, "ceremony", {"round": round_}, dry_run, as_json)


@main.command()
@click.option("--month", metavar="YYYY-MM", default=None, help="보고할 달 (기본: 오늘이 속한 달, 오늘까지).")
@click.option("--dry-run", is_flag=True, help="미리보기 폴더에만 만듭니다.")
@click.option("--json", "as_json", is_flag=True, help="결과를 JSON으로 출력합니다.")
@click.pass_context
def report(ctx: click.Context, month: str | None, dry_run: bool, as_json: bool) -> None:
    """관리자용 추진실적 보고(.docx + PDF): 주요 실적, 지도와 추이, 협약·협력과제 현황, 우수사례 후보, 그달의 변동."""
    _files_command(ctx, "report", {"month": month}, dry_run, as_json)


@main.command()
@click.option("--round", "round_", type=click.IntRange(1), default=None, help="협약식 차수: 그 협약식의 보도자료.")
@click.option("--period", metavar="YYYY-MM", default=None, help="달: 그달 활동의 보도자료.")
@click.option("--dry-run", is_flag=True, help="미리보기 폴더에만 만듭니다.")
@click.option("--json", "as_json", is_flag=True, help="결과를 JSON으로 출력합니다.")
@click.pass_context
def press(ctx: click.Context, round_: int | None, period: str | None, dry_run: bool, as_json: bool) -> None:
    """보도자료 초안(.hwpx, .docx + PDF): 정부 양식(보도 시점·배포 일시, 제목, □·ㅇ 본문, 담당 부서 표, 붙임)에 실제 숫자를 넣습니다."""
    _files_command(ctx, "press", {"round": round_, "period": period}, dry_run, as_json)


@main.command()
@click.option("--period", metavar="YYYY-MM", default=None, help="달: 그달 활동의 카드뉴스 (기본: 전체 기간).")
@click.option("--dry-run", is_flag=True, help="미리보기 폴더에만 만듭니다.")
@click.option("--json", "as_json", is_flag=True, help="결과를 JSON으로 출력합니다.")
@click.pass_context
def cards(ctx: click.Context, period: str | None, dry_run: bool, as_json: bool) -> None:
    """카드뉴스(1080×1080 PNG 5~8장): 표지, 주요 숫자, 협력 분야, 홍보동의한 우수사례, 신청 방법, 문의."""
    _files_command(ctx, "cards", {"period": period}, dry_run, as_json)


def _files_command(ctx: click.Context, name: str, options: dict[str, Any], dry_run: bool, as_json: bool) -> None:
    """A command that makes files (ceremony, report, press, cards): run it, print, exit with its code."""
    result, outcome = _command(ctx, name, dry_run=dry_run, options=options)
    _print_outcome(outcome, as_json)
    ctx.exit(result.exit_code)


def _print_outcome(outcome: Any, as_json: bool) -> None:
    """A setup command's outcome: its summary and issues, or its JSON."""
    if as_json:
        _echo_json(outcome.as_dict())
        return
    _echo(outcome.summary())
    for issue in outcome.issues:
        _echo(f"  [{issue.severity}] {issue.message}")


@main.command()
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="양식을 쓸 폴더.",
)
@click.option("--json", "as_json", is_flag=True, help="결과를 JSON으로 출력합니다.")
@click.pass_context
def form(ctx: click.Context, out: str, as_json: bool) -> None:
    """빈 참여 신청서(.hwpx, .docx)를 만듭니다 — 항목은 참여신청 스키마(sheet_schemas/)에서 옵니다."""
    from automation.documents.forms import write_forms
    from automation.domain.form_layout import form_sections
    from automation.schema import default_schemas

    written = write_forms(form_sections(default_schemas().applications), Path(out))
    if as_json:
        _echo_json({"files": [str(p) for p in written]})
    else:
        _echo("참여 신청서를 만들었습니다 (한글·Word에서 □를 ■/☑로 바꾸거나 V 표시를 하고 빈칸을 채웁니다):")
        for path in written:
            _echo(f"  {path}")


@main.command("import-forms")
@click.argument("paths", nargs=-1, type=click.Path(exists=False))
@click.option("--responses", metavar="TAB", default=None, help="master 파일의 Google 설문 응답 탭도 읽습니다.")
@click.option("--move", is_flag=True, help="가져온 파일은 처리완료/, 거부된 파일은 확인필요/ 폴더로 옮깁니다.")
@click.option("--dry-run", is_flag=True, help="읽기만 하고 시트에 쓰지 않습니다 (파일도 옮기지 않음).")
@click.option("--json", "as_json", is_flag=True, help="결과를 JSON으로 출력합니다.")
@click.pass_context
def import_forms(
    ctx: click.Context, paths: tuple[str, ...], responses: str | None, move: bool, dry_run: bool, as_json: bool
) -> None:
    """작성된 참여 신청서(.hwpx, .hwp, .docx; 파일이나 폴더)와 Google 설문 응답을 참여신청 탭에 새 행으로 가져옵니다."""
    options: dict[str, Any] = {"move": move, "responses": responses}
    if paths or responses:  # else: the configured [intake] inbox and responses tab
        options["paths"] = list(paths)
    result, outcome = _command(ctx, "import-forms", dry_run=dry_run, options=options)
    _print_outcome(outcome, as_json)
    ctx.exit(result.exit_code or (1 if outcome.count("refused") else 0))


#: the steps of ``run`` that are also commands of their own: name → help text
STEP_COMMANDS = {
    "teams": "확정된 짝을 협약(팀)으로 묶습니다: 협약ID가 없는 짝마다 협약을 만들고, 같은 협약ID의 짝을 한 협약으로 점검합니다.",
    "agreements": "확정된 짝의 업무협약서(.docx, PDF)를 만들고 매칭 탭 협약서 칸에 경로를 씁니다.",
    "notify": "확정된 짝의 기관과 시장에 안내 메일을 한 번씩 보냅니다 (협약서 첨부).",
    "outcomes": "확정·협약체결 짝의 시장마다 성과보고 파일에 전용 탭을 준비하고, 늦은 성과 보고를 알립니다.",
    "summary": "관리자용 요약 파일(요약, 팀별활동, 후속관리, 시군별, 기관유형별, 협력분야별, 월별성과, 우수사례후보)을 통째로 다시 만듭니다.",
}


def _step_command(name: str, help_text: str) -> click.Command:
    def command(ctx: click.Context, dry_run: bool, as_json: bool, wait: float) -> None:
        _run_one(ctx, name, dry_run, as_json, wait)

    func: Callable[..., None] = click.pass_context(command)
    for option in reversed(_STEP_OPTIONS):
        func = option(func)
    return click.command(name, help=help_text)(func)


for _name, _help in STEP_COMMANDS.items():
    main.add_command(_step_command(_name, _help))


@main.command()
@click.argument("directory", metavar="[DIR]", default="onemarket-demo", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="결과를 JSON으로 출력합니다.")
@click.pass_context
def demo(ctx: click.Context, directory: str, as_json: bool) -> None:
    """인터넷·구글 계정 없이 예시 폴더(설정 + 엑셀 파일 3개)를 만들고 run을 실행합니다."""
    from automation.demo.make import make_demo

    outcome = make_demo(Path(directory))
    if as_json:
        _echo_json(outcome.as_dict())
    else:
        _echo(outcome.text())
    ctx.exit(1 if outcome.run.failed else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
