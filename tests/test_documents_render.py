"""The agreement template and its rendering: fields, escaping, errors, atomic writes, golden text.

Refresh the golden file after an intended wording change:
``UPDATE_GOLDEN=1 uv run pytest tests/test_documents_render.py``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from automation.documents.docx import (
    AGREEMENT_FIELDS,
    default_template,
    document_lines,
    render_docx,
    template_variables,
)
from automation.errors import DocumentError, TemplateError

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "agreement_sample.txt"

SAMPLE: dict[str, object] = {
    "match_id": "M-2026-0007",
    "round": "2",
    "title": "전통시장 활성화를 위한 업무협약서",
    "org_name": "주식회사 한빛테크",
    "org_rep": "김한빛",
    "org_address": "경기도 수원시 영통구 광교로 156",
    "org_type": "중소기업",
    "market_name": "못골시장",
    "market_association": "못골시장 상인회",
    "market_sigun": "수원시",
    "market_address": "경기도 수원시 팔달구 정조로 800번길 9",
    "org_programs": [
        "전통시장 가는 날: 임직원이 정기적으로 시장을 방문해 장보기와 식사를 합니다.",
        "온누리상품권 구매: 연 1,200천원(120만 원) 규모로 구매합니다.",
        "물품 구매: 행사·회의용 물품과 명절 선물을 시장에서 삽니다.",
    ],
    "market_programs": [
        "기관 임직원 방문 시 할인·편의를 제공합니다.",
        "시장 행사와 축제에 기관을 초대합니다.",
    ],
    "period": "협약 체결일부터 12개월 (어느 쪽도 종료를 알리지 않으면 같은 기간으로 연장)",
    "facilitator": "경기지방중소벤처기업청",
    "signed_date": "20    년    월    일",
}


def sample(**changes: object) -> dict[str, object]:
    return {**SAMPLE, **changes}


def render_lines(tmp_path: Path, context: dict[str, object], name: str = "out.docx") -> list[str]:
    out = tmp_path / name
    render_docx(default_template(), context, out)
    return document_lines(out)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_agreement_template", REPO / "tools" / "make_agreement_template.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the template ---------------------------------------------------------------------------------


def test_default_template_is_the_repo_template() -> None:
    assert default_template() == REPO / "templates" / "agreement.docx"


def test_template_fields_equal_the_context_keys() -> None:
    """Guards the template and the context builder: no field without a value, no value without a place."""
    assert template_variables(default_template()) == AGREEMENT_FIELDS


def assert_same_parts(committed_path: Path, built: Path) -> None:
    """Every part of the two .docx files is the same (the zip's timestamps may differ)."""
    with zipfile.ZipFile(committed_path) as committed, zipfile.ZipFile(built) as fresh:
        assert committed.namelist() == fresh.namelist()
        for name in committed.namelist():
            assert committed.read(name) == fresh.read(name), f"{name} differs: run tools/make_agreement_template.py"


def test_committed_template_is_what_the_generator_builds(tmp_path: Path) -> None:
    built = tmp_path / "agreement.docx"
    _generator().build().save(str(built))
    assert_same_parts(default_template(), built)


@pytest.mark.parametrize("part", ["word/document.xml", "word/footer1.xml"])
def test_every_tag_sits_in_one_run(part: str) -> None:
    with zipfile.ZipFile(default_template()) as archive:
        xml = archive.read(part).decode("utf-8")
    runs = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)
    tagged = [text for text in runs if "{" in text or "}" in text]
    assert tagged, "no tags found"
    for text in tagged:
        assert text.count("{{") == text.count("}}") and text.count("{%") == text.count("%}"), text


def test_fonts_are_named_explicitly() -> None:
    with zipfile.ZipFile(default_template()) as archive:
        styles = archive.read("word/styles.xml").decode("utf-8")
        fonts = archive.read("word/fontTable.xml").decode("utf-8")
    assert 'w:eastAsia="NanumGothic"' in styles and "eastAsiaTheme" not in styles.split("</w:docDefaults>")[0]
    assert re.search(
        r'<w:font w:name="NanumGothic"><w:altName w:val="나눔고딕,맑은 고딕"/>.*?<w:charset w:val="81"/>', fonts
    )


# --- rendering ------------------------------------------------------------------------------------


