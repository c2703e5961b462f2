"""The mail journal: a durable at-most-once record of every notice (SQLite, one file).

One row per (match_id, role, template). A message is sent only after its row says ``sending`` on
disk (each transition is its own committed transaction with ``synchronous=FULL``), so a crash at
any point leaves either "not sent" or a ``sending`` row that :meth:`MailJournal.recover_stale`
turns into ``review`` (확인필요) — never a silent second copy.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType

from automation.errors import MailError
from automation.mail.message import SEOUL
from automation.mail.transport import SendResult

ROLES = ("org", "market")
STALE_REASON = "발송 중 중단됨 — 수신 여부 확인 필요"
LABEL_REASON_LIMIT = 40
SCHEMA_VERSION = 1


class State(StrEnum):
    PLANNED = "planned"
    SENDING = "sending"
    SENT = "sent"
    FAILED_TRANSIENT = "failed_transient"
    FAILED = "failed"
    REVIEW = "review"


_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS mail (
    match_id   TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ({", ".join(repr(r) for r in ROLES)})),
    template   TEXT NOT NULL,
    recipient  TEXT NOT NULL DEFAULT '',
    cc         TEXT NOT NULL DEFAULT '',
    subject    TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL CHECK (state IN ({", ".join(repr(s.value) for s in State)})),
    reason     TEXT NOT NULL DEFAULT '',
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (match_id, role, template)
)"""
_COLUMNS = ("match_id", "role", "template", "recipient", "cc", "subject", "message_id", "state", "reason",
            "attempts", "created_at", "updated_at")
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM mail"


@dataclass(frozen=True)
class Entry:
    match_id: str
    role: str
    template: str
    recipient: str
    cc: tuple[str, ...]
    subject: str
    message_id: str
    state: State
    reason: str
    attempts: int
    created_at: str  # ISO 8601, +09:00
    updated_at: str

    @property
    def key(self) -> tuple[str, str, str]:
        return self.match_id, self.role, self.template


def _entry(row: Sequence[object]) -> Entry:
    values = dict(zip(_COLUMNS, row, strict=True))
    cc = str(values["cc"])
    return Entry(str(values["match_id"]), str(values["role"]), str(values["template"]), str(values["recipient"]),
                 tuple(a for a in cc.split(", ") if a), str(values["subject"]), str(values["message_id"]),
                 State(str(values["state"])), str(values["reason"]), int(str(values["attempts"])),
                 str(values["created_at"]), str(values["updated_at"]))


def _now() -> dt.datetime:
    return dt.datetime.now(SEOUL)


