"""Per-cell checks driven by the schema: one parser per column type, required values,
formula-looking text, resident registration numbers and merged cells."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from automation.parsers import Parsed, contains_rrn, looks_like_formula, mask_rrn, parse_date, parser_for
from automation.schema import TabSchema
from automation.sheets.table import Row
from automation.validation.findings import RowFindings

FREE_TEXT_TYPES = frozenset({"text", "longtext", "market_name"})


@lru_cache(maxsize=200_000)
def parse_cell(column_type: str, allowed: tuple[str, ...], today: dt.date, text: str) -> Parsed:
    """Parsers are pure: the same text in the same kind of column parses the same (values such
    as Y/N, 기관유형 and dates repeat thousands of times in a large sheet)."""
    if column_type == "date":
        return parse_date(text, today=today)
    return parser_for(column_type, allowed)(text)


def check_cells(schema: TabSchema, row: Row, today: dt.date, *, skip: frozenset[str] = frozenset()) -> RowFindings:
    """Check every staff/market cell of ``row``; job-owned columns are the job's own business."""
    found = RowFindings(schema.name, row.number)
    if row.merged:
        found.error(
            "merged_cells",
            column=None,
            value=None,
            message="병합된 셀이 있습니다. 병합을 풀고 칸마다 값을 넣으세요 (작업은 병합된 값을 복사하지 않습니다).",
        )
    for column in schema.columns:
        if column.job_owned or column.key in skip:
            continue
        raw = row[column.key]
        if contains_rrn(raw):
            found.error(
                "rrn",
                column=column.header,
                value=mask_rrn(raw),
                message="주민등록번호로 보이는 값이 있습니다. 개인정보이므로 이 칸에서 지우세요.",
            )
            continue
        if not raw.strip():
            if column.required:
                found.error("required", column=column.header, value="", message="필수값 누락 — 이 칸을 채우세요.")
            continue
        parsed = parse_cell(column.type, column.enum, today, raw)
        if parsed.error:
            found.error(parsed.code or "invalid", column=column.header, value=raw, message=parsed.error)
            continue
        if parsed.warning:
            found.warn(parsed.code or "warning", column=column.header, value=raw, message=parsed.warning)
        if column.type in FREE_TEXT_TYPES and looks_like_formula(raw):
            found.warn(
                "formula_like",
                column=column.header,
                value=raw,
                message="=, +, -, @로 시작해 수식처럼 보입니다. 글자로만 다루며 문서·메일·요약에는 옮기지 않습니다 "
                "('- 항목'처럼 기호 뒤에 띄어 쓴 목록은 '• 항목'으로 옮김). 수식이 아니면 앞 기호를 지우세요.",
            )
        out_of_range = column.range_message(parsed.value)
        if out_of_range:
            found.error("int_range", column=column.header, value=raw, message=out_of_range)
            continue
        found.values[column.key] = parsed.value
        if parsed.value != raw:
            found.fixes[column.key] = parsed.value
    return found
