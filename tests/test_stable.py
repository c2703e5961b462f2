"""Byte-stable documents (automation/documents/stable.py): zip dates, python-hwpx ids, PDF dates
and file id — the same content gives the same bytes, and the files still open."""

from __future__ import annotations

import io
import zipfile

from automation.documents.stable import numbered_ids, stable_pdf, stable_zip


def test_hwpx_ids_are_numbered_in_order_and_zero_stays():
    xml = b'<hp:p id="0"><hp:p x="1" id="9876"><hp:tbl id="55"/></hp:p><hp:p id="9876"/><hp:subList id=""/>'
    assert (
        numbered_ids(xml) == b'<hp:p id="0"><hp:p x="1" id="1"><hp:tbl id="2"/></hp:p><hp:p id="1"/><hp:subList id=""/>'
    )


def test_zip_members_keep_their_compression_and_lose_their_dates():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype", (2026, 12, 1, 9, 0, 0)), b"application/hwp+zip")
        z.writestr(zipfile.ZipInfo("a.xml", (2026, 12, 1, 9, 0, 1)), b"<a/>", zipfile.ZIP_DEFLATED)
    fixed = stable_zip(out.getvalue(), {"a.xml": lambda b: b.replace(b"a", b"b")})
    with zipfile.ZipFile(io.BytesIO(fixed)) as z:
        infos = z.infolist()
        assert [i.filename for i in infos] == ["mimetype", "a.xml"] and z.read("a.xml") == b"<b/>"
        assert [i.compress_type for i in infos] == [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_pdf_date_and_id_are_fixed_with_the_same_length():
    one = (
        b"%PDF-1.7\n/CreationDate(D:20261206213746Z')>>\ntrailer /ID [ <"
        + b"A" * 32
        + b">\n<"
        + b"B" * 32
        + b"> ]\n/DocChecksum /"
        + b"E" * 32
    )
    two = (
        one.replace(b"213746", b"213759")
        .replace(b"A" * 32, b"C" * 32)
        .replace(b"B" * 32, b"D" * 32)
        .replace(b"E" * 32, b"F" * 32)
    )
    assert stable_pdf(one) == stable_pdf(two) and len(stable_pdf(one)) == len(one)
    assert b"/CreationDate(D:19800101000000Z')" in stable_pdf(one)
