"""The dashboard counts teams (협약), their 협력과제 and activity per 협약식, as the agency reports
("N팀 M과제"); the period and the follow-up list come from ``[dashboard]``.

Master, outcome and dashboard tabs are in-memory backends holding the same rows a workbook would;
the xlsx and Google paths of the same tables are covered by tests/test_summary.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from automation.config import DashboardConfig
from automation.sheets import Workbooks
from automation.sheets.memory import MemoryBackend
from automation.summary.step import summary
from tests.validation_helpers import MARKETS, app, make_backends, rows_for

AT = dt.datetime(2026, 9, 30, 10, 0)
APPS = [
    app(application_id="A1", org_name="가평군청", org_type="공공기관", onnuri_thousand_won="1,000"),
    app(application_id="A2", org_name="가평교육지원청", org_type="공공기관", onnuri_thousand_won="500"),
    app(application_id="A3", org_name="가평소방서", org_type="공공기관", onnuri_thousand_won="0"),
    app(application_id="A4", org_name="엘지베스트샵", org_type="대기업", onnuri_thousand_won="2,000"),
    app(application_id="A5", org_name="경기대학교", org_type="대학", onnuri_thousand_won="300"),
]


def _match(mid: str, app_id: str, code: str, status: str, team: str, rnd: str = "1") -> dict[str, str]:
    return {
        "match_id": mid,
        "round": rnd,
        "application_id": app_id,
        "market_code": code,
        "status": status,
        "team_id": team,
    }


MATCHES = [
    _match("M-1", "A1", "M0000001", "협약체결", "T-1"),  # 3사-1시장
    _match("M-2", "A2", "M0000001", "협약체결", "T-1"),
    _match("M-3", "A3", "M0000001", "협약체결", "T-1"),
    _match("M-4", "A4", "M0000002", "협약체결", "T-2"),  # one organisation, two markets
    _match("M-5", "A4", "M0000003", "협약체결", "T-2"),
    _match("M-6", "A5", "M0000003", "확정", "T-3", "2"),  # not signed yet
    _match("M-7", "A5", "M0000002", "제안", ""),
]
TEAMS = [
    {"team_id": "T-1", "round": "1", "name": "가평 3사-1시장 협약", "ceremony": "1", "status": "협약체결"},
    {"team_id": "T-2", "round": "1", "name": "엘지베스트샵 – 수원·성남 협약", "ceremony": "1", "status": "협약체결"},
    {"team_id": "T-3", "round": "2", "name": "경기대학교 – 모란시장 협약", "ceremony": "2", "status": "준비"},
]
CEREMONIES = [{"round": "1", "held_at": "2026-05-16 14:00", "place": "영동시장"}, {"round": "2", "held_at": ""}]
TASKS = [
    {"task_id": f"P-{i}", "team_id": team, "title": "과제", "field": field, "status": status}
    for i, (team, field, status) in enumerate(
        [
            ("T-1", "전통시장가는날", "완료"),
            ("T-1", "온누리상품권구매", "진행"),
            ("T-1", "SNS홍보", ""),
            ("T-2", "물품구매", "진행"),
            ("T-2", "할인혜택", "보류"),
            ("T-3", "기타", "계획"),
            ("T-9", "기타", "계획"),  # a team that does not exist: counted nowhere
        ]
    )
]


def _outcome(team: str, mid: str, day: str, people: str, onnuri: str) -> dict[str, str]:
    return {
        "match_id": mid,
        "team_id": team,
        "market_name": "못골시장",
        "activity_date": day,
        "activity_type": "전통시장가는날",
        "participants": people,
        "purchase_won": "0",
        "onnuri_won": onnuri,
        "validation_result": "정상",
    }


OUTCOMES = [
    _outcome("T-1", "M-1", "2026-05-20", "10", "100000"),
    _outcome("T-1", "M-2", "2026-06-10", "5", "0"),
    _outcome("", "M-3", "2026-07-01", "20", "400000"),  # no 협약ID: its pair's team (T-1)
    _outcome("T-2", "", "2026-05-30", "8", "1000000"),
    _outcome("", "", "2026-06-15", "3", "0"),  # no team known: 합계 only
]


def _books() -> dict[str, MemoryBackend]:
    backends = make_backends(APPS, MARKETS, MATCHES, OUTCOMES)
    master = backends["master"]
    for tab, rows in (("협약", TEAMS), ("협력과제", TASKS), ("협약식", CEREMONIES)):
        master.tabs[tab] = rows_for(tab, rows)
    backends["dashboard"] = MemoryBackend({})
    return backends


def _run(settings: DashboardConfig | None = None) -> tuple[Any, dict[str, list[list[Any]]]]:
    backends = _books()
    outcome = summary(Workbooks.of(backends), _schemas(), today=AT, settings=settings)
    return outcome, backends["dashboard"].typed


def _schemas() -> Any:
    from tests.validation_helpers import SCHEMAS

    return SCHEMAS


def _lines(typed: dict[str, list[list[Any]]]) -> dict[str, list[Any]]:
    return {str(r[0]).strip(): r[2:-1] for r in typed["요약"][5:21]}


def test_headline_counts_teams_and_tasks_per_ceremony():
    outcome, typed = _run()
    assert typed["요약"][4][2:5] == ["합계", "1차 협약식", "2차 협약식"]
    lines = _lines(typed)
    assert lines["협약 팀"] == [3, 2, 1] and lines["협약체결"] == [2, 2, 0] and lines["준비"] == [1, 0, 1]
    assert lines["협력과제"] == [6, 5, 1]  # T-9's 과제 belongs to no team
    assert [lines[s] for s in ("계획", "진행", "완료", "보류")] == [[2, 1, 1], [2, 2, 0], [1, 1, 0], [1, 1, 0]]
    assert lines["참여 기관"] == [5, 4, 1] and lines["참여 시장"] == [3, 3, 1]
    assert lines["온누리 약정"] == [3800, 3500, 300]  # 엘지베스트샵's 2,000 once, not once per market
    assert lines["온누리 구매"] == [1500000, 1500000, 0] and lines["약정 대비 구매"] == [39.5, 42.9, 0.0]
    assert lines["활동"] == [5, 4, 0] and lines["참여 인원"] == [46, 43, 0]
    assert typed["요약"][1][0] == (
        "협약 2팀 5과제 · 준비 중 1팀 · 참여 기관 5곳, 시장 3곳 · 온누리상품권 구매 1,500,000원 (약정의 39.5%) · "
        "활동 5건, 참여 46명"
    )
    assert outcome.headline == typed["요약"][1][0]
    tiers = {r[0]: r[2:-1] for r in typed["요약"][23:27]}
    assert tiers == {"활동 3회 이상": [1, 1, 0], "활동 2회": [0, 0, 0], "활동 1회": [1, 1, 0], "활동 없음": [0, 0, 0]}


def test_team_rows_carry_ceremony_date_tasks_and_tier():
    _, typed = _run()
    rows = {r[0]: r for r in typed["팀별활동"][1:4]}
    assert rows["T-1"][1:] == [
        "가평 3사-1시장 협약",
        "1차 협약식",
        "협약체결",
        "2026-05-16",  # no 협약일: its ceremony's 일시
        3,
        1,
        3,
        1,
        3,
        35,
        500000,
        "2026-07-01",
        "활동 3회 이상",
    ]
    assert rows["T-2"][5:7] == [1, 2] and rows["T-3"][-1] == "(협약 전)"


@pytest.mark.parametrize(
    "since, until, activities, tiers",
    [
        pytest.param(None, None, [5, 4, 0], [1, 0, 1, 0], id="whole-programme"),
        pytest.param(dt.date(2026, 6, 1), None, [3, 2, 0], [0, 1, 0, 1], id="from-june"),
        pytest.param(dt.date(2026, 5, 1), dt.date(2026, 5, 31), [2, 2, 0], [0, 0, 2, 0], id="may-only"),
    ],
)
def test_the_period_chooses_the_activity_counted(since, until, activities, tiers):
    outcome, typed = _run(DashboardConfig(since=since, until=until))
    assert _lines(typed)["활동"] == activities
    assert [r[2] for r in typed["요약"][23:27]] == tiers
    assert outcome.outcome_rows == activities[0]
    assert typed["월별성과"][-1][2] == activities[0]


@pytest.mark.parametrize(
    "idle_days, late",
    [
        pytest.param(60, ["T-2", "T-1"], id="sixty-days"),  # last active 2026-05-30 (123 days), 07-01 (91)
        pytest.param(100, ["T-2"], id="hundred-days"),
        pytest.param(200, [], id="nobody"),
    ],
)
def test_follow_up_lists_signed_teams_idle_for_n_days(idle_days, late):
    _, typed = _run(DashboardConfig(idle_days=idle_days))
    listed = [r[0] for r in typed["후속관리"][1:] if len(r) == 7]
    assert listed == late
    if late:
        assert typed["후속관리"][1][4:6] == ["2026-05-30", 123]


def test_new_teams_by_month_of_their_signing():
    _, typed = _run()
    monthly = {r[0]: r[1:] for r in typed["월별성과"][1:]}
    assert monthly["2026-05"] == [2, 2, 18, 0, 1100000]
    assert list(monthly) == ["2026-05", "2026-06", "2026-07", "합계"]


def test_a_team_counts_in_every_sigun_of_its_markets_and_once_in_the_total():
    _, typed = _run()
    teams = {r[0]: r[2] for r in typed["시군별"][1:]}
    # T-1 (못골) and T-2 (지동) in 수원시, T-2 and T-3 (모란) in 성남시: T-2 counts in both, three in all
    assert {k: v for k, v in teams.items() if v and k != "합계"} == {"수원시": 2, "성남시": 2}
    assert teams["합계"] == 3
