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

from automation.errors import WindowLostError, WriteConflictError
from automation.report import Issue
from automation.schema import TabSchema
from automation.sheets.base import Backend, CellWrite, RawTab
from automation.sheets.table import Row, Table, fingerprint, resolve_header
from automation.sheets.writes_model import RowUpdate, TabWrite, WriteResult, _issue, _Placed, _Plan, _Seen
from automation.sheets.writes_repair import audit, landed, repair, strays, verify

# -- locating rows ---------------------------------------------------------------------------


def _locate(table: Table, update: RowUpdate, ids: dict[str, list[Row]], by_number: dict[int, Row]) -> Row | Issue:
    """The row an update is about: by ID; by row number + fingerprint when it has none (or, for a
    repair, when the ID is not found once: a misplaced write may have changed the ID cell)."""
    schema = table.schema
    id_header = schema.id.header
    if update.holds:
        holding = [r for r in table.rows if all(r[k] == v for k, v in update.holds.items())]
        fp_all: Callable[[Row], str] = (
            (lambda r: fingerprint(r.cells))
            if update.exact
            else (lambda r: fingerprint(r.cells, [*table.job_cols(), *(table.header.col(k) for k in update.loose)]))
        )
        if update.content_first and update.fingerprint:
            # a repair's redo of an undo: only the victim itself (by its content) — a leftover of
            # the job's that holds the same wrong values is not the row to give the old values to
            holding = [r for r in holding if fp_all(r) == update.fingerprint]
        elif len(holding) > 1 and update.fingerprint:
            holding = [r for r in holding if fp_all(r) == update.fingerprint] or holding
        if len(holding) == 1 or (holding and len({r.cells for r in holding}) == 1):
            return holding[0]
    skip = [*table.job_cols(), *(table.header.col(k) for k in update.loose if k in table.header.positions)]
    fp: Callable[[Row], str] = (lambda r: fingerprint(r.cells, skip)) if update.loose else table.fingerprint
    if update.exact:
        fp = lambda r: fingerprint(r.cells)  # noqa: E731
    if update.content_first and update.fingerprint:
        same = [r for r in table.rows if fp(r) == update.fingerprint]
        if len(same) == 1:
            return same[0]
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
            return _issue(
                "duplicate_id",
                tab=schema.name,
                row=found[0].number,
                column=id_header,
                value=update.id,
                message=f"{id_header} '{update.id}'이(가) 여러 행({rows}행)에 있어 어느 행에도 쓰지 않았습니다. 복사된 행의 ID를 지우세요.",
            )
        if not update.fingerprint:
            return _issue(
                "row_gone",
                tab=schema.name,
                row=None,
                column=id_header,
                value=update.id,
                message=f"{id_header} '{update.id}' 행을 찾을 수 없어 쓰지 않았습니다 (삭제되었거나 ID가 바뀌었습니다). 확인하세요.",
            )
    candidate = by_number.get(update.row)
    if candidate is not None and fp(candidate) == update.fingerprint:
        return candidate
    moved = [r for r in table.rows if fp(r) == update.fingerprint]
    if len(moved) == 1 or (update.exact and moved and len({r.cells for r in moved}) == 1):
        return moved[0]  # identical leftovers of the job's own: any one of them is the same
    if update.id:
        return _issue(
            "row_gone",
            tab=schema.name,
            row=None,
            column=id_header,
            value=update.id,
            message=f"{id_header} '{update.id}' 행을 찾을 수 없어 쓰지 않았습니다 (삭제되었거나 ID가 바뀌었습니다). 확인하세요.",
        )
    return _issue(
        "row_moved",
        tab=schema.name,
        row=update.row,
        column=None,
        value=None,
        message=f"{update.row}행이 작업 중에 바뀌거나 옮겨져 쓰지 않았습니다. 다음 실행에서 다시 처리합니다.",
    )


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
            out.append(u)  # reported against the fresh read, where it may be found after all
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
                f"'{write.schema.name}' 탭의 직원 입력 열 {sorted(bad)}에 쓰려고 했습니다 (프로그램 오류). 아무것도 쓰지 않았습니다."
            )
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
        return _issue(
            "row_changed",
            tab=name,
            row=target.number,
            column=header,
            value=label,
            message=f"{target.number}행의 '{header}'이(가) 작업 중에 바뀌어 쓰지 않았습니다 (사람이 고친 값을 우선합니다).",
        )
    if update.content and fingerprint(target.cells, table.job_cols()) != update.content:
        return _issue(
            "row_changed",
            tab=name,
            row=target.number,
            column=None,
            value=label,
            message=f"{target.number}행이 작업 중에 고쳐져 이번 결과를 쓰지 않았습니다. 다음 실행에서 고친 내용으로 다시 처리합니다.",
        )
    merged = [k for k in update.values if raw.cell_merged(target.number, table.header.col(k))]
    if merged:
        header = schema.column(merged[0]).header
        return _issue(
            "merged_cell",
            tab=name,
            row=target.number,
            column=header,
            value=label,
            message=f"{target.number}행의 '{header}' 칸이 병합되어 있어 쓰지 않았습니다. 병합을 풀면 다음 실행에서 씁니다.",
        )
    return None


