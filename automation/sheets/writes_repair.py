"""Verify a guarded write against the tabs as they were right after it, and repair what an owner's
edit in the write's instant moved: what the wrong cells held goes back (captured by the close
itself), the intended rows get their values, leftovers are cleared — a few rounds at most, and
whatever could not be put back is reported on its row."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from automation.errors import OnemarketError
from automation.report import Issue
from automation.schema import TabSchema
from automation.sheets.base import Backend, RawTab, col_letter
from automation.sheets.table import Row, Table, fingerprint
from automation.sheets.writes_model import RowUpdate, TabWrite, WriteResult, _issue, _Placed, _Plan, _Seen

#: (backend, writes, rounds, merge=, seen=) → WriteResult: the write loop, for the repair rounds
WriteFn = Callable[..., WriteResult]


def landed(plan: _Plan, post: Mapping[str, RawTab]) -> list[bool]:
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


def verify(plan: _Plan, post: Mapping[str, RawTab]) -> tuple[list[_Placed], list[_Placed], list[Issue]]:
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
            elif any(plan.held(p, k) not in (None, v) for k, v in p.update.expect.items()):
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
    if p.ident and table.schema.id_column not in p.cells:
        # a row that had its ID before this write is the row that holds it (people may have typed
        # elsewhere in it); a row that gets its first ID now is known by its content
        return row[table.schema.id_column].strip() == p.ident
    skip = [table.header.col(k) for k in p.cells]
    return _reduced(table, row, skip) == p.rfp


def _reduced(table: Table, row: Row, skip: Iterable[int]) -> str:
    return fingerprint(row.cells, [*table.job_cols(), *skip])


def strays(plan: _Plan, post: Mapping[str, RawTab], seen: _Seen) -> dict[str, list[tuple[Row, dict[str, str]]]]:
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
        targets = {p.fp for p in plan.placed if p.tab == name and not p.ident}  # ID-less rows meant
        id_key = table.schema.id_column
        for row in after.rows:
            if row.number in held:
                continue
            if any(c.strip() for i, c in enumerate(row.cells, 1) if i not in ours):
                # a person's own new row (no ID, not one the call meant): only the job's columns are ours
                if row[id_key].strip() or after.fingerprint(row) in targets:
                    continue
                hits = {
                    k: row[k]
                    for k, values in seen[name].items()
                    if row[k] and row[k] in values and table.schema.column(k).job_owned
                }
            else:
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
            out.append(
                _issue(
                    "append_unverified",
                    tab=name,
                    row=None,
                    column=schema.id.header,
                    value=value,
                    message=f"새로 더한 행 {schema.id.header} '{value}'을(를) 다시 읽어 보니 한 행에 있지 않습니다. 확인하세요.",
                )
            )
    return out


def repair(
    backend: Backend,
    writes: Sequence[TabWrite],
    plan: _Plan,
    misplaced: list[_Placed],
    strays: Mapping[str, list[tuple[Row, dict[str, str]]]],
    post: Mapping[str, RawTab],
    result: WriteResult,
    rounds: int,
    seen: _Seen,
    write_fn: WriteFn,
    *,
    late: Sequence[_Placed] = (),
) -> None:
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
        undo, unknown = _undo_updates(table, after_raw, mine, loose, plan) if after_raw is not None else ([], [])
        undo += [
            RowUpdate(
                dict.fromkeys(hits, ""),
                row=row.number,
                fingerprint=fingerprint(row.cells),
                expect=hits,
                exact=True,
                per_cell=True,
                holds=hits,
            )
            for row, hits in strays.get(name, [])
        ]
        undo += [_late_undo(p, plan, skip, loose) for p in mine_late]
        redo = [_redo(p, table, skip, loose) for p in mine]
        keys = {c.key for c in table.schema.columns}
        repairs.append(TabWrite(write.schema, [*undo, *redo], allow=keys))
        result.issues.extend(unknown)
    if rounds <= 0:
        for p in misplaced:
            result.issues.append(
                _issue(
                    "write_unverified",
                    tab=p.tab,
                    row=p.row,
                    column=None,
                    value=p.ident or None,
                    message=f"{p.row}행에 쓴 값을 다시 읽어 보니 다른 행에 있습니다 (작업 중 행이 옮겨짐). 이 행을 확인하세요.",
                )
            )
        for name, rows in strays.items():
            for row, _ in rows:
                result.issues.append(
                    _issue(
                        "write_unverified",
                        tab=name,
                        row=row.number,
                        column=None,
                        value=None,
                        message=f"{row.number}행에 작업이 쓴 값이 남았습니다 (작업 중 행이 옮겨짐). 이 행을 확인하세요.",
                    )
                )
        return
    again = write_fn(backend, repairs, rounds - 1, merge=True, seen=seen)
    result.repaired += len(misplaced)
    for p in late:
        key = next(k for k, v in p.update.expect.items() if plan.held(p, k) not in (None, v))
        header = plan.tables[p.tab].schema.column(key).header
        result.issues.append(
            _issue(
                "row_changed",
                tab=p.tab,
                row=p.row,
                column=header,
                value=p.ident or None,
                message=f"{p.row}행의 '{header}'이(가) 쓰는 순간 바뀌어(소유자의 편집) 이 행에 쓴 값을 "
                "되돌렸습니다 (사람이 고친 값을 우선합니다).",
            )
        )
    for p in misplaced:
        if p in late:
            continue
        label = f"{p.ident} " if p.ident else ""
        result.issues.append(
            _issue(
                "write_repaired",
                tab=p.tab,
                row=p.row,
                column=None,
                value=p.ident or None,
                message=f"{label}{p.row}행: 쓰는 순간 행이 옮겨져(소유자의 편집) 다른 행에 잘못 쓴 값을 되돌리고 "
                "제 행에 다시 썼습니다. 확인하세요.",
            )
        )
    result.issues.extend(again.issues)


def _redo(p: _Placed, table: Table, skip: Sequence[int], loose: frozenset[str]) -> RowUpdate:
    """Give the intended row its values again. The redo of an undo (what a victim held) goes only to
    the victim, found by the wrong values it still holds and its content — never by the wrong ID
    written there, which a leftover of the job's may hold too once the victim is gone."""
    expect = {k: v for k, v in p.before.items() if not table.schema.column(k).job_owned}
    if p.update.holds:
        return RowUpdate(
            p.cells,
            row=p.row,
            fingerprint=fingerprint(p.row_cells, skip),
            expect=expect,
            loose=loose,
            content_first=True,
            per_cell=True,
            holds=p.update.holds,
        )
    return RowUpdate(
        p.cells,
        id=p.update.id,
        row=p.row,
        fingerprint=fingerprint(p.row_cells, skip),
        expect=expect,
        loose=loose,
        content_first=True,
    )


