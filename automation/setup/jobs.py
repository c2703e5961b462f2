"""Commands other than ``run``: init and import-markets (library functions, no CLI here)."""

from __future__ import annotations

from automation.config import ROLES, Config
from automation.domain.tabs import FileResult, init_workbooks
from automation.locking import job_lock
from automation.schema import SchemaSet, default_schemas
from automation.sheets import Workbooks


def init(config: Config, schemas: SchemaSet | None = None, *, dry_run: bool = False) -> list[FileResult]:
    """Create or repair the three files. With ``dry_run`` only the plan is returned."""
    with job_lock(config, "init", dry_run=dry_run), Workbooks(config, create=True, save=not dry_run) as workbooks:
        backends = {role: workbooks.open(role) for role in ROLES}
        return init_workbooks(backends, schemas or default_schemas(), apply=not dry_run)
