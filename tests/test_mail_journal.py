"""The mail journal: every transition on disk before the next step, crashes become 확인필요."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from automation.errors import MailError
from automation.mail import STALE_REASON, Entry, MailJournal, SendResult, State, label
from automation.mail.message import SEOUL

REPO = Path(__file__).resolve().parent.parent
T0 = dt.datetime(2026, 11, 29, 10, 31, 5, tzinfo=SEOUL)
KEY = ("M-2026-001", "org", "notice")
SEND: dict[str, Any] = {"recipient": "hong@org.example.kr", "cc": ["staff@example.go.kr"], "subject": "[1社1市場] 협약 안내"}


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(minutes=1)
        return self.now


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "mail.sqlite3"


@pytest.fixture
def journal(path: Path) -> Iterator[MailJournal]:
    with MailJournal(path, clock=Clock()) as j:
        yield j


def begin(journal: MailJournal, key: tuple[str, str, str] = KEY, message_id: str = "<m1@example.go.kr>") -> Entry:
    return journal.begin(*key, message_id=message_id, **SEND)


def test_each_transition_is_on_disk(path: Path) -> None:
    clock = Clock()
    with MailJournal(path, clock=clock) as j:
        assert j.get(*KEY) is None
        entry = begin(j)
    with MailJournal(path, clock=clock) as j:
        assert j.get(*KEY) == entry
        assert (entry.state, entry.attempts, entry.cc) == (State.SENDING, 1, ("staff@example.go.kr",))
        done = j.finish(entry, SendResult("sent"))
    with MailJournal(path) as j:
        assert j.get(*KEY) == done
        assert done.state == State.SENT
        assert (done.created_at, done.updated_at) == ("2026-11-29T10:32:05+09:00", "2026-11-29T10:33:05+09:00")
        assert label(done) == "발송완료 2026-11-29 10:33"


def test_sending_is_committed_before_the_call_a_crash_leaves_it_for_review(path: Path) -> None:
    """A separate process records 'sending' and dies without closing anything (as in a power cut)."""
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(REPO)!r})
        from pathlib import Path
        from automation.mail import MailJournal
        j = MailJournal(Path({str(path)!r}))
        j.begin("M-2026-001", "org", "notice", recipient="hong@org.example.kr", cc=[], subject="s",
                message_id="<crash@example.go.kr>")
        os._exit(9)
    """)
    assert subprocess.run([sys.executable, "-c", script], check=False).returncode == 9
    with MailJournal(path, clock=Clock()) as j:
        assert j.get(*KEY).state == State.SENDING  # type: ignore[union-attr]
        assert not j.may_send(j.get(*KEY))
        [stale] = j.recover_stale()
        assert (stale.key, stale.state, stale.reason) == (KEY, State.REVIEW, STALE_REASON)
        assert STALE_REASON == "발송 중 중단됨 — 수신 여부 확인 필요"
        assert label(stale) == "확인필요"
        assert j.recover_stale() == []
        assert not j.may_send(j.get(*KEY))


def _entry(state: State, attempts: int) -> Entry:
    return Entry("M", "org", "notice", "a@b.kr", (), "s", "<x@y>", state, "", attempts, "t", "t")


@pytest.mark.parametrize(("entry", "max_attempts", "allowed"), [
    pytest.param(None, 3, True, id="no-row"),
    pytest.param(_entry(State.PLANNED, 0), 3, True, id="planned"),
    pytest.param(_entry(State.FAILED_TRANSIENT, 1), 3, True, id="transient-1-of-3"),
    pytest.param(_entry(State.FAILED_TRANSIENT, 2), 3, True, id="transient-2-of-3"),
    pytest.param(_entry(State.FAILED_TRANSIENT, 3), 3, False, id="transient-3-of-3"),
    pytest.param(_entry(State.FAILED_TRANSIENT, 3), 5, True, id="transient-3-of-5"),
    pytest.param(_entry(State.SENDING, 1), 3, False, id="sending"),
    pytest.param(_entry(State.SENT, 1), 3, False, id="sent"),
    pytest.param(_entry(State.FAILED, 1), 3, False, id="failed"),
    pytest.param(_entry(State.REVIEW, 1), 3, False, id="review"),
])
def test_may_send(journal: MailJournal, entry: Entry | None, max_attempts: int, allowed: bool) -> None:
    assert journal.may_send(entry, max_attempts) is allowed


