"""``onemarket import-forms PATH...``: filled 신청서 files into new 참여신청 rows.

Every file gets one line in the outcome: imported (신청ID, the row it should land on), skipped (this
file is already in the tab: the same content hash in 원본파일, on any machine) or refused (not a
신청서, encrypted, unreadable, required labels not found — named). Imported rows are appended in
one write with the job state (신청ID high-water mark), so a file is in the tab whole or not at all;
no existing row is ever changed. A form from an organisation already in the tab (same
사업자등록번호, or the same name without its legal form) becomes a new row whose 재제출 cell names
the earlier one — staff decide; nothing is overwritten. With ``move``, after the write each file
goes into ``처리완료/`` (imported or already there) or ``확인필요/`` (refused) beside it.
Validation then treats the rows exactly like typed ones.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from automation.clock import today
from automation.domain.form_layout import Line, form_lines, form_sections
from automation.domain.ids import IdAllocator
from automation.errors import UsageError
from automation.intake.fields import MIN_LABELS, find_fields
from automation.intake.grid import MAX_FILE, read_form
from automation.intake.responses import read_responses
from automation.parsers import org_key
from automation.report import Issue, StepReport
from automation.schema import SchemaSet
from automation.sheets import Backend, Workbooks, open_location
from automation.sheets.table import Table
from automation.sheets.writes import TabWrite, write_tables
from automation.state import read_with_state

LABEL = "신청서 가져오기"
DONE, CHECK = "처리완료", "확인필요"
SUFFIXES = frozenset({".hwpx", ".hwp", ".docx"})
HASH_CHARS = 16
_HASH = re.compile(r"#([0-9a-f]{16})\b")

Status = Literal["imported", "skipped", "refused"]
WORDS = {"imported": "가져옴", "skipped": "건너뜀", "refused": "거부"}


@dataclass
class FileLine:
    """One file (or one Google Forms response: ``path`` None, ``name`` says which row)."""

    path: Path | None
    status: Status
    reason: str = ""
    application_id: str = ""
    row: int | None = None
    moved_to: str = ""
    values: dict[str, str] = field(default_factory=dict, repr=False)  # the row, when imported
    digest: str = ""
    name: str = ""  # what the row's 원본파일 cell and the report call it

    def __post_init__(self) -> None:
        if not self.name and self.path is not None:
            self.name = self.path.name

    def text(self) -> str:
        where = f" → {self.application_id} (행 {self.row})" if self.application_id else ""
        why = f": {self.reason}" if self.reason else ""
        return f"[{WORDS[self.status]}] {self.name}{where}{why}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path) if self.path is not None else self.name,
            "status": self.status,
            "reason": self.reason,
            "application_id": self.application_id,
            "row": self.row,
            "moved_to": self.moved_to,
        }


@dataclass
class ImportOutcome:
    dry_run: bool = False
    files: list[FileLine] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for f in self.files if f.status == status)

    def summary(self) -> str:
        head = (
            f"신청서 {len(self.files)}개: 가져옴 {self.count('imported')}, 이미 있음 {self.count('skipped')}, "
            f"거부 {self.count('refused')}" + (" (미리보기: 시트에 쓰지 않음)" if self.dry_run else "")
        )
        return "\n".join([head, *(f"  {f.text()}" for f in self.files)])

    def step_report(self) -> StepReport:
        report = StepReport(LABEL, issues=list(self.issues), message=self.summary())
        report.counts.update(
            {"가져옴": self.count("imported"), "이미 있음": self.count("skipped"), "거부": self.count("refused")}
        )
        return report

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "imported": self.count("imported"),
            "skipped": self.count("skipped"),
            "refused": self.count("refused"),
            "files": [f.as_dict() for f in self.files],
            "issues": [i.as_dict() for i in self.issues],
        }


def collect(paths: Iterable[Path]) -> list[Path]:
    """Files named, and the 신청서 files (.hwpx, .hwp, .docx) inside folders named — not inside
    their 처리완료/ and 확인필요/ — in name order; each once."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = [
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUFFIXES
                and not p.name.startswith((".", "~$"))
                and not {DONE, CHECK} & set(p.relative_to(path).parts[:-1])
            ]
            out.extend(sorted(found))
        elif path.is_file():
            out.append(path)
        else:
            raise UsageError(f"'{path}'이(가) 없습니다. 신청서 파일이나 폴더의 경로를 확인하세요.")
    return list(dict.fromkeys(p.resolve() for p in out))


