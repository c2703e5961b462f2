"""Build templates/agreement.docx, the 업무협약서 template rendered by docxtpl.

Run: ``uv run python tools/make_agreement_template.py`` (writes templates/agreement.docx and
templates/agreement_team.docx, the agreement of a team of several parties; pass another path as the
first argument to write elsewhere). The committed template must equal what this script
builds (tests/test_documents_render.py compares every part), so edit the wording here, not in Word.

Every Jinja tag is written as ONE Word run (docxtpl needs that); loops use ``{%p ... %}`` paragraphs.

Font — decided by measurement (LibreOffice 7.4 headless, fonts-nanum, ``pdffonts`` on the PDF):

* "맑은 고딕" (also "Malgun Gothic", "바탕") is not on Linux; LibreOffice falls back per glyph through
  fontconfig: Hangul came out in NanumGothic but Latin letters and digits in DejaVuSans (two fonts
  mixed in one line), and which Hangul font is picked depends on what else is installed (with
  fonts-noto-cjk present it would be Noto CJK, ~12 s per page to subset).
* "NanumGothic" named explicitly (w:ascii, w:hAnsi, w:eastAsia and w:cs) embeds exactly one font,
  ``NanumGothic`` (bold runs: ``NanumGothicBold``), on every machine with fonts-nanum — which
  .ci/run and the README set-up install.

So the template names NanumGothic. For Word on Windows, where Nanum fonts are usually absent, the
font table declares it Hangul (charset 81, panose of a sans-serif) with the alternate names
"나눔고딕" and "맑은 고딕", so Word substitutes a Korean font (맑은 고딕) instead of showing boxes
(written to the OOXML spec; not checked in Word on this Linux machine). Automatic Hangul/Latin
spacing (autoSpaceDE/DN) is off so "제1조" and "매칭ID" print as typed in Word.

Size: python-docx's stock template carries 164 styles (350 KB of XML), stylesWithEffects (440 KB),
customXml and a thumbnail; only the 9 styles used are kept and the rest dropped. Measured on 200
documents: rendering 48 → 20 ms per document, 37 → 12 KB per file, LibreOffice 0.26 → 0.13 s per PDF.

Fields beyond the wording in the issue brief: the market's 시군 in 제1조 ("수원시 못골시장의 활성화")
and the organisation type in the footer, so every context key has a place; the 제4조 heading names
``facilitator`` instead of a fixed 경기지방중소벤처기업청. Empty 회차, 기관유형, 시군 or 대표자 leave no
stray separator (a blank for a handwritten name instead of 대표자).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree  # type: ignore[import-untyped]

FONT = "NanumGothic"
FONT_ALT_NAMES = "나눔고딕,맑은 고딕"
BODY_PT = 10.5
GREY = RGBColor(0x70, 0x70, 0x70)
KEEP_STYLES = frozenset({"Normal", "DefaultParagraphFont", "TableNormal", "NoList", "TableGrid", "Header",
                         "HeaderChar", "Footer", "FooterChar"})
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
OUT = Path(__file__).resolve().parent.parent / "templates" / "agreement.docx"
TEAM_OUT = OUT.with_name("agreement_team.docx")

# (article heading, body pieces); a piece "{{ ... }}" or "{% ... %}" becomes its own run.
ARTICLES: list[tuple[str, list[str]]] = [
    ("제1조(목적)", ["이 협약은 갑과 을이 서로 협력하여 ", "{% if market_sigun %}{{ market_sigun }} {% endif %}",
                   "{{ market_name }}",
                   "의 활성화와 지역경제 상생에 이바지함을 목적으로 한다."]),
    ("제2조(갑의 협력 사항)", ["갑은 다음 사항에 협력한다."]),
    ("제3조(을의 협력 사항)", ["을은 다음 사항에 협력한다."]),
    ("제4조({{ facilitator }}의 역할)", ["{{ facilitator }}", "은 협약 이행을 지원하고, 성과를 관리하며, 우수사례를 발굴·홍보한다."]),
    ("제5조(협약 기간)", ["{{ period }}"]),
    ("제6조(성과 보고)", ["을은 협력 활동의 내용과 성과를 ", "{{ facilitator }}", "이 정한 성과보고 시트에 기록한다."]),
    ("제7조(개인정보 보호)", ["갑과 을은 협약 이행 중 알게 된 개인정보를 협약 목적 외에 사용하지 않는다."]),
    ("제8조(기타)", ["이 협약에서 정하지 않은 사항은 갑과 을이 협의하여 정한다."]),
]
LISTS = {"제2조(갑의 협력 사항)": "org_programs", "제3조(을의 협력 사항)": "market_programs"}
PREAMBLE = ["{{ org_name }}", "(이하 \u201c갑\u201d)과 ", "{{ market_association }}",
            "(이하 \u201c을\u201d)은 「우리동네 1社-1市場 협력 프로젝트」에 따라 전통시장 활성화와 지역 상생을 위하여 ",
            "{{ facilitator }}", "의 입회 아래 다음과 같이 업무협약을 맺는다."]
CLOSING = "이 협약의 성립을 증명하기 위하여 협약서 3부를 작성하여 서명 날인한 후 각 1부씩 보관한다."
BLANK_NAME = "\u3000" * 5   # a handwriting gap when 대표자 is empty
SIGNATURE_ROWS: list[list[list[str]]] = [
    [["갑"], ["을"], ["입회"]],
    [["{{ org_name }}"], ["{{ market_association }}"], ["{{ facilitator }}"]],
    [["대표 ", '{{ org_rep or "' + BLANK_NAME + '" }}', " (인)"], ["회장 " + BLANK_NAME + " (인)"],
     ["청장 " + BLANK_NAME + " (인)"]],
    [["{{ org_address }}"], ["{{ market_address }}"], [""]],
]
FOOTER = ["매칭ID ", "{{ match_id }}", "{% if round %} · {{ round }}차{% endif %}",
          "{% if org_type %} · {{ org_type }}{% endif %}"]

# The team agreement (agreement_team.docx): every organisation of a team as 갑 (갑1, 갑2 … when there are
# several), every market's 상인회 as 을, the agency as 입회; the articles list the team's 협력과제 by party;
# one signature row per party, so six parties stay one tidy table.
TEAM_ARTICLES: list[tuple[str, list[str]]] = [
    ("제1조(목적)", ["이 협약은 갑과 을이 서로 협력하여 ", "{{ purpose }}",
                   "의 활성화와 지역경제 상생에 이바지함을 목적으로 한다."]),
    ("제2조(갑의 협력 사항)", ["갑은 다음 사항에 협력한다."]),
    ("제3조(을의 협력 사항)", ["을은 다음 사항에 협력한다."]),
    ("제4조(공동 협력 사항)", ["갑과 을은 다음 사항을 함께 추진한다."]),
    ("제5조({{ facilitator }}의 역할)", ["{{ facilitator }}", "은 협약 이행을 지원하고, 성과를 관리하며, 우수사례를 발굴·홍보한다."]),
    ("제6조(협약 기간)", ["{{ period }}"]),
    ("제7조(성과 보고)", ["을은 협력 활동의 내용과 성과를 ", "{{ facilitator }}", "이 정한 성과보고 시트에 기록한다."]),
    ("제8조(개인정보 보호)", ["갑과 을은 협약 이행 중 알게 된 개인정보를 협약 목적 외에 사용하지 않는다."]),
    ("제9조(기타)", ["이 협약에서 정하지 않은 사항은 갑과 을이 협의하여 정한다."]),
]
TEAM_LISTS = {"제2조(갑의 협력 사항)": "org_tasks", "제3조(을의 협력 사항)": "market_tasks",
              "제4조(공동 협력 사항)": "joint_tasks"}
TEAM_PREAMBLE = ["{{ org_parties }}", "과 ", "{{ market_parties }}",
                 "은 「우리동네 1社-1市場 협력 프로젝트」에 따라 전통시장 활성화와 지역 상생을 위하여 ",
                 "{{ facilitator }}", "의 입회 아래 다음과 같이 업무협약을 맺는다."]
TEAM_CLOSING = ["이 협약의 성립을 증명하기 위하여 협약서 ", "{{ copies }}", "부를 작성하여 서명 날인한 후 각 1부씩 보관한다."]
TEAM_HEADER = ["구분", "기관·시장", "대표자 (서명)", "주소"]
TEAM_ROW = ["{{ p.label }}", "{{ p.name }}", '{{ p.title }} {{ p.rep or "' + BLANK_NAME + '" }} (인)', "{{ p.address }}"]
TEAM_WITNESS = ["입회", "{{ facilitator }}", "청장 " + BLANK_NAME + " (인)", ""]
TEAM_WIDTHS = (Mm(16), Mm(50), Mm(42), Mm(52))
TEAM_FOOTER = ["협약ID ", "{{ team_id }}", "{% if round %} · {{ round }}차{% endif %}", " · ", "{{ shape }}"]


def _set_fonts(rpr: BaseOxmlElement) -> None:
    """Explicit fonts for every script (no theme fonts), Korean language tag."""
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    fonts = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    rpr.insert(0, fonts)
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "ko-KR")
    lang.set(qn("w:eastAsia"), "ko-KR")
    rpr.append(lang)


def _font_table_entry(doc: DocxDocument) -> None:
    """Declare NanumGothic as a Hangul sans-serif so Word substitutes a Korean font when it is missing."""
    part = next(rel.target_part for rel in doc.part.rels.values() if rel.reltype == RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    font = etree.SubElement(root, qn("w:font"))
    font.set(qn("w:name"), FONT)
    for tag, value in (("w:altName", FONT_ALT_NAMES), ("w:panose1", "020D0604000000000000"),
                       ("w:charset", "81"), ("w:family", "swiss"), ("w:pitch", "variable")):
        etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _styles(doc: DocxDocument) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    _set_fonts(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")))
    normal = doc.styles["Normal"]
    _set_fonts(normal.element.get_or_add_rPr())
    normal.font.size = Pt(BODY_PT)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(4), 1.3
    for ppr in (defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")), normal.element.get_or_add_pPr()):
        for position, tag in enumerate(("w:autoSpaceDE", "w:autoSpaceDN")):
            # no automatic gap between Hangul and Latin/digits ("제 1 조", "매칭 ID"); before w:spacing
            flag = OxmlElement(tag)
            flag.set(qn("w:val"), "0")
            ppr.insert(position, flag)
    table = doc.styles["Table Grid"]
    _set_fonts(table.element.get_or_add_rPr())
    for style in doc.styles.element.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in KEEP_STYLES:   # python-docx ships 164 styles (350 KB of XML)
            doc.styles.element.remove(style)


def _page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(20)
    section.left_margin, section.right_margin = Mm(25), Mm(25)
    section.footer_distance = Mm(10)


def _runs(paragraph: Paragraph, pieces: list[str], *, bold: bool = False, size: float | None = None,
          color: RGBColor | None = None) -> None:
    for piece in pieces:
        run = paragraph.add_run(piece)
        run.bold = bold or None
        if size is not None:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color


def _paragraph(doc: DocxDocument, pieces: list[str], *, align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
               before: float = 0, after: float = 4, keep: bool = False) -> Paragraph:
    paragraph = doc.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after, fmt.keep_with_next = Pt(before), Pt(after), keep or None
    _runs(paragraph, pieces)
    return paragraph


def _article(doc: DocxDocument, heading: str, body: list[str], lists: dict[str, str] = LISTS) -> None:
    paragraph = _paragraph(doc, [], before=6)
    head = [heading] if "{{" not in heading else _split_tags(heading)
    _runs(paragraph, head, bold=True)
    _runs(paragraph, [" ", *body])
    items = lists.get(heading)
    if items is None:
        return
    _paragraph(doc, ["{%p for item in " + items + " %}"])
    item = _paragraph(doc, ["{{ loop.index }}", ". ", "{{ item }}"], after=2)
    item.paragraph_format.left_indent = Mm(9)
    item.paragraph_format.first_line_indent = Mm(-5)
    _paragraph(doc, ["{%p endfor %}"])


def _split_tags(text: str) -> list[str]:
    """'제4조({{ facilitator }}의 역할)' → ['제4조(', '{{ facilitator }}', '의 역할)']."""
    pieces: list[str] = []
    while "{{" in text:
        before, rest = text.split("{{", 1)
        tag, text = rest.split("}}", 1)
        pieces += [before, "{{" + tag + "}}"]
    return [p for p in [*pieces, text] if p]


def _cell(cell: _Cell, pieces: list[str], *, bold: bool = False, size: float = 9.5) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    _runs(paragraph, [p for p in pieces if p], bold=bold, size=size)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _signature_table(doc: DocxDocument) -> Table:
    table: Table = doc.add_table(rows=len(SIGNATURE_ROWS), cols=3)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    heights = [Mm(8), Mm(12), Mm(18), Mm(14)]
    for r, (row, cells) in enumerate(zip(table.rows, SIGNATURE_ROWS, strict=True)):
        # schema order matters to Word: w:cantSplit before w:trHeight, w:shd before w:vAlign
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        row.height, row.height_rule = heights[r], WD_ROW_HEIGHT_RULE.AT_LEAST   # grows with long addresses
        for cell, pieces in zip(row.cells, cells, strict=True):
            cell.width = Mm(160 / 3)
            if r == 0:
                _shade(cell, "EDEDED")
            _cell(cell, pieces, bold=r == 0, size=8.5 if r == 3 else 9.5)
    return table


def _footer(doc: DocxDocument, pieces: list[str] = FOOTER) -> None:
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _runs(paragraph, pieces, size=8, color=GREY)


def _team_table(doc: DocxDocument) -> Table:
    """구분 | 기관·시장 | 대표자 (서명) | 주소: a header row, one row per party (a docxtpl row loop), 입회."""
    table: Table = doc.add_table(rows=5, cols=4)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = [TEAM_HEADER, ["{%tr for p in parties %}", "", "", ""], TEAM_ROW, ["{%tr endfor %}", "", "", ""],
            TEAM_WITNESS]
    heights = [Mm(8), None, Mm(15), None, Mm(15)]
    for r, (row, cells) in enumerate(zip(table.rows, rows, strict=True)):
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        if heights[r] is not None:
            row.height, row.height_rule = heights[r], WD_ROW_HEIGHT_RULE.AT_LEAST
        for c, (cell, text) in enumerate(zip(row.cells, cells, strict=True)):
            cell.width = TEAM_WIDTHS[c]
            if r == 0:
                _shade(cell, "EDEDED")
            _cell(cell, [text], bold=r == 0, size=8.5 if c == 3 else 9.5)
            if r < len(rows) - 1:  # the signature block stays on one page (with the closing and the date)
                cell.paragraphs[0].paragraph_format.keep_with_next = True
    return table


def build_team() -> DocxDocument:
    """The team agreement: any number of organisations and markets, 협력과제 by party."""
    return _build(TEAM_PREAMBLE, TEAM_ARTICLES, TEAM_LISTS, TEAM_CLOSING, _team_table, TEAM_FOOTER)


def _properties(doc: DocxDocument) -> None:
    """Fixed document properties, so the generator's output is the same on every run."""
    props = doc.core_properties
    props.title, props.subject, props.author = "업무협약서", "우리동네 1社-1市場 협력 프로젝트", "onemarket"
    props.last_modified_by, props.comments, props.keywords, props.category = "onemarket", "", "", ""
    props.revision = 1
    props.created = props.modified = datetime(2026, 1, 1)
    props.last_printed = datetime(2026, 1, 1)
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:   # python-docx's default template carries a stock thumbnail
            package.rels.pop(rid)
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype in (STYLES_WITH_EFFECTS, RT.CUSTOM_XML):   # Word 2010 extras (440 KB), not needed
            doc.part.rels.pop(rid)
    settings = doc.settings.element
    for preview in settings.findall(qn("w:savePreviewPicture")):
        settings.remove(preview)
    for lang in settings.findall(qn("w:themeFontLang")):   # python-docx's default says ja-JP
        lang.set(qn("w:val"), "ko-KR")
        lang.set(qn("w:eastAsia"), "ko-KR")


