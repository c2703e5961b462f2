"""Fill the generated 참여 신청서 the way people do, in .docx, .hwpx and .hwp (test helper).

``values`` maps a label on the form to what the person types in the cell to its right (ticks
included, e.g. "■ 동의함 □ 동의하지 않음"). A label mapped to ``None`` is deleted from the form
(a mangled form); ``rename`` changes label texts (spaces, line breaks).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

from docx import Document
from hwpx.hwp5.writer import write_hwp5
from lxml import etree

HP = "{http://www.hancom.co.kr/hwpml/2011/paragraph}"


def fill_docx(blank: bytes, values: Mapping[str, str | None], rename: Mapping[str, str] | None = None) -> bytes:
    doc = Document(io.BytesIO(blank))
    for row in doc.tables[0].rows:
        label = row.cells[0].text
        if label in values:
            value = values[label]
            if value is None:
                row.cells[0].text = ""
            else:
                row.cells[1].text = value
        if rename and label in rename:
            row.cells[0].text = rename[label]
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _set_text(tc: etree._Element, text: str) -> None:
    ts = list(tc.iter(f"{HP}t"))
    for t in ts[1:]:
        t.text = ""
    if ts:
        ts[0].text = text
    else:
        run = next(tc.iter(f"{HP}run"))
        etree.SubElement(run, f"{HP}t").text = text


def _cell_text(tc: etree._Element) -> str:
    return "".join("".join(t.itertext()) for t in tc.iter(f"{HP}t"))


def fill_hwpx(blank: bytes, values: Mapping[str, str | None], rename: Mapping[str, str] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(blank))
    parts = {n: src.read(n) for n in src.namelist()}
    root = etree.fromstring(parts["Contents/section0.xml"])
    for tr in root.iter(f"{HP}tr"):
        cells = tr.findall(f"{HP}tc")
        if len(cells) < 2:
            continue
        label = _cell_text(cells[0])
        if label in values:
            value = values[label]
            if value is None:
                _set_text(cells[0], "")
            else:
                _set_text(cells[1], value)
        if rename and label in rename:
            _set_text(cells[0], rename[label])
    parts["Contents/section0.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():  # mimetype first and stored, as HWPX wants
            z.writestr(name, data, zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def to_hwp(hwpx: bytes) -> bytes:
    """The same form as HWP 5.0 (python-hwpx's writer), as 한글 would save it."""
    z = zipfile.ZipFile(io.BytesIO(hwpx))
    return write_hwp5({n: z.read(n) for n in z.namelist()})
