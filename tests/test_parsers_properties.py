"""Property tests for every cell parser: never raises, idempotent, accepts its own output.

Inputs are arbitrary text (any code point except surrogates) plus near-valid strings from
``st.from_regex`` so that the accepting branches are exercised too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from automation.parsers import (
    Parsed,
    clean_text,
    contains_rrn,
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
)

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TODAY = date(2024, 6, 1)
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

ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
NOISE = st.sampled_from(["", " ", "\u200b", "\u202e", "\t", "\n", "\r\n", "\u3000", "\ufeff", "　"])


def near(pattern: str) -> st.SearchStrategy[str]:
    """Strings matching ``pattern``, with invisible/space noise around them."""
    return st.builds(lambda a, s, b: a + s + b, NOISE, st.from_regex(pattern, fullmatch=True), NOISE)


NEAR: dict[str, st.SearchStrategy[str]] = {
    "text": near(r"[가-힣a-zA-Z0-9 ㄱ-ㅎ㈜()\-=+@.]{0,20}") | near(r"[0-9]{6}-?[1-8][0-9]{6}") | st.just("TRUE"),
    "phone": near(r"(\+82 ?|0082|82)?[0０]?[1-9１２３][0-9０-９\-–−. ()\u200b]{6,14}"),
    "email": near(
        r"[a-zA-Z0-9._+김]{1,8}[@＠][a-z0-9예시-]{1,8}\.(com|con|net|ent|한국|kr|co\.kr)([,; ][a-z]@x\.com)?"
    ),
    "brn": near(r"[0-9０-９]{3}[- ]?[0-9]{2}[- .]?[0-9]{4,6}"),
    "yn": near(r"(Y|N|y|n|O|X|예|아니오|네|아니요|✓|✔|V|TRUE|FALSE|true|1|0|yes|No|동의|미동의|maybe)"),
    "krw": near(r"[₩￦\\(△-]?[0-9０-９,]{0,9}(\.[0-9]{1,3})?(십|백|천|만|억|조|천만|백만)?[0-9]{0,4}(천|만)?(원)?\)?"),
    "int": near(r"-?[0-9,]{1,8}(\.[0-9]{1,2})?(명|개|곳|e3)?"),
    "float": near(r"[+-]?[0-9]{1,4}(\.[0-9]{0,6})?(e5)?"),
    "date": near(
        r"((19|20)?[0-9]{2}[-./] ?[0-9]{1,2}[-./] ?[0-9]{1,2}\.?|[0-9]{5}(\.[0-9]{1,4})?|(20[0-9]{2}년 )?[0-9]{1,2}월 ?[0-9]{1,2}일|[0-9]{8})"
        r"(\((월|화|수|목|금|토|일)\))?"
        r"( (오전 |오후 )?[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?( ?(Z|KST|[+-][01][0-9]:?[0-5][0-9]))?)?"
    ),
    "enum": near(r"(중소 ?기[업엄]|대 기업|벤[처쳐]기업|기타|개인|스타트 업)"),
    "sigun": near(r"(경기도? ?)?(수원|성남|가평|분당구|서울|광주|동탄|화성)(시|군)?"),
    "url": near(r"(https?://|www\.|javascript:)?[a-z0-9./가-힣]{0,15}"),
}

Parser = Callable[[str], Parsed]
PARSERS: dict[str, tuple[Parser, str]] = {
    "id": (parse_id, "text"),
    "text": (parse_text, "text"),
    "longtext": (parse_longtext, "text"),
    "market_name": (parse_market_name, "text"),
    "url": (parse_url, "url"),
    "phone": (parse_phone, "phone"),
    "email": (parse_email, "email"),
    "brn": (parse_brn, "brn"),
    "yn": (parse_yn, "yn"),
    "krw": (parse_krw, "krw"),
    "krw_thousand": (parse_krw_thousand, "krw"),
    "int": (parse_int, "int"),
    "float": (parse_float, "float"),
    "date": (partial(parse_date, today=TODAY), "date"),
    "datetime": (partial(parse_datetime, today=TODAY), "date"),
    "enum": (partial(parse_enum, allowed=ORG_TYPES), "enum"),
    "sigun": (parse_sigun, "sigun"),
}
IDS = sorted(PARSERS)


def check_parser(parse: Parser, text: str) -> None:
    result = parse(text)
    assert isinstance(result, Parsed)
    assert isinstance(result.value, str)
    if result.ok:
        assert result.value == result.value.strip() or "\n" in result.value
        again = parse(result.value)
        assert again.ok, (text, result, again)  # accepts its own output
        assert again.value == result.value, (text, result, again)  # idempotent
        assert again.error is None
    else:
        assert result.value == ""
        assert result.code
        assert result.error and "(예:" in result.error  # every error says the fix with an example
    if result.warning is not None:
        assert result.code
        assert result.ok


@pytest.mark.parametrize("name", IDS)
@SETTINGS
@given(data=st.data())
def test_never_raises_idempotent_accepts_own_output(name: str, data: st.DataObject) -> None:
    """Half the examples are arbitrary text, half near-valid strings for this type."""
    parse, kind = PARSERS[name]
    check_parser(parse, data.draw(st.one_of(ANY_TEXT, NEAR[kind])))


@SETTINGS
@given(text=ANY_TEXT | NEAR["text"])
@example("ㄱ\u0301ㅏ")
@example("e\u200b\u0301")
@example("\u0345\u0300")
def test_clean_text_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert "\n" not in once and "\u202e" not in once and "\u200b" not in once
    multi = clean_text(text, multiline=True)
    assert clean_text(multi, multiline=True) == multi
    once.encode("utf-8")  # no lone surrogates left
    multi.encode("utf-8")


@SETTINGS
@given(text=ANY_TEXT | NEAR["text"])
def test_rrn_mask_removes_every_rrn(text: str) -> None:
    masked = mask_rrn(text)
    assert not contains_rrn(masked)
    assert mask_rrn(masked) == masked
    assert contains_rrn(text) == (masked != text)


@SETTINGS
@given(text=ANY_TEXT)
def test_formula_and_org_key_never_raise(text: str) -> None:
    assert isinstance(looks_like_formula(text), bool)
    key = org_key(text)
    assert isinstance(key, str)
    assert not any(ch.isspace() for ch in key)


@SETTINGS
@given(
    name=st.from_regex(r"[가-힣]{2,6}", fullmatch=True),
    form=st.sampled_from(["㈜{}", "(주){}", "주식회사 {}", "{} 주식회사", "{}(주)", "( 주 ) {}", "{} Co., Ltd."]),
)
def test_org_key_legal_forms(name: str, form: str) -> None:
    if any(w in name for w in ("주식회사", "사단법인", "재단법인", "유한회사")):
        return
    assert org_key(form.format(name)) == org_key(name)
