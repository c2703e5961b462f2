"""The 매칭 step on sheet rows: suggestions written as 제안, staff decisions respected."""

from __future__ import annotations

import pytest

from automation.match.step import match
from automation.sheets import Workbooks
from tests.validation_helpers import SCHEMAS, app, make_backends, run_validate

MARKETS = [
    {
        "market_code": "MK1",
        "market_name": "못골시장",
        "sigun": "수원시",
        "latitude": "37.2797",
        "longitude": "127.0205",
        "capacity": "1",
        "participating": "Y",
        "vouchers": "온누리상품권",
    },
    {
        "market_code": "MK2",
        "market_name": "지동시장",
        "sigun": "수원시",
        "latitude": "37.2806",
        "longitude": "127.0219",
        "capacity": "1",
        "participating": "Y",
    },
    {
        "market_code": "MK3",
        "market_name": "모란시장",
        "sigun": "성남시",
        "latitude": "37.4321",
        "longitude": "127.1290",
        "capacity": "1",
        "participating": "Y",
    },
    {
        "market_code": "MK4",
        "market_name": "안양중앙시장",
        "sigun": "안양시",
        "latitude": "37.3937",
        "longitude": "126.9235",
        "capacity": "1",
        "participating": "N",
    },
]
APPS = [
    app(org_name="첫째기관", brn="", received_on="2024-05-01", wish_market_1="못골시장", wish_market_2="지동시장"),
    app(org_name="둘째기관", brn="", received_on="2024-05-02", wish_market_1="못골시장", wish_market_2=""),
    app(
        org_name="셋째기관",
        brn="",
        received_on="2024-05-03",
        wish_market_1="",
        wish_region="성남시",
        address="경기도 성남시 중원구 둔촌대로 1",
    ),
]


def matches(backends) -> list[dict[str, str]]:
    rows = backends["master"].tabs["매칭"]
    return [dict(zip(rows[0], r + [""] * (len(rows[0]) - len(r)), strict=False)) for r in rows[1:]]


def prepared(tmp_path, apps=APPS, markets=MARKETS):
    backends = make_backends(apps, markets=markets)
    run_validate(backends, tmp_path)
    return backends


def run_match(backends, tmp_path, **kw):
    return match(Workbooks.of(backends), SCHEMAS, tmp_path, **kw)


def test_first_round_writes_one_row_per_applicant(tmp_path):
    backends = prepared(tmp_path)
    outcome = run_match(backends, tmp_path)
    rows = {r["신청ID"]: r for r in matches(backends)}
    # both name 못골 first (L2: one of them gets it); L3 decides: 첫째 can still get its 2nd choice
    assert {k: (v["시장명"], v["상태"], v["차수"]) for k, v in rows.items()} == {
        "A-2024-0001": ("지동시장", "제안", "1"),
        "A-2024-0002": ("못골시장", "제안", "1"),
        "A-2024-0003": ("모란시장", "제안", "1"),
    }
    assert rows["A-2024-0001"]["추천사유"].startswith("2지망 시장 · ")
    assert "1지망 시장은 다른 기관에 배정되었습니다" in rows["A-2024-0001"]["추천사유"]
    assert rows["A-2024-0003"]["추천사유"].startswith("희망 시·군(성남시) 내 시장")
    assert sorted(r["매칭ID"][-4:] for r in matches(backends)) == ["0001", "0002", "0003"]
    assert outcome.counts["first"] == 1 and outcome.counts["second"] == 1 and outcome.counts["city"] == 1
    again = run_match(backends, tmp_path)
    assert (again.appended, again.written, again.unchanged) == (0, 0, 3)


def test_confirmed_and_rejected_rows_are_respected_in_the_next_round(tmp_path):
    backends = prepared(tmp_path)
    run_match(backends, tmp_path)
    tab = backends["master"].tabs["매칭"]
    header = tab[0]
    status, memo = header.index("상태"), header.index("담당자메모")
    by_app = {r[header.index("신청ID")]: r for r in tab[1:]}
    by_app["A-2024-0002"][status] = "확정"
    by_app["A-2024-0002"][memo] = "5/20 통화"
    by_app["A-2024-0003"][status] = "거절"
    before_confirmed = list(by_app["A-2024-0002"])
    before_rejected = list(by_app["A-2024-0003"])
    outcome = run_match(backends, tmp_path)
    rows = matches(backends)
    assert rows[[r["신청ID"] for r in rows].index("A-2024-0002")] == dict(zip(header, before_confirmed, strict=False))
    assert rows[[r["신청ID"] for r in rows].index("A-2024-0003")] == dict(zip(header, before_rejected, strict=False))
    assert outcome.round == 1  # confirming pairs does not close round 1; signing them does
    new = [r for r in rows if r["신청ID"] == "A-2024-0003" and r["상태"] != "거절"]
    assert len(new) == 1 and new[0]["시장코드"] != "MK3"  # the rejected pair never returns
    assert new[0]["상태"] == "미배정"
    assert not any(r["시장코드"] == "MK4" for r in rows)  # 참여여부 N


