"""Guarded writes: a job write lands on the row that holds its ID at the moment of writing, or not at all.

Every step writes through :func:`write_tables`, one call per file:

1. *open* (``Backend.begin_write``): the tabs are read fresh — on Google in the same request that
   protects them for the service account alone, so no editor can insert, delete, sort or type in
   them until the write is done;
2. *plan* against that read: each update's row found again by its ID (or, for a row without one,
   by row number plus a fingerprint of its cells); compare-and-set on every staff-owned cell it
   writes (the value the step read must still be there — a person who changed it wins) and, for
   validation results, on the whole row's content; a cell inside a merged block is never written;
3. *close* (``Backend.finish_write``): all cells and new rows at once — on Google one atomic
   ``spreadsheets.batchUpdate`` that also lifts the protection, answered with the tabs as they are
   right after, which is the read-back;
4. *verify* that every written row still holds its ID and the values; anything misplaced (only an
   owner of the spreadsheet can move rows while the tabs are protected, and only in the instant
   between 1 and 3) is *repaired* once from what was read in 1 — the wrongly written cells get back
   what they held, the intended row gets its values — and reported per row either way.

Conflicts are :class:`~automation.report.Issue` values in the result, never exceptions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from automation.errors import OnemarketError, WindowLostError, WriteConflictError
from automation.report import WARNING, Issue
from automation.schema import TabSchema
from automation.sheets.base import Backend, CellWrite, RawTab, col_letter
from automation.sheets.table import Row, Table, fingerprint, resolve_header


@dataclass(frozen=True)
class RowUpdate:
    """New text for some columns of one row, addressed by ID or (for an ID-less row) by
    row number + fingerprint taken when the job read it."""

    values: Mapping[str, str]
    id: str = ""
    row: int = 0
    fingerprint: str = ""
    #: cells that must still hold these values at write time (compare-and-set): a person who
    #: changed one of them since the job read the row wins, and the row is reported instead.
    #: :func:`write_tables` adds every staff-owned cell the update writes, from ``TabWrite.base``
    expect: Mapping[str, str] = field(default_factory=dict)
    #: the row's staff content (``Table.fingerprint``) the values were computed from: when the row
    #: changed since, nothing is written to it (validation results always match what they checked)
    content: str = ""


@dataclass(frozen=True)
class TabWrite:
    """What one step writes into one tab: updates of existing rows and new rows (by column key)."""

    schema: TabSchema
    updates: Sequence[RowUpdate] = ()
    appends: Sequence[Mapping[str, str]] = ()
    #: staff-owned columns this step may write (always under compare-and-set)
    allow: Iterable[str] = ()
    #: the step's own read of the tab: where the compare-and-set values come from
    base: Table | None = None


@dataclass
class WriteResult:
    written_rows: int = 0
    written_cells: int = 0
    appended: int = 0
    repaired: int = 0
    issues: list[Issue] = field(default_factory=list)


@dataclass
class _Placed:
    tab: str
    row: int                     # where the window's read had it
    update: RowUpdate
    cells: dict[str, str]        # key → value actually sent (changed cells only)
    ident: str                   # its ID, or "" (then its fingerprint identifies it)
    fp: str                      # staff-content fingerprint in the window's read
    before: dict[str, str]       # the written cells' values in the window's read
    rfp: str                     # the same without the cells written (what identifies it after)


@dataclass
class _Plan:
    cells: dict[str, list[CellWrite]] = field(default_factory=dict)
    appends: dict[str, list[list[str]]] = field(default_factory=dict)
    placed: list[_Placed] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    tables: dict[str, Table] = field(default_factory=dict)
    appended_ids: dict[str, list[str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(self.cells.values()) and not any(self.appends.values())


def _issue(code: str, tab: str, row: int | None, column: str | None, value: str | None, message: str,
           severity: str = WARNING) -> Issue:
    return Issue(code, row, column, value, message, severity, tab)


# -- locating rows ---------------------------------------------------------------------------

def _locate(table: Table, update: RowUpdate, ids: dict[str, list[Row]], by_number: dict[int, Row]) -> Row | Issue:
    schema = table.schema
    id_header = schema.id.header
    if update.id:
        found = ids.get(update.id, [])
        if len(found) == 1:
            return found[0]
        if not found:
            return _issue("row_gone", schema.name, None, id_header, update.id,
                          f"{id_header} '{update.id}' 행을 찾을 수 없어 쓰지 않았습니다 (삭제되었거나 ID가 바뀌었습니다). 확인하세요.")
        rows = ", ".join(str(r.number) for r in found)
        return _issue("duplicate_id", schema.name, found[0].number, id_header, update.id,
                      f"{id_header} '{update.id}'이(가) 여러 행({rows}행)에 있어 어느 행에도 쓰지 않았습니다. 복사된 행의 ID를 지우세요.")
    candidate = by_number.get(update.row)
    if candidate is not None and table.fingerprint(candidate) == update.fingerprint:
        return candidate
    moved = [r for r in table.rows if not r[schema.id_column].strip() and table.fingerprint(r) == update.fingerprint]
    if len(moved) == 1:
        return moved[0]
    return _issue("row_moved", schema.name, update.row, None, None,
                  f"{update.row}행이 작업 중에 바뀌거나 옮겨져 쓰지 않았습니다. 다음 실행에서 다시 처리합니다.")


def _with_base(write: TabWrite) -> list[RowUpdate]:
    """Against the step's own read: an update that changes nothing there is dropped (a quiet run
    opens no window), and every staff-owned cell an update writes gets its compare-and-set value."""
    base = write.base
    staff = {c.key for c in write.schema.columns if not c.job_owned}
    if base is None:
        return list(write.updates)
    ids, by_number = base.by_id(), {r.number: r for r in base.rows}
    out = []
    for u in write.updates:
        row = _locate(base, u, ids, by_number)
        if isinstance(row, Issue):
            out.append(u)           # reported against the fresh read, where it may be found after all
            continue
        if all(row[k] == v for k, v in u.values.items()):
            continue
        keys = [k for k in u.values if k in staff and k not in u.expect]
        expect = {**u.expect, **{k: row[k] for k in keys}}
        out.append(RowUpdate(u.values, u.id, u.row, u.fingerprint, expect, u.content))
    return out


# -- planning against the window's read --------------------------------------------------------

def _check_allowed(write: TabWrite) -> set[str]:
    allowed = {c.key for c in write.schema.job_columns} | set(write.allow)
    for u in write.updates:
        bad = set(u.values) - allowed
        if bad:
            raise WriteConflictError(
                f"'{write.schema.name}' 탭의 직원 입력 열 {sorted(bad)}에 쓰려고 했습니다 (프로그램 오류). 아무것도 쓰지 않았습니다.")
    return allowed


def _needed(write: TabWrite, allowed: set[str]) -> list[str]:
    keys = allowed | {write.schema.id_column} | {k for u in write.updates for k in (*u.values, *u.expect)}
    keys |= {k for row in write.appends for k in row}
    return sorted(keys)


def _refused(update: RowUpdate, target: Row, table: Table, raw: RawTab) -> Issue | None:
    """Why this update must not touch its row now (a person's change wins), or None."""
    schema, name, label = table.schema, table.schema.name, update.id or None
    changed = [k for k, v in update.expect.items() if target[k] != v]
    if changed:
        header = schema.column(changed[0]).header
        return _issue("row_changed", name, target.number, header, label,
                      f"{target.number}행의 '{header}'이(가) 작업 중에 바뀌어 쓰지 않았습니다 (사람이 고친 값을 우선합니다).")
    if update.content and table.fingerprint(target) != update.content:
        return _issue("row_changed", name, target.number, None, label,
                      f"{target.number}행이 작업 중에 고쳐져 이번 결과를 쓰지 않았습니다. 다음 실행에서 고친 내용으로 다시 처리합니다.")
    merged = [k for k in update.values if raw.cell_merged(target.number, table.header.col(k))]
    if merged:
        header = schema.column(merged[0]).header
        return _issue("merged_cell", name, target.number, header, label,
                      f"{target.number}행의 '{header}' 칸이 병합되어 있어 쓰지 않았습니다. 병합을 풀면 다음 실행에서 씁니다.")
    return None


def _plan_updates(write: TabWrite, updates: Sequence[RowUpdate], raw: RawTab, table: Table, plan: _Plan,
                  merge: bool = False) -> None:
    """Locate and check every update; ``merge`` (repairs) lets a later update of a row add to an earlier one."""
    schema, name = write.schema, write.schema.name
    ids, by_number = table.by_id(), {r.number: r for r in table.rows}
    rows: dict[int, tuple[Row, RowUpdate, dict[str, str]]] = {}
    for update in updates:
        target = _locate(table, update, ids, by_number)
        if isinstance(target, Issue):
            plan.issues.append(target)
            continue
        refused = _refused(update, target, table, raw)
        if refused is not None:
            plan.issues.append(refused)
            continue
        if target.number in rows and not merge:
            plan.issues.append(_issue("row_twice", name, target.number, None, update.id or None,
                                      f"{target.number}행에 두 번 쓰려고 해서 한 번만 썼습니다."))
            continue
        _, first, values = rows.get(target.number, (target, update, {}))
        rows[target.number] = (target, first, {**values, **update.values})
    cells = plan.cells.setdefault(name, [])
    job_cols = table.job_cols()
    for number, (target, update, values) in rows.items():
        sent = {k: v for k, v in values.items() if target[k] != v}
        if not sent:
            continue
        skip = [table.header.col(k) for k in sent]
        plan.placed.append(_Placed(name, number, update, sent, target[schema.id_column].strip(),
                                   table.fingerprint(target), {k: target[k] for k in sent},
                                   fingerprint(target.cells, [*job_cols, *skip])))
        cells.extend(CellWrite(number, table.header.col(k), v) for k, v in sent.items())


def _plan_appends(write: TabWrite, table: Table, plan: _Plan) -> None:
    if not write.appends:
        return
    header = table.header
    width = max([header.width, *header.positions.values()])
    rows = plan.appends.setdefault(write.schema.name, [])
    for values in write.appends:
        cells = [""] * width
        for key, value in values.items():
            cells[header.col(key) - 1] = value
        rows.append(cells)
    id_key = write.schema.id_column
    plan.appended_ids[write.schema.name] = [v.get(id_key, "") for v in write.appends]


def _plan(writes: Sequence[TabWrite], prepared: Mapping[str, list[RowUpdate]], tabs: Mapping[str, RawTab],
          merge: bool) -> _Plan:
    plan = _Plan()
    for write in writes:
        allowed = _check_allowed(write)
        raw = tabs[write.schema.name]
        table = Table.from_raw(write.schema, raw, _needed(write, allowed))
        plan.tables[write.schema.name] = table
        _plan_updates(write, prepared[write.schema.name], raw, table, plan, merge)
        _plan_appends(write, table, plan)
    return plan


# -- the write itself ------------------------------------------------------------------------

def write_tables(backend: Backend, writes: Sequence[TabWrite], *, repair: bool = True) -> WriteResult:
    """Write one step's changes to one file (see the module text). One window, then at most one
    repair window; Google: two ``spreadsheets.batchUpdate`` each, whatever the number of rows."""
    result = WriteResult()
    writes = [w for w in writes if w.updates or w.appends]
    if not writes:
        return result
    names = [w.schema.name for w in writes]
    if len(set(names)) != len(names):
        raise ValueError(f"one TabWrite per tab: {names}")
    for write in writes:
        _check_allowed(write)
    prepared = {w.schema.name: _with_base(w) for w in writes}
    writes = [w for w in writes if prepared[w.schema.name] or w.appends]
    if not writes:
        return result
    for attempt in (1, 2):
        try:
            _once(backend, writes, prepared, result, repair)
            return result
        except WindowLostError as exc:
            if attempt == 2:
                result.issues.append(_issue("write_not_applied", names[0], None, None, None, exc.message))
    return result


def _once(backend: Backend, writes: Sequence[TabWrite], prepared: Mapping[str, list[RowUpdate]],
          result: WriteResult, repair: bool) -> None:
    window = backend.begin_write([w.schema.name for w in writes])
    finished = False
    try:
        plan = _plan(writes, prepared, window.tabs, merge=not repair)
        if plan.empty:
            result.issues.extend(plan.issues)
            return
        post = backend.finish_write(window, plan.cells, plan.appends)
        finished = True
    finally:
        if not finished:
            backend.abort_write(window)
    result.issues.extend(plan.issues)
    result.written_cells += sum(len(c) for c in plan.cells.values())
    result.written_rows += len(plan.placed)
    result.appended += sum(len(r) for r in plan.appends.values())
    if post is None:
        return
    misplaced, issues = _verify(plan, post)
    result.issues.extend(issues)
    if misplaced:
        _repair(backend, writes, plan, misplaced, post, result, repair)


# -- verify and repair -----------------------------------------------------------------------

def _post_table(write_schema: TabSchema, raw: RawTab | None, plan_table: Table) -> Table | None:
    """The tab right after the write, or None when its header moved (then nothing is trusted)."""
    if raw is None:
        return None
    try:
        table = Table.from_raw(write_schema, raw, list(plan_table.header.positions))
    except OnemarketError:
        return None
    if dict(table.header.positions) != dict(plan_table.header.positions):
        return None
    return table


def _verify(plan: _Plan, post: Mapping[str, RawTab]) -> tuple[list[_Placed], list[Issue]]:
    misplaced: list[_Placed] = []
    issues: list[Issue] = []
    for name, table in plan.tables.items():
        after = _post_table(table.schema, post.get(name), table)
        mine = [p for p in plan.placed if p.tab == name]
        if after is None:
            misplaced.extend(mine)
            continue
        by_number = {r.number: r for r in after.rows}
        for p in mine:
            row = by_number.get(p.row)
            if row is None or not _holds(after, row, p):
                misplaced.append(p)
        issues.extend(_check_appends(name, after, plan))
    return misplaced, issues


def _holds(table: Table, row: Row, p: _Placed) -> bool:
    """The row at the written position is the intended one and holds the values."""
    if any(row[k] != v for k, v in p.cells.items()):
        return False
    skip = [table.header.col(k) for k in p.cells]
    if _reduced(table, row, skip) != p.rfp:
        return False
    return not p.ident or row[table.schema.id_column].strip() == p.ident


def _reduced(table: Table, row: Row, skip: Iterable[int]) -> str:
    return fingerprint(row.cells, [*table.job_cols(), *skip])


def _check_appends(name: str, after: Table, plan: _Plan) -> list[Issue]:
    wanted = [i for i in plan.appended_ids.get(name, []) if i]
    if not wanted:
        return []
    ids = after.by_id()
    schema = after.schema
    out = []
    for value in wanted:
        if len(ids.get(value, [])) != 1:
            out.append(_issue("append_unverified", name, None, schema.id.header, value,
                              f"새로 더한 행 {schema.id.header} '{value}'을(를) 다시 읽어 보니 한 행에 있지 않습니다. 확인하세요."))
    return out


def _repair(backend: Backend, writes: Sequence[TabWrite], plan: _Plan, misplaced: list[_Placed],
            post: Mapping[str, RawTab], result: WriteResult, allowed: bool) -> None:
    """Put back what the misplaced cells held and give the intended rows their values, once."""
    by_tab: dict[str, list[_Placed]] = {}
    for p in misplaced:
        by_tab.setdefault(p.tab, []).append(p)
    repairs: list[TabWrite] = []
    for write in writes:
        name = write.schema.name
        if name not in by_tab:
            continue
        table = plan.tables[name]
        after_raw = post.get(name)
        undo, unknown = _undo_updates(table, after_raw, by_tab[name]) if after_raw is not None else ([], [])
        redo = [RowUpdate(p.cells, id=p.ident, row=p.row, fingerprint=p.fp if not p.ident else "",
                          expect={k: v for k, v in p.before.items() if not table.schema.column(k).job_owned})
                for p in by_tab[name]]
        keys = {c.key for c in table.schema.columns}
        repairs.append(TabWrite(write.schema, [*undo, *redo], allow=keys))
        result.issues.extend(unknown)
    if not allowed:
        for p in misplaced:
            result.issues.append(_issue("write_unverified", p.tab, p.row, None, p.ident or None,
                                        f"{p.row}행에 쓴 값을 다시 읽어 보니 다른 행에 있습니다 (작업 중 행이 옮겨짐). 이 행을 확인하세요."))
        return
    again = write_tables(backend, repairs, repair=False)
    result.repaired += len(misplaced)
    for p in misplaced:
        label = f"{p.ident} " if p.ident else ""
        result.issues.append(_issue("write_repaired", p.tab, p.row, None, p.ident or None,
                                    f"{label}{p.row}행: 쓰는 순간 행이 옮겨져(소유자의 편집) 다른 행에 잘못 쓴 값을 되돌리고 "
                                    "제 행에 다시 썼습니다. 확인하세요."))
    result.issues.extend(again.issues)


def _undo_updates(table: Table, after_raw: RawTab, placed: list[_Placed]) -> tuple[list[RowUpdate], list[Issue]]:
    """For every cell a misplaced write hit: give it back what it held before (from the window's read)."""
    schema = table.schema
    try:
        after: Table | None = Table.from_raw(schema, after_raw, list(table.header.positions))
    except OnemarketError:
        after = None
    undo: list[RowUpdate] = []
    unknown: list[Issue] = []
    if after is None or dict(after.header.positions) != dict(table.header.positions):
        for p in placed:
            unknown.append(_issue("write_unverified", schema.name, p.row, None, p.ident or None,
                                  f"{p.row}행에 쓰는 동안 열이 옮겨져 어느 칸에 들어갔는지 확인할 수 없습니다. "
                                  f"이 탭의 {', '.join(schema.column(k).header for k in p.cells)} 칸을 확인하세요."))
        return undo, unknown
    by_number = {r.number: r for r in after.rows}
    before_ids = table.by_id()
    for p in placed:
        victim = by_number.get(p.row)
        if victim is None:
            continue
        hit = {k: v for k, v in p.cells.items() if victim[k] == v}
        if not hit:
            continue
        skip = [table.header.col(k) for k in hit]
        victim_fp = _reduced(after, victim, skip)
        vid = victim[schema.id_column].strip() if schema.id_column not in hit else ""
        original = None
        if vid and len(before_ids.get(vid, [])) == 1:
            original = before_ids[vid][0]
        else:
            same = [r for r in table.rows if _reduced(table, r, skip) == victim_fp]
            original = same[0] if len(same) == 1 else None
        values: dict[str, str] = {}
        for key in hit:
            if original is not None:
                values[key] = original[key]
            elif not any(c.strip() for i, c in enumerate(victim.cells, 1) if i not in {*table.job_cols(), *skip}):
                values[key] = ""          # a blank row inserted meanwhile: it held nothing
            elif schema.column(key).job_owned:
                values[key] = ""          # the job recomputes it next run
            else:
                col = f"{col_letter(table.header.col(key))}{p.row}"
                unknown.append(_issue("write_unrepaired", schema.name, p.row, schema.column(key).header, None,
                                      f"{col} 칸에 작업이 잘못 쓴 값을 되돌릴 수 없습니다 (쓰는 순간 새로 들어온 행). "
                                      "이 칸의 원래 값을 확인해 고치세요."))
        if values:
            undo.append(RowUpdate(values, row=p.row, fingerprint=fingerprint(victim.cells, table.job_cols()),
                                  expect=hit))
    return undo, unknown


# -- the older one-tab helpers ----------------------------------------------------------------

def write_rows(backend: Backend, schema: TabSchema, updates: Sequence[RowUpdate], *,
               allow: Iterable[str] | None = None, base: Table | None = None) -> WriteResult:
    """One tab's updates through :func:`write_tables`."""
    return write_tables(backend, [TabWrite(schema, updates, allow=tuple(allow or ()), base=base)])


def append_rows(backend: Backend, schema: TabSchema, rows: Sequence[Mapping[str, str]]) -> WriteResult:
    """New rows after the last row of ``schema``'s tab, laid out by its header at write time."""
    return write_tables(backend, [TabWrite(schema, appends=rows)])


__all__ = ["RowUpdate", "TabWrite", "WriteResult", "append_rows", "resolve_header", "write_rows", "write_tables"]
