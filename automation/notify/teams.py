"""Notices per team: in a team of several parties each organisation and each market gets ONE notice
that names all its partners, with the team's agreement attached.

The notice of an organisation is the one of its first pair in the team (sheet order; its lead),
and likewise for a market, so the mail journal keeps its key (매칭ID, role) and a notice sent
before the pairs were grouped is never sent again. The other pairs of that organisation (or
market) in the team send nothing; their 기관안내/시장안내 cell says which notice holds them.
Contacts of an organisation reach the other parties only under its 제3자제공동의 = Y.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from automation.documents.context import Cleaned
from automation.domain.pairs import Pair
from automation.domain.teams import group
from automation.notify.notices import shared_contact
from automation.sheets.table import Table

ORG, MARKET = "org", "market"


@dataclass(frozen=True)
class TeamNotice:
    """What one pair's notices are in its team: whose notice covers it, and who the partners are."""

    team_id: str
    #: role → the 매칭ID whose notice covers this pair's organisation (org) or market (market)
    leads: dict[str, str] = field(default_factory=dict)
    #: role → the partners that role's notice lists (everyone in the team but the recipient)
    partners: dict[str, list[dict[str, str]]] = field(default_factory=dict)


def _org_entry(pair: Pair) -> dict[str, str]:
    c = Cleaned(pair)  # what another party reads: masked where the organisation gave no consent
    contact = shared_contact(c)
    who = " ".join(x for x in (contact["contact_name"], contact["contact_title"]) if x)
    detail = " · ".join(x for x in (who, contact["contact_phone"], contact["contact_email"]) if x)
    return {"kind": "기관", "name": c.text("app", "org_name", "기관명", 120), "detail": detail}


def _market_entry(pair: Pair) -> dict[str, str]:
    c = Cleaned(pair)
    name = c.text("market", "market_name", "시장명", 80) or c.text("match", "market_name", "시장명", 80)
    where = c.text("market", "road_address", "도로명주소", 120) or c.text("market", "sigun", "시군", 20)
    return {"kind": "시장", "name": name, "detail": where}


def team_notices(matches: Table, teams: Table | None, pairs: list[Pair]) -> dict[str, TeamNotice]:
    """매칭ID → its place in a team of several parties (pairs of one-pair teams are not listed)."""
    if teams is None or "team_id" not in matches.header.positions:
        return {}
    by_id = {p.match_id: p for p in pairs}
    out: dict[str, TeamNotice] = {}
    for team in group(matches, teams).teams.values():
        members = [by_id[m.match_id] for m in team.members if m.match_id in by_id]
        if len(members) < 2 or team.held:
            continue
        org_lead: dict[str, Pair] = {}
        market_lead: dict[str, Pair] = {}
        for p in members:
            org_lead.setdefault(p.app["application_id"].strip(), p)
            market_lead.setdefault(p.market["market_code"].strip(), p)
        orgs = {k: _org_entry(p) for k, p in org_lead.items()}
        markets = {k: _market_entry(p) for k, p in market_lead.items()}
        for p in members:
            app, code = p.app["application_id"].strip(), p.market["market_code"].strip()
            out[p.match_id] = TeamNotice(
                team.team_id,
                {ORG: org_lead[app].match_id, MARKET: market_lead[code].match_id},
                {
                    ORG: [e for k, e in orgs.items() if k != app] + list(markets.values()),
                    MARKET: list(orgs.values()) + [e for k, e in markets.items() if k != code],
                },
            )
    return out


def covered_label(notice: TeamNotice, role: str) -> str:
    """기관안내/시장안내 of a pair whose notice is another pair's (same party, same team)."""
    return f"협약 {notice.team_id} 안내에 포함 ({notice.leads[role]})"
