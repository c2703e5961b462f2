"""The guarded write on Google, against the loopback Sheets server, with people editing meanwhile.

People edit through ``SheetsServer.person`` under Google's protection rules (``people.py``): an
editor cannot touch a tab while the job's write window protects it; an owner can, and then the
read-back catches what moved and the job repairs it. A close that hangs past the timeout is made
unable to land later (its fence is gone); a close refused with 503 is sent again and lands once.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from gsheets_server import Fault, SheetsServer
from people import EDITOR, Edit

from automation.schema import default_schemas
from automation.sheets.google_window import WINDOW_MARK, window_description
from automation.sheets.writes import RowUpdate, TabWrite, write_tables

KEY = "1MasterTestKey_abcdefghij"
SCHEMA = default_schemas()["매칭"]
HEADER = SCHEMA.headers
COL = {c.key: i for i, c in enumerate(SCHEMA.columns, start=1)}


def match_row(i: int, status: str = "제안", reason: str = "") -> list[str]:
    values = {
        "match_id": f"M-{i:04d}",
        "round": "1",
        "application_id": f"A-{i:04d}",
        "org_name": f"기관{i}",
        "market_code": f"MK{i}",
        "market_name": f"시장{i}",
        "status": status,
        "reason": reason,
    }
    return [values.get(c.key, "") for c in SCHEMA.columns]


def cell(server: SheetsServer, match_id: str, key: str) -> str:
    for row in server.values(KEY, "매칭")[1:]:
        if row and row[0] == match_id:
            return row[COL[key] - 1] if len(row) >= COL[key] else ""
    raise KeyError(match_id)


def windows(server: SheetsServer) -> list[dict]:
    return [p for p in server.tab(KEY, "매칭").protected if p.get("description", "").startswith(WINDOW_MARK)]


@pytest.fixture
def backend(make_google_backend):
    b = make_google_backend({"매칭": [HEADER, *(match_row(i) for i in range(1, 6))]})
    b.list_tabs()  # the run's one metadata read: request 1 from here on is the window's open
    return b


def reason_updates(*ids: int) -> list[TabWrite]:
    return [TabWrite(SCHEMA, [RowUpdate({"reason": f"사유 {i}"}, id=f"M-{i:04d}") for i in ids])]


def test_a_guarded_write_is_two_batch_updates_and_leaves_no_protection(backend, gsheets):
    start = gsheets.count()
    result = write_tables(backend, reason_updates(1, 3, 5))
    assert result.issues == [] and result.written_rows == 3
    kinds = [r.kind for r in gsheets.requests() if r.kind != "token"][-(gsheets.count() - start) :]
    assert kinds == ["spreadsheets.batchUpdate", "spreadsheets.batchUpdate"]
    opened, closed = gsheets.requests("spreadsheets.batchUpdate")[-2:]
    assert [next(iter(r)) for r in opened.body["requests"]] == ["addProtectedRange"]
    assert opened.body["requests"][0]["addProtectedRange"]["protectedRange"]["editors"] == {
        "users": ["onemarket-bot@test-project.iam.gserviceaccount.com"]
    }
    assert [next(iter(r)) for r in closed.body["requests"]] == ["updateCells"] * 3 + ["deleteProtectedRange"]
    assert windows(gsheets) == []
    assert [cell(gsheets, f"M-{i:04d}", "reason") for i in range(1, 6)] == ["사유 1", "", "사유 3", "", "사유 5"]


@pytest.mark.parametrize(
    "edit",
    [
        Edit("insert", row=2, values=("새 행",), who=EDITOR),
        Edit("delete", row=3, who=EDITOR),
        Edit("sort", col=4, reverse=True, who=EDITOR),
        Edit("type", row=4, col=COL["status"], value="확정", who=EDITOR),
    ],
    ids=lambda e: e.kind,
)
def test_an_editor_cannot_edit_inside_the_window_and_can_right_after(backend, gsheets, edit):
    tried: list[bool] = []
    gsheets.before_request(2, lambda s: tried.append(s.person(KEY, "매칭", edit)))  # just before the close
    result = write_tables(backend, reason_updates(2, 3, 4))
    assert tried == [False]  # refused: the tab was protected
    assert result.issues == []
    assert gsheets.person(KEY, "매칭", edit)  # the same edit, after the window
    for i in (2, 3, 4):
        if edit.kind != "delete" or i != 2:
            assert cell(gsheets, f"M-{i:04d}", "reason") == f"사유 {i}"


@pytest.mark.parametrize(
    "edit",
    [
        Edit("insert", row=2, values=("", "9", "A-9999", "끼운 기관")),
        Edit("delete", row=2),
        Edit("sort", col=4, reverse=True),
    ],
    ids=lambda e: e.kind,
)
def test_an_owner_moving_rows_inside_the_window_is_caught_and_repaired(backend, gsheets, edit):
    gsheets.before_request(2, lambda s: s.person(KEY, "매칭", edit))  # the owner is never refused
    result = write_tables(backend, reason_updates(2, 3, 4, 5))
    codes = {i.code for i in result.issues}
    assert codes <= {"write_repaired", "row_gone"}
    rows = gsheets.values(KEY, "매칭")[1:]
    for row in rows:
        want = f"사유 {int(row[0][2:])}" if row[0] and int(row[0][2:]) in (2, 3, 4, 5) else ""
        assert (row[COL["reason"] - 1] if len(row) >= COL["reason"] else "") == want, rows
    assert windows(gsheets) == []


def test_a_person_removing_the_protection_before_the_close_means_nothing_is_written_twice(backend, gsheets):
    def remove(server: SheetsServer) -> None:
        tab = server.tab(KEY, "매칭")
        tab.protected = [p for p in tab.protected if not p.get("description", "").startswith(WINDOW_MARK)]

    gsheets.before_request(2, remove)
    result = write_tables(backend, reason_updates(1))
    # the close met a missing fence and wrote nothing; the job opened a new window and wrote once
    assert [r.status for r in gsheets.requests("spreadsheets.batchUpdate")][-4:] == [200, 400, 200, 200]
    assert result.issues == [] and cell(gsheets, "M-0001", "reason") == "사유 1"


def test_a_refused_close_is_sent_again_and_lands_once(backend, gsheets):
    gsheets.script(Fault(503, kind="spreadsheets.batchUpdate"))  # the open
    gsheets.before_request(3, lambda s: s.script(Fault(503, kind="spreadsheets.batchUpdate")))
    result = write_tables(backend, reason_updates(1, 2))
    assert result.issues == []
    assert [cell(gsheets, f"M-{i:04d}", "reason") for i in (1, 2)] == ["사유 1", "사유 2"]
    assert windows(gsheets) == []


def test_a_close_that_hangs_past_the_timeout_never_lands_after_a_later_edit(make_google_backend, gsheets):
    """Measured before: a write that stalled past the timeout landed later and reset a 거절 typed
    meanwhile. Now the job deletes the fence once it gives up, and the late close fails on it."""
    backend = make_google_backend({"매칭": [HEADER, *(match_row(i) for i in range(1, 4))]}, timeout=0.4)
    backend.list_tabs()
    landed = threading.Event()

    def late(server: SheetsServer) -> None:  # after the job gave up and wrote again: a person decides
        server.person(KEY, "매칭", Edit("type", row=2, col=COL["reason"], value="직원이 고침", who=EDITOR))
        landed.set()

    gsheets.before_request(2, lambda s: s.script(Fault.stalled(1.5, kind="spreadsheets.batchUpdate", then=late)))
    result = write_tables(backend, reason_updates(1))
    assert result.issues == [] and cell(gsheets, "M-0001", "reason") == "사유 1"  # the retry landed
    assert landed.wait(5)
    deadline = time.monotonic() + 5
    while gsheets.requests("spreadsheets.batchUpdate")[1].status == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    stalled = gsheets.requests("spreadsheets.batchUpdate")[1]
    assert stalled.status == 400  # the hung close was refused when it arrived
    assert cell(gsheets, "M-0001", "reason") == "직원이 고침"  # the person's later edit stands
    assert windows(gsheets) == []


def test_a_window_left_by_a_killed_run_is_removed_at_the_next_open(backend, gsheets):
    old = window_description("deadbeef", dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    gsheets.tab(KEY, "매칭").protected.append(
        {"protectedRangeId": 77, "description": old, "range": {"sheetId": gsheets.tab(KEY, "매칭").sheet_id}}
    )
    result = write_tables(backend, reason_updates(1))
    assert result.issues == [] and windows(gsheets) == []
    assert gsheets.person(KEY, "매칭", Edit("type", row=3, col=2, value="2", who=EDITOR))


def test_compare_and_set_uses_the_value_at_write_time(backend, gsheets):
    """A person who confirms a pair after the job read it (before its window opens) wins."""
    base = write_tables  # noqa: F841 - readability
    from automation.sheets.table import read_tables

    table = read_tables(backend, [SCHEMA])["매칭"]
    gsheets.person(KEY, "매칭", Edit("type", row=3, col=COL["status"], value="확정", who=EDITOR))
    update = RowUpdate({"status": "미배정", "market_code": "", "market_name": ""}, id="M-0002")
    result = write_tables(
        backend, [TabWrite(SCHEMA, [update], allow={"status", "market_code", "market_name"}, base=table)]
    )
    assert [i.code for i in result.issues] == ["row_changed"]
    assert (
        result.issues[0].message == "3행의 '상태'이(가) 작업 중에 바뀌어 쓰지 않았습니다 (사람이 고친 값을 우선합니다)."
    )
    assert cell(gsheets, "M-0002", "status") == "확정" and cell(gsheets, "M-0002", "market_code") == "MK2"


def test_updates_and_new_rows_land_together_or_not_at_all(backend, gsheets):
    gsheets.before_request(
        2, lambda s: s.script(Fault(400, "Invalid requests[0]: simulated refusal", kind="spreadsheets.batchUpdate"))
    )
    writes = [
        TabWrite(
            SCHEMA, [RowUpdate({"reason": "새 사유"}, id="M-0001")], appends=[{"match_id": "M-0100", "status": "제안"}]
        )
    ]
    with pytest.raises(Exception):  # noqa: B017 - a refused close is an error of the step
        write_tables(backend, writes)
    assert cell(gsheets, "M-0001", "reason") == "" and len(gsheets.values(KEY, "매칭")) == 6
    assert windows(gsheets) == []  # the window was closed without writing
    assert write_tables(backend, writes).issues == []
    assert cell(gsheets, "M-0001", "reason") == "새 사유" and cell(gsheets, "M-0100", "status") == "제안"


def test_an_owner_inserting_a_row_over_an_id_less_row_gets_its_new_id_on_the_right_row(make_google_backend, gsheets):
    """First validate on rows without IDs, with a row inserted at the top in the window's instant
    (measured before: every new ID and 검증결과 landed one row off, and nothing was reported)."""
    schema = default_schemas()["참여신청"]
    col = {c.key: i for i, c in enumerate(schema.columns, start=1)}
    rows = []
    for i in range(1, 5):
        r = [""] * len(schema.columns)
        r[col["org_name"] - 1] = f"기관{i}"
        rows.append(r)
    backend = make_google_backend({"참여신청": [schema.headers, *rows]})
    from automation.sheets.table import read_tables

    table = read_tables(backend, [schema])["참여신청"]  # metadata + values: request 1 is now the open
    updates = [
        RowUpdate(
            {"application_id": f"A-2026-{n:04d}", "validation_result": "정상"},
            row=r.number,
            fingerprint=table.fingerprint(r),
            content=table.fingerprint(r),
        )
        for n, r in enumerate(table.data_rows(), start=1)
    ]
    inserted = [""] * len(schema.columns)
    inserted[col["org_name"] - 1] = "새로 끼운 기관"
    gsheets.before_request(
        2, lambda s: s.person("1MasterTestKey_abcdefghij", "참여신청", Edit("insert", row=2, values=tuple(inserted)))
    )
    result = write_tables(backend, [TabWrite(schema, updates, base=table)])
    assert {i.code for i in result.issues} == {"write_repaired"}, result.issues
    rows_now = [
        r + [""] * (len(schema.columns) - len(r)) for r in gsheets.values("1MasterTestKey_abcdefghij", "참여신청")[1:]
    ]
    final = {r[col["org_name"] - 1]: (r[col["application_id"] - 1], r[col["validation_result"] - 1]) for r in rows_now}
    assert final == {"새로 끼운 기관": ("", ""), **{f"기관{i}": (f"A-2026-{i:04d}", "정상") for i in range(1, 5)}}
