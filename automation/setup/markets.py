"""``onemarket import-markets``: upsert the official market CSV into the 시장 tab.

The CSV is parsed and the upsert planned in :mod:`automation.domain.markets_csv` (pure values);
this module reads the tab once, writes changed import-owned cells by row (ID or fingerprint),
appends new markets, and never touches the staff columns (상인회 contacts, 수용기관수, 참여여부).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automation.config import Config
from automation.domain.markets_csv import market_rows, plan_upsert, read_market_csv, schema_import_keys
from automation.errors import InputFileError
from automation.locking import job_lock
from automation.report import WARNING, Issue, StepReport
from automation.schema import TABS, SchemaSet, TabSchema, default_schemas
from automation.sheets import open_backend, transaction
from automation.sheets.base import Backend
from automation.sheets.table import read_tables
from automation.sheets.writes import RowUpdate, TabWrite, write_tables


@dataclass
class ImportResult:
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    not_in_source: int = 0
    dry_run: bool = False
    issues: list[Issue] = field(default_factory=list)

    def step_report(self) -> StepReport:
        report = StepReport("시장 가져오기", issues=list(self.issues))
        report.counts = {
            "읽음": self.read,
            "추가": self.added,
            "갱신": self.updated,
            "변동 없음": self.unchanged,
            "원본에 없음": self.not_in_source,
        }
        head = "미리보기 (쓰지 않음)" if self.dry_run else "완료"
        report.message = (
            f"{head}: {self.read}곳 읽음 — 추가 {self.added}, 갱신 {self.updated}, "
            f"변동 없음 {self.unchanged}, 원본에 없음(그대로 둠) {self.not_in_source}"
        )
        return report

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "not_in_source": self.not_in_source,
            "dry_run": self.dry_run,
            "issues": [i.as_dict() for i in self.issues],
        }


def _incoming(csv_path: Path, sido: str) -> list[dict[str, str]]:
    incoming = market_rows(read_market_csv(csv_path), sido)
    if not incoming:
        raise InputFileError(
            f"{csv_path.name}에 '{sido}' 시장이 하나도 없습니다. --sido 값(예: 경기도)과 파일을 확인하세요."
        )
    return incoming


def import_markets(
    config: Config, csv_path: Path, *, sido: str = "경기도", dry_run: bool = False, schemas: SchemaSet | None = None
) -> ImportResult:
    """The library call (tests, scripts): the same lock as the command."""
    schema = (schemas or default_schemas())[TABS.markets]
    incoming = _incoming(csv_path, sido)
    with job_lock(config, "import-markets", dry_run=dry_run):
        backend = open_backend(config, "master")
        with transaction(backend):
            return upsert_markets(backend, schema, incoming, dry_run=dry_run)


def import_markets_into(
    backend: Backend, schemas: SchemaSet, csv_path: Path, *, sido: str = "경기도", dry_run: bool = False
) -> ImportResult:
    """The step of ``onemarket import-markets`` (the runner holds the lock and commits)."""
    return upsert_markets(backend, schemas.markets, _incoming(csv_path, sido), dry_run=dry_run)


def upsert_markets(
    backend: Backend, schema: TabSchema, incoming: list[dict[str, str]], *, dry_run: bool = False
) -> ImportResult:
    """The markets of the official CSV into the 시장 tab: new ones appended, changed import-owned cells
    rewritten (compare-and-set: a cell a person edited since the read keeps the person's value)."""
    import_keys = schema_import_keys(schema)
    table = read_tables(backend, [schema])[schema.name]
    rows = table.data_rows()
    plan = plan_upsert([dict(r.values) for r in rows], incoming, import_keys)
    result = ImportResult(
        read=len(incoming),
        added=len(plan.added),
        updated=len(plan.updated),
        unchanged=plan.unchanged,
        not_in_source=plan.not_in_source,
        dry_run=dry_run,
    )
    result.issues.extend(
        Issue(
            code="import_skipped", row=None, column="시장코드", value=None, message=p, severity=WARNING, tab=schema.name
        )
        for p in plan.problems
    )
    if dry_run:
        return result
    updates = []
    for u in plan.updated:
        row = rows[u.index]
        by_id = bool(row["market_code"]) and "market_code" not in u.changes
        updates.append(
            RowUpdate(
                u.changes, id=row["market_code"] if by_id else "", row=row.number, fingerprint=table.fingerprint(row)
            )
        )
    written = write_tables(backend, [TabWrite(schema, updates, plan.added, allow=import_keys, base=table)])
    result.issues.extend(written.issues)
    return result
