"""Every outcome row of the outcomes file (성과보고 + the market tabs), parsed into plain values.

The dashboard consolidates these. A row counts when anything beyond the starter columns is filled
(활동일, 활동유형, 내용, amounts …); the starter rows the outcomes step prepares (매칭ID, 시장명,
기관명 only) do not. Values
that do not parse become 0 / None here; whether a row is usable is the validator's word
(``status`` is its 검증결과: 정상, 경고, 오류, or '' before the first validation).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from automation.domain.outcome_tabs import outcome_tab_titles, tab_schema
from automation.domain.status import RowResult
from automation.parsers import parse_date, parse_int, parse_krw, parse_yn
from automation.parsers.base import clean_text
from automation.schema import SchemaSet
from automation.sheets.base import Backend
from automation.sheets.table import Row, read_tables


@dataclass(frozen=True)
class OutcomeRecord:
    tab: str
    row: int
    outcome_id: str
    match_id: str
    market_name: str
    org_name: str
    activity_date: dt.date | None
    activity_type: str
    content: str
    participants: int
    purchase_won: int
    onnuri_won: int
    evidence_link: str
    best_practice: bool
    status: str
    publish: bool = False  # 홍보동의 Y (staff): may appear in public material
    photo: str = ""  # 사진: a local picture file staff chose
    team_id: str = ""  # 협약ID (blank on rows of an older workbook: the pair's team is used)
    task_id: str = ""

    @property
    def usable(self) -> bool:
        return self.status != RowResult.ERROR


#: the columns the outcomes step fills in a starter row; a row with nothing else is not a record yet
_REPORTED = (
    "activity_date",
    "activity_type",
    "content",
    "participants",
    "purchase_won",
    "onnuri_won",
    "evidence_link",
    "best_practice",
)


def records_activity(row: Row) -> bool:
    """Something beyond a starter row's 매칭ID/시장명/기관명 was typed."""
    return any(row[k].strip() for k in _REPORTED)


def _number(parsed_ok: bool, value: str) -> int:
    return int(value) if parsed_ok and value.isdigit() else 0


def to_record(tab: str, row: Row) -> OutcomeRecord:
    day = parse_date(row["activity_date"])
    people, purchase, onnuri = (
        parse_int(row["participants"]),
        parse_krw(row["purchase_won"]),
        parse_krw(row["onnuri_won"]),
    )
    best = parse_yn(row["best_practice"])
    return OutcomeRecord(
        tab=tab,
        row=row.number,
        outcome_id=row["outcome_id"].strip(),
        match_id=row["match_id"].strip(),
        market_name=clean_text(row["market_name"]),
        org_name=clean_text(row["org_name"]),
        activity_date=dt.date.fromisoformat(day.value) if day.ok and day.value else None,
        activity_type=clean_text(row["activity_type"]).replace(" ", ""),
        content=clean_text(row["content"]),
        participants=_number(people.ok, people.value),
        purchase_won=_number(purchase.ok, purchase.value),
        onnuri_won=_number(onnuri.ok, onnuri.value),
        evidence_link=clean_text(row["evidence_link"]),
        best_practice=best.ok and best.value == "Y",
        status=row["validation_result"].strip(),
        publish=parse_yn(row["publish"]).value == "Y",
        photo=row["photo"].strip(),
        team_id=row["team_id"].strip(),
        task_id=row["task_id"].strip(),
    )


def collect_outcomes(backend: Backend, schemas: SchemaSet) -> list[OutcomeRecord]:
    """One read of the outcomes file: every activity row of 성과보고 and of each market tab."""
    titles = outcome_tab_titles(backend.list_tabs())
    tables = read_tables(backend, [tab_schema(schemas, t) for t in titles])
    return [
        to_record(title, row) for title, table in tables.items() for row in table.data_rows() if records_activity(row)
    ]
