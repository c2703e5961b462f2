"""Google Sheets backend: one spreadsheet, addressed by its key (DESIGN.md §2).

Request budget (quota: 60 reads and 60 writes a minute, a batch counts once): ``read()`` is one
``values:batchGet`` for all tabs. The job's writes are guarded (``begin_write``/``finish_write`` in
:mod:`.google_guarded`): two ``spreadsheets.batchUpdate`` per step and file, whatever the number of rows.
The plain ``write()`` (tests, tools) is one ``values:batchUpdate`` — several only when the
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

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from automation.config import GoogleConfig
from automation.errors import (
    GoogleError,
)
from automation.sheets.base import (
    CellWrite,
    RawTab,
    col_letter,
)
from automation.sheets.google_core import MAX_BODY_BYTES, _text
from automation.sheets.google_format import Formatting
from automation.sheets.google_guarded import GuardedWrites
from automation.sheets.google_http import (
    load_credentials,
)
from automation.sheets.google_window import (
    quote_title,
)

__all__ = ["GoogleBackend", "col_letter", "load_credentials", "quote_title"]


class GoogleBackend(GuardedWrites, Formatting):
    """One Google spreadsheet, addressed by its key."""

    @classmethod
    def from_config(
        cls,
        cfg: GoogleConfig,
        key: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> GoogleBackend:
        creds = load_credentials(cfg.credentials)
        return cls(
            key,
            creds,
            endpoint=cfg.endpoint,
            timeout=cfg.timeout,
            max_attempts=cfg.max_attempts,
            deadline=cfg.deadline,
            sleep=sleep,
            clock=clock,
            credentials_path=cfg.credentials,
        )

    def read(self, titles: Sequence[str]) -> dict[str, RawTab]:
        unique = list(dict.fromkeys(titles))
        if not unique:
            return {}
        tabs = self._resolve(unique)
        params = {"valueRenderOption": "FORMATTED_VALUE", "majorDimension": "ROWS"}
        data = self._call(self.http.values_batch_get, self.key, [quote_title(tabs[t].title) for t in unique], params)
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
        self._fit({t: (max(c.row for c in cells), max(c.col for c in cells)) for t, cells in updates.items() if cells})
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
        return {"range": f"{quote_title(title)}!{a1}", "majorDimension": "ROWS", "values": [values]}

    def append(self, title: str, rows: Sequence[Sequence[str]]) -> None:
        if not rows:
            return
        actual = self._resolve([title])[title].title
        self._fit({title: (0, max(len(r) for r in rows))})  # INSERT_ROWS adds the rows
        params = {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"}
        body = {"majorDimension": "ROWS", "values": [[_text(v) for v in r] for r in rows]}
        self._call(self.http.values_append, self.key, quote_title(actual), params, body)

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
                    grow.append({"appendDimension": {"sheetId": tab.sheet_id, "dimension": dim, "length": need - have}})
        self._batch(grow)
