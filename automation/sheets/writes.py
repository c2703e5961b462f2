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
   between 1 and 3) is *repaired* from what was read in 1 — the wrongly written cells get back
   what they held, the intended row gets its values — and reported per row either way.

Conflicts are :class:`~automation.report.Issue` values in the result, never exceptions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    #: columns left out of ``fingerprint`` (repairs: cells a misplaced write may have changed)
    loose: frozenset[str] = frozenset()
    #: ``fingerprint`` covers every cell, job columns too (a row that holds only what the job wrote)
    exact: bool = False
    #: compare-and-set cell by cell (undoing a misplaced write): a cell a person changed since keeps
    #: the person's value, the others are still put back
    per_cell: bool = False


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
    row_cells: tuple[str, ...] = ()   # the whole row in the window's read


@dataclass
class _Plan:
    cells: dict[str, list[CellWrite]] = field(default_factory=dict)
    appends: dict[str, list[list[str]]] = field(default_factory=dict)
    placed: list[_Placed] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    tables: dict[str, Table] = field(default_factory=dict)
    appended_ids: dict[str, list[str]] = field(default_factory=dict)
    #: what each written cell held at the instant of the write (WriteWindow.before)
    before: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)

    def held(self, p: _Placed, key: str) -> str | None:
        return self.before.get(p.tab, {}).get((p.row, self.tables[p.tab].header.col(key)))

    @property
    def empty(self) -> bool:
        return not any(self.cells.values()) and not any(self.appends.values())


def _issue(code: str, tab: str, row: int | None, column: str | None, value: str | None, message: str,
           severity: str = WARNING) -> Issue:
    return Issue(code, row, column, value, message, severity, tab)


# -- locating rows ---------------------------------------------------------------------------

def _locate(table: Table, update: RowUpdate, ids: dict[str, list[Row]], by_number: dict[int, Row]) -> Row | Issue:
    """The row an update is about: by ID; by row number + fingerprint when it has none (or, for a
    repair, when the ID is not found once: a misplaced write may have changed the ID cell)."""
    schema = table.schema
    id_header = schema.id.header
    skip = [*table.job_cols(), *(table.header.col(k) for k in update.loose if k in table.header.positions)]
    fp: Callable[[Row], str] = (lambda r: fingerprint(r.cells, skip)) if update.loose else table.fingerprint
    if update.exact:
        fp = lambda r: fingerprint(r.cells)  # noqa: E731
    if update.id:
        found = ids.get(update.id, [])
        if len(found) == 1:
            return found[0]
        if update.fingerprint and found:
            same = [r for r in found if fp(r) == update.fingerprint]
            if len(same) == 1:
                return same[0]
        if found:
            rows = ", ".join(str(r.number) for r in found)
            return _issue("duplicate_id", schema.name, found[0].number, id_header, update.id,
                          f"{id_header} '{update.id}'이(가) 여러 행({rows}행)에 있어 어느 행에도 쓰지 않았습니다. 복사된 행의 ID를 지우세요.")
        if not update.fingerprint:
            return _issue("row_gone", schema.name, None, id_header, update.id,
                          f"{id_header} '{update.id}' 행을 찾을 수 없어 쓰지 않았습니다 (삭제되었거나 ID가 바뀌었습니다). 확인하세요.")
    candidate = by_number.get(update.row)
    if candidate is not None and fp(candidate) == update.fingerprint:
        return candidate
    moved = [r for r in table.rows if fp(r) == update.fingerprint]
    if len(moved) == 1 or (update.exact and moved and len({r.cells for r in moved}) == 1):
        return moved[0]      # identical leftovers of the job's own: any one of them is the same
    if update.id:
        return _issue("row_gone", schema.name, None, id_header, update.id,
                      f"{id_header} '{update.id}' 행을 찾을 수 없어 쓰지 않았습니다 (삭제되었거나 ID가 바뀌었습니다). 확인하세요.")
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


class _Pending:
    """A row as it will be once the earlier (merged) updates of this window are applied."""

    def __init__(self, row: Row, pending: Mapping[str, str]) -> None:
        self.row, self.pending, self.number, self.cells = row, pending, row.number, row.cells

    def __getitem__(self, key: str) -> str:
        return self.pending[key] if key in self.pending else self.row[key]


