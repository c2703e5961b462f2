"""Cell-value parsing, part 2: amounts of money (원 / 천원) and plain numbers.

Amounts: ``1,000`` · ``1200원`` · ``₩12,000`` (``￦``, and ``\\`` — the won sign of Korean fonts) ·
``120만원`` · ``3천만원`` · ``백만원`` · ``1억 2천만원`` · ``1만5천원`` · ``1.5억`` · ``12,000천원`` · full-width
digits. A number **without** any unit (no 원/₩/천/만/억/조) is in the column's own unit; a number
**with** a unit is an amount in won and is converted to the column unit: ``100만원`` in the 천원
column → ``1000``; ``12,000천원`` → 12,000,000 won → ``12000000`` (원) / ``12000`` (천원).
Output is digits only. Errors: negative (``-500``, ``(500)``, ``△500``), ``nan``/``inf``,
scientific notation, text, a result that is not a whole number in the column unit, a 억 followed
by a bare 천/number without 만 (``1억2천``: 1억 2천만? — ambiguous), more than 10조 won.
"""

from __future__ import annotations

import re
from fractions import Fraction

from automation.parsers.base import Parsed, clean_text, fail, quote

_MAX_WON = 10**13
_SMALL = {"": 1, "십": 10, "백": 100, "천": 1000}
_BIG = {"만": 10**4, "억": 10**8, "조": 10**12}
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_TOKEN = re.compile(rf"(?P<num>{_NUM})?(?P<small>[십백천])?(?P<big>[만억조])?")
_SCIENTIFIC = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)e[+-]?\d+")
_NEGATIVE = ("-", "−", "–", "—", "‐", "△", "▲")
_CURRENCY_PREFIX = ("₩", "\\", "krw")
_CURRENCY_SUFFIX = ("원", "krw")
_YEARLY = ("연간", "연")  # the 신청서 asks "온누리상품권 구매 연 ___천원"
_DOT_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")


def _common_errors(shown: str, body: str, code: str, example: str) -> Parsed | None:
    """The checks shared by every number type; ``body`` is casefolded with spaces removed."""
    if re.search(r"nan|inf|#", body):
        return fail(
            f"{code}_invalid", f"{quote(shown)} 숫자가 아닙니다 (계산 오류나 빈 값). 숫자로 적으세요 (예: {example})"
        )
    if _SCIENTIFIC.fullmatch(body):
        return fail(f"{code}_scientific", f"{quote(shown)} 지수 표기입니다. 숫자를 모두 적으세요 (예: 1e5 → 100000)")
    if body.startswith(_NEGATIVE) or (body.startswith("(") and body.endswith(")")):
        return fail(f"{code}_negative", f"{quote(shown)} 음수입니다. 0 이상의 값을 적으세요 (예: {example})")
    if _DOT_THOUSANDS.fullmatch(body):
        return fail(
            f"{code}_dot_grouping",
            f"{quote(shown)} 마침표로 자리를 나눈 것인지 소수점인지 알 수 없습니다. 쉼표를 쓰거나 붙여 적으세요 (예: 1,000 또는 1000)",
        )
    return None


def _korean_amount(body: str) -> Fraction | None:
    """'1억2천만' → 120000000; None when the text is not an amount (or ambiguous: see module)."""
    total = Fraction(0)
    block: Fraction | None = None  # small-unit sum waiting for a big unit
    last_big = 10**16
    last_small = 10**4
    pos = 0
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if m is None or m.end() == pos:
            return None
        num, small, big = m.group("num"), m.group("small") or "", m.group("big")
        if num is None and not small and not big:
            return None
        if num is not None or small:
            unit = _SMALL[small]
            if unit >= last_small:  # '5백3천', '12 3' — units must decrease
                return None
            last_small = unit
            block = (block or 0) + Fraction(num.replace(",", "") if num else 1) * unit
        if big:
            mult = _BIG[big]
            if mult >= last_big:
                return None
            total += (1 if block is None else block) * mult
            block, last_big, last_small = None, mult, 10**4
        pos = m.end()
    if block is not None and last_big > _BIG["만"] and last_big != 10**16:
        return None  # '1억2천', '1억 5000': 만 missing after 억/조 — 1억 2천만 or 1억 2천?
    return total + (block or 0)