class MailJournal:
    """``with MailJournal(state_dir / "mail.sqlite3") as journal: ...`` (one writer: the run lock holder)."""

    def __init__(self, path: Path, *, max_attempts: int = 3, timeout: float = 5.0,
                 clock: Callable[[], dt.datetime] = _now) -> None:
        self.path, self.max_attempts, self._clock = path, max_attempts, clock
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise self._error(exc) from exc
        try:
            self._db.execute("PRAGMA synchronous = FULL")
            self._check_and_create()
        except sqlite3.Error as exc:
            self._db.close()
            raise self._error(exc) from exc

    def _error(self, exc: BaseException) -> MailError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return MailError(f"메일 기록 파일을 다른 프로그램이 쓰고 있습니다: {self.path}. 다른 onemarket 실행이나 "
                             "이 파일을 연 프로그램이 끝난 뒤 다시 실행하세요.")
        return MailError(f"메일 기록 파일을 읽을 수 없습니다: {self.path} ({text}). 어떤 메일을 이미 보냈는지가 이 파일에 "
                         "있으므로 새로 만들지 않았습니다. 백업에서 되살리거나, 보낸 메일함과 시트를 확인한 뒤 파일을 "
                         "다른 이름으로 옮기고 다시 실행하세요.")

    def _check_and_create(self) -> None:
        if self._db.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise sqlite3.DatabaseError("database disk image is malformed")
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if tables and ("mail" not in tables or version != SCHEMA_VERSION):
            raise sqlite3.DatabaseError("not an onemarket mail journal")
        if "mail" in tables:
            found = tuple(r[1] for r in self._db.execute("PRAGMA table_info(mail)"))
            if found != _COLUMNS:
                raise sqlite3.DatabaseError("unexpected columns in the mail table")
            return
        with self._transaction():
            self._db.execute(_SCHEMA)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT: the change is on disk when this block ends."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> MailJournal:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- reading --------------------------------------------------------------------------------
    def get(self, match_id: str, role: str, template: str) -> Entry | None:
        try:
            row = self._db.execute(f"{_SELECT} WHERE match_id = ? AND role = ? AND template = ?",
                                   (match_id, role, template)).fetchone()
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        return _entry(row) if row else None

    def entries(self, match_id: str | None = None) -> list[Entry]:
        where, args = (" WHERE match_id = ?", (match_id,)) if match_id is not None else ("", ())
        try:
            rows = self._db.execute(f"{_SELECT}{where} ORDER BY match_id, role, template", args).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        return [_entry(r) for r in rows]

    def may_send(self, entry: Entry | None, max_attempts: int | None = None) -> bool:
        """True for no row, ``planned``, or ``failed_transient`` with attempts left; never otherwise."""
        limit = self.max_attempts if max_attempts is None else max_attempts
        if entry is None or entry.state == State.PLANNED:
            return True
        return entry.state == State.FAILED_TRANSIENT and entry.attempts < limit

    # -- transitions (each one committed) -------------------------------------------------------
    def plan(self, match_id: str, role: str, template: str, *, recipient: str, cc: str | Sequence[str] = (),
             subject: str = "") -> Entry:
        """Record ``planned`` if there is no row yet (an existing row is left as it is)."""
        _check_role(role)
        now = self._stamp()
        with self._transaction():
            self._db.execute("INSERT OR IGNORE INTO mail VALUES (?, ?, ?, ?, ?, ?, '', ?, '', 0, ?, ?)",
                             (match_id, role, template, recipient, _cc_text(cc), subject, State.PLANNED.value,
                              now, now))
        return self._must_get(match_id, role, template)

    def begin(self, match_id: str, role: str, template: str, *, recipient: str, cc: str | Sequence[str],
              subject: str, message_id: str) -> Entry:
        """→ ``sending`` with attempts + 1, committed before the caller talks to the server.

        Raises MailError when the row may not be sent (already sent, in review, out of attempts).
        """
        _check_role(role)
        now = self._stamp()
        with self._transaction():
            current = self.get(match_id, role, template)
            if not self.may_send(current):
                state = current.state.value if current else "-"
                raise MailError(f"이미 처리된 메일이라 다시 보내지 않습니다: {match_id}/{role}/{template} (상태 {state}). "
                                "다시 보내야 한다면 발송 기록을 확인한 담당자가 처리하세요.")
            self._db.execute(
                "INSERT INTO mail VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', 1, ?, ?) "
                "ON CONFLICT (match_id, role, template) DO UPDATE SET recipient = excluded.recipient, "
                "cc = excluded.cc, subject = excluded.subject, message_id = excluded.message_id, "
                "state = excluded.state, reason = '', attempts = attempts + 1, updated_at = excluded.updated_at",
                (match_id, role, template, recipient, _cc_text(cc), subject, message_id, State.SENDING.value,
                 now, now))
        return self._must_get(match_id, role, template)

    def finish(self, entry: Entry, result: SendResult) -> Entry:
        """``sending`` → sent / failed_transient / failed / review, with the reason."""
        state, reason = self._outcome(entry, result)
        with self._transaction():
            changed = self._db.execute(
                "UPDATE mail SET state = ?, reason = ?, updated_at = ? WHERE match_id = ? AND role = ? "
                "AND template = ? AND state = ? AND message_id = ?",
                (state.value, reason, self._stamp(), *entry.key, State.SENDING.value, entry.message_id)).rowcount
            if changed != 1:
                raise MailError(f"메일 기록이 발송 중 상태가 아닙니다: {'/'.join(entry.key)}. 다른 실행이 같은 기록을 "
                                "바꿨을 수 있으니 작업기록을 확인하세요.")
        return self._must_get(*entry.key)

    def _outcome(self, entry: Entry, result: SendResult) -> tuple[State, str]:
        if result.status == "sent":
            refused = ", ".join(f"{a} ({why})" for a, why in result.refused.items())
            return State.SENT, f"참조 수신 거부: {refused}" if refused else ""
        if result.status == "uncertain":
            return State.REVIEW, result.reason or STALE_REASON
        if result.status == "transient" and entry.attempts < self.max_attempts:
            return State.FAILED_TRANSIENT, result.reason
        if result.status == "transient":
            return State.FAILED, f"{entry.attempts}회 시도 실패: {result.reason}"
        return State.FAILED, result.reason

    def recover_stale(self) -> list[Entry]:
        """Every ``sending`` row left by a run that stopped mid-send → ``review`` (call under the run lock)."""
        with self._transaction():
            keys = [tuple(r) for r in self._db.execute(
                "SELECT match_id, role, template FROM mail WHERE state = ?", (State.SENDING.value,))]
            self._db.execute("UPDATE mail SET state = ?, reason = ?, updated_at = ? WHERE state = ?",
                             (State.REVIEW.value, STALE_REASON, self._stamp(), State.SENDING.value))
        return [self._must_get(*key) for key in keys]

    def _stamp(self) -> str:
        return self._clock().astimezone(SEOUL).isoformat(timespec="seconds")

    def _must_get(self, match_id: str, role: str, template: str) -> Entry:
        entry = self.get(match_id, role, template)
        assert entry is not None
        return entry


def _cc_text(cc: str | Sequence[str]) -> str:
    """Stored as "a@x.kr, b@y.kr" (a string is taken as already joined)."""
    parts = cc.split(",") if isinstance(cc, str) else list(cc)
    return ", ".join(p.strip() for p in parts if p.strip())


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")


def label(entry: Entry) -> str:
    """The Korean sheet text for the row's state."""
    if entry.state == State.SENT:
        return f"발송완료 {dt.datetime.fromisoformat(entry.updated_at).astimezone(SEOUL):%Y-%m-%d %H:%M}"
    if entry.state == State.REVIEW:
        return "확인필요"
    if entry.state == State.FAILED:
        reason = entry.reason if len(entry.reason) <= LABEL_REASON_LIMIT else entry.reason[:LABEL_REASON_LIMIT - 1] + "…"
        return f"발송실패: {reason}" if reason else "발송실패"
    if entry.state == State.FAILED_TRANSIENT:
        return "재시도 예정"
    return "발송중"