def _org_keys(brn: str, org_name: str) -> list[tuple[str, str]]:
    """How a second form of the same organisation is recognised: (what matched, key)."""
    digits = re.sub(r"\D", "", brn)
    keys = [("사업자등록번호가", digits)] if len(digits) == 10 else []
    name = org_key(org_name)
    return keys + ([("기관명이", name)] if name else [])


@dataclass
class _Known:
    """What 참여신청 already holds: content hashes and organisations, each → its first 신청ID."""

    hashes: dict[str, str] = field(default_factory=dict)
    orgs: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def of(cls, table: Table) -> _Known:
        known = cls()
        for row in table.data_rows():
            aid = row["application_id"].strip() or f"행 {row.number}"
            for h in _HASH.findall(row["source_file"]):
                known.hashes.setdefault(h, aid)
            known.add(row["brn"], row["org_name"], aid)
        return known

    def add(self, brn: str, org_name: str, aid: str) -> None:
        for key in _org_keys(brn, org_name):
            self.orgs.setdefault(key, aid)

    def earlier(self, brn: str, org_name: str) -> str:
        """The 재제출 cell of a new row: the first 신청ID of the same organisation, and why."""
        for key in _org_keys(brn, org_name):
            if key in self.orgs:
                return f"재제출 — 먼저 받은 신청: {self.orgs[key]} ({key[0]} 같음)"
        return ""


def import_forms(
    books: Workbooks,
    schemas: SchemaSet,
    paths: Sequence[Path],
    *,
    responses: str | None = None,
    responses_workbook: str = "",
    move: bool = False,
    dry_run: bool = False,
) -> ImportOutcome:
    """Filled forms (``paths``) and, with ``responses``, the rows of that Google Forms responses tab
    of master, into 참여신청 (see the module text)."""
    schema = schemas.applications
    files = collect(paths)
    tables, state = read_with_state(books.master, schemas, [schema], dry_run=dry_run)
    table = tables[schema.name]
    if "source_file" not in table.header.positions:
        raise UsageError(
            f"'{schema.name}' 탭에 '원본파일' 열이 없어 신청서를 가져올 수 없습니다. 'onemarket init'을 실행하면 "
            "열이 생깁니다 (직원이 입력한 값은 그대로 둡니다)."
        )
    ids = IdAllocator(state, today().year)
    for row in table.rows:
        ids.observe(row["application_id"])
    known = _Known.of(table)
    hashes = known.hashes
    sections = form_sections(schema)
    lines, titles = form_lines(schema), [s.title for s in sections]
    has_resubmission = "resubmission" in table.header.positions
    outcome = ImportOutcome(dry_run=dry_run)
    items = [_one(path, hashes, lines, titles) for path in files]
    if responses:
        items += _responses(_responses_source(books, responses_workbook), responses, hashes, lines, sections)
    rows: list[dict[str, str]] = []
    next_row = max([table.last_row, *(r.number for r in table.rows), 1]) + 1
    for line in items:
        outcome.files.append(line)
        if line.status == "imported" and line.digest in hashes:  # the same file twice in one call
            line.status, line.reason = "skipped", f"이미 가져온 파일입니다 ({hashes[line.digest]})."
        if line.status != "imported":
            continue
        values = line.values
        aid = ids.next("A")
        values.update(application_id=aid, received_on=today().isoformat(), source_file=f"{line.name} #{line.digest}")
        brn, name = values.get("brn", ""), values.get("org_name", "")
        earlier = known.earlier(brn, name)
        if earlier and has_resubmission:
            values["resubmission"] = earlier
        hashes[line.digest] = aid
        known.add(brn, name, aid)
        line.application_id, line.row = aid, next_row + len(rows)
        rows.append(values)
    if dry_run:
        return outcome
    if rows:
        marks = _save(ids, state)
        result = write_tables(books.master, [TabWrite(schema, appends=rows), *marks])
        state.written()
        outcome.issues.extend(result.issues)
    if move:
        for line in outcome.files:
            if line.path is not None:
                line.moved_to = _move(line.path, CHECK if line.status == "refused" else DONE)
    return outcome


