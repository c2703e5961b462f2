"""``onemarket init``: create or repair the three files' tabs and headers from the schemas.

Never deletes or reorders a staff column: missing schema headers are added after the last used
header cell. Every file is planned (and every header problem found) before anything is written.
Safe to run again: a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from automation.errors import HeaderError
from automation.geo import SIGUN
from automation.job_tabs import finish_job_tab
from automation.schema import DASHBOARD_TABS, WORKBOOKS, SchemaSet, TabSchema
from automation.sheets.base import Backend, CellWrite, Dropdown, HeaderStyle, col_letter, resolve_titles
from automation.sheets.table import match_header

JOB_NOTE = "작업(onemarket)이 쓰는 열입니다. 직접 고치지 마세요. 다음 실행 때 다시 씁니다."


@dataclass
class TabPlan:
    schema: TabSchema
    exists: bool
    header: list[str]
    added: list[str] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)
    actual: str = ""  # the tab's title now, when it only looks like the schema's (NFD, spaces)

    def header_writes(self) -> list[CellWrite]:
        return [
            CellWrite(1, self.positions[self.schema.column(k).key], self.schema.column(k).header) for k in self.added
        ]


@dataclass
class FileResult:
    role: str
    location: str
    tabs_created: list[str] = field(default_factory=list)
    tabs_renamed: dict[str, str] = field(default_factory=dict)  # old title → schema title
    headers_added: dict[str, list[str]] = field(default_factory=dict)
    dropdowns: int = 0
    protected_columns: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.tabs_created or self.tabs_renamed or any(self.headers_added.values()))


def plan_tab(schema: TabSchema, header: Sequence[str], exists: bool) -> TabPlan:
    """Decide which headers to add; raise HeaderError for duplicates (a person must choose)."""
    positions, dupes = match_header(schema, header)
    if dupes:
        lines = [
            f"'{schema.column(k).header}' 머리글이 {len(v)}번 있습니다 ({', '.join(col_letter(p) + '열' for p in v)})"
            for k, v in dupes.items()
        ]
        raise HeaderError(
            f"'{schema.name}' 탭의 머리글을 자동으로 고칠 수 없습니다: "
            + "; ".join(lines)
            + ". 하나만 남기고 나머지 머리글 이름을 바꾼 뒤 다시 실행하세요. 아무것도 쓰지 않았습니다."
        )
    plan = TabPlan(schema, exists, list(header), positions=dict(positions))
    used = [i for i, text in enumerate(header, start=1) if text.strip()]
    next_col = (max(used) if used else 0) + 1
    for column in schema.columns:
        if column.key not in positions:
            plan.positions[column.key] = next_col
            plan.added.append(column.key)
            next_col += 1
    return plan


def plan_file(backend: Backend, schemas: Sequence[TabSchema]) -> list[TabPlan]:
    """A tab whose title only looks like the schema's (NFD from macOS, odd spaces) is that tab."""
    found = resolve_titles([s.name for s in schemas], backend.list_tabs(), backend.location)
    present = [s.name for s in schemas if found[s.name] is not None]
    raws = backend.read(present) if present else {}
    plans = []
    for s in schemas:
        plan = plan_tab(s, raws[s.name].header if s.name in raws else [], found[s.name] is not None)
        actual = found[s.name]
        plan.actual = actual if actual is not None and actual != s.name else ""
        plans.append(plan)
    return plans


def _dropdowns(plan: TabPlan, plans_by_tab: Mapping[str, TabPlan]) -> list[Dropdown]:
    out = []
    for column in plan.schema.columns:
        if column.job_owned:
            continue
        col = plan.positions[column.key]
        if column.type == "enum":
            out.append(Dropdown(col, values=column.enum, strict=True))
        elif column.type == "yn":
            out.append(Dropdown(col, values=("Y", "N"), strict=False))
        elif column.type == "sigun":
            out.append(
                Dropdown(col, values=SIGUN, strict=False, prompt="경기도 31개 시군 중 하나를 고르세요 (예: 수원시).")
            )
        elif column.dropdown_source:
            src_tab, src_header = column.dropdown_source
            src = plans_by_tab.get(src_tab)
            if src is not None:
                src_col = src.positions[src.schema.column_by_header(src_header).key]
                out.append(
                    Dropdown(
                        col,
                        source=(src_tab, src_col),
                        strict=False,
                        prompt="목록에서 고르거나 시장명을 직접 입력하세요.",
                    )
                )
    return out


