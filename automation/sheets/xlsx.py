"""Local .xlsx backend (openpyxl): the offline default.

* Reads every cell as text (numbers, dates and booleans are turned into the text a person sees).
* Writes are literal text — a value starting with '=' is stored as a string, never a formula.
* Changes stay in memory until :meth:`commit`; the save is atomic (temp file + rename) and the
  previous file is kept in ``.onemarket-backup/`` beside it.
* If Excel or LibreOffice has the file open (their lock file ``~$name`` / ``.~lock.name#`` is
  present) the backend refuses, instead of overwriting a person's unsaved work.

Limits of openpyxl (documented in README): sheet protection in Excel would stop staff from sorting
and inserting rows, so job-owned columns are *marked* (grey header, note, input message) rather
than locked; images and charts that staff add to these files are not preserved by openpyxl.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from automation.errors import TabNotFoundError, WorkbookError, WorkbookLockedError, WorkbookMissingError
from automation.sheets.atomic_file import os_error, replace_file, sha256_file, sweep_strays
from automation.sheets.base import (
    Backend,
    CellWrite,
    ChartSpec,
    Dropdown,
    HeaderStyle,
    ImageSpec,
    Merge,
    RawTab,
    Scalar,
    resolve_titles,
)
from automation.sheets.xlsx_dashboard import fill_tab

MARK = "onemarket"
BACKUP_DIR = ".onemarket-backup"
_JOB_FILL = PatternFill("solid", fgColor="E7E6E6")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_MAX_ROW = 1048576


def cell_text(value: Any) -> str:
    """The text a person sees for an openpyxl cell value."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    text = getattr(value, "text", None)  # ArrayFormula
    return str(text if text is not None else value)


def sparse_rows(ws: Any) -> dict[int, list[str]]:
    """Only the cells that exist, as text by row — a value typed at A1048576 costs one row, and
    blank or whitespace-only rows are dropped by RawTab (bounded memory whatever max_row says)."""
    rows: dict[int, list[str]] = {}
    for (r, c), cell in ws._cells.items():
        value = cell.value
        if value is None:
            continue
        text = cell_text(value)
        if text == "":
            continue
        row = rows.setdefault(r, [])
        if len(row) < c:
            row.extend([""] * (c - len(row)))
        row[c - 1] = text
    return rows


_WRAP = Alignment(wrap_text=True, vertical="top")


def _put_text(ws: Any, row: int, col: int, value: str) -> None:
    """Literal text into one cell (never a formula); a cell inside a merged block is refused."""
    cell = ws.cell(row=row, column=col)
    if isinstance(cell, MergedCell):
        raise WorkbookError(
            f"'{ws.title}' 탭 {get_column_letter(col)}{row} 칸이 병합되어 있어 쓸 수 없습니다. 병합을 풀고 다시 실행하세요."
        )
    cell.value = value if value != "" else None
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # literal text, never a formula
    if isinstance(value, str) and "\n" in value and not (cell.alignment and cell.alignment.wrap_text):
        # a 검증메시지 with two problems: wrapped, so Excel and LibreOffice show every line (row fits on load)
        cell.alignment = _WRAP


def lock_files(path: Path) -> list[Path]:
    """Lock files that Excel (``~$name``) and LibreOffice (``.~lock.name#``) leave beside a file."""
    names = {f"~${path.name}", f".~lock.{path.name}#"}
    if len(path.name) > 2:
        names.add(f"~${path.name[2:]}")
    return [path.with_name(n) for n in sorted(names) if path.with_name(n).exists()]


