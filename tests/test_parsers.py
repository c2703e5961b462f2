"""Cell parsers: one table per type, exact values and exact Korean messages (BAD_INPUTS.md rows noted).

Property tests (never raises, idempotent, accepts its own output) are in test_parsers_properties.py.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date

import pytest

from automation.parsers import (
    MAX_TEXT,
    PARSERS,
    Parsed,
    brn_check_digit_ok,
    clean_text,
    contains_rrn,
    josa,
    looks_like_formula,
    mask_rrn,
    org_key,
    parse_brn,
    parse_date,
    parse_datetime,
    parse_email,
    parse_enum,
    parse_float,
    parse_id,
    parse_int,
    parse_krw,
    parse_krw_thousand,
    parse_longtext,
    parse_market_name,
    parse_phone,
    parse_sigun,
    parse_text,
    parse_url,
    parse_yn,
    parser_for,
    quote,
)
from automation.schema import TYPES, default_schemas

TODAY = date(2024, 6, 1)


def ok(value: str) -> Parsed:
    return Parsed(value)


def err(code: str, message: str) -> Parsed:
    return Parsed("", error=message, code=code)


def warned(value: str, code: str, message: str) -> Parsed:
    return Parsed(value, warning=message, code=code)


def table(*rows: tuple[str, str, Parsed]) -> list[object]:
    """(id, input, expected) rows → pytest params with readable ids."""
    return [pytest.param(text, expected, id=name) for name, text, expected in rows]


# ---------------------------------------------------------------- clean_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("  가나  다 ", "가나 다", id="strip-and-collapse"),
        pytest.param("０１０－１２３４", "010-1234", id="full-width-digits-nfkc"),
        pytest.param("㈜가나", "(주)가나", id="parenthesised-ju-nfkc"),
        pytest.param("가나\n다라", "가나 다라", id="27-newline-becomes-space"),
        pytest.param("가나\r\n다라", "가나 다라", id="27-crlf-becomes-space"),
        pytest.param("\t=1+1", "=1+1", id="22-leading-tab-stripped"),
        pytest.param("\r=1+1", "=1+1", id="22-leading-cr-stripped"),
        pytest.param("🙂기업", "🙂기업", id="24-emoji-kept"),
        pytest.param("invoice\u202egpj.exe", "invoicegpj.exe", id="25-rlo-removed"),
        pytest.param("שלום \u202bעולם\u202c", "שלום עולם", id="25-rtl-text-kept-controls-removed"),
        pytest.param("a\u200e\u200f\u061c\u2066b\u2069", "ab", id="25-marks-and-isolates-removed"),
        pytest.param("가\u200b나\ufeff다\u200c라\u200d마", "가나다라마", id="zero-width-removed"),
        pytest.param("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧", id="zwj-between-emoji-kept"),
        pytest.param(unicodedata.normalize("NFD", "한국기업"), "한국기업", id="43-nfd-hangul-composed"),
        pytest.param("ㅋㅋ ㄱㅏ", "ㅋㅋ ㄱㅏ", id="compat-jamo-not-conjoined"),
        pytest.param("벽화ㆍ환경", "벽화ㆍ환경", id="arae-a-middle-dot-kept"),
        pytest.param("ﾡﾢ", "ㄱㄲ", id="half-width-jamo-to-compat-jamo"),
        pytest.param("\u3164\uffa0", "", id="hangul-filler-is-blank"),
        pytest.param("a\x00b\x07c\x7f", "abc", id="control-chars-removed"),
        pytest.param("a\u00a0\u3000b", "a b", id="nbsp-and-ideographic-space"),
    ],
)
def test_clean_text(text: str, expected: str) -> None:
    assert clean_text(text) == expected


def test_clean_text_multiline_keeps_newlines() -> None:
    assert clean_text("\n 가\r\n나  \u2028다\x00라\t마\n\n", multiline=True) == "가\n나\n다라 마"


def test_compat_jamo_really_would_break_under_plain_nfkc() -> None:
    """Why clean_text protects U+3131–U+318E (module docstring)."""
    assert unicodedata.normalize("NFKC", "ㄱㅏ") == "가"
    assert unicodedata.normalize("NFKC", "ㅋ") == "\u110f"


def test_clean_text_non_str() -> None:
    assert clean_text(None) == ""  # type: ignore[arg-type]
    assert clean_text(1012345678) == "1012345678"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("word", "particle", "expected"),
    [
        ("010-1234-567", "은", "은"),
        ("02-123-4567", "은", "은"),
        ("1012345678", "은", "은"),
        ("010-12345-56789", "은", "는"),
        ("중소기업", "을", "을"),
        ("대기업", "을", "을"),
        ("기타", "을", "를"),
        ("abc", "은", "은(는)"),
        ("010-1234-5678", "으로", "로"),
        ("02-123-4563", "으로", "으로"),
        ("서울", "으로", "로"),
        ("가", "에", "에"),
    ],
)
def test_josa(word: str, particle: str, expected: str) -> None:
    assert josa(word, particle) == expected


def test_quote_masks_rrn_and_shortens() -> None:
    assert quote("900101-1234567") == "'******-*******'은(는)"
    assert quote("가" * 50) == "'" + "가" * 40 + "…'은(는)"


# ---------------------------------------------------------------- formulas and 주민등록번호 (#21, #22, #30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('=IMPORTXML("http://x","//a")', True, id="21-importxml"),
        pytest.param("=1+1", True, id="21-sum"),
        pytest.param("+82 10-1234-5678", True, id="21-plus-phone"),
        pytest.param("-", True, id="21-dash"),
        pytest.param("@foo", True, id="21-at"),
        pytest.param("-500", True, id="negative-number-too"),
        pytest.param("  ＝1+1", True, id="full-width-equals-after-strip"),
        pytest.param("\t=1+1", True, id="22-after-tab"),
        pytest.param("a=1", False, id="inner-equals"),
        pytest.param("", False, id="blank"),
    ],
)
def test_looks_like_formula(text: str, expected: bool) -> None:
    assert looks_like_formula(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("900101-1234567", True, id="30-dash"),
        pytest.param("메모 9001011234567 끝", True, id="no-separator"),
        pytest.param("900101 2234567", True, id="space"),
        pytest.param("900101–5234567", True, id="en-dash-foreigner"),
        pytest.param("９００１０１－１２３４５６７", True, id="full-width"),
        pytest.param("000229-3234567", True, id="feb-29"),
        pytest.param("901301-1234567", False, id="month-13"),
        pytest.param("900132-1234567", False, id="day-32"),
        pytest.param("900230-1234567", False, id="feb-30"),
        pytest.param("900101-9234567", False, id="gender-9"),
        pytest.param("01012345678", False, id="phone"),
        pytest.param("19900101-1234567", False, id="digit-before"),
        pytest.param("900101-12345678", False, id="digit-after"),
    ],
)
def test_contains_rrn(text: str, expected: bool) -> None:
    assert contains_rrn(text) is expected


def test_mask_rrn() -> None:
    assert mask_rrn("김 900101-1234567, 이 9001012234567") == "김 ******-*******, 이 ******-*******"
    assert mask_rrn("901301-1234567") == "901301-1234567"


# ---------------------------------------------------------------- text types (#24–#27, #30, #42)

LONG_OK = "가" * MAX_TEXT
LONG_BAD = "가" * (MAX_TEXT + 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    table(
        ("blank", "   ", ok("")),
        ("24-emoji", " 🙂기업 ", ok("🙂기업")),
        ("25-bidi", "가나\u202e상사", ok("가나상사")),
        ("27-newline", "가나\n상사", ok("가나 상사")),
        ("26-exactly-50000", LONG_OK, ok(LONG_OK)),
        (
            "26-over-50000",
            LONG_BAD,
            err(
                "text_too_long",
                f"'{'가' * 40}…'은(는) 50,001자로 너무 깁니다. 50,000자 이하로 줄이세요 (예: 핵심 내용만 남기고 긴 자료는 링크로 적기)",
            ),
        ),
        (
            "30-rrn-masked",
            "담당 900101-1234567 연락",
            warned(
                "담당 ******-******* 연락",
                "rrn",
                "주민등록번호로 보이는 숫자가 있어 ******-*******로 가렸습니다. 원본 칸에서 지우세요 (예: 생년월일만 필요하면 1990-01-01)",
            ),
        ),
        (
            "42-true",
            "TRUE",
            warned(
                "TRUE",
                "text_boolean",
                "'TRUE'은(는) 글자가 아니라 체크박스/참·거짓 값으로 바뀐 것 같습니다. 열 서식을 '일반 텍스트'로 바꾸고 원래 글자를 다시 적으세요 (예: 서식 > 숫자 > 일반 텍스트)",
            ),
        ),
        (
            "42-auto-date",
            "2025. 1. 5",
            warned(
                "2025. 1. 5",
                "text_date",
                "'2025. 1. 5'는 날짜로 자동 변환된 값 같습니다. 열 서식을 '일반 텍스트'로 바꾸고 원래 글자를 다시 적으세요 (예: 서식 > 숫자 > 일반 텍스트)",
            ),
        ),
        (
            "42-iso-date",
            "2025-01-05",
            warned(
                "2025-01-05",
                "text_date",
                "'2025-01-05'는 날짜로 자동 변환된 값 같습니다. 열 서식을 '일반 텍스트'로 바꾸고 원래 글자를 다시 적으세요 (예: 서식 > 숫자 > 일반 텍스트)",
            ),
        ),
        ("true-inside-text", "TRUE 기업", ok("TRUE 기업")),
        ("21-formula-kept-as-text", "=1+1", ok("=1+1")),
        ("43-nfd", unicodedata.normalize("NFD", "가나"), ok("가나")),
    ),
)
def test_parse_text(text: str, expected: Parsed) -> None:
    assert parse_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    table(
        ("newlines-kept", "첫 줄\r\n둘째 줄  \n\n셋째", ok("첫 줄\n둘째 줄\n\n셋째")),
        (
            "26-over-50000",
            LONG_BAD,
            err(
                "text_too_long",
                f"'{'가' * 40}…'은(는) 50,001자로 너무 깁니다. 50,000자 이하로 줄이세요 (예: 핵심 내용만 남기고 긴 자료는 링크로 적기)",
            ),
        ),
        (
            "30-rrn",
            "메모\n900101-1234567",
            warned(
                "메모\n******-*******",
                "rrn",
                "주민등록번호로 보이는 숫자가 있어 ******-*******로 가렸습니다. 원본 칸에서 지우세요 (예: 생년월일만 필요하면 1990-01-01)",
            ),
        ),
        ("true-no-mismatch-warning", "TRUE", ok("TRUE")),
    ),
)
def test_parse_longtext(text: str, expected: Parsed) -> None:
    assert parse_longtext(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    table(
        ("https", " https://drive.google.com/x ", ok("https://drive.google.com/x")),
        ("http-upper", "HTTP://x.kr", ok("HTTP://x.kr")),
        (
            "no-scheme",
            "www.x.com",
            warned(
                "www.x.com",
                "url_scheme",
                "'www.x.com'은(는) http:// 또는 https://로 시작하는 주소가 아닙니다. 브라우저 주소창의 전체 주소를 적으세요 (예: https://drive.google.com/…)",
            ),
        ),
        (
            "javascript",
            "javascript:alert(1)",
            warned(
                "javascript:alert(1)",
                "url_scheme",
                "'javascript:alert(1)'은(는) http:// 또는 https://로 시작하는 주소가 아닙니다. 브라우저 주소창의 전체 주소를 적으세요 (예: https://drive.google.com/…)",
            ),
        ),
        ("blank", "", ok("")),
    ),
)
def test_parse_url(text: str, expected: Parsed) -> None:
    assert parse_url(text) == expected


def test_id_and_market_name_are_clean_text() -> None:
    assert parse_id(" A-0001\u200b ") == ok("A-0001")
    assert parse_market_name("수원\n못골시장") == ok("수원 못골시장")
    assert parse_market_name("TRUE") == ok("TRUE")  # no type-mismatch warning outside 'text'


# ---------------------------------------------------------------- phone (#3–#6)

LOST_ZERO = "'{shown}'은 앞자리 0이 빠진 숫자로 보여 {value}로 읽었습니다 (칸도 이 번호로 고치세요). 이 열의 서식을 '일반 텍스트'로 바꾸세요 (예: 서식 > 숫자 > 일반 텍스트)"


@pytest.mark.parametrize(
    ("text", "expected"),
    table(
        ("3-full-width", "０１０－１２３４－５６７８", ok("010-1234-5678")),
        (
            "4-lost-zero-mobile",
            "1012345678",
            warned("010-1234-5678", "phone_lost_zero", LOST_ZERO.format(shown="1012345678", value="010-1234-5678")),
        ),
        (
            "4-lost-zero-float-cell",
            "1012345678.0",
            warned("010-1234-5678", "phone_lost_zero", LOST_ZERO.format(shown="1012345678", value="010-1234-5678")),
        ),
        (
            "4-lost-zero-thousands-format",
            "1,012,345,678",
            warned("010-1234-5678", "phone_lost_zero", LOST_ZERO.format(shown="1012345678", value="010-1234-5678")),
        ),
        (
            "4-lost-zero-landline",
            "312016977",
            warned("031-201-6977", "phone_lost_zero", LOST_ZERO.format(shown="312016977", value="031-201-6977")),
        ),
        (
            "4-lost-zero-seoul",
            "21234567",
            warned("02-123-4567", "phone_lost_zero", LOST_ZERO.format(shown="21234567", value="02-123-4567")),
        ),
        ("5-en-dash-minus", "010–1234−5678", ok("010-1234-5678")),
        ("5-em-dash-hyphen", "010—1234‐5678", ok("010-1234-5678")),
        ("5-dots", "010.1234.5678", ok("010-1234-5678")),
        ("5-spaces", " 010 1234 5678 ", ok("010-1234-5678")),
        ("5-zero-width", "010\u200b1234\u200b5678", ok("010-1234-5678")),
        ("5-plus82", "+82 10-1234-5678", ok("010-1234-5678")),
        ("5-plus82-trunk-zero", "+82 (0)10-1234-5678", ok("010-1234-5678")),
        ("5-82-no-plus", "821012345678", ok("010-1234-5678")),
        ("5-0082", "0082-31-201-6977", ok("031-201-6977")),
        ("5-plus82-seoul", "+82-2-123-4567", ok("02-123-4567")),
        ("parentheses", "(031) 201-6977", ok("031-201-6977")),
        ("digits-only", "01012345678", ok("010-1234-5678")),
        ("6-too-short", "010-1234-567", err("phone_short", "'010-1234-567'은 자리수가 부족합니다 (예: 010-1234-5678)")),
        ("6-seoul-landline-accepted", "02-123-4567", ok("02-123-4567")),
        ("seoul-8-digit", "02-1234-5678", ok("02-1234-5678")),
        ("landline", "031-201-6977", ok("031-201-6977")),
        ("representative", "1588-1234", ok("1588-1234")),
        ("representative-digits", "15881234", ok("1588-1234")),
        ("voip", "070-1234-5678", ok("070-1234-5678")),
        (
            "too-long",
            "010-12345-56789",
            err("phone_long", "'010-12345-56789'는 자리수가 너무 많습니다 (예: 010-1234-5678)"),
        ),
        ("landline-too-short", "031-201", err("phone_short", "'031-201'은 자리수가 부족합니다 (예: 031-201-6977)")),
        (
            "no-leading-zero-with-dashes",
            "10-1234-5678",
            err(
                "phone_no_zero",
                "'10-1234-5678'은 0으로 시작하지 않습니다. 지역번호나 010부터 적으세요 (예: 010-1234-5678 또는 031-201-6977)",
            ),
        ),
        (
            "two-numbers",
            "010-1234-5678, 010-2222-3333",
            err(
                "phone_multiple",
                "'010-1234-5678, 010-2222-3333'에 번호가 여러 개 있습니다. 전화번호는 한 칸에 하나만 적으세요 (예: 010-1234-5678)",
            ),
        ),
        (
            "two-numbers-space",
            "010-1234-5678 031-201-6977",
            err(
                "phone_multiple",
                "'010-1234-5678 031-201-6977'에 번호가 여러 개 있습니다. 전화번호는 한 칸에 하나만 적으세요 (예: 010-1234-5678)",
            ),
        ),
        (
            "extension-text",
            "031-201-6977 내선 12",
            err(
                "phone_invalid",
                "'031-201-6977 내선 12'에 숫자 말고 다른 글자가 있습니다. 전화번호만 적으세요 (예: 010-1234-5678)",
            ),
        ),
        (
            "foreign",
            "+1 415 555 1234",
            err(
                "phone_foreign",
                "'+1 415 555 1234'는 국내 전화번호가 아닙니다. 국내 번호를 적으세요 (예: 010-1234-5678)",
            ),
        ),
        (
            "invalid-prefix",
            "099-123-4567",
            err("phone_invalid", "'099-123-4567'은 없는 전화번호 형식입니다. 번호를 확인하세요 (예: 031-201-6977)"),
        ),
        (
            "rewritten-by-phonenumbers",  # found by hypothesis: read as 010-000-0000, which is no number
            "81100000000",
            err("phone_invalid", "'81100000000'은 없는 전화번호 형식입니다. 번호를 확인하세요 (예: 031-201-6977)"),
        ),
        (
            "21-formula",
            "=1+1",
            err("phone_invalid", "'=1+1'에 숫자 말고 다른 글자가 있습니다. 전화번호만 적으세요 (예: 010-1234-5678)"),
        ),
        ("blank", " \u200b ", ok("")),
    ),
)
def test_parse_phone(text: str, expected: Parsed) -> None:
    assert parse_phone(text) == expected


# ---------------------------------------------------------------- e-mail (#7–#11)


@pytest.mark.parametrize(
    ("text", "expected"),
    table(
        ("7-trimmed", "  kim@example.com \n", ok("kim@example.com")),
        ("7-trailing-separator", "kim@example.com;", ok("kim@example.com")),
        ("domain-lower-local-kept", "Kim.Lee@Example.COM", ok("Kim.Lee@example.com")),
        ("zero-width", "kim\u200b@example.com", ok("kim@example.com")),
        (
            "8-inner-space",
            "kim @ex.com",
            err("email_space", "'kim @ex.com'에 공백이 있습니다. 공백 없이 적으세요 (예: kim@ex.com)"),
        ),
        (
            "8-full-width-at",
            "kim＠example.com",
            err(
                "email_fullwidth",
                "'kim＠example.com'에 전각 '＠'가 있습니다. 반각 @로 고쳐 적으세요 (예: kim@example.com)",
            ),
        ),
        (
            "9-comma",
            "a@x.com, b@y.com",
            err(
                "email_multiple",
                "'a@x.com, b@y.com'에 이메일이 여러 개 있습니다. 이메일은 한 칸에 하나만 적으세요 (예: kim@example.com)",
            ),
        ),
        (
            "9-semicolon",
            "a@x.com;b@y.com",
            err(
                "email_multiple",
                "'a@x.com;b@y.com'에 이메일이 여러 개 있습니다. 이메일은 한 칸에 하나만 적으세요 (예: kim@example.com)",
            ),
        ),
        (
            "9-newline",
            "a@x.com\nb@y.com",
            err(
                "email_multiple",
                "'a@x.com b@y.com'에 이메일이 여러 개 있습니다. 이메일은 한 칸에 하나만 적으세요 (예: kim@example.com)",
            ),
        ),
        (
            "10-gmail-con",
            "kim@gmail.con",
            warned(
                "kim@gmail.con",
                "email_typo_domain",
                "'kim@gmail.con'의 도메인이 gmail.com의 오타 같습니다. 맞는 주소면 그대로 두고, 아니면 고치세요 (예: kim@gmail.com)",
            ),
        ),
        (
            "10-naver-con",
            "kim@naver.con",
            warned(
                "kim@naver.con",
                "email_typo_domain",
                "'kim@naver.con'의 도메인이 naver.com의 오타 같습니다. 맞는 주소면 그대로 두고, 아니면 고치세요 (예: kim@naver.com)",
            ),
        ),
        (
            "10-daum-ent",
            "kim@daum.ent",
            warned(
                "kim@daum.ent",
                "email_typo_domain",
                "'kim@daum.ent'의 도메인이 daum.net의 오타 같습니다. 맞는 주소면 그대로 두고, 아니면 고치세요 (예: kim@daum.net)",
            ),
        ),
        (
            "10-hanmail-ent",
            "kim@hanmail.ent",
            warned(
                "kim@hanmail.ent",
                "email_typo_domain",
                "'kim@hanmail.ent'의 도메인이 hanmail.net의 오타 같습니다. 맞는 주소면 그대로 두고, 아니면 고치세요 (예: kim@hanmail.net)",
            ),
        ),
        (
            "10-gmial",
            "kim@gmial.com",
            warned(
                "kim@gmial.com",
                "email_typo_domain",
                "'kim@gmial.com'의 도메인이 gmail.com의 오타 같습니다. 맞는 주소면 그대로 두고, 아니면 고치세요 (예: kim@gmail.com)",
            ),
        ),
        ("real-provider", "kim@daum.net", ok("kim@daum.net")),
        (
            "11-korean-local",
            "김철수@example.com",
            err(
                "email_non_ascii_local",
                "'김철수@example.com'의 @ 앞부분에 한글 등 영문이 아닌 글자가 있습니다. 영문·숫자 주소를 적으세요 (예: kim@example.com)",
            ),
        ),
        (
            "full-width-local",
            "ｋｉｍ@example.com",
            err(
                "email_non_ascii_local",
                "'ｋｉｍ@example.com'의 @ 앞부분에 한글 등 영문이 아닌 글자가 있습니다. 영문·숫자 주소를 적으세요 (예: kim@example.com)",
            ),
        ),
        ("11-idn-domain", "kim@예시.한국", ok("kim@xn--vv4b11d.xn--3e0b707e")),
        ("11-punycode-again", "kim@xn--vv4b11d.xn--3e0b707e", ok("kim@xn--vv4b11d.xn--3e0b707e")),
        (
            "no-at",
            "kim.example.com",
            err("email_no_at", "'kim.example.com'에 @가 없습니다. 전체 이메일 주소를 적으세요 (예: kim@example.com)"),
        ),
        (
            "no-dot-domain",
            "kim@localhost",
            err(
                "email_invalid",
                "'kim@localhost'은(는) 올바른 이메일 주소가 아닙니다. 주소를 확인해 적으세요 (예: kim@example.com)",
            ),
        ),
        (
            "display-name",
            "홍길동<kim@x.com>",
            err(
                "email_non_ascii_local",
                "'홍길동<kim@x.com>'의 @ 앞부분에 한글 등 영문이 아닌 글자가 있습니다. 영문·숫자 주소를 적으세요 (예: kim@example.com)",
            ),
        ),
        (
            "21-formula",
            '=HYPERLINK("x")',
            err("email_no_at", "'=HYPERLINK(\"x\")'에 @가 없습니다. 전체 이메일 주소를 적으세요 (예: kim@example.com)"),
        ),
        ("blank", " ", ok("")),
    ),
)
def test_parse_email(text: str, expected: Parsed) -> None:
    assert parse_email(text) == expected


# ---------------------------------------------------------------- 사업자등록번호 (#13)


@pytest.mark.parametrize(
    ("text", "expected"),
    table(
        ("valid", "116-82-00276", ok("116-82-00276")),
        ("digits-only", "1168200276", ok("116-82-00276")),
        ("full-width", "１１６－８２－００２７６", ok("116-82-00276")),
        ("spaces-dots", "116 82.00276", ok("116-82-00276")),
        (
            "13-wrong-checksum",
            "116-82-00277",
            err(
                "brn_checksum",
                "'116-82-00277'은 검증번호가 맞지 않는 사업자등록번호입니다. 사업자등록증을 보고 다시 적으세요 (예: 116-82-00276)",
            ),
        ),
        (
            "13-nine-digits",
            "116-82-0027",
            err("brn_length", "'116-82-0027'은 9자리입니다. 사업자등록번호는 10자리입니다 (예: 116-82-00276)"),
        ),
        (
            "eleven-digits",
            "116-82-002761",
            err("brn_length", "'116-82-002761'은 11자리입니다. 사업자등록번호는 10자리입니다 (예: 116-82-00276)"),
        ),
        (
            "impossible-parts",
            "000-00-00000",
            err(
                "brn_invalid",
                "'000-00-00000'은 있을 수 없는 사업자등록번호입니다. 사업자등록증을 보고 다시 적으세요 (예: 116-82-00276)",
            ),
        ),
        (
            "letters",
            "116-82-0027a",
            err(
                "brn_invalid",
                "'116-82-0027a'에 숫자 말고 다른 글자가 있습니다. 사업자등록번호 10자리를 적으세요 (예: 116-82-00276)",
            ),
        ),
        ("blank", "", ok("")),
    ),
)
def test_parse_brn(text: str, expected: Parsed) -> None:
    assert parse_brn(text) == expected


def test_brn_check_digit() -> None:
    assert brn_check_digit_ok("1168200276")
    assert not brn_check_digit_ok("1168200277")
    assert not brn_check_digit_ok("116820027")
    assert not brn_check_digit_ok("１１６８２００２７６")


def test_brn_stdnum_alone_misses_the_check_digit() -> None:
    """PITFALLS.md: python-stdnum 2.2 accepts a wrong 10th digit; parse_brn must not."""
    from stdnum.kr import brn

    assert brn.is_valid("1168200277")
    assert not parse_brn("1168200277").ok


# ---------------------------------------------------------------- yes/no

YN_ERROR = (
    "'{}'은(는) 예/아니오 값이 아닙니다. Y 또는 N으로 적으세요 "
    "(예: Y — 가능한 값: Y/N, O/X, 예/아니오, 네/아니요, 동의/미동의, TRUE/FALSE, 1/0, ✓)"
)


@pytest.mark.parametrize(
    "text",
    ["Y", "y", "O", "o", "Ｏ", "예", "네", "✓", "✔", "V", "TRUE", "true", "1", "yes", "YES", "동의", " 동 의 ", "○"],
)
def test_parse_yn_yes(text: str) -> None:
    assert parse_yn(text) == ok("Y")


@pytest.mark.parametrize(
    "text", ["N", "n", "X", "x", "아니오", "아니요", "FALSE", "false", "0", "no", "No", "미동의", "×"]
)
def test_parse_yn_no(text: str) -> None:
    assert parse_yn(text) == ok("N")


@pytest.mark.parametrize(
    ("text", "expected"),
    table(
        ("maybe", "maybe", err("yn_invalid", YN_ERROR.format("maybe"))),
        (
            "2",
            "2",
            err(
                "yn_invalid",
                "'2'는 예/아니오 값이 아닙니다. Y 또는 N으로 적으세요 "
                "(예: Y — 가능한 값: Y/N, O/X, 예/아니오, 네/아니요, 동의/미동의, TRUE/FALSE, 1/0, ✓)",
            ),
        ),
        ("blank", "  ", ok("")),
    ),
)
def test_parse_yn_other(text: str, expected: Parsed) -> None:
    assert parse_yn(text) == expected


# ---------------------------------------------------------------- amounts (#20)

KRW_TABLE = table(
    ("comma", "1,200", ok("1200")),
    ("won-suffix", "1200원", ok("1200")),
    ("won-sign", "₩1,200", ok("1200")),
    ("full-width-won-sign", "￦12,000", ok("12000")),
    ("backslash-won", "\\1,000", ok("1000")),
    ("man", "120만원", ok("1200000")),
    ("cheon-man", "3천만원", ok("30000000")),
    ("baek-man-no-digit", "백만원", ok("1000000")),
    ("eok-cheon-man", "1억 2천만원", ok("120000000")),
    ("man-cheon", "1만5천원", ok("15000")),
    ("decimal-eok", "1.5억", ok("150000000")),
    ("cheonwon-written", "12,000천원", ok("12000000")),
    ("full-width-digits", "１２,０００", ok("12000")),
    ("spaces", "1 200 원", ok("1200")),
    ("float-cell", "1200.0", ok("1200")),
    ("zero", "0", ok("0")),
    ("leading-zeros", "007", ok("7")),
    ("negative", "-500", err("krw_negative", "'-500'은 음수입니다. 0 이상의 값을 적으세요 (예: 12000 또는 120만원)")),
    (
        "negative-after-sign",
        "₩-500",
        err("krw_negative", "'₩-500'은 음수입니다. 0 이상의 값을 적으세요 (예: 12000 또는 120만원)"),
    ),
    (
        "accounting-negative",
        "(500)",
        err("krw_negative", "'(500)'은(는) 음수입니다. 0 이상의 값을 적으세요 (예: 12000 또는 120만원)"),
    ),
    (
        "triangle-negative",
        "△500",
        err("krw_negative", "'△500'은 음수입니다. 0 이상의 값을 적으세요 (예: 12000 또는 120만원)"),
    ),
    ("scientific", "1e5", err("krw_scientific", "'1e5'는 지수 표기입니다. 숫자를 모두 적으세요 (예: 1e5 → 100000)")),
    (
        "scientific-upper",
        "1.2E+05",
        err("krw_scientific", "'1.2E+05'는 지수 표기입니다. 숫자를 모두 적으세요 (예: 1e5 → 100000)"),
    ),
    (
        "nan",
        "nan",
        err("krw_invalid", "'nan'은(는) 숫자가 아닙니다 (계산 오류나 빈 값). 숫자로 적으세요 (예: 12000 또는 120만원)"),
    ),
    (
        "inf",
        "inf",
        err("krw_invalid", "'inf'은(는) 숫자가 아닙니다 (계산 오류나 빈 값). 숫자로 적으세요 (예: 12000 또는 120만원)"),
    ),
    (
        "sheets-error",
        "#VALUE!",
        err(
            "krw_invalid",
            "'#VALUE!'은(는) 숫자가 아닙니다 (계산 오류나 빈 값). 숫자로 적으세요 (예: 12000 또는 120만원)",
        ),
    ),
    (
        "text",
        "많이",
        err("krw_invalid", "'많이'는 금액으로 읽을 수 없습니다. 숫자와 원·천·만·억만 쓰세요 (예: 12000 또는 120만원)"),
    ),
    (
        "bad-comma",
        "1,2000",
        err(
            "krw_invalid", "'1,2000'은 금액으로 읽을 수 없습니다. 숫자와 원·천·만·억만 쓰세요 (예: 12000 또는 120만원)"
        ),
    ),
    (
        "dot-grouping",
        "1.000",
        err(
            "krw_dot_grouping",
            "'1.000'은 마침표로 자리를 나눈 것인지 소수점인지 알 수 없습니다. 쉼표를 쓰거나 붙여 적으세요 (예: 1,000 또는 1000)",
        ),
    ),
    (
        "fraction",
        "1200.5",
        err("krw_fraction", "'1200.5'에 1원 미만 단위가 있습니다. 원 단위 정수로 적으세요 (예: 12000 또는 120만원)"),
    ),
    (
        "eok-without-man",
        "1억2천",
        err(
            "krw_ambiguous",
            "'1억2천'의 억 뒤에 '만'이 없어 1억 2천만인지 1억 2천인지 알 수 없습니다. 만 단위까지 적거나 숫자만 적으세요 (예: 1억 2천만원 또는 120000000)",
        ),
    ),
    (
        "too-large",
        "100조",
        err("krw_too_large", "'100조'는 너무 큰 금액입니다 (10조 원 초과). 단위를 확인하세요 (예: 12000 또는 120만원)"),
    ),
    ("blank", "", ok("")),
)


@pytest.mark.parametrize(("text", "expected"), KRW_TABLE)
def test_parse_krw(text: str, expected: Parsed) -> None:
    assert parse_krw(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    table(
        ("bare-number-is-thousands", "1,200", ok("1200")),
        ("12000-cheonwon", "12,000천원", ok("12000")),
        ("man-won-converted", "100만원", ok("1000")),
        ("yearly-as-on-the-form", "연 1,000 천원", ok("1000")),
        ("yearly-long", "연간 1,200천원", ok("1200")),
        ("won-converted", "1,200,000원", ok("1200")),
        ("won-sign-converted", "₩3,000", ok("3")),
        ("eok", "1억 2천만원", ok("120000")),
        ("full-width", "１２,０００", ok("12000")),
        ("zero", "0", ok("0")),
        (
            "not-whole-thousands",
            "1200원",
            err(
                "krw_fraction",
                "'1200원'은 천원 단위로 1.2천원이라 나누어떨어지지 않습니다. 이 열은 천원 단위 정수입니다 (예: 1,200,000원 → 1200)",
            ),
        ),
        (
            "fraction",
            "1.5",
            err(
                "krw_fraction",
                "'1.5'는 천원 단위로 1.5천원이라 나누어떨어지지 않습니다. 이 열은 천원 단위 정수입니다 (예: 1,200,000원 → 1200)",
            ),
        ),
        ("negative", "-500", err("krw_negative", "'-500'은 음수입니다. 0 이상의 값을 적으세요 (예: 1200 (=120만원))")),
        (
            "scientific",
            "1e5",
            err("krw_scientific", "'1e5'는 지수 표기입니다. 숫자를 모두 적으세요 (예: 1e5 → 100000)"),
        ),
        (
            "nan",
            "NaN",
            err(
                "krw_invalid", "'NaN'은(는) 숫자가 아닙니다 (계산 오류나 빈 값). 숫자로 적으세요 (예: 1200 (=120만원))"
            ),
        ),
    ),
)
def test_parse_krw_thousand(text: str, expected: Parsed) -> None:
    assert parse_krw_thousand(text) == expected


# ---------------------------------------------------------------- int, float


@pytest.mark.parametrize(
    ("text", "expected"),
    table(
        ("plain", "12", ok("12")),
        ("people", "3명", ok("3")),
        ("pieces", "3개", ok("3")),
        ("places", "12 곳", ok("12")),
        ("stores", "120점포", ok("120")),
        ("comma", "1,234", ok("1234")),
        ("float-cell", "1.0", ok("1")),
        ("full-width", "１２", ok("12")),
        ("zero", "0", ok("0")),
        ("leading-zero", "007", ok("7")),
        ("fraction", "1.5", err("int_fraction", "'1.5'는 소수입니다. 정수로 적으세요 (예: 3)")),
        ("negative", "-1", err("int_negative", "'-1'은 음수입니다. 0 이상의 값을 적으세요 (예: 3)")),
        (
            "scientific",
            "1e3",
            err("int_scientific", "'1e3'은 지수 표기입니다. 숫자를 모두 적으세요 (예: 1e5 → 100000)"),
        ),
        ("nan", "nan", err("int_invalid", "'nan'은(는) 숫자가 아닙니다 (계산 오류나 빈 값). 숫자로 적으세요 (예: 3)")),
        ("approx", "약 30명", err("int_invalid", "'약 30명'은 숫자가 아닙니다. 0 이상의 정수로 적으세요 (예: 3)")),
        ("unit-only", "명", err("int_invalid", "'명'은 숫자가 아닙니다. 0 이상의 정수로 적으세요 (예: 3)")),
        ("too-large", "1" * 16, err("int_too_large", f"'{'1' * 16}'은 너무 큰 수입니다. 자리수를 확인하세요 (예: 3)")),
        ("blank", "", ok("")),
    ),
)
def test_parse_int(text: str, expected: Parsed) -> None:
    assert parse_int(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    table(
        ("latitude", "37.2636", ok("37.2636")),
        ("longitude-int", "127", ok("127")),
        ("negative", "-1.5", ok("-1.5")),
        ("zeros-trimmed", "037.50", ok("37.5")),
        ("float-cell", "1.0", ok("1")),
        ("plus", "+3.0", ok("3")),
        ("negative-zero", "-0.0", ok("0")),
        ("full-width", "３７．５", ok("37.5")),
        ("scientific", "1e5", err("float_invalid", "'1e5'는 숫자가 아닙니다. 소수점 숫자로만 적으세요 (예: 37.2636)")),
        ("nan", "nan", err("float_invalid", "'nan'은(는) 숫자가 아닙니다. 소수점 숫자로만 적으세요 (예: 37.2636)")),
        (
            "decimal-comma",
            "37,5",
            err("float_invalid", "'37,5'는 숫자가 아닙니다. 소수점 숫자로만 적으세요 (예: 37.2636)"),
        ),
        (
            "degrees",
            "37°15'",
            err("float_invalid", "'37°15''은(는) 숫자가 아닙니다. 소수점 숫자로만 적으세요 (예: 37.2636)"),
        ),
        ("blank", "", ok("")),
    ),
)
def test_parse_float(text: str, expected: Parsed) -> None:
    assert parse_float(text) == expected


# ---------------------------------------------------------------- dates (#19, #42)

AMBIGUOUS = "'{}'{} 연도가 없거나 순서가 모호해 날짜를 정할 수 없습니다. 연-월-일로 적으세요 (예: 2024-05-02)"


@pytest.mark.parametrize(
    ("text", "expected"),
    table(
        ("19-serial", "45292", ok("2024-01-01")),
        ("19-serial-with-time", "45292.75", ok("2024-01-01")),
        ("serial-epoch-check", "45414", ok("2024-05-02")),
        ("19-iso", "2024-01-05", ok("2024-01-05")),
        ("19-dots-spaces", "2024. 1. 5", ok("2024-01-05")),
        ("dots-trailing", "2024. 5. 2.", ok("2024-05-02")),
        ("dots", "2024.5.2", ok("2024-05-02")),
        ("slashes", "2024/05/02", ok("2024-05-02")),
        ("compact", "20240502", ok("2024-05-02")),
        ("19-two-digit-year", "24.1.5", ok("2024-01-05")),
        ("two-digit-year-1900s", "99.1.5", ok("1999-01-05")),
        ("korean", "2024년 5월 2일", ok("2024-05-02")),
        ("19-korean-no-year", "1월 5일", ok("2024-01-05")),
        ("korean-no-spaces", "5월2일", ok("2024-05-02")),
        ("weekday", "2024-05-02(목)", ok("2024-05-02")),
        ("weekday-long", "2024.5.2 목요일", ok("2024-05-02")),
        ("datetime-no-zone", "2024-05-02 10:31", ok("2024-05-02")),
        ("sheets-ko-datetime", "2024. 5. 2 오후 11:10:00", ok("2024-05-02")),
        ("19-utc-crosses-midnight", "2024-05-01T20:00:00Z", ok("2024-05-02")),
        ("19-offset", "2024-05-02T10:31:00+09:00", ok("2024-05-02")),
        ("19-negative-offset", "2024-05-01T12:00:00-05:00", ok("2024-05-02")),
        ("full-width", "２０２４－０５－０２", ok("2024-05-02")),
        ("42-auto-converted-short", "01.05", err("date_ambiguous", AMBIGUOUS.format("01.05", "는"))),
        ("slash-short", "5/2", err("date_ambiguous", AMBIGUOUS.format("5/2", "는"))),
        ("six-digits", "240502", err("date_ambiguous", AMBIGUOUS.format("240502", "는"))),
        (
            "impossible",
            "2024-02-30",
            err(
                "date_impossible",
                "'2024-02-30'은 없는 날짜입니다 (2024년 2월은 29일까지). 날짜를 확인하세요 (예: 2024-02-29)",
            ),
        ),
        (
            "not-leap",
            "2023-02-29",
            err(
                "date_impossible",
                "'2023-02-29'는 없는 날짜입니다 (2023년 2월은 28일까지). 날짜를 확인하세요 (예: 2023-02-28)",
            ),
        ),
        (
            "month-13",
            "2024.13.1",
            err("date_impossible", "'2024.13.1'은 없는 날짜입니다 (13월). 월은 1~12입니다 (예: 2024-05-02)"),
        ),
        (
            "year-range",
            "1899-12-31",
            err(
                "date_year", "'1899-12-31'은 연도(1899)가 이상합니다. 연도를 네 자리로 확인해 적으세요 (예: 2024-05-02)"
            ),
        ),
        (
            "serial-out-of-range",
            "10000",
            err(
                "date_serial_range",
                "'10000'은 날짜 일련번호로 보기에는 범위(1990~2100년) 밖입니다. 날짜로 적으세요 (예: 2024-05-02)",
            ),
        ),
        (
            "wrong-weekday",
            "2024-05-02(금)",
            err(
                "date_weekday",
                "'2024-05-02(금)'의 요일이 날짜와 맞지 않습니다 (2024-05-02는 목요일). 날짜를 확인하세요 (예: 2024-05-02)",
            ),
        ),
        (
            "bad-time",
            "2024-05-02 25:00",
            err(
                "time_invalid",
                "'2024-05-02 25:00'은 시각이 이상합니다. 24시간 형식으로 적으세요 (예: 2024-05-02 14:30)",
            ),
        ),
        ("text", "내일", err("date_invalid", "'내일'은 날짜로 읽을 수 없습니다. 연-월-일로 적으세요 (예: 2024-05-02)")),
        (
            "42-true",
            "TRUE",
            err("date_invalid", "'TRUE'은(는) 날짜로 읽을 수 없습니다. 연-월-일로 적으세요 (예: 2024-05-02)"),
        ),
        ("blank", "", ok("")),
    ),
)
def test_parse_date(text: str, expected: Parsed) -> None:
    assert parse_date(text, today=TODAY) == expected


def test_parse_date_year_comes_from_today() -> None:
    assert parse_date("5월 2일", today=date(2031, 1, 1)) == ok("2031-05-02")


def test_parse_date_without_today_uses_seoul_clock() -> None:
    assert parse_date("2024-05-02") == ok("2024-05-02")
    assert parse_date("5월 2일").ok


@pytest.mark.parametrize(
    ("text", "expected"),
    table(
        ("serial-fraction", "45292.5", ok("2024-01-01 12:00")),
        ("minutes", "2024-05-02 10:31", ok("2024-05-02 10:31")),
        ("seconds-dropped", "2024-05-02 10:31:59", ok("2024-05-02 10:31")),
        ("iso-t", "2024-05-02T10:31", ok("2024-05-02 10:31")),
        ("utc", "2024-05-01T20:00:00Z", ok("2024-05-02 05:00")),
        ("utc-fraction", "2024-05-01T20:00:00.123Z", ok("2024-05-02 05:00")),
        ("offset-compact", "2024-05-02T01:00:00+0000", ok("2024-05-02 10:00")),
        ("kst", "2024-05-02 10:31 KST", ok("2024-05-02 10:31")),
        ("sheets-ko-pm", "2024. 5. 2 오후 3:10:00", ok("2024-05-02 15:10")),
        ("sheets-ko-midnight", "2024. 5. 2 오전 12:05:00", ok("2024-05-02 00:05")),
        ("english-pm", "2024-05-02 3:10 PM", ok("2024-05-02 15:10")),
        (
            "date-only",
            "2024-05-02",
            warned(
                "2024-05-02 00:00",
                "datetime_no_time",
                "'2024-05-02'에 시각이 없어 00:00으로 보았습니다. 시각까지 적으세요 (예: 2024-05-02 14:30)",
            ),
        ),
        (
            "serial-date-only",
            "45292",
            warned(
                "2024-01-01 00:00",
                "datetime_no_time",
                "'45292'에 시각이 없어 00:00으로 보았습니다. 시각까지 적으세요 (예: 2024-05-02 14:30)",
            ),
        ),
        (
            "pm-13",
            "2024-05-02 오후 13:00",
            err(
                "time_invalid",
                "'2024-05-02 오후 13:00'은 시각이 이상합니다. 24시간 형식으로 적으세요 (예: 2024-05-02 14:30)",
            ),
        ),
        (
            "impossible",
            "2024-02-30 10:00",
            err(
                "date_impossible",
                "'2024-02-30 10:00'은 없는 날짜입니다 (2024년 2월은 29일까지). 날짜를 확인하세요 (예: 2024-02-29)",
            ),
        ),
        ("blank", "", ok("")),
    ),
)
def test_parse_datetime(text: str, expected: Parsed) -> None:
    assert parse_datetime(text, today=TODAY) == expected


# ---------------------------------------------------------------- enum, 시군

ORG_TYPES = (
    "대기업",
    "중견기업",
    "중소기업",
    "유니콘기업",
    "벤처기업",
    "스타트업",
    "대학",
    "공공기관",
    "협단체",
    "군부대",
    "기타",
)
ORG_LIST = ", ".join(ORG_TYPES)
ACTIVITY = ("전통시장가는날", "벽화·환경개선", "SNS홍보", "기타")


@pytest.mark.parametrize(
    ("text", "allowed", "expected"),
    [
        pytest.param("중소기업", ORG_TYPES, ok("중소기업"), id="exact"),
        pytest.param("중소 기업", ORG_TYPES, ok("중소기업"), id="space-removed"),
        pytest.param(" 중소기업\n", ORG_TYPES, ok("중소기업"), id="trimmed"),
        pytest.param(unicodedata.normalize("NFD", "중소기업"), ORG_TYPES, ok("중소기업"), id="43-nfd"),
        pytest.param("벽화ㆍ환경개선", ACTIVITY, ok("벽화·환경개선"), id="arae-a-as-middle-dot"),
        pytest.param("sns 홍보", ACTIVITY, ok("SNS홍보"), id="case-insensitive"),
        pytest.param(
            "중소기엄",
            ORG_TYPES,
            err(
                "enum_invalid",
                f"'중소기엄'은 목록에 없는 값입니다. '중소기업'을 뜻했나요? 다음 중 하나를 고르세요: {ORG_LIST} (예: 중소기업)",
            ),
            id="typo-suggestion",
        ),
        pytest.param(
            "벤쳐기업",
            ORG_TYPES,
            err(
                "enum_invalid",
                f"'벤쳐기업'은 목록에 없는 값입니다. '벤처기업'을 뜻했나요? 다음 중 하나를 고르세요: {ORG_LIST} (예: 벤처기업)",
            ),
            id="typo-venture",
        ),
        pytest.param(
            "개인",
            ORG_TYPES,
            err("enum_invalid", f"'개인'은 목록에 없는 값입니다. 다음 중 하나를 고르세요: {ORG_LIST} (예: 대기업)"),
            id="no-suggestion",
        ),
        pytest.param("", ORG_TYPES, ok(""), id="blank"),
    ],
)
def test_parse_enum(text: str, allowed: tuple[str, ...], expected: Parsed) -> None:
    assert parse_enum(text, allowed) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    table(
        ("short", "수원", ok("수원시")),
        ("official", "수원시", ok("수원시")),
        ("with-do", "경기도 수원시", ok("수원시")),
        ("gun", "가평", ok("가평군")),
        ("gu", "분당구", ok("성남시")),
        ("full-width-space", "경기\u3000수원", ok("수원시")),
        ("seoul", "서울", err("sigun_invalid", "'서울'은 경기도 시군이 아닙니다 (예: 수원시)")),
        ("gwangju-metro", "광주광역시", err("sigun_invalid", "'광주광역시'는 경기도 시군이 아닙니다 (예: 수원시)")),
        ("blank", "", ok("")),
    ),
)
def test_parse_sigun(text: str, expected: Parsed) -> None:
    assert parse_sigun(text) == expected


# ---------------------------------------------------------------- org_key (#12, #43)


@pytest.mark.parametrize(
    "name",
    [
        "㈜가나",
        "(주)가나",
        "( 주 )가나",
        "（주）가나",
        "주식회사 가나",
        "가나 주식회사",
        "주식 회사 가나",
        "가나(주)",
        "가 나",
        "가나 Co., Ltd.",
        "가나 Inc.",
        unicodedata.normalize("NFD", "(주)가나"),
        "가나\u200b",
        "가나.",
    ],
)
def test_org_key_same_org(name: str) -> None:
    assert org_key(name) == "가나"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("(사)한국협회", "한국협회"),
        ("㈔한국협회", "한국협회"),
        ("사단법인 한국협회", "한국협회"),
        ("(재)미래재단", "미래재단"),
        ("재단법인 미래재단", "미래재단"),
        ("(유)다라", "다라"),
        ("유한회사 다라", "다라"),
        ("ABC Corp", "abc"),
        ("주식회사", "주식회사"),
        ("🙂기업", "기업"),
    ],
)
def test_org_key_forms(name: str, key: str) -> None:
    assert org_key(name) == key


def test_org_key_keeps_different_orgs_apart() -> None:
    assert org_key("가나상사") != org_key("가나")
    assert org_key("주식회사 가나") != org_key("주식회사 다라")


# ---------------------------------------------------------------- registry


def test_parsers_cover_every_schema_type() -> None:
    assert set(PARSERS) | {"enum"} == TYPES
    assert "enum" not in PARSERS


def test_parser_for_every_schema_column() -> None:
    columns = [c for tab in default_schemas().tabs.values() for c in tab.columns]
    assert columns
    for column in columns:
        assert parser_for(column.type, column.enum)("") == ok("")
    assert parser_for("enum", ORG_TYPES)("벤처 기업") == ok("벤처기업")


def test_parser_for() -> None:
    enum_parser: Callable[[str], Parsed] = parser_for("enum", ORG_TYPES)
    assert enum_parser("중소 기업") == ok("중소기업")
    assert parser_for("phone") is PARSERS["phone"]
    with pytest.raises(ValueError, match="알 수 없는 열 형식"):
        parser_for("nope")


def test_parsed_ok() -> None:
    assert Parsed("x").ok
    assert Parsed("x", warning="w", code="c").ok
    assert not Parsed("", error="e", code="c").ok