def _responses_source(books: Workbooks, location: str) -> Backend:
    """master, or the form's own spreadsheet (``[intake] responses_workbook``)."""
    if not location:
        return books.master
    if books.config is None:
        raise UsageError("설문 응답 스프레드시트를 열 설정이 없습니다.")
    return open_location(books.config, location)


def _responses(
    source: Backend, tab: str, hashes: dict[str, str], lines: Sequence[Line], sections: Sequence[Any]
) -> list[FileLine]:
    """One line per response row of the Google Forms tab (stops, before any write, when a required
    question is missing). Only read: the responses spreadsheet is never written."""
    if tab not in source.list_tabs():
        raise UsageError(
            f"설문 응답 탭 '{tab}'이(가) {source.location or '파일'}에 없습니다. 설문지의 응답을 스프레드시트로 "
            "연결하고 [intake] responses(와 responses_workbook)에 탭 이름을 바르게 적으세요."
        )
    raw = source.read([tab])[tab]
    boxes = {s.title: [ln for ln in s.lines if ln.kind == "box"] for s in sections}
    got = read_responses(raw.header, list(raw.data_rows()), lines, {k: v for k, v in boxes.items() if v})
    if got.missing:
        raise UsageError(
            f"설문 응답 탭 '{tab}'에서 필수 질문을 찾지 못했습니다: {', '.join(got.missing)}. 질문 제목을 신청서 항목 "
            "이름으로 시작하게 바꾸거나, sheet_schemas/applications.toml의 그 열 aliases에 질문 제목을 더하세요."
        )
    out = []
    for number, digest, stamp, values in got.rows:
        name = f"설문응답 {stamp or f'{number}행'}"
        if digest in hashes:
            out.append(FileLine(None, "skipped", f"이미 가져온 응답입니다 ({hashes[digest]}).", name=name))
        else:
            out.append(FileLine(None, "imported", values=values, digest=digest, name=name))
    return out


def _save(ids: IdAllocator, state: Any) -> list[TabWrite]:
    ids.save()
    marks = state.tab_write()
    return [marks] if marks else []


def _one(path: Path, hashes: dict[str, str], lines: Sequence[Line], titles: list[str]) -> FileLine:
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            return FileLine(path, "refused", f"파일이 너무 큽니다 ({size / 2**20:.0f}MB, 최대 {MAX_FILE // 2**20}MB).")
        data = path.read_bytes()
    except OSError as exc:
        return FileLine(path, "refused", f"파일을 열지 못했습니다 ({exc.strerror or exc}).")
    digest = hashlib.sha256(data).hexdigest()[:HASH_CHARS]
    if digest in hashes:
        return FileLine(path, "skipped", f"이미 가져온 파일입니다 ({hashes[digest]}).")
    read = read_form(data)
    if read.refusal:
        return FileLine(path, "refused", read.refusal)
    found = find_fields(read.cells, lines, titles)
    if len(found.labels) < MIN_LABELS:
        return FileLine(
            path,
            "refused",
            f"참여 신청서로 보이지 않습니다 (알아본 항목 {len(found.labels)}개). 'onemarket form'이 만든 양식에 적어 보내 주세요.",
        )
    if not found.values.get("org_name"):  # a blank form, or one without the organisation
        return FileLine(
            path,
            "refused",
            "기관(기업)명이 비어 있습니다. 작성하지 않은 빈 양식이면 채워서, 아니면 기관(기업)명을 적어 다시 보내 주세요.",
        )
    if found.missing:
        return FileLine(
            path,
            "refused",
            f"필수 항목을 찾지 못했습니다: {', '.join(found.missing)}. 양식의 항목 이름을 지우거나 바꾸지 말고 다시 보내 주세요.",
        )
    return FileLine(path, "imported", values=dict(found.values), digest=digest)


def _move(path: Path, sub: str) -> str:
    """Into ``sub/`` beside the file (a name already there gets a number); the new path, or why not."""
    folder = path.parent / sub
    try:
        folder.mkdir(exist_ok=True)
        target = folder / path.name
        n = 2
        while target.exists():
            target = folder / f"{path.stem} ({n}){path.suffix}"
            n += 1
        shutil.move(str(path), str(target))
        return str(target)
    except OSError as exc:
        return f"옮기지 못함: {exc.strerror or exc}"


__all__ = ["FileLine", "ImportOutcome", "collect", "import_forms"]
