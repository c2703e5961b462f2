"""``onemarket cards``: 5–8 cards of 1080×1080 PNG; only 우수사례 that staff marked 홍보동의 Y appear,
scrubbed of personal data; a photo only from a local file staff typed; the same workbook gives the
same PNG bytes; the figures are the dashboard's."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from automation.config import Config
from automation.errors import UsageError
from automation.sheets import Workbooks
from automation.summary.cards import cards, series
from automation.summary.model import Period
from automation.summary.step import load_facts
from tests.test_summary_teams import AT, OUTCOMES, TEAMS, _books
from tests.validation_helpers import SCHEMAS, rows_for


def _case(day: str, content: str, publish: str, photo: str = "") -> dict[str, str]:
    return {
        **OUTCOMES[0],
        "activity_date": day,
        "content": content,
        "best_practice": "Y",
        "publish": publish,
        "photo": photo,
    }


def _with_cases(*rows: dict[str, str]):  # type: ignore[no-untyped-def]
    backends = _books()
    backends["outcomes"].tabs["성과보고"] = rows_for("성과보고", [*OUTCOMES, *rows])
    return backends


def test_only_cases_staff_approved_appear_scrubbed(xlsx_config: Config, tmp_path: Path):
    photo = tmp_path / "market.png"
    Image.new("RGB", (800, 600), "#88aacc").save(photo)
    backends = _with_cases(
        _case("2026-05-21", "김대표와 임직원 30명이 장보기. 문의 010-1234-5678", "Y", str(photo)),
        _case("2026-05-22", "홍보 동의를 받지 못한 사례", ""),
        _case("2026-05-23", "사진 경로가 틀린 사례", "Y", "없는사진.jpg"),
        _case("2026-05-24", "사진이 인터넷 주소인 사례", "Y", "https://blog.example.com/a.jpg"),
    )
    made = series(
        load_facts(Workbooks.of(backends), SCHEMAS), Period(None, None, AT.date()), xlsx_config, "2026-09-30 10:00"
    )
    kinds = [c.kind for c in made]
    assert kinds == ["cover", "figures", "tasks", "case", "case", "case", "apply", "contact"]
    first, second, third = (c for c in made if c.kind == "case")
    assert third.photo is None
    assert first.lines[1] == "[개인정보 가림]와 임직원 30명이 장보기. 문의 [개인정보 가림]"
    assert first.photo == photo and second.lines[1] == "사진 경로가 틀린 사례"
    # the case's numbers as tiles, zeros left out (구매금액 0)
    assert [(f.value, f.label) for f in first.figures] == [("10명", "참여"), ("100,000원", "온누리상품권")]
    assert all("동의를 받지 못한" not in " ".join(c.lines) for c in made)
    outcome = cards(Workbooks.of(backends), SCHEMAS, xlsx_config, today=AT)
    assert len(outcome.files) == 8 and outcome.cases == 3
    assert outcome.notes == [
        f"사진을 열 수 없어 뺐습니다: {xlsx_config.base_dir / '없는사진.jpg'}",
        "사진 칸의 인터넷 주소는 쓰지 않습니다 (받아서 이 컴퓨터의 파일 경로를 적으세요): https://blog.example.com/a.jpg",
    ]
    for path in outcome.files:
        with Image.open(path) as image:
            assert image.size == (1080, 1080)


def test_figures_are_the_dashboards_and_files_are_stable(xlsx_config: Config):
    backends = _books()
    made = series(
        load_facts(Workbooks.of(backends), SCHEMAS), Period(None, None, AT.date()), xlsx_config, "2026-09-30 10:00"
    )
    figures = {f.label: f.value for f in made[1].figures}
    assert figures == {
        "협약을 맺은 팀": "2팀",
        "협력과제": "6개",
        "참여 기관 · 전통시장": "5곳 · 3곳",
        "온누리상품권 구매": "1,500,000원",
    }
    one = cards(Workbooks.of(backends), SCHEMAS, xlsx_config, today=AT)
    data = [p.read_bytes() for p in one.files]
    two = cards(Workbooks.of(_books()), SCHEMAS, xlsx_config, today=AT)
    assert [p.read_bytes() for p in two.files] == data
    assert 5 <= len(data) <= 8 and b"tEXt" not in data[0]


def test_a_month_counts_that_months_activity(xlsx_config: Config):
    outcome = cards(Workbooks.of(_books()), SCHEMAS, xlsx_config, month="2026-06", today=AT)
    assert outcome.what == "2026-06" and outcome.files[0].parent.name == "2026-06"


def test_before_any_signing_the_cards_count_the_teams_in_preparation(xlsx_config: Config):
    backends = _books()
    backends["master"].tabs["협약"] = rows_for("협약", [{**t, "status": "준비"} for t in TEAMS])
    made = series(
        load_facts(Workbooks.of(backends), SCHEMAS), Period(None, None, AT.date()), xlsx_config, "2026-09-30 10:00"
    )
    assert made[0].lines[1].startswith("협약 준비 3팀 · 협력과제 ")
    assert (made[1].figures[0].value, made[1].figures[0].label) == ("3팀", "협약을 준비하는 팀")


def test_korean_lines_break_between_words():
    from PIL import ImageDraw

    from automation.documents.cards import _font, wrap

    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    text = "기업 · 대학 · 공공기관 · 협회 · 군부대 누구나, 언제든 신청할 수 있습니다."
    lines = wrap(draw, text, _font(42), 920)
    assert " ".join(lines) == text and all(draw.textlength(line, font=_font(42)) <= 920 for line in lines)
    assert lines[-1].startswith("언제든") or "언제든" in lines[0]


def test_the_card_figures_are_read_off_the_dashboard(xlsx_config: Config):
    from automation.summary.step import summary

    backends = _books()
    made = series(
        load_facts(Workbooks.of(backends), SCHEMAS), Period(None, None, AT.date()), xlsx_config, "2026-09-30 10:00"
    )
    summary(Workbooks.of(backends), SCHEMAS, today=AT)
    head = {str(r[0]).strip(): r[2] for r in backends["dashboard"].typed["요약"][5:21]}
    shown = {f.label: f.value for f in made[1].figures}
    assert shown["협약을 맺은 팀"] == f"{head['협약체결']}팀"
    assert shown["협력과제"] == f"{head['협력과제']}개"
    assert shown["참여 기관 · 전통시장"] == f"{head['참여 기관']}곳 · {head['참여 시장']}곳"
    assert shown["온누리상품권 구매"] == f"{head['온누리 구매']:,}원"
    assert made[1].footer.startswith(f"활동 {head['활동']:,}건, 참여 {head['참여 인원']:,}명")


def _texts(card) -> list[str]:  # type: ignore[no-untyped-def]
    return [card.title, *card.lines, card.footer, *(t for f in card.figures for t in (f.value, f.label))]


def test_every_card_text_has_korean_glyphs_and_no_personal_data(xlsx_config: Config):
    from matplotlib.ft2font import FT2Font

    from automation.documents.map import korean_font
    from tests.test_summary import leaks

    backends = _with_cases(_case("2026-05-21", "담당 kim@example.com, 010-1234-5678로 문의", "Y"))
    made = series(
        load_facts(Workbooks.of(backends), SCHEMAS), Period(None, None, AT.date()), xlsx_config, "2026-09-30 10:00"
    )
    texts = [t for c in made for t in _texts(c)]
    assert leaks({"cards": [texts]}) == []
    font = FT2Font(str(korean_font()))
    missing = {ch for t in texts for ch in t if not ch.isspace() and not font.get_char_index(ord(ch))}
    assert missing == set()


@pytest.mark.parametrize("period", ["2026-13", "06-2026", ""], ids=["month-13", "month-first", "blank"])
def test_a_wrong_period_says_how_to_write_it(xlsx_config: Config, period: str):
    with pytest.raises(UsageError) as caught:
        cards(Workbooks.of(_books()), SCHEMAS, xlsx_config, month=period, today=AT)
    assert "2026-05처럼" in caught.value.message
