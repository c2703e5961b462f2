"""A workbook from before teams (no 협약/협력과제/협약식 tabs, no 협약ID on 매칭) keeps working; `init`
adds the tabs and the column without touching staff data; the next run makes every signed pair a
signed one-pair team, and nothing is sent again or rendered again."""

from __future__ import annotations

import openpyxl

from automation.pipeline.runner import run
from automation.setup import jobs
from tests.step_helpers import match_rows, set_match_cell, workbook

NEW_TABS = ("협약", "협력과제", "협약식")


def _make_old(config) -> None:
    path = config.workbooks["master"]
    wb = openpyxl.load_workbook(path)
    for title in NEW_TABS:
        del wb[title]
    ws = wb["매칭"]
    headers = [c.value for c in ws[1]]
    ws.delete_cols(headers.index("협약ID") + 1)
    wb.save(path)


def _cells(config, tab: str) -> list[list[str]]:
    wb = openpyxl.load_workbook(config.workbooks["master"], read_only=True)
    rows = [["" if v is None else str(v) for v in r] for r in wb[tab].iter_rows(values_only=True)]
    wb.close()
    return rows


def _report(result, step: str):
    return next(r for r in result.reports if r.step == step)


def test_an_old_workbook_runs_then_init_and_one_run_make_its_signed_pairs_teams(tmp_path):
    config = workbook(tmp_path)
    _make_old(config)
    first = run(config)
    check = _report(first, "구조점검")
    assert not check.failed
    assert "협약, 협력과제, 협약식 탭은 아직 없습니다: 'onemarket init'으로 추가하면" in check.message
    teams = _report(first, "협약")
    assert not teams.failed and teams.message.startswith("'협약' 탭이 아직 없어 협약을 만들지 않았습니다.")
    assert _report(first, "협약서").counts["만듦"] == 1
    outbox = sorted(p.name for p in (tmp_path / "outbox").glob("*.eml"))
    assert len(outbox) == 2
    set_match_cell(config, "M-2026-0001", "상태", "협약체결")
    run(config)
    before = {tab: _cells(config, tab) for tab in ("참여신청", "시장", "매칭")}

    jobs.init(config)
    wb = openpyxl.load_workbook(config.workbooks["master"], read_only=True)
    assert all(t in wb.sheetnames for t in NEW_TABS)
    wb.close()
    after = {tab: _cells(config, tab) for tab in ("참여신청", "시장", "매칭")}
    assert after["참여신청"] == before["참여신청"] and after["시장"] == before["시장"]
    assert [r[:-1] for r in after["매칭"]] == before["매칭"]  # 협약ID added after the last header only
    assert after["매칭"][0][-1] == "협약ID"

    again = run(config)
    assert not again.failed
    (pair,) = match_rows(config)
    assert pair["상태"] == "협약체결" and pair["협약ID"].startswith("T-")
    team = _cells(config, "협약")[1]
    assert team[0] == pair["협약ID"] and team[5] == "협약체결"
    assert _report(again, "협약서").counts["만듦"] == 0  # the signed agreement is not rendered again
    assert sorted(p.name for p in (tmp_path / "outbox").glob("*.eml")) == outbox  # nothing re-sent
    assert _cells(config, "협력과제")[1:] == []  # a signed team's 과제 are not invented afterwards
