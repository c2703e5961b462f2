"""희망시장수 on 참여신청: an organisation wanting several markets gets one 매칭 row per market
(never the same market twice), a 미배정 row saying how many it did not get, and staff's
confirmations, choices and row edits on any of its rows are respected run after run."""

from __future__ import annotations

import random

import pytest

from tests.test_match_step import APPS, MARKETS, matches, prepared, run_match
from tests.validation_helpers import app, app_cells

ROOMY = [{**m, "capacity": "2"} for m in MARKETS]
MANY = [
    {**APPS[0], "wants": "2"},  # 못골 1st, 지동 2nd, address in 수원 (모란시장 in 성남 is too far)
    *APPS[1:],
]


def rows_of(backends, app_id: str) -> list[dict[str, str]]:
    return [r for r in matches(backends) if r["신청ID"] == app_id]


def _set_row(backends, match_id: str, **cells: str) -> None:
    tab = backends["master"].tabs["매칭"]
    header = tab[0]
    row = next(r for r in tab[1:] if r[header.index("매칭ID")] == match_id)
    row.extend([""] * (len(header) - len(row)))
    for name, value in cells.items():
        row[header.index(name)] = value


def test_an_organisation_wanting_two_gets_two_different_markets(tmp_path):
    backends = prepared(tmp_path, apps=MANY, markets=ROOMY)
    outcome = run_match(backends, tmp_path)
    mine = rows_of(backends, "A-2024-0001")
    assert sorted((r["시장명"], r["상태"]) for r in mine) == [("못골시장", "제안"), ("지동시장", "제안")]
    assert len({r["매칭ID"] for r in mine}) == 2
    assert outcome.counts["participants"] == 3 and outcome.counts["unmatched"] == 0
    again = run_match(backends, tmp_path)
    assert (again.appended, again.written, again.unchanged) == (0, 0, 4)


def test_fewer_markets_than_wanted_leaves_one_unassigned_row_saying_so(tmp_path):
    backends = prepared(tmp_path, apps=[{**APPS[0], "wants": "5"}, *APPS[1:]], markets=ROOMY)
    outcome = run_match(backends, tmp_path)
    assert outcome.summary_lines()[0].endswith(", 희망시장수보다 적게 배정 1곳)")
    mine = rows_of(backends, "A-2024-0001")
    assert sorted(r["상태"] for r in mine) == ["미배정", "제안", "제안"]
    short = next(r for r in mine if r["상태"] == "미배정")
    assert short["추천사유"].startswith(
        "희망시장수 5곳 중 2곳을 배정했습니다. 나머지 3곳은 알맞은 시장에 자리가 남지 않아"
    )


def test_confirming_one_market_keeps_the_others_suggested(tmp_path):
    backends = prepared(tmp_path, apps=MANY, markets=ROOMY)
    run_match(backends, tmp_path)
    first = next(r for r in rows_of(backends, "A-2024-0001") if r["시장명"] == "못골시장")
    _set_row(backends, first["매칭ID"], 상태="확정")
    outcome = run_match(backends, tmp_path)
    mine = {r["시장명"]: r["상태"] for r in rows_of(backends, "A-2024-0001")}
    assert mine == {"못골시장": "확정", "지동시장": "제안"}
    assert outcome.counts["locked"] == 1
    assert not [i for i in outcome.issues if i.code == "offer_changed"]


def test_a_market_staff_typed_into_one_row_is_kept_and_the_rest_stay_the_jobs(tmp_path):
    backends = prepared(tmp_path, apps=[{**APPS[0], "wants": "2"}, *APPS[1:]], markets=ROOMY)
    run_match(backends, tmp_path)
    mine = rows_of(backends, "A-2024-0001")
    assert sorted(r["시장명"] for r in mine) == ["못골시장", "지동시장"]
    typed = next(r for r in mine if r["시장명"] == "지동시장")
    _set_row(backends, typed["매칭ID"], 시장코드="MK3", 시장명="")
    run_match(backends, tmp_path)
    mine = {r["매칭ID"]: (r["시장명"], r["추천사유"][:9]) for r in rows_of(backends, "A-2024-0001")}
    assert mine[typed["매칭ID"]] == ("모란시장", "직원이 고른 시장")
    assert sorted(name for name, _ in mine.values()) == ["모란시장", "못골시장"]


def test_the_same_market_typed_twice_is_left_as_typed_with_a_message(tmp_path):
    backends = prepared(tmp_path, apps=[{**APPS[0], "wants": "2"}, *APPS[1:]], markets=ROOMY)
    run_match(backends, tmp_path)
    mine = rows_of(backends, "A-2024-0001")
    _set_row(backends, mine[0]["매칭ID"], 상태="확정")
    _set_row(backends, mine[1]["매칭ID"], 시장코드=mine[0]["시장코드"], 시장명="")
    outcome = run_match(backends, tmp_path)
    staff = [i for i in outcome.issues if i.code == "staff_market"]
    assert [i.value for i in staff] == [mine[0]["시장코드"]]
    assert "이 기관은 다른 행에서 이미 확정되었습니다" in staff[0].message


