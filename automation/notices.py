"""The notice e-mails' words: jinja2 templates in templates/mail/, filled from one confirmed pair.

HTML templates are autoescaped and every template uses StrictUndefined, so a cell holding
``<script>`` or ``{{ 7*7 }}`` arrives as literal text and a field the job does not supply is an
error at once, not a blank. Values pass the same cleaning as agreements (formulas left out,
주민등록번호 masked, long text cut). The organisation's contact reaches the market only with
제3자제공동의 = Y.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2

from automation.config import Config
from automation.documents.context import FACILITATOR, Cleaned, market_programs, onnuri_thousand, org_programs
from automation.errors import TemplateError
from automation.pairs import Pair
from automation.parsers import parse_email, parse_phone
from automation.parsers_base import josa

ROLES = ("org", "market")
TEMPLATE = "notice"
ACTIVITY_TYPES = "전통시장가는날·물품구매·온누리상품권구매·벽화·환경개선·SNS홍보·안전점검·온라인입점·행사협력·할인혜택·기타"
_COMMON = frozenset({"agency", "reply_to", "match_id", "org_name", "org_type", "market_name", "org_programs",
                     "market_programs", "attachment_name"})
#: every field each role's templates may use (a test checks the templates against these)
MAIL_FIELDS = {
    "org": _COMMON | {"contact_name", "market_sigun", "market_address"},
    "market": _COMMON | {"association", "share_contact", "contact_name", "contact_title", "contact_phone",
                         "contact_email", "outcomes_where", "activity_types"},
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def mail_template_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data" / "templates" / "mail", here.parent / "templates" / "mail"):
        if candidate.is_dir():
            return candidate
    raise TemplateError("메일 양식 폴더(templates/mail)를 찾을 수 없습니다. 설치가 손상되었으니 다시 설치하세요.")


@lru_cache(maxsize=4)
def _env(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        autoescape=lambda name: name is not None and ".html" in name,
        keep_trailing_newline=True,
    )
    # {{ market_name|josa("과") }} → "못골시장과", "경기상회와": the particle that fits the word
    env.filters["josa"] = lambda word, particle: f"{word}{josa(str(word), particle)}"
    return env


def render_notice(role: str, context: Mapping[str, object], folder: Path | None = None) -> Rendered:
    return render_mail(f"{TEMPLATE}_{role}", MAIL_FIELDS[role], context, folder)


def render_mail(stem: str, fields: frozenset[str], context: Mapping[str, object], folder: Path | None = None
                ) -> Rendered:
    """``templates/mail/{stem}.subject.j2``, ``.txt.j2`` and ``.html.j2`` filled from ``context``."""
    env = _env(folder or mail_template_dir())
    parts = []
    for kind in ("subject", "txt", "html"):
        name = f"{stem}.{kind}.j2"
        try:
            parts.append(env.get_template(name).render(**context, subject=""))
        except jinja2.UndefinedError as exc:
            raise TemplateError(f"메일 양식 {name}이(가) 작업이 채울 수 없는 필드를 씁니다 ({exc.message}). "
                                f"쓸 수 있는 필드: {', '.join(sorted(fields))}.") from exc
        except jinja2.TemplateError as exc:
            raise TemplateError(f"메일 양식 {name}을(를) 읽을 수 없습니다: {exc}. 양식을 고치세요.") from exc
    subject, text, html = parts
    return Rendered(" ".join(subject.split()), text, html)


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
    }


def _normalised(parsed_ok: bool, value: str) -> str:
    return value if parsed_ok else ""


def org_context(pair: Pair, attachment_name: str, reply_to: str) -> tuple[dict[str, object], Cleaned]:
    c = Cleaned(pair, to_market=False)     # the organisation's own words, back to it
    context = _common(c, attachment_name, reply_to)
    context.update({
        "contact_name": c.text("app", "contact_name", "담당자명", 40),
        "market_sigun": c.text("market", "sigun", "시군", 20),
        "market_address": c.text("market", "road_address", "도로명주소", 120)
        or c.text("market", "lot_address", "지번주소", 120),
    })
    return context, c


def market_context(pair: Pair, attachment_name: str, reply_to: str, outcomes_where: str
                   ) -> tuple[dict[str, object], Cleaned]:
    c = Cleaned(pair)
    context = _common(c, attachment_name, reply_to)
    share = pair.consent("third_party_consent")
    phone, email = parse_phone(pair.app["phone"]), parse_email(pair.app["email"])
    context.update({
        "association": f"{context['market_name']} 상인회",
        "share_contact": share,
        "contact_name": c.text("app", "contact_name", "담당자명", 40) if share else "",
        "contact_title": c.text("app", "contact_title", "담당자직위", 40) if share else "",
        "contact_phone": _normalised(phone.ok, phone.value) if share else "",
        "contact_email": _normalised(email.ok, email.value) if share else "",
        "outcomes_where": outcomes_where,
        "activity_types": ACTIVITY_TYPES,
    })
    return context, c


def outcomes_where(config: Config) -> str:
    """Where a market records outcomes, in words for the notice."""
    if config.backend == "google":
        return f"성과보고 시트(https://docs.google.com/spreadsheets/d/{config.workbooks['outcomes']}/edit)"
    return "경기중기청 담당자가 따로 보내 드리는 성과보고 파일"
