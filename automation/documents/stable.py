"""The same content gives the same bytes: zip members dated 1980-01-01, python-hwpx's random
paragraph and table ids numbered in order, and LibreOffice's PDF creation date and file id fixed.
What a document shows (its 기준 시각) stays; nothing else in it depends on the clock."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Mapping

_HWPX_ID = re.compile(rb'(<hp:(?:p|tbl)\b[^>]*?\bid=")(\d+)(")')
_PDF_DATE = re.compile(rb"/(CreationDate|ModDate)\(D:(\d{14})")
_PDF_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]{32})>\s*<([0-9A-Fa-f]{32})>\s*\]")
_PDF_SUM = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]{32})")


def stable_zip(data: bytes, rewrite: Mapping[str, Callable[[bytes], bytes]] | None = None) -> bytes:
    """The same zip with every member dated 1980-01-01 (compression kept: an .hwpx ``mimetype``
    stays stored); members named in ``rewrite`` are rewritten by their function."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type, fixed.external_attr = info.compress_type, 0o600 << 16
            body = source.read(info.filename)
            change = (rewrite or {}).get(info.filename)
            target.writestr(fixed, change(body) if change else body)
    return out.getvalue()


def numbered_ids(xml: bytes) -> bytes:
    """python-hwpx gives paragraphs and tables random ids; number them 1, 2, … in document order
    (0 stays 0: the section's first paragraph)."""
    seen: dict[bytes, bytes] = {b"0": b"0"}

    def number(m: re.Match[bytes]) -> bytes:
        new = seen.setdefault(m.group(2), str(len(seen)).encode())
        return m.group(1) + new + m.group(3)

    return _HWPX_ID.sub(number, xml)


def stable_hwpx(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sections = [n for n in z.namelist() if re.fullmatch(r"Contents/section\d+\.xml", n)]
    return stable_zip(data, dict.fromkeys(sections, numbered_ids))


def stable_pdf(data: bytes) -> bytes:
    """LibreOffice's PDF with its creation date set to 1980-01-01 and its file id and DocChecksum
    made from the content (same lengths, so the cross-reference offsets hold)."""
    dated = _PDF_DATE.sub(lambda m: b"/" + m.group(1) + b"(D:19800101000000", data)
    digest = hashlib.md5(_PDF_SUM.sub(b"", _PDF_ID.sub(b"", dated)), usedforsecurity=False).hexdigest().upper().encode()
    fixed = _PDF_ID.sub(lambda m: m.group(0).replace(m.group(1), digest).replace(m.group(2), digest), dated)
    return _PDF_SUM.sub(lambda m: m.group(0).replace(m.group(1), digest), fixed)
