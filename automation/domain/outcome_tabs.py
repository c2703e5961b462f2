"""Where markets record outcomes: one tab per partnered market in the outcomes file.

Google Sheets grants rights per file, so every market shares the outcomes file; what keeps a
market to its own rows is a tab of its own (``성과_못골시장``) protected so that only that market's
상인회이메일 (plus the service account, the owner and the staff in ``[outcomes] editors``) can edit
it. Each market tab has the 성과보고 columns; the staff's own ``성과보고`` tab stays for outcomes
reported by phone or mail. A tab is found again by its title, derived from the market's name
(and 시군 when two markets share a name, and 시장코드 when they share the 시군 too), never by position.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable

from automation.config import Config
from automation.domain.status import PARTNERED
from automation.parsers.base import clean_text
from automation.schema import TABS, SchemaSet, TabSchema
from automation.sheets.table import Row, Table

PREFIX = "성과_"
MAX_TITLE = 31  # Excel's limit (Google allows 100): the stricter one wins
_FORBIDDEN = re.compile(r"[\[\]:*?/\\']")


def is_market_tab(title: str) -> bool:
    return title.startswith(PREFIX)


def tab_title(name: str, sigun: str = "") -> str:
    """``성과_못골시장`` or, when the name alone is ambiguous, ``성과_중앙시장(안양시)``; ≤ 31 characters."""
    body = _FORBIDDEN.sub("_", clean_text(name)) or "이름없음"
    suffix = f"({_FORBIDDEN.sub('_', clean_text(sigun))})" if sigun else ""
    room = MAX_TITLE - len(PREFIX) - len(suffix)
    return PREFIX + body[:room] + suffix


def market_titles(markets: Table) -> dict[str, str]:
    """시장코드 → tab title for every market with a code, one title per market: the name; with its 시군
    when two markets share the name; with its 시장코드 when they share the 시군 too (or when two
    titles would still be equal once cut to 31 characters)."""
    rows = [r for r in markets.data_rows() if r["market_code"].strip()]
    names = Counter(clean_text(r["market_name"]) for r in rows)
    places = Counter((clean_text(r["market_name"]), clean_text(r["sigun"])) for r in rows)
    titles: dict[str, str] = {}
    for r in rows:
        code, name, sigun = r["market_code"].strip(), clean_text(r["market_name"]), clean_text(r["sigun"])
        if names[name] == 1:
            titles[code] = tab_title(name)
        elif places[(name, sigun)] == 1 and sigun:
            titles[code] = tab_title(name, sigun)
        else:
            titles[code] = tab_title(name, code)
    clashes = Counter(titles.values())
    for r in rows:
        code = r["market_code"].strip()
        if clashes[titles[code]] > 1:
            titles[code] = tab_title(clean_text(r["market_name"]), code)
    return titles


def pairs_by_market(matches: Table, statuses: Iterable[str] = PARTNERED) -> dict[str, list[Row]]:
    """시장코드 → its partnered 매칭 rows (확정, 협약체결, 종료)."""
    wanted = set(statuses)
    out: dict[str, list[Row]] = {}
    for r in matches.data_rows():
        if r["status"].strip() in wanted and r["market_code"].strip() and r["match_id"].strip():
            out.setdefault(r["market_code"].strip(), []).append(r)
    return out


def teams_by_market(matches: Table, statuses: Iterable[str] = PARTNERED) -> dict[str, set[str]]:
    """시장코드 → the 협약IDs of the teams it is in (from 매칭's 협약ID)."""
    out: dict[str, set[str]] = {}
    for code, rows in pairs_by_market(matches, statuses).items():
        out[code] = {r["team_id"].strip() for r in rows if r["team_id"].strip()}
    return out


def owned_match_ids(matches: Table) -> dict[str, set[str]]:
    """시장코드 → the 매칭IDs its outcome tab may name: its own pairs and every pair of its teams
    (an activity of a 2사-2시장 team may be recorded against any of the team's pairs)."""
    pairs = pairs_by_market(matches)
    team_pairs: dict[str, set[str]] = {}
    for rows in pairs.values():
        for r in rows:
            if r["team_id"].strip():
                team_pairs.setdefault(r["team_id"].strip(), set()).add(r["match_id"].strip())
    out: dict[str, set[str]] = {}
    for code, rows in pairs.items():
        owned = {r["match_id"].strip() for r in rows}
        for r in rows:
            owned |= team_pairs.get(r["team_id"].strip(), set())
        out[code] = owned
    return out


def tab_schema(schemas: SchemaSet, title: str) -> TabSchema:
    """The 성과보고 schema under a market tab's title."""
    return dataclasses.replace(schemas[TABS.outcomes], name=title)


def outcome_tab_titles(all_titles: Iterable[str]) -> list[str]:
    """성과보고 first, then every market tab, in the file's order."""
    titles = list(all_titles)
    return ([TABS.outcomes] if TABS.outcomes in titles else []) + [t for t in titles if is_market_tab(t)]


def activity_types(schemas: SchemaSet | None = None) -> str:
    """The 활동유형 values from the schema, for a notice: '전통시장가는날, 물품구매, …, 벽화·환경개선, …'
    (joined with ', ' since one value holds a '·')."""
    from automation.schema import default_schemas

    return ", ".join((schemas or default_schemas())[TABS.outcomes].column("activity_type").enum)


def outcomes_where(config: Config) -> str:
    """Where a market records outcomes, in words for the notice."""
    if config.backend == "google":
        return f"성과보고 시트(https://docs.google.com/spreadsheets/d/{config.workbooks['outcomes']}/edit)"
    return "경기중기청 담당자가 따로 보내 드리는 성과보고 파일"
