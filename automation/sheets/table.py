"""Schema-aware tables on top of a backend: headers found by name, rows written by stable ID.

* Columns are found by header (or alias) in any order; staff's extra columns are kept untouched.
* A missing or duplicated schema header stops the step before any write (:class:`HeaderError`).
* Writes re-read the tab, find each row again by its ID (or, for a row that has no ID yet, by
  its row number plus a fingerprint of its cells), write in one batch, then read back to verify.
  A row that moved, vanished or was copied is reported as an :class:`Issue`, never guessed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from automation.errors import HeaderError, WriteConflictError
from automation.report import Issue
from automation.schema import Column, TabSchema, normalize_header
from automation.sheets.base import Backend, CellWrite, RawTab, col_letter


@dataclass(frozen=True)
class HeaderMap:
    """Where each schema column sits in a tab (1-based), and which columns are staff's own."""

    schema: TabSchema
    positions: Mapping[str, int]
    extra: tuple[int, ...] = ()
    width: int = 0

    def col(self, key: str) -> int:
        return self.positions[key]

    def missing(self) -> list[Column]:
        return [c for c in self.schema.columns if c.key not in self.positions]


def _header_index(schema: TabSchema) -> dict[str, Column]:
    index: dict[str, Column] = {}
    for column in schema.columns:
        for name in column.names:
            index[normalize_header(name)] = column
    return index


def match_header(schema: TabSchema, header: Sequence[str]) -> tuple[dict[str, int], dict[str, list[int]]]:
    """Map column keys to 1-based positions; also return keys that appear more than once."""
    index = _header_index(schema)
    found: dict[str, list[int]] = {}
    for pos, text in enumerate(header, start=1):
        norm = normalize_header(text)
        if norm and norm in index:
            found.setdefault(index[norm].key, []).append(pos)
    positions = {k: v[0] for k, v in found.items()}
    dupes = {k: v for k, v in found.items() if len(v) > 1}
    return positions, dupes


def resolve_header(schema: TabSchema, header: Sequence[str],
                   required: Iterable[str] | None = None) -> HeaderMap:
    """Check a header row against the schema; raise :class:`HeaderError` listing every problem.

    ``required``: the column keys this step needs (default: every schema column).
    """
    positions, dupes = match_header(schema, header)
    needed = list(required) if required is not None else [c.key for c in schema.columns]
    problems: list[str] = []
    for key in needed:
        col = schema.column(key)
        if key in dupes:
            where = ", ".join(f"{col_letter(p)}열" for p in dupes[key])
            problems.append(
                f"'{col.header}' 머리글이 여러 번 있습니다 ({where}). 하나만 남기고 나머지 머리글 이름을 바꾸세요."
            )
        elif key not in positions:
            alias = f" (다른 이름 허용: {', '.join(col.aliases)})" if col.aliases else ""
            problems.append(
                f"헤더 '{col.header}'를 찾을 수 없습니다{alias}. 1행에 '{col.header}' 머리글을 "
                "되돌리거나 'onemarket init'으로 빠진 머리글을 추가하세요."
            )
    if problems:
        raise HeaderError(f"'{schema.name}' 탭의 머리글(1행)을 고쳐야 합니다:\n- " + "\n- ".join(problems))
    known = set(positions.values())
    extra = tuple(p for p, text in enumerate(header, start=1) if p not in known and text.strip())
    return HeaderMap(schema, positions, extra, len(header))


@dataclass(frozen=True)
class Row:
    """One data row: its sheet row number and the schema columns' text."""

    number: int
    values: Mapping[str, str]
    cells: tuple[str, ...] = ()
    merged: bool = False

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")

    @property
    def blank(self) -> bool:
        return not any(c.strip() for c in self.cells)


def fingerprint(cells: Sequence[str], skip: Iterable[int] = ()) -> str:
    """A short hash of a row's cells, ignoring the given 1-based columns (job-owned ones)."""
    skipped = set(skip)
    kept = [c.strip() for i, c in enumerate(cells, start=1) if i not in skipped]
    while kept and not kept[-1]:
        kept.pop()
    return hashlib.sha1("\x1f".join(kept).encode("utf-8")).hexdigest()[:16]


