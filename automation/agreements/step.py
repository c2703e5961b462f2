"""``onemarket agreements`` and the 협약서 step of ``run``.

For each 매칭 row in 확정 — or in 협약체결 with no document yet — an editable .docx is rendered
from the agreement template and converted to PDF (LibreOffice, many files per process). Files are
named ``{매칭ID}_{기관명}_{시장명}`` and created only inside ``[documents] output``; the path goes
into 협약서. A document is rendered again only when its inputs changed; once a pair is 협약체결
its document is frozen (what was signed is never silently replaced). ``--dry-run`` renders into
the preview folder and writes nothing else.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automation.agreements.units import PAIR, TEAM, Unit, build_units
from automation.clock import now
from automation.config import Config
from automation.documents.context import agreement_context, missing_required
from automation.documents.docx import default_team_template, default_template, render_docx, template_variables
from automation.documents.manifest import Entry, Manifest, inputs_hash
from automation.documents.names import document_stem, path_inside
from automation.documents.pdf import convert_to_pdf, default_workers, find_soffice, sweep_leftovers
from automation.documents.team_context import TeamInputs, date_words, team_context
from automation.domain.pairs import Pair, collect_pairs, pair_issue
from automation.domain.status import LOCKED
from automation.errors import DocumentError, TemplateError
from automation.preview import preview_folder
from automation.privacy import PATTERNS
from automation.report import ERROR, Issue, StepReport
from automation.schema import TABS, SchemaSet
from automation.sheets import Workbooks
from automation.sheets.table import Table, missing_optional
from automation.sheets.writes import RowUpdate, TabWrite, write_tables
from automation.state import WorkState, read_with_state

STATUSES = LOCKED
SUPERSEDED = "지난판"  # older renderings of a pair are moved here, never deleted
WRITES = frozenset({"agreement", "processed_at"})


@dataclass
class AgreementsOutcome:
    dry_run: bool = False
    folder: Path = Path()
    rendered: list[str] = field(default_factory=list)
    pdfs: int = 0
    unchanged: int = 0
    frozen: int = 0
    cells: int = 0
    issues: list[Issue] = field(default_factory=list)
    pdf_note: str = ""

    def summary(self) -> str:
        head = f"협약서 {'미리보기 ' if self.dry_run else ''}{len(self.rendered)}건 만듦 (PDF {self.pdfs})"
        lines = [
            f"{head}, 그대로 {self.unchanged}, 협약체결로 고정 {self.frozen}, 협약서 칸 기록 {self.cells}"
            f" — 폴더: {self.folder}"
        ]
        if self.pdf_note:
            lines.append(self.pdf_note)
        held = sum(1 for i in self.issues if i.severity == ERROR)
        if held:
            lines.append(f"만들지 못한 짝 {held}건: 매칭 탭 행 번호와 사유는 --json 또는 작업 보고에 있습니다.")
        return "\n".join(lines)

    def step_report(self) -> StepReport:
        report = StepReport("협약서", issues=list(self.issues), message=self.summary())
        report.counts.update({"만듦": len(self.rendered), "PDF": self.pdfs, "그대로": self.unchanged})
        return report

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "folder": str(self.folder),
            "rendered": self.rendered,
            "pdfs": self.pdfs,
            "unchanged": self.unchanged,
            "frozen": self.frozen,
            "cells": self.cells,
            "pdf_note": self.pdf_note,
            "issues": [i.as_dict() for i in self.issues],
        }


@dataclass
class _Job:
    unit: Unit
    context: dict[str, object]
    hash: str
    stem: str
    template: Path

    @property
    def pair(self) -> Pair:
        """The pair a problem with the document is reported on (a team's first)."""
        return self.unit.pairs[0]


def _template(configured: Path | None, packaged: Callable[[], Path], key: str, what: str = "협약서 양식") -> Path:
    """The template ``[documents] key`` names, else the packaged one; a missing file stops the step."""
    template = configured or packaged()
    if not template.is_file():
        raise TemplateError(
            f"{what} {template}이(가) 없습니다. [documents] {key} 경로를 고치거나 지우세요 (지우면 기본 양식을 씁니다)."
        )
    return template


def _check_fields(template: Path, sample: dict[str, object]) -> None:
    unknown = sorted(template_variables(template) - set(sample))
    if unknown:
        raise TemplateError(
            f"협약서 양식 {template.name}에 작업이 채울 수 없는 필드가 있습니다: {', '.join(unknown)}. "
            f"쓸 수 있는 필드: {', '.join(sorted(sample))}. 양식의 {{{{ }}}} 안 이름을 고치세요."
        )


def _soffice(config: Config, outcome: AgreementsOutcome) -> Path | None:
    mode, configured = config.documents.pdf, config.documents.soffice.strip()
    if mode == "never":
        return None
    # a path staff wrote in [documents] soffice is the one to use: a wrong one is said, not searched around
    usable = not configured or Path(configured).expanduser().is_file() or shutil.which(configured) is not None
    found = find_soffice(configured) if usable else None
    if found is None:
        where = (
            f"[documents] soffice에 적은 '{configured}'에 LibreOffice(soffice)가 없습니다. 경로를 고치거나 지우세요"
            if configured
            else "LibreOffice(soffice)를 찾을 수 없습니다. LibreOffice를 설치하거나 [documents] soffice에 "
            "경로를 적으세요 (Debian/Ubuntu: apt install libreoffice-writer-nogui fonts-nanum)"
        )
        if mode == "always":
            raise DocumentError(f"PDF를 만들 수 없습니다: {where}.")
        outcome.pdf_note = f"PDF 없이 .docx만 만들었습니다: {where}."
    return found


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def _frozen(unit: Unit, manifest: Manifest) -> bool:
    """A signed agreement is never silently replaced: once there is a document, it stays."""
    if not unit.signed:
        return False
    keys = [unit.key, *unit.member_ids]
    return any(manifest.get(k) is not None for k in keys) or any(p.match["agreement"].strip() for p in unit.pairs)


def _context(unit: Unit, config: Config) -> tuple[dict[str, object], list[Issue]]:
    months = config.documents.period_months
    if unit.kind == TEAM:
        inputs = TeamInputs(unit.team_id, unit.round or "", unit.shape, unit.pairs, unit.tasks, unit.signed_on)
        return team_context(inputs, period_months=months)
    return agreement_context(
        unit.pairs[0], period_months=months, round_=unit.round, signed_date=date_words(unit.signed_on)
    )


def _stem(unit: Unit, context: dict[str, object]) -> str:
    if unit.kind == TEAM:  # the name reaches every party (the attachment's name): contacts in it masked
        return document_stem(unit.key, PATTERNS.mask(unit.name or str(context["org_parties"])[:40]), unit.shape)
    return document_stem(unit.key, str(context["org_name"]), str(context["market_name"]))


def _plan(
    units: list[Unit],
    config: Config,
    templates: dict[str, Path],
    manifest: Manifest,
    pdf: bool,
    outcome: AgreementsOutcome,
) -> list[_Job]:
    jobs: list[_Job] = []
    folder = config.documents.output
    for unit in units:
        if _frozen(unit, manifest):
            outcome.frozen += 1
            continue
        missing = [(p, m) for p in unit.pairs for m in missing_required(p)]
        if missing:
            pair = missing[0][0]
            names = [m for p, m in missing if p is pair]
            outcome.issues.append(
                pair_issue(
                    pair,
                    "agreement_missing_field",
                    column=names[0].split(".")[1],
                    message=f"{pair.match_id}: {', '.join(names)} 칸이 비어 협약서를 만들지 않았습니다. "
                    "채우면 다음 실행에서 만듭니다.",
                )
            )
            continue
        context, notes = _context(unit, config)
        outcome.issues.extend(notes)
        template = templates[unit.kind]
        digest = inputs_hash(context, template, pdf)
        entry = manifest.get(unit.key)
        if not outcome.dry_run and entry and entry.hash == digest and entry.complete(folder):
            outcome.unchanged += 1
            continue
        jobs.append(_Job(unit, context, digest, _stem(unit, context), template))
    return jobs


def _retire(entry: Entry | None, keep: set[str], folder: Path) -> None:
    """Move a pair's earlier files aside (to 지난판/) when the new rendering has other names or none."""
    if entry is None:
        return
    for path in entry.files(folder):
        if path.name in keep or not path.is_file():
            continue
        target = path_inside(folder / SUPERSEDED, path.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)


def _render(
    jobs: list[_Job],
    folder: Path,
    soffice: Path | None,
    manifest: Manifest,
    outcome: AgreementsOutcome,
    alive: frozenset[str] = frozenset(),
) -> None:
    """``alive``: the manifest keys of agreements that still exist (their files are never moved aside)."""
    folder.mkdir(parents=True, exist_ok=True)
    done: list[tuple[_Job, Path]] = []
    for job in jobs:
        target = path_inside(folder, job.stem + ".docx")
        try:
            render_docx(job.template, job.context, target)
        except (TemplateError, DocumentError) as exc:
            outcome.issues.append(pair_issue(job.pair, "agreement_render_failed", column="협약서", message=exc.message))
            continue
        done.append((job, target))
    pdfs: dict[Path, Path | None] = {}
    if soffice is not None and done:
        # measured (benchmarks/bench_documents.py, 200 documents): one soffice start costs ~2 s, so few
        # large batches on both cores win — batch 100 × 2 processes 13.4 docs/s vs 0.46 one file each
        batch = min(100, max(1, -(-len(done) // default_workers())))
        pdfs = convert_to_pdf([p for _, p in done], folder, soffice, batch=batch)
    stamp = now().isoformat(timespec="seconds")
    for job, docx in done:
        pdf = pdfs.get(docx)
        if soffice is not None and pdf is None:
            outcome.issues.append(
                pair_issue(
                    job.pair,
                    "agreement_pdf_failed",
                    column="협약서",
                    message=f"{job.pair.match_id}: PDF 변환에 실패해 .docx만 있습니다. 다음 실행에서 다시 변환합니다.",
                )
            )
        outcome.rendered.append(job.unit.key)
        outcome.pdfs += pdf is not None
        if outcome.dry_run:
            continue
        entry = Entry(job.hash if pdf is not None or soffice is None else "", docx.name, pdf.name if pdf else "", stamp)
        keys = list(dict.fromkeys([job.unit.key, *job.unit.member_ids]))
        in_use = {
            name
            for k, e in manifest.entries.items()
            if k in alive and k not in keys
            for name in (e.docx, e.pdf)
            if name
        }
        for key in keys:  # a team's document is every member's (the notice attaches it)
            _retire(manifest.get(key), {docx.name, entry.pdf} | in_use, folder)
            manifest.put(key, entry)


def _cell_updates(units: list[Unit], manifest: Manifest, config: Config, stamp: str) -> list[RowUpdate]:
    updates = []
    for pair in (p for u in units for p in u.pairs):
        entry = manifest.get(pair.match_id)
        if entry is None or not entry.complete(config.documents.output):
            continue
        shown = _relative(entry.main_file(config.documents.output), config.base_dir)
        if pair.match["agreement"].strip() != shown:
            updates.append(
                RowUpdate(
                    {"agreement": shown, "processed_at": stamp},
                    id=pair.match_id,
                    expect={"status": pair.match["status"]},
                )
            )
    return updates


def _templates(config: Config, units: list[Unit], sample: Pair | None) -> dict[str, Path]:
    """The two templates, each checked against a sample context before any file is made."""
    d = config.documents
    templates = {
        PAIR: _template(d.template, default_template, "template"),
        TEAM: _template(d.team_template, default_team_template, "team_template", "협약(팀) 협약서 양식"),
    }
    if sample is not None:
        _check_fields(templates[PAIR], agreement_context(sample)[0])
    team = next((u for u in units if u.kind == TEAM), None)
    if team is not None:
        inputs = TeamInputs(team.team_id, "", team.shape, team.pairs, team.tasks)
        _check_fields(templates[TEAM], team_context(inputs)[0])
    return templates


def _read(books: Workbooks, schemas: SchemaSet, config: Config, dry_run: bool) -> tuple[dict[str, Table], WorkState]:
    master = books.master
    optional = [schemas.teams, schemas.tasks, schemas.ceremonies]
    absent = set(missing_optional(master, optional))
    return read_with_state(
        master,
        schemas,
        [schemas.applications, schemas.markets, schemas.matches, *(s for s in optional if s.name not in absent)],
        dry_run=dry_run,
        legacy=config.state_dir,
    )


def agreements(books: Workbooks, schemas: SchemaSet, config: Config, *, dry_run: bool = False) -> AgreementsOutcome:
    master = books.master
    tables, state = _read(books, schemas, config, dry_run)
    found = collect_pairs(tables[TABS.matches], tables[TABS.applications], tables[TABS.markets], STATUSES)
    folder = (config.documents.preview / "agreements") if dry_run else config.documents.output
    outcome = AgreementsOutcome(dry_run=dry_run, folder=folder, issues=list(found.issues))
    units, held = build_units(
        found.pairs,
        tables[TABS.matches],
        tables.get(schemas.teams.name),
        tables.get(schemas.tasks.name),
        tables.get(schemas.ceremonies.name),
    )
    outcome.issues.extend(held)
    templates = _templates(config, units, found.pairs[0] if found.pairs else None)
    manifest = Manifest(state)
    soffice = _soffice(config, outcome)
    jobs = _plan(units, config, templates, manifest, soffice is not None, outcome)
    for leftovers in (config.documents.output, config.documents.preview / "agreements"):
        sweep_leftovers(leftovers)  # a killed earlier run's LibreOffice and copies of agreements
    if dry_run:
        folder = preview_folder(config.documents.preview, "agreements")
    try:
        alive = frozenset(k for u in units for k in (u.key, *u.member_ids))
        _render(jobs, folder, soffice, manifest, outcome, alive)
    finally:
        if not dry_run and jobs:
            outcome.issues.extend(state.flush())  # files that exist are recorded even if a later part failed
    if dry_run:
        return outcome
    updates = _cell_updates(units, manifest, config, now().strftime("%Y-%m-%d %H:%M"))
    written = write_tables(master, [TabWrite(schemas.matches, updates, allow=WRITES, base=tables[TABS.matches])])
    outcome.cells = written.written_rows
    outcome.issues.extend(written.issues)
    return outcome
