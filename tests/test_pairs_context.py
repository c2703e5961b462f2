"""Confirmed pairs joined with their rows, and what an agreement says about them."""

from __future__ import annotations

import pytest

from automation.documents.context import agreement_context, for_document, manwon, missing_required
from tests.pair_helpers import APP, MARKET, MATCH, master, one_pair, pairs_of


@pytest.mark.parametrize(
    ("matches", "apps", "markets", "code"),
    [
        pytest.param([{**MATCH, "market_code": "GONE"}], [APP], [MARKET], "market_missing", id="market-deleted"),
        pytest.param(
            [MATCH],
            [{**APP, "application_id": "A-2026-0999"}],
            [MARKET],
            "application_missing",
            id="application-deleted",
        ),
        pytest.param([MATCH, MATCH], [APP], [MARKET], "duplicate_id", id="copied-row"),
        pytest.param([{**MATCH, "match_id": ""}], [APP], [MARKET], "match_id_missing", id="no-match-id"),
        pytest.param([MATCH], [APP], [MARKET, MARKET], "market_missing", id="market-code-twice"),
    ],
)
def test_unusable_rows_are_listed_not_guessed(matches, apps, markets, code):
    found = pairs_of(master(apps, markets, matches))
    assert found.pairs == []
    assert {i.code for i in found.issues} == {code}
    assert all(i.tab == "매칭" and i.row is not None for i in found.issues)


def test_market_deleted_message_names_the_code_and_the_consequence():
    found = pairs_of(master(matches=[{**MATCH, "market_code": "GONE"}]))
    assert found.issues[0].message == (
        "M-2026-0001: 시장코드 'GONE'인 시장이 시장 탭에 없거나 둘 이상입니다 (삭제·변경되었나요?). "
        "협약서와 안내 메일을 만들지 않았습니다. 확인하세요."
    )


def test_only_wanted_statuses():
    rows = [{**MATCH, "status": s, "match_id": f"M-2026-000{i}"} for i, s in enumerate(["제안", "거절", "확정"], 1)]
    found = pairs_of(master(matches=rows), ("확정",))
    assert [p.match_id for p in found.pairs] == ["M-2026-0003"]
    assert found.statuses == {"M-2026-0001": "제안", "M-2026-0002": "거절", "M-2026-0003": "확정"}


def test_agreement_context_from_the_application():
    context, issues = agreement_context(one_pair(), period_months=12)
    assert issues == []
    assert context["org_programs"] == [
        "전통시장 가는 날: 임직원이 정기적으로 못골시장을 방문해 장보기와 식사를 합니다.",
        "물품 구매: 기관의 행사·명절 물품을 못골시장에서 구매합니다.",
        "온누리상품권 구매: 연 1,200천원(120만 원) 규모로 구매합니다.",
        "특화프로그램: 임직원 봉사와 SNS 홍보",
    ]
    assert context["market_programs"] == [
        "기관 임직원이 방문할 때 할인과 편의(안내·배송 등)를 제공합니다.",
        "기관의 홍보·전시와 공동 행사를 위해 시장의 공간(고객지원센터 2층 교육장)을 제공합니다.",
        "기관과 함께하는 행사·봉사 활동과 시장 홍보에 협력합니다.",
        "온누리상품권을 쓸 수 있는 점포를 안내합니다.",
    ]
    assert (context["org_name"], context["org_rep"], context["market_association"]) == (
        "주식회사 한빛테크",
        "김한빛",
        "못골시장 상인회",
    )
    assert context["period"] == "협약 체결일부터 12개월 (어느 쪽도 종료를 알리지 않으면 같은 기간으로 연장)"
    assert context["facilitator"] == "경기지방중소벤처기업청"


def test_nothing_ticked_still_gives_one_program():
    context, _ = agreement_context(
        one_pair({"market_day": "N", "purchase": "N", "onnuri_thousand_won": "", "special_program": ""})
    )
    assert context["org_programs"] == ["기관의 여건에 맞게 전통시장 이용과 홍보에 협력합니다."]


@pytest.mark.parametrize(
    ("cell", "expected", "note"),
    [
        pytest.param('=IMPORTXML("http://x", "//a")', "", "formula", id="formula"),
        pytest.param("+SUM(A1:A3)", "", "formula", id="plus-function"),
        pytest.param("- 벽화 그리기", "• 벽화 그리기", "", id="dash-bullet-becomes-a-bullet"),
        pytest.param("+cmd|' /C calc'!A0", "", "formula", id="dde-payload"),
        pytest.param("-2+3", "", "formula", id="minus-expression"),
        pytest.param("@SUM(A1)", "", "formula", id="at-function"),
        pytest.param("  ＝1+1", "", "formula", id="full-width-after-spaces"),
        pytest.param("−2+3", "", "formula", id="minus-sign"),
        pytest.param("{{ 7*7 }}", "{{ 7*7 }}", "", id="jinja-braces-literal"),
        pytest.param("<script>alert(1)</script>", "<script>alert(1)</script>", "", id="html-kept-for-escaping"),
        pytest.param("연락 900101-1234567 요망", "연락 ******-******* 요망", "", id="rrn-masked"),
        pytest.param("줄\n바꿈", "줄 바꿈", "", id="newline-collapsed"),
        pytest.param("가" * 400, "가" * 300 + " …(이하 생략)", "truncated", id="long-text-cut"),
    ],
)
def test_for_document(cell, expected, note):
    assert for_document(cell) == (expected, note)


def test_formula_cell_is_left_out_with_a_warning():
    context, issues = agreement_context(one_pair({"special_program": '=HYPERLINK("http://evil")'}))
    assert not any("HYPERLINK" in item for item in context["org_programs"])
    assert [(i.code, i.column, i.severity) for i in issues] == [("document_formula", "특화프로그램", "경고")]


@pytest.mark.parametrize(
    ("thousand", "words"),
    [
        (1200, "120만 원"),
        (500, "50만 원"),
        (150000, "1억 5,000만 원"),
        (100000, "1억 원"),
        (1, "1,000 원"),
    ],
)
def test_manwon(thousand, words):
    assert manwon(thousand) == words


def test_missing_required_fields():
    assert missing_required(one_pair({"address": "", "org_name": "  "})) == ["참여신청.기관명", "참여신청.주소"]
    assert missing_required(one_pair()) == []
