"""Google Sheets backend: one spreadsheet, addressed by its key (DESIGN.md §2).

Request budget (quota: 60 reads and 60 writes a minute, a batch counts once): ``read()`` is one
``values:batchGet`` for all tabs; ``write()`` is one ``values:batchUpdate`` — several only when the
body would exceed :data:`MAX_BODY_BYTES` (about 2 MB), and then an earlier chunk may be written
when a later one fails; ``append()`` is one ``values:append``; each formatting method is one
``spreadsheets:batchUpdate``. Google refuses values outside a sheet's grid (1000 x 26 for a new
tab), so a write or append that needs more rows or columns first costs one ``spreadsheets.get``
and one ``appendDimension`` batchUpdate (see ``_fit``). Tab metadata (titles, ids, grid size,
merges, protected ranges) is one ``spreadsheets.get``, cached per instance until a structural
change. ``replace_tab`` (dashboard tabs) is one ``spreadsheets:batchUpdate``, plus one
``spreadsheets.get`` for the tabs' chart ids when they are not cached (the cache is kept up to
date from the batch's replies; if a person deleted a chart meanwhile, Google refuses the batch
as a whole and it is sent once more with fresh ids). Everything is read as formatted text and
written RAW (never a formula). Transport, timeouts and retry: :mod:`automation.sheets.google_http`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import random
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from gspread.urls import SPREADSHEET_BATCH_UPDATE_URL

from automation.config import DEFAULT_ENDPOINT, GoogleConfig
from automation.errors import (
    GoogleAccessError,
    GoogleAuthError,
    GoogleError,
    GoogleNotFoundError,
    GoogleUnavailableError,
    TabNotFoundError,
    WindowLostError,
)
from automation.sheets.base import (
    Backend,
    CellWrite,
    ChartSpec,
    Dropdown,
    HeaderStyle,
    Merge,
    RawTab,
    Scalar,
    WriteWindow,
    col_letter,
    resolve_titles,
)
from automation.sheets.google_dashboard import added_chart_ids, needed_grid, replace_requests
from automation.sheets.google_http import (
    CREDENTIALS_HELP,
    Failure,
    RetryPolicy,
    SheetsHTTPClient,
    load_credentials,
)
from automation.sheets.google_window import (
    RESPONSE_FIELDS,
    SCRATCH,
    Run,
    append_request,
    capture_requests,
    captured,
    cell_requests,
    fence_ids,
    grid_tabs,
    grow_requests,
    is_window,
    merges_of,
    open_body,
    quote_title,
    runs,
    window_description,
    window_stale,
    with_answer,
)

__all__ = ["GoogleBackend", "col_letter", "load_credentials", "quote_title"]

MAX_BODY_BYTES = 2_000_000
DEFAULT_TAB_NAMES = ("Sheet1", "시트1")
PROTECT_PREFIX = "onemarket:"
MAX_SUBREQUESTS = 2_000   # per spreadsheets.batchUpdate when held requests are sent together
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
    frozen: int = 0   # frozen rows: staff's choice is kept by style_header


def _parse_tab(sheet: Mapping[str, Any]) -> _Tab:
    props = sheet.get("properties", {})
    protected = tuple((int(pr["protectedRangeId"]), str(pr.get("description", "")))
                      for pr in sheet.get("protectedRanges", []) if "protectedRangeId" in pr)
    grid = props.get("gridProperties", {})
    return _Tab(int(props.get("sheetId", 0)), str(props.get("title", "")), tuple(merges_of(sheet)),
                protected, int(grid.get("rowCount", 1000)), int(grid.get("columnCount", 26)),
                int(grid.get("frozenRowCount", 0)))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return "" if value is None else str(value)


class GoogleBackend(Backend):
    """One Google spreadsheet, addressed by its key."""

    remote = True

    def __init__(self, key: str, credentials: Any, *, endpoint: str = DEFAULT_ENDPOINT,
                 timeout: float = 30.0, max_attempts: int = 6, deadline: float = 120.0,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 rng: Callable[[], float] = random.random,
                 credentials_path: Path | None = None) -> None:
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

    @classmethod
    def from_config(cls, cfg: GoogleConfig, key: str, *,
                    sleep: Callable[[float], None] = time.sleep,
                    clock: Callable[[], float] = time.monotonic) -> GoogleBackend:
        creds = load_credentials(cfg.credentials)
        return cls(key, creds, endpoint=cfg.endpoint, timeout=cfg.timeout,
                   max_attempts=cfg.max_attempts, deadline=cfg.deadline, sleep=sleep,
                   clock=clock, credentials_path=cfg.credentials)

    def _count(self) -> None:
        self.requests += 1

    @property
    def token_requests(self) -> int:
        """Requests to the OAuth token endpoint (not counted in ``requests``)."""
        return self.http.token_requests

    # -- errors ---------------------------------------------------------------------------

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
                f"credentials 파일{where}을 교체하세요. {CREDENTIALS_HELP}")
        if f.kind == "uncertain":
            return GoogleUnavailableError(
                f"Google 응답 없음: {f.detail}. 스프레드시트 {self.key}에 변경이 "
                "반영되었는지 알 수 없어 다시 보내지 않았습니다. 시트를 확인하세요. "
                "다음 실행에서 재시도합니다.")
        if f.kind == "unavailable":
            return GoogleUnavailableError(
                f"Google 응답 없음: {f.detail} ({f.attempts}회 시도, {f.elapsed:.0f}초). "
                "다음 실행에서 재시도합니다.")
        if f.status == 403:
            if "has not been used" in f.detail or "disabled" in f.detail:
                return GoogleAccessError(
                    "서비스 계정의 Google Cloud 프로젝트에서 Google Sheets API가 꺼져 "
                    "있습니다. 콘솔 → API 및 서비스에서 'Google Sheets API'를 사용 "
                    f"설정하세요. (Google: {f.detail})")
            return GoogleAccessError(
                f"스프레드시트 {self.key}에 접근 권한이 없습니다. 스프레드시트의 [공유]에서 "
                f"서비스 계정 {email_}을(를) 편집자로 추가하세요. (Google: {f.detail})")
        if f.status == 404:
            return GoogleNotFoundError(
                f"스프레드시트 키 {self.key}에 해당하는 스프레드시트가 없습니다. "
                "onemarket.toml의 [workbook] 항목(주소 "
                "https://docs.google.com/spreadsheets/d/<키>/edit 의 <키>)을 확인하세요.")
        return GoogleError(
            f"Google Sheets가 요청을 거부했습니다 (HTTP {f.status}): {f.detail}")

    # -- metadata -------------------------------------------------------------------------

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
            raise TabNotFoundError(
                f"'{missing[0]}' 탭이 없습니다 ({self.location}). 'onemarket init'을 실행하세요.")
        return {name: t for name, t in found.items() if t is not None}

    def list_tabs(self) -> list[str]:
        return [t.title for t in self._metadata()]

    # -- values ---------------------------------------------------------------------------

    def read(self, titles: Sequence[str]) -> dict[str, RawTab]:
        unique = list(dict.fromkeys(titles))
        if not unique:
            return {}
        tabs = self._resolve(unique)
        params = {"valueRenderOption": "FORMATTED_VALUE", "majorDimension": "ROWS"}
        data = self._call(self.http.values_batch_get, self.key,
                          [quote_title(tabs[t].title) for t in unique], params)
        ranges = data.get("valueRanges", [])
        if len(ranges) != len(unique):
            raise GoogleError(f"Google이 {len(unique)}개 탭 대신 {len(ranges)}개를 돌려주었습니다.")
        out: dict[str, RawTab] = {}
        for title, vr in zip(unique, ranges, strict=True):
            values = [[_text(c) for c in row] for row in vr.get("values", [])]
            out[title] = RawTab(tabs[title].title, values, merges=tabs[title].merges)
        return out

    def write(self, updates: Mapping[str, Sequence[CellWrite]]) -> None:
        """One ``values:batchUpdate`` (RAW); split only past :data:`MAX_BODY_BYTES`."""
        bad = [c for cells in updates.values() for c in cells if c.row < 1 or c.col < 1]
        if bad:
            raise ValueError(f"잘못된 셀 위치: {bad[0]}")
        actual = {name: tab.title for name, tab in self._resolve(list(updates)).items()}
        self._fit({t: (max(c.row for c in cells), max(c.col for c in cells))
                   for t, cells in updates.items() if cells})
        data: list[dict[str, Any]] = []
        for name, cells in updates.items():
            title = actual[name]
            latest: dict[tuple[int, int], str] = {}
            for c in cells:
                latest[(c.row, c.col)] = _text(c.value)
            run: list[str] = []
            run_row = run_col = 0
            for (row, col), value in sorted(latest.items()):
                if run and (row, col) == (run_row, run_col + len(run)):
                    run.append(value)
                    continue
                if run:
                    data.append(self._range(title, run_row, run_col, run))
                run, run_row, run_col = [value], row, col
            if run:
                data.append(self._range(title, run_row, run_col, run))
        size = 0
        chunks: list[list[dict[str, Any]]] = [[]]
        for vr in data:
            n = len(json.dumps(vr)) + 2  # requests sends ASCII-escaped JSON
            if chunks[-1] and size + n > MAX_BODY_BYTES:
                chunks.append([])
                size = 0
            chunks[-1].append(vr)
            size += n
        for chunk in chunks:
            if chunk:
                body = {"valueInputOption": "RAW", "data": chunk}
                self._call(self.http.values_batch_update, self.key, body)

    @staticmethod
    def _range(title: str, row: int, col: int, values: list[str]) -> dict[str, Any]:
        a1 = f"{col_letter(col)}{row}:{col_letter(col + len(values) - 1)}{row}"
        return {"range": f"{quote_title(title)}!{a1}", "majorDimension": "ROWS",
                "values": [values]}

    def append(self, title: str, rows: Sequence[Sequence[str]]) -> None:
        if not rows:
            return
        actual = self._resolve([title])[title].title
        self._fit({title: (0, max(len(r) for r in rows))})  # INSERT_ROWS adds the rows
        params = {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"}
        body = {"majorDimension": "ROWS", "values": [[_text(v) for v in r] for r in rows]}
        self._call(self.http.values_append, self.key, quote_title(actual), params, body)

    # -- guarded writes (see automation.sheets.google_window) ------------------------------------

    def _post(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """One spreadsheets.batchUpdate whose answer carries the spreadsheet (trimmed by ``fields``)."""
        url = SPREADSHEET_BATCH_UPDATE_URL % self.key
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")   # Hangul as 3 bytes, not \\uXXXX
        resp = self.http.request("post", url, params={"fields": RESPONSE_FIELDS}, data=data,
                                 headers={"Content-Type": "application/json; charset=UTF-8"})
        answer: dict[str, Any] = resp.json()
        return answer

    def _remember(self, spreadsheet: Mapping[str, Any]) -> None:
        """Keep the metadata that came with an answer (every tab: ids, grid sizes, merges, protections),
        so the next call needs no spreadsheets.get."""
        sheets = spreadsheet.get("sheets")
        self._tabs = [_parse_tab(s) for s in sheets] if sheets else None

    def begin_write(self, names: Sequence[str]) -> WriteWindow:
        """Fence the tabs (editors frozen) and read them, in one spreadsheets.batchUpdate."""
        unique = list(dict.fromkeys(names))
        tabs = self._resolve(unique)
        now = dt.datetime.now(dt.UTC)
        token = secrets.token_hex(6)
        stale = [pid for t in self._metadata() for pid, d in t.protected if is_window(d) and window_stale(d, now)]
        sheet_ids = list(dict.fromkeys(tabs[n].sheet_id for n in unique))
        titles = [tabs[n].title for n in unique]
        body = open_body(sheet_ids, titles, window_description(token, now), self.service_email, stale)
        try:
            reply = self._post(body)
        except Failure as failure:
            self._tabs = None
            if failure.kind == "uncertain":
                self._drop_token(token)
            raise self._error(failure) from failure
        raws = grid_tabs(reply.get("updatedSpreadsheet", {}))
        self._remember(reply.get("updatedSpreadsheet", {}))
        fences = fence_ids(reply)
        later = tuple(pid for t in self._metadata() for pid, d in t.protected
                      if is_window(d) and window_stale(d, now) and pid not in fences and pid not in stale)
        return WriteWindow({n: tabs[n].title for n in unique}, {n: raws[tabs[n].title] for n in unique},
                           token, fences, {n: tabs[n].sheet_id for n in unique}, stale=later)

    def finish_write(self, window: WriteWindow, cells: Mapping[str, Sequence[CellWrite]],
                     appends: Mapping[str, Sequence[Sequence[str]]]) -> dict[str, RawTab] | None:
        """Cells, new rows and the fences' removal in one atomic batch; the tabs right after come back."""
        tabs = self._resolve(list(window.tabs))
        chosen = [(name, run) for name in window.tabs for run in runs(cells.get(name, ()))
                  if any((run[0], run[1] + j) in window.capture.get(name, set()) for j in range(len(run[2])))]
        requests, answer_titles = self._capture(chosen, tabs), list(window.titles.values())
        if chosen:
            answer_titles.append(SCRATCH)
        for name in window.tabs:
            tab, written, added = tabs[name], cells.get(name, ()), appends.get(name, ())
            need_rows = max((c.row for c in written), default=0)
            need_cols = max([*(c.col for c in written), *(len(r) for r in added), 0])
            requests += grow_requests(tab.sheet_id, (tab.rows, tab.cols), (need_rows, need_cols))
            requests += cell_requests(tab.sheet_id, written)
            if added:
                requests.append(append_request(tab.sheet_id, added))
        requests += [{"deleteProtectedRange": {"protectedRangeId": pid}} for pid in window.fences]
        try:
            reply = self._post(with_answer(requests, answer_titles))
        except Failure as failure:
            self._tabs = None
            lost = failure.kind == "http" and failure.status == 400 and "protected range" in failure.detail.lower()
            if lost:   # refused as a whole (or a retry of a close that landed): look, and let the caller judge
                window.lost = True
                self._drop(window.fences)
                return self.read(list(window.tabs))
            if failure.kind == "uncertain":
                return self._settle(window)
            self.abort_write(window)
            raise self._error(failure) from failure
        self._remember(reply.get("updatedSpreadsheet", {}))
        raws = grid_tabs(reply.get("updatedSpreadsheet", {}))
        window.before = captured(raws.get(SCRATCH), chosen) if chosen else {}
        if window.stale:
            self._drop(window.stale)
        return {name: raws[title] for name, title in window.titles.items() if title in raws}

    def _drop(self, fences: Sequence[int]) -> None:
        """Delete protections that may or may not still exist, one request each (rare paths only)."""
        existing = {pid for t in self._metadata() for pid, _ in t.protected}
        for pid in fences:
            if pid not in existing:
                continue
            try:
                self._call(self.http.batch_update, self.key, {"requests": [{"deleteProtectedRange": {"protectedRangeId": pid}}]})
            except GoogleError as exc:
                log.info("protection %s not removed: %s", pid, exc.message)
        self._tabs = None

    def _capture(self, chosen: Sequence[tuple[str, Run]], tabs: Mapping[str, _Tab]) -> list[dict[str, Any]]:
        """The close's first requests: copy the cells it will overwrite into the scratch tab (made,
        hidden, on first use; Google accepts the new tab's id from us, so one batch does it all)."""
        if not chosen:
            return []
        width = max(len(run[2]) for _, run in chosen)
        scratch = self._lookup([SCRATCH])[SCRATCH]
        out: list[dict[str, Any]] = []
        if scratch is None:
            sid = random.randrange(1, 2**31 - 1)
            out.append({"addSheet": {"properties": {"sheetId": sid, "title": SCRATCH, "hidden": True, "gridProperties": {
                "rowCount": max(1000, len(chosen)), "columnCount": max(26, width)}}}})
        else:
            sid = scratch.sheet_id
            out += grow_requests(sid, (scratch.rows, scratch.cols), (len(chosen), width))
            out.append({"updateCells": {"range": {"sheetId": sid}, "fields": "userEnteredValue"}})   # old captures go
        for start, (name, run) in enumerate(chosen):
            out += capture_requests(tabs[name].sheet_id, [run], sid, start)
        return out

    def _settle(self, window: WriteWindow) -> dict[str, RawTab]:
        """The close timed out, or met a missing fence: find out, and make sure it cannot land later.

        Fences all still there → the batch did not land (it is atomic): delete them, so a copy still
        queued at Google fails when it arrives, and say so. Otherwise it landed (or a person removed
        the protection, in which case it never will): read the tabs so the write is verified."""
        self._tabs = None
        existing = {pid for t in self._metadata() for pid, _ in t.protected}
        present = [pid for pid in window.fences if pid in existing]
        if present:
            try:
                self._call(self.http.batch_update, self.key,
                           {"requests": [{"deleteProtectedRange": {"protectedRangeId": pid}} for pid in present]})
            except GoogleError:
                pass   # it landed meanwhile (the fence is gone): read below
            else:
                raise WindowLostError(
                    f"Google이 제때 답하지 않아 ({self.location}) 이번 쓰기는 반영되지 않은 것을 확인했고, 늦게 도착해도 "
                    "반영되지 않게 막았습니다. 다음 실행(또는 바로 이어지는 재시도)에서 다시 씁니다.")
            finally:
                self._tabs = None
        return self.read(list(window.tabs))

    def abort_write(self, window: WriteWindow) -> None:
        """Remove the fences (best effort: a window left behind expires after WINDOW_TTL)."""
        if not window.fences:
            return
        try:
            self._call(self.http.batch_update, self.key,
                       {"requests": [{"deleteProtectedRange": {"protectedRangeId": pid}} for pid in window.fences]})
        except GoogleError as exc:
            log.warning("write window %s left open (%s); it expires by itself", window.token, exc.message)
        finally:
            self._tabs = None

    def _drop_token(self, token: str) -> None:
        """After an open that timed out: remove any fence it may have made (best effort)."""
        self._tabs = None
        try:
            mine = [pid for t in self._metadata() for pid, d in t.protected if token in d]
            if mine:
                self._call(self.http.batch_update, self.key,
                           {"requests": [{"deleteProtectedRange": {"protectedRangeId": pid}} for pid in mine]})
        except GoogleError:
            pass
        finally:
            self._tabs = None

    def rename_tab(self, title: str, new_title: str) -> None:
        tab = self._resolve([title])[title]
        self._batch([{"updateSheetProperties": {"properties": {"sheetId": tab.sheet_id, "title": new_title},
                                                "fields": "title"}}], now=True)

    def _fit(self, needs: Mapping[str, tuple[int, int]]) -> None:
        """Grow grids too small for (rows, cols) — only then is a write two requests.

        Looks at fresh metadata first (staff may have added rows), and only ever appends rows or
        columns (``appendDimension``), so a stale view can never shrink a sheet.
        """
        tabs = self._resolve(list(needs))
        if all(r <= tabs[t].rows and c <= tabs[t].cols for t, (r, c) in needs.items()):
            return
        self._tabs = None
        tabs = self._resolve(list(needs))
        grow: list[dict[str, Any]] = []
        for title, (rows, cols) in needs.items():
            tab = tabs[title]
            for dim, need, have in (("ROWS", rows, tab.rows), ("COLUMNS", cols, tab.cols)):
                if need > have:
                    grow.append({"appendDimension": {"sheetId": tab.sheet_id, "dimension": dim,
                                                     "length": need - have}})
        self._batch(grow)

    # -- structure and formatting -----------------------------------------------------------

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
            self._batch(queue[start:start + MAX_SUBREQUESTS])

    def ensure_tabs(self, titles: Sequence[str]) -> list[str]:
        found = resolve_titles(list(dict.fromkeys(titles)), self.list_tabs(), self.location)
        created = [t for t, actual in found.items() if actual is None]   # a look-alike counts as there
        # sent at once even inside deferred(): the held requests need the new tabs' ids
        self._batch([{"addSheet": {"properties": {"title": t}}} for t in created], now=True)
        return created

    def remove_blank_default_tab(self) -> bool:
        tabs = self._metadata()
        if len(tabs) < 2 or tabs[0].title not in DEFAULT_TAB_NAMES:
            return False
        first = tabs[0]
        if any(any(row) for row in self.read([first.title])[first.title].values):
            return False
        self._batch([{"deleteSheet": {"sheetId": first.sheet_id}}])
        return True

    def style_header(self, title: str, style: HeaderStyle) -> None:
        tab = self._resolve([title])[title]
        sid = tab.sheet_id
        ncols = max([*style.widths, *style.job_cols, *style.notes, 0])
        reqs: list[dict[str, Any]] = [] if tab.frozen else [   # a freeze staff chose is kept
            {"updateSheetProperties": {
                "properties": {"sheetId": sid, "gridProperties": {"frozenRowCount": 1}},
                "fields": "gridProperties.frozenRowCount"}}]
        reqs += [
            {"repeatCell": {
                "range": {"sheetId": sid, "startRowIndex": 0, "endRowIndex": 1},
                "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                "fields": "userEnteredFormat.textFormat.bold"}},
        ]
        for col in range(1, ncols + 1):
            reqs.append({"repeatCell": {
                "range": {"sheetId": sid, "startRowIndex": 0, "endRowIndex": 1,
                          "startColumnIndex": col - 1, "endColumnIndex": col},
                "cell": {"userEnteredFormat": {
                    "backgroundColor": _JOB_GREY if col in style.job_cols else _HEADER_BLUE}},
                "fields": "userEnteredFormat.backgroundColor"}})
        for col, width in sorted(style.widths.items()):
            reqs.append({"updateDimensionProperties": {
                "range": {"sheetId": sid, "dimension": "COLUMNS",
                          "startIndex": col - 1, "endIndex": col},
                "properties": {"pixelSize": int(width * 7 + 10)}, "fields": "pixelSize"}})
        for col, note in sorted(style.notes.items()):
            reqs.append({"updateCells": {
                "rows": [{"values": [{"note": note}]}], "fields": "note",
                "start": {"sheetId": sid, "rowIndex": 0, "columnIndex": col - 1}}})
        self._batch(reqs)

    def set_dropdowns(self, title: str, dropdowns: Sequence[Dropdown]) -> None:
        sid = self._resolve([title])[title].sheet_id
        reqs: list[dict[str, Any]] = []
        for d in dropdowns:
            if d.source is not None:
                letter = col_letter(d.source[1])
                value = f"={quote_title(d.source[0])}!{letter}2:{letter}"
                condition = {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": value}]}
            else:
                condition = {"type": "ONE_OF_LIST",
                             "values": [{"userEnteredValue": v} for v in d.values]}
            rule: dict[str, Any] = {"condition": condition, "strict": d.strict,
                                    "showCustomUi": True}
            if d.prompt:
                rule["inputMessage"] = d.prompt
            reqs.append({"setDataValidation": {
                "range": {"sheetId": sid, "startRowIndex": 1,
                          "startColumnIndex": d.col - 1, "endColumnIndex": d.col},
                "rule": rule}})
        self._batch(reqs)

    def protect_columns(self, title: str, cols: Sequence[int], description: str) -> None:
        self._fresh()  # fresh ids: a protection deleted meanwhile would fail the batch
        tab = self._resolve([title])[title]
        desc = description if description.startswith(PROTECT_PREFIX) else (
            f"{PROTECT_PREFIX} {description}")
        reqs: list[dict[str, Any]] = [
            {"deleteProtectedRange": {"protectedRangeId": pid}}
            for pid, old in tab.protected
            if old.startswith(PROTECT_PREFIX) and not old.startswith(TAB_MARK) and not is_window(old)]
        editors = {"users": [self.service_email]} if self.service_email else {}
        for col in sorted(set(cols)):
            reqs.append({"addProtectedRange": {"protectedRange": {
                "range": {"sheetId": tab.sheet_id, "startRowIndex": 0,
                          "startColumnIndex": col - 1, "endColumnIndex": col},
                "description": desc, "warningOnly": False, "editors": editors}}})
        self._batch(reqs)

    # -- dashboard tabs -------------------------------------------------------------------

    def _chart_ids(self) -> dict[int, tuple[int, ...]]:
        if self._charts is None:
            params = {"includeGridData": "false", "fields": CHART_FIELDS}
            data = self._call(self.http.fetch_sheet_metadata, self.key, params)
            self._charts = {
                int(s.get("properties", {}).get("sheetId", 0)):
                    tuple(int(c["chartId"]) for c in s.get("charts", []) if "chartId" in c)
                for s in data.get("sheets", [])}
        return self._charts

    def replace_tab(self, title: str, rows: Sequence[Sequence[Scalar]], *, charts: Sequence[ChartSpec] = (),
                    widths: Mapping[int, float] | None = None) -> None:
        """One batchUpdate; sent a second time, with fresh metadata, only after a 400 (stale ids)."""
        cached = self._tabs is not None or self._charts is not None
        try:
            self._replace(title, rows, charts, dict(widths or {}))
        except Failure as failure:
            self._tabs = self._charts = None
            if not (cached and failure.kind == "http" and failure.status == 400):
                raise self._error(failure) from failure
            try:
                self._replace(title, rows, charts, dict(widths or {}))
            except Failure as again:
                self._tabs = self._charts = None
                raise self._error(again) from again

    def _replace(self, title: str, rows: Sequence[Sequence[Scalar]], charts: Sequence[ChartSpec],
                 widths: Mapping[int, float]) -> None:
        tab = self._resolve([title])[title]
        old = self._chart_ids().get(tab.sheet_id, ())
        reqs = replace_requests(tab.sheet_id, (tab.rows, tab.cols), old, rows, charts, widths)
        reply = self.http.batch_update(self.key, {"requests": reqs})
        need_rows, need_cols = needed_grid(rows, charts, widths)
        grown = dataclasses.replace(tab, rows=max(tab.rows, need_rows), cols=max(tab.cols, need_cols))
        if self._tabs is not None:
            self._tabs = [grown if t.sheet_id == tab.sheet_id else t for t in self._tabs]
        if self._charts is not None:
            self._charts[tab.sheet_id] = added_chart_ids(reply)

    def protect_tab(self, title: str, editors: Sequence[str], description: str) -> None:
        """One batchUpdate: drop this program's earlier protections of the tab, protect the whole tab."""
        self._fresh()  # fresh ids: a protection deleted meanwhile would fail the batch
        tab = self._resolve([title])[title]
        desc = f"{TAB_MARK} {description}"
        users = list(dict.fromkeys(e.strip() for e in [self.service_email, *editors] if e.strip()))
        reqs: list[dict[str, Any]] = [
            {"deleteProtectedRange": {"protectedRangeId": pid}}
            for pid, old in tab.protected if old.startswith(TAB_MARK)]
        reqs.append({"addProtectedRange": {"protectedRange": {
            "range": {"sheetId": tab.sheet_id}, "description": desc, "warningOnly": False,
            "editors": {"users": users}}}})
        self._batch(reqs)
