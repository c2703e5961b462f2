"""Per-row validation of 참여신청: BAD_INPUTS rows as cases with exact Korean messages."""

from __future__ import annotations

import pytest

from automation.sheets.base import Merge
from tests.validation_helpers import GOOD_APP, app, app_cells, make_backends, run_validate

CASES = [
    # (id, changes, 검증결과, 검증메시지)
    ("good-row", {}, "정상", ""),
    ("01-required-org-name", {"org_name": ""}, "오류", "기관명: 필수값 누락 — 이 칸을 채우세요."),
    ("01-required-email", {"email": "  "}, "오류", "이메일: 필수값 누락 — 이 칸을 채우세요."),
    ("03-full-width-phone", {"phone": "０１０－１２３４－５６７８"}, "정상", ""),
    ("04-lost-leading-zero", {"phone": "1012345678"}, "경고", None),
    ("05-plus82-and-dots", {"phone": "+82 10.1234.5678"}, "정상", ""),
    (
        "06-short-phone",
        {"phone": "010-1234-567"},
        "오류",
        "연락처: '010-1234-567'은 자리수가 부족합니다 (예: 010-1234-5678)",
    ),
    ("06-landline-seoul", {"phone": "02-123-4567"}, "정상", ""),
    ("07-email-spaces", {"email": "  lee@example.com "}, "정상", ""),
    ("08-email-inner-space", {"email": "kim @ex.com"}, "오류", None),
    ("09-two-emails", {"email": "a@x.com, b@y.com"}, "오류", None),
    ("10-typo-domain", {"email": "kim@gmail.con"}, "경고", None),
    ("11-hangul-local-part", {"email": "김철수@example.com"}, "오류", None),
    ("13-brn-checksum", {"brn": "116-82-00277"}, "오류", None),
    ("13-brn-nine-digits", {"brn": "116-82-0027"}, "오류", None),
    ("20-amount-man", {"onnuri_thousand_won": "100만원"}, "정상", ""),
    ("20-amount-negative", {"onnuri_thousand_won": "-500"}, "오류", None),
    ("20-amount-scientific", {"onnuri_thousand_won": "1e5"}, "오류", None),
    ("20-amount-nan", {"onnuri_thousand_won": "nan"}, "오류", None),
    ("21-formula-in-name", {"org_name": '=IMPORTXML("http://x","//a")'}, "경고", None),
    ("24-emoji-name", {"org_name": "🙂기업"}, "정상", ""),
    ("25-bidi-name", {"org_name": "가나\u202e다"}, "정상", ""),
    ("27-newline-in-name", {"org_name": "가나\n다라"}, "정상", ""),
    (
        "30-rrn-in-notes",
        {"other_cooperation": "대표 900101-1234567 확인"},
        "오류",
        "기타협력: 주민등록번호로 보이는 값이 있습니다. 개인정보이므로 이 칸에서 지우세요.",
    ),
    ("22-leading-tab", {"org_name": "\t가나다"}, "정상", ""),
    ("26-very-long-text", {"special_program": "가" * 50_001}, "오류", None),
    ("42-true-in-text-column", {"contact_title": "TRUE"}, "경고", None),
    ("42-auto-date-in-text-column", {"products": "2024-01-05"}, "경고", None),
    ("43-nfd-hangul", {"org_name": "\u1100\u1161\u1102\u1161"}, "정상", ""),
    ("enum-typo", {"org_type": "중소기엄"}, "오류", None),
    ("yn-korean", {"market_day": "예", "privacy_consent": "✓"}, "정상", ""),
    (
        "no-consent",
        {"privacy_consent": "N"},
        "오류",
        "개인정보동의: 동의하지 않은 신청은 처리할 수 없습니다. 동의서를 받은 뒤 Y로 고치세요.",
    ),
    (
        "no-cooperation",
        {"market_day": "N", "purchase": "N", "onnuri_thousand_won": "", "special_program": ""},
        "오류",
        "협력분야: 협력 분야를 하나 이상 고르세요 (전통시장가는날 Y, 물품구매 Y, 온누리상품권(천원), 특화프로그램, 기타협력).",
    ),
    ("region-short-form", {"wish_market_1": "", "wish_region": "수원"}, "정상", ""),
    ("region-not-gyeonggi", {"wish_market_1": "", "wish_region": "부산"}, "오류", None),
    ("date-dots", {"received_on": "2024. 5. 2."}, "정상", ""),
    ("date-serial", {"received_on": "45414"}, "정상", ""),
    ("date-impossible", {"received_on": "2024-02-30"}, "오류", None),
    ("market-exact", {"wish_market_1": "지동시장"}, "정상", ""),
    (
        "market-spacing",
        {"wish_market_1": "못골 시장"},
        "경고",
        "희망시장1: '못골 시장'을 수원시 '못골시장'으로 읽었습니다. 맞으면 시장명을 '못골시장'으로 고치세요.",
    ),
    ("market-typo", {"wish_market_1": "모란시잔"}, "경고", None),
    (
        "market-same-name-own-city",
        {"wish_market_1": "중앙시장", "address": "경기도 안양시 만안구 안양로 1"},
        "정상",
        "",
    ),
    (
        "market-same-name-elsewhere",
        {"wish_market_1": "중앙시장"},
        "경고",
        "희망시장1: '중앙시장'에 맞는 시장이 여러 곳입니다: 중앙시장(안양시), 중앙시장(평택시). 시장명을 정확히 적으세요.",
    ),
    (
        "market-unknown",
        {"wish_market_1": "남대문시장"},
        "오류",
        "희망시장1: '남대문시장'을 '시장' 탭에서 찾을 수 없습니다. 시장명을 확인하거나, 비우고 희망지역을 적으세요.",
    ),
]