@dataclass
class Table:
    schema: TabSchema
    header: HeaderMap
    rows: list[Row]
    title: str = ""

    @classmethod
    def from_raw(cls, schema: TabSchema, raw: RawTab, required: Iterable[str] | None = None) -> Table:
        header = resolve_header(schema, raw.header, required)
        rows = []
        for number, cells in raw.data_rows():
            values = {k: (cells[p - 1] if p <= len(cells) else "") for k, p in header.positions.items()}
            rows.append(Row(number, values, tuple(cells), number in raw.merged_rows))
        return cls(schema, header, rows, raw.title)

    def data_rows(self) -> list[Row]:
        """Rows with something in a staff or market column. A row holding only job output or
        only a staff extra column (a stray memo) is not a record. (A tab that only jobs write,
        such as 작업기록, counts every schema column.)"""
        keys = [c.key for c in self.schema.columns if not c.job_owned] or list(self.header.positions)
        return [r for r in self.rows if any(r[k].strip() for k in keys)]

    def by_id(self) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = {}
        for row in self.rows:
            key = row[self.schema.id_column].strip()
            if key:
                out.setdefault(key, []).append(row)
        return out

    def job_cols(self) -> list[int]:
        return [self.header.positions[c.key] for c in self.schema.job_columns if c.key in self.header.positions]

    def fingerprint(self, row: Row) -> str:
        return fingerprint(row.cells, self.job_cols())


def read_tables(backend: Backend, schemas: Sequence[TabSchema],
                required: Mapping[str, Iterable[str]] | None = None) -> dict[str, Table]:
    """Read several tabs in one request and check every header before anything else happens."""
    raws = backend.read([s.name for s in schemas])
    return {
        s.name: Table.from_raw(s, raws[s.name], (required or {}).get(s.name)) for s in schemas
    }


@dataclass(frozen=True)
class RowUpdate:
    """New text for some columns of one row, addressed by ID or (for an ID-less row) by
    row number + fingerprint taken when the job read it."""

    values: Mapping[str, str]
    id: str = ""
    row: int = 0
    fingerprint: str = ""
    #: cells that must still hold these values at write time (compare-and-set): a person who
    #: changed one of them since the job read the row wins, and the row is reported instead
    expect: Mapping[str, str] = field(default_factory=dict)


@dataclass
class WriteResult:
    written_rows: int = 0
    written_cells: int = 0
    issues: list[Issue] = field(default_factory=list)


def _locate(table: Table, update: RowUpdate, ids: dict[str, list[Row]], by_number: dict[int, Row],
            fingerprints: dict[int, str]) -> Row | Issue:
    schema = table.schema
    id_header = schema.id.header
    if update.id:
        found = ids.get(update.id, [])
        if len(found) == 1:
            return found[0]
        if not found:
            return Issue("row_gone", None, id_header, update.id,
                         f"{id_header} '{update.id}' 행을 찾을 수 없어 쓰지 않았습니다 (삭제되었거나 ID가 바뀌었습니다). 확인하세요.",
                         tab=schema.name)
        rows = ", ".join(str(r.number) for r in found)
        return Issue("duplicate_id", found[0].number, id_header, update.id,
                     f"{id_header} '{update.id}'이(가) 여러 행({rows}행)에 있어 어느 행에도 쓰지 않았습니다. 복사된 행의 ID를 지우세요.",
                     tab=schema.name)
    candidate = by_number.get(update.row)
    if candidate is not None and fingerprints[candidate.number] == update.fingerprint:
        return candidate
    moved = [r for r in table.rows if fingerprints[r.number] == update.fingerprint
             and not r[schema.id_column].strip()]
    if len(moved) == 1:
        return moved[0]
    return Issue("row_moved", update.row, None, None,
                 f"{update.row}행이 작업 중에 바뀌거나 옮겨져 쓰지 않았습니다. 다음 실행에서 다시 처리합니다.",
                 tab=schema.name)


