"""The whole foundation on Google Sheets: gspread's real client over HTTP to the loopback
Sheets API test server (tests/gsheets_server.py — Google is unreachable here)."""

from __future__ import annotations

import random

import pytest
from google_fixtures import KEYS, SERVICE_EMAIL

from automation.pipeline.runner import STEPS, run
from automation.schema import DASHBOARD_TABS, default_schemas
from automation.setup import jobs
from automation.setup.markets import import_markets
from automation.sheets import open_backend
from automation.sheets.table import read_tables
from automation.sheets.writes import RowUpdate, append_rows, write_rows
from tests.test_schema import FRESH_HEADERS

MASTER_TABS = ["참여신청", "시장", "매칭", "작업기록", "협약", "협력과제", "협약식"]


def test_init_on_empty_google_spreadsheets_yields_exactly_the_design(gsheets, google_onemarket_config):
    jobs.init(google_onemarket_config)
    master = gsheets.books[KEYS["master"]]
    assert [t.title for t in master.tabs] == [*MASTER_TABS, "_작업상태", "_발송기록"]
    for tab in ("참여신청", "시장"):
        assert gsheets.values(KEYS["master"], tab)[0] == FRESH_HEADERS[tab]
    assert gsheets.values(KEYS["master"], "매칭")[0] == FRESH_HEADERS["매칭"]
    for job_tab in ("_작업상태", "_발송기록"):  # hidden, and only the service account may edit
        tab = master.tab(job_tab)
        assert tab.hidden
        assert [p["editors"]["users"] for p in tab.protected] == [[SERVICE_EMAIL]]
        assert "startColumnIndex" not in tab.protected[0]["range"]
    assert gsheets.values(KEYS["outcomes"], "성과보고")[0] == FRESH_HEADERS["성과보고"]
    assert [t.title for t in gsheets.books[KEYS["dashboard"]].tabs] == list(DASHBOARD_TABS)
    apps = master.tab("참여신청")
    assert apps.frozen_rows == 1
    assert len(apps.protected) == 5  # 신청ID, 원본파일, 재제출, 검증결과, 검증메시지
    assert all(p["editors"]["users"] == [SERVICE_EMAIL] for p in apps.protected)
    assert all(p["description"].startswith("onemarket:") for p in apps.protected)
    rules = [v["rule"]["condition"] for v in apps.validations.values()]
    assert {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": "='시장'!B2:B"}]} in [
        {k: c[k] for k in ("type", "values")} for c in rules
    ]
    # every write was RAW
    assert all(r.query.get("valueInputOption", ["RAW"]) == ["RAW"] for r in gsheets.requests("values.batchUpdate"))


def test_init_twice_changes_nothing_and_keeps_one_set_of_protections(gsheets, google_onemarket_config):
    jobs.init(google_onemarket_config)
    before = {t.title: gsheets.values(KEYS["master"], t.title) for t in gsheets.books[KEYS["master"]].tabs}
    again = jobs.init(google_onemarket_config)
    assert not any(r.changed for r in again)
    after = {t.title: gsheets.values(KEYS["master"], t.title) for t in gsheets.books[KEYS["master"]].tabs}
    assert after == before
    assert len(gsheets.books[KEYS["master"]].tab("매칭").protected) == 7


def test_run_logs_to_the_google_runlog(gsheets, google_onemarket_config):
    jobs.init(google_onemarket_config)
    result = run(google_onemarket_config)
    assert not result.failed
    rows = gsheets.values(KEYS["master"], "작업기록")
    assert rows[1][:2] == [f"{result.run_id}-01", result.run_id]
    assert rows[1][3:5] == ["구조점검", "성공"]


def test_import_markets_on_google_twice(gsheets, google_onemarket_config, national_csv):
    jobs.init(google_onemarket_config)
    first = import_markets(google_onemarket_config, national_csv)
    assert first.added == 150
    assert len(gsheets.values(KEYS["master"], "시장")) == 151
    second = import_markets(google_onemarket_config, national_csv)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 150)


def _applications(n: int) -> list[dict[str, str]]:
    return [
        {
            "application_id": f"A-2024-{i:05d}",
            "org_name": f"기관{i}",
            "org_type": "중소기업",
            "phone": "01012345678",
            "onnuri_thousand_won": "1,000",
        }
        for i in range(1, n + 1)
    ]


@pytest.mark.parametrize("n", [10, 10_000], ids=["10-rows", "10000-rows"])
def test_request_count_does_not_grow_with_rows(gsheets, google_onemarket_config, n):
    """Reading the master tabs and writing one step's results: the same requests for 10 and 10,000."""
    jobs.init(google_onemarket_config)
    schemas = default_schemas()
    backend = open_backend(google_onemarket_config, "master")
    append_rows(backend, schemas["참여신청"], _applications(n))
    backend = open_backend(google_onemarket_config, "master")  # a fresh run
    start = gsheets.count()
    tables = read_tables(backend, [schemas[t] for t in MASTER_TABS])
    rows = tables["참여신청"].data_rows()
    assert len(rows) == n
    assert rows[0]["phone"] == "01012345678" and rows[0]["onnuri_thousand_won"] == "1,000"  # text
    updates = [RowUpdate({"validation_result": "정상"}, id=r["application_id"]) for r in rows]
    result = write_rows(backend, schemas["참여신청"], updates)
    assert result.issues == [] and result.written_rows == n
    kinds = [r.kind for r in gsheets.requests() if r.kind != "token"][start:]
    # metadata once per run + master read once + the guarded write: open (fence + fresh read) and
    # close (cells + fence removal, answered with the read-back) — two batchUpdates for any n
    assert kinds == ["spreadsheets.get", "values.batchGet", "spreadsheets.batchUpdate", "spreadsheets.batchUpdate"]


