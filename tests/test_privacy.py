"""The one personal-data detector: written forms people really type, and near-misses that must stay."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.privacy import MASK, PATTERNS, Detector, kinds_text, normalise

M = MASK
DETECT = Detector(["홍길동", "김 철수 과장", "이영희님", "박 민준, 최서연"])

FOUND = [  # (text, masked text, kinds found)
    # phones: every dash and minus, full-width, spaces, dots, underscores, brackets, +82
    ("010-9876-5432", M, "phone"),
    ("010–9876–5432", M, "phone"),  # en dash
    ("010—9876—5432", M, "phone"),  # em dash
    ("010−1111−2222", M, "phone"),  # U+2212 minus sign
    ("010‐1111‐2222", M, "phone"),  # U+2010 hyphen
    ("010﹣1111﹣2222", M, "phone"),  # small hyphen-minus
    ("０１０－１２３４－５６７８", M, "phone"),  # full-width
    ("010 1234 5678", M, "phone"),
    ("010  1234  5678", M, "phone"),
    ("010.1234.5678", M, "phone"),
    ("010_1234_5678", M, "phone"),
    ("010/1234/5678", M, "phone"),
    ("01012345678", M, "phone"),
    ("010-123-4567", M, "phone"),
    ("010 - 1234 - 5678", M, "phone"),
    ("010\u200b-1234-5678", M, "phone"),  # zero-width space
    ("(010)1234-5678", "(" + M, "phone"),
    ("(02) 123-4567", "(" + M, "phone"),
    ("02-123-4567", M, "phone"),
    ("031-123-4567", M, "phone"),
    ("0311234567", M, "phone"),
    ("070-1234-5678", M, "phone"),
    ("+82 10 1234 5678", M, "phone"),
    ("+82-10-1234-5678", M, "phone"),
    ("+82(0)10-1234-5678", M, "phone"),
    ("+8210-1234-5678", M, "phone"),
    ("82-10-1234-5678", M, "phone"),
    ("전화010-1234-5678로 연락", f"전화{M}로 연락", "phone"),
    ("휴대폰: 010.9999.8888 (담당)", f"휴대폰: {M} (담당)", "phone"),
    # e-mail: IDN, punycode, full-width @, spaces, (at)
    ("gildong@example.com", M, "email"),
    ("gildong@기관.한국", M, "email"),
    ("홍길동@기관.한국", M, "email"),
    ("kim@xn--3e0b707e.xn--3e0b707e", M, "email"),
    ("kim@naver.xn--3e0b707e", M, "email"),
    ("kim＠example.com", M, "email"),
    ("kim ＠ example.com", M, "email"),
    ("kim @example.com", M, "email"),
    ("kim(at)example.co.kr", M, "email"),
    ("kim[at]example.co.kr", M, "email"),
    ("KIM.Lee+tag@Example.GO.KR", M, "email"),
    ("메일은 kim@ex.com 으로", f"메일은 {M} 으로", "email"),
    ("kim_01@sub.example.org,", f"{M},", "email"),
    # 사업자등록번호
    ("116-82-00276", M, "brn"),
    ("116–82–00276", M, "brn"),
    ("116−82−00276", M, "brn"),
    ("116 82 00276", M, "brn"),
    ("116.82.00276", M, "brn"),
    ("116_82_00276", M, "brn"),
    ("１１６－８２－００２７６", M, "brn"),
    ("1168200276", M, "brn"),  # ten digits with a valid check digit
    ("사업자번호116-82-00276입니다", f"사업자번호{M}입니다", "brn"),
    # 주민등록번호-like, also half-masked
    ("900101-1234567", M, "rrn"),
    ("900101_1234567", M, "rrn"),
    ("900101 1234567", M, "rrn"),
    ("9001011234567", M, "rrn"),
    ("900101–2234567", M, "rrn"),
    ("９００１０１－１２３４５６７", M, "rrn"),
    ("900101-1******", M, "rrn"),
    ("900101 - 1234567", M, "rrn"),
    # names the workbook holds
    ("홍길동", M, "name"),
    ("홍 길동 과장님", f"{M} 과장님", "name"),
    ("김철수님께 연락", f"{M}님께 연락", "name"),
    ("담당: 김 철수", f"담당: {M}", "name"),
    ("이영희 대리", f"{M} 대리", "name"),
    ("박민준·최서연 참석", f"{M}·{M} 참석", "name"),
    # several at once
    ("홍길동 010-1234-5678 gildong@ex.com", f"{M} {M} {M}", "email,name,phone"),
]

KEPT = [  # near-misses that must stay exactly as typed
    "1,200,000원",
    "₩12,000",
    "100만원",
    "1억 2천만원",
    "12,000천원",
    "연 3,000,000원 구매",
    "2024-05-02",
    "2024.5.2",
    "2024. 5. 2.",
    "24.5.2",
    "2024년 5월 2일",
    "2024-2025",
    "09:30-10:30",
    "MK0012",
    "M-2026-0001",
    "A-2026-0012",
    "41-0012",
    "300명",
    "1588-1234",
    "1,000",
    "010-1234-567",
    "2024-05-02 10:30",
    "참여 120명, 구매 3,000,000원",
    "과장님과 대표가 없음",
    "전화 없음",
    "@시장_공식",
    "https://example.com/report",
    "제1234호",
    "5-2번지",
    "3.141592",
    "0.5",
    "12-34",
    "1234-5678",
    "900101",
    "123-45-678",
    "2026-12-02T10:30:00+09:00",
    "김",
    "철",
    "홍보",
    "길동시장",
    "(예: 010-1234-5678)",
    "예: kim@example.com",
    "(예: 116-82-00276)",
]


@pytest.mark.parametrize("text, masked, kinds", [pytest.param(t, m, k, id=t) for t, m, k in FOUND])
def test_found_and_masked(text: str, masked: str, kinds: str) -> None:
    assert DETECT.mask(text) == masked
    assert ",".join(sorted({f.kind for f in DETECT.find(text)})) == kinds


@pytest.mark.parametrize("text", [pytest.param(t, id=t) for t in KEPT])
def test_near_misses_stay(text: str) -> None:
    assert DETECT.mask(text) == text, DETECT.find(text)


def test_at_least_sixty_written_forms() -> None:
    assert len(FOUND) >= 60 and len(KEPT) >= 30


def test_patterns_alone_do_not_know_names() -> None:
    assert PATTERNS.mask("홍길동 010-1234-5678") == f"홍길동 {M}"


def test_counts_for_a_message() -> None:
    _, counts = DETECT.mask_counted("홍길동 010-1234-5678, 02-123-4567")
    assert kinds_text(counts) == "이름 1건, 전화번호 2건"


@given(st.text(max_size=60))
def test_normalise_maps_every_character_back(text: str) -> None:
    norm, where = normalise(text)
    assert len(where) == len(norm) + 1 and where[-1] == len(text)
    assert all(0 <= i < len(text) for i in where[:-1]) and where[:-1] == sorted(where[:-1])


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_masking_keeps_what_it_does_not_find(text: str) -> None:
    masked = DETECT.mask(text)
    found = DETECT.find(text)
    if not found:
        assert masked == text
    else:
        assert masked.count(M) >= len(found) and not DETECT.find(masked.replace(M, " "))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("공백 없이 적으세요 (예: gildong@ex.com)", id="a-corrected-address-is-data"),
        pytest.param("예: 010-9876-5432", id="not-the-product-example"),
        pytest.param("116-82-00276", id="the-example-outside-a-message"),
    ],
)
def test_only_the_products_own_examples_after_ye_stay(text: str) -> None:
    assert M in DETECT.mask(text)


def test_run_ids_never_read_as_phone_numbers() -> None:
    """A run at 02:03:46 with a digits-only suffix read as 02-0346-0402 and was masked in the demo."""
    import datetime as dt

    from automation.pipeline.runlog import new_run_id

    for hour in range(24):
        for _ in range(20):
            run_id = new_run_id(dt.datetime(2026, 12, 4, hour, 3, 46))
            assert PATTERNS.mask(run_id) == run_id
