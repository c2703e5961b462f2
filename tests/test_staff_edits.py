"""Between runs staff delete a market, edit a confirmed row, remove an application: the next run does
not crash, loses nothing, and lists each case for review (BAD_INPUTS #31, #32, #35)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from automation.config import load_config
from automation.demo.make import make_demo
from automation.pipeline.runner import run


def _delete_row(path, tab, header, value):
    wb = openpyxl.load_workbook(path)
    ws = wb[tab]
    col = [c.value for c in ws[1]].index(header) + 1
    for row in range(2, ws.max_row + 1):
        if ws.cell(row=row, column=col).value == value:
            ws.delete_rows(row)
            break
    wb.save(path)


def _set(path, tab, key_header, key, header, value):
    wb = openpyxl.load_workbook(path)
    ws = wb[tab]
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[headers.index(key_header)].value == key:
            row[headers.index(header)].value = value
    wb.save(path)


def _matches(path):
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = [[("" if v is None else str(v)) for v in r] for r in wb["매칭"].iter_rows(values_only=True)]
    wb.close()
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:] if any(r)]


def test_deleted_market_edited_pair_and_removed_application_are_listed(tmp_path):
    demo = make_demo(tmp_path / "demo")
    config = load_config(demo.config_path)
    master = config.workbooks["master"]
    a, b, c = demo.confirmed[:3]
    rows = {r["매칭ID"]: r for r in _matches(master)}
    _delete_row(master, "시장", "시장코드", rows[a]["시장코드"])  # a market deleted
    _set(master, "매칭", "매칭ID", b, "상태", "협약체결")  # signed …
    _set(master, "매칭", "매칭ID", b, "시장코드", rows[c]["시장코드"])  # … then moved by hand
    _delete_row(master, "참여신청", "신청ID", rows[c]["신청ID"])  # an application removed
    before = {r["매칭ID"] for r in _matches(master)}
    eml = sorted(p.name for p in (demo.folder / "outbox").glob("*.eml"))
    result = run(config)
    assert not result.failed, [r.message for r in result.reports if r.failed]
    codes = {(r.step, i.code) for r in result.reports for i in r.issues}
    assert ("협약서", "market_missing") in codes
    assert ("협약서", "application_missing") in codes
    assert ("안내메일", "mail_recipient_changed") in codes or ("성과준비", "market_missing") in codes
    assert result.data_errors  # listed for review: exit code 1
    after = {r["매칭ID"]: r for r in _matches(master)}
    assert set(after) >= before  # nothing lost
    assert after[a]["상태"] == "확정" and after[b]["상태"] == "협약체결"  # staff decisions untouched
    # the organisation whose confirmed market vanished is not re-matched; its job row says why
    held = [r for r in after.values() if r["신청ID"] == rows[a]["신청ID"] and r["상태"] == "미배정"]
    assert held and "시장 탭에 없거나" in held[0]["추천사유"]
    assert sorted(p.name for p in (demo.folder / "outbox").glob("*.eml")) == eml  # nothing sent again
    assert all((demo.folder / "agreements").glob(f"{m}_*.docx") for m in (a, b, c))  # documents kept


def test_run_dry_run_previews_everything_and_changes_nothing(tmp_path):
    demo = make_demo(tmp_path / "demo")
    config = load_config(demo.config_path)
    master = config.workbooks["master"]
    fresh = next(r["매칭ID"] for r in _matches(master) if r["상태"] == "제안")
    _set(master, "매칭", "매칭ID", fresh, "상태", "확정")
    files = [config.workbooks[r] for r in ("master", "outcomes", "dashboard")]  # the journal is in master now
    before = {str(f): Path(f).read_bytes() for f in files}
    outbox = sorted(p.name for p in (demo.folder / "outbox").glob("*.eml"))
    result = run(config, dry_run=True)
    assert not result.failed
    assert {str(f): Path(f).read_bytes() for f in files} == before  # no sheet, journal or manifest write
    assert sorted(p.name for p in (demo.folder / "outbox").glob("*.eml")) == outbox
    preview = demo.folder / "preview"
    assert any((preview / "agreements").glob(f"{fresh}_*.docx"))
    assert len(list((preview / "mail").glob("*.eml"))) >= 1  # the new pair's notices, previewed
    steps = {r.step: r for r in result.reports}
    assert "미리보기" in steps["협약서"].message and "미리보기" in steps["안내메일"].message