def _refused(update: RowUpdate, target: Row | _Pending, table: Table, raw: RawTab) -> Issue | None:
    """Why this update must not touch its row now (a person's change wins), or None."""
    schema, name, label = table.schema, table.schema.name, update.id or None
    changed = [k for k, v in update.expect.items() if target[k] != v]
    if changed:
        header = schema.column(changed[0]).header
        return _issue("row_changed", name, target.number, header, label,
                      f"{target.number}행의 '{header}'이(가) 작업 중에 바뀌어 쓰지 않았습니다 (사람이 고친 값을 우선합니다).")
    if update.content and fingerprint(target.cells, table.job_cols()) != update.content:
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
        pending = rows.get(target.number, (target, update, {}))[2]
        if update.per_cell:
            now = _Pending(target, pending)
            kept = {k: v for k, v in update.values.items() if k not in update.expect or now[k] == update.expect[k]}
            update = dataclasses.replace(update, values=kept, expect={k: update.expect[k] for k in kept
                                                                       if k in update.expect})
        refused = _refused(update, _Pending(target, pending), table, raw)
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
        ident = sent.get(schema.id_column, target[schema.id_column]).strip()   # the ID it holds once written
        plan.placed.append(_Placed(name, number, update, sent, ident,
                                   table.fingerprint(target), {k: target[k] for k in sent},
                                   fingerprint(target.cells, [*job_cols, *skip]), target.cells))
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

#: repair windows after a misplaced write (each one is needed only if an owner moved rows again in
#: the previous window's instant); what is still misplaced after them is reported, not guessed
REPAIR_ROUNDS = 3


def write_tables(backend: Backend, writes: Sequence[TabWrite]) -> WriteResult:
    """Write one step's changes to one file (see the module text). One window, and a repair window
    only when the read-back shows a misplaced cell; Google: two ``spreadsheets.batchUpdate`` each,
    whatever the number of rows."""
    return _write(backend, writes, REPAIR_ROUNDS, merge=False, seen={})


#: tab → column key → every non-empty value this write_tables call has sent (to find strays)
_Seen = dict[str, dict[str, set[str]]]


def _write(backend: Backend, writes: Sequence[TabWrite], rounds: int, *, merge: bool, seen: _Seen) -> WriteResult:
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
            _once(backend, writes, prepared, result, rounds, merge, seen)
            return result
        except WindowLostError as exc:
            if attempt == 2:
                result.issues.append(_issue("write_not_applied", names[0], None, None, None, exc.message))
    return result


def _once(backend: Backend, writes: Sequence[TabWrite], prepared: Mapping[str, list[RowUpdate]],
          result: WriteResult, rounds: int, merge: bool, seen: _Seen) -> None:
    window = backend.begin_write([w.schema.name for w in writes])
    finished = False
    try:
        plan = _plan(writes, prepared, window.tabs, merge=merge)
        if plan.empty:
            result.issues.extend(plan.issues)
            return
        for p in plan.placed:   # staff cells under compare-and-set: their instant value matters
            header = plan.tables[p.tab].header
            for key in p.cells:
                if not plan.tables[p.tab].schema.column(key).job_owned:
                    window.capture.setdefault(p.tab, set()).add((p.row, header.col(key)))
        post = backend.finish_write(window, plan.cells, plan.appends)
        finished = True
    finally:
        if not finished:
            backend.abort_write(window)
    if window.lost and post is not None and not any(_landed(plan, post)):
        raise WindowLostError("쓰기 직전에 보호가 풀려(사람이 지웠거나 늦은 응답) 아무것도 쓰지 않았습니다.")
    result.issues.extend(plan.issues)
    result.written_cells += sum(len(c) for c in plan.cells.values())
    result.written_rows += len(plan.placed)
    result.appended += sum(len(r) for r in plan.appends.values())
    if post is None:
        return
    for p in plan.placed:
        for key, value in p.cells.items():
            if value:
                seen.setdefault(p.tab, {}).setdefault(key, set()).add(value)
    plan.before = window.before
    misplaced, late, issues = _verify(plan, post)
    result.issues.extend(issues)
    strays = _strays(plan, post, seen) if misplaced or merge else {}
    if misplaced or late or any(strays.values()):
        _repair(backend, writes, plan, misplaced, strays, post, result, rounds, seen, late=late)


# -- verify and repair -----------------------------------------------------------------------

def _landed(plan: _Plan, post: Mapping[str, RawTab]) -> list[bool]:
    """For each placed update: do its values sit on its row in ``post``?"""
    out = []
    for name, table in plan.tables.items():
        after = _post_table(table.schema, post.get(name), table)
        by_number = {r.number: r for r in after.rows} if after is not None else {}
        out += [after is not None and _holds(after, by_number.get(p.row), p) for p in plan.placed if p.tab == name]
    return out


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


