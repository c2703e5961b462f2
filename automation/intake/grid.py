"""A filled form file -> a grid of cell texts, whatever program saved it; bounded and pure.

The format is decided by content, not by the file's extension: a ZIP holding ``word/document.xml``
is DOCX, one holding ``Contents/section*.xml`` is HWPX, an OLE compound file with an HWP header is
HWP 5.0 (converted to HWPX by python-hwpx, then read as HWPX). Body paragraphs become one-cell
rows; table cells keep their row/column address and span (merged cells), so a value can be found
to the right of its label or under it.

Hostile files get a refusal, never an exception or an unbounded read: file size, ZIP member count,
each member's uncompressed size and ratio (zip bombs), XML with a DOCTYPE (entity expansion) and
the number of cells are all capped.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]

from automation.documents.hwp import HwpRefused, hwp_to_hwpx

MAX_FILE = 20 * 2**20
MAX_MEMBERS = 400
MAX_XML = 16 * 2**20  # uncompressed bytes of one XML part
MAX_RATIO = 200  # uncompressed / compressed size of one part
MAX_CELLS = 20_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HP = "{http://www.hancom.co.kr/hwpml/2011/paragraph}"
MARK = "■"  # what a ticked Word / 한글 check-box control reads as


@dataclass(frozen=True)
class Cell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    in_table: bool = True


@dataclass(frozen=True)
class Read:
    """A file read into cells, or why not (``refusal``, Korean)."""

    kind: str  # "docx", "hwpx", "hwp" or "" when unknown
    cells: tuple[Cell, ...] = ()
    refusal: str = ""


class _Refuse(Exception):
    pass


def read_form(data: bytes) -> Read:
    """The cells of a filled 신청서 (.docx, .hwpx, .hwp), or a refusal. Never raises."""
    kind = ""
    try:
        if len(data) > MAX_FILE:
            raise _Refuse(f"파일이 너무 큽니다 ({len(data) / 2**20:.0f}MB, 최대 {MAX_FILE // 2**20}MB).")
        if data.startswith(b"PK"):
            z = _zip(data)
            names = set(z.namelist())
            if "word/document.xml" in names:
                kind = "docx"
                return Read(kind, _docx(z))
            if any(re.fullmatch(r"Contents/section\d+\.xml", n) for n in names):
                kind = "hwpx"
                return Read(kind, _hwpx(z))
            raise _Refuse("ZIP 파일이지만 DOCX나 HWPX 문서가 아닙니다.")
        if data.startswith(OLE_MAGIC):
            kind = "hwp"
            return Read(kind, _hwp(data))
        raise _Refuse("신청서 파일(.hwpx, .hwp, .docx)이 아닙니다. 한글이나 Word에서 저장한 신청서를 보내 주세요.")
    except _Refuse as exc:
        return Read(kind, refusal=str(exc))
    except Exception as exc:
        return Read(kind, refusal=f"파일을 읽지 못했습니다 (손상된 파일로 보입니다: {type(exc).__name__}).")


def _zip(data: bytes) -> zipfile.ZipFile:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _Refuse("손상된 파일입니다 (ZIP을 열지 못했습니다). 다시 저장해 보내 주세요.") from exc
    infos = z.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _Refuse(f"문서 안의 파일이 너무 많습니다 ({len(infos)}개).")
    if any(i.flag_bits & 0x1 for i in infos):
        raise _Refuse("암호가 걸린 문서입니다. 암호를 풀고 다시 저장해 보내 주세요.")
    return z


def _part(z: zipfile.ZipFile, name: str) -> bytes:
    """One XML part, read in bounded chunks (a zip bomb stops at the cap, not at the end)."""
    info = z.getinfo(name)
    limit = min(MAX_XML, max(info.compress_size, 1) * MAX_RATIO)
    out = bytearray()
    with z.open(info) as f:
        while chunk := f.read(1 << 16):
            out += chunk
            if len(out) > limit:
                raise _Refuse(f"문서의 '{name}' 부분이 비정상적으로 큽니다 (압축 폭탄으로 보여 읽지 않았습니다).")
    return bytes(out)


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def _xml(data: bytes, name: str) -> etree._Element:
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        raise _Refuse(f"문서의 '{name}' 부분에 DOCTYPE/ENTITY 선언이 있어 읽지 않았습니다 (안전하지 않은 XML).")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise _Refuse(f"문서의 '{name}' 부분이 손상되었습니다 (XML 오류).") from exc


class _Cells:
    def __init__(self) -> None:
        self.cells: list[Cell] = []
        self.row = 0

    def add(self, cell: Cell) -> None:
        if len(self.cells) >= MAX_CELLS:
            raise _Refuse(f"표 칸이 너무 많습니다 ({MAX_CELLS:,}칸 넘음). 신청서 양식이 아닌 것 같습니다.")
        self.cells.append(cell)

    def paragraph(self, text: str) -> None:
        if text.strip():
            self.add(Cell(self.row, 0, text, in_table=False))
            self.row += 1


# -- DOCX ------------------------------------------------------------------------------------


def _w_text(el: etree._Element) -> str:
    parts: list[str] = []
    for node in el.iter():
        tag = node.tag
        if tag == f"{W}t" and node.text:
            parts.append(node.text)
        elif tag == f"{W}tab":
            parts.append(" ")
        elif tag in (f"{W}br", f"{W}cr") or (tag == f"{W}p" and parts):
            parts.append("\n")
        elif tag == f"{W}checkBox":  # a legacy Word check-box form field
            checked = node.find(f"{W}checked")
            default = node.find(f"{W}default")
            on = checked if checked is not None else default
            if on is not None and on.get(f"{W}val", "1") not in ("0", "false"):
                parts.append(MARK)
    return "".join(parts).strip()


def _docx(z: zipfile.ZipFile) -> tuple[Cell, ...]:
    body = _xml(_part(z, "word/document.xml"), "word/document.xml").find(f"{W}body")
    out = _Cells()
    for el in body if body is not None else ():
        if el.tag == f"{W}p":
            out.paragraph(_w_text(el))
        elif el.tag == f"{W}tbl":
            _docx_table(el, out)
    return tuple(out.cells)


def _docx_table(tbl: etree._Element, out: _Cells) -> None:
    start = out.row
    above: dict[int, int] = {}  # column -> index (in out.cells) of the cell that a vMerge continues
    for r, tr in enumerate(tbl.iterfind(f"{W}tr")):
        col = 0
        for tc in tr.iterfind(f"{W}tc"):
            pr = tc.find(f"{W}tcPr")
            span = 1
            merge = None
            if pr is not None:
                gs = pr.find(f"{W}gridSpan")
                span = max(1, min(int(gs.get(f"{W}val", "1") or 1), 64)) if gs is not None else 1
                vm = pr.find(f"{W}vMerge")
                merge = None if vm is None else vm.get(f"{W}val", "continue")
            if merge == "continue" and col in above:  # part of the cell above: grow it
                first = out.cells[above[col]]
                out.cells[above[col]] = Cell(first.row, first.col, first.text, first.rowspan + 1, first.colspan)
            else:
                out.add(Cell(start + r, col, _w_text(tc), 1, span))
                above[col] = len(out.cells) - 1
            col += span
        out.row = start + r + 1


# -- HWPX ------------------------------------------------------------------------------------


def _sections(z: zipfile.ZipFile) -> list[str]:
    names = [n for n in z.namelist() if re.fullmatch(r"Contents/section\d+\.xml", n)]
    return sorted(names, key=lambda n: int(re.sub(r"\D", "", n)))


def _hwpx(z: zipfile.ZipFile) -> tuple[Cell, ...]:
    out = _Cells()
    for name in _sections(z):
        root = _xml(_part(z, name), name)
        for p in root.iterfind(f"{HP}p"):
            _hwpx_paragraph(p, out)
    return tuple(out.cells)


def _hp_text(el: etree._Element, *, skip_tables: bool) -> str:
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        for child in node:
            tag = child.tag
            if skip_tables and tag == f"{HP}tbl":
                continue
            if tag == f"{HP}t":  # text, with line breaks and tabs as children (their tails: text)
                parts.append(child.text or "")
                for inner in child:
                    parts.append({f"{HP}lineBreak": "\n", f"{HP}tab": " "}.get(inner.tag, ""))
                    parts.append(inner.tail or "")
                continue
            if tag == f"{HP}checkBtn" and child.get("value", "").upper() == "CHECKED":
                parts.append(MARK)
            elif tag == f"{HP}p" and parts:
                parts.append("\n")
            walk(child)

    walk(el)
    return "".join(parts).strip()


def _tables(p: etree._Element) -> Iterator[etree._Element]:
    """The tables anchored in a body paragraph (not the ones nested inside them)."""
    for run in p.iterfind(f"{HP}run"):
        yield from run.iterfind(f"{HP}tbl")


def _hwpx_paragraph(p: etree._Element, out: _Cells) -> None:
    out.paragraph(_hp_text(p, skip_tables=True))
    for tbl in _tables(p):
        start, rows = out.row, 0
        for tc in tbl.iter(f"{HP}tc"):
            if _owner_table(tc) is not tbl:
                continue
            addr, span = tc.find(f"{HP}cellAddr"), tc.find(f"{HP}cellSpan")
            r = _int(addr, "rowAddr")
            c = _int(addr, "colAddr")
            rs, cs = max(1, _int(span, "rowSpan", 1)), max(1, _int(span, "colSpan", 1))
            out.add(Cell(start + r, c, _hp_text(tc, skip_tables=False), min(rs, 256), min(cs, 64)))
            rows = max(rows, r + rs)
        out.row = start + rows


def _owner_table(tc: etree._Element) -> etree._Element | None:
    node = tc.getparent()
    while node is not None and node.tag != f"{HP}tbl":
        node = node.getparent()
    return node


def _int(el: etree._Element | None, attr: str, default: int = 0) -> int:
    if el is None:
        return default
    try:
        return max(0, min(int(el.get(attr, default)), 100_000))
    except ValueError:
        return default


# -- HWP 5.0 (experimental) ------------------------------------------------------------------


def _hwp(data: bytes) -> tuple[Cell, ...]:
    try:
        converted = hwp_to_hwpx(data)
    except HwpRefused as exc:
        raise _Refuse(exc.message) from exc
    return _hwpx(_zip(converted))