def _plan(table: Table, updates: Sequence[RowUpdate], allowed: set[str]
          ) -> tuple[list[CellWrite], list[tuple[Row, RowUpdate]], list[Issue]]:
    ids = table.by_id()
    by_number = {r.number: r for r in table.rows}
    job_cols = table.job_cols()
    fingerprints = ({r.number: fingerprint(r.cells, job_cols) for r in table.rows}
                    if any(not u.id for u in updates) else {})
    cells: list[CellWrite] = []
    placed: list[tuple[Row, RowUpdate]] = []
    issues: list[Issue] = []
    seen_rows: set[int] = set()
    for update in updates:
        bad = set(update.values) - allowed
        if bad:
            raise WriteConflictError(
                f"'{table.schema.name}' 탭의 직원 입력 열 {sorted(bad)}에 쓰려고 했습니다 (프로그램 오류). 아무것도 쓰지 않았습니다."
            )
        target = _locate(table, update, ids, by_number, fingerprints)
        if isinstance(target, Issue):
            issues.append(target)
            continue
        changed = [k for k, v in update.expect.items() if target[k] != v]
        if changed:
            header = table.schema.column(changed[0]).header
            issues.append(Issue("row_changed", target.number, header, update.id or None,
                                f"{target.number}행의 '{header}'이(가) 작업 중에 바뀌어 쓰지 않았습니다 (사람이 고친 값을 우선합니다).",
                                tab=table.schema.name))
            continue
        if target.number in seen_rows:
            issues.append(Issue("row_twice", target.number, None, update.id,
                                f"{target.number}행에 두 번 쓰려고 해서 한 번만 썼습니다.", tab=table.schema.name))
            continue
        seen_rows.add(target.number)
        placed.append((target, update))
        for key, value in update.values.items():
            if target[key] != value:
                cells.append(CellWrite(target.number, table.header.col(key), value))
    return cells, placed, issues


def write_rows(backend: Backend, schema: TabSchema, updates: Sequence[RowUpdate], *,
               allow: Iterable[str] | None = None, verify: bool = True) -> WriteResult:
    """Write ``updates`` into ``schema``'s tab: re-read, locate by ID, one batch, read back.

    The read-back runs on remote backends only (Google): a local file's read-back would only
    re-read our own memory.

    Only job-owned columns may be written unless ``allow`` names other column keys (``--fix``,
    ``import-markets``). Unchanged cells are not sent.
    """
    allowed = {c.key for c in schema.job_columns} | set(allow or ())
    result = WriteResult()
    if not updates:
        return result
    needed = allowed | {schema.id_column} | {k for u in updates for k in u.expect}
    table = read_tables(backend, [schema], {schema.name: sorted(needed)})[schema.name]
    cells, placed, issues = _plan(table, updates, allowed)
    result.issues.extend(issues)
    if cells:
        backend.write({table.title: cells})
    result.written_cells = len(cells)
    result.written_rows = len({c.row for c in cells})
    if verify and cells and backend.remote:
        result.issues.extend(_verify(backend, schema, placed))
    return result


def _verify(backend: Backend, schema: TabSchema, placed: list[tuple[Row, RowUpdate]]) -> list[Issue]:
    raw = backend.read([schema.name])[schema.name]
    header = resolve_header(schema, raw.header, [schema.id_column])
    issues = []
    id_col = header.col(schema.id_column)
    for row, update in placed:
        expected_id = update.values.get(schema.id_column, update.id)
        mismatched = [
            key for key, value in update.values.items()
            if key in header.positions and raw.cell(row.number, header.col(key)) != value
        ]
        if (expected_id and raw.cell(row.number, id_col) != expected_id) or mismatched:
            issues.append(Issue(
                "write_unverified", row.number, None, expected_id or None,
                f"{row.number}행에 쓴 값을 다시 읽어 보니 다릅니다 (작업 중 다른 사람이 고친 것 같습니다). 이 행을 확인하세요.",
                tab=schema.name,
            ))
    return issues


def append_rows(backend: Backend, schema: TabSchema, header: HeaderMap,
                rows: Sequence[Mapping[str, str]]) -> None:
    """Append rows laid out by the tab's current header (staff columns left blank)."""
    if not rows:
        return
    width = max([header.width, *header.positions.values()])
    out = []
    for values in rows:
        cells = [""] * width
        for key, value in values.items():
            cells[header.col(key) - 1] = value
        out.append(cells)
    backend.append(schema.name, out)
