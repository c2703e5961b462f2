"""Schema-aware tables on top of a backend: headers found by name, rows as plain values.

* Columns are found by header (or alias) in any order; staff's extra columns are kept untouched.
* A missing or duplicated schema header stops the step before any write (:class:`HeaderError`).
* Rows carry their sheet row number only as read; writes find them again by ID
  (:mod:`automation.sheets.writes`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from automation.errors import HeaderError
from automation.schema import Column, TabSchema, normalize_header
from automation.sheets.base import Backend, RawTab, col_letter, resolve_titles


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


def resolve_header(schema: TabSchema, header: Sequence[str], required: Iterable[str] | None = None) -> HeaderMap:
    """Check a header row against the schema; raise :class:`HeaderError` listing every problem.

    ``required``: the column keys this step needs (default: every schema column).
    """
    positions, dupes = match_header(schema, header)
    needed = list(required) if required is not None else [c.key for c in schema.columns if not c.optional]
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
    #: the last row holding a value (rows between the header and it that hold nothing are not in ``rows``)
    last_row: int = 0
    _job_cols: list[int] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_raw(cls, schema: TabSchema, raw: RawTab, required: Iterable[str] | None = None) -> Table:
        header = resolve_header(schema, raw.header, required)
        rows = []
        for number, cells in raw.data_rows():
            values = {k: (cells[p - 1] if p <= len(cells) else "") for k, p in header.positions.items()}
            rows.append(Row(number, values, tuple(cells), raw.row_merged(number)))
        return cls(schema, header, rows, raw.title, raw.last_row)

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
        if self._job_cols is None:
            self._job_cols = [
                self.header.positions[c.key] for c in self.schema.job_columns if c.key in self.header.positions
            ]
        return list(self._job_cols)

    def fingerprint(self, row: Row) -> str:
        if self._job_cols is None:
            self.job_cols()
        return fingerprint(row.cells, self._job_cols or ())


def missing_optional(backend: Backend, schemas: Sequence[TabSchema]) -> list[str]:
    """The optional tabs (added in a later version, see ``TabSchema.optional``) this file does not
    have yet: steps that need them wait for ``init``, the rest run."""
    wanted = [s.name for s in schemas if s.optional]
    if not wanted:
        return []
    found = resolve_titles(wanted, backend.list_tabs(), backend.location)
    return [name for name in wanted if found[name] is None]


def read_tables(
    backend: Backend, schemas: Sequence[TabSchema], required: Mapping[str, Iterable[str]] | None = None
) -> dict[str, Table]:
    """Read several tabs in one request and check every header before anything else happens."""
    raws = backend.read([s.name for s in schemas])
    return {s.name: Table.from_raw(s, raws[s.name], (required or {}).get(s.name)) for s in schemas}
