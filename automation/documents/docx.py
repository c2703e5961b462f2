"""Render the agreement template (.docx, docxtpl) with one pair's context.

Values are data, never template code: Jinja runs sandboxed with ``StrictUndefined`` (a field the
template names but the context lacks is an error, not a blank) and autoescaping, so ``<script>``,
``A & B`` and ``{{ 7*7 }}`` typed in a cell appear literally. Characters XML cannot hold (control
characters) are dropped from values. Files are written atomically: a temporary file in the same
folder, then ``os.replace`` — a crash never leaves half a document under the final name.

This module and :mod:`automation.documents.pdf` are the only places that touch docxtpl/python-docx
and LibreOffice.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.nodes
from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate  # type: ignore[import-untyped]
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree  # type: ignore[import-untyped]

from automation.documents.files import write_atomic
from automation.errors import DocumentError, TemplateError
from automation.resources import data_dir

#: Every field templates/agreement.docx uses, and every key the context builder supplies.
AGREEMENT_FIELDS: frozenset[str] = frozenset(
    {
        "match_id",
        "round",
        "title",
        "org_name",
        "org_rep",
        "org_address",
        "org_type",
        "market_name",
        "market_association",
        "market_sigun",
        "market_address",
        "org_programs",
        "market_programs",
        "period",
        "facilitator",
        "signed_date",
    }
)
TEMPLATE_NAME = "agreement.docx"
TEAM_TEMPLATE_NAME = "agreement_team.docx"
# XML 1.0 cannot hold C0 controls other than tab/newline/CR, lone surrogates or U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_UNDEFINED = re.compile(r"^'([^']+)' is undefined$")
_BROKEN_TEMPLATE = (OSError, ValueError, KeyError, zipfile.BadZipFile, PackageNotFoundError, etree.LxmlError)


def _packaged(name: str, key: str) -> Path:
    """A packaged template (``automation/_data/templates`` in a wheel, else the repo's ``templates/``);
    ``key``: the [documents] setting that replaces it."""
    folder = data_dir("templates")
    if folder is not None and (folder / name).is_file():
        return folder / name
    raise TemplateError(
        f"기본 협약서 양식 {name}을(를) 찾을 수 없습니다. 설치가 손상되었으니 다시 설치하거나 "
        f"[documents] {key}에 양식 경로를 적으세요."
    )


def default_template() -> Path:
    """The packaged agreement of a pair (templates/agreement.docx)."""
    return _packaged(TEMPLATE_NAME, "template")


def default_team_template() -> Path:
    """The packaged agreement of a team of several parties (templates/agreement_team.docx)."""
    return _packaged(TEAM_TEMPLATE_NAME, "team_template")


def _finalize(value: Any) -> Any:
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


class _Environment(SandboxedEnvironment):
    """Sandboxed, strict, autoescaping; remembers compiled sources.

    docxtpl compiles the template's XML on every render (body, footer, document properties), about
    half the time of a render; the XML of one template is the same every time, so it is compiled once.
    """

    _LIMIT = 64

    def __init__(self) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=True, finalize=_finalize)
        self._compiled: dict[str, jinja2.Template] = {}

    def from_string(
        self,
        source: str | jinja2.nodes.Template,
        globals: MutableMapping[str, Any] | None = None,
        template_class: type[jinja2.Template] | None = None,
    ) -> jinja2.Template:
        if not isinstance(source, str) or globals is not None or template_class is not None:
            return super().from_string(source, globals, template_class)
        compiled = self._compiled.get(source)
        if compiled is None:
            if len(self._compiled) >= self._LIMIT:
                self._compiled.clear()
            compiled = self._compiled[source] = super().from_string(source)
        return compiled


_ENVIRONMENT = _Environment()


def _environment() -> _Environment:
    return _ENVIRONMENT


def _unreadable(template: Path, exc: BaseException) -> TemplateError:
    return TemplateError(
        f"협약서 양식 {template.name}을(를) 열 수 없습니다({type(exc).__name__}). 손상되었거나 .docx가 "
        "아닙니다. Word에서 .docx 형식으로 다시 저장하거나, [documents] template을 지워 기본 양식을 쓰세요."
    )


def _broken_tag(template: Path, exc: jinja2.TemplateError) -> TemplateError:
    return TemplateError(
        f"협약서 양식 {template.name}의 {{{{ }}}} 또는 {{% %}} 태그를 읽을 수 없습니다({exc.message}). "
        "Word에서 태그를 지우고 한 번에 다시 입력해(중간 서식 변경 없이) 저장하세요."
    )


def _open(template: Path) -> DocxTemplate:
    if not template.is_file():
        raise TemplateError(
            f"협약서 양식 {template}이(가) 없습니다. [documents] template 경로를 고치거나 지우세요 "
            "(지우면 기본 양식을 씁니다)."
        )
    document = DocxTemplate(template)
    try:
        document.init_docx()
    except _BROKEN_TEMPLATE as exc:
        raise _unreadable(template, exc) from exc
    return document


def template_variables(template: Path) -> set[str]:
    """The fields the template uses (top-level names in its ``{{ }}``/``{% %}`` tags)."""
    document = _open(template)
    try:
        return set(document.get_undeclared_template_variables(_environment()))
    except jinja2.TemplateSyntaxError as exc:
        raise _broken_tag(template, exc) from exc
    except _BROKEN_TEMPLATE as exc:
        raise _unreadable(template, exc) from exc


def _missing_field(template: Path, context: Mapping[str, object], exc: jinja2.UndefinedError) -> TemplateError:
    found = _UNDEFINED.match(exc.message or "")
    field = found.group(1) if found else (exc.message or "")
    return TemplateError(
        f"협약서 양식 {template.name}의 {{{{ {field} }}}}에 넣을 값이 없습니다. 양식에서 이 이름을 "
        f"고치거나 지우세요 (쓸 수 있는 이름: {', '.join(sorted(context))})."
    )


def _render(template: Path, context: Mapping[str, object]) -> DocxTemplate:
    document = _open(template)
    try:
        document.render(dict(context), _environment())
    except jinja2.UndefinedError as exc:
        raise _missing_field(template, context, exc) from exc
    except jinja2.TemplateError as exc:
        raise _broken_tag(template, exc) from exc
    except _BROKEN_TEMPLATE as exc:
        raise _unreadable(template, exc) from exc
    return document


def render_docx(template: Path, context: Mapping[str, object], out: Path) -> None:
    """Fill ``template`` with ``context`` and write ``out`` atomically (temporary file + ``os.replace``)."""
    document = _render(template, context)
    try:
        write_atomic(out, document.save)
    except OSError as exc:
        raise DocumentError(
            f"협약서 파일 {out}을(를) 쓸 수 없습니다({exc.strerror or exc}). 폴더가 있고 쓸 수 있는지, "
            "같은 파일이 Word 등에서 열려 있지 않은지 확인하고 다시 실행하세요."
        ) from exc


def _block_lines(block: Paragraph | Table) -> list[str]:
    if isinstance(block, Paragraph):
        return [block.text]
    return [cell.text for row in block.rows for cell in row.cells]


def document_lines(path: Path) -> list[str]:
    """The visible text of a .docx, one line per paragraph or table cell (body in order, then footers); blanks skipped."""
    document = Document(str(path))
    lines = [line for block in document.iter_inner_content() for line in _block_lines(block)]
    for section in document.sections:
        lines += [p.text for p in section.footer.paragraphs]
    return [line for line in lines if line.strip()]