def _late_undo(p: _Placed, plan: _Plan, skip: Sequence[int], loose: frozenset[str]) -> RowUpdate:
    """Put back what a row held at the instant of a write whose compare-and-set failed there: every
    cell of an ordinary update (it must not have happened at all), only the conflicting cells of a
    cell-by-cell one (an undo: the rest of it was right)."""
    conflict = {k for k, v in p.update.expect.items() if plan.held(p, k) not in (None, v)}
    keys = [k for k in p.cells if not p.update.per_cell or k in conflict]
    values = {k: plan.held(p, k) or "" for k in keys}
    return RowUpdate(
        values,
        id=p.ident,
        row=p.row,
        fingerprint=fingerprint(_written(p, plan), skip),
        expect={k: p.cells[k] for k in keys},
        loose=loose,
        per_cell=True,
    )


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


def _undo_updates(
    table: Table, after_raw: RawTab, placed: list[_Placed], loose: frozenset[str], plan: _Plan
) -> tuple[list[RowUpdate], list[Issue]]:
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
            unknown.append(
                _issue(
                    "write_unverified",
                    tab=schema.name,
                    row=p.row,
                    column=None,
                    value=p.ident or None,
                    message=f"{p.row}행에 쓰는 동안 열이 옮겨져 어느 칸에 들어갔는지 확인할 수 없습니다. "
                    f"이 탭의 {', '.join(schema.column(k).header for k in p.cells)} 칸을 확인하세요.",
                )
            )
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
                values[key] = captured  # exactly what the cell held when the write hit it
            elif blank:
                values[key] = ""  # a row beyond the data, or a blank row inserted meanwhile
            elif original is not None:
                values[key] = original[key]
            elif schema.column(key).job_owned:
                values[key] = ""  # the job recomputes it next run
            else:
                col = f"{col_letter(table.header.col(key))}{p.row}"
                unknown.append(
                    _issue(
                        "write_unrepaired",
                        tab=schema.name,
                        row=p.row,
                        column=schema.column(key).header,
                        value=None,
                        message=f"{col} 칸에 작업이 잘못 쓴 값을 되돌릴 수 없습니다 (쓰는 순간 새로 들어온 행). "
                        "이 칸의 원래 값을 확인해 고치세요.",
                    )
                )
        if values and blank:  # only what the job wrote is in it: found by all its cells
            undo.append(
                RowUpdate(
                    values,
                    row=p.row,
                    fingerprint=fingerprint(victim.cells),
                    expect=hit,
                    exact=True,
                    per_cell=True,
                    holds=hit,
                )
            )
        elif values:
            skip_loose = [*table.job_cols(), *(table.header.col(k) for k in loose)]
            # found again by its ID — or, when the misplaced write changed its ID cell, by the wrong ID
            # we wrote there (what it holds now), which no content edit in the meantime can hide
            address = vid or (victim[schema.id_column].strip() if schema.id_column in hit else "")
            undo.append(
                RowUpdate(
                    values,
                    id=address,
                    row=p.row,
                    fingerprint=fingerprint(victim.cells, skip_loose),
                    expect=hit,
                    loose=loose,
                    per_cell=True,
                    holds=hit,
                )
            )
    return undo, unknown