def test_more_confirmed_rows_than_wanted_leaves_the_organisation_out_without_failing(tmp_path):
    backends = prepared(tmp_path, markets=ROOMY)
    run_match(backends, tmp_path)
    mid = rows_of(backends, "A-2024-0001")[0]["매칭ID"]
    _set_row(backends, mid, 상태="확정")
    tab = backends["master"].tabs["매칭"]
    header = tab[0]
    extra = [""] * len(header)
    for name, value in {"매칭ID": "M-2024-0099", "신청ID": "A-2024-0001", "시장코드": "MK3", "상태": "확정"}.items():
        extra[header.index(name)] = value
    tab.append(extra)
    outcome = run_match(backends, tmp_path)
    assert outcome.counts["left_out"] == 1
    unassigned = [r for r in rows_of(backends, "A-2024-0001") if r["상태"] == "미배정"]
    assert len(unassigned) == 1
    assert unassigned[0]["추천사유"].startswith(
        "확정·협약체결 행이 2개로 희망시장수(1)보다 많아 다시 매칭하지 않았습니다."
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("0", "0은(는) 범위 밖입니다. 1부터 10까지의 정수로 적으세요.", id="zero"),
        pytest.param("11", "11은(는) 범위 밖입니다. 1부터 10까지의 정수로 적으세요.", id="eleven"),
        pytest.param("2.5", "'2.5'는 소수입니다. 정수로 적으세요 (예: 3)", id="fraction"),
    ],
)
def test_a_bad_wants_value_is_an_error_on_its_row(tmp_path, text, message):
    backends = prepared(tmp_path, apps=[app(org_name="넷째기관", brn="", wants=text)])
    cells = app_cells(backends, 2)
    assert cells["검증결과"] == "오류"
    assert f"희망시장수: {message}" in cells["검증메시지"].splitlines()


@pytest.mark.parametrize("text", ["", "1", "3곳", "３"], ids=["blank", "one", "with-unit", "full-width"])
def test_good_wants_values_pass(tmp_path, text):
    backends = prepared(tmp_path, apps=[app(org_name="넷째기관", brn="", wants=text)])
    assert app_cells(backends, 2)["검증결과"] in ("정상", "경고")


@pytest.mark.parametrize("seed", range(5))
def test_staff_sorting_the_match_tab_between_runs_changes_nothing(tmp_path, seed):
    """People sort and reorder 매칭 while jobs run: the job finds its rows by 매칭ID, not position."""
    backends = prepared(tmp_path, apps=MANY, markets=ROOMY)
    run_match(backends, tmp_path)
    before = sorted(tuple(sorted(r.items())) for r in matches(backends))
    tab = backends["master"].tabs["매칭"]
    body = tab[1:]
    random.Random(seed).shuffle(body)
    tab[1:] = body
    again = run_match(backends, tmp_path)
    assert (again.appended, again.written) == (0, 0)
    assert sorted(tuple(sorted(r.items())) for r in matches(backends)) == before


def test_a_deleted_row_of_a_several_market_organisation_comes_back_once(tmp_path):
    backends = prepared(tmp_path, apps=MANY, markets=ROOMY)
    run_match(backends, tmp_path)
    tab = backends["master"].tabs["매칭"]
    header = tab[0]
    gone = next(i for i, r in enumerate(tab[1:], 1) if r[header.index("신청ID")] == "A-2024-0001")
    del tab[gone]
    again = run_match(backends, tmp_path)
    assert again.appended == 1
    assert len(rows_of(backends, "A-2024-0001")) == 2
    assert run_match(backends, tmp_path).appended == 0


def test_lowering_wants_retires_the_extra_row_once(tmp_path):
    backends = prepared(tmp_path, apps=[{**APPS[0], "wants": "2"}, *APPS[1:]], markets=ROOMY)
    run_match(backends, tmp_path)
    tab = backends["master"].tabs["참여신청"]
    header = tab[0]
    row = next(r for r in tab[1:] if r[header.index("신청ID")] == "A-2024-0001")
    row[header.index("희망시장수")] = "1"
    run_match(backends, tmp_path)
    mine = sorted((r["상태"], r["추천사유"][:24]) for r in rows_of(backends, "A-2024-0001"))
    assert [status for status, _ in mine] == ["미배정", "제안"]
    assert mine[0][1] == "이 기관의 다른 행이 이번 제안을 담았습니다."[:24]
    assert run_match(backends, tmp_path).written == 0
