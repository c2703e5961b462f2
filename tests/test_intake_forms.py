"""The 참여 신청서: generated from the schema, filled the way people fill it (ticks in every style,
values under labels, spaces and line breaks in labels, deleted labels) in .docx, .hwpx and .hwp,
read back by label; hostile files refused with a clear reason, never an exception."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from automation.documents.forms import docx_bytes, hwpx_bytes
from automation.domain.form_layout import form_lines, form_sections
from automation.intake.fields import find_fields, read_amount
from automation.intake.grid import MAX_CELLS, read_form
from automation.schema import load_schemas, schema_dir
from tests.form_fill import fill_docx, fill_hwpx, to_hwp
from tests.validation_helpers import SCHEMAS

APPS = SCHEMAS["참여신청"]
SECTIONS = form_sections(APPS)
LINES = form_lines(APPS)
TITLES = [s.title for s in SECTIONS]
BLANK = {"docx": docx_bytes(SECTIONS), "hwpx": hwpx_bytes(SECTIONS)}

FILLED = {
    "기관(기업)명": "(주)가나상사",
    "기관 유형": "□ 대기업  □ 중견기업  ■ 중소기업  □ 유니콘기업",
    "대표자": "김대표",
    "사업자등록번호": "220-81-62517",
    "주소": "경기도 수원시 팔달구 효원로 1",
    "담당자 성명": "홍길동",
    "담당자 직위": "과장",
    "연락처": "010-1234-5678",
    "이메일": "hong@example.com",
    "제품명(서비스)": "사무용품",
    "전통시장 가는 날 운영": "☑",
    "전통시장 물품 구매": "□",
    "온누리상품권 구매": "연 1,000 천원",
    "참여기관 특화 프로그램": "SNS 홍보 교육",
    "희망시장 1순위": "영동시장",
    "희망 지역(시군)": "수원시",
    "개인정보 수집·이용에 동의합니까?": "■ 동의함      □ 동의하지 않음",
    "개인정보 제3자(매칭된 시장 상인회) 제공에 동의합니까?": "□ 동의함   V □ 동의하지 않음",
}
EXPECTED = {
    "org_name": "(주)가나상사",
    "org_type": "중소기업",
    "representative": "김대표",
    "brn": "220-81-62517",
    "address": "경기도 수원시 팔달구 효원로 1",
    "contact_name": "홍길동",
    "contact_title": "과장",
    "phone": "010-1234-5678",
    "email": "hong@example.com",
    "products": "사무용품",
    "market_day": "Y",
    "onnuri_thousand_won": "1000",
    "special_program": "SNS 홍보 교육",
    "wish_market_1": "영동시장",
    "wish_region": "수원시",
    "privacy_consent": "Y",
    "third_party_consent": "N",
}


def filled(kind: str, values: dict[str, str | None], rename: dict[str, str] | None = None) -> bytes:
    if kind == "docx":
        return fill_docx(BLANK["docx"], values, rename)
    data = fill_hwpx(BLANK["hwpx"], values, rename)
    return to_hwp(data) if kind == "hwp" else data


def read(data: bytes) -> dict[str, str]:
    got = read_form(data)
    assert not got.refusal, got.refusal
    return find_fields(got.cells, LINES, TITLES).values


KINDS = ["docx", "hwpx", "hwp"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_comes_back_in_every_format(kind: str) -> None:
    assert read(filled(kind, FILLED)) == EXPECTED


def test_the_form_has_every_schema_line_in_order_with_the_consent_questions() -> None:
    labels = [line.label for line in LINES]
    assert labels[:3] == ["기관(기업)명", "기관 유형", "대표자"]
    assert labels[-2:] == [
        "개인정보 수집·이용에 동의합니까?",
        "개인정보 제3자(매칭된 시장 상인회) 제공에 동의합니까?",
    ]
    text = "\n".join(c.text for c in read_form(BLANK["docx"]).cells)
    for label in labels:
        assert label in text
    assert "경기지방중소벤처기업청장 귀하" in text and "□ 동의함" in text and "연                천원" in text


def test_a_column_added_to_the_schema_appears_on_the_form_and_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "schemas"
    shutil.copytree(schema_dir(), folder)
    path = folder / "applications.toml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n[[columns]]\nkey = "employees"\nheader = "임직원수"\ntype = "int"\noptional = true\n'
        + 'form_label = "임직원 수"\nform_section = "신청 기관"\n',
        encoding="utf-8",
    )
    schema = load_schemas(folder).applications
    sections = form_sections(schema)
    assert "임직원 수" in [line.label for line in sections[0].lines]
    data = fill_docx(docx_bytes(sections), {**FILLED, "임직원 수": "120"})
    cells = read_form(data).cells
    assert find_fields(cells, form_lines(schema), [s.title for s in sections]).values["employees"] == "120"


TICKS = [
    ("filled-square", "■ 동의함  □ 동의하지 않음", "Y"),
    ("checked-box", "☑ 동의함  □ 동의하지 않음", "Y"),
    ("check-mark", "✓ 동의함  □ 동의하지 않음", "Y"),
    ("v-before-box", "V □ 동의함  □ 동의하지 않음", "Y"),
    ("root-sign", "√동의함  □ 동의하지 않음", "Y"),
    ("letter-o", "O 동의함  □ 동의하지 않음", "Y"),
    ("mark-after", "□ 동의함 □ 동의하지 않음 ✔", "N"),
    ("box-deleted", "동의함", "Y"),
    ("second-ticked", "□ 동의함  ■ 동의하지 않음", "N"),
    ("nothing-ticked", "□ 동의함  □ 동의하지 않음", ""),
    ("both-ticked", "■ 동의함  ■ 동의하지 않음", "동의함, 동의하지 않음"),
]


@pytest.mark.parametrize(("text", "expected"), [(t, e) for _, t, e in TICKS], ids=[i for i, _, _ in TICKS])
@pytest.mark.parametrize("kind", ["docx", "hwpx"])
def test_consent_ticks_in_every_style(kind: str, text: str, expected: str) -> None:
    got = read(filled(kind, {**FILLED, "개인정보 수집·이용에 동의합니까?": text}))
    assert got.get("privacy_consent", "") == expected


BOXES = [
    ("filled", "■", "Y"),
    ("check", "✓", "Y"),
    ("v", "V", "Y"),
    ("o", "O", "Y"),
    ("blank", "□", ""),
    ("x", "X", "N"),
]


@pytest.mark.parametrize(("text", "expected"), [(t, e) for _, t, e in BOXES], ids=[i for i, _, _ in BOXES])
def test_cooperation_boxes(text: str, expected: str) -> None:
    assert read(filled("docx", {**FILLED, "전통시장 물품 구매": text})).get("purchase", "") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("연 1,000 천원", "1000"),
        ("연 500천원", "500"),
        ("100만원", "1000"),
        ("1,000,000원", "1000"),
        ("연      천원", ""),
    ],
    ids=["thousand-comma", "thousand", "man-won", "won", "blank"],
)
def test_amounts(text: str, expected: str) -> None:
    assert read_amount(text) == expected


@pytest.mark.parametrize("kind", KINDS)
def test_labels_with_spaces_and_line_breaks(kind: str) -> None:
    rename = {"기관(기업)명": "기관 ( 기업 ) 명", "담당자 성명": "담당자\n성명", "이메일": "이 메 일"}
    got = read(filled(kind, FILLED, rename))
    assert got["org_name"] == "(주)가나상사" and got["contact_name"] == "홍길동" and got["email"] == "hong@example.com"


def test_value_typed_inside_the_label_cell() -> None:
    data = fill_docx(BLANK["docx"], {**FILLED, "대표자": ""}, {"대표자": "대표자: 박대표"})
    assert read(data)["representative"] == "박대표"


def test_values_under_their_labels_and_merged_cells() -> None:
    """A form someone rebuilt: a row of labels over a row of values, and a merged title row."""
    doc = Document()
    doc.add_paragraph("참여 신청서")
    table = doc.add_table(rows=3, cols=3)
    title = table.cell(0, 0).merge(table.cell(0, 2))
    title.text = "신청 기관"
    for c, (label, value) in enumerate([("기관명", "가나상사"), ("주소", "수원시 팔달구 1"), ("담당자", "홍길동")]):
        table.cell(1, c).text = label
        table.cell(2, c).text = value
    doc.add_paragraph("연락처: 010-2222-3333")
    doc.add_paragraph("이메일")
    doc.add_paragraph("a@b.kr")
    out = io.BytesIO()
    doc.save(out)
    got = read(out.getvalue())
    assert got["org_name"] == "가나상사" and got["address"] == "수원시 팔달구 1" and got["contact_name"] == "홍길동"
    assert got["phone"] == "010-2222-3333" and got["email"] == "a@b.kr"


def test_a_form_resaved_by_libreoffice_reads_the_same(tmp_path: Path) -> None:
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    src = tmp_path / "in" / "신청서.docx"
    src.parent.mkdir()
    src.write_bytes(filled("docx", FILLED))
    out = tmp_path / "out"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    resaved = (out / "신청서.docx").read_bytes()
    assert resaved != src.read_bytes()
    assert read(resaved) == EXPECTED


def test_missing_labels_are_named() -> None:
    got = read_form(filled("docx", {**FILLED, "주소": None, "이메일": None}))
    found = find_fields(got.cells, LINES, TITLES)
    assert found.missing == ["주소", "이메일"]


# -- hostile files -------------------------------------------------------------------------------


def _zip(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
    b"<w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"
)
W_NS = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
HUGE_TABLE = (
    b"<w:document "
    + W_NS
    + b"><w:body><w:tbl>"
    + b"<w:tr>"
    + b"<w:tc><w:p/></w:tc>" * 50
    + b"</w:tr>" * 1
    + (b"<w:tr>" + b"<w:tc><w:p/></w:tc>" * 50 + b"</w:tr>") * (MAX_CELLS // 50 + 2)
    + b"</w:tbl></w:body></w:document>"
)

HOSTILE = [
    ("text-file", b"just some text", "신청서 파일(.hwpx, .hwp, .docx)이 아닙니다"),
    ("pdf", b"%PDF-1.7\n...", "신청서 파일(.hwpx, .hwp, .docx)이 아닙니다"),
    ("broken-zip", b"PK\x03\x04not really a zip", "손상된 파일입니다"),
    ("other-zip", _zip({"hello.txt": b"hi"}), "DOCX나 HWPX 문서가 아닙니다"),
    ("zip-bomb", _zip({"word/document.xml": b"<" + b" " * (40 * 2**20) + b">"}), "압축 폭탄"),
    ("entity-expansion", _zip({"word/document.xml": LAUGHS}), "DOCTYPE/ENTITY"),
    ("bad-xml", _zip({"word/document.xml": b"<w:document><unclosed>"}), "XML 오류"),
    ("huge-table", _zip({"word/document.xml": HUGE_TABLE}, zipfile.ZIP_STORED), "표 칸이 너무 많습니다"),
    ("ole-not-hwp", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "HWP"),
    ("hwpx-bomb", _zip({"Contents/section0.xml": b"<" + b"a" * (40 * 2**20) + b">"}), "압축 폭탄"),
]


@pytest.mark.parametrize(("data", "reason"), [(d, r) for _, d, r in HOSTILE], ids=[i for i, _, _ in HOSTILE])
def test_hostile_files_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    got = read_form(data)
    assert got.cells == () and reason in got.refusal


def test_an_encrypted_zip_is_refused() -> None:
    data = bytearray(_zip({"word/document.xml": b"<x/>"}))
    data[6] |= 0x1  # the local header's "encrypted" flag
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 8] |= 0x1  # and the central directory's
    assert "암호" in read_form(bytes(data)).refusal


def test_a_ticked_word_check_box_control_counts() -> None:
    """Word's legacy check-box form field (Developer tab) is read as a tick."""
    data = filled("docx", FILLED)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["word/document.xml"].decode("utf-8")
    field = (
        '<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:sizeAuto/><w:checked/></w:checkBox>'
        "</w:ffData></w:fldChar></w:r>"
    )
    label = "전통시장 물품 구매</w:t>"
    at = xml.index(label)
    cell = xml.index("<w:p>", at) if "<w:p>" in xml[at:] else xml.index("<w:p ", at)
    end = xml.index(">", cell) + 1
    xml = xml[:end] + field + xml[end:]
    parts["word/document.xml"] = xml.encode("utf-8")
    assert read(_zip(parts)).get("purchase") == "Y"