class XlsxBackend(Backend):
    verifies = False  # a read-back before the save would only echo our own memory
    places_images = True

    def __init__(self, path: str | os.PathLike[str], *, create: bool = False) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.requests = 0
        self._dirty = False
        self._hash: str | None = None
        self._stat: tuple[int, int] | None = None
        if self.path.suffix.lower() != ".xlsx":
            raise WorkbookError(f"{self.path.name}: .xlsx 파일만 쓸 수 있습니다. 엑셀에서 .xlsx로 저장하세요.")
        self._check_lock()
        sweep_strays(self.path)
        if self.path.exists():
            self._load()
        elif create:
            self.wb = Workbook()
            self._dirty = True
        else:
            raise WorkbookMissingError(
                f"파일이 없습니다: {self.path}. 'onemarket init'으로 만들거나 onemarket.toml의 [workbook] 경로를 확인하세요."
            )

    # -- file handling -------------------------------------------------------------------
    def _check_lock(self) -> None:
        locks = lock_files(self.path)
        if locks:
            raise WorkbookLockedError(
                f"{self.path.name} 파일이 엑셀 또는 리브레오피스에서 열려 있습니다 (잠금 파일 {locks[0].name}). "
                "저장하지 않은 작업을 덮어쓰지 않도록 멈췄습니다. 파일을 저장하고 닫은 뒤 다시 실행하세요. "
                "이미 닫았다면 잠금 파일을 지우세요."
            )

    def _disk_stat(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def _load(self) -> None:
        """Load exactly the bytes that are hashed, so a later save can tell whether anyone saved since."""
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise os_error(self.path, exc) from exc
        try:
            self.wb = load_workbook(io.BytesIO(data))
        except Exception as exc:  # openpyxl raises many kinds for a damaged file (zip, XML, entities)
            raise WorkbookError(
                f"{self.path.name}을(를) .xlsx로 읽을 수 없습니다 (파일이 손상됨: {type(exc).__name__}). 엑셀에서 열어 "
                f".xlsx로 다시 저장하거나, {BACKUP_DIR}/{self.path.name}(마지막으로 저장하기 전의 파일)으로 바꾸세요."
            ) from exc
        self._hash = hashlib.sha256(data).hexdigest()
        self._stat = self._disk_stat()
        self._dirty = False

    def _fresh(self) -> None:
        """Reload if someone saved the file since we read it (and we have nothing pending)."""
        self._check_lock()
        if not self._dirty and self._stat is not None and self._disk_stat() != self._stat:
            self._load()

    def commit(self) -> None:
        if not self._dirty:
            return
        self._check_lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        backup = self.path.parent / BACKUP_DIR / self.path.name
        buffer = io.BytesIO()
        self.wb.save(buffer)  # in memory first: a full disk then fails on a plain write, nothing half-built
        data = buffer.getvalue()
        replace_file(self.path, lambda fh: fh.write(data), self._hash, backup)
        self.requests += 1
        self._hash = sha256_file(self.path)
        self._stat = self._disk_stat()
        self._dirty = False

    def discard(self) -> None:
        if self._dirty and self.path.exists():
            self._load()
        self._dirty = False

    def _sheet(self, title: str) -> Any:
        found = resolve_titles([title], self.wb.sheetnames, self.path.name)[title]
        if found is None:
            raise TabNotFoundError(
                f"{self.path.name}에 '{title}' 탭이 없습니다. 탭 이름을 되돌리거나 'onemarket init'을 실행하세요."
            )
        return self.wb[found]

    # -- Backend --------------------------------------------------------------------------
    def list_tabs(self) -> list[str]:
        self._fresh()
        return list(self.wb.sheetnames)

    def read(self, titles: Sequence[str]) -> dict[str, RawTab]:
        self._fresh()
        out: dict[str, RawTab] = {}
        for title in titles:
            ws = self._sheet(title)
            merges = [Merge(r.min_row, r.max_row, r.min_col, r.max_col) for r in ws.merged_cells.ranges]
            out[title] = RawTab(ws.title, rows=sparse_rows(ws), merges=merges)
        return out

    def write(self, updates: Mapping[str, Sequence[CellWrite]]) -> None:
        self._fresh()
        for title, cells in updates.items():
            ws = self._sheet(title)
            for c in cells:
                _put_text(ws, c.row, c.col, c.value)
        self._dirty = True

    def append(self, title: str, rows: Sequence[Sequence[str]]) -> None:
        self._fresh()
        ws = self._sheet(title)
        last = RawTab(ws.title, rows=sparse_rows(ws)).last_row
        if last + len(rows) > _MAX_ROW:
            raise WorkbookError(
                f"{self.path.name}의 '{ws.title}' 탭 끝({_MAX_ROW:,}행)까지 값이 있어 행을 더할 수 없습니다. "
                "맨 아래의 불필요한 값을 지우세요."
            )
        for offset, values in enumerate(rows, start=1):
            for col, value in enumerate(values, start=1):
                if value != "":
                    _put_text(ws, last + offset, col, value)
        self._dirty = True

    def rename_tab(self, title: str, new_title: str) -> None:
        self._sheet(title).title = new_title
        self._dirty = True

    def hide_tab(self, title: str) -> None:
        ws = self._sheet(title)
        if ws.sheet_state != "hidden":
            ws.sheet_state = "hidden"
            self._dirty = True

    def ensure_tabs(self, titles: Sequence[str]) -> list[str]:
        self._fresh()
        found = resolve_titles(list(dict.fromkeys(titles)), self.wb.sheetnames, self.path.name)
        created = [t for t, actual in found.items() if actual is None]  # a look-alike counts as there
        for title in created:
            self.wb.create_sheet(title)
        if created:
            self._dirty = True
        return created

    def remove_blank_default_tab(self) -> bool:
        for name in ("Sheet", "Sheet1", "시트1"):
            if name in self.wb.sheetnames and len(self.wb.sheetnames) > 1:
                ws = self.wb[name]
                if ws.max_row == 1 and ws.max_column == 1 and ws["A1"].value is None:
                    self.wb.remove(ws)
                    self._dirty = True
                    return True
        return False

    def style_header(self, title: str, style: HeaderStyle) -> None:
        """Freeze (unless staff froze panes already) and colour the header; marks the file changed only
        if something differs."""
        ws = self._sheet(title)
        changed = False
        if ws.freeze_panes is None:  # a freeze staff chose (D2, A3 …) is kept
            ws.freeze_panes = "A2"
            changed = True
        for cell in ws[1]:
            if cell.value is None:
                continue
            fill = _JOB_FILL if cell.column in style.job_cols else _HEADER_FILL
            if not cell.font.b or cell.fill.fgColor.rgb != fill.fgColor.rgb:
                cell.font = Font(bold=True)
                cell.fill = fill
                changed = True
            note = style.notes.get(cell.column)
            if note and (cell.comment is None or (cell.comment.author == MARK and cell.comment.text != note)):
                cell.comment = Comment(note, MARK)
                changed = True
        for col, width in style.widths.items():
            dim = ws.column_dimensions[get_column_letter(col)]
            if dim.width != width:
                dim.width = width
                changed = True
        self._dirty = self._dirty or changed

    @staticmethod
    def _signature(dvs: Sequence[DataValidation]) -> list[tuple[str, ...]]:
        return sorted(
            (str(dv.sqref), str(dv.formula1), str(dv.showErrorMessage), str(dv.prompt), str(dv.promptTitle))
            for dv in dvs
        )

    def _replace_validations(self, ws: Any, new: list[DataValidation], kind: str) -> None:
        tag = f"{MARK}:{kind}"
        ours = [dv for dv in ws.data_validations.dataValidation if dv.errorTitle == tag]
        if self._signature(ours) == self._signature(new):
            return
        kept = [dv for dv in ws.data_validations.dataValidation if dv.errorTitle != tag]
        for dv in new:
            dv.errorTitle = tag
        ws.data_validations.dataValidation = kept + new
        self._dirty = True

    def set_dropdowns(self, title: str, dropdowns: Sequence[Dropdown]) -> None:
        ws = self._sheet(title)
        new = []
        for d in dropdowns:
            if d.source:
                src_title, src_col = d.source
                letter = get_column_letter(src_col)
                formula = f"'{src_title}'!${letter}$2:${letter}$5000"
            else:
                formula = '"' + ",".join(d.values) + '"'
                if len(formula) > 255:
                    raise WorkbookError(f"'{title}' 탭 드롭다운 목록이 엑셀 한도(255자)를 넘습니다.")
            dv = DataValidation(
                type="list",
                formula1=formula,
                allow_blank=True,
                showErrorMessage=d.strict,
                showInputMessage=bool(d.prompt),
            )
            if d.strict:
                dv.error = "목록에 있는 값을 고르세요."
            if d.prompt:
                dv.prompt = d.prompt
            letter = get_column_letter(d.col)
            dv.add(f"{letter}2:{letter}{_MAX_ROW}")
            new.append(dv)
        self._replace_validations(ws, new, "dropdown")

    def protect_columns(self, title: str, cols: Sequence[int], description: str) -> None:
        """Mark job-owned columns: an input message on every cell (Excel shows it on select)."""
        ws = self._sheet(title)
        new = []
        for col in cols:
            dv = DataValidation(allow_blank=True, showInputMessage=True, showErrorMessage=False)
            dv.promptTitle = "작업 전용 열"
            dv.prompt = description[:250]
            letter = get_column_letter(col)
            dv.add(f"{letter}2:{letter}{_MAX_ROW}")
            new.append(dv)
        self._replace_validations(ws, new, "protect")

    def replace_tab(
        self,
        title: str,
        rows: Sequence[Sequence[Scalar]],
        *,
        charts: Sequence[ChartSpec] = (),
        widths: Mapping[int, float] | None = None,
        bold_rows: Sequence[int] = (1,),
        freeze_rows: int = 1,
        images: Sequence[ImageSpec] = (),
    ) -> None:
        """Delete and recreate the sheet at the same position (old values, formats and charts go)."""
        self._fresh()
        old = self._sheet(title)
        index = self.wb.sheetnames.index(old.title)
        self.wb.remove(old)
        ws = self.wb.create_sheet(title, index)
        fill_tab(ws, rows, charts, dict(widths or {}), bold_rows, freeze_rows, images)
        self._dirty = True

    def protect_tab(self, title: str, editors: Sequence[str], description: str) -> None:
        """A file has no per-person rights: nothing is recorded (README, 'xlsx의 한계')."""
        self._sheet(title)


__all__ = ["XlsxBackend", "cell_text", "lock_files"]
