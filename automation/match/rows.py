"""Which 매칭 rows one match run rewrites or appends (one job row per organisation and market).

Existing job rows are found by 매칭ID and paired with the rows wanted by 시장코드 first (an unchanged
suggestion is left alone), then in sheet order; every rewrite is compare-and-set on 상태, 시장코드 and
시장명, so a person's edit between the read and the write wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from automation.domain.ids import IdAllocator
from automation.domain.status import JOB_ROWS, Status
from automation.match.offers import StaffChoices
from automation.sheets.table import Row, Table
from automation.sheets.writes import RowUpdate

CONTENT_KEYS = ("round", "application_id", "org_name", "market_code", "market_name", "score", "reason", "status")


def _pair_rows(
    rows: list[Row], wanted: list[dict[str, str]]
) -> tuple[list[tuple[Row | None, dict[str, str]]], list[Row]]:
    """Which existing job row takes which desired row: first the row already on that market (or
    the 미배정 row), then the remaining rows in sheet order; new rows for the rest."""
    free = list(rows)
    paired: list[tuple[Row | None, dict[str, str]]] = []
    rest = []
    for values in wanted:
        same = next((r for r in free if r["market_code"].strip() == values["market_code"]), None)
        if same is None:
            rest.append(values)
            continue
        free.remove(same)
        paired.append((same, values))
    for values in rest:
        paired.append((free.pop(0) if free else None, values))
    return paired, free


def _retire(row: Row, reason: str, stamp: str) -> RowUpdate | None:
    """A job row nobody needs any more becomes 미배정 with the reason (once)."""
    if row["status"].strip() == Status.UNMATCHED and row["reason"] == reason:
        return None
    return RowUpdate(
        {
            "status": Status.UNMATCHED,
            "market_code": "",
            "market_name": "",
            "score": "",
            "reason": reason,
            "processed_at": stamp,
        },
        id=row["match_id"].strip(),
        expect={"status": row["status"], "market_code": row["market_code"]},
    )


def _guarded(values: dict[str, str], row: Row, stamp: str) -> RowUpdate:
    return RowUpdate(
        {**values, "processed_at": stamp},
        id=row["match_id"].strip(),
        expect={"status": row["status"], "market_code": row["market_code"], "market_name": row["market_name"]},
    )


@dataclass
class Plan:
    """What one match run writes to 매칭: rewritten rows, new rows, and per 매칭ID the market the job
    leaves there (recorded in _작업상태)."""

    updates: list[RowUpdate] = field(default_factory=list)
    appends: list[dict[str, str]] = field(default_factory=list)
    unchanged: int = 0
    offers: dict[str, tuple[str, str]] = field(default_factory=dict)


def plan_rows(
    matches: Table,
    desired: dict[str, list[dict[str, str]]],
    ids: IdAllocator,
    stamp: str,
    choices: StaffChoices,
    locked_ids: set[str],
) -> Plan:
    """Job rows (제안/미배정) to rewrite or append so each applicant has the rows ``desired`` says;
    staff-decided rows get only their kept values; rows nobody needs become 미배정 with the reason."""
    job_rows: dict[str, list[Row]] = {}
    for r in matches.data_rows():
        mid, app_id = r["match_id"].strip(), r["application_id"].strip()
        if r["status"].strip() in JOB_ROWS and mid:
            if mid in choices.rows or app_id in choices.held_apps:
                continue  # staff decided this row (or this applicant's): only its kept values below
            job_rows.setdefault(app_id, []).append(r)
    plan = Plan()
    updates, appends = plan.updates, plan.appends
    spare: list[tuple[str, Row]] = []
    for app_id, wanted in desired.items():
        paired, extra = _pair_rows(job_rows.pop(app_id, []), wanted)
        spare += [(app_id, r) for r in extra]
        for row, values in paired:
            if row is None:
                appends.append({**values, "match_id": ids.next("M"), "processed_at": stamp})
            elif all(row[k].strip() == values[k] for k in CONTENT_KEYS):
                plan.unchanged += 1
                plan.offers[row["match_id"].strip()] = (values["market_code"], values["market_name"])
            else:
                updates.append(_guarded(values, row, stamp))
    by_id = {r["match_id"].strip(): r for r in matches.data_rows()}
    for mid, values in choices.kept.items():
        row = by_id[mid]
        if any(row[k].strip() != v for k, v in values.items()):
            updates.append(_guarded(values, row, stamp))
    spare += [(app_id, r) for app_id, rows in job_rows.items() for r in rows]
    for app_id, row in spare:  # job rows no applicant needs any more
        if app_id in desired:
            reason = "이 기관의 다른 행이 이번 제안을 담았습니다. 이 행은 쓰지 않습니다 (지워도 됩니다)."
        elif app_id in locked_ids:
            reason = "다른 행에서 확정된 기관입니다. 이 행은 쓰지 않습니다."
        else:
            reason = "신청 행이 없습니다 (삭제되었거나 신청ID가 바뀌었습니다). 확인하세요."
        retired = _retire(row, reason, stamp)
        if retired is not None:
            updates.append(retired)
    for u in updates:
        if u.id not in choices.kept:
            plan.offers[u.id] = (u.values["market_code"], u.values["market_name"])
    for a in appends:
        plan.offers[a["match_id"]] = (a["market_code"], a["market_name"])
    return plan
