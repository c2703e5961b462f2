"""Writes find rows again by stable ID at write time; staff cells never change."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from automation.errors import WriteConflictError
from automation.schema import default_schemas
from automation.sheets.memory import MemoryBackend
from automation.sheets.table import read_tables
from automation.sheets.writes import RowUpdate, write_rows
from automation.sheets.xlsx import XlsxBackend

SCHEMA = default_schemas()["매칭"]
HEADER = ["직원메모A", *SCHEMA.headers]  # a staff column before the job's columns


def row(match_id: str, org: str) -> list[str]:
    values = {
        "match_id": match_id,
        "round": "1",
        "application_id": f"A-{match_id}",
        "org_name": org,
        "market_code": "M1",
        "market_name": "못골시장",
        "status": "제안",
    }
    return [f"memo {org}", *[values.get(c.key, "") for c in SCHEMA.columns]]


def make_rows(n: int) -> list[list[str]]:
    return [row(f"M-{i:04d}", f"기관{i}") for i in range(1, n + 1)]


@pytest.fixture(params=["memory", "xlsx"])
def backend_factory(request, tmp_path):
    def make(rows):
        if request.param == "memory":
            return MemoryBackend({"매칭": [HEADER, *rows]})
        path = tmp_path / "m.xlsx"
        b = XlsxBackend(path, create=True)
        b.ensure_tabs(["매칭"])
        b.remove_blank_default_tab()
        from automation.sheets.base import CellWrite

        b.write(
            {
                "매칭": [
                    CellWrite(r, c, v) for r, vals in enumerate([HEADER, *rows], 1) for c, v in enumerate(vals, 1) if v
                ]
            }
        )
        b.commit()
        return XlsxBackend(path)

    return make


def reasons(backend) -> dict[str, str]:
    t = read_tables(backend, [SCHEMA])["매칭"]
    return {r["match_id"]: r["reason"] for r in t.data_rows()}


def staff_cells(backend) -> dict[str, tuple[str, ...]]:
    t = read_tables(backend, [SCHEMA])["매칭"]
    job = set(t.job_cols()) - {t.header.col("match_id")}
    return {r["match_id"]: tuple(c for i, c in enumerate(r.cells, 1) if i not in job) for r in t.data_rows()}


def test_write_by_id_lands_on_the_right_rows(backend_factory):
    backend = backend_factory(make_rows(5))
    before = staff_cells(backend)
    result = write_rows(
        backend, SCHEMA, [RowUpdate({"reason": "1지망"}, id="M-0003"), RowUpdate({"reason": "2지망"}, id="M-0001")]
    )
    assert result.issues == []
    assert result.written_cells == 2
    assert reasons(backend) == {"M-0001": "2지망", "M-0002": "", "M-0003": "1지망", "M-0004": "", "M-0005": ""}
    assert staff_cells(backend) == before


def test_row_inserted_in_the_instant_between_locate_and_write_is_repaired():
    """Sheets has no conditional write: an owner's insertion inside the last request's window (the
    tabs are protected against everyone else then) is caught by the read-back, the misplaced cell
    gets back what it held and the intended row its value — reported, never silently accepted."""
    backend = MemoryBackend({"매칭": [HEADER, *make_rows(3)]})
    backend.before_write = lambda b: b.tabs["매칭"].insert(1, row("M-0099", "새로 끼운 행"))
    before = staff_cells(MemoryBackend({"매칭": [HEADER, row("M-0099", "새로 끼운 행"), *make_rows(3)]}))
    result = write_rows(backend, SCHEMA, [RowUpdate({"reason": "x"}, id="M-0002")])
    assert [i.code for i in result.issues] == ["write_repaired"]
    assert result.issues[0].message == (
        "M-0002 3행: 쓰는 순간 행이 옮겨져(소유자의 편집) 다른 행에 잘못 쓴 값을 되돌리고 "
        "제 행에 다시 썼습니다. 확인하세요."
    )
    assert reasons(backend) == {"M-0099": "", "M-0001": "", "M-0002": "x", "M-0003": ""}
    assert staff_cells(backend) == before


def test_rows_sorted_before_the_job_writes(backend_factory):
    rows = make_rows(6)
    random.Random(1).shuffle(rows)
    backend = backend_factory(rows)
    result = write_rows(backend, SCHEMA, [RowUpdate({"reason": f"r{i}"}, id=f"M-{i:04d}") for i in range(1, 7)])
    assert result.issues == []
    assert reasons(backend) == {f"M-{i:04d}": f"r{i}" for i in range(1, 7)}


def test_deleted_row_and_copied_row_are_reported_not_guessed(backend_factory):
    rows = make_rows(3)
    rows.append(row("M-0002", "복사된 행"))
    backend = backend_factory(rows)
    result = write_rows(
        backend,
        SCHEMA,
        [
            RowUpdate({"reason": "a"}, id="M-0002"),
            RowUpdate({"reason": "b"}, id="M-0404"),
            RowUpdate({"reason": "c"}, id="M-0003"),
        ],
    )
    codes = sorted(i.code for i in result.issues)
    assert codes == ["duplicate_id", "row_gone"]
    dup = next(i for i in result.issues if i.code == "duplicate_id")
    assert dup.message == (
        "매칭ID 'M-0002'이(가) 여러 행(3, 5행)에 있어 어느 행에도 쓰지 않았습니다. 복사된 행의 ID를 지우세요."
    )
    assert reasons(backend)["M-0003"] == "c"


def test_staff_column_write_is_refused_before_anything_is_written():
    backend = MemoryBackend({"매칭": [HEADER, *make_rows(2)]})
    with pytest.raises(WriteConflictError):
        write_rows(backend, SCHEMA, [RowUpdate({"status": "확정"}, id="M-0001")])
    assert backend.tabs["매칭"][1] == row("M-0001", "기관1")


def test_fingerprint_addressing_for_rows_without_id():
    rows = make_rows(3)
    for r in rows:
        r[1] = ""  # no 매칭ID yet
    backend = MemoryBackend({"매칭": [HEADER, *rows]})
    table = read_tables(backend, [SCHEMA])["매칭"]
    updates = [
        RowUpdate({"match_id": f"M-{r.number:04d}"}, row=r.number, fingerprint=table.fingerprint(r))
        for r in table.data_rows()
    ]
    backend.tabs["매칭"].insert(1, ["", ""])  # a person inserts a blank row at the top meanwhile
    # the job re-reads before writing: rows are found again by fingerprint
    result = write_rows(backend, SCHEMA, updates)
    assert result.issues == []
    got = {r["org_name"]: r["match_id"] for r in read_tables(backend, [SCHEMA])["매칭"].data_rows()}
    assert got == {"기관1": "M-0002", "기관2": "M-0003", "기관3": "M-0004"}


def test_formula_like_text_is_written_as_text(tmp_path, backend_factory):
    backend = backend_factory(make_rows(1))
    write_rows(backend, SCHEMA, [RowUpdate({"reason": '=IMPORTXML("http://x")'}, id="M-0001")])
    assert reasons(backend)["M-0001"] == '=IMPORTXML("http://x")'


edits = st.lists(st.sampled_from(["shuffle", "insert", "delete", "blank"]), max_size=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 12), ops=edits, seed=st.integers(0, 10_000))
def test_concurrent_human_edits_never_misplace_a_write(n, ops, seed):
    """Whatever a person does to the rows between the job's read and its write, a value lands only
    on the row that carries its ID, or is reported; staff cells never change."""
    rng = random.Random(seed)
    backend = MemoryBackend({"매칭": [HEADER, *make_rows(n)]})
    deleted: set[str] = set()

    def human(b: MemoryBackend) -> None:
        body = b.tabs["매칭"][1:]
        for op in ops:
            if op == "shuffle":
                rng.shuffle(body)
            elif op == "insert":
                body.insert(rng.randrange(len(body) + 1), row("", "사람이 추가"))
            elif op == "delete" and body:
                gone = body.pop(rng.randrange(len(body)))
                if len(gone) > 1 and gone[1]:
                    deleted.add(gone[1])
            elif op == "blank":
                body.insert(rng.randrange(len(body) + 1), [])
        b.tabs["매칭"][1:] = body

    before = {r[1]: r for r in backend.tabs["매칭"][1:]}
    human(backend)  # after the job's read, before its write
    updates = [RowUpdate({"reason": f"사유-{i}"}, id=f"M-{i:04d}") for i in range(1, n + 1)]
    result = write_rows(backend, SCHEMA, updates)
    reason_col = HEADER.index("추천사유")
    assert {i.value for i in result.issues} == deleted
    assert all(i.code == "row_gone" for i in result.issues)
    for r in backend.tabs["매칭"][1:]:
        if len(r) > reason_col and r[reason_col]:
            assert r[reason_col] == f"사유-{int(r[1][2:])}", "a value landed on another row"
        if r and r[1] in before:
            staff = [c for i, c in enumerate(r) if i != reason_col]
            assert staff == [c for i, c in enumerate(before[r[1]]) if i != reason_col]


def test_expect_is_a_compare_and_set_a_person_who_changed_the_row_wins():
    backend = MemoryBackend({"매칭": [HEADER, *make_rows(2)]})
    status_col = HEADER.index("상태")
    backend.tabs["매칭"][1][status_col] = "확정"  # staff confirmed it after the job read "제안"
    result = write_rows(
        backend,
        SCHEMA,
        [
            RowUpdate({"reason": "새 사유"}, id="M-0001", expect={"status": "제안"}),
            RowUpdate({"reason": "둘째"}, id="M-0002", expect={"status": "제안"}),
        ],
    )
    assert [i.code for i in result.issues] == ["row_changed"]
    assert (
        result.issues[0].message == "2행의 '상태'이(가) 작업 중에 바뀌어 쓰지 않았습니다 (사람이 고친 값을 우선합니다)."
    )
    assert reasons(backend) == {"M-0001": "", "M-0002": "둘째"}
