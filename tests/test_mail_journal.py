"""The mail journal in the workbook: every "sending" written (and, for .xlsx, saved) before the mail
server hears of it, crashes become 확인필요, staff close cases, an older SQLite journal is taken in."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from automation.config import load_config
from automation.errors import MailError
from automation.mail import STALE_REASON, Entry, MailJournal, SendResult, State, label
from automation.mail.message import SEOUL
from automation.schema import default_schemas
from automation.setup import jobs
from automation.sheets import open_backend
from automation.sheets.memory import MemoryBackend
from tests.conftest import write_config

SCHEMAS = default_schemas()
T0 = dt.datetime(2026, 11, 29, 10, 31, 5, tzinfo=SEOUL)
KEY = ("M-2026-001", "org", "notice")
SEND: dict[str, Any] = {
    "recipient": "hong@org.example.kr",
    "cc": ["staff@example.go.kr"],
    "subject": "[1社1市場] 협약 안내",
}


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(minutes=1)
        return self.now


@pytest.fixture
def master() -> MemoryBackend:
    return MemoryBackend({})


@pytest.fixture
def journal(master: MemoryBackend) -> MailJournal:
    return MailJournal(master, SCHEMAS, clock=Clock())


def begin(journal: MailJournal, key: tuple[str, str, str] = KEY, message_id: str = "<m1@example.go.kr>") -> Entry:
    return journal.begin(*key, message_id=message_id, **SEND)


def reopened(master: MemoryBackend) -> MailJournal:
    """The journal as the next run (or another computer) sees it: only what is in the workbook."""
    return MailJournal(master, SCHEMAS, clock=Clock())


def test_the_journal_is_a_hidden_tab_and_every_transition_is_in_it(master: MemoryBackend) -> None:
    journal = MailJournal(master, SCHEMAS, clock=Clock())
    assert "_발송기록" in master.tabs and "_발송기록" in master.hidden
    entry = begin(journal)
    assert reopened(master).get(*KEY).state == State.SENDING  # written before the caller may send
    journal.finish(entry, SendResult("sent"))
    again = reopened(master).get(*KEY)
    assert again is not None and (again.state, again.message_id, again.attempts) == (
        State.SENT,
        "<m1@example.go.kr>",
        1,
    )


def test_a_batch_is_one_write_before_and_one_after(master: MemoryBackend) -> None:
    journal = MailJournal(master, SCHEMAS, clock=Clock())
    before = master.requests
    items = [(f"M-{n}", "org", "notice", f"o{n}@x.kr", (), "s", f"<{n}@x>") for n in range(20)]
    begun = journal.begin_many(items)
    middle = master.requests
    journal.finish_many([(e, SendResult("sent")) for e in begun])
    # a guarded write is 2 requests (open, close) whatever the batch size
    assert (middle - before, master.requests - middle) == (2, 2)
    assert {e.state for e in reopened(master).entries()} == {State.SENT}


def test_a_crash_after_sending_is_recorded_becomes_review_never_a_resend(master: MemoryBackend) -> None:
    begin(MailJournal(master, SCHEMAS, clock=Clock()))  # the process dies here
    nxt = reopened(master)
    stale = nxt.recover_stale()
    assert [(e.key, e.state, e.reason) for e in stale] == [(KEY, State.REVIEW, STALE_REASON)]
    assert not nxt.may_send(nxt.get(*KEY))
    assert reopened(master).get(*KEY).state == State.REVIEW  # type: ignore[union-attr]


def _entry(state: State, attempts: int) -> Entry:
    return Entry("M", "org", "notice", "a@b.kr", (), "s", "<x@y>", state, "", attempts, "t", "t")


@pytest.mark.parametrize(
    ("entry", "max_attempts", "allowed"),
    [
        pytest.param(None, 3, True, id="no-row"),
        pytest.param(_entry(State.PLANNED, 0), 3, True, id="planned"),
        pytest.param(_entry(State.FAILED_TRANSIENT, 1), 3, True, id="transient-1-of-3"),
        pytest.param(_entry(State.FAILED_TRANSIENT, 3), 3, False, id="transient-3-of-3"),
        pytest.param(_entry(State.FAILED_TRANSIENT, 3), 5, True, id="transient-3-of-5"),
        pytest.param(_entry(State.SENDING, 1), 3, False, id="sending"),
        pytest.param(_entry(State.SENT, 1), 3, False, id="sent"),
        pytest.param(_entry(State.FAILED, 1), 3, False, id="failed"),
        pytest.param(_entry(State.REVIEW, 1), 3, False, id="review"),
    ],
)
def test_may_send(journal: MailJournal, entry: Entry | None, max_attempts: int, allowed: bool) -> None:
    assert journal.may_send(entry, max_attempts) is allowed


@pytest.mark.parametrize(
    ("result", "attempt", "state", "reason", "sheet"),
    [
        pytest.param(SendResult("sent"), 1, State.SENT, "", "발송완료 2026-11-29 10:33", id="sent"),
        pytest.param(
            SendResult("transient", "450 4.2.1 수신함 일시 사용 불가"),
            1,
            State.FAILED_TRANSIENT,
            "450 4.2.1 수신함 일시 사용 불가",
            "재시도 예정",
            id="transient",
        ),
        pytest.param(
            SendResult("transient", "메일 서버 연결 거부"),
            3,
            State.FAILED,
            "3회 시도 실패: 메일 서버 연결 거부",
            "발송실패: 3회 시도 실패: 메일 서버 연결 거부",
            id="transient-last-attempt",
        ),
        pytest.param(
            SendResult("permanent", "550 5.1.1 수신자 없음 — 이메일 주소 확인"),
            1,
            State.FAILED,
            "550 5.1.1 수신자 없음 — 이메일 주소 확인",
            "발송실패: 550 5.1.1 수신자 없음 — 이메일 주소 확인",
            id="permanent",
        ),
        pytest.param(
            SendResult("uncertain", "본문 전송 후 메일 서버 연결 끊김 — 수신 여부 확인 필요"),
            1,
            State.REVIEW,
            "본문 전송 후 메일 서버 연결 끊김 — 수신 여부 확인 필요",
            "확인필요",
            id="uncertain",
        ),
    ],
)
def test_finish(journal: MailJournal, result: SendResult, attempt: int, state: State, reason: str, sheet: str) -> None:
    for n in range(1, attempt + 1):
        entry = begin(journal, message_id=f"<m{n}@example.go.kr>")
        if n < attempt:
            journal.finish(entry, SendResult("transient", "메일 서버 연결 거부"))
    done = journal.finish(entry, result)
    assert (done.state, done.reason, done.attempts) == (state, reason, attempt)
    assert label(done) == sheet


def test_an_untried_message_of_a_stopped_batch_goes_back(journal: MailJournal) -> None:
    entry = begin(journal)
    back = journal.finish(entry, SendResult("not_tried"))
    assert (back.state, back.attempts) == (State.PLANNED, 0) and journal.may_send(back)
    assert label(back) == ""


def test_begin_refuses_a_row_that_may_not_be_sent(journal: MailJournal) -> None:
    journal.finish(begin(journal), SendResult("sent"))
    with pytest.raises(MailError) as err:
        begin(journal, message_id="<again@example.go.kr>")
    assert err.value.message == (
        "이미 처리된 메일이라 다시 보내지 않습니다: M-2026-001/org/notice (상태 sent). "
        "다시 보내야 한다면 매칭 탭의 메일요청에 '재발송'을 고르세요."
    )


def test_staff_confirm_or_ask_for_exactly_one_more_send(master: MemoryBackend) -> None:
    journal = MailJournal(master, SCHEMAS, clock=Clock())
    journal.finish(begin(journal), SendResult("uncertain", "끊김"))
    assert journal.confirm(*KEY).state == State.SENT  # type: ignore[union-attr]
    journal.flush()
    assert reopened(master).get(*KEY).reason == "직원이 수신을 확인함"  # type: ignore[union-attr]
    j2 = reopened(master)
    assert j2.reopen(*KEY).state == State.PLANNED  # type: ignore[union-attr]
    resent = j2.finish(j2.begin(*KEY, message_id="<m2@x>", **SEND), SendResult("sent"))
    assert (resent.message_id, resent.attempts) == ("<m2@x>", 1)
    j2.flush()
    assert not reopened(master).may_send(reopened(master).get(*KEY))  # and only once


def test_unknown_role_is_a_programming_error(journal: MailJournal) -> None:
    with pytest.raises(ValueError):
        journal.begin("M", "staff", "notice", message_id="<x@y>", **SEND)


def test_a_dry_run_reads_and_never_makes_the_tab(master: MemoryBackend) -> None:
    journal = MailJournal(master, SCHEMAS, create=False)
    assert journal.entries() == [] and "_발송기록" not in master.tabs


def test_on_xlsx_sending_is_saved_to_the_file_before_the_call(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    jobs.init(config)
    journal = MailJournal(open_backend(config, "master"), SCHEMAS, clock=Clock())
    begin(journal)
    ws = openpyxl.load_workbook(config.workbooks["master"])["_발송기록"]  # what another process would read
    rows = [[c for c in r] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert rows[0][0] == "M-2026-001|org|notice" and "sending" in rows[0]


def _legacy(path: Path, state: str = "sent") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE mail (match_id TEXT, role TEXT, template TEXT, recipient TEXT, cc TEXT, subject TEXT, "
        "message_id TEXT, state TEXT, reason TEXT, attempts INTEGER, created_at TEXT, updated_at TEXT)"
    )
    db.execute(
        "INSERT INTO mail VALUES ('M-1', 'org', 'notice', 'a@x.kr', '', 's', '<old@x>', ?, '', 1, "
        "'2026-11-01T10:00:00+09:00', '2026-11-01T10:00:00+09:00')",
        (state,),
    )
    db.commit()
    db.close()


def test_an_older_workspace_journal_is_taken_in_once_without_resending(master: MemoryBackend, tmp_path: Path) -> None:
    path = tmp_path / ".onemarket" / "mail.sqlite3"
    _legacy(path)
    journal = MailJournal(master, SCHEMAS, legacy=path.parent)
    entry = journal.get("M-1", "org", "notice")
    assert entry is not None and entry.state == State.SENT and not journal.may_send(entry)
    journal.flush()
    assert not path.exists() and path.with_name("mail.sqlite3.migrated").exists()
    assert reopened(master).get("M-1", "org", "notice").message_id == "<old@x>"  # type: ignore[union-attr]


def test_a_damaged_older_journal_stops_instead_of_being_ignored(master: MemoryBackend, tmp_path: Path) -> None:
    path = tmp_path / "mail.sqlite3"
    path.write_bytes(b"not a database " * 100)
    with pytest.raises(MailError) as err:
        MailJournal(master, SCHEMAS, legacy=tmp_path)
    assert err.value.message.startswith(f"이전 메일 기록 파일 {path}을(를) 읽을 수 없습니다")