def test_golden_text(tmp_path: Path) -> None:
    lines = render_lines(tmp_path, SAMPLE)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert lines == GOLDEN.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("<script>alert(1)</script>", id="html"),
        pytest.param("A & B", id="ampersand"),
        pytest.param("{{ 7*7 }}", id="jinja-expression"),
        pytest.param("{% if true %}x{% endif %}", id="jinja-statement"),
        pytest.param("\"따옴표\" '작은' </w:t></w:r>", id="quotes-and-xml"),
    ],
)
def test_values_stay_literal_text(tmp_path: Path, value: str) -> None:
    lines = render_lines(tmp_path, sample(org_name=value))
    assert value in lines  # the signature table cell, exactly
    assert lines[1].startswith(f"{value}(이하 \u201c갑\u201d)과 ")  # the preamble
    assert "49" not in "\n".join(lines)


def test_characters_xml_cannot_hold_are_dropped(tmp_path: Path) -> None:
    lines = render_lines(tmp_path, sample(org_name="한빛\x0b테크\x00\x1f", market_programs=["할인\x07을 합니다."]))
    assert "한빛테크" in lines
    assert "1. 할인을 합니다." in lines


@pytest.mark.parametrize(
    ("changes", "expected", "absent"),
    [
        pytest.param({"round": ""}, "매칭ID M-2026-0007 · 중소기업", "차", id="no-round"),
        pytest.param({"org_type": ""}, "매칭ID M-2026-0007 · 2차", "중소기업", id="no-org-type"),
        pytest.param({"org_rep": ""}, "대표 \u3000\u3000\u3000\u3000\u3000 (인)", "김한빛", id="no-representative"),
        pytest.param(
            {"market_sigun": ""},
            "제1조(목적) 이 협약은 갑과 을이 서로 협력하여 못골시장의 활성화와 지역경제 상생에 이바지함을 목적으로 한다.",
            "수원시 못골시장",
            id="no-sigun",
        ),
    ],
)
def test_optional_values(tmp_path: Path, changes: dict[str, object], expected: str, absent: str) -> None:
    lines = render_lines(tmp_path, sample(**changes))
    assert expected in lines
    assert absent not in "\n".join(lines)


@pytest.mark.parametrize(
    ("org_programs", "market_programs"),
    [
        pytest.param(["하나"], ["가"], id="one-each"),
        pytest.param([f"활동 {n}" for n in range(1, 7)], [f"혜택 {n}" for n in range(1, 6)], id="six-and-five"),
    ],
)
def test_numbered_programs(tmp_path: Path, org_programs: list[str], market_programs: list[str]) -> None:
    lines = render_lines(tmp_path, sample(org_programs=org_programs, market_programs=market_programs))
    start = lines.index("제2조(갑의 협력 사항) 갑은 다음 사항에 협력한다.")
    middle = lines.index("제3조(을의 협력 사항) 을은 다음 사항에 협력한다.")
    assert lines[start + 1 : middle] == [f"{n}. {item}" for n, item in enumerate(org_programs, 1)]
    assert lines[middle + 1 : middle + 1 + len(market_programs)] == [
        f"{n}. {item}" for n, item in enumerate(market_programs, 1)
    ]
    assert lines[middle + 1 + len(market_programs)].startswith("제4조(")


FIELDS_TEXT = ", ".join(sorted(AGREEMENT_FIELDS - {"org_rep"}))


@pytest.mark.parametrize("missing", ["org_rep", "match_id", "org_programs"])
def test_missing_field_is_a_template_error(tmp_path: Path, missing: str) -> None:
    context = {k: v for k, v in SAMPLE.items() if k != missing}
    out = tmp_path / "out.docx"
    with pytest.raises(TemplateError) as caught:
        render_docx(default_template(), context, out)
    names = ", ".join(sorted(context))
    assert caught.value.message == (
        f"협약서 양식 agreement.docx의 {{{{ {missing} }}}}에 넣을 값이 없습니다. "
        f"양식에서 이 이름을 고치거나 지우세요 (쓸 수 있는 이름: {names})."
    )
    assert caught.value.exit_code == 2
    assert list(tmp_path.iterdir()) == []


# --- broken templates -----------------------------------------------------------------------------


def _rewrite(source: Path, target: Path, part: str, edit: object) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                if edit is None:
                    continue
                data = edit(data) if callable(edit) else edit  # type: ignore[assignment]
            zout.writestr(item, data)
    return target


UNREADABLE = (
    "협약서 양식 broken.docx을(를) 열 수 없습니다({kind}). 손상되었거나 .docx가 아닙니다. "
    "Word에서 .docx 형식으로 다시 저장하거나, [documents] template을 지워 기본 양식을 쓰세요."
)


