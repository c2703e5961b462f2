"""What goes into a team's agreement (templates/agreement_team.docx): every organisation as 갑, every
market's 상인회 as 을, 경기지방중소벤처기업청 as 입회, the team's 협력과제 by party, the date.

Values pass the same cleaning as a pair's agreement (:class:`~automation.documents.context.Cleaned`):
formulas left out, long text cut, and an organisation's personal data masked in text every party
reads when that organisation has not given 제3자제공동의.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from automation.documents.context import (
    FACILITATOR,
    SIGNED_DATE,
    TITLE,
    Cleaned,
    for_document,
    market_programs,
    onnuri_thousand,
    org_programs,
)
from automation.domain.pairs import Pair
from automation.parsers import parse_date
from automation.privacy import for_market
from automation.report import Issue
from automation.sheets.table import Row

#: every field templates/agreement_team.docx uses (a test keeps the two equal)
TEAM_FIELDS: frozenset[str] = frozenset(
    {
        "team_id",
        "round",
        "title",
        "shape",
        "org_parties",
        "market_parties",
        "purpose",
        "org_tasks",
        "market_tasks",
        "joint_tasks",
        "period",
        "facilitator",
        "signed_date",
        "copies",
        "parties",
    }
)
PARTY_WORDS = {"기관": "org_tasks", "시장": "market_tasks", "공동": "joint_tasks"}
FALLBACK = {
    "org_tasks": "기관의 여건에 맞게 전통시장 이용과 홍보에 협력합니다.",
    "market_tasks": "기관 임직원이 방문할 때 할인과 편의(안내·배송 등)를 제공합니다.",
    "joint_tasks": "협약 이행 상황을 함께 점검하고 우수사례를 발굴·공유합니다.",
}
#: 과제 in this 상태 are not written into the agreement
LEFT_OUT = "보류"


@dataclass(frozen=True)
class TeamInputs:
    """One team as the agreement sees it: its pairs (organisation × market, joined), its 과제 rows,
    its 협약 row's values and the date of signing (already decided)."""

    team_id: str
    round: str
    shape: str
    pairs: Sequence[Pair]
    tasks: Sequence[Row] = ()
    signed_on: str = ""  # YYYY-MM-DD from the team's 협약일 or its ceremony's 일시


def date_words(iso: str) -> str:
    """'2026-05-16' → '2026년 5월 16일'; blank or unreadable → the handwriting blank."""
    parsed = parse_date(iso) if iso.strip() else None
    if parsed is None or parsed.error or not parsed.value:
        return SIGNED_DATE
    year, month, day = parsed.value.split("-")
    return f"{int(year)}년 {int(month)}월 {int(day)}일"


def _distinct(pairs: Sequence[Pair], key: str) -> list[Pair]:
    seen: set[str] = set()
    out = []
    for pair in pairs:
        value = pair.app["application_id"].strip() if key == "app" else pair.market["market_code"].strip()
        if value not in seen:
            seen.add(value)
            out.append(pair)
    return out


def _labels(letter: str, n: int) -> list[str]:
    return [letter] if n == 1 else [f"{letter}{i}" for i in range(1, n + 1)]


def _parties_text(names: list[str], labels: list[str], letter: str) -> str:
    """'A(이하 “갑”)' or 'A(이하 “갑1”), B(이하 “갑2”)(이하 함께 “갑”)'."""
    parts = [f"{name}(이하 \u201c{label}\u201d)" for name, label in zip(names, labels, strict=True)]
    text = ", ".join(parts)
    return text if len(parts) == 1 else f"{text}(이하 함께 \u201c{letter}\u201d)"


def _task_line(task: Row, cleaners: Sequence[Cleaned]) -> str:
    title, _ = for_document(task["title"], 120)
    content, _ = for_document(task["content"])
    for c in cleaners:  # an organisation without 제3자제공동의: its people's details never reach the others
        if c.detector is not None:
            title = for_market(c.detector, "title", title)[0]
            content = for_market(c.detector, "content", content)[0]
    line = f"{title}: {content}" if content and content not in title else title or content
    start, due = task["start"].strip(), task["due"].strip()
    if start or due:
        line += f" ({start or '협약 체결일'} ~ {due or '협약 기간 끝'})"
    return line


