"""The Google backend's shared state: credentials and HTTP client, Korean errors, tab metadata.

:class:`automation.sheets.google.GoogleBackend` is this core plus the guarded writes
(:mod:`.google_guarded`) and the formatting requests (:mod:`.google_format`).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from automation.config import DEFAULT_ENDPOINT
from automation.errors import (
    GoogleAccessError,
    GoogleAuthError,
    GoogleError,
    GoogleNotFoundError,
    GoogleUnavailableError,
    TabNotFoundError,
)
from automation.sheets.base import (
    Backend,
    Merge,
    resolve_titles,
)
from automation.sheets.google_http import (
    CREDENTIALS_HELP,
    Failure,
    RetryPolicy,
    SheetsHTTPClient,
)
from automation.sheets.google_window import (
    merges_of,
)

MAX_BODY_BYTES = 2_000_000
DEFAULT_TAB_NAMES = ("Sheet1", "시트1")
PROTECT_PREFIX = "onemarket:"
MAX_SUBREQUESTS = 2_000  # per spreadsheets.batchUpdate when held requests are sent together
#: marks the whole-tab protection of a market's outcome tab, so that protect_columns and protect_tab
#: each replace only their own protections (job columns stay service-account-only inside the tab)
TAB_MARK = "onemarket:tab:"
META_FIELDS = "sheets(properties,merges,protectedRanges)"
CHART_FIELDS = "sheets(properties(sheetId),charts(chartId))"
_JOB_GREY = {"red": 0.906, "green": 0.902, "blue": 0.902}  # E7E6E6, as in the xlsx backend
_HEADER_BLUE = {"red": 0.867, "green": 0.922, "blue": 0.969}  # DDEBF7
T = TypeVar("T")
log = logging.getLogger("onemarket.google")


@dataclass(frozen=True)
class _Tab:
    sheet_id: int
    title: str
    merges: tuple[Merge, ...]
    protected: tuple[tuple[int, str], ...]  # (protectedRangeId, description)
    rows: int = 1000  # the grid: Google refuses values outside it ("exceeds grid limits")
    cols: int = 26
    frozen: int = 0  # frozen rows: staff's choice is kept by style_header


def _parse_tab(sheet: Mapping[str, Any]) -> _Tab:
    props = sheet.get("properties", {})
    protected = tuple(
        (int(pr["protectedRangeId"]), str(pr.get("description", "")))
        for pr in sheet.get("protectedRanges", [])
        if "protectedRangeId" in pr
    )
    grid = props.get("gridProperties", {})
    return _Tab(
        int(props.get("sheetId", 0)),
        str(props.get("title", "")),
        tuple(merges_of(sheet)),
        protected,
        int(grid.get("rowCount", 1000)),
        int(grid.get("columnCount", 26)),
        int(grid.get("frozenRowCount", 0)),
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return "" if value is None else str(value)


class GoogleCore(Backend):
    """One Google spreadsheet, addressed by its key: state and helpers every part uses."""

    remote = True

    def __init__(
        self,
        key: str,
        credentials: Any,
        *,
        endpoint: str = DEFAULT_ENDPOINT,
        timeout: float = 30.0,
        max_attempts: int = 6,
        deadline: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
        credentials_path: Path | None = None,
    ) -> None:
        self.key = key
        self.location = f"Google 스프레드시트 {key}"
        self.requests = 0
        self.service_email = str(getattr(credentials, "service_account_email", "") or "")
        self.credentials_path = credentials_path
        policy = RetryPolicy(timeout, max_attempts, deadline, sleep, clock, rng)
        self.http = SheetsHTTPClient(credentials, policy, endpoint)
        self.http.on_attempt = self._count
        self._tabs: list[_Tab] | None = None
        #: structural requests held by ``deferred()`` and sent together when it ends
        self._queue: list[dict[str, Any]] | None = None
        self._charts: dict[int, tuple[int, ...]] | None = None  # sheetId → chart ids (replace_tab)

    def _count(self) -> None:
        self.requests += 1

    @property
    def token_requests(self) -> int:
        """Requests to the OAuth token endpoint (not counted in ``requests``)."""
        return self.http.token_requests

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return fn(*args)
        except Failure as failure:
            raise self._error(failure) from failure

    def _error(self, f: Failure) -> GoogleError:
        email_ = self.service_email or "(서비스 계정)"
        if f.kind == "auth":
            where = f" ({self.credentials_path})" if self.credentials_path else ""
            return GoogleAuthError(
                f"Google이 서비스 계정 키를 거부했습니다 ({email_}: {f.detail}). "
                "키가 삭제·폐기되었을 수 있습니다. Google Cloud 콘솔 → IAM 및 관리자 → "
                "서비스 계정 → 키에서 새 JSON 키를 만들고 "
                f"credentials 파일{where}을 교체하세요. {CREDENTIALS_HELP}"
            )
        if f.kind == "uncertain":
            return GoogleUnavailableError(
                f"Google 응답 없음: {f.detail}. 스프레드시트 {self.key}에 변경이 "
                "반영되었는지 알 수 없어 다시 보내지 않았습니다. 시트를 확인하세요. "
                "다음 실행에서 재시도합니다."
            )
        if f.kind == "unavailable":
            return GoogleUnavailableError(
                f"Google 응답 없음: {f.detail} ({f.attempts}회 시도, {f.elapsed:.0f}초). 다음 실행에서 재시도합니다."
            )
        if f.status == 403:
            if "has not been used" in f.detail or "disabled" in f.detail:
                return GoogleAccessError(
                    "서비스 계정의 Google Cloud 프로젝트에서 Google Sheets API가 꺼져 "
                    "있습니다. 콘솔 → API 및 서비스에서 'Google Sheets API'를 사용 "
                    f"설정하세요. (Google: {f.detail})"
                )
            return GoogleAccessError(
                f"스프레드시트 {self.key}에 접근 권한이 없습니다. 스프레드시트의 [공유]에서 "
                f"서비스 계정 {email_}을(를) 편집자로 추가하세요. (Google: {f.detail})"
            )
        if f.status == 404:
            return GoogleNotFoundError(
                f"스프레드시트 키 {self.key}에 해당하는 스프레드시트가 없습니다. "
                "onemarket.toml의 [workbook] 항목(주소 "
                "https://docs.google.com/spreadsheets/d/<키>/edit 의 <키>)을 확인하세요."
            )
        return GoogleError(f"Google Sheets가 요청을 거부했습니다 (HTTP {f.status}): {f.detail}")

    def _metadata(self) -> list[_Tab]:
        if self._tabs is None:
            params = {"includeGridData": "false", "fields": META_FIELDS}
            data = self._call(self.http.fetch_sheet_metadata, self.key, params)
            self._tabs = [_parse_tab(s) for s in data.get("sheets", [])]
        return self._tabs

    def _lookup(self, titles: Sequence[str]) -> dict[str, _Tab | None]:
        by_title = {t.title: t for t in self._metadata()}
        found = resolve_titles(list(titles), list(by_title), self.location)
        return {name: (by_title[t] if t is not None else None) for name, t in found.items()}

    def _resolve(self, titles: Sequence[str]) -> dict[str, _Tab]:
        """Tabs by wanted title (a look-alike title counts); refetches once when one is missing."""
        cached = self._tabs is not None
        found = self._lookup(titles)
        if any(t is None for t in found.values()) and cached:
            self._tabs = None
            found = self._lookup(titles)
        missing = [name for name, t in found.items() if t is None]
        if missing:
            raise TabNotFoundError(f"'{missing[0]}' 탭이 없습니다 ({self.location}). 'onemarket init'을 실행하세요.")
        return {name: t for name, t in found.items() if t is not None}

    def list_tabs(self) -> list[str]:
        return [t.title for t in self._metadata()]

    def _batch(self, requests_: list[dict[str, Any]], *, now: bool = False) -> None:
        if self._queue is not None and not now:
            self._queue.extend(requests_)
            return
        if requests_:
            try:
                self._call(self.http.batch_update, self.key, {"requests": requests_})
            finally:
                self._tabs = None

    def _fresh(self) -> None:
        """Forget cached metadata before computing ids to delete — unless requests are being held
        (then the metadata read once at the start of ``deferred()`` is what they build on)."""
        if self._queue is None:
            self._tabs = None

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Hold style, dropdown and protection requests; send them in as few spreadsheets.batchUpdate
        calls as possible when the block ends (measured: preparing 109 market tabs one call at a time
        cost 1,204 requests; held, it costs a handful). Create tabs (``ensure_tabs``) before the block."""
        if self._queue is not None:
            yield
            return
        self._queue = []
        try:
            yield
            queue = self._queue
        finally:
            self._queue = None
        for start in range(0, len(queue), MAX_SUBREQUESTS):
            self._batch(queue[start : start + MAX_SUBREQUESTS])

    def hide_tab(self, title: str) -> None:
        tab = self._resolve([title])[title]
        self._batch(
            [{"updateSheetProperties": {"properties": {"sheetId": tab.sheet_id, "hidden": True}, "fields": "hidden"}}]
        )

    def rename_tab(self, title: str, new_title: str) -> None:
        tab = self._resolve([title])[title]
        self._batch(
            [
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": tab.sheet_id, "title": new_title},
                        "fields": "title",
                    }
                }
            ],
            now=True,
        )