def test_a_person_confirming_while_the_job_runs_wins(tmp_path):
    backends = prepared(tmp_path)
    run_match(backends, tmp_path)
    # a new applicant changes the optimum, and meanwhile staff confirm 첫째's current suggestion
    tab = backends["master"].tabs["참여신청"]
    tab.append(list(tab[1]))
    tab[-1][0] = ""
    tab[-1][2] = "넷째기관"
    run_validate(backends, tmp_path)

    master = backends["master"]
    first_read = master.reads + 1

    def staff(b, n):
        if n == first_read + 1:  # after the job read the sheet, before it re-reads to write
            rows = b.tabs["매칭"]
            for r in rows[1:]:
                if r[2] in ("A-2024-0001", "A-2024-0002"):
                    r[rows[0].index("상태")] = "확정"

    master.on_read = staff
    outcome = run_match(backends, tmp_path)
    confirmed = {r["신청ID"]: r["상태"] for r in matches(backends) if r["신청ID"] in ("A-2024-0001", "A-2024-0002")}
    assert confirmed == {"A-2024-0001": "확정", "A-2024-0002": "확정"}
    assert {i.code for i in outcome.issues} == {"row_changed"}, outcome.issues


def test_deleted_application_turns_its_suggestion_into_unassigned(tmp_path):
    backends = prepared(tmp_path)
    run_match(backends, tmp_path)
    del backends["master"].tabs["참여신청"][3]  # 셋째기관
    run_match(backends, tmp_path)
    row = next(r for r in matches(backends) if r["신청ID"] == "A-2024-0003")
    assert (row["상태"], row["시장코드"]) == ("미배정", "")
    assert row["추천사유"].startswith("신청 행이 없습니다")


def test_invalid_application_is_left_out_with_its_reason(tmp_path):
    backends = prepared(tmp_path, apps=[*APPS, app(org_name="오류기관", brn="", phone="010-1")])
    outcome = run_match(backends, tmp_path)
    row = next(r for r in matches(backends) if r["기관명"] == "오류기관")
    assert row["상태"] == "미배정"
    assert row["추천사유"] == "검증 오류가 있어 매칭에서 뺐습니다. 검증메시지를 보고 고치세요."
    assert outcome.counts["left_out"] == 1


def test_dry_run_writes_nothing(tmp_path):
    backends = prepared(tmp_path)
    outcome = run_match(backends, tmp_path, dry_run=True)
    assert matches(backends) == []
    assert len(outcome.preview) == 3


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        pytest.param({"A-2024-0002": "확정"}, 1, id="confirmed-keeps-the-round"),
        pytest.param({"A-2024-0002": "확정", "A-2024-0001": "확정"}, 1, id="confirming-more-never-shifts"),
        pytest.param({"A-2024-0002": "협약체결"}, 2, id="signed-closes-the-round"),
        pytest.param({"A-2024-0002": "종료"}, 2, id="ended-too"),
    ],
)
def test_the_round_moves_on_when_its_agreements_are_signed(tmp_path, statuses, expected):
    backends = prepared(tmp_path)
    run_match(backends, tmp_path)
    for app_id, status in statuses.items():
        _set(backends, app_id, 상태=status)
    outcome = run_match(backends, tmp_path)
    assert outcome.round == expected
    assert {r["차수"] for r in matches(backends) if r["상태"] in ("제안", "미배정")} == {str(expected)}


@pytest.mark.parametrize("requested", [3])
def test_round_can_be_given(tmp_path, requested):
    backends = prepared(tmp_path)
    assert run_match(backends, tmp_path, round_=requested).round == requested
    assert {r["차수"] for r in matches(backends)} == {"3"}


