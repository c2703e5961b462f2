"""Commands other than ``run``: init and import-markets (library functions, no CLI here)."""

from __future__ import annotations

from pathlib import Path

from automation.config import ROLES, Config
from automation.init_tabs import FileResult, init_workbooks
from automation.schema import SchemaSet, default_schemas
from automation.sheets import open_backend
from automation.sheets.base import Backend


def init(config: Config, schemas: SchemaSet | None = None, *, dry_run: bool = False) -> list[FileResult]:
    """Create or repair the three files. With ``dry_run`` only the plan is returned."""
    schemas = schemas or default_schemas()
    backends: dict[str, Backend] = {role: open_backend(config, role, create=True) for role in ROLES}
    try:
        results = init_workbooks(backends, schemas, apply=not dry_run)
        for backend in backends.values():
            if dry_run:
                backend.discard()
            else:
                backend.commit()
    except BaseException:
        for backend in backends.values():
            backend.discard()
        raise
    return results


def resolve_path(path: str | Path) -> Path:
    return Path(path).expanduser().resolve()
