"""``import-forms`` on Google Sheets: gspread's real client over HTTP to the loopback Sheets API
test server (tests/gsheets_server.py — Google is unreachable here). Filled forms and a Google Forms
responses tab land once each, while a person inserts a row and sorts the tab between requests."""

from __future__ import annotations

from pathlib import Path

from google_fixtures import KEYS

from automation.pipeline.runner import STEP_BY_NAME, run
from automation.setup import jobs
from automation.sheets import open_backend
from automation.sheets.table import Table
from tests.pair_helpers import APP
from tests.test_import_forms import RESPONSES_HEADER, forms, response
from tests.validation_helpers import SCHEMAS


def _rows(config) -> list[dict[str, str]]:
    raw = open_backend(config, "master").read(["참여신청"])["참여신청"]
    table = Table.from_raw(SCHEMAS["참여신청"], raw)
    return [{k: r[k] for k in ("application_id", "org_name", "source_file", "contact_name")} for r in table.data_rows()]


def test_forms_and_responses_land_once_while_a_person_inserts_and_sorts(
    gsheets, google_onemarket_config, tmp_path: Path
):
    config = google_onemarket_config
    jobs.init(config)
    master = gsheets.books[KEYS["master"]]
    apps = master.tab("참여신청")
    header = apps.rows[0]
    staff = [APP.get(_key(h), "") for h in header]
    staff[header.index("신청ID")] = "A-2026-0001"
    apps.rows.append(staff)
    master.add("설문지 응답 시트1", [RESPONSES_HEADER, response("2026. 5. 2 오전 10:31:05", "설문기관")])
    inbox = forms(tmp_path / "inbox", a="가나상사", b="다라협회")

    def person(server) -> None:  # a row typed at the top, then the tab sorted by 기관명 descending
        tab = server.tab(KEYS["master"], "참여신청")
        typed = [""] * len(header)
        typed[header.index("기관명")] = "직원이 입력한 기관"
        body = [typed, *tab.rows[1:]]
        body.sort(key=lambda r: r[header.index("기관명")], reverse=True)
        tab.rows = [tab.rows[0], *body]

    # after the step's read, just before its next write request
    gsheets.on_next("values.batchGet", lambda server: server.on_next("spreadsheets.batchUpdate", person))
    step = [STEP_BY_NAME["import-forms"]]
    options = {"paths": [inbox], "responses": "설문지 응답 시트1"}
    result = run(config, steps=step, options=options)
    assert result.exit_code == 0, [r.message for r in result.reports]
    rows = _rows(config)
    names = sorted(r["org_name"] for r in rows)
    assert names == sorted(["직원이 입력한 기관", APP["org_name"], "가나상사", "다라협회", "설문기관"])
    imported = [r for r in rows if r["source_file"]]
    assert len(imported) == 3 and len({r["application_id"] for r in imported}) == 3
    assert all(r["contact_name"] == "홍길동" for r in imported)
    # a second run, from a fresh process state: the workbook alone knows what was imported
    again = run(config, steps=step, options=options).details["import-forms"]
    assert [f.status for f in again.files] == ["skipped"] * 3
    assert len(_rows(config)) == 5


def _key(header: str) -> str:
    column = next((c for c in SCHEMAS["참여신청"].columns if c.header == header), None)
    return column.key if column else ""
