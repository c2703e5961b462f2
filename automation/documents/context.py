"""What goes into an agreement (업무협약서): plain strings and lists built from one confirmed pair.

Every value from a cell passes :func:`for_document` first: cleaned to one line, 주민등록번호-like
runs masked, a formula-looking cell left out (with a warning), very long text cut with a marker.
The template itself decides the wording around these values (templates/agreement.docx).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from automation.domain.pairs import Pair, pair_issue
from automation.parsers import is_yes, thousands
from automation.parsers.base import clean_text, josa, mask_rrn, neutralise_formula
from automation.privacy import MASK, Detector, consent_detector, for_market, kinds_text
from automation.report import Issue
from automation.schema import default_schemas

FACILITATOR = "경기지방중소벤처기업청"
TITLE = "전통시장 활성화를 위한 업무협약서"
SIGNED_DATE = "20    년    월    일"
LIMIT = 300  # characters of one free-text field in a document or an e-mail
CUT_MARK = " …(이하 생략)"


@dataclass
class Cleaned:
    """Values taken from cells for a document or a message, and what was left out on the way.

    ``to_market``: the text reaches the market (the agreement, the market's notice). Then, for a pair
    without 제3자제공동의 = Y, every contact detail of the organisation's people found in the
    application's cells — phones, e-mails, 사업자등록번호, 주민등록번호, the names of its 대표자 and
    담당자 in free text — is replaced by ``[개인정보 가림]``, and a warning says so on the pair.
    """

    pair: Pair
    issues: list[Issue] = field(default_factory=list)
    to_market: bool = True
    detector: Detector | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.to_market and not self.pair.consent("third_party_consent"):
            self.detector = consent_detector(self.pair.app)

    def text(self, row: str, key: str, column: str, limit: int = LIMIT) -> str:
        source = self.pair.app if row == "app" else self.pair.market if row == "market" else self.pair.match
        value, note = for_document(source[key], limit)
        if note:
            self.issues.append(
                pair_issue(self.pair, f"document_{note}", column=column, message=_NOTES[note].format(column=column))
            )
        if row == "app" and self.detector is not None:
            value = self._consent_masked(self.detector, key, column, value)
        return value

    def _consent_masked(self, detector: Detector, key: str, column: str, value: str) -> str:
        masked, counts = for_market(detector, key, value)
        if counts:
            self.issues.append(
                pair_issue(
                    self.pair,
                    "consent_masked",
                    column=column,
                    message=f"{column}: 제3자제공동의가 Y가 아니어서 시장에 가는 협약서·안내 메일에서 "
                    f"{kinds_text(counts)}을 {MASK}으로 바꿨습니다.",
                )
            )
        return masked


_NOTES = {
    "formula": "{column} 칸이 수식처럼 보여(=, +, -, @로 시작) 협약서와 안내 메일에 넣지 않았습니다. 글자로 고쳐 적으세요.",
    "truncated": f"{{column}} 칸이 길어 협약서와 안내 메일에는 앞 {LIMIT}자만 넣었습니다.",
}


def for_document(value: str, limit: int = LIMIT) -> tuple[str, str]:
    """One cell as safe text for a document or an e-mail, and a note: '', 'formula' or 'truncated'
    (a list item ``- 벽화`` becomes ``• 벽화``: see :func:`automation.parsers.base.neutralise_formula`)."""
    text, note = neutralise_formula(mask_rrn(clean_text(value)))
    if note == "formula":
        return "", "formula"
    if len(text) > limit:
        return text[:limit].rstrip() + CUT_MARK, "truncated"
    return text, ""


def manwon(thousand: int) -> str:
    """Thousands of won in words people use: 1200 → '120만 원', 150000 → '1억 5,000만 원'."""
    won = thousand * 1000
    eok, rest = divmod(won, 100_000_000)
    man = rest // 10_000
    parts = ([f"{eok:,}억"] if eok else []) + ([f"{man:,}만"] if man else [])
    return (" ".join(parts) or f"{won:,}") + " 원"


def onnuri_thousand(pair: Pair) -> int:
    return thousands(pair.app["onnuri_thousand_won"])


def _yes(pair: Pair, key: str) -> bool:
    return is_yes(pair.app[key])


def org_programs(c: Cleaned, market_name: str) -> list[str]:
    """The organisation's side, from the application (전통시장가는날, 물품구매, 온누리상품권, 특화, 기타)."""
    pair, items = c.pair, []
    if _yes(pair, "market_day"):
        items.append(
            f"전통시장 가는 날: 임직원이 정기적으로 {market_name}{josa(market_name, '을')} 방문해 장보기와 식사를 합니다."
        )
    if _yes(pair, "purchase"):
        items.append(f"물품 구매: 기관의 행사·명절 물품을 {market_name}에서 구매합니다.")
    amount = onnuri_thousand(pair)
    if amount:
        items.append(f"온누리상품권 구매: 연 {amount:,}천원({manwon(amount)}) 규모로 구매합니다.")
    special = c.text("app", "special_program", "특화프로그램")
    if special:
        items.append(f"특화프로그램: {special}")
    other = c.text("app", "other_cooperation", "기타협력")
    if other:
        items.append(f"기타 협력: {other}")
    return items or ["기관의 여건에 맞게 전통시장 이용과 홍보에 협력합니다."]


def market_programs(c: Cleaned, onnuri: bool) -> list[str]:
    """The market's side: the program's usual offers, shaped by the market's spaces and vouchers."""
    items = ["기관 임직원이 방문할 때 할인과 편의(안내·배송 등)를 제공합니다."]
    spaces = [
        s
        for s in (c.text("market", "idle_space", "유휴공간", 60), c.text("market", "culture_space", "문화공간", 60))
        if s and s.upper() not in ("N", "없음", "-")
    ]
    if spaces:
        items.append(f"기관의 홍보·전시와 공동 행사를 위해 시장의 공간({', '.join(spaces)})을 제공합니다.")
    else:
        items.append("기관의 홍보물을 전시할 공간을 마련하고 공동 행사에 협력합니다.")
    items.append("기관과 함께하는 행사·봉사 활동과 시장 홍보에 협력합니다.")
    if onnuri:
        items.append("온누리상품권을 쓸 수 있는 점포를 안내합니다.")
    return items


def agreement_context(
    pair: Pair, *, period_months: int = 12, round_: str | None = None, signed_date: str = SIGNED_DATE
) -> tuple[dict[str, object], list[Issue]]:
    """The template's fields (see ``AGREEMENT_FIELDS``) for one pair, and warnings about left-out cells.
    ``round_`` and ``signed_date`` come from the pair's team when it has one (its 차수, its 협약일)."""
    c = Cleaned(pair)
    market_name = c.text("market", "market_name", "시장명", 80) or c.text("match", "market_name", "시장명", 80)
    address = c.text("market", "road_address", "도로명주소", 120) or c.text("market", "lot_address", "지번주소", 120)
    context: dict[str, object] = {
        "match_id": pair.match_id,
        "round": c.text("match", "round", "차수", 10) if round_ is None else round_,
        "title": TITLE,
        "org_name": c.text("app", "org_name", "기관명", 120),
        "org_rep": c.text("app", "representative", "대표자", 60),
        "org_address": c.text("app", "address", "주소", 120),
        "org_type": c.text("app", "org_type", "기관유형", 20),
        "market_name": market_name,
        "market_association": f"{market_name} 상인회",
        "market_sigun": c.text("market", "sigun", "시군", 20),
        "market_address": address,
        "org_programs": org_programs(c, market_name),
        "market_programs": market_programs(c, onnuri_thousand(pair) > 0),
        "period": f"협약 체결일부터 {period_months}개월 (어느 쪽도 종료를 알리지 않으면 같은 기간으로 연장)",
        "facilitator": FACILITATOR,
        "signed_date": signed_date,
    }
    return context, c.issues


#: cells an agreement cannot do without (the step waits for staff to fill them)
REQUIRED = (("app", "org_name"), ("app", "address"), ("market", "market_name"))


def missing_required(pair: Pair) -> list[str]:
    """'참여신청.주소'-style names of required cells that are empty for this pair."""
    out = []
    for row, key in REQUIRED:
        source = pair.app if row == "app" else pair.market
        if not clean_text(source[key]):
            schema = default_schemas().applications if row == "app" else default_schemas().markets
            out.append(f"{schema.name}.{schema.column(key).header}")
    return out
