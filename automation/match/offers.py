"""What the job last suggested on each of its 매칭 rows, kept in the workbook (``_작업상태``, kind
제안), so a run can tell a market staff typed into a 제안/미배정 row from its own suggestion — and
list the suggestions it changes for staff who may already have phoned the organisation.

Staff's choice: 시장코드 or 시장명 of a job row differs from what the job last wrote there. A choice
that names a market of the 시장 tab is kept (the matching treats it like a confirmed pair, so the
market's capacity counts it) and 추천사유 says it is staff's; one that names no market is left as
typed, with a message on the row. Emptying both cells hands the row back to the job. A row the job
has no record for (a workspace from before this record) is the job's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from automation.domain.market_names import MarketIndex, MarketRef
from automation.domain.status import JOB_ROWS, Status
from automation.matching.model import Lock
from automation.report import WARNING, Issue
from automation.schema import TABS
from automation.sheets.table import Row, Table
from automation.state import OFFER, WorkState

STAFF_REASON = "직원이 고른 시장입니다 (작업의 추천이 아님). 작업은 이 행의 시장을 바꾸지 않습니다."


@dataclass(frozen=True)
class Offer:
    code: str
    name: str

    def label(self) -> str:
        return self.name or self.code or "미배정"


def read_offer(state: WorkState, match_id: str) -> Offer | None:
    raw = state.get(OFFER, match_id)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return Offer(raw.strip(), "")
    return Offer(str(data.get("code", "")), str(data.get("name", "")))


def record_offer(state: WorkState, match_id: str, code: str, name: str) -> None:
    state.set(OFFER, match_id, json.dumps({"code": code, "name": name}, ensure_ascii=False, sort_keys=True))


@dataclass
class StaffChoices:
    locks: list[Lock] = field(default_factory=list)
    #: 매칭ID → the update that keeps staff's choice (canonical name/code filled in, 추천사유)
    kept: dict[str, dict[str, str]] = field(default_factory=dict)
    #: 신청ID of every applicant with a job row whose market staff typed
    apps: set[str] = field(default_factory=set)
    #: 매칭ID of the job rows staff decided (the job writes only the kept values there)
    rows: set[str] = field(default_factory=set)
    #: applicants with a typed market the 시장 tab does not have: the job writes none of their job
    #: rows and leaves them out of the matching until staff fix the row
    held_apps: set[str] = field(default_factory=set)
    issues: list[Issue] = field(default_factory=list)


def staff_choices(
    matches: Table,
    state: WorkState,
    market_rows: Mapping[str, Row],
    locks: Iterable[Lock],
    wants: Mapping[str, int] | None = None,
) -> StaffChoices:
    """Job rows whose market staff typed since the job's last write. ``locks``: the confirmed
    pairs; ``wants``: 희망시장수 by 신청ID (missing = 1)."""
    out = StaffChoices()
    wants = wants or {}
    index = MarketIndex(
        MarketRef(code, r["market_name"].strip(), r["sigun"].strip()) for code, r in market_rows.items()
    )
    held: dict[str, set[str]] = {}
    for lock in locks:
        held.setdefault(lock.app_id, set()).add(lock.market_code)
    for row in matches.data_rows():
        mid, app_id = row["match_id"].strip(), row["application_id"].strip()
        if row["status"].strip() not in JOB_ROWS or not mid or not app_id:
            continue
        offered = read_offer(state, mid)
        code, name = row["market_code"].strip(), row["market_name"].strip()
        if offered is None or (code, name) == (offered.code, offered.name) or not (code or name):
            continue
        out.apps.add(app_id)
        out.rows.add(mid)
        chosen = _resolve(code, name, market_rows, index)
        mine = held.setdefault(app_id, set())
        if len(mine) >= wants.get(app_id, 1) or (chosen is not None and chosen in mine):
            out.issues.append(
                _issue(
                    row,
                    column="시장코드",
                    value=code or name,
                    message=f"{mid}: 이 기관은 다른 행에서 이미 확정되었습니다. 이 행에 입력한 시장 '{code or name}'은(는) "
                    "그대로 두었습니다. 필요 없으면 상태를 거절로 바꾸거나 행을 지우세요.",
                )
            )
            continue
        if chosen is None:
            out.held_apps.add(app_id)
            column = "시장코드" if code else "시장명"
            out.issues.append(
                _issue(
                    row,
                    column=column,
                    value=code or name,
                    message=f"{mid}: 직원이 입력한 시장 '{code or name}'을(를) 시장 탭에서 찾지 못해 그대로 두었습니다. "
                    "시장 탭의 시장코드(또는 정확한 시장명)로 고치세요. 두 칸을 비우면 작업이 다시 추천합니다.",
                )
            )
            continue
        mine.add(chosen)
        out.locks.append(Lock(app_id, chosen))
        values = {
            "market_code": chosen,
            "market_name": market_rows[chosen]["market_name"].strip(),
            "reason": STAFF_REASON,
            "score": "",
        }
        out.kept[mid] = values
    return out


def _resolve(code: str, name: str, market_rows: Mapping[str, Row], index: MarketIndex) -> str | None:
    if code:
        return code if code in market_rows else None
    found = index.resolve(name, None)
    return found.market.code if found.market and found.kind in ("exact", "normalized") else None


def _issue(row: Row, *, column: str, value: str, message: str) -> Issue:
    return Issue(
        code="staff_market",
        row=row.number,
        column=column,
        value=value,
        message=message,
        severity=WARNING,
        tab=TABS.matches,
    )


def changed_offers(matches: Table, state: WorkState, offers: Mapping[str, tuple[str, str]]) -> list[Issue]:
    """Every 제안 the job changes this run (another market, or 미배정), per row: 매칭ID, old → new.
    ``offers``: 매칭ID → (시장코드, 시장명) the job leaves on its rows this run."""
    out = []
    for row in matches.data_rows():
        mid = row["match_id"].strip()
        if row["status"].strip() != Status.SUGGESTED or not mid or not row["market_code"].strip():
            continue
        offered = read_offer(state, mid)
        old = Offer(row["market_code"].strip(), row["market_name"].strip())
        if offered is not None and (old.code, old.name) != (offered.code, offered.name):
            continue  # staff's choice: not the job's to change
        if mid not in offers:
            continue  # the job leaves this row as it is
        new_code, new_name = offers[mid]
        if new_code == old.code:
            continue
        after = f"{new_name}({new_code})" if new_code else "미배정"
        out.append(
            Issue(
                code="offer_changed",
                row=row.number,
                column="시장명",
                value=mid,
                message=f"{mid}: 제안이 바뀌었습니다 — {old.label()}({old.code}) → {after}. 이 기관에 이미 연락했다면 "
                "바뀐 내용을 알려 주세요.",
                severity=WARNING,
                tab=TABS.matches,
            )
        )
    return out