def _build(preamble: list[str], articles: list[tuple[str, list[str]]], lists: dict[str, str],
           closing: list[str], signatures: Callable[[DocxDocument], Table], footer: list[str]) -> DocxDocument:
    """Title, preamble, articles (with their lists), closing, date, signature table, footer."""
    doc = Document()
    for paragraph in list(doc.paragraphs):
        paragraph._element.getparent().remove(paragraph._element)
    _page(doc)
    _styles(doc)
    _font_table_entry(doc)
    title = _paragraph(doc, [], align=WD_ALIGN_PARAGRAPH.CENTER, after=18)
    _runs(title, ["{{ title }}"], bold=True, size=18)
    _paragraph(doc, preamble, after=6)
    for heading, body in articles:
        _article(doc, heading, body, lists)
    _paragraph(doc, closing, before=12, keep=True)
    _paragraph(doc, ["{{ signed_date }}"], align=WD_ALIGN_PARAGRAPH.CENTER, before=12, after=12, keep=True)
    signatures(doc)
    _footer(doc, footer)
    _properties(doc)
    return doc


def build() -> DocxDocument:
    """The agreement of one pair (갑, 을, 입회)."""
    return _build(PREAMBLE, ARTICLES, LISTS, [CLOSING], _signature_table, FOOTER)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    build().save(str(out))
    team = out.with_name(TEAM_OUT.name)
    build_team().save(str(team))
    print(f"서식을 만들었습니다: {out}, {team}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