def _plan_updates(
    write: TabWrite, updates: Sequence[RowUpdate], raw: RawTab, table: Table, plan: _Plan, merge: bool = False
) -> None:
    """Locate and check every update; ``merge`` (repairs) lets a later update of a row add to an earlier one."""
    schema, name = write.schema, write.schema.name
    ids, by_number = table.by_id(), {r.number: r for r in table.rows}
    rows: dict[int, tuple[Row, RowUpdate, dict[str, str]]] = {}
    given: dict[str, list[Row]] = {}  # merge: IDs an earlier update of this window puts back on a row
    for update in updates:
        target = _locate(table, update, ids, by_number)
        if isinstance(target, Issue) and merge and update.id in given and len(given[update.id]) == 1:
            target = given[update.id][0]
        if isinstance(target, Issue):
            plan.issues.append(target)
            continue
        pending = rows.get(target.number, (target, update, {}))[2]
        if update.per_cell:
            now = _Pending(target, pending)
            kept = {k: v for k, v in update.values.items() if k not in update.expect or now[k] == update.expect[k]}
            update = dataclasses.replace(
                update, values=kept, expect={k: update.expect[k] for k in kept if k in update.expect}
            )
        refused = _refused(update, _Pending(target, pending), table, raw)
        if refused is not None:
            plan.issues.append(refused)
            continue
        if target.number in rows and not merge:
            plan.issues.append(
                _issue(
                    "row_twice",
                    tab=name,
                    row=target.number,
                    column=None,
                    value=update.id or None,
                    message=f"{target.number}행에 두 번 쓰려고 해서 한 번만 썼습니다.",
                )
            )
            continue
        _, first, values = rows.get(target.number, (target, update, {}))
        if first is not update:  # merged: what each cell must hold at the instant of the write is the
            # first expectation of the chain (a later one checks the value an earlier update puts back)
            first = dataclasses.replace(
                first, expect={**update.expect, **first.expect}, per_cell=first.per_cell or update.per_cell
            )
        rows[target.number] = (target, first, {**values, **update.values})
        if merge and update.values.get(schema.id_column, "").strip():
            given.setdefault(update.values[schema.id_column].strip(), []).append(target)
    cells = plan.cells.setdefault(name, [])
    job_cols = table.job_cols()
    for number, (target, update, values) in rows.items():
        sent = {k: v for k, v in values.items() if target[k] != v}
        if not sent:
            continue
        skip = [table.header.col(k) for k in sent]
        ident = sent.get(schema.id_column, target[schema.id_column]).strip()  # the ID it holds once written
        plan.placed.append(
            _Placed(
                name,
                number,
                update,
                sent,
                ident,
                table.fingerprint(target),
                {k: target[k] for k in sent},
                fingerprint(target.cells, [*job_cols, *skip]),
                target.cells,
            )
        )
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


def _plan(
    writes: Sequence[TabWrite], prepared: Mapping[str, list[RowUpdate]], tabs: Mapping[str, RawTab], merge: bool
) -> _Plan:
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
    seen: _Seen = {}
    result = _write(backend, writes, REPAIR_ROUNDS, merge=False, seen=seen)
    if result.repaired and backend.verifies:
        result.issues.extend(audit(backend, writes, seen))
    return result


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
                result.issues.append(
                    _issue("write_not_applied", tab=names[0], row=None, column=None, value=None, message=exc.message)
                )
    return result


def _once(
    backend: Backend,
    writes: Sequence[TabWrite],
    prepared: Mapping[str, list[RowUpdate]],
    result: WriteResult,
    rounds: int,
    merge: bool,
    seen: _Seen,
) -> None:
    window = backend.begin_write([w.schema.name for w in writes])
    finished = False
    try:
        plan = _plan(writes, prepared, window.tabs, merge=merge)
        if plan.empty:
            result.issues.extend(plan.issues)
            return
        for p in plan.placed:  # staff cells under compare-and-set: their instant value matters
            header = plan.tables[p.tab].header
            for key in {*(k for k in p.cells if not plan.tables[p.tab].schema.column(k).job_owned), *p.update.expect}:
                window.capture.setdefault(p.tab, set()).add((p.row, header.col(key)))
        post = backend.finish_write(window, plan.cells, plan.appends)
        finished = True
    finally:
        if not finished:
            backend.abort_write(window)
    if window.lost and post is not None and not any(landed(plan, post)):
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
    misplaced, late, issues = verify(plan, post)
    result.issues.extend(issues)
    left = strays(plan, post, seen) if misplaced or merge else {}
    if misplaced or late or any(left.values()):
        repair(backend, writes, plan, misplaced, left, post, result, rounds, seen, _write, late=late)


# -- the older one-tab helpers ----------------------------------------------------------------


def write_rows(
    backend: Backend,
    schema: TabSchema,
    updates: Sequence[RowUpdate],
    *,
    allow: Iterable[str] | None = None,
    base: Table | None = None,
) -> WriteResult:
    """One tab's updates through :func:`write_tables`."""
    return write_tables(backend, [TabWrite(schema, updates, allow=tuple(allow or ()), base=base)])


def append_rows(backend: Backend, schema: TabSchema, rows: Sequence[Mapping[str, str]]) -> WriteResult:
    """New rows after the last row of ``schema``'s tab, laid out by its header at write time."""
    return write_tables(backend, [TabWrite(schema, appends=rows)])


__all__ = ["RowUpdate", "TabWrite", "WriteResult", "append_rows", "resolve_header", "write_rows", "write_tables"]
