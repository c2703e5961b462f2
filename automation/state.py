"""Job state that must survive a run, kept in the workbook (master's hidden ``_작업상태`` tab).

One row per (kind, item): ID high-water marks, agreement fingerprints, the day a pair was first seen
협약체결, each outcome tab's protection, the market each 제안 was last given. Any computer with the
config and the credentials sees the same state; nothing on one machine's disk decides what the next
run does. Written through the guarded writes, by key, usually in the same write as the rows it
belongs to (new IDs with their high-water mark).

An older workspace's ``.onemarket/`` files (ids.json, documents.json, outcomes.json) are taken in once
(:func:`take_in_legacy`) and renamed ``*.migrated``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from automation.clock import now
from automation.job_tabs import ensure_job_tabs
from automation.report import WARNING, Issue
from automation.schema import TABS, SchemaSet, TabSchema
from automation.sheets.base import Backend, resolve_titles
from automation.sheets.table import Table, read_tables, resolve_header
from automation.sheets.writes import RowUpdate, TabWrite, write_tables

ID_MARK = "ID"  # item "A-2026" → the highest number ever given
DOCUMENT = "협약서"  # item 매칭ID → {"hash", "docx", "pdf", "rendered_at"}
SIGNED = "협약체결일"  # item 매칭ID → the day the job first saw the pair 협약체결
PROTECTION = "성과탭보호"  # item tab title → key of the editors last set
OFFER = "제안"  # item 매칭ID → the 시장코드 the job last suggested on that row
LEGACY_FILES = {"ids.json": ID_MARK, "documents.json": DOCUMENT, "outcomes.json": SIGNED}


def state_key(kind: str, item: str) -> str:
    return f"{kind}|{item}"


@dataclass
class WorkState:
    backend: Backend
    schema: TabSchema
    table: Table
    values: dict[tuple[str, str], str] = field(default_factory=dict)
    changed: dict[tuple[str, str], str] = field(default_factory=dict)
    notes: list[Issue] = field(default_factory=list)
    present: set[str] = field(default_factory=set)  # keys that have a row in the tab
    pending_renames: list[Path] = field(default_factory=list)  # legacy files to retire once written

    @classmethod
    def load(
        cls, backend: Backend, schemas: SchemaSet, legacy: Path | None = None, *, create: bool = True
    ) -> WorkState:
        """Read the state tab (made first if missing, unless ``create`` is False — a dry run — when a
        missing tab reads as empty); take in an older workspace's files once."""
        schema = schemas[TABS.job_state]
        if create:
            ensure_job_tabs(backend, [schema])
        elif resolve_titles([schema.name], backend.list_tabs(), backend.location)[schema.name] is None:
            state = cls(backend, schema, Table(schema, resolve_header(schema, schema.headers), []))
            if legacy is not None:
                take_in_legacy(state, legacy)
            return state
        table = read_tables(backend, [schema])[schema.name]
        return cls.from_table(backend, table, legacy)

    @classmethod
    def from_table(cls, backend: Backend, table: Table, legacy: Path | None = None) -> WorkState:
        """From a read the step made anyway (the tab read together with its other tabs)."""
        values = {(r["kind"].strip(), r["item"].strip()): r["value"] for r in table.rows if r["kind"].strip()}
        state = cls(backend, table.schema, table, values, present={r["state_key"].strip() for r in table.rows})
        if legacy is not None:
            take_in_legacy(state, legacy)
        return state

    def get(self, kind: str, item: str) -> str | None:
        return self.values.get((kind, item))

    def items(self, kind: str) -> dict[str, str]:
        return {item: v for (k, item), v in self.values.items() if k == kind}

    def set(self, kind: str, item: str, value: str) -> None:
        if self.values.get((kind, item)) != value:
            self.values[(kind, item)] = value
            self.changed[(kind, item)] = value

    def get_json(self, kind: str, item: str) -> dict[str, object] | None:
        raw = self.get(kind, item)
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def set_json(self, kind: str, item: str, value: Mapping[str, object]) -> None:
        self.set(kind, item, json.dumps(dict(value), ensure_ascii=False, sort_keys=True))

    def tab_write(self) -> TabWrite | None:
        """The pending changes as one TabWrite (rows by their key; new keys appended)."""
        if not self.changed:
            return None
        stamp = now().strftime("%Y-%m-%d %H:%M:%S")
        updates, appends = [], []
        for (kind, item), value in sorted(self.changed.items()):
            key = state_key(kind, item)
            row = {"value": value, "updated_at": stamp}
            if key in self.present:
                updates.append(RowUpdate(row, id=key))
            else:
                appends.append({"state_key": key, "kind": kind, "item": item, **row})
        return TabWrite(self.schema, updates, appends)

    def written(self) -> None:
        """The pending changes went out (in this write or with another step's, see :meth:`tab_write`):
        forget them, and retire the legacy files they came from."""
        self.present |= {state_key(k, i) for k, i in self.changed}
        self.changed.clear()
        for path in self.pending_renames:
            if path.is_file():
                path.replace(path.with_name(path.name + ".migrated"))
        self.pending_renames.clear()

    def flush(self) -> list[Issue]:
        write = self.tab_write()
        if write is None:
            return []
        result = write_tables(self.backend, [write])
        self.written()
        return result.issues