@pytest.mark.parametrize(("result", "attempt", "state", "reason", "sheet"), [
    pytest.param(SendResult("sent"), 1, State.SENT, "", "발송완료 2026-11-29 10:33", id="sent"),
    pytest.param(SendResult("sent", "", {"staff@example.go.kr": "550 5.1.1 수신자 없음 — 이메일 주소 확인"}), 1,
                 State.SENT, "참조 수신 거부: staff@example.go.kr (550 5.1.1 수신자 없음 — 이메일 주소 확인)",
                 "발송완료 2026-11-29 10:33", id="sent-cc-refused"),
    pytest.param(SendResult("transient", "450 4.2.1 수신함 일시 사용 불가"), 1, State.FAILED_TRANSIENT,
                 "450 4.2.1 수신함 일시 사용 불가", "재시도 예정", id="transient"),
    pytest.param(SendResult("transient", "메일 서버 연결 거부"), 3, State.FAILED, "3회 시도 실패: 메일 서버 연결 거부",
                 "발송실패: 3회 시도 실패: 메일 서버 연결 거부", id="transient-last-attempt"),
    pytest.param(SendResult("permanent", "550 5.1.1 수신자 없음 — 이메일 주소 확인"), 1, State.FAILED,
                 "550 5.1.1 수신자 없음 — 이메일 주소 확인", "발송실패: 550 5.1.1 수신자 없음 — 이메일 주소 확인", id="permanent"),
    pytest.param(SendResult("permanent", "571 메일 서버 거부 (a very long explanation from the remote server)"), 1,
                 State.FAILED, "571 메일 서버 거부 (a very long explanation from the remote server)",
                 "발송실패: 571 메일 서버 거부 (a very long explanation f…", id="long-reason-cut"),
    pytest.param(SendResult("uncertain", "본문 전송 후 메일 서버 연결 끊김 — 수신 여부 확인 필요"), 1, State.REVIEW,
                 "본문 전송 후 메일 서버 연결 끊김 — 수신 여부 확인 필요", "확인필요", id="uncertain"),
])
def test_finish(journal: MailJournal, result: SendResult, attempt: int, state: State, reason: str,
                sheet: str) -> None:
    for n in range(1, attempt + 1):
        entry = begin(journal, message_id=f"<m{n}@example.go.kr>")
        if n < attempt:
            journal.finish(entry, SendResult("transient", "메일 서버 연결 거부"))
    done = journal.finish(entry, result)
    assert (done.state, done.reason, done.attempts, done.message_id) == (state, reason, attempt,
                                                                         f"<m{attempt}@example.go.kr>")
    assert label(done) == sheet


@pytest.mark.parametrize(("state", "sheet"), [
    pytest.param(State.PLANNED, "발송중", id="planned"),
    pytest.param(State.SENDING, "발송중", id="sending"),
    pytest.param(State.FAILED_TRANSIENT, "재시도 예정", id="failed-transient"),
    pytest.param(State.REVIEW, "확인필요", id="review"),
    pytest.param(State.FAILED, "발송실패", id="failed-without-reason"),
])
def test_labels(state: State, sheet: str) -> None:
    assert label(_entry(state, 1)) == sheet


def test_begin_refuses_a_row_that_may_not_be_sent(journal: MailJournal) -> None:
    journal.finish(begin(journal), SendResult("sent"))
    with pytest.raises(MailError) as err:
        begin(journal, message_id="<again@example.go.kr>")
    assert err.value.message == ("이미 처리된 메일이라 다시 보내지 않습니다: M-2026-001/org/notice (상태 sent). "
                                 "다시 보내야 한다면 발송 기록을 확인한 담당자가 처리하세요.")
    assert journal.get(*KEY).message_id == "<m1@example.go.kr>"  # type: ignore[union-attr]


