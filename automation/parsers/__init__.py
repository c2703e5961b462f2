"""One parser per sheet column type: ``parse_<type>(text) -> Parsed``. Pure, never raises.

Every parser takes the raw cell text (read unformatted, never numericised by gspread) and
returns :class:`Parsed`: the normalised ``value`` ('' for a blank cell — whether a blank is
allowed is the caller's business), or an ``error`` / ``warning`` in Korean that quotes the
cleaned value, says what to do with an example, and leaves the column name to the caller
("연락처: '010-1234-567'은 자리수가 부족합니다 (예: 010-1234-5678)"). ``code`` is a short machine
code ("phone_short"). Messages never echo a 주민등록번호: :func:`quote` masks it.

:data:`PARSERS` maps every schema type except ``enum`` to its parser; :func:`parser_for` also
builds the enum parser from a column's allowed values. Money/number parsers live in
:mod:`automation.parsers.money`, dates in :mod:`automation.parsers.dates`, text cleaning in
:mod:`automation.parsers.base`; all are re-exported here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import partial

import phonenumbers
from email_validator import validate_email
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from stdnum.kr import brn as stdnum_brn

from automation import geo
from automation.parsers.base import (
    MAX_TEXT,
    Parsed,
    clean_text,
    contains_rrn,
    fail,
    josa,
    looks_like_formula,
    mask_rrn,
    parse_longtext,
    parse_plain,
    parse_text,
    parse_url,
    quote,
    strip_invisible,
    warn,
)
from automation.parsers.dates import KST, parse_date, parse_datetime, seoul_today
from automation.parsers.money import parse_float, parse_int, parse_krw, parse_krw_thousand

__all__ = [
    "KST",
    "MAX_TEXT",
    "PARSERS",
    "Parsed",
    "brn_check_digit_ok",
    "clean_text",
    "contains_rrn",
    "josa",
    "looks_like_formula",
    "mask_rrn",
    "org_key",
    "parse_brn",
    "parse_date",
    "parse_datetime",
    "parse_email",
    "parse_enum",
    "parse_float",
    "parse_id",
    "parse_int",
    "parse_krw",
    "parse_krw_thousand",
    "parse_longtext",
    "parse_market_name",
    "parse_phone",
    "parse_sigun",
    "parse_text",
    "parse_url",
    "parse_yn",
    "parser_for",
    "quote",
    "seoul_today",
    "strip_invisible",
]


def parse_id(text: str) -> Parsed:
    """An id cell (신청ID, 매칭ID …): cleaned single-line text."""
    return parse_plain(text)


def parse_market_name(text: str) -> Parsed:
    """A 시장명 typed by staff (희망시장1/2): cleaned single-line text; matching is elsewhere."""
    return parse_plain(text)


# ---------------------------------------------------------------- phone

_PHONE_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−﹣.()\[\]]")
_MOBILE_EXAMPLE, _SEOUL_EXAMPLE, _AREA_EXAMPLE = "010-1234-5678", "02-123-4567", "031-201-6977"


def _phone_example(national: str) -> str:
    if national.startswith("01"):
        return _MOBILE_EXAMPLE
    return _SEOUL_EXAMPLE if national.startswith("02") else _AREA_EXAMPLE


def _phone_national(shown: str) -> str | Parsed:
    """Digits of the national number with its leading 0 (or a 15xx/16xx/18xx number)."""
    compact = _PHONE_SEPARATORS.sub("", shown)
    if re.search(r"[,;/]", shown) or len(re.sub(r"\D", "", compact)) >= 17:
        return fail(
            "phone_multiple",
            f"{quote(shown, '에')} 번호가 여러 개 있습니다. 전화번호는 한 칸에 하나만 적으세요 (예: {_MOBILE_EXAMPLE})",
        )
    if not re.fullmatch(r"\+?\d+", compact) or not compact.isascii():
        return fail(
            "phone_invalid",
            f"{quote(shown, '에')} 숫자 말고 다른 글자가 있습니다. 전화번호만 적으세요 (예: {_MOBILE_EXAMPLE})",
        )
    for prefix in ("+82", "0082", "82"):
        if compact.startswith(prefix) and (prefix != "82" or len(compact) >= 11):
            rest = compact[len(prefix) :]
            return "0" + (rest[1:] if rest.startswith("0") else rest)  # '+82 (0)10…'
    if compact.startswith("+") or compact.startswith("00"):
        return fail(
            "phone_foreign", f"{quote(shown)} 국내 전화번호가 아닙니다. 국내 번호를 적으세요 (예: {_MOBILE_EXAMPLE})"
        )
    return compact


def parse_phone(text: str) -> Parsed:
    """A Korean mobile, landline or 15xx/16xx/18xx number → ``010-1234-5678`` style.

    Accepts full-width digits, every kind of dash, dots, spaces, parentheses, zero-width
    spaces, and +82 / 0082 / 82 prefixes. A digits-only value whose leading 0 was lost in a
    number cell (``1012345678``, ``312016977``) is restored with the warning ``phone_lost_zero``;
    the same digits typed with separators (``10-1234-5678``) are an error. 010 numbers must have
    11 digits. Validity and formatting come from ``phonenumbers`` (region KR).
    """
    shown = clean_text(text)
    if not shown:
        return Parsed("")
    if re.fullmatch(r"\d+\.0+|\d{1,3}(?:,\d{3})+", shown):  # a number cell: 1012345678.0, 1,012,345,678
        shown = shown.split(".")[0].replace(",", "")
    national = _phone_national(shown)
    if isinstance(national, Parsed):
        return national
    lost_zero = False
    if not national.startswith("0") and not (len(national) == 8 and national[:2] in ("15", "16", "18")):
        if not shown.isdigit():
            return fail(
                "phone_no_zero",
                f"{quote(shown)} 0으로 시작하지 않습니다. 지역번호나 010부터 적으세요 (예: {_MOBILE_EXAMPLE} 또는 {_AREA_EXAMPLE})",
            )
        national, lost_zero = "0" + national, True
    example = _phone_example(national)
    too_short = f"{quote(shown)} 자리수가 부족합니다 (예: {example})"
    too_long = f"{quote(shown)} 자리수가 너무 많습니다 (예: {example})"
    if national.startswith("010") and len(national) != 11:
        return fail("phone_short", too_short) if len(national) < 11 else fail("phone_long", too_long)
    if national.startswith("0") and len(national) < (9 if national.startswith("02") else 10):
        return fail("phone_short", too_short)  # 02-123-4567 / 031-201-6977 are the shortest forms
    if len(national) > 12:
        return fail("phone_long", too_long)
    try:
        number = phonenumbers.parse(national, "KR")
        reason = phonenumbers.is_possible_number_with_reason(number)
        valid = phonenumbers.is_valid_number(number)
        formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    except Exception:  # NumberParseException and anything else: user text must not crash a run
        reason, valid, formatted = None, False, ""
    if reason == phonenumbers.ValidationResult.TOO_SHORT:
        return fail("phone_short", too_short)
    if reason == phonenumbers.ValidationResult.TOO_LONG:
        return fail("phone_long", too_long)
    # phonenumbers may rewrite a strange number (081100000000 → 010-000-0000): not a number we can trust
    if not valid or not re.fullmatch(r"\d[\d-]+", formatted) or formatted.replace("-", "") != national:
        return fail("phone_invalid", f"{quote(shown)} 없는 전화번호 형식입니다. 번호를 확인하세요 (예: {example})")
    if lost_zero:
        return warn(
            formatted,
            "phone_lost_zero",
            f"{quote(shown)} 앞자리 0이 빠진 숫자로 보여 {formatted}{josa(formatted, '으로')} 읽었습니다 (칸도 이 번호로 고치세요). "
            "이 열의 서식을 '일반 텍스트'로 바꾸세요 (예: 서식 > 숫자 > 일반 텍스트)",
        )
    return Parsed(formatted)


# ---------------------------------------------------------------- e-mail

_EMAIL_EXAMPLE = "kim@example.com"
_PROVIDERS = (
    "gmail.com",
    "naver.com",
    "hanmail.net",
    "kakao.com",
    "hotmail.com",
    "outlook.com",
    "yahoo.com",
    "icloud.com",
)
_TLD_TYPOS = {
    "con": "com",
    "cpm": "com",
    "cmo": "com",
    "ocm": "com",
    "vom": "com",
    "xom": "com",
    "comm": "com",
    "coom": "com",
    "nte": "net",
    "ent": "net",
    "ner": "net",
    "nett": "net",
    "kt": "kr",
    "krr": "kr",
}


def _typo_domain(domain: str) -> str | None:
    if domain in _PROVIDERS:
        return None
    for provider in _PROVIDERS:
        if OSA.distance(domain, provider) == 1:
            return provider
    head, _, tld = domain.rpartition(".")
    return f"{head}.{_TLD_TYPOS[tld]}" if head and tld in _TLD_TYPOS else None


def parse_email(text: str) -> Parsed:
    """One e-mail address → ``local@ascii-domain`` (domain lower-cased, IDN → punycode).

    Trimmed first (also a trailing ``,``/``;``). Errors: several addresses (``email_multiple``),
    an inner space, a full-width ``＠`` (reported, not normalised: BAD_INPUTS #8), a non-ASCII
    local part (no SMTPUTF8 at the relay), bad syntax. A likely typo of a big provider's domain or
    of ``.com``/``.net`` (``gmail.con``, ``daum.ent``) is a warning; the value is kept as typed.
    """
    raw = strip_invisible(text).strip(" ,;")
    if not raw:
        return Parsed("")
    ats = sum(raw.count(c) for c in "@＠﹫")
    if ats >= 2 and len([p for p in re.split(r"[,;\s]+", raw) if p]) >= 2:
        return fail(
            "email_multiple",
            f"{quote(raw, '에')} 이메일이 여러 개 있습니다. 이메일은 한 칸에 하나만 적으세요 (예: {_EMAIL_EXAMPLE})",
        )
    if "＠" in raw or "﹫" in raw:
        fixed = raw.replace("＠", "@").replace("﹫", "@")
        return fail("email_fullwidth", f"{quote(raw, '에')} 전각 '＠'가 있습니다. 반각 @로 고쳐 적으세요 (예: {fixed})")
    if " " in raw:
        return fail(
            "email_space", f"{quote(raw, '에')} 공백이 있습니다. 공백 없이 적으세요 (예: {raw.replace(' ', '')})"
        )
    if "@" not in raw:
        return fail(
            "email_no_at", f"{quote(raw, '에')} @가 없습니다. 전체 이메일 주소를 적으세요 (예: {_EMAIL_EXAMPLE})"
        )
    local = raw.rpartition("@")[0]
    if not local.isascii():
        return fail(
            "email_non_ascii_local",
            f"{quote(raw, '의')} @ 앞부분에 한글 등 영문이 아닌 글자가 있습니다. 영문·숫자 주소를 적으세요 (예: {_EMAIL_EXAMPLE})",
        )
    try:
        info = validate_email(raw, check_deliverability=False, allow_smtputf8=False)
        value = f"{info.local_part}@{info.ascii_domain.lower()}"
    except Exception:  # EmailNotValidError, or an idna error on strange domains
        return fail(
            "email_invalid",
            f"{quote(raw)} 올바른 이메일 주소가 아닙니다. 주소를 확인해 적으세요 (예: {_EMAIL_EXAMPLE})",
        )
    suggestion = _typo_domain(value.rpartition("@")[2])
    if suggestion is not None:
        return warn(
            value,
            "email_typo_domain",
            f"{quote(raw, '의')} 도메인이 {suggestion}의 오타 같습니다. 맞는 주소면 그대로 두고, 아니면 고치세요 "
            f"(예: {info.local_part}@{suggestion})",
        )
    return Parsed(value)


# ---------------------------------------------------------------- 사업자등록번호

_BRN_EXAMPLE = "116-82-00276"
_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def brn_check_digit_ok(digits: str) -> bool:
    """The 10th digit of a 사업자등록번호 (``digits``: exactly 10 ASCII digits)."""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], _BRN_WEIGHTS, strict=True)) + int(digits[8]) * 5 // 10
    return (10 - total % 10) % 10 == int(digits[9])


def parse_brn(text: str) -> Parsed:
    """A 사업자등록번호 → ``XXX-XX-XXXXX``: 10 digits, python-stdnum's checks and the check digit."""
    shown = clean_text(text)
    if not shown:
        return Parsed("")
    digits = _PHONE_SEPARATORS.sub("", shown)
    if not digits.isascii() or not digits.isdigit():
        return fail(
            "brn_invalid",
            f"{quote(shown, '에')} 숫자 말고 다른 글자가 있습니다. 사업자등록번호 10자리를 적으세요 (예: {_BRN_EXAMPLE})",
        )
    if len(digits) != 10:
        return fail(
            "brn_length", f"{quote(shown)} {len(digits)}자리입니다. 사업자등록번호는 10자리입니다 (예: {_BRN_EXAMPLE})"
        )
    if not stdnum_brn.is_valid(digits):  # tax office < 101, middle 00 or serial 0000
        return fail(
            "brn_invalid",
            f"{quote(shown)} 있을 수 없는 사업자등록번호입니다. 사업자등록증을 보고 다시 적으세요 (예: {_BRN_EXAMPLE})",
        )
    if not brn_check_digit_ok(digits):
        return fail(
            "brn_checksum",
            f"{quote(shown)} 검증번호가 맞지 않는 사업자등록번호입니다. 사업자등록증을 보고 다시 적으세요 (예: {_BRN_EXAMPLE})",
        )
    return Parsed(f"{digits[:3]}-{digits[3:5]}-{digits[5:]}")


# ---------------------------------------------------------------- yes/no, enum, 시군

_YES = frozenset({"y", "yes", "o", "예", "네", "✓", "✔", "☑", "✅", "v", "true", "1", "동의", "동의함", "○", "◯", "⭕"})
_NO = frozenset(
    {
        "n",
        "no",
        "x",
        "아니오",
        "아니요",
        "아니",
        "false",
        "0",
        "미동의",
        "비동의",
        "부동의",
        "동의안함",
        "×",
        "✗",
        "✘",
        "❌",
    }
)


def parse_yn(text: str) -> Parsed:
    """Y/N, O/X, 예/아니오, 네/아니요, ✓, V, TRUE/FALSE, 1/0, yes/no, 동의/미동의 (any case) → 'Y'/'N'."""
    shown = clean_text(text)
    key = "".join(shown.split()).casefold()
    if not key:
        return Parsed("")
    if key in _YES:
        return Parsed("Y")
    if key in _NO:
        return Parsed("N")
    return fail(
        "yn_invalid",
        f"{quote(shown)} 예/아니오 값이 아닙니다. Y 또는 N으로 적으세요 "
        f"(예: Y — 가능한 값: Y/N, O/X, 예/아니오, 네/아니요, 동의/미동의, TRUE/FALSE, 1/0, ✓)",
    )


def thousands(text: str) -> int:
    """A 천원 amount cell (:func:`parse_krw_thousand`) as a number; 0 when blank or unreadable."""
    parsed = parse_krw_thousand(text)
    return int(parsed.value) if parsed.ok and parsed.value.isdigit() else 0


def is_yes(text: str) -> bool:
    """The cell reads as Y with :func:`parse_yn` (blank, N and unreadable values are not Y)."""
    parsed = parse_yn(text)
    return parsed.ok and parsed.value == "Y"


_MIDDLE_DOTS = str.maketrans(dict.fromkeys("ㆍ・•‧∙⋅", "·"))


def _enum_key(text: str) -> str:
    return "".join(clean_text(text).split()).translate(_MIDDLE_DOTS).casefold()


def parse_enum(text: str, allowed: Iterable[str]) -> Parsed:
    """One of ``allowed``, compared without spaces/case (``중소 기업`` → ``중소기업``, ``ㆍ`` = ``·``).

    The value returned is spelled as in ``allowed``. Anything else is an error that names the
    closest allowed value (rapidfuzz ratio ≥ 60) and lists all of them.
    """
    options = [a for a in allowed if _enum_key(a)]
    shown = clean_text(text)
    key = _enum_key(shown)
    if not key:
        return Parsed("")
    keys = {_enum_key(a): a for a in reversed(options)}
    if key in keys:
        return Parsed(keys[key])
    listing = ", ".join(options)
    best = process.extractOne(key, list(keys), scorer=fuzz.ratio, score_cutoff=60)
    if best is not None:
        guess = keys[best[0]]
        return fail(
            "enum_invalid",
            f"{quote(shown)} 목록에 없는 값입니다. {quote(guess, '을')} 뜻했나요? 다음 중 하나를 고르세요: {listing} (예: {guess})",
        )
    example = f" (예: {options[0]})" if options else ""
    return fail("enum_invalid", f"{quote(shown)} 목록에 없는 값입니다. 다음 중 하나를 고르세요: {listing}{example}")


def parse_sigun(text: str) -> Parsed:
    """A 경기도 시군 in any usual spelling (``수원``, ``경기 수원``, ``분당구``) → ``수원시`` etc."""
    shown = clean_text(text)
    if not shown:
        return Parsed("")
    name = geo.normalize_sigun(shown)
    if name is None:
        return fail("sigun_invalid", f"{quote(shown)} 경기도 시군이 아닙니다 (예: 수원시)")
    return Parsed(name)


# ---------------------------------------------------------------- duplicate key for organisations

_LEGAL_PAREN = re.compile(r"\(\s*(?:주|유|사|재|합|자|합자|합명|유한|株|社)\s*\)")
_LEGAL_LATIN = re.compile(r"\b(?:co\s*\.?\s*,?\s*ltd|inc|corp|corporation|ltd|llc)\b\.?")
_LEGAL_WORDS = (
    "유한책임회사",
    "주식회사",
    "유한회사",
    "합자회사",
    "합명회사",
    "사단법인",
    "재단법인",
    "사회복지법인",
    "농업회사법인",
    "영농조합법인",
)


def org_key(name: str) -> str:
    """Duplicate-detection key for an organisation name: ``㈜가나``, ``(주)가나``, ``주식회사 가나``,
    ``가나 주식회사`` and ``가나 Co., Ltd.`` all give ``가나``.

    NFKC (+NFC Hangul), legal-form tokens removed wherever they are, then spaces, punctuation and
    symbols removed, casefolded. A name that is nothing but a legal form keeps its own cleaned
    text, so two different names never share the empty key.
    """
    text = clean_text(name).casefold()
    plain = "".join(ch for ch in "".join(text.split()) if unicodedata.category(ch)[0] not in "PS")
    key = "".join(_LEGAL_LATIN.sub(" ", _LEGAL_PAREN.sub(" ", text)).split())
    for word in _LEGAL_WORDS:
        key = key.replace(word, "")
    key = "".join(ch for ch in key if unicodedata.category(ch)[0] not in "PS")
    return key or plain


# ---------------------------------------------------------------- registry

PARSERS: dict[str, Callable[[str], Parsed]] = {
    "id": parse_id,
    "text": parse_text,
    "longtext": parse_longtext,
    "date": parse_date,
    "datetime": parse_datetime,
    "yn": parse_yn,
    "phone": parse_phone,
    "email": parse_email,
    "brn": parse_brn,
    "krw": parse_krw,
    "krw_thousand": parse_krw_thousand,
    "int": parse_int,
    "float": parse_float,
    "market_name": parse_market_name,
    "sigun": parse_sigun,
    "url": parse_url,
}


def parser_for(column_type: str, allowed: Iterable[str] = ()) -> Callable[[str], Parsed]:
    """The parser of a schema column type; ``enum`` needs the column's ``allowed`` values."""
    if column_type == "enum":
        return partial(parse_enum, allowed=tuple(allowed))
    if column_type not in PARSERS:
        raise ValueError(f"알 수 없는 열 형식: {column_type!r}")
    return PARSERS[column_type]
