"""Row validation: typed cells, cross-row and cross-tab rules, Korean messages on the row."""

from __future__ import annotations

from automation.config import Config
from automation.locking import job_lock
from automation.schema import SchemaSet, default_schemas
from automation.sheets import Workbooks
from automation.validation.step import ValidationResult, validate

__all__ = ["ValidationResult", "validate", "validate_files"]


def validate_files(
    config: Config, *, dry_run: bool = False, fix: bool = False, schemas: SchemaSet | None = None
) -> ValidationResult:
    """The library call (tests, scripts): open the files, validate, and save (xlsx) — or discard everything
    on any error — under the same lock as ``onemarket validate``, which goes through the runner."""
    with job_lock(config, "validate", dry_run=dry_run), Workbooks(config) as workbooks:
        return validate(workbooks, schemas or default_schemas(), config.state_dir, dry_run=dry_run, fix=fix)