def _tasks_by_party(tasks: Sequence[Row], cleaners: Sequence[Cleaned]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {key: [] for key in FALLBACK}
    for task in tasks:
        if task["status"].strip() == LEFT_OUT or not (task["title"].strip() or task["content"].strip()):
            continue
        out[PARTY_WORDS.get(task["party"].strip(), "joint_tasks")].append(_task_line(task, cleaners))
    return out


def _from_applications(orgs: list[Pair], markets: list[Pair], cleaners: dict[str, Cleaned]) -> dict[str, list[str]]:
    """A team without 과제: each organisation's application and each market's usual offers."""
    several_orgs, several_markets = len(orgs) > 1, len(markets) > 1
    names = "·".join(p.market["market_name"].strip() for p in markets)
    org_items: list[str] = []
    for pair in orgs:
        c = cleaners[pair.app["application_id"].strip()]
        prefix = f"({pair.app['org_name'].strip()}) " if several_orgs else ""
        org_items += [prefix + item for item in org_programs(c, names)]
    market_items: list[str] = []
    onnuri = any(onnuri_thousand(p) > 0 for p in orgs)
    for pair in markets:
        prefix = f"({pair.market['market_name'].strip()}) " if several_markets else ""
        market_items += [prefix + item for item in market_programs(Cleaned(pair), onnuri)]
    return {"org_tasks": org_items, "market_tasks": market_items, "joint_tasks": []}


def team_context(team: TeamInputs, *, period_months: int = 12) -> tuple[dict[str, object], list[Issue]]:
    orgs, markets = _distinct(team.pairs, "app"), _distinct(team.pairs, "market")
    cleaners = {p.app["application_id"].strip(): Cleaned(p) for p in orgs}
    org_labels, market_labels = _labels("갑", len(orgs)), _labels("을", len(markets))
    parties: list[dict[str, str]] = []
    for pair, label in zip(orgs, org_labels, strict=True):
        c = cleaners[pair.app["application_id"].strip()]
        parties.append(
            {
                "label": label,
                "name": c.text("app", "org_name", "기관명", 120),
                "title": "대표",
                "rep": c.text("app", "representative", "대표자", 60),
                "address": c.text("app", "address", "주소", 120),
            }
        )
    market_names = []
    market_cleaners = []
    for pair, label in zip(markets, market_labels, strict=True):
        c = Cleaned(pair)
        market_cleaners.append(c)
        name = c.text("market", "market_name", "시장명", 80) or c.text("match", "market_name", "시장명", 80)
        market_names.append(name)
        address = c.text("market", "road_address", "도로명주소", 120) or c.text(
            "market", "lot_address", "지번주소", 120
        )
        parties.append({"label": label, "name": f"{name} 상인회", "title": "회장", "rep": "", "address": address})
    purpose = ", ".join(
        f"{p.market['sigun'].strip()} {name}".strip() for p, name in zip(markets, market_names, strict=True)
    )
    tasks = (
        _tasks_by_party(team.tasks, list(cleaners.values()))
        if team.tasks
        else _from_applications(orgs, markets, cleaners)
    )
    context: dict[str, object] = {
        "team_id": team.team_id,
        "round": team.round,
        "title": TITLE,
        "shape": team.shape,
        "org_parties": _parties_text([p["name"] for p in parties[: len(orgs)]], org_labels, "갑"),
        "market_parties": _parties_text([f"{n} 상인회" for n in market_names], market_labels, "을"),
        "purpose": purpose,
        **{key: items or [FALLBACK[key]] for key, items in tasks.items()},
        "period": f"협약 체결일부터 {period_months}개월 (어느 쪽도 종료를 알리지 않으면 같은 기간으로 연장)",
        "facilitator": FACILITATOR,
        "signed_date": date_words(team.signed_on),
        "copies": str(len(parties) + 1),
        "parties": parties,
    }
    issues = [i for c in [*cleaners.values(), *market_cleaners] for i in c.issues]
    return context, issues
