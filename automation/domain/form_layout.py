"""The 참여 신청서 layout, derived from the 참여신청 schema.

Every column with a ``form_label`` is a line of the form, in schema order inside its
``form_section`` (sections in order of first appearance). How a line is filled in follows the
column's type: check boxes for Y/N items, one box per choice for an enum, 동의함/동의하지 않음 for
the consent questions, "연 ____ 천원" for an amount in thousands of won.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from automation.schema import Column, TabSchema

BOX = "□"
CONSENT_SECTION = "개인정보 동의"
AGREE, DISAGREE = "동의함", "동의하지 않음"
TITLE = "「우리동네 1社-1市場 협력 프로젝트」 참여 신청서"
PLEDGE = "위와 같이 「우리동네 1社-1市場 협력 프로젝트」 참여를 신청합니다."
DATE_LINE = "20      년      월      일"
SIGNATURE_LINE = "신청인(대표자)                         (서명 또는 인)"
ADDRESSEE = "경기지방중소벤처기업청장 귀하"
CONSENT_NOTE = (
    "수집·이용 목적: 참여기관과 전통시장의 매칭, 업무협약 체결과 성과 관리 · 수집 항목: 담당자 성명, "
    "직위, 연락처, 이메일 · 보유 기간: 사업 종료 후 1년 · 동의하지 않을 수 있으나, 동의하지 않으면 참여가 "
    "어렵습니다. 제3자 제공: 매칭된 시장의 상인회에 담당자 연락처를 알려 협력을 돕습니다."
)
HOW_TO = "※ 해당 칸의 □를 ■ 또는 ☑로 바꾸거나 V 표시를 하고, 빈칸에 적어 주세요."

Kind = Literal["text", "box", "choice", "consent", "thousand"]


@dataclass(frozen=True)
class Line:
    column: Column
    kind: Kind
    label: str

    @property
    def blank(self) -> str:
        """What the value cell holds on the empty form."""
        if self.kind == "box":
            return BOX
        if self.kind == "choice":
            return "  ".join(f"{BOX} {v}" for v in self.column.enum)
        if self.kind == "consent":
            return f"{BOX} {AGREE}      {BOX} {DISAGREE}"
        if self.kind == "thousand":
            return "연                천원"
        return ""


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[Line, ...]


def _kind(column: Column) -> Kind:
    if column.type == "yn":
        return "consent" if column.form_section == CONSENT_SECTION else "box"
    if column.type == "enum":
        return "choice"
    if column.type == "krw_thousand":
        return "thousand"
    return "text"


def form_sections(schema: TabSchema) -> tuple[Section, ...]:
    """The form's sections and lines, from the schema's ``form_label`` columns."""
    order: list[str] = []
    lines: dict[str, list[Line]] = {}
    for column in schema.columns:
        if not column.form_label or column.job_owned:
            continue
        section = column.form_section or "기타"
        if section not in lines:
            order.append(section)
            lines[section] = []
        lines[section].append(Line(column, _kind(column), column.form_label))
    return tuple(Section(title, tuple(lines[title])) for title in order)


def form_lines(schema: TabSchema) -> tuple[Line, ...]:
    return tuple(line for section in form_sections(schema) for line in section.lines)
