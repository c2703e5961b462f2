"""The dashboard's facts, read from the master and outcome tables (see :mod:`.model`).

Every reader turns sheet rows into plain values; a cell that does not parse counts as blank (the
validation step reports it on its row). Free text copied to the dashboard (협약명, 우수사례후보)
goes through :func:`dashboard_text`: personal data masked, a formula-looking start left out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence

from automation.domain.outcome_records import OutcomeRecord
from automation.domain.status import USABLE
from automation.domain.teams import Team, ceremony_of, first_status, group, team_name
from automation.geo import SIGUN, normalize_sigun, parse_address
from automation.parsers import (
    clean_text,
    is_yes,
    parse_date,
    parse_datetime,
    parse_enum,
    parse_int,
    parse_yn,
    thousands,
)
from automation.parsers.base import neutralise_formula
from automation.privacy import Detector, cut
from automation.sheets.table import Table
from automation.summary.model import (
    FIELDS,
    ORG_TYPES,
    OTHER_SIGUN,
    TASK_STATES,
    UNKNOWN_TYPE,
    AppFacts,
    BestCase,
    CeremonyFacts,
    OutcomeFacts,
    PairFacts,
    TaskFacts,
    TeamFacts,
)

CONTENT_LIMIT = 200
NOT_CHOSEN = frozenset({"없음", "해당없음", "미정", "-", "—", "x"})
FORMULA_LEFT_OUT = "(수식처럼 보여 뺐습니다)"
Scrub = Callable[[str], str]


def _sigun(text: str) -> str:
    name = normalize_sigun(text)
    return name if name in SIGUN else OTHER_SIGUN


def _applicant_sigun(wish: str, address: str) -> str:
    found = _sigun(wish)
    if found == OTHER_SIGUN:
        parsed = parse_address(address).sigun
        found = parsed if parsed in SIGUN else OTHER_SIGUN
    return found


def _chosen_text(text: str) -> bool:
    shown = clean_text(text)
    if not shown or shown.casefold() in NOT_CHOSEN:
        return False
    parsed = parse_yn(shown)
    return not (parsed.ok and parsed.value == "N")


def _day(text: str) -> dt.date | None:
    parsed = parse_date(text)
    return dt.date.fromisoformat(parsed.value) if parsed.ok and parsed.value else None


def _int(text: str) -> int | None:
    parsed = parse_int(text)
    return int(parsed.value) if parsed.ok and parsed.value else None


def app_facts(apps: Table) -> list[AppFacts]:
    out = []
    for row in apps.data_rows():
        kind = parse_enum(row["org_type"], ORG_TYPES)
        pledge = thousands(row["onnuri_thousand_won"])
        chosen = {
            "전통시장가는날": is_yes(row["market_day"]),
            "물품구매": is_yes(row["purchase"]),
            "온누리상품권": pledge > 0,
            "특화프로그램": _chosen_text(row["special_program"]),
            "기타협력": _chosen_text(row["other_cooperation"]),
        }
        out.append(
            AppFacts(
                app_id=row["application_id"].strip() or f"#행{row.number}",  # an ID-less row joins nothing
                valid=row["validation_result"].strip() in USABLE,
                sigun=_applicant_sigun(row["wish_region"], row["address"]),
                org_type=kind.value if kind.ok and kind.value else UNKNOWN_TYPE,
                fields=frozenset(f for f in FIELDS if chosen[f]),
                pledge_thousand=pledge,
            )
        )
    return out


def _unique(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """key → value for keys that occur once (an ambiguous key maps to nothing)."""
    counts = Counter(k for k, _ in pairs)
    return {k: v for k, v in pairs if k and counts[k] == 1}


def market_sigun(markets: Table) -> tuple[dict[str, str], dict[str, str]]:
    """(시장코드 → 시군, 시장명 → 시군), unambiguous entries only."""
    rows = markets.data_rows()
    by_code = _unique([(r["market_code"].strip(), _sigun(r["sigun"])) for r in rows])
    by_name = _unique([(clean_text(r["market_name"]), _sigun(r["sigun"])) for r in rows])
    return by_code, by_name


def pair_facts(matches: Table, by_code: dict[str, str]) -> list[PairFacts]:
    return [
        PairFacts(
            match_id=row["match_id"].strip(),
            app_id=row["application_id"].strip(),
            round=_int(row["round"]),
            status=row["status"].strip(),
            market_sigun=by_code.get(row["market_code"].strip(), OTHER_SIGUN),
        )
        for row in matches.data_rows()
    ]


def _ceremony_days(ceremonies: Table | None) -> dict[int, dt.date]:
    out: dict[int, dt.date] = {}
    for row in ceremonies.data_rows() if ceremonies is not None else ():
        number, held = _int(row["round"]), parse_datetime(row["held_at"])
        if number is not None and held.ok and held.value:
            out.setdefault(number, dt.date.fromisoformat(held.value[:10]))
    return out


def ceremony_facts(ceremonies: Table | None, scrub: Scrub) -> list[CeremonyFacts]:
    out = []
    for row in ceremonies.data_rows() if ceremonies is not None else ():
        number = _int(row["round"])
        if number is not None:
            out.append(CeremonyFacts(number, clean_text(row["held_at"]), scrub(row["place"])))
    return out


def _team(team: Team, by_code: dict[str, str], scrub: Scrub, days: dict[int, dt.date]) -> TeamFacts:
    row = team.row
    ceremony = _int(ceremony_of(team))
    status = row["status"].strip() if row is not None else ""
    if status not in ("준비", "협약체결", "종료"):
        status = str(first_status(team))
    typed = scrub(row["name"]) if row is not None else ""
    signed_on = _day(row["signed_on"]) if row is not None else None
    markets = tuple(m.market_code or m.market for m in team.markets)
    return TeamFacts(
        team_id=team.team_id,
        name=typed or scrub(team_name(team)),
        ceremony=ceremony,
        status=status,
        signed_on=signed_on or (days.get(ceremony) if ceremony is not None else None),
        orgs=tuple(m.app_id for m in team.orgs),
        markets=markets,
        market_siguns=tuple(by_code.get(code, OTHER_SIGUN) for code in markets),
        match_ids=tuple(m.match_id for m in team.members),
    )


def team_facts(
    matches: Table, teams: Table | None, ceremonies: Table | None, by_code: dict[str, str], scrub: Scrub
) -> list[TeamFacts]:
    """Teams with at least one 확정 pair; a pair without 협약ID (the teams step has not run yet)
    counts as a one-pair team named by its 매칭ID, in its own 차수."""
    grouping = group(matches, teams)
    days = _ceremony_days(ceremonies)
    out = [_team(t, by_code, scrub, days) for t in grouping.teams.values() if t.members]
    for member in grouping.singles:
        single = Team(member.match_id, [member])
        facts = _team(single, by_code, scrub, days)
        round_ = _int(member.round)
        out.append(
            TeamFacts(**{**facts.__dict__, "ceremony": round_, "signed_on": days.get(round_) if round_ else None})
        )
    return out


def task_facts(tasks: Table | None, scrub: Scrub = clean_text) -> list[TaskFacts]:
    out = []
    for row in tasks.data_rows() if tasks is not None else ():
        status = row["status"].strip()
        out.append(
            TaskFacts(
                task_id=row["task_id"].strip(),
                team_id=row["team_id"].strip(),
                field=row["field"].strip(),
                status=status if status in TASK_STATES else TASK_STATES[0],
                title=scrub(row["title"]),
                party=row["party"].strip(),
            )
        )
    return out


def outcome_facts(
    records: Sequence[OutcomeRecord], pairs: Sequence[PairFacts], teams: Sequence[TeamFacts], by_name: dict[str, str]
) -> list[OutcomeFacts]:
    by_match: dict[str, str] = {}
    for p in pairs:
        by_match.setdefault(p.match_id, p.market_sigun)
    team_of = {m: t.team_id for t in teams for m in t.match_ids if m}
    known = {t.team_id for t in teams}
    return [
        OutcomeFacts(
            r.match_id,
            r.team_id if r.team_id in known else team_of.get(r.match_id, ""),
            by_match.get(r.match_id) or by_name.get(r.market_name, OTHER_SIGUN),
            r.activity_date,
            r.participants,
            r.purchase_won,
            r.onnuri_won,
        )
        for r in records
    ]


def best_cases(records: Sequence[OutcomeRecord], scrub: Scrub) -> list[BestCase]:
    return [
        BestCase(
            r.match_id,
            scrub(r.market_name),
            scrub(r.org_name),
            r.activity_date,
            scrub(r.activity_type),
            cut(scrub(r.content), CONTENT_LIMIT),
            r.participants,
            r.purchase_won,
            r.onnuri_won,
            scrub(r.evidence_link),
            r.publish,
            r.photo,
        )
        for r in records
        if r.best_practice
    ]


def dashboard_text(detector: Detector) -> Scrub:
    """Text for a dashboard cell: personal data masked, a formula-looking start neutralised."""

    def text(value: str) -> str:
        shown, note = neutralise_formula(detector(clean_text(value)))
        return FORMULA_LEFT_OUT if note == "formula" else shown

    return text


def name_cells(apps: Table, markets: Table) -> list[str]:
    """Every cell that names a person: 대표자, 담당자명, 상인회담당자."""
    return [r[k] for r in apps.data_rows() for k in ("representative", "contact_name")] + [
        r["association_contact"] for r in markets.data_rows()
    ]