def apply_file(backend: Backend, role: str, plans: list[TabPlan], extra_tabs: Sequence[str] = ()) -> FileResult:
    result = FileResult(role, backend.location)
    for plan in plans:
        if plan.actual:  # put the schema's spelling back, so formulas and dropdowns naming it work
            backend.rename_tab(plan.actual, plan.schema.name)
            result.tabs_renamed[plan.actual] = plan.schema.name
    result.tabs_created = backend.ensure_tabs([p.schema.name for p in plans] + list(extra_tabs))
    _write_headers(backend, [p for p in plans if p.added])
    by_tab = {p.schema.name: p for p in plans}
    for plan in plans:
        result.headers_added[plan.schema.name] = [plan.schema.column(k).header for k in plan.added]
        if plan.schema.hidden:  # a job-state tab: hidden and (Google) service-account-only, set up once
            if plan.added:
                finish_job_tab(backend, plan.schema)
            continue
        job_cols = tuple(plan.positions[c.key] for c in plan.schema.job_columns)
        widths = {plan.positions[c.key]: (c.width or max(10, len(c.header) * 2 + 4)) for c in plan.schema.columns}
        backend.style_header(plan.schema.name, HeaderStyle(job_cols, widths, dict.fromkeys(job_cols, JOB_NOTE)))
        dropdowns = _dropdowns(plan, by_tab)
        backend.set_dropdowns(plan.schema.name, dropdowns)
        backend.protect_columns(plan.schema.name, job_cols, JOB_NOTE)
        result.dropdowns += len(dropdowns)
        result.protected_columns += len(job_cols)
    backend.remove_blank_default_tab()
    return result


def _write_headers(backend: Backend, plans: Sequence[TabPlan]) -> None:
    """Missing header cells, in one guarded write: each only into a cell that is still empty."""
    if not plans:
        return
    window = backend.begin_write([p.schema.name for p in plans])
    done = False
    try:
        cells: dict[str, list[CellWrite]] = {}
        for plan in plans:
            now = window.tabs[plan.schema.name].header
            if match_header(plan.schema, now)[0] != match_header(plan.schema, plan.header)[0] or any(
                c.col <= len(now) and now[c.col - 1].strip() for c in plan.header_writes()
            ):
                raise HeaderError(
                    f"'{plan.schema.name}' 탭의 머리글(1행)이 init 도중에 바뀌었습니다. 아무것도 쓰지 않았습니다. "
                    "다시 실행하세요."
                )
            cells[plan.schema.name] = plan.header_writes()
        backend.finish_write(window, cells, {})
        done = True
    finally:
        if not done:
            backend.abort_write(window)


def init_workbooks(backends: Mapping[str, Backend], schemas: SchemaSet, *, apply: bool = True) -> list[FileResult]:
    """Plan every file first (so a header problem stops before any write), then apply."""
    plans = {role: plan_file(backends[role], schemas.for_workbook(role)) for role in WORKBOOKS}
    results = []
    for role in WORKBOOKS:
        extra = DASHBOARD_TABS if role == "dashboard" else ()
        if apply:
            results.append(apply_file(backends[role], role, plans[role], extra))
        else:
            results.append(preview_file(backends[role], role, plans[role], extra))
    return results


def preview_file(backend: Backend, role: str, plans: list[TabPlan], extra_tabs: Sequence[str] = ()) -> FileResult:
    """What apply_file would do, without writing."""
    existing = backend.list_tabs()
    result = FileResult(role, backend.location)
    wanted = [p.schema.name for p in plans] + list(extra_tabs)
    found = resolve_titles(wanted, existing, backend.location)
    result.tabs_created = [t for t in wanted if found[t] is None]
    result.tabs_renamed = {p.actual: p.schema.name for p in plans if p.actual}
    for plan in plans:
        result.headers_added[plan.schema.name] = [plan.schema.column(k).header for k in plan.added]
    return result
