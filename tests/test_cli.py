"""The command line as a user runs it: `python -m automation`, exact messages and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import write_config


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ONEMARKET_CONFIG"}
    return subprocess.run(
        [sys.executable, "-m", "automation", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


CONFIG_CASES = [
    ("no-config", None, 2, "오류: 현재 폴더에 onemarket.toml이(가) 없습니다."),
    (
        "bad-backend",
        '[workbook]\nbackend = "excel"\n',
        2,
        '오류: onemarket.toml: [workbook] backend는 "xlsx" 또는 "google"이어야 합니다 (현재: \'excel\').',
    ),
    (
        "typo-key",
        '[workbook]\nbakend = "xlsx"\n',
        2,
        "오류: onemarket.toml: [workbook]에 알 수 없는 키 'bakend'가 있습니다. 'backend'을(를) 뜻했나요?",
    ),
    (
        "secret-in-toml",
        '[mail]\npassword = "x"\n',
        2,
        "오류: onemarket.toml: 비밀값 'password'은(는) TOML에 적지 마세요. 비밀번호는 password_env가 가리키는 환경 변수로",
    ),
    ("toml-syntax", "[workbook\n", 2, "오류: 설정 파일 onemarket.toml의 TOML 문법이 잘못되었습니다"),
    ("not-initialised", '[workbook]\nbackend = "xlsx"\n', 2, "파일이 없습니다:"),
]


@pytest.mark.parametrize(("body", "code", "message"), [c[1:] for c in CONFIG_CASES], ids=[c[0] for c in CONFIG_CASES])
def test_configuration_errors_exit_2_with_a_korean_message(tmp_path, body, code, message):
    if body is not None:
        write_config(tmp_path, body)
    proc = cli("run", cwd=tmp_path)
    assert proc.returncode == code, proc.stderr
    assert message in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr


def test_usage_error_exits_2(tmp_path):
    proc = cli("no-such-command", cwd=tmp_path)
    assert proc.returncode == 2


def test_init_then_run_json(tmp_path):
    write_config(tmp_path)
    assert cli("init", cwd=tmp_path).returncode == 0
    proc = cli("run", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["failed"] is False
    assert data["steps"][0]["step"] == "구조점검"


COMMANDS = ["validate", "match", "agreements", "notify", "outcomes", "summary", "run"]
READS_APPLICATIONS = ["validate", "match", "agreements", "notify", "run"]  # outcomes, summary need no 연락처


def _broken_header(tmp_path):
    write_config(tmp_path)
    cli("init", cwd=tmp_path)
    path = tmp_path / "data" / "master.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["참여신청"]["J1"] = "핸드폰"
    wb.save(path)


@pytest.mark.parametrize("command", READS_APPLICATIONS)
def test_a_broken_header_exits_2_from_every_command_and_names_the_fix_once(tmp_path, command):
    """The one rule: 2 = the command cannot start (usage, config, a missing file, a broken header)."""
    _broken_header(tmp_path)
    proc = cli(command, cwd=tmp_path)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    both = proc.stdout + proc.stderr
    assert both.count("헤더 '연락처'를 찾을 수 없습니다") == 1, both
    assert "(check)" not in both and "Traceback" not in both


def test_a_skipped_step_names_the_failed_one_in_korean(tmp_path):
    _broken_header(tmp_path)
    proc = cli("run", cwd=tmp_path)
    assert "[실패] 구조점검" in proc.stdout and "앞 단계(구조점검)가 실패해 건너뛰었습니다." in proc.stdout


@pytest.mark.parametrize("command", [*COMMANDS, "init"])
def test_a_missing_workbook_exits_2_from_every_command(tmp_path, command):
    write_config(tmp_path, '[workbook]\nbackend = "xlsx"\nmaster = "nowhere/master.xlsx"\n')
    proc = cli(command, cwd=tmp_path)
    expected = 0 if command == "init" else 2  # init makes the files
    assert proc.returncode == expected, (proc.stdout, proc.stderr)


@pytest.mark.parametrize("command", ["init", "validate", "match", "agreements", "notify", "outcomes", "summary"])
def test_every_command_writes_its_runlog_row(tmp_path, command):
    write_config(tmp_path)
    cli("init", cwd=tmp_path)
    before = _runlog_rows(tmp_path)
    proc = cli(command, cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert _runlog_rows(tmp_path) == before + 1


def _runlog_rows(folder):
    wb = openpyxl.load_workbook(folder / "data" / "master.xlsx", read_only=True)
    rows = [r for r in wb["작업기록"].iter_rows(min_row=2, values_only=True) if any(r)]
    wb.close()
    return len(rows)


def test_open_in_excel_is_refused(tmp_path):
    write_config(tmp_path)
    cli("init", cwd=tmp_path)
    (tmp_path / "data" / "~$master.xlsx").write_text("x")
    proc = cli("init", cwd=tmp_path)
    assert proc.returncode == 1
    assert "master.xlsx 파일이 엑셀 또는 리브레오피스에서 열려 있습니다" in proc.stderr


def test_console_script_help_lists_the_commands(tmp_path):
    proc = cli("--help", cwd=tmp_path)
    assert proc.returncode == 0
    for command in ("init", "import-markets", "run", "demo"):
        assert command in proc.stdout


def _demo(tmp_path: Path) -> Path:
    proc = cli("demo", str(tmp_path / "demo"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr  # the sample's bad rows are data, not a failed step
    return tmp_path / "demo"


def test_validate_prints_a_summary_per_tab_and_exits_1_on_errors(tmp_path):
    demo = _demo(tmp_path)
    proc = cli("validate", cwd=demo)
    assert proc.returncode == 1
    assert "  참여신청: 80행 읽음 — 정상 " in proc.stdout
    assert "[오류] 참여신청 47행 — 연락처: '010-1234-567'은 자리수가 부족합니다 (예: 010-1234-5678)" in proc.stdout
    data = json.loads(cli("validate", "--json", "--dry-run", cwd=demo).stdout)
    # the demo confirms five pairs, so their markets have tabs in the outcomes file too
    assert {t["tab"] for t in data["tabs"]} == {"참여신청", "시장", "매칭", "협력과제", "성과보고", "시장 성과 탭"}
    assert data["ids_assigned"] == 0  # the demo's run already gave every application an ID


def test_validate_exits_0_when_every_row_is_fine(tmp_path):
    write_config(tmp_path)
    assert cli("init", cwd=tmp_path).returncode == 0
    proc = cli("validate", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "참여신청: 0행 읽음 — 정상 0, 경고 0, 오류 0, 빈 행 0" in proc.stdout


def test_run_exits_1_when_rows_have_errors_but_no_step_failed(tmp_path):
    demo = _demo(tmp_path)
    proc = cli("run", "--json", cwd=demo)
    data = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert (data["failed"], data["data_errors"]) == (False, True)


@pytest.mark.parametrize("command", ["agreements", "notify", "outcomes", "summary"])
def test_step_commands_json_and_exit_code(tmp_path, command):
    from tests.step_helpers import workbook

    config = workbook(tmp_path)
    result = cli("--config", str(config.path), command, "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [s["step"] for s in data["steps"]] == [
        {"agreements": "협약서", "notify": "안내메일", "outcomes": "성과준비", "summary": "요약"}[command]
    ]
    assert data["failed"] is False


def test_run_every_with_a_bad_interval_is_a_usage_error(tmp_path):
    write_config(tmp_path)
    result = cli("run", "--every", "15분", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "오류: --every 값 '15분'을(를) 알 수 없습니다. 예: 15m (15분), 30s (30초), 1h (1시간)."
    )


@pytest.mark.parametrize(
    "mail, expected",
    [
        pytest.param(
            'cc = ["a@x.go.kr, b@y.go.kr"]', "[mail] cc의 1번째 값에 주소가 여러 개 있습니다", id="two-in-one-entry"
        ),
        pytest.param(
            'cc = ["staff@x.go.kr", "staff2"]', "[mail] cc의 2번째 값이 이메일 주소가 아닙니다", id="not-an-address"
        ),
        pytest.param('sender = "onemarket"', "[mail] sender가 이메일 주소가 아닙니다", id="sender"),
    ],
)
def test_mail_addresses_in_the_config_are_checked_before_anything_runs(tmp_path, mail, expected):
    (tmp_path / "onemarket.toml").write_text(f'[workbook]\nbackend = "xlsx"\n[mail]\n{mail}\n', encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "automation", "run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2 and expected in proc.stderr, proc.stderr
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    "args, expected",
    [
        pytest.param(
            ["run", "--config", "x.toml"],
            "오류: 모르는 옵션입니다: --config. 이 옵션은 명령 앞에 씁니다 (예: onemarket --config … run).",
            id="global-option-after-the-command",
        ),
        pytest.param(["run", "--jsn"], "오류: 모르는 옵션입니다: --jsn. 혹시 --json?", id="typo"),
        pytest.param(
            ["nope"], "오류: 모르는 명령입니다: 'nope'. 명령 목록은 'onemarket --help'로 보세요.", id="no-such-command"
        ),
        pytest.param(["match", "--round", "0"], "오류: 값이 잘못되었습니다", id="bad-value"),
        pytest.param(["import-markets"], "오류: 필요한 값이 빠졌습니다", id="missing-argument"),
    ],
)
def test_usage_errors_are_korean_with_the_hint_and_exit_2(tmp_path, args, expected):
    proc = cli(*args, cwd=tmp_path)
    assert proc.returncode == 2 and expected in proc.stderr, proc.stderr
    assert "Usage:" not in proc.stderr and "No such option" not in proc.stderr