def test_staff_sorting_rows_between_read_and_write_on_google(gsheets, google_onemarket_config):
    jobs.init(google_onemarket_config)
    schemas = default_schemas()
    backend = open_backend(google_onemarket_config, "master")
    header = read_tables(backend, [schemas["참여신청"]])["참여신청"].header
    append_rows(backend, schemas["참여신청"], _applications(30))
    rows = read_tables(backend, [schemas["참여신청"]])["참여신청"].data_rows()
    # a person sorts the rows and inserts one above, after the job's read and before its write
    values = gsheets.values(KEYS["master"], "참여신청")
    body = values[1:]
    random.Random(3).shuffle(body)
    body.insert(0, ["", "", "직원이 넣은 행"])
    gsheets.set_values(KEYS["master"], "참여신청", [values[0], *body])
    updates = [RowUpdate({"validation_message": f"msg {r['application_id']}"}, id=r["application_id"]) for r in rows]
    result = write_rows(backend, schemas["참여신청"], updates)
    assert result.issues == []
    for row in gsheets.values(KEYS["master"], "참여신청")[1:]:
        col = header.col("validation_message") - 1
        message = row[col] if len(row) > col else ""
        assert message == (f"msg {row[0]}" if row[0] else "")


def test_full_run_on_google_with_the_demo_data_then_a_quiet_second_run(gsheets, google_onemarket_config):
    from automation.demo.data import sample_applications, sample_markets

    jobs.init(google_onemarket_config)
    schemas = default_schemas()
    backend = open_backend(google_onemarket_config, "master")
    append_rows(backend, schemas["시장"], sample_markets())
    append_rows(backend, schemas["참여신청"], sample_applications())
    first = run(google_onemarket_config)
    assert not first.failed and first.data_errors  # the demo's deliberately bad rows
    assert [r.step for r in first.reports] == [step.label for step in STEPS]
    matches = gsheets.values(KEYS["master"], "매칭")
    assert len(matches) == 83 and {r[8] for r in matches[1:]} <= {"제안", "미배정"}
    start = gsheets.count()
    second = run(google_onemarket_config)
    assert not second.failed
    kinds = [r.kind for r in gsheets.requests() if r.kind != "token"][start:]
    # nothing changed: reads, and the one 작업기록 append — no cell writes at all
    assert "values.batchUpdate" not in kinds and "values.append" not in kinds
    # per run, whatever the row count: 3 metadata reads (one per file) + 1 chart lookup, one values
    # read per step and file (7 steps read master, 4 read outcomes), the dashboard's 8 tabs rebuilt
    # (one batchUpdate each), the 작업기록 append (a guarded write: two batchUpdates) and the run lock
    # kept inside master (the _잠금 tab added, then deleted: two batchUpdates)
    assert kinds.count("spreadsheets.batchUpdate") == 5 and kinds.count("values.batchGet") <= 14, kinds
    assert len(kinds) <= 30, kinds


def test_agreements_and_notices_on_google(gsheets, google_onemarket_config, smtp_server):
    """Staff confirm two suggestions in the Google sheet; the next run writes 협약서 and 기관안내/시장안내
    there, and mails through a real SMTP server; a third run sends nothing and writes no values."""
    from automation.config import load_config
    from automation.demo.data import sample_applications, sample_markets
    from automation.demo.make import _confirm_some

    path = google_onemarket_config.path
    path.write_text(
        path.read_text(encoding="utf-8")
        + (
            f'\n[mail]\ntransport = "smtp"\nhost = "127.0.0.1"\nport = {smtp_server.port}\nstarttls = false\n'
            '[documents]\npdf = "never"\n'
        ),
        encoding="utf-8",
    )
    config = load_config(path)
    jobs.init(config)
    schemas = default_schemas()
    backend = open_backend(config, "master")
    append_rows(backend, schemas["시장"], sample_markets())
    append_rows(backend, schemas["참여신청"], sample_applications())
    assert not run(config).failed
    confirmed = _confirm_some(config, 2)
    second = run(config)
    assert not second.failed
    header, *rows = gsheets.values(KEYS["master"], "매칭")
    col = {h: i for i, h in enumerate(header)}
    done = {r[col["매칭ID"]]: r for r in rows if r[col["매칭ID"]] in confirmed}
    assert set(done) == set(confirmed)
    for row in done.values():
        # the demo's member of staff groups the two into one team: its agreement is theirs
        assert row[col["협약서"]].startswith("agreements/" + row[col["협약ID"]] + "_")
        assert row[col["기관안내"]].startswith("발송완료 ")
    assert len(smtp_server.messages) == 2 * len(confirmed) - sum(
        1 for r in done.values() if r[col["시장안내"]] == "메일없음"
    )
    start = gsheets.count()
    assert not run(config).failed
    kinds = [r.kind for r in gsheets.requests() if r.kind != "token"][start:]
    assert "values.batchUpdate" not in kinds
    assert len(smtp_server.messages) == 2 * len(confirmed) - sum(
        1 for r in done.values() if r[col["시장안내"]] == "메일없음"
    )
    # the same run prepared each confirmed pair's market tab and rebuilt the dashboard with charts
    outcome_tabs = [t.title for t in gsheets.books[KEYS["outcomes"]].tabs if t.title.startswith("성과_")]
    assert len(outcome_tabs) == len(confirmed)
    summary = gsheets.values(KEYS["dashboard"], "요약")
    assert summary and any("확정" in cell for row in summary for cell in row)
