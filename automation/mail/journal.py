"""The mail journal: a durable at-most-once record of every notice, kept in the workbook.

One row per (match_id, role, template) in master's hidden ``_발송기록`` tab, so every computer that
runs the job knows what went out (DESIGN.md "Where state lives"). A message is sent only after its
row says ``sending`` *in the workbook* — written through the guarded writes and, for .xlsx, saved —
a batch of messages at a time (two writes per batch, whatever its size). A crash at any point leaves
either "not sent" or a ``sending`` row that :meth:`MailJournal.recover_stale` turns into ``review``
(확인필요) — never a silent second copy. An older workspace's ``.onemarket/mail.sqlite3`` is taken in
once (read only) and renamed ``.migrated``.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from types import TracebackType

from automation.clock import SEOUL
from automation.errors import MailError, OnemarketError
from automation.job_tabs import ensure_job_tabs
from automation.mail.transport import SendResult
from automation.schema import TABS, SchemaSet
from automation.sheets.base import Backend, resolve_titles
from automation.sheets.table import Row, Table, read_tables
from automation.sheets.writes import RowUpdate, TabWrite, WriteResult, write_tables

ROLES = ("org", "market")
STALE_REASON = "발송 중 중단됨 — 수신 여부 확인 필요"
LABEL_REASON_LIMIT = 40


class State(StrEnum):
    PLANNED = "planned"
    SENDING = "sending"
    SENT = "sent"
    FAILED_TRANSIENT = "failed_transient"
    FAILED = "failed"
    REVIEW = "review"


_COLUMNS = (
    "match_id",
    "role",
    "template",
    "recipient",
    "cc",
    "subject",
    "message_id",
    "state",
    "reason",
    "attempts",
    "created_at",
    "updated_at",
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM mail"  # the legacy SQLite journal


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
    return Entry(
        str(values["match_id"]),
        str(values["role"]),
        str(values["template"]),
        str(values["recipient"]),
        tuple(a for a in cc.split(", ") if a),
        str(values["subject"]),
        str(values["message_id"]),
        State(str(values["state"])),
        str(values["reason"]),
        int(str(values["attempts"])),
        str(values["created_at"]),
        str(values["updated_at"]),
    )


def _now() -> dt.datetime:
    return dt.datetime.now(SEOUL)


def mail_key(match_id: str, role: str, template: str) -> str:
    return f"{match_id}|{role}|{template}"


Item = tuple[str, str, str, str, Sequence[str], str, str]  # match_id, role, template, to, cc, subject, message_id


class MailJournal:
    """The journal of one master workbook, for one run (written under the run lock)."""

    def __init__(
        self,
        backend: Backend,
        schemas: SchemaSet,
        *,
        max_attempts: int = 3,
        clock: Callable[[], dt.datetime] = _now,
        create: bool = True,
        legacy: Path | None = None,
        table: Table | None = None,
    ) -> None:
        self.backend, self.schema, self.max_attempts, self._clock = backend, schemas[TABS.mail_log], max_attempts, clock
        self.entries_by_key: dict[tuple[str, str, str], Entry] = {}
        self.present: set[str] = set()
        self.pending: dict[tuple[str, str, str], Entry] = {}
        self.moved_from: Path | None = None
        self.live = create
        if create and table is None:
            ensure_job_tabs(backend, [self.schema])
        if (
            table is None
            and resolve_titles([TABS.mail_log], backend.list_tabs(), backend.location)[TABS.mail_log] is not None
        ):
            table = read_tables(backend, [self.schema])[TABS.mail_log]
        if table is not None:  # read by the step with its other tabs, or just now
            for row in table.rows:
                entry = _from_row(row)
                if entry is not None:
                    self.entries_by_key[entry.key] = entry
                    self.present.add(row["mail_key"].strip())
        if legacy is not None and not self.entries_by_key:
            self._take_in(legacy / "mail.sqlite3")

    # -- the legacy file ------------------------------------------------------------------------
    def _take_in(self, path: Path) -> None:
        if not path.is_file():
            return
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                rows = db.execute(f"{_SELECT} ORDER BY match_id, role, template").fetchall()
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise MailError(
                f"이전 메일 기록 파일 {path}을(를) 읽을 수 없습니다 ({exc}). 어떤 메일을 이미 보냈는지가 이 "
                "파일에 있으므로 그냥 넘어가지 않았습니다. 백업에서 되살리거나, 보낸 메일함과 시트를 확인한 뒤 "
                "파일을 다른 이름으로 옮기고 다시 실행하세요."
            ) from exc
        for row in rows:
            entry = _entry(row)
            self.entries_by_key[entry.key] = entry
            self.pending[entry.key] = entry
        self.moved_from = path

    # -- reading --------------------------------------------------------------------------------
    def get(self, match_id: str, role: str, template: str) -> Entry | None:
        return self.entries_by_key.get((match_id, role, template))

    def entries(self, match_id: str | None = None) -> list[Entry]:
        return sorted(
            (e for e in self.entries_by_key.values() if match_id is None or e.match_id == match_id), key=lambda e: e.key
        )

    def may_send(self, entry: Entry | None, max_attempts: int | None = None) -> bool:
        """True for no row, ``planned``, or ``failed_transient`` with attempts left; never otherwise."""
        limit = self.max_attempts if max_attempts is None else max_attempts
        if entry is None or entry.state == State.PLANNED:
            return True
        return entry.state == State.FAILED_TRANSIENT and entry.attempts < limit

    # -- changes (held until flush) ------------------------------------------------------------------
    def _put(self, entry: Entry) -> Entry:
        self.entries_by_key[entry.key] = entry
        self.pending[entry.key] = entry
        return entry

    def begin_many(self, items: Iterable[Item], extra: Sequence[TabWrite] = ()) -> list[Entry]:
        """Every item → ``sending`` (attempts + 1), written to the workbook (saved for .xlsx) before this
        returns: only then may the caller talk to the mail server. Raises MailError otherwise."""
        now = self._stamp()
        begun = []
        for match_id, role, template, to, cc, subject, message_id in items:
            _check_role(role)
            current = self.get(match_id, role, template)
            if not self.may_send(current):
                state = current.state.value if current else "-"
                raise MailError(
                    f"이미 처리된 메일이라 다시 보내지 않습니다: {match_id}/{role}/{template} (상태 {state}). "
                    "다시 보내야 한다면 매칭 탭의 메일요청에 '재발송'을 고르세요."
                )
            attempts = (current.attempts if current else 0) + 1
            begun.append(
                self._put(
                    Entry(
                        match_id,
                        role,
                        template,
                        to,
                        tuple(cc),
                        subject,
                        message_id,
                        State.SENDING,
                        "",
                        attempts,
                        current.created_at if current else now,
                        now,
                    )
                )
            )
        self.flush(extra)
        return begun

    def begin(
        self,
        match_id: str,
        role: str,
        template: str,
        *,
        recipient: str,
        cc: str | Sequence[str],
        subject: str,
        message_id: str,
    ) -> Entry:
        cc_list = [a.strip() for a in (cc.split(",") if isinstance(cc, str) else cc) if a.strip()]
        return self.begin_many([(match_id, role, template, recipient, cc_list, subject, message_id)])[0]

    def finish_many(self, results: Iterable[tuple[Entry, SendResult]], extra: Sequence[TabWrite] = ()) -> list[Entry]:
        """``sending`` → sent / failed_transient / failed / review (or back, for one never tried)."""
        out = []
        for entry, result in results:
            current = self.get(*entry.key)
            if current is None or current.state != State.SENDING or current.message_id != entry.message_id:
                raise MailError(
                    f"메일 기록이 발송 중 상태가 아닙니다: {'/'.join(entry.key)}. 다른 실행이 같은 기록을 "
                    "바꿨을 수 있으니 작업기록을 확인하세요."
                )
            if result.status == "not_tried":  # begun in a batch, then the batch stopped before it
                state = State.PLANNED if entry.attempts <= 1 else State.FAILED_TRANSIENT
                out.append(
                    self._put(replace(current, state=state, attempts=entry.attempts - 1, updated_at=self._stamp()))
                )
                continue
            state, reason = self._outcome(current, result)
            out.append(self._put(replace(current, state=state, reason=reason, updated_at=self._stamp())))
        self.flush(extra)
        return out

    def finish(self, entry: Entry, result: SendResult) -> Entry:
        return self.finish_many([(entry, result)])[0]

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
        """Every ``sending`` row left by a run that stopped mid-send → ``review`` (under the run lock)."""
        stale = [e for e in self.entries_by_key.values() if e.state == State.SENDING]
        for entry in stale:
            self._put(replace(entry, state=State.REVIEW, reason=STALE_REASON, updated_at=self._stamp()))
        if stale:
            self.flush()
        return [self.entries_by_key[e.key] for e in stale]

    def confirm(self, match_id: str, role: str, template: str) -> Entry | None:
        """Staff say it arrived (발송확인): recorded as sent; nothing is sent."""
        entry = self.get(match_id, role, template)
        if entry is None or entry.state not in (State.REVIEW, State.FAILED, State.FAILED_TRANSIENT, State.SENDING):
            return None
        return self._put(replace(entry, state=State.SENT, reason="직원이 수신을 확인함", updated_at=self._stamp()))

    def reopen(self, match_id: str, role: str, template: str) -> Entry | None:
        """Staff ask for one more send (재발송): the row may be sent once more, with a new Message-ID."""
        entry = self.get(match_id, role, template)
        if entry is None or entry.state in (State.PLANNED, State.SENDING):
            return entry
        reason = f"재발송 요청 (이전 {entry.message_id or '-'}, {entry.state.value})"
        return self._put(replace(entry, state=State.PLANNED, attempts=0, reason=reason[:200], updated_at=self._stamp()))

    # -- the write -------------------------------------------------------------------------------
    def flush(self, extra: Sequence[TabWrite] = ()) -> WriteResult:
        """The held changes (and ``extra``, e.g. the 매칭 labels) in one guarded write; .xlsx is saved."""
        writes = [w for w in ([self._tab_write()] if self.pending else []) if w is not None] + list(extra)
        if not writes or not self.live:
            return WriteResult()
        try:
            result = write_tables(self.backend, writes)
            self.backend.commit()  # .xlsx: on disk now; Google: already written
        except OnemarketError as exc:
            raise MailError(
                f"메일 기록을 워크북에 남기지 못해 이번 메일은 보내지 않았습니다 ({exc.message}). "
                "다음 실행에서 다시 합니다."
            ) from exc
        lost = [i for i in result.issues if i.tab == TABS.mail_log]
        if lost:
            raise MailError(f"메일 기록 {len(lost)}건을 워크북에 쓰지 못해 보내지 않았습니다: {lost[0].message}")
        self.present |= {mail_key(*k) for k in self.pending}
        self.pending.clear()
        if self.moved_from is not None and self.moved_from.is_file():
            self.moved_from.replace(self.moved_from.with_name(self.moved_from.name + ".migrated"))
            self.moved_from = None
        return result

    def _tab_write(self) -> TabWrite:
        updates, appends = [], []
        for key, e in sorted(self.pending.items()):
            values = {
                "match_id": e.match_id,
                "role": e.role,
                "template": e.template,
                "recipient": e.recipient,
                "cc": ", ".join(e.cc),
                "subject": e.subject,
                "message_id": e.message_id,
                "state": e.state.value,
                "reason": e.reason,
                "attempts": str(e.attempts),
                "created_at": e.created_at,
                "updated_at": e.updated_at,
            }
            if mail_key(*key) in self.present:
                updates.append(RowUpdate(values, id=mail_key(*key)))
            else:
                appends.append({"mail_key": mail_key(*key), **values})
        return TabWrite(self.schema, updates, appends)

    def _stamp(self) -> str:
        return self._clock().astimezone(SEOUL).isoformat(timespec="seconds")

    def close(self) -> None:
        """Nothing to close (kept for callers written for the file journal)."""

    def __enter__(self) -> MailJournal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _from_row(row: Row) -> Entry | None:
    get = row.__getitem__
    try:
        state = State(get("state").strip())
    except ValueError:
        return None
    if not get("match_id").strip() or get("role").strip() not in ROLES:
        return None
    cc = tuple(a.strip() for a in get("cc").split(",") if a.strip())
    try:
        attempts = int(get("attempts") or 0)
    except ValueError:
        attempts = 0
    return Entry(
        get("match_id").strip(),
        get("role").strip(),
        get("template").strip(),
        get("recipient").strip(),
        cc,
        get("subject"),
        get("message_id").strip(),
        state,
        get("reason"),
        attempts,
        get("created_at").strip(),
        get("updated_at").strip(),
    )


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
        reason = (
            entry.reason if len(entry.reason) <= LABEL_REASON_LIMIT else entry.reason[: LABEL_REASON_LIMIT - 1] + "…"
        )
        return f"발송실패: {reason}" if reason else "발송실패"
    if entry.state == State.FAILED_TRANSIENT:
        return "재시도 예정"
    if entry.state == State.PLANNED:
        return "발송 예정" if entry.reason.startswith("재발송") else ""
    return "발송중"