CORPUS = os.environ.get("ONEMARKET_HWP_CORPUS", "")
REAL_HWP = sorted(Path(CORPUS).glob("*.hwp")) if CORPUS else []


@pytest.mark.skipif(not REAL_HWP, reason="set ONEMARKET_HWP_CORPUS to a folder of real HWP 5.0 files")
@pytest.mark.parametrize("path", REAL_HWP, ids=[p.name for p in REAL_HWP])
def test_real_hwp_files_from_a_public_corpus_are_read_into_cells(path: Path) -> None:
    """Real HWP 5.0 documents (not committed: e.g. the test files of hahnlee/hwp.js, Apache-2.0) come
    back as body paragraphs and table cells with their addresses — and are no 신청서."""
    got = read_form(path.read_bytes())
    assert got.kind == "hwp" and not got.refusal
    assert any(c.in_table for c in got.cells) and any(not c.in_table for c in got.cells)
    assert len(find_fields(got.cells, LINES, TITLES).labels) < 4


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["docx", "hwpx"]),
    cuts=st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=0, max_size=8)), min_size=1, max_size=6),
)
def test_a_damaged_file_is_never_an_exception(kind: str, cuts: list[tuple[float, bytes]]) -> None:
    """Bytes overwritten, cut or inserted anywhere in a real form: a Read comes back, never an error."""
    data = bytearray(BLANK[kind])
    for where, junk in cuts:
        at = int(where * (len(data) - 1))
        data[at : at + len(junk)] = junk
    got = read_form(bytes(data[: max(1, int(len(data) * cuts[0][0]))] if cuts[0][1] == b"" else data))
    assert got.refusal or got.cells is not None
    find_fields(got.cells, LINES, TITLES)  # whatever was read is safe to look at


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2048))
def test_any_bytes_give_a_refusal_not_an_exception(data: bytes) -> None:
    assert read_form(data).refusal