def _verify(plan: _Plan, post: Mapping[str, RawTab]) -> tuple[list[_Placed], list[_Placed], list[Issue]]:
    """(misplaced, late, issues): a *late* update landed on its row, but a cell it compare-and-set
    held something else at the instant of the write (an owner typed it in the last instant): the
    person's value must come back, and the rest of that update with it."""
    misplaced: list[_Placed] = []
    late: list[_Placed] = []
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
            if not _holds(after, row, p):
                misplaced.append(p)
            elif any(k in p.cells and plan.held(p, k) not in (None, v) for k, v in p.update.expect.items()):
                late.append(p)
        issues.extend(_check_appends(name, after, plan))
    return misplaced, late, issues


def _holds(table: Table, row: Row | None, p: _Placed) -> bool:
    """The row at the written position is the intended one and holds the values (a row that holds
    nothing at all now is not stored: it holds only what blanked it)."""
    if row is None:
        return not p.ident and all(v == "" for v in p.cells.values()) and p.rfp == fingerprint(())
    if any(row[k] != v for k, v in p.cells.items()):
        return False
    skip = [table.header.col(k) for k in p.cells]
    if _reduced(table, row, skip) != p.rfp:
        return False
    return not p.ident or row[table.schema.id_column].strip() == p.ident


def _reduced(table: Table, row: Row, skip: Iterable[int]) -> str:
    return fingerprint(row.cells, [*table.job_cols(), *skip])


def _strays(plan: _Plan, post: Mapping[str, RawTab], seen: _Seen) -> dict[str, list[tuple[Row, dict[str, str]]]]:
    """Rows that hold nothing but values this call wrote (in the columns it wrote), where no write of
    it belongs — what a misplaced write left when an owner moved rows again during a repair's instant."""
    out: dict[str, list[tuple[Row, dict[str, str]]]] = {}
    for name, table in plan.tables.items():
        after = _post_table(table.schema, post.get(name), table)
        if after is None or name not in seen or all(c.job_owned for c in table.schema.columns):
            continue
        by_number = {r.number: r for r in after.rows}
        held = {p.row for p in plan.placed if p.tab == name and _holds(after, by_number.get(p.row), p)}
        ours = set(after.job_cols()) | {after.header.col(k) for k in seen[name]}
        for row in after.rows:
            if row.number in held or any(c.strip() for i, c in enumerate(row.cells, 1) if i not in ours):
                continue
            hits = {k: row[k] for k, values in seen[name].items() if row[k] and row[k] in values}
            if hits:
                out.setdefault(name, []).append((row, hits))
    return out


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
            strays: Mapping[str, list[tuple[Row, dict[str, str]]]], post: Mapping[str, RawTab],
            result: WriteResult, rounds: int, seen: _Seen, *, late: Sequence[_Placed] = ()) -> None:
    """Put back what the misplaced cells held and give the intended rows their values; for a late
    conflict, only put back what the row held (the person's value wins)."""
    repairs: list[TabWrite] = []
    for write in writes:
        name = write.schema.name
        mine = [p for p in misplaced if p.tab == name]
        mine_late = [p for p in late if p.tab == name]
        if not mine and not mine_late and not strays.get(name):
            continue
        table = plan.tables[name]
        after_raw = post.get(name)
        loose = frozenset(k for p in plan.placed if p.tab == name for k in p.cells) | frozenset(seen.get(name, {}))
        skip = [*table.job_cols(), *(table.header.col(k) for k in loose)]
        undo, unknown = (_undo_updates(table, after_raw, mine, loose, plan) if after_raw is not None
                         else ([], []))
        undo += [RowUpdate(dict.fromkeys(hits, ""), row=row.number, fingerprint=fingerprint(row.cells),
                           expect=hits, exact=True, per_cell=True) for row, hits in strays.get(name, [])]
        undo += [_late_undo(p, plan, skip, loose) for p in mine_late]
        redo = [RowUpdate(p.cells, id=p.update.id, row=p.row, fingerprint=fingerprint(p.row_cells, skip),
                          expect={k: v for k, v in p.before.items() if not table.schema.column(k).job_owned},
                          loose=loose)
                for p in mine]
        keys = {c.key for c in table.schema.columns}
        repairs.append(TabWrite(write.schema, [*undo, *redo], allow=keys))
        result.issues.extend(unknown)
    if rounds <= 0:
        for p in misplaced:
            result.issues.append(_issue("write_unverified", p.tab, p.row, None, p.ident or None,
                                        f"{p.row}행에 쓴 값을 다시 읽어 보니 다른 행에 있습니다 (작업 중 행이 옮겨짐). 이 행을 확인하세요."))
        for name, rows in strays.items():
            for row, _ in rows:
                result.issues.append(_issue("write_unverified", name, row.number, None, None,
                                            f"{row.number}행에 작업이 쓴 값이 남았습니다 (작업 중 행이 옮겨짐). 이 행을 확인하세요."))
        return
    again = _write(backend, repairs, rounds - 1, merge=True, seen=seen)
    result.repaired += len(misplaced)
    for p in late:
        key = next(k for k, v in p.update.expect.items() if k in p.cells and plan.held(p, k) not in (None, v))
        header = plan.tables[p.tab].schema.column(key).header
        result.issues.append(_issue("row_changed", p.tab, p.row, header, p.ident or None,
                                    f"{p.row}행의 '{header}'이(가) 쓰는 순간 바뀌어(소유자의 편집) 이 행에 쓴 값을 "
                                    "되돌렸습니다 (사람이 고친 값을 우선합니다)."))
    for p in misplaced:
        if p in late:
            continue
        label = f"{p.ident} " if p.ident else ""
        result.issues.append(_issue("write_repaired", p.tab, p.row, None, p.ident or None,
                                    f"{label}{p.row}행: 쓰는 순간 행이 옮겨져(소유자의 편집) 다른 행에 잘못 쓴 값을 되돌리고 "
                                    "제 행에 다시 썼습니다. 확인하세요."))
    result.issues.extend(again.issues)


