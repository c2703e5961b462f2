"""The job's own tabs (``_작업상태``, ``_발송기록``): made when missing, hidden, and on Google protected
so only the service account (and the spreadsheet's owner) can edit them.

They hold what decides the next run (DESIGN.md "Where state lives"), so they are created by whichever
step needs them first — an existing workbook keeps working without ``init``.
"""

from __future__ import annotations

from collections.abc import Sequence

from automation.schema import SchemaSet, TabSchema
from automation.sheets.base import Backend, CellWrite, HeaderStyle, resolve_titles

NOTE = "작업(onemarket)이 다음 실행을 위해 쓰는 기록입니다. 고치거나 지우지 마세요."


def job_schemas(schemas: SchemaSet, workbook: str = "master") -> list[TabSchema]:
    return [s for s in schemas.for_workbook(workbook) if s.hidden]


def ensure_job_tabs(backend: Backend, wanted: Sequence[TabSchema]) -> list[str]:
    """Create, head, hide and protect the job tabs that are missing; return the titles made."""
    found = resolve_titles([s.name for s in wanted], backend.list_tabs(), backend.location)
    missing = [s for s in wanted if found[s.name] is None]
    if not missing:
        return []
    backend.ensure_tabs([s.name for s in missing])
    window = backend.begin_write([s.name for s in missing])
    done = False
    try:
        cells = {s.name: [CellWrite(1, i, c.header) for i, c in enumerate(s.columns, start=1)] for s in missing}
        backend.finish_write(window, cells, {})
        done = True
    finally:
        if not done:
            backend.abort_write(window)
    for s in missing:
        finish_job_tab(backend, s)
    return [s.name for s in missing]


def finish_job_tab(backend: Backend, schema: TabSchema) -> None:
    """Hidden, header marked, and — on Google — editable by the service account alone."""
    cols = tuple(range(1, len(schema.columns) + 1))
    backend.style_header(
        schema.name, HeaderStyle(cols, {i: (c.width or 14) for i, c in enumerate(schema.columns, 1)}, {1: NOTE})
    )
    backend.hide_tab(schema.name)
    if backend.remote:
        backend.protect_tab(schema.name, [], NOTE)
