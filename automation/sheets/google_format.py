"""Structure and formatting on Google: tabs, header styles, dropdowns, protections, dashboard tabs."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

from automation.sheets.base import (
    ChartSpec,
    Dropdown,
    HeaderStyle,
    ImageSpec,
    Scalar,
    TabContent,
    col_letter,
    resolve_titles,
)
from automation.sheets.google_core import (
    _HEADER_BLUE,
    _JOB_GREY,
    CHART_FIELDS,
    DEFAULT_TAB_NAMES,
    PROTECT_PREFIX,
    TAB_MARK,
    GoogleCore,
)
from automation.sheets.google_dashboard import added_chart_ids, needed_grid, replace_requests
from automation.sheets.google_http import (
    Failure,
)
from automation.sheets.google_window import (
    is_window,
    quote_title,
)


class Formatting(GoogleCore):
    """Everything ``init``, the outcomes step and the dashboard send as spreadsheets.batchUpdate."""

    def ensure_tabs(self, titles: Sequence[str]) -> list[str]:
        found = resolve_titles(list(dict.fromkeys(titles)), self.list_tabs(), self.location)
        created = [t for t, actual in found.items() if actual is None]  # a look-alike counts as there
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
        reqs: list[dict[str, Any]] = (
            []
            if tab.frozen
            else [  # a freeze staff chose is kept
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": sid, "gridProperties": {"frozenRowCount": 1}},
                        "fields": "gridProperties.frozenRowCount",
                    }
                }
            ]
        )
        reqs += [
            {
                "repeatCell": {
                    "range": {"sheetId": sid, "startRowIndex": 0, "endRowIndex": 1},
                    "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                    "fields": "userEnteredFormat.textFormat.bold",
                }
            },
        ]
        for col in range(1, ncols + 1):
            reqs.append(
                {
                    "repeatCell": {
                        "range": {
                            "sheetId": sid,
                            "startRowIndex": 0,
                            "endRowIndex": 1,
                            "startColumnIndex": col - 1,
                            "endColumnIndex": col,
                        },
                        "cell": {
                            "userEnteredFormat": {
                                "backgroundColor": _JOB_GREY if col in style.job_cols else _HEADER_BLUE
                            }
                        },
                        "fields": "userEnteredFormat.backgroundColor",
                    }
                }
            )
        for col, width in sorted(style.widths.items()):
            reqs.append(
                {
                    "updateDimensionProperties": {
                        "range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": col - 1, "endIndex": col},
                        "properties": {"pixelSize": int(width * 7 + 10)},
                        "fields": "pixelSize",
                    }
                }
            )
        for col, note in sorted(style.notes.items()):
            reqs.append(
                {
                    "updateCells": {
                        "rows": [{"values": [{"note": note}]}],
                        "fields": "note",
                        "start": {"sheetId": sid, "rowIndex": 0, "columnIndex": col - 1},
                    }
                }
            )
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
                condition = {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in d.values]}
            rule: dict[str, Any] = {"condition": condition, "strict": d.strict, "showCustomUi": True}
            if d.prompt:
                rule["inputMessage"] = d.prompt
            reqs.append(
                {
                    "setDataValidation": {
                        "range": {
                            "sheetId": sid,
                            "startRowIndex": 1,
                            "startColumnIndex": d.col - 1,
                            "endColumnIndex": d.col,
                        },
                        "rule": rule,
                    }
                }
            )
        self._batch(reqs)

    def protect_columns(self, title: str, cols: Sequence[int], description: str) -> None:
        self._fresh()  # fresh ids: a protection deleted meanwhile would fail the batch
        tab = self._resolve([title])[title]
        desc = description if description.startswith(PROTECT_PREFIX) else (f"{PROTECT_PREFIX} {description}")
        reqs: list[dict[str, Any]] = [
            {"deleteProtectedRange": {"protectedRangeId": pid}}
            for pid, old in tab.protected
            if old.startswith(PROTECT_PREFIX) and not old.startswith(TAB_MARK) and not is_window(old)
        ]
        editors = {"users": [self.service_email]} if self.service_email else {}
        for col in sorted(set(cols)):
            reqs.append(
                {
                    "addProtectedRange": {
                        "protectedRange": {
                            "range": {
                                "sheetId": tab.sheet_id,
                                "startRowIndex": 0,
                                "startColumnIndex": col - 1,
                                "endColumnIndex": col,
                            },
                            "description": desc,
                            "warningOnly": False,
                            "editors": editors,
                        }
                    }
                }
            )
        self._batch(reqs)

    def _chart_ids(self) -> dict[int, tuple[int, ...]]:
        if self._charts is None:
            params = {"includeGridData": "false", "fields": CHART_FIELDS}
            data = self._call(self.http.fetch_sheet_metadata, self.key, params)
            self._charts = {
                int(s.get("properties", {}).get("sheetId", 0)): tuple(
                    int(c["chartId"]) for c in s.get("charts", []) if "chartId" in c
                )
                for s in data.get("sheets", [])
            }
        return self._charts

    def replace_tab(
        self,
        title: str,
        rows: Sequence[Sequence[Scalar]],
        *,
        charts: Sequence[ChartSpec] = (),
        widths: Mapping[int, float] | None = None,
        bold_rows: Sequence[int] = (1,),
        freeze_rows: int = 1,
        images: Sequence[ImageSpec] = (),
    ) -> None:
        """``images`` are not placed: Sheets can only show a picture from a public URL."""
        content = TabContent(
            [list(r) for r in rows], list(charts), dict(widths or {}), tuple(bold_rows), freeze_rows, list(images)
        )
        self.replace_tabs({title: content})

    def replace_tabs(self, tabs: Mapping[str, TabContent]) -> None:
        """Whole tabs in as few batchUpdates as fit ``BATCH_BYTES`` (one for a dashboard of a few hundred
        teams); sent a second time, with fresh metadata, only after a 400 (stale ids)."""
        cached = self._tabs is not None or self._charts is not None
        try:
            self._replace(tabs)
        except Failure as failure:
            self._tabs = self._charts = None
            if not (cached and failure.kind == "http" and failure.status == 400):
                raise self._error(failure) from failure
            try:
                self._replace(tabs)
            except Failure as again:
                self._tabs = self._charts = None
                raise self._error(again) from again

    def _replace(self, tabs: Mapping[str, TabContent]) -> None:
        if not tabs:
            return
        resolved = self._resolve(list(tabs))
        old = self._chart_ids()
        plans = []
        for title, c in tabs.items():
            tab = resolved[title]
            reqs = replace_requests(
                tab.sheet_id,
                (tab.rows, tab.cols),
                old.get(tab.sheet_id, ()),
                c.rows,
                c.charts,
                dict(c.widths),
                tuple(c.bold_rows),
                c.freeze_rows,
            )
            plans.append((tab, c, reqs))
        for batch in _batches(plans):
            reqs = [r for _, _, tab_reqs in batch for r in tab_reqs]
            replies = self.http.batch_update(self.key, {"requests": reqs}).get("replies", [])
            first = 0
            for tab, c, tab_reqs in batch:
                self._rebuilt(tab, c, replies[first : first + len(tab_reqs)])
                first += len(tab_reqs)

    def _rebuilt(self, tab: Any, c: TabContent, replies: Sequence[Any]) -> None:
        """Keep the cached grid size and chart ids in step with a tab just rebuilt."""
        need_rows, need_cols = needed_grid(c.rows, c.charts, c.widths)
        grown = dataclasses.replace(tab, rows=max(tab.rows, need_rows), cols=max(tab.cols, need_cols))
        if self._tabs is not None:
            self._tabs = [grown if t.sheet_id == tab.sheet_id else t for t in self._tabs]
        if self._charts is not None:
            self._charts[tab.sheet_id] = added_chart_ids({"replies": list(replies)})

    def protect_tab(self, title: str, editors: Sequence[str], description: str) -> None:
        """One batchUpdate: drop this program's earlier protections of the tab, protect the whole tab."""
        self._fresh()  # fresh ids: a protection deleted meanwhile would fail the batch
        tab = self._resolve([title])[title]
        desc = f"{TAB_MARK} {description}"
        users = list(dict.fromkeys(e.strip() for e in [self.service_email, *editors] if e.strip()))
        reqs: list[dict[str, Any]] = [
            {"deleteProtectedRange": {"protectedRangeId": pid}}
            for pid, old in tab.protected
            if old.startswith(TAB_MARK)
        ]
        reqs.append(
            {
                "addProtectedRange": {
                    "protectedRange": {
                        "range": {"sheetId": tab.sheet_id},
                        "description": desc,
                        "warningOnly": False,
                        "editors": {"users": users},
                    }
                }
            }
        )
        self._batch(reqs)


#: Google recommends request bodies of at most about 2 MB; whole tabs are batched up to this size
BATCH_BYTES = 2_000_000


def _batches(plans: list[tuple[Any, TabContent, list[dict[str, Any]]]]) -> list[list[Any]]:
    """Consecutive tabs grouped into batchUpdates of at most BATCH_BYTES of JSON (a tab is never split)."""
    out: list[list[Any]] = []
    size = 0
    for plan in plans:
        n = len(json.dumps(plan[2], ensure_ascii=False).encode("utf-8"))
        if not out or size + n > BATCH_BYTES:
            out.append([])
            size = 0
        out[-1].append(plan)
        size += n
    return out