@pytest.mark.parametrize(("changes", "status", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_row_result_and_message(tmp_path, changes, status, message):
    backends = make_backends([app(**changes)])
    result = run_validate(backends, tmp_path)
    cells = app_cells(backends, 2)
    assert cells["검증결과"] == status, cells["검증메시지"]
    if message is not None:
        assert cells["검증메시지"] == message
    else:
        assert cells["검증메시지"]
    # staff cells are never changed without --fix
    for key, value in app(**changes).items():
        header = next(
            c.header
            for c in __import__("automation.schema", fromlist=["x"]).default_schemas()["참여신청"].columns
            if c.key == key
        )
        assert cells[header] == value
    assert sum(s.read for s in result.summaries if s.tab == "참여신청") == 1


def test_rrn_is_never_echoed_anywhere(tmp_path):
    backends = make_backends([app(special_program="주민번호 900101-1234567 입니다", contact_title="900101-1234567")])
    result = run_validate(backends, tmp_path)
    everything = repr(result.as_dict()) + repr(result.step_report().as_dict()) + repr(backends["master"].tabs)
    assert everything.count("900101-1234567") == 2  # only the two staff cells themselves
    assert "1234567" not in result.step_report().message


def test_blank_row_in_the_middle_is_skipped_and_counted(tmp_path):
    backends = make_backends([app(), None, app(org_name="다른기관", brn="")])
    result = run_validate(backends, tmp_path)
    summary = next(s for s in result.summaries if s.tab == "참여신청")
    assert (summary.read, summary.ok, summary.warnings, summary.errors, summary.blank) == (3, 2, 0, 0, 1)
    assert app_cells(backends, 3)["검증결과"] == ""
    assert app_cells(backends, 4)["검증결과"] == "정상"


def test_same_organisation_twice_is_reported_on_both_rows_not_merged(tmp_path):
    backends = make_backends(
        [app(org_name="㈜가나"), app(org_name="가나 주식회사", brn=""), app(org_name="주식회사 가나", brn="")]
    )
    run_validate(backends, tmp_path)
    for row, others in ((2, "3, 4"), (3, "2, 4"), (4, "2, 3")):
        cells = app_cells(backends, row)
        assert cells["검증결과"] == "경고"
        assert f"기관명: 같은 기관의 신청이 {others}행에도 있습니다." in cells["검증메시지"]
    assert len(backends["master"].tabs["참여신청"]) == 4


def test_merged_cells_are_a_row_error(tmp_path):
    backends = make_backends([app(), app(org_name="둘째", brn="")])
    backends["master"].merges["참여신청"] = [Merge(3, 3, 3, 4)]  # 기관명 merged into the next cell
    run_validate(backends, tmp_path)
    assert app_cells(backends, 3)["검증메시지"].startswith("병합된 셀이 있습니다.")


def test_fix_writes_normalised_values_and_lists_each_change(tmp_path):
    backends = make_backends([app(phone="０１０ 1234 5678", email=" lee@example.com")])
    result = run_validate(backends, tmp_path, fix=True)
    cells = app_cells(backends, 2)
    assert (cells["연락처"], cells["이메일"]) == ("010-1234-5678", "lee@example.com")
    assert [(c.column, c.before, c.after) for c in result.fixes] == [
        ("연락처", "０１０ 1234 5678", "010-1234-5678"),
        ("이메일", " lee@example.com", "lee@example.com"),
    ]


def test_good_app_fixture_is_really_good():
    assert GOOD_APP["brn"] == "116-82-00276"