def test_finish_twice_is_refused(journal: MailJournal) -> None:
    entry = begin(journal)
    journal.finish(entry, SendResult("sent"))
    with pytest.raises(MailError) as err:
        journal.finish(entry, SendResult("permanent", "x"))
    assert err.value.message == ("메일 기록이 발송 중 상태가 아닙니다: M-2026-001/org/notice. 다른 실행이 같은 기록을 "
                                 "바꿨을 수 있으니 작업기록을 확인하세요.")
    assert journal.get(*KEY).state == State.SENT  # type: ignore[union-attr]


def test_plan_entries_and_cc_forms(journal: MailJournal) -> None:
    planned = journal.plan("M-2", "market", "notice", recipient="market@x.kr", cc="a@x.kr, b@x.kr")
    assert (planned.state, planned.attempts, planned.cc) == (State.PLANNED, 0, ("a@x.kr", "b@x.kr"))
    assert journal.may_send(planned)
    begin(journal)
    journal.begin("M-2", "market", "notice", recipient="market@x.kr", cc="a@x.kr, b@x.kr", subject="s",
                  message_id="<p@x>")
    assert journal.plan("M-2", "market", "notice", recipient="other@x.kr").state == State.SENDING  # left alone
    assert [e.key for e in journal.entries()] == [("M-2", "market", "notice"), KEY]  # sorted by match_id
    assert [e.key for e in journal.entries("M-2")] == [("M-2", "market", "notice")]
    assert journal.get("M-2", "market", "notice").attempts == 1  # type: ignore[union-attr]


def test_unknown_role_is_a_programming_error(journal: MailJournal) -> None:
    with pytest.raises(ValueError):
        journal.begin("M", "staff", "notice", message_id="<x@y>", **SEND)


UNREADABLE = ("메일 기록 파일을 읽을 수 없습니다: {path} ({detail}). 어떤 메일을 이미 보냈는지가 이 파일에 있으므로 새로 만들지 "
              "않았습니다. 백업에서 되살리거나, 보낸 메일함과 시트를 확인한 뒤 파일을 다른 이름으로 옮기고 다시 실행하세요.")


def _garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database, it is a note someone saved here\n" * 100)


def _truncated(path: Path) -> None:
    with MailJournal(path) as j:
        for n in range(300):
            j.begin(f"M-{n:04d}", "org", "notice", message_id=f"<{n}@x>", **SEND)
    data = path.read_bytes()
    path.write_bytes(data[:100] + b"\xff" * 3000 + data[3100:])


def _other_database(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
    db.close()


@pytest.mark.parametrize(("damage", "detail"), [
    pytest.param(_garbage, "file is not a database", id="not-sqlite"),
    pytest.param(_truncated, "database disk image is malformed", id="damaged-pages"),
    pytest.param(_other_database, "not an onemarket mail journal", id="another-database"),
])
def test_unusable_file_is_a_mail_error_and_is_left_alone(path: Path, damage: Any, detail: str) -> None:
    path.parent.mkdir(parents=True)
    damage(path)
    before = path.read_bytes()
    with pytest.raises(MailError) as err:
        MailJournal(path)
    assert err.value.message == UNREADABLE.format(path=path, detail=detail)
    assert path.read_bytes() == before


def test_locked_file_is_a_mail_error(path: Path) -> None:
    MailJournal(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(MailError) as err:
            MailJournal(path, timeout=0.1)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert err.value.message == (f"메일 기록 파일을 다른 프로그램이 쓰고 있습니다: {path}. 다른 onemarket 실행이나 "
                                 "이 파일을 연 프로그램이 끝난 뒤 다시 실행하세요.")


def test_settings_are_durable(journal: MailJournal, path: Path) -> None:
    assert journal._db.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    assert journal._db.isolation_level is None  # every statement outside BEGIN … COMMIT commits on its own
    assert path.is_file()
