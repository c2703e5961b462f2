"""Property, per step that writes: people insert, delete, sort and type while the step runs (before
any of its requests, on the in-memory backend where nothing stops them — the worst case, an owner),
and afterwards

* no staff cell differs from what the people's edits alone made (``people.replay``), except cells
  the step may write under compare-and-set — and a value a person typed there stands;
* every value the step meant for a row (recorded from the writes it asked for) is on that row, or
  the step reported that row (by ID or row number);
* no row got a value meant for another row, no ID exists twice, and (매칭) no applicant has two
  live job rows.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from people import Edit, apply_rows, replay

import automation.sheets.writes as writes_module
from automation.config import load_config
from automation.sheets import Workbooks
from automation.sheets.memory import MemoryBackend
from automation.sheets.writes import TabWrite, WriteResult
from tests.conftest import write_config
from tests.pair_helpers import MARKET
from tests.validation_helpers import MARKETS, SCHEMAS, TODAY, app, rows_for

APPS = [
    app(org_name=f"기관{i}", brn="", wish_market_1=m, phone=f"010-5{i:03d}-{i:04d}" if i % 2 else f"0105{i:03d}{i:04d}")
    for i, m in zip(range(1, 7), ["못골시장", "지동시장", "모란시장", "못골시장", "중앙시장", ""], strict=True)
]


def _col(tab: str, key: str) -> int:
    return [c.key for c in SCHEMAS[tab].columns].index(key) + 1


@dataclasses.dataclass
class Case:
    name: str
    tab: str  # the tab people edit and the step writes (its schema's name)
    identity: str  # column key that names a row for people (unique)
    typed: tuple[str, ...]  # staff columns people type into
    cas: tuple[str, ...]  # staff columns the step may write (compare-and-set)
    values: tuple[str, ...]  # what people type
    book: str = "master"
    title: str = ""  # the tab's title when it is not the schema's name (a market's tab)

    @property
    def sheet(self) -> str:
        return self.title or self.tab


CASES = {
    "validate": Case("validate", "참여신청", "org_name", ("contact_title", "products"), (), ("대리", "새 제품", "")),
    "validate-fix": Case(
        "validate-fix", "참여신청", "org_name", ("phone", "products"), ("phone",), ("010 9999 0000", "새 제품", "")
    ),
    "match": Case(
        "match",
        "매칭",
        "application_id",
        ("status", "staff_memo"),
        ("round", "org_name", "market_code", "market_name", "status"),
        ("확정", "거절", "메모"),
    ),
    "agreements": Case("agreements", "매칭", "application_id", ("staff_memo",), (), ("메모", "")),
    # people edit the 협약 tab (and add rows without 협약ID) while the job writes 구성/점검 and IDs
    "teams-tab": Case(
        "teams-tab", "협약", "name", ("staff_memo", "status"), ("name", "status", "signed_on"), ("메모", "협약체결", "")
    ),
    # people group pairs into teams while the job gives each ungrouped pair its own
    "teams": Case(
        "teams", "매칭", "application_id", ("team_id", "staff_memo"), ("team_id", "status"), ("T-2026-0001", "메모", "")
    ),
    "notify": Case("notify", "매칭", "application_id", ("staff_memo",), (), ("메모", "")),
    # people type into the market's staff columns and into an imported column (their value must win)
    "import-markets": Case(
        "import-markets",
        "시장",
        "market_name",
        ("association_contact", "road_address"),
        ("road_address", "lot_address", "latitude", "longitude", "store_count", "market_type"),
        ("박상인", "직원이 고친 주소", ""),
    ),
}
CASES["outcomes"] = Case(
    "outcomes",
    "성과보고",
    "activity_date",
    ("content", "participants"),
    (),
    ("장보기", "12", ""),
    book="outcomes",
    title="성과_시장1",
)
IMPORTED = [
    {
        "market_name": f"시장{i}",
        "market_type": "상설장",
        "sido": "경기도",
        "sigun": "수원시",
        "gu": "팔달구",
        "road_address": f"경기도 수원시 팔달구 새길 {i}",
        "lot_address": "",
        "latitude": "37.2",
        "longitude": "127.0",
        "store_count": str(10 * i),
        "market_code": f"C{i:03d}",
    }
    for i in range(1, 7)
]


#: six one-pair teams whose 구성 the job has not written yet (pairs carry their 협약ID, see _workbooks)
_TEAM_ROWS = [{"team_id": f"T-2026-{i:04d}", "round": "1", "name": f"협약{i}", "status": "준비"} for i in range(1, 7)]


def _workbooks(case: Case) -> dict[str, MemoryBackend]:
    apps = [{**a, "application_id": f"A-2026-{i:04d}"} for i, a in enumerate(APPS, start=1)]
    if case.name.startswith("validate"):
        apps = [dict(a, application_id="") if i % 3 == 0 else a for i, a in enumerate(apps)]  # some new rows
    matches = []
    if case.name in ("agreements", "notify", "teams", "teams-tab"):
        markets = [
            {**MARKET, "market_code": f"MK{i}", "market_name": f"시장{i}", "association_email": f"m{i}@x.org"}
            for i in range(1, 7)
        ]
        matches = [
            {
                "match_id": f"M-2026-{i:04d}",
                "round": "1",
                "application_id": f"A-2026-{i:04d}",
                "org_name": f"기관{i}",
                "market_code": f"MK{i}",
                "market_name": f"시장{i}",
                "status": "확정",
                **({"team_id": f"T-2026-{i:04d}"} if case.name == "teams-tab" else {}),
            }
            for i in range(1, 7)
        ]
    else:
        markets = MARKETS
    if case.name == "outcomes":
        markets = [
            {**MARKET, "market_code": f"MK{i}", "market_name": f"시장{i}", "association_email": f"m{i}@x.org"}
            for i in (1, 2)
        ]
        matches = [
            {
                "match_id": f"M-2026-{i:04d}",
                "round": "1",
                "application_id": f"A-2026-{i:04d}",
                "org_name": f"기관{i}",
                "market_code": f"MK{1 + i % 2}",
                "market_name": f"시장{1 + i % 2}",
                "status": "확정",
            }
            for i in range(1, 7)
        ]
        master = MemoryBackend(
            {
                "참여신청": rows_for("참여신청", apps),
                "시장": rows_for("시장", markets),
                "매칭": rows_for("매칭", matches),
                "작업기록": rows_for("작업기록", []),
            }
        )
        # the market's tab exists with one pair's starter row and the market's own records
        records = [
            {"match_id": "M-2026-0002", "market_name": "시장1", "org_name": "기관2"},
            *(
                {
                    "match_id": "M-2026-0002",
                    "market_name": "시장1",
                    "org_name": "기관2",
                    "content": f"기록{k}",
                    "activity_date": "2026-11-0" + str(k),
                    "activity_type": "물품구매",
                }
                for k in range(1, 4)
            ),
        ]
        outcome_rows = rows_for("성과보고", records)
        return {
            "master": master,
            "outcomes": MemoryBackend({"성과보고": rows_for("성과보고", []), "성과_시장1": outcome_rows}),
        }
    if case.name == "import-markets":
        markets = [
            {**m, "road_address": f"경기도 수원시 팔달구 옛길 {i}", "store_count": "5"}
            for i, m in enumerate(IMPORTED[:4], start=1)
        ]  # four known, two new in the CSV
    if case.name == "match":
        apps = [{**a, "validation_result": "정상"} for a in apps]
        matches = [
            {
                "match_id": "M-2026-0001",
                "round": "1",
                "application_id": "A-2026-0001",
                "org_name": "기관1",
                "market_code": "M0000001",
                "market_name": "못골시장",
                "status": "확정",
            }
        ]
    master = MemoryBackend(
        {
            "참여신청": rows_for("참여신청", apps),
            "시장": rows_for("시장", markets),
            "매칭": rows_for("매칭", matches),
            "작업기록": rows_for("작업기록", []),
            **({"협약": rows_for("협약", [])} if case.name == "teams" else {}),
            **({"협약": rows_for("협약", _TEAM_ROWS)} if case.name == "teams-tab" else {}),
        }
    )
    return {"master": master, "outcomes": MemoryBackend({"성과보고": rows_for("성과보고", [])})}


def _run(case: Case, books: dict[str, MemoryBackend], folder: Path) -> list:
    backend_for = Workbooks.of(books)
    if case.name.startswith("validate"):
        from automation.validation import validate

        result = validate(backend_for, SCHEMAS, folder / "state", fix=case.name == "validate-fix", today=TODAY)
        return result.issues + result.write_issues
    if case.name == "match":
        from automation.match.step import match

        return match(backend_for, SCHEMAS, folder / "state").issues
    if case.name in ("teams", "teams-tab"):
        from automation.teams.step import teams

        return teams(backend_for, SCHEMAS).issues
    if case.name == "outcomes":
        from automation.outcomes.step import outcomes

        config = load_config(write_config(folder, '[workbook]\nbackend = "xlsx"\n[outcomes]\nremind_after_days = 0\n'))
        return outcomes(backend_for, SCHEMAS, config).issues
    if case.name == "import-markets":
        from automation.setup.markets import upsert_markets

        return upsert_markets(books["master"], SCHEMAS["시장"], [dict(m) for m in IMPORTED]).issues
    config = load_config(write_config(folder, '[workbook]\nbackend = "xlsx"\n[documents]\npdf = "never"\n'))
    if case.name == "agreements":
        from automation.agreements.step import agreements

        return agreements(backend_for, SCHEMAS, config).issues
    from automation.agreements.step import agreements
    from automation.notify.step import notify

    agreements(backend_for, SCHEMAS, config)
    return notify(backend_for, SCHEMAS, config).issues


def edits_for(case: Case) -> st.SearchStrategy[list[tuple[int, Edit]]]:
    ids = {
        "org_name": [f"기관{i}" for i in range(1, 7)],
        "market_name": [f"시장{i}" for i in range(1, 7)],
        "activity_date": [f"2026-11-0{k}" for k in range(1, 4)],
        "name": [f"협약{i}" for i in range(1, 7)],
    }.get(case.identity, [f"A-2026-{i:04d}" for i in range(1, 7)])
    key = _col(case.tab, case.identity)
    one = st.one_of(
        st.builds(Edit, kind=st.just("insert"), target=st.sampled_from(ids), key_col=st.just(key)),
        st.builds(Edit, kind=st.just("delete"), target=st.sampled_from(ids), key_col=st.just(key)),
        st.builds(
            Edit, kind=st.just("sort"), col=st.sampled_from([key, _col(case.tab, case.typed[0])]), reverse=st.booleans()
        ),
        st.builds(
            Edit,
            kind=st.just("type"),
            target=st.sampled_from(ids),
            key_col=st.just(key),
            col=st.sampled_from([_col(case.tab, k) for k in case.typed]),
            value=st.sampled_from(case.values),
        ),
    )
    return st.lists(st.tuples(st.integers(1, 8), one), max_size=4)


def _named(edits: Sequence[tuple[int, Edit]], case: Case) -> list[tuple[int, Edit]]:
    width = len(SCHEMAS[case.tab].columns)
    out = []
    for k, (at, edit) in enumerate(edits):
        if edit.kind == "insert":  # a row a person adds: its own identity, a little content
            cells = [""] * width
            cells[_col(case.tab, case.identity) - 1] = f"사람{k}"
            edit = dataclasses.replace(edit, values=tuple(cells))
        out.append((at, edit))
    return out


def _record(calls: list[TabWrite]) -> Callable[..., WriteResult]:
    real = writes_module.write_tables

    def spy(backend, writes):  # observes what the step asks for; the real write does the work
        calls.extend(writes)
        return real(backend, writes)

    return spy


@pytest.mark.parametrize("name", list(CASES))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_people_editing_while_a_step_writes(name, data, tmp_path_factory, monkeypatch):
    case = CASES[name]
    edits = _named(data.draw(edits_for(case), label="edits"), case)
    books = _workbooks(case)
    backend = books[case.book]
    start = [list(r) for r in backend.tabs[case.sheet]]
    applied: list[Edit] = []
    due: dict[int, list[Edit]] = {}
    for at, edit in edits:
        due.setdefault(at, []).append(edit)

    before_read: set[int] = set()  # indexes of edits made before the step's first read

    def person(b: MemoryBackend, n: int) -> None:
        for edit in due.pop(n, []):
            if apply_rows(b.tabs[case.sheet], edit):
                if n == 1:
                    before_read.add(len(applied))
                applied.append(edit)

    backend.calls, backend.on_request = 0, person
    calls: list[TabWrite] = []
    step_module = {
        "validate": "automation.validation.step",
        "validate-fix": "automation.validation.step",
        "match": "automation.match.step",
        "agreements": "automation.agreements.step",
        "teams": "automation.teams.step",
        "teams-tab": "automation.teams.step",
        "notify": "automation.notify.step",
        "import-markets": "automation.setup.markets",
        "outcomes": "automation.outcomes.step",
    }[name]
    monkeypatch.setattr(f"{step_module}.write_tables", _record(calls))
    if name == "notify":
        monkeypatch.setattr("automation.agreements.step.write_tables", _record(calls))
    issues = _run(case, books, tmp_path_factory.mktemp("s"))
    backend.on_request = None
    # an owner's edit in the instant of one close is repaired exactly; edits in the instants of
    # several closes in a row (the write, then its repair, then that repair's …) end either
    # repaired or reported on their rows
    deep = len(backend.closes) > 3
    _check(case, start, backend.tabs[case.sheet], applied, calls, issues, deep, before_read)


def _repaired(issues) -> bool:
    return any(getattr(i, "code", "") == "write_repaired" for i in issues)


def _normalised(kind: str, value: str) -> str | None:
    from automation.parsers import parser_for

    parsed = parser_for(kind)(value) if value.strip() else None
    return str(parsed.value) if parsed is not None and parsed.ok else None


def _rows(rows: Sequence[Sequence[str]], width: int) -> list[list[str]]:
    return [list(r) + [""] * (width - len(r)) for r in rows if any(c.strip() for c in r)]


def _check(
    case: Case, start, final, applied, calls, issues, deep: bool = False, before_read: set[int] = frozenset()
) -> None:
    schema = SCHEMAS[case.tab]
    width = len(schema.columns)
    ident = _col(case.tab, case.identity) - 1
    id_col = _col(case.tab, schema.id_column) - 1
    job = {_col(case.tab, c.key) - 1 for c in schema.columns if c.job_owned}
    cas = {_col(case.tab, k) - 1 for k in case.cas}

    def name(r: Sequence[str]) -> str:
        # 매칭: a row is its 매칭ID (the job adds rows of the same 신청ID); elsewhere what people call it
        return r[id_col] if case.tab == "매칭" and r[id_col] else r[ident]

    expected = {name(r): r for r in _rows(replay(start, applied), width)[1:] if name(r)}
    got = {name(r): r for r in _rows(final, width)[1:] if name(r)}
    if case.name in (
        "match",
        "import-markets",
        "outcomes",
        "teams-tab",  # a team row a person deleted while its pairs remain comes back
    ):  # the step adds rows of its own: compare the rows people know
        added = {k for k in got if k not in expected}
        got = {k: v for k, v in got.items() if k in expected}
        if case.name == "outcomes":  # a starter row for each of the market's other pairs, exactly once
            starters = Counter(
                r[_col(case.tab, "match_id") - 1]
                for r in _rows(final, width)[1:]
                if not r[_col(case.tab, "activity_date") - 1]
            )
            assert starters == Counter({"M-2026-0002": 1, "M-2026-0004": 1, "M-2026-0006": 1}) - Counter(
                {"M-2026-0002": sum(1 for e in applied if e.kind == "delete" and not e.target)}
            ), starters
        assert not added or case.name != "outcomes", added
    assert sorted(got) == sorted(expected)
    typed = {}
    for k, edit in enumerate(applied):
        if edit.kind == "type":
            before = replay(start, applied[:k])
            found = next(
                (r for r in before[1:] if len(r) > edit.key_col - 1 and r[edit.key_col - 1] == edit.target), None
            )
            if found is None:  # a row the step itself added (people may type in it too): not compared
                continue
            row = list(found) + [""] * (width - len(found))
            if edit.col - 1 in cas and row[edit.col - 1] == edit.value:
                continue  # typing what the cell already holds: nothing a compare-and-set can see
            # a compare-and-set column typed before the step read it is the step's input, not a conflict
            # (import-markets owns its columns; --fix may normalise what it read; teams fills a 협약ID that
            # a person cleared before the read, as it fills every blank one)
            if k in before_read and edit.col - 1 in cas:
                typed.pop((name(row), edit.col - 1), None)
                continue
            typed[(name(row), edit.col - 1)] = edit.value
    reported = {i.value for i in issues if getattr(i, "value", None)} | {
        i.row for i in issues if getattr(i, "row", None)
    }
    for key, row in got.items():
        want = expected[key]
        for c in range(width):
            if c in job:
                continue
            if (key, c) in typed:  # a person's value stands (--fix may write its normalised form)
                fixed = _normalised(schema.columns[c].type, typed[(key, c)]) if c in cas else None
                assert row[c] in (typed[(key, c)], fixed) or (deep and _repaired(issues)), (
                    case.name,
                    key,
                    schema.columns[c].header,
                    row[c],
                )
            elif c not in cas:
                assert row[c] == want[c], (case.name, key, schema.columns[c].header, row[c], want[c])
    ids = Counter(r[_col(case.tab, schema.id_column) - 1] for r in _rows(final, width)[1:])
    ids.pop("", None)
    flagged = {i.value for i in issues if getattr(i, "code", "") == "write_unverified"}
    assert all(n == 1 or v in flagged for v, n in ids.items()), (ids, flagged)
    if case.name == "match":
        status = _col("매칭", "status") - 1
        live = Counter(
            r[_col("매칭", "application_id") - 1] for r in _rows(final, width)[1:] if r[status] in ("제안", "미배정")
        )
        assert all(n == 1 for n in live.values()), live
    _meant(case, final, calls, reported, applied)


def _meant(case: Case, final, calls, reported, applied) -> None:
    """Each job value the step meant for an ID is on that ID's row, unless it reported the row."""
    schema = SCHEMAS[case.tab]
    width = len(schema.columns)
    id_col = _col(case.tab, schema.id_column) - 1
    by_id = {r[id_col]: r for r in _rows(final, width)[1:] if r[id_col]}
    people_touched = {e.target for e in applied if e.kind in ("type", "delete")}
    for write in calls:
        if write.schema.name != case.tab:
            continue
        for update in write.updates:
            if not update.id or update.id in reported:
                continue
            row = by_id.get(update.id)
            if row is None:
                continue  # a person deleted it (the step reported row_gone, or had nothing to write)
            for key, value in update.values.items():
                column = schema.column(key)
                if column.job_owned and row[_col(case.tab, key) - 1] != value:
                    ident = row[_col(case.tab, case.identity) - 1]
                    assert ident in people_touched or any(isinstance(r, int) for r in reported), (
                        case.name,
                        update.id,
                        key,
                        value,
                        row[_col(case.tab, key) - 1],
                    )
