"""Confirmed pairs: a 매칭 row joined with its application and its market, or the reason it can't be.

Both the agreements and the notify steps start here. A pair is usable only when its 매칭ID is
present and unique, its 신청ID names an application and its 시장코드 names a market; anything else
becomes an :class:`Issue` listed for review (no document, no mail), never a guess.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from automation.parsers import is_yes
from automation.report import ERROR, WARNING, Issue, Severity
from automation.schema import TABS
from automation.sheets.table import Row, Table


@dataclass(frozen=True)
class Pair:
    match: Row
    app: Row
    market: Row

    @property
    def match_id(self) -> str:
        return self.match["match_id"].strip()

    @property
    def status(self) -> str:
        return self.match["status"].strip()

    def consent(self, key: str) -> bool:
        """개인정보동의 / 제3자제공동의 read with the Y/N parser (O, 예, ✓, TRUE … count as Y)."""
        return is_yes(self.app[key])


@dataclass
class PairSet:
    pairs: list[Pair] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    #: 매칭ID → the row's status for every row with a usable, unique ID (any status)
    statuses: dict[str, str] = field(default_factory=dict)


def _index(table: Table, key: str) -> dict[str, Row]:
    """Rows by ``key``; a value that appears twice maps to nothing (ambiguous, never guessed)."""
    counts = Counter(r[key].strip() for r in table.data_rows())
    return {r[key].strip(): r for r in table.data_rows() if r[key].strip() and counts[r[key].strip()] == 1}


def _issue(row: Row, code: str, *, column: str, value: str, message: str, severity: Severity = ERROR) -> Issue:
    return Issue(
        code=code, row=row.number, column=column, value=value, message=message, severity=severity, tab=TABS.matches
    )


def collect_pairs(matches: Table, apps: Table, markets: Table, statuses: Iterable[str]) -> PairSet:
    """Every 매칭 row whose 상태 is in ``statuses``, joined — or an issue saying why not."""
    wanted = set(statuses)
    out = PairSet()
    ids = Counter(r["match_id"].strip() for r in matches.data_rows())
    app_by_id: Mapping[str, Row] = _index(apps, "application_id")
    market_by_code: Mapping[str, Row] = _index(markets, "market_code")
    for row in matches.data_rows():
        match_id, status = row["match_id"].strip(), row["status"].strip()
        if match_id and ids[match_id] == 1:
            out.statuses[match_id] = status
        if status not in wanted:
            continue
        if not match_id:
            out.issues.append(
                _issue(
                    row,
                    "match_id_missing",
                    column="매칭ID",
                    value="",
                    message=f"{status} 행에 매칭ID가 없어 협약서와 안내 메일을 만들지 않았습니다. "
                    "'onemarket validate'로 ID를 받거나 매칭 작업이 만든 행을 쓰세요.",
                )
            )
            continue
        if ids[match_id] > 1:
            out.issues.append(
                _issue(
                    row,
                    "duplicate_id",
                    column="매칭ID",
                    value=match_id,
                    message=f"중복 ID: 매칭ID '{match_id}'가 {ids[match_id]}개 행에 있습니다. 복사한 행을 지우세요. "
                    "그때까지 이 짝의 협약서와 안내 메일은 만들지 않습니다.",
                )
            )
            continue
        app = app_by_id.get(row["application_id"].strip())
        if app is None:
            out.issues.append(
                _issue(
                    row,
                    "application_missing",
                    column="신청ID",
                    value=row["application_id"].strip(),
                    message=f"{match_id}: 신청ID '{row['application_id'].strip()}'인 신청 행이 참여신청 탭에 없거나 "
                    "둘 이상입니다 (삭제·변경되었나요?). 협약서와 안내 메일을 만들지 않았습니다. 확인하세요.",
                )
            )
            continue
        market = market_by_code.get(row["market_code"].strip())
        if market is None:
            out.issues.append(
                _issue(
                    row,
                    "market_missing",
                    column="시장코드",
                    value=row["market_code"].strip(),
                    message=f"{match_id}: 시장코드 '{row['market_code'].strip()}'인 시장이 시장 탭에 없거나 둘 이상입니다 "
                    "(삭제·변경되었나요?). 협약서와 안내 메일을 만들지 않았습니다. 확인하세요.",
                )
            )
            continue
        out.pairs.append(Pair(row, app, market))
    return out


def pair_issue(
    pair: Pair, code: str, *, column: str, message: str, value: str = "", severity: Severity = WARNING
) -> Issue:
    """An issue about one pair (a warning unless said), addressed to its 매칭 row."""
    return _issue(pair.match, code, column=column, value=value, message=message, severity=severity)
