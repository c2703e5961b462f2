"""`onemarket run`: steps in order, one 작업기록 row per step, a lock against overlap."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import openpyxl
import pytest

from automation.errors import RunLockedError
from automation.locking import job_lock
from automation.pipeline.runner import STEPS, Step, run
from automation.report import StepReport
from automation.schema import default_schemas
from automation.setup import jobs
from automation.sheets import open_backend
from automation.sheets.table import read_tables


def runlog(config):
    backend = open_backend(config, "master")
    return read_tables(backend, [default_schemas()["작업기록"]])["작업기록"].data_rows()


def test_run_appends_one_row_per_step(xlsx_config):
    jobs.init(xlsx_config)
    result = run(xlsx_config)
    assert not result.failed
    rows = runlog(xlsx_config)
    assert [(r["step"], r["result"]) for r in rows] == [(step.label, "성공") for step in STEPS]
    assert rows[0]["run_id"] == result.run_id
    assert rows[0]["entry_id"] == f"{result.run_id}-01"
    assert rows[0]["counts"].startswith("참여신청 행 0")


def boom(ctx):
    raise ValueError("bug")


def ok(ctx):
    return StepReport("둘째", counts={"처리": 3})


def test_a_failed_step_is_recorded_and_later_independent_steps_still_run(xlsx_config):
    jobs.init(xlsx_config)
    steps = [Step("first", "첫째", boom), Step("second", "둘째", ok), Step("third", "셋째", ok, needs=("first",))]
    result = run(xlsx_config, steps=steps)
    assert result.failed
    assert [(r["step"], r["result"]) for r in runlog(xlsx_config)] == [
        ("첫째", "실패"),
        ("둘째", "성공"),
        ("셋째", "건너뜀"),
    ]
    assert "예기치 못한 오류(ValueError)" in runlog(xlsx_config)[0]["message"]


def test_broken_header_fails_the_step_with_the_fix_and_writes_nothing_else(xlsx_config):
    jobs.init(xlsx_config)
    path = xlsx_config.workbooks["outcomes"]
    wb = openpyxl.load_workbook(path)
    wb["성과보고"]["B1"] = "매칭번호"
    wb.save(path)
    before = Path(path).read_bytes()
    result = run(xlsx_config)
    assert result.failed
    assert "헤더 '매칭ID'를 찾을 수 없습니다" in result.reports[0].message
    assert Path(path).read_bytes() == before
    assert runlog(xlsx_config)[0]["result"] == "실패"


def test_dry_run_writes_no_runlog(xlsx_config):
    jobs.init(xlsx_config)
    run(xlsx_config, dry_run=True)
    assert runlog(xlsx_config) == []


def _hold_lock(config_path, ready, release):
    from automation.config import load_config

    with job_lock(load_config(config_path), "validate"):
        ready.set()
        release.wait(10)


def test_two_overlapping_runs_the_second_exits_on_the_lock(xlsx_config):
    jobs.init(xlsx_config)
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(xlsx_config.path), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        started = time.monotonic()
        with pytest.raises(RunLockedError) as info:
            run(xlsx_config, wait=0.2)
        assert time.monotonic() - started < 5
        assert info.value.message.startswith(
            "다른 onemarket 작업이 같은 파일에 쓰는 중이라 'run'을(를) 건너뜁니다 — validate, "
        )
    finally:
        release.set()
        holder.join(10)
    assert runlog(xlsx_config) == []
    assert not run(xlsx_config).failed


def test_a_renamed_tab_stops_the_step_with_a_configuration_message(xlsx_config):
    jobs.init(xlsx_config)
    path = xlsx_config.workbooks["master"]
    wb = openpyxl.load_workbook(path)
    wb["매칭"].title = "매칭(구)"
    wb.save(path)
    result = run(xlsx_config)
    assert result.failed
    assert result.reports[0].message == (
        "master.xlsx에 '매칭' 탭이 없습니다. 탭 이름을 되돌리거나 'onemarket init'을 실행하세요."
    )
