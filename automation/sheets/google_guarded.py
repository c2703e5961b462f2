"""Guarded writes on Google (:mod:`automation.sheets.google_window` has the request bodies)."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from gspread.urls import SPREADSHEET_BATCH_UPDATE_URL

from automation.errors import (
    GoogleError,
    WindowLostError,
)
from automation.sheets.base import (
    CellWrite,
    RawTab,
    WriteWindow,
)
from automation.sheets.google_core import GoogleCore, _parse_tab, _Tab, log
from automation.sheets.google_http import (
    Failure,
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
    open_body,
    runs,
    window_description,
    window_stale,
    with_answer,
)


class GuardedWrites(GoogleCore):
    """begin_write / finish_write / abort_write: a fenced window, an atomic close with capture."""

    def _post(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """One spreadsheets.batchUpdate whose answer carries the spreadsheet (trimmed by ``fields``)."""
        url = SPREADSHEET_BATCH_UPDATE_URL % self.key
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")  # Hangul as 3 bytes, not \\uXXXX
        resp = self.http.request(
            "post",
            url,
            params={"fields": RESPONSE_FIELDS},
            data=data,
            headers={"Content-Type": "application/json; charset=UTF-8"},
        )
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
        later = tuple(
            pid
            for t in self._metadata()
            for pid, d in t.protected
            if is_window(d) and window_stale(d, now) and pid not in fences and pid not in stale
        )
        return WriteWindow(
            {n: tabs[n].title for n in unique},
            {n: raws[tabs[n].title] for n in unique},
            token,
            fences,
            {n: tabs[n].sheet_id for n in unique},
            stale=later,
        )

    def finish_write(
        self,
        window: WriteWindow,
        cells: Mapping[str, Sequence[CellWrite]],
        appends: Mapping[str, Sequence[Sequence[str]]],
    ) -> dict[str, RawTab] | None:
        """Cells, new rows and the fences' removal in one atomic batch; the tabs right after come back."""
        tabs = self._resolve(list(window.tabs))
        chosen = [
            (name, run)
            for name in window.tabs
            for run in runs([CellWrite(r, c, "") for r, c in window.capture.get(name, set())])
        ]
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
            if lost:  # refused as a whole (or a retry of a close that landed): look, and let the caller judge
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
                self._call(
                    self.http.batch_update,
                    self.key,
                    {"requests": [{"deleteProtectedRange": {"protectedRangeId": pid}}]},
                )
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
            out.append(
                {
                    "addSheet": {
                        "properties": {
                            "sheetId": sid,
                            "title": SCRATCH,
                            "hidden": True,
                            "gridProperties": {"rowCount": max(1000, len(chosen)), "columnCount": max(26, width)},
                        }
                    }
                }
            )
        else:
            sid = scratch.sheet_id
            out += grow_requests(sid, (scratch.rows, scratch.cols), (len(chosen), width))
            out.append({"updateCells": {"range": {"sheetId": sid}, "fields": "userEnteredValue"}})  # old captures go
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
                self._call(
                    self.http.batch_update,
                    self.key,
                    {"requests": [{"deleteProtectedRange": {"protectedRangeId": pid}} for pid in present]},
                )
            except GoogleError:
                pass  # it landed meanwhile (the fence is gone): read below
            else:
                raise WindowLostError(
                    f"Google이 제때 답하지 않아 ({self.location}) 이번 쓰기는 반영되지 않은 것을 확인했고, 늦게 도착해도 "
                    "반영되지 않게 막았습니다. 다음 실행(또는 바로 이어지는 재시도)에서 다시 씁니다."
                )
            finally:
                self._tabs = None
        return self.read(list(window.tabs))

    def abort_write(self, window: WriteWindow) -> None:
        """Remove the fences (best effort: a window left behind expires after WINDOW_TTL)."""
        if not window.fences:
            return
        try:
            self._call(
                self.http.batch_update,
                self.key,
                {"requests": [{"deleteProtectedRange": {"protectedRangeId": pid}} for pid in window.fences]},
            )
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
                self._call(
                    self.http.batch_update,
                    self.key,
                    {"requests": [{"deleteProtectedRange": {"protectedRangeId": pid}} for pid in mine]},
                )
        except GoogleError:
            pass
        finally:
            self._tabs = None