def _krw(text: str, thousand: bool) -> Parsed:
    shown = clean_text(text)
    if not shown:
        return Parsed("")
    example = "1200 (=120만원)" if thousand else "12000 또는 120만원"
    body = "".join(shown.split()).casefold()
    common = _common_errors(shown, body, "krw", example)
    if common is not None:
        return common
    has_unit = False
    body = next((body[len(y) :] for y in _YEARLY if body.startswith(y) and body[len(y) : len(y) + 1].isdigit()), body)
    for prefix in _CURRENCY_PREFIX:
        if body.startswith(prefix):
            body, has_unit = body[len(prefix) :], True
    for suffix in _CURRENCY_SUFFIX:
        if body.endswith(suffix):
            body, has_unit = body[: -len(suffix)], True
    common = _common_errors(shown, body, "krw", example)  # '₩-500', '-500원'
    if common is not None:
        return common
    if body == "" and has_unit:
        return fail("krw_invalid", f"{quote(shown, '에')} 숫자가 없습니다. 금액을 적으세요 (예: {example})")
    amount = _korean_amount(body)
    if amount is None:
        ambiguous = re.search(r"[억조]", body) and re.search(r"[억조][^만억조]+$", body)
        if ambiguous:
            return fail(
                "krw_ambiguous",
                f"{quote(shown, '의')} 억 뒤에 '만'이 없어 1억 2천만인지 1억 2천인지 알 수 없습니다. 만 단위까지 적거나 숫자만 적으세요 (예: 1억 2천만원 또는 120000000)",
            )
        return fail(
            "krw_invalid", f"{quote(shown)} 금액으로 읽을 수 없습니다. 숫자와 원·천·만·억만 쓰세요 (예: {example})"
        )
    in_won = has_unit or re.search(r"[십백천만억조]", body)  # else a bare number in the column's unit
    in_column = amount / 1000 if thousand and in_won else amount
    won = in_column * 1000 if thousand else in_column
    if won > _MAX_WON:
        return fail(
            "krw_too_large", f"{quote(shown)} 너무 큰 금액입니다 (10조 원 초과). 단위를 확인하세요 (예: {example})"
        )
    if in_column.denominator != 1:
        shown_unit = f"{float(in_column):,.3f}".rstrip("0").rstrip(".")
        if thousand:
            return fail(
                "krw_fraction",
                f"{quote(shown)} 천원 단위로 {shown_unit}천원이라 나누어떨어지지 않습니다. 이 열은 천원 단위 정수입니다 (예: 1,200,000원 → 1200)",
            )
        return fail(
            "krw_fraction", f"{quote(shown, '에')} 1원 미만 단위가 있습니다. 원 단위 정수로 적으세요 (예: {example})"
        )
    return Parsed(str(in_column.numerator))


def parse_krw(text: str) -> Parsed:
    """An amount in won → digits only ('120만원' → '1200000'); see the module docstring."""
    return _krw(text, thousand=False)


def parse_krw_thousand(text: str) -> Parsed:
    """An amount in thousands of won (온누리상품권(천원)) → digits ('100만원' → '1000')."""
    return _krw(text, thousand=True)


_COUNT_UNITS = ("개점포", "개소", "개사", "개점", "점포", "기관", "명", "개", "곳", "회", "건", "인", "팀", "차")


def parse_int(text: str) -> Parsed:
    """A non-negative whole number (수용기관수, 참여인원, 점포수, 차수) → digits.

    ``1,234`` · ``3명`` · ``3개`` · ``12곳`` · ``1.0`` (a float cell) are accepted; negatives,
    fractions, scientific notation and text are errors.
    """
    shown = clean_text(text)
    if not shown:
        return Parsed("")
    body = "".join(shown.split()).casefold()
    common = _common_errors(shown, body, "int", "3")
    if common is not None:
        return common
    for unit in _COUNT_UNITS:
        if body.endswith(unit) and len(body) > len(unit):
            body = body[: -len(unit)]
            break
    m = re.fullmatch(rf"(?:{_NUM})", body)
    if m is None:
        return fail("int_invalid", f"{quote(shown)} 숫자가 아닙니다. 0 이상의 정수로 적으세요 (예: 3)")
    whole, _, frac = body.replace(",", "").partition(".")
    if frac.strip("0"):
        return fail("int_fraction", f"{quote(shown)} 소수입니다. 정수로 적으세요 (예: 3)")
    if len(whole.lstrip("0")) > 15:
        return fail("int_too_large", f"{quote(shown)} 너무 큰 수입니다. 자리수를 확인하세요 (예: 3)")
    return Parsed(str(int(whole)))


def parse_float(text: str) -> Parsed:
    """A plain decimal number (위도, 경도, 점수): ``37.2636``, ``-1.5``, ``127`` → canonical form.

    Leading ``+`` and zeros and trailing fractional zeros are dropped (``037.50`` → ``37.5``,
    ``1.0`` → ``1``). Thousands separators, a decimal comma, ``nan``/``inf`` and ``1e5`` are errors.
    """
    shown = clean_text(text)
    if not shown:
        return Parsed("")
    m = re.fullmatch(r"([+-]?)(\d+)(?:\.(\d+))?", shown)
    if m is None:
        return fail("float_invalid", f"{quote(shown)} 숫자가 아닙니다. 소수점 숫자로만 적으세요 (예: 37.2636)")
    sign, whole, frac = m.group(1), m.group(2).lstrip("0") or "0", (m.group(3) or "").rstrip("0")
    if len(whole) > 15:
        return fail("float_too_large", f"{quote(shown)} 너무 큰 수입니다. 자리수를 확인하세요 (예: 37.2636)")
    value = whole + ("." + frac if frac else "")
    return Parsed("-" + value if sign == "-" and value != "0" else value)
