"""The notice e-mails' words: jinja2 templates in templates/mail/, filled from one confirmed pair.

HTML templates are autoescaped and every template uses StrictUndefined, so a cell holding
``<script>`` or ``{{ 7*7 }}`` arrives as literal text and a field the job does not supply is an
error at once, not a blank. Values pass the same cleaning as agreements (formulas left out,
주민등록번호 masked, long text cut). The organisation's contact reaches the market only with
제3자제공동의 = Y.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from automation.documents.context import FACILITATOR, Cleaned, market_programs, onnuri_thousand, org_programs
from automation.domain.outcome_tabs import activity_types
from automation.domain.pairs import Pair
from automation.mail.templates import Rendered, render_mail
from automation.parsers import parse_email, parse_phone

ROLES = ("org", "market")
TEMPLATE = "notice"
_COMMON = frozenset(
    {
        "agency",
        "reply_to",
        "match_id",
        "org_name",
        "org_type",
        "market_name",
        "org_programs",
        "market_programs",
        "attachment_name",
        "team_id",
        "partners",
    }
)
#: every field each role's templates may use (a test checks the templates against these)
MAIL_FIELDS = {
    "org": _COMMON | {"contact_name", "market_sigun", "market_address"},
    "market": _COMMON
    | {
        "association",
        "share_contact",
        "contact_name",
        "contact_title",
        "contact_phone",
        "contact_email",
        "outcomes_where",
        "activity_types",
    },
}


def render_notice(role: str, context: Mapping[str, object], folder: Path | None = None) -> Rendered:
    return render_mail(f"{TEMPLATE}_{role}", MAIL_FIELDS[role], context, folder)


def _common(c: Cleaned, attachment_name: str, reply_to: str) -> dict[str, object]:
    market_name = c.text("market", "market_name", "시장명", 80)
    return {
        "agency": FACILITATOR,
        "reply_to": reply_to,
        "match_id": c.pair.match_id,
        "org_name": c.text("app", "org_name", "기관명", 120),
        "org_type": c.text("app", "org_type", "기관유형", 20),
        "market_name": market_name,
        "org_programs": org_programs(c, market_name),
        "market_programs": market_programs(c, onnuri_thousand(c.pair) > 0),
        "attachment_name": attachment_name,
        # a notice of a team of several parties names every partner (see automation.notify.teams)
        "team_id": "",
        "partners": [],
    }


def _normalised(parsed_ok: bool, value: str) -> str:
    return value if parsed_ok else ""


def org_context(pair: Pair, attachment_name: str, reply_to: str) -> tuple[dict[str, object], Cleaned]:
    c = Cleaned(pair, to_market=False)  # the organisation's own words, back to it
    context = _common(c, attachment_name, reply_to)
    context.update(
        {
            "contact_name": c.text("app", "contact_name", "담당자명", 40),
            "market_sigun": c.text("market", "sigun", "시군", 20),
            "market_address": c.text("market", "road_address", "도로명주소", 120)
            or c.text("market", "lot_address", "지번주소", 120),
        }
    )
    return context, c


def market_context(
    pair: Pair, attachment_name: str, reply_to: str, outcomes_where: str
) -> tuple[dict[str, object], Cleaned]:
    c = Cleaned(pair)
    context = _common(c, attachment_name, reply_to)
    context.update(
        {
            "association": f"{context['market_name']} 상인회",
            "share_contact": pair.consent("third_party_consent"),
            **shared_contact(c),
            "outcomes_where": outcomes_where,
            "activity_types": activity_types(),
        }
    )
    return context, c


def shared_contact(c: Cleaned) -> dict[str, str]:
    """The organisation's contact as another party may see it: only under 제3자제공동의 = Y."""
    pair = c.pair
    if not pair.consent("third_party_consent"):
        return dict.fromkeys(("contact_name", "contact_title", "contact_phone", "contact_email"), "")
    phone, email = parse_phone(pair.app["phone"]), parse_email(pair.app["email"])
    return {
        "contact_name": c.text("app", "contact_name", "담당자명", 40),
        "contact_title": c.text("app", "contact_title", "담당자직위", 40),
        "contact_phone": _normalised(phone.ok, phone.value),
        "contact_email": _normalised(email.ok, email.value),
    }
