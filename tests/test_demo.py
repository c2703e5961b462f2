"""`onemarket demo` works offline, is complete, and is safe to run twice."""

from __future__ import annotations

import openpyxl

from automation.config import load_config
from automation.demo.make import make_demo
from automation.pipeline.runner import STEPS
from automation.schema import default_schemas
from automation.sheets import open_backend
from automation.sheets.table import read_tables


def test_demo_twice(tmp_path):
    folder = tmp_path / "demo"
    first = make_demo(folder)
    assert first.markets_added >= 30 and 70 <= first.applications_added <= 90
    assert not first.run.failed
    assert (folder / "onemarket.toml").is_file()
    for name in ("master", "outcomes", "dashboard"):
        assert (folder / "data" / f"{name}.xlsx").is_file()
    # a person edits a cell; the second demo keeps it and adds nothing
    path = folder / "data" / "master.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["참여신청"]["C2"] = "직원이 고친 기관명"
    wb.save(path)
    second = make_demo(folder)
    assert (second.markets_added, second.applications_added) == (0, 0)
    schemas = default_schemas()
    tables = read_tables(
        open_backend(load_config(folder / "onemarket.toml"), "master"), [schemas["참여신청"], schemas["작업기록"]]
    )
    assert len(tables["참여신청"].data_rows()) == first.applications_added
    assert tables["참여신청"].data_rows()[0]["org_name"] == "직원이 고친 기관명"
    # one row per step per run: the first demo runs twice (before and after staff confirm 5 pairs)
    # + the first demo's ceremony pack, report, press and cards
    assert len(tables["작업기록"].data_rows()) == 3 * len(STEPS) + 1 + 3
    assert len(first.confirmed) == 5 and second.confirmed == []
    # one agreement per team: the two pairs grouped into 공동협약-1, and a one-pair team for each other
    agreements = {p.stem.split("_")[0] for p in (folder / "agreements").glob("*.docx")}
    assert agreements == {"공동협약-1", "T-2026-0001", "T-2026-0002", "T-2026-0003"}
    teams = next(r for r in first.run.reports if r.step == "협약")
    assert "협약 4팀 (여러 기관·시장이 묶인 팀 1) — 1사-1시장 3, 2사-2시장 1" in teams.message
    notify = next(r for r in first.run.reports if r.step == "안내메일")
    # one notice to each side of the 5 confirmed pairs, but two sample markets have no 상인회이메일
    assert (notify.counts["발송"], notify.counts["메일없음"], notify.counts["보류"]) == (8, 2, 0)
    assert len(list((folder / "outbox").glob("*.eml"))) == 8  # the second demo sent nothing again
    assert "예시 데이터가 이미 있어 그대로 두었습니다" in second.text()
    pack = folder / "agreements" / "협약식" / "1차"
    assert (pack / "1차_진행순서_참석자.docx").is_file() and (pack / "1차_명패.docx").is_file()
    assert "제1차 협약식 자료: 협약 4팀" in first.text()
