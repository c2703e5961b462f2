"""``onemarket ceremony --round N``: the signing pack of one ceremony (협약식) — nothing is written
into the workbook.

Into ``{[documents] output}/협약식/{N}차/``:

* ``{N}차_협약서묶음.pdf`` — every agreement of the round's teams, each as many copies as the team
  has signatories (parties + 입회), ready to print;
* ``{N}차_진행순서_참석자.docx/.pdf`` — the running order (one signing per team) and the attendee
  list (team, parties, signatories; no phone numbers or e-mails);
* ``{N}차_명패.docx/.pdf`` — one name plate per signatory, large type.

The round's teams: those whose 협약식 is N, or whose 협약식 is blank and 차수 is N. A team with a
grouping error, no pairs or no agreement PDF yet is listed with the reason and left out of the bundle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automation.config import Config
from automation.documents.ceremony import Ceremony, Signatory, TeamSheet, bundle, name_plates, running_order, save_docx
from automation.documents.context import FACILITATOR
from automation.documents.manifest import Manifest
from automation.documents.pdf import convert_to_pdf, find_soffice
from automation.documents.team_context import TeamInputs, team_context
from automation.domain.pairs import collect_pairs
from automation.domain.status import PARTNERED
from automation.domain.teams import Team, group
from automation.errors import UsageError
from automation.preview import preview_folder
from automation.privacy import PATTERNS
from automation.report import ERROR, WARNING, Issue, Severity, StepReport
from automation.schema import SchemaSet
from automation.sheets import Workbooks
from automation.sheets.table import Table, missing_optional
from automation.state import read_with_state

LABEL = "협약식"


@dataclass
class CeremonyOutcome:
    round: int
    dry_run: bool = False
    folder: Path = Path()
    teams: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    bundle_pages: int = 0
    issues: list[Issue] = field(default_factory=list)
    note: str = ""

    def summary(self) -> str:
        lines = [
            f"제{self.round}차 협약식 자료: 협약 {len(self.teams)}팀, 협약서 묶음 {self.bundle_pages}쪽 — 폴더: {self.folder}"
        ]
        lines += [f"  {name}" for name in self.files]
        if self.note:
            lines.append(self.note)
        left = [i for i in self.issues if i.severity == ERROR]
        if left:
            lines.append(f"묶음에서 빠진 협약 {len(left)}팀: 사유는 --json 또는 작업 보고에 있습니다.")
        return "\n".join(lines)

    def step_report(self) -> StepReport:
        report = StepReport(LABEL, issues=list(self.issues), message=self.summary())
        report.counts.update({"협약": len(self.teams), "묶음 쪽": self.bundle_pages})
        return report

    def as_dict(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "dry_run": self.dry_run,
            "folder": str(self.folder),
            "teams": self.teams,
            "files": self.files,
            "bundle_pages": self.bundle_pages,
            "note": self.note,
            "issues": [i.as_dict() for i in self.issues],
        }


def _of_round(team: Team, number: str) -> bool:
    if team.row is None:
        return False
    chosen = team.row["ceremony"].strip()
    return chosen == number if chosen else team.row["round"].strip() == number


def _issue(team: Team, code: str, message: str, severity: Severity = ERROR) -> Issue:
    return Issue(
        code=code,
        severity=severity,
        tab="협약",
        row=team.row.number if team.row is not None else None,
        column="협약ID",
        value=team.team_id,
        message=message,
    )


def _ceremony_row(table: Table | None, number: str) -> tuple[str, str, str]:
    for r in table.data_rows() if table is not None else []:
        if r["round"].strip() == number:
            return r["held_at"].strip(), r["place"].strip(), r["note"].strip()
    return "", "", ""


def _sheets(
    tables: dict[str, Table], schemas: SchemaSet, number: str, manifest: Manifest, config: Config, out: CeremonyOutcome
) -> list[TeamSheet]:
    matches = tables[schemas.matches.name]
    found = collect_pairs(matches, tables[schemas.applications.name], tables[schemas.markets.name], PARTNERED)
    by_id = {p.match_id: p for p in found.pairs}
    sheets = []
    for team in group(matches, tables[schemas.teams.name]).teams.values():
        if not _of_round(team, number):
            continue
        pairs = [by_id[m.match_id] for m in team.members if m.match_id in by_id]
        if team.held or not pairs:
            why = "점검에 오류가 있어" if team.held else "확정된 짝이 없어"
            out.issues.append(
                _issue(team, "ceremony_team_left_out", f"{team.team_id}: {why} 협약식 자료에서 뺐습니다.")
            )
            continue
        context, _ = team_context(TeamInputs(team.team_id, number, team.shape(), pairs))
        parties = [
            Signatory(p["label"], PATTERNS.mask(p["name"]), p["title"], PATTERNS.mask(p["rep"]))
            for p in context["parties"]  # type: ignore[attr-defined]
        ]
        entry = manifest.get(pairs[0].match_id)
        pdf = config.documents.output / entry.pdf if entry is not None and entry.pdf else None
        if pdf is None or not pdf.is_file():
            out.issues.append(
                _issue(
                    team,
                    "ceremony_no_agreement",
                    f"{team.team_id}: 협약서 PDF가 아직 없어 협약서 묶음에서 뺐습니다. 'onemarket agreements'를 먼저 "
                    "실행하세요 (LibreOffice 필요).",
                )
            )
            pdf = None
        name = PATTERNS.mask(team.row["name"].strip()) if team.row is not None else ""
        sheets.append(
            TeamSheet(
                team.team_id,
                name or team.team_id,
                team.shape(),
                [*parties, Signatory("입회", FACILITATOR, "청장")],
                pdf,
            )
        )
    return sheets


def ceremony(
    books: Workbooks, schemas: SchemaSet, config: Config, *, round_: int, dry_run: bool = False
) -> CeremonyOutcome:
    master = books.master
    optional = [schemas.teams, schemas.ceremonies]
    if schemas.teams.name in missing_optional(master, optional):
        raise UsageError("협약 탭이 없어 협약식 자료를 만들 수 없습니다. 'onemarket init'을 먼저 실행하세요.")
    present = [s for s in optional if s.name not in missing_optional(master, optional)]
    tables, state = read_with_state(
        master, schemas, [schemas.applications, schemas.markets, schemas.matches, *present], dry_run=dry_run
    )
    number = str(round_)
    folder = config.documents.output / "협약식" / f"{number}차"
    if dry_run:
        folder = preview_folder(config.documents.preview, f"협약식-{number}차")
    out = CeremonyOutcome(round_, dry_run, folder)
    held_at, place, note = _ceremony_row(tables.get(schemas.ceremonies.name), number)
    if not (held_at or place):
        out.issues.append(
            Issue(
                code="ceremony_row_missing",
                severity=WARNING,
                tab=schemas.ceremonies.name,
                message=f"협약식 탭에 {number}차의 일시·장소가 없어 자료에 '(미정)'으로 적었습니다.",
            )
        )
    sheets = _sheets(tables, schemas, number, Manifest(state), config, out)
    out.teams = [s.team_id for s in sheets]
    if not sheets:
        out.note = f"{number}차 협약식에 속한 협약이 없습니다 (협약 탭의 협약식 또는 차수 열을 확인하세요)."
        return out
    plan = Ceremony(number, held_at, place, note, sheets)
    docs = {
        folder / f"{number}차_진행순서_참석자.docx": running_order(plan),
        folder / f"{number}차_명패.docx": name_plates(plan),
    }
    for path, doc in docs.items():
        save_docx(doc, path)
    soffice = find_soffice(config.documents.soffice) if config.documents.pdf != "never" else None
    pdfs = convert_to_pdf(list(docs), folder, soffice) if soffice is not None else {}
    if soffice is None:
        out.note = "LibreOffice가 없어 진행순서·명패는 .docx로만 만들었습니다."
    out.files = [p.name for p in docs] + [p.name for p in pdfs.values() if p is not None]
    ready = [s for s in sheets if s.agreement_pdf is not None]
    if ready:
        target = folder / f"{number}차_협약서묶음.pdf"
        out.bundle_pages = bundle(ready, target)
        out.files.append(target.name)
    return out