def audit(backend: Backend, writes: Sequence[TabWrite], seen: _Seen) -> list[Issue]:
    """After repairs (an owner moved rows while the job wrote): one more look. An ID this call gave
    that now sits on more than one row is reported on each of them — never left for a guess."""
    names = [w.schema.name for w in writes]
    raws = backend.read(names)
    out: list[Issue] = []
    for write in writes:
        schema = write.schema
        given = seen.get(schema.name, {}).get(schema.id_column, set())
        try:
            table = Table.from_raw(schema, raws[schema.name], [schema.id_column])
        except OnemarketError:
            continue
        out.extend(_strays_on_others(write, table))
        for value, rows in table.by_id().items():
            if value in given and len(rows) > 1:
                where = ", ".join(str(r.number) for r in rows)
                for r in rows:
                    out.append(
                        _issue(
                            "write_unverified",
                            tab=schema.name,
                            row=r.number,
                            column=schema.id.header,
                            value=value,
                            message=f"작업 중 행이 여러 번 옮겨져 {schema.id.header} '{value}'이(가) 여러 행({where}행)에 "
                            f"있습니다. 맞는 행을 확인하고 다른 행의 {schema.id.header}를 지우세요.",
                        )
                    )
    return out


def _strays_on_others(write: TabWrite, table: Table) -> list[Issue]:
    """A row this call did not mean to write (it has its own ID, no update names it) that now holds,
    in a column the call wrote, a value the call wrote and the step had not read there: an owner's
    moves in consecutive instants carried a repair's value onto it. Reported, never left silent."""
    if write.base is None:
        return []
    schema = write.schema
    targets = {u.id.strip() for u in write.updates if u.id.strip()}
    written: dict[str, set[str]] = {}
    for u in write.updates:
        for key, value in u.values.items():
            if value.strip():
                written.setdefault(key, set()).add(value)
    before = {r[schema.id_column].strip(): r for r in write.base.data_rows() if r[schema.id_column].strip()}
    meant = {u.fingerprint for u in write.updates if not u.id.strip() and u.fingerprint}
    keys = [k for k in written if k in table.header.positions]
    job_keys = [k for k in keys if schema.column(k).job_owned]
    out: list[Issue] = []
    for row in table.data_rows():
        rid = row[schema.id_column].strip()
        if not rid:
            # a row without ID the call did not mean (a person's own new row): no job value belongs there
            odd = [] if table.fingerprint(row) in meant else [k for k in job_keys if row[k] in written[k]]
            rid = ""
        elif rid in targets or rid not in before:
            continue
        else:
            odd = [k for k in keys if row[k] != before[rid][k] and row[k] in written[k]]
        if odd:
            headers = ", ".join(schema.column(k).header for k in odd)
            out.append(
                _issue(
                    "write_unverified",
                    tab=schema.name,
                    row=row.number,
                    column=headers,
                    value=rid or None,
                    message=f"{rid + ' ' if rid else ''}{row.number}행: 작업 중 행이 여러 번 옮겨져 이 행의 {headers}에 다른 행의 값이 "
                    "들어갔을 수 있습니다. 확인하고 고치세요 (작업은 이 행을 쓰려던 것이 아닙니다).",
                )
            )
    return out