def _random_bytes(path: Path) -> None:
    path.write_bytes(b"\x00\x17 not a word document \xff" * 100)


def _no_document_part(path: Path) -> None:
    _rewrite(default_template(), path, "word/document.xml", None)


def _bad_xml(path: Path) -> None:
    _rewrite(default_template(), path, "word/document.xml", b"<w:document><w:body>")


def _spreadsheet(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        archive.writestr("xl/workbook.xml", "<workbook/>")


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        pytest.param(_random_bytes, "BadZipFile", id="random-bytes"),
        pytest.param(_no_document_part, "KeyError", id="zip-without-document"),
        pytest.param(_bad_xml, "XMLSyntaxError", id="broken-xml"),
        pytest.param(_spreadsheet, "KeyError", id="not-a-word-file"),
    ],
)
def test_corrupt_template_is_a_template_error(tmp_path: Path, make: object, kind: str) -> None:
    broken = tmp_path / "broken.docx"
    make(broken)  # type: ignore[operator]
    for call in (lambda: template_variables(broken), lambda: render_docx(broken, SAMPLE, tmp_path / "out.docx")):
        with pytest.raises(TemplateError) as caught:
            call()
        assert caught.value.message == UNREADABLE.format(kind=kind)
    assert not (tmp_path / "out.docx").exists()


def test_missing_template(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as caught:
        render_docx(tmp_path / "없음.docx", SAMPLE, tmp_path / "out.docx")
    assert caught.value.message == (
        f"협약서 양식 {tmp_path / '없음.docx'}이(가) 없습니다. [documents] template 경로를 "
        "고치거나 지우세요 (지우면 기본 양식을 씁니다)."
    )


def test_broken_tag_is_a_template_error(tmp_path: Path) -> None:
    broken = _rewrite(
        default_template(),
        tmp_path / "broken.docx",
        "word/document.xml",
        lambda data: data.replace(b"{{ title }}", b"{{ title }", 1),
    )
    expected = (
        "협약서 양식 broken.docx의 {{ }} 또는 {% %} 태그를 읽을 수 없습니다(unexpected '}'). "
        "Word에서 태그를 지우고 한 번에 다시 입력해(중간 서식 변경 없이) 저장하세요."
    )
    for call in (lambda: template_variables(broken), lambda: render_docx(broken, SAMPLE, tmp_path / "out.docx")):
        with pytest.raises(TemplateError) as caught:
            call()
        assert caught.value.message == expected


def test_template_cannot_reach_python(tmp_path: Path) -> None:
    """A template someone edited runs sandboxed: no attribute walk to Python internals."""
    sneaky = _rewrite(
        default_template(),
        tmp_path / "sneaky.docx",
        "word/document.xml",
        lambda data: data.replace(b"{{ title }}", b"{{ title.__class__.__mro__ }}", 1),
    )
    with pytest.raises(TemplateError, match="태그를 읽을 수 없습니다"):
        render_docx(sneaky, SAMPLE, tmp_path / "out.docx")


# --- writing --------------------------------------------------------------------------------------


def test_write_replaces_atomically_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "M-2026-0007_주식회사 한빛테크_못골시장.docx"
    out.write_bytes(b"old")
    render_docx(default_template(), SAMPLE, out)
    assert zipfile.is_zipfile(out)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_failed_render_keeps_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "out.docx"
    out.write_bytes(b"old")
    with pytest.raises(TemplateError):
        render_docx(default_template(), {}, out)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.docx"]


def test_unwritable_destination_is_a_document_error(tmp_path: Path) -> None:
    blocker = tmp_path / "agreements"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    out = blocker / "out.docx"
    with pytest.raises(DocumentError) as caught:
        render_docx(default_template(), SAMPLE, out)
    assert caught.value.message == (
        f"협약서 파일 {out}을(를) 쓸 수 없습니다(File exists). 폴더가 있고 쓸 수 있는지, "
        "같은 파일이 Word 등에서 열려 있지 않은지 확인하고 다시 실행하세요."
    )


def test_rendered_copy_of_a_template_elsewhere(tmp_path: Path) -> None:
    """A template configured outside the package renders the same way."""
    copy = tmp_path / "양식" / "나의 협약서.docx"
    copy.parent.mkdir()
    shutil.copyfile(default_template(), copy)
    render_docx(copy, SAMPLE, tmp_path / "out.docx")
    assert document_lines(tmp_path / "out.docx") == GOLDEN.read_text(encoding="utf-8").splitlines()
