"""The run lock for Google Sheets, kept inside the master spreadsheet: a hidden tab ``_잠금`` that
only the service account may edit.

Taking it is one atomic ``spreadsheets.batchUpdate``: ``addSheet`` of the fixed title (Google
refuses it when a tab of that title exists — the create-if-absent), the holder's row (command,
computer, PID, run ID, since, expiry) and the protection, all or nothing. A holder renews the
expiry while it works; a crashed holder's lock expires and the next desk breaks it with one more
atomic batch that deletes the old tab *by its sheetId* and adds a new one — two desks breaking the
same stale lock cannot both win, because the second's delete names a tab that is gone.
Releasing deletes the tab (by its sheetId, so a lock someone else took after ours expired stays).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from automation.clock import SEOUL
from automation.errors import GoogleError, GoogleUnavailableError, RunLockedError
from automation.sheets.google_core import GoogleCore

log = logging.getLogger(__name__)

LOCK_TAB = "_잠금"
HEADER = ("작업", "컴퓨터", "PID", "실행ID", "시작", "만료", "만료(초)", "안내")
NOTE = (
    "onemarket 작업이 쓰는 중이라는 표시입니다. 지우지 마세요. 작업이 비정상 종료되었으면 "
    "만료 시각이 지난 뒤 다음 작업이 스스로 정리합니다."
)
_EXPIRY_COL = HEADER.index("만료")


@dataclass(frozen=True)
class Holder:
    command: str
    host: str
    pid: str
    run_id: str
    since: str
    expires_text: str
    expires: float  # seconds since the epoch; 0 when unreadable (treated as expired)

    def describe(self) -> str:
        return (
            f"{self.command}, 컴퓨터 {self.host} (PID {self.pid}), 실행 {self.run_id}, "
            f"{self.since}부터, 만료 {self.expires_text}"
        )


def _stamp(at: float) -> str:
    return dt.datetime.fromtimestamp(at, SEOUL).strftime("%Y-%m-%d %H:%M:%S")


def _cell(value: str) -> dict[str, Any]:
    return {"userEnteredValue": {"stringValue": value}}


class SpreadsheetLock:
    """One holder at a time per spreadsheet. ``acquire`` → work (``renew`` now and then, or
    ``start_renewing``) → ``release``."""

    def __init__(
        self,
        backend: GoogleCore,
        command: str,
        *,
        ttl: float = 600.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        poll: float = 3.0,
    ) -> None:
        self.backend = backend
        self.command = command
        self.ttl = ttl
        self.clock = clock
        self.sleep = sleep
        self.poll = poll
        self.run_id = uuid.uuid4().hex[:12]
        self.sheet_id: int | None = None
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the holder's row -----------------------------------------------------------------------

    def _row(self, since: float) -> list[str]:
        expires = since + self.ttl
        return [
            self.command,
            socket.gethostname(),
            str(os.getpid()),
            self.run_id,
            _stamp(since),
            _stamp(expires),
            f"{expires:.3f}",
            NOTE,
        ]

    def _add_requests(self, sid: int) -> list[dict[str, Any]]:
        now = self.clock()
        rows = [{"values": [_cell(h) for h in HEADER]}, {"values": [_cell(v) for v in self._row(now)]}]
        out: list[dict[str, Any]] = [
            {
                "addSheet": {
                    "properties": {
                        "sheetId": sid,
                        "title": LOCK_TAB,
                        "hidden": True,
                        "gridProperties": {"rowCount": 2, "columnCount": len(HEADER)},
                    }
                }
            },
            {
                "updateCells": {
                    "start": {"sheetId": sid, "rowIndex": 0, "columnIndex": 0},
                    "rows": rows,
                    "fields": "userEnteredValue",
                }
            },
        ]
        if self.backend.service_email:
            out.append(
                {
                    "addProtectedRange": {
                        "protectedRange": {
                            "range": {"sheetId": sid},
                            "description": f"onemarket 잠금 {self.run_id}",
                            "warningOnly": False,
                            "editors": {"users": [self.backend.service_email]},
                        }
                    }
                }
            )
        return out

    def holder(self) -> tuple[int | None, Holder | None]:
        """(sheetId of the lock tab, who holds it) — (None, None) when nobody does."""
        self.backend._tabs = None
        tab = self.backend._lookup([LOCK_TAB])[LOCK_TAB]
        if tab is None:
            return None, None
        rows = self.backend.read([LOCK_TAB])[LOCK_TAB].rows  # row number → cells; 1 is the header
        values = [*rows.get(2, []), *[""] * len(HEADER)]
        try:
            expires = float(values[6])
        except ValueError:
            expires = 0.0
        command, host, pid, run_id, since, expires_text = (v or "?" for v in values[:6])
        return tab.sheet_id, Holder(command, host, pid, run_id, since, expires_text, expires)

    # -- taking, renewing, giving back ----------------------------------------------------------

    def _try(self, stale: int | None) -> bool:
        sid = random.randrange(1, 2**31 - 1)
        requests_ = ([{"deleteSheet": {"sheetId": stale}}] if stale is not None else []) + self._add_requests(sid)
        try:
            self.backend._call(self.backend.http.batch_update, self.backend.key, {"requests": requests_})
        except GoogleUnavailableError:
            return False  # no answer: whether it landed is read back from the tab
        except GoogleError as exc:
            if "already exists" in exc.message or "No grid with id" in exc.message:
                return False  # somebody else holds it, or broke the stale lock first
            raise
        finally:
            self.backend._tabs = None
        self.sheet_id = sid
        return True

    def acquire(self, wait: float = 0.0) -> None:
        deadline = self.clock() + max(wait, 0.0)
        while True:
            if self._try(None):
                return
            sid, who = self.holder()
            if who is not None and who.run_id == self.run_id:
                self.sheet_id = sid  # our own add landed although its answer was lost
                return
            if sid is not None and who is not None and who.expires <= self.clock():
                log.warning("lock of %s expired; breaking it", who.describe())
                if self._try(sid):
                    return
                continue
            if self.clock() >= deadline:
                where = who.describe() if who is not None else "잠금을 막 풀고 있음"
                raise RunLockedError(
                    f"다른 onemarket 작업이 같은 스프레드시트에 쓰는 중이라 '{self.command}'을(를) 건너뜁니다 — {where} "
                    f"(잠금: {self.backend.location}의 숨은 탭 '{LOCK_TAB}'). 끝난 뒤 다시 실행하거나 --wait 초를 주세요. "
                    "그 작업이 비정상 종료되었다면 만료 시각이 지나면 잠금이 저절로 풀립니다."
                )
            self.sleep(min(self.poll, max(deadline - self.clock(), 0.05)))

    def renew(self) -> bool:
        """Push the expiry forward; False (and ``lost``) when our tab is gone (broken as stale)."""
        if self.sheet_id is None or self.lost:
            return False
        now = self.clock()
        row = self._row(now)
        body = {
            "requests": [
                {
                    "updateCells": {
                        "start": {"sheetId": self.sheet_id, "rowIndex": 1, "columnIndex": _EXPIRY_COL},
                        "rows": [{"values": [_cell(row[_EXPIRY_COL]), _cell(row[_EXPIRY_COL + 1])]}],
                        "fields": "userEnteredValue",
                    }
                }
            ]
        }
        try:
            self.backend._call(self.backend.http.batch_update, self.backend.key, body)
        except GoogleError as exc:
            if "No grid with id" in exc.message:
                self.lost = True
                log.error(
                    "the run lock in %s was taken over (this run took longer than its expiry)", self.backend.location
                )
                return False
            log.warning("lock not renewed: %s", exc.message)
        return True

    def start_renewing(self) -> None:
        """Renew every third of the expiry in a background thread until ``release``."""

        def loop() -> None:
            while not self._stop.wait(self.ttl / 3):
                if not self.renew():
                    return

        self._thread = threading.Thread(target=loop, name="onemarket-lock-renewal", daemon=True)
        self._thread.start()

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.sheet_id is None or self.lost:
            return
        try:
            self.backend._call(
                self.backend.http.batch_update,
                self.backend.key,
                {"requests": [{"deleteSheet": {"sheetId": self.sheet_id}}]},
            )
        except GoogleError as exc:
            log.warning("run lock not removed (%s); it expires by itself", exc.message)
        finally:
            self.backend._tabs = None
            self.sheet_id = None