def _late_undo(p: _Placed, plan: _Plan, skip: Sequence[int], loose: frozenset[str]) -> RowUpdate:
    """Put back what a row held at the instant of a write whose compare-and-set failed there: every
    cell of an ordinary update (it must not have happened at all), only the conflicting cells of a
    cell-by-cell one (an undo: the rest of it was right)."""
    conflict = {k for k, v in p.update.expect.items() if k in p.cells and plan.held(p, k) not in (None, v)}
    keys = [k for k in p.cells if not p.update.per_cell or k in conflict]
    values = {k: plan.held(p, k) or "" for k in keys}
    return RowUpdate(values, id=p.ident, row=p.row, fingerprint=fingerprint(_written(p, plan), skip),
                     expect={k: p.cells[k] for k in keys}, loose=loose, per_cell=True)


def _written(p: _Placed, plan: _Plan) -> tuple[str, ...]:
    """The row's cells as the write left them (window read + what it sent)."""
    cells = list(p.row_cells)
    header = plan.tables[p.tab].header
    for key, value in p.cells.items():
        col = header.col(key)
        while len(cells) < col:
            cells.append("")
        cells[col - 1] = value
    return tuple(cells)


def _undo_updates(table: Table, after_raw: RawTab, placed: list[_Placed], loose: frozenset[str],
                  plan: _Plan) -> tuple[list[RowUpdate], list[Issue]]:
    """For every cell a misplaced write hit: give it back what it held at the instant of the write
    (captured by the close itself; without a capture, from the window's read)."""
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
        blank = not any(c.strip() for i, c in enumerate(victim.cells, 1) if i not in {*table.job_cols(), *skip})
        vid = victim[schema.id_column].strip() if schema.id_column not in hit else ""
        original = None
        if not blank and vid and len(before_ids.get(vid, [])) == 1:
            original = before_ids[vid][0]
        elif not blank:
            victim_fp = _reduced(after, victim, skip)
            same = [r for r in table.rows if _reduced(table, r, skip) == victim_fp]
            original = same[0] if len(same) == 1 else None
        values: dict[str, str] = {}
        for key in hit:
            captured = plan.held(p, key)
            if captured is not None:
                values[key] = captured    # exactly what the cell held when the write hit it
            elif blank:
                values[key] = ""          # a row beyond the data, or a blank row inserted meanwhile
            elif original is not None:
                values[key] = original[key]
            elif schema.column(key).job_owned:
                values[key] = ""          # the job recomputes it next run
            else:
                col = f"{col_letter(table.header.col(key))}{p.row}"
                unknown.append(_issue("write_unrepaired", schema.name, p.row, schema.column(key).header, None,
                                      f"{col} 칸에 작업이 잘못 쓴 값을 되돌릴 수 없습니다 (쓰는 순간 새로 들어온 행). "
                                      "이 칸의 원래 값을 확인해 고치세요."))
        if values and blank:   # only what the job wrote is in it: found by all its cells
            undo.append(RowUpdate(values, row=p.row, fingerprint=fingerprint(victim.cells), expect=hit, exact=True,
                                  per_cell=True))
        elif values:
            skip_loose = [*table.job_cols(), *(table.header.col(k) for k in loose)]
            undo.append(RowUpdate(values, id=vid, row=p.row, fingerprint=fingerprint(victim.cells, skip_loose),
                                  expect=hit, loose=loose, per_cell=True))
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