def read_with_state(
    backend: Backend,
    schemas: SchemaSet,
    tabs: list[TabSchema],
    *,
    dry_run: bool,
    legacy: Path | None = None,
    also: tuple[str, ...] = (),
) -> tuple[dict[str, Table], WorkState]:
    """The step's tabs and the job state (and ``also``: other job tabs, e.g. ``_발송기록``) in one read.
    The job tabs are made first when missing — except in a dry run, where a missing one reads empty."""
    jobs = [schemas[TABS.job_state], *(schemas[a] for a in also)]
    if not dry_run:
        ensure_job_tabs(backend, jobs)
    present = [j for j in jobs if resolve_titles([j.name], backend.list_tabs(), backend.location)[j.name] is not None]
    tables = read_tables(backend, [*tabs, *present])
    state = (
        WorkState.from_table(backend, tables[TABS.job_state], legacy)
        if TABS.job_state in tables
        else WorkState.load(backend, schemas, legacy, create=False)
    )
    return tables, state


def take_in_legacy(state: WorkState, folder: Path) -> None:
    """An older workspace's state files → the workbook (only kinds the workbook does not have yet)."""
    for name, kind in LEGACY_FILES.items():
        # a file renamed .migrated whose contents never reached the workbook (a save refused right after)
        # is taken in again: the workbook has nothing of that kind
        path = next((p for p in (folder / name, folder / f"{name}.migrated") if p.is_file()), folder / name)
        if not path.is_file() or state.items(kind):
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            state.notes.append(
                Issue(
                    code="legacy_state_unreadable",
                    row=None,
                    column=None,
                    value=str(path),
                    message=f"이전 상태 파일 {path}을(를) 읽을 수 없어 옮기지 않았습니다 ({exc}). 확인하세요.",
                    severity=WARNING,
                    tab=TABS.job_state,
                )
            )
            continue
        if name == "ids.json":
            for item, number in dict(data.get("high_water", {})).items():
                state.set(ID_MARK, str(item), str(int(number)))
        elif name == "documents.json":
            for item, entry in dict(data.get("documents", {})).items():
                state.set_json(DOCUMENT, str(item), dict(entry))
        else:
            for item, day in dict(data.get("signed", {})).items():
                state.set(SIGNED, str(item), str(day))
            for item, key in dict(data.get("protection", {})).items():
                state.set(PROTECTION, str(item), str(key))
        state.notes.append(
            Issue(
                code="legacy_state_moved",
                row=None,
                column=None,
                value=str(path),
                message=f"이전 상태 파일 {path.name}을(를) 워크북의 {TABS.job_state} 탭으로 옮겼습니다 (파일은 {path.name}.migrated).",
                severity=WARNING,
                tab=TABS.job_state,
            )
        )
        if path.name == name:
            state.pending_renames.append(path)