def _set(backends, app_id: str, **cells: str) -> None:
    tab = backends["master"].tabs["매칭"]
    header = tab[0]
    row = next(r for r in tab[1:] if r[header.index("신청ID")] == app_id)
    row.extend([""] * (len(header) - len(row)))
    for name, value in cells.items():
        row[header.index(name)] = value


def test_a_market_staff_typed_into_a_suggestion_is_kept_and_counted(tmp_path):
    """Staff phoned 첫째기관 and typed 모란시장 over the suggestion: the job keeps it (and its capacity
    counts), says so in 추천사유, and moves 셋째기관 (who wished 성남시) elsewhere, reporting that move."""
    backends = prepared(tmp_path)
    run_match(backends, tmp_path)
    _set(backends, "A-2024-0001", 시장코드="MK3", 시장명="")
    outcome = run_match(backends, tmp_path)
    rows = {r["신청ID"]: r for r in matches(backends)}
    first = rows["A-2024-0001"]
    assert (first["시장코드"], first["시장명"], first["상태"]) == ("MK3", "모란시장", "제안")
    assert first["추천사유"] == "직원이 고른 시장입니다 (작업의 추천이 아님). 작업은 이 행의 시장을 바꾸지 않습니다."
    assert rows["A-2024-0003"]["시장코드"] != "MK3"  # capacity 1 taken by staff's choice
    assert outcome.counts["staff"] == 1 and "직원이 고른 시장 1" in outcome.summary_lines()[0]
    moved = [i for i in outcome.issues if i.code == "offer_changed"]
    mid3 = rows["A-2024-0003"]["매칭ID"]
    assert [i.value for i in moved] == [mid3]
    assert moved[0].message.startswith(f"{mid3}: 제안이 바뀌었습니다 — 모란시장(MK3) → ")
    again = run_match(backends, tmp_path)  # and it stays staff's, run after run
    assert {r["신청ID"]: r["시장코드"] for r in matches(backends)}["A-2024-0001"] == "MK3"
    assert not [i for i in again.issues if i.code == "offer_changed"]


def test_a_market_name_staff_typed_is_resolved_and_an_unknown_one_left_as_typed(tmp_path):
    backends = prepared(tmp_path)
    run_match(backends, tmp_path)
    _set(backends, "A-2024-0001", 시장코드="", 시장명="모란시장")
    _set(backends, "A-2024-0002", 시장코드="", 시장명="없는시장")
    outcome = run_match(backends, tmp_path)
    rows = {r["신청ID"]: r for r in matches(backends)}
    assert (rows["A-2024-0001"]["시장코드"], rows["A-2024-0001"]["시장명"]) == ("MK3", "모란시장")
    assert (rows["A-2024-0002"]["시장코드"], rows["A-2024-0002"]["시장명"]) == ("", "없는시장")
    staff = [i for i in outcome.issues if i.code == "staff_market"]
    assert len(staff) == 1 and staff[0].column == "시장명"
    assert "'없는시장'을(를) 시장 탭에서 찾지 못해 그대로 두었습니다" in staff[0].message


def test_emptying_a_staff_choice_hands_the_row_back_to_the_job(tmp_path):
    backends = prepared(tmp_path)
    run_match(backends, tmp_path)
    _set(backends, "A-2024-0001", 시장코드="MK3", 시장명="")
    run_match(backends, tmp_path)
    _set(backends, "A-2024-0001", 시장코드="", 시장명="")
    run_match(backends, tmp_path)
    rows = {r["신청ID"]: r for r in matches(backends)}
    assert rows["A-2024-0001"]["시장명"] == "지동시장"
    assert not rows["A-2024-0001"]["추천사유"].startswith("직원이 고른")


def test_a_withdrawn_suggestion_is_listed_with_its_old_market(tmp_path):
    backends = prepared(tmp_path)
    run_match(backends, tmp_path)
    rows = {r["신청ID"]: r for r in matches(backends)}
    _set(backends, "A-2024-0002", 상태="확정")  # 못골 confirmed for 둘째
    tab = backends["master"].tabs["시장"]
    header = tab[0]
    for r in tab[1:]:
        if r[header.index("시장코드")] == "MK2":
            r[header.index("참여여부")] = "N"  # 지동 leaves the programme
    outcome = run_match(backends, tmp_path)
    moved = {i.value: i.message for i in outcome.issues if i.code == "offer_changed"}
    mid1 = rows["A-2024-0001"]["매칭ID"]
    assert moved[mid1].startswith(f"{mid1}: 제안이 바뀌었습니다 — 지동시장(MK2) → ")
