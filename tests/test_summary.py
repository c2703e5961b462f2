"""``summary``: the dashboard against a hand computation, the personal-data scan, charts, dry run.

Master and outcome rows go into real .xlsx files (and the loopback Google server) through the
same table code the jobs use; the dashboard is read back cell by cell from the files.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from google_fixtures import KEYS

from automation.config import Config
from automation.domain.outcome_tabs import tab_schema
from automation.geo import SIGUN
from automation.schema import DASHBOARD_TABS
from automation.setup import jobs
from automation.sheets import Workbooks
from automation.sheets.memory import MemoryBackend
from automation.sheets.writes import append_rows
from automation.summary.headline import LINES, TEAM_HEADER
from automation.summary.step import SummaryOutcome, summary
from tests.validation_helpers import MARKETS, SCHEMAS, app, make_backends

AT = dt.datetime(2024, 5, 20, 9, 30)
Rows = list[list[Any]]

# -- the fixed data set and its hand computation ------------------------------------------------

APPS = [
    app(
        application_id="A1",
        org_name="(주)가나다전자",
        org_type="중소기업",
        wish_region="수원시",
        market_day="Y",
        purchase="N",
        onnuri_thousand_won="1000",
        validation_result="정상",
    ),
    app(
        application_id="A2",
        org_name="경기대학교",
        org_type="대학",
        wish_region="",
        address="경기도 성남시 분당구 판교로 1",
        market_day="Y",
        purchase="Y",
        onnuri_thousand_won="0",
        special_program="요리 교실",
        validation_result="경고",
    ),
    app(
        application_id="A3",
        org_name="경기도청",
        org_type="공공기관",
        wish_region="안양",
        market_day="N",
        purchase="Y",
        onnuri_thousand_won="500",
        other_cooperation="없음",
        validation_result="정상",
    ),
    app(
        application_id="A4",
        org_name="서울스타트업",
        org_type="스타트업",
        wish_region="",
        address="서울특별시 강남구 테헤란로 1",
        market_day="N",
        purchase="N",
        onnuri_thousand_won="2,000",
        other_cooperation="축제 후원",
        validation_result="오류",
    ),
    app(
        application_id="A5",
        org_name="제51사단",
        org_type="군부대",
        wish_region="평택시",
        market_day="예",
        purchase="N",
        onnuri_thousand_won="70만원",
        validation_result="정상",
    ),
    app(
        application_id="A6",
        org_name="미래상회",
        org_type="외계기업",
        wish_region="수원",
        market_day="N",
        purchase="N",
        onnuri_thousand_won="300",
        validation_result="",
    ),
]


def _match(mid: str, rnd: str, app_id: str, code: str, status: str) -> dict[str, str]:
    return {"match_id": mid, "round": rnd, "application_id": app_id, "market_code": code, "status": status}


MATCHES = [
    _match("M-1", "1", "A1", "M0000001", "협약체결"),
    _match("M-2", "1", "A2", "M0000003", "확정"),
    _match("M-3", "1", "A3", "M0000004", "거절"),
    _match("M-4", "2", "A3", "M0000004", "제안"),
    _match("M-5", "2", "A5", "M0000005", "종료"),
    _match("M-6", "2", "A6", "M0000002", "제안"),
]


def _outcome(
    mid: str,
    market: str,
    org: str,
    day: str,
    kind: str,
    content: str,
    people: str,
    purchase: str,
    onnuri: str,
    link: str,
    best: str,
    status: str,
) -> dict[str, str]:
    return {
        "match_id": mid,
        "market_name": market,
        "org_name": org,
        "activity_date": day,
        "activity_type": kind,
        "content": content,
        "participants": people,
        "purchase_won": purchase,
        "onnuri_won": onnuri,
        "evidence_link": link,
        "best_practice": best,
        "validation_result": status,
    }


STAFF_OUTCOMES = [
    _outcome(
        "M-1",
        "못골시장",
        "(주)가나다전자",
        "2024-05-10",
        "전통시장가는날",
        "임직원 30명 장보기",
        "30",
        "600,000",
        "300000",
        "https://blog.example.com/1",
        "Y",
        "정상",
    ),
    _outcome(
        "M-1",
        "못골시장",
        "(주)가나다전자",
        "2024-07-02",
        "물품구매",
        "명절 선물 구매",
        "",
        "1,000,000",
        "0",
        "",
        "N",
        "경고",
    ),
    _outcome("M-5", "중앙시장", "제51사단", "", "기타", "장병 방문", "5", "100000", "0", "", "N", "정상"),
    _outcome("M-2", "모란시장", "경기대학교", "2024-06-01", "물품구매", "오류 행", "3", "999", "0", "", "Y", "오류"),
    {"match_id": "M-4", "market_name": "중앙시장", "org_name": "경기도청"},  # a starter row: no activity
]
MARKET_TAB = "성과_모란시장"
MARKET_OUTCOMES = [
    _outcome(
        "M-2",
        "모란시장",
        "경기대학교",
        "2024-05-20",
        "온누리상품권구매",
        "=1+1 온누리 구매",
        "10",
        "0",
        "50만원",
        "",
        "Y",
        "",
    )
]


def _headline(values: dict[str, list[Any]]) -> Rows:
    """요약's figure lines: (label → [합계, 1차, 2차]) with the unit and 설명 the module defines."""
    return [[label, unit, *values[label.strip()], note] for label, unit, _, note in LINES]


SUMMARY_LINES = _headline(
    {
        "협약 팀": [3, 2, 1],
        "협약체결": [2, 1, 1],
        "준비": [1, 1, 0],
        "협력과제": [0, 0, 0],
        "계획": [0, 0, 0],
        "진행": [0, 0, 0],
        "완료": [0, 0, 0],
        "보류": [0, 0, 0],
        "참여 기관": [3, 2, 1],
        "참여 시장": [3, 2, 1],
        "온누리 약정": [1700, 1000, 700],
        "온누리 구매": [800000, 800000, 0],
        "약정 대비 구매": [47.1, 80.0, 0.0],
        "물품 구매": [1700000, 1600000, 100000],
        "활동": [4, 3, 1],
        "참여 인원": [45, 40, 5],
    }
)
EXPECTED_SUMMARY: Rows = [
    ["우리동네 1사-1시장 협력 프로젝트 추진 현황"],
    [
        "협약 2팀 0과제 · 준비 중 1팀 · 참여 기관 3곳, 시장 3곳 · 온누리상품권 구매 800,000원 (약정의 47.1%) · "
        "활동 4건, 참여 45명"
    ],
    ["기준: 2024-05-20 09:30 · 활동 기간: 전체 기간 (자동 생성 — 고치지 마세요)"],
    [],
    ["항목", "단위", "합계", "1차 협약식", "2차 협약식", "설명"],
    *SUMMARY_LINES,
    [],
    ["활동 구간 (협약체결 팀)", "단위", "합계", "1차 협약식", "2차 협약식", "설명"],
    ["활동 3회 이상", "팀", 0, 0, 0, "기간 안 성과 행 수"],
    ["활동 2회", "팀", 1, 1, 0, "기간 안 성과 행 수"],
    ["활동 1회", "팀", 1, 0, 1, "기간 안 성과 행 수"],
    ["활동 없음", "팀", 0, 0, 0, "기간 안 성과 행 수"],
    [],
    ["신청·매칭 흐름", "단위", "합계", "", "", "설명"],
    ["접수", "건", 6, "", "", "참여신청 탭의 빈칸 아닌 행"],
    ["검증 통과", "건", 4, "", "", "검증결과 정상·경고"],
    ["매칭 제안", "짝", 2, "", "", "매칭 상태 제안 (매칭 행 수)"],
    ["확정", "짝", 3, "", "", "매칭 상태 확정·협약체결·종료"],
    ["협약체결", "짝", 2, "", "", "매칭 상태 협약체결·종료"],
    ["성과보고", "짝", 3, "", "", "확정 짝 중 성과 행(검증 오류 제외)이 1건 이상인 짝"],
]
EXPECTED_TEAMS: Rows = [
    list(TEAM_HEADER),
    ["M-1", "A1 – M0000001 협약", "1차 협약식", "협약체결", "", 1, 1, 0, 0, 2, 30, 300000, "2024-07-02", "활동 2회"],
    ["M-2", "A2 – M0000003 협약", "1차 협약식", "준비", "", 1, 1, 0, 0, 1, 10, 500000, "2024-05-20", "(협약 전)"],
    ["M-5", "A5 – M0000005 협약", "2차 협약식", "종료", "", 1, 1, 0, 0, 1, 5, 0, "", "활동 1회"],
    [],
    ["활동 기간: 전체 기간 — 활동·참여 인원·온누리 구매는 이 기간의 성과 행입니다."],
]
EXPECTED_FOLLOW_UP: Rows = [
    ["협약ID", "협약명", "협약식", "협약일", "마지막 활동일", "활동 없이 지난 날", "할 일"],
    ["없음 — 협약체결 팀이 모두 최근 60일 안에 활동했습니다."],
    [],
    [
        "2024-05-20 기준, 마지막 활동(없으면 협약일) 뒤 60일 이상 지난 협약체결 팀 "
        "([dashboard] idle_days로 바꿀 수 있습니다)."
    ],
]
SIGUN_NONZERO = {
    "수원시": [2, 1, 1, 1000, 2, 300000],
    "성남시": [1, 1, 1, 0, 1, 500000],
    "안양시": [1, 0, 0, 0, 0, 0],
    "평택시": [1, 1, 1, 700, 1, 0],
    "기타/미상": [1, 0, 0, 0, 0, 0],
}
EXPECTED_SIGUN: Rows = (
    [["시군", "신청", "협약 팀", "참여 시장", "온누리 약정(천원)", "활동(건)", "온누리 구매(원)"]]
    + [[s, *SIGUN_NONZERO.get(s, [0] * 6)] for s in [*SIGUN, "기타/미상"]]
    + [["합계", 6, 3, 3, 1700, 4, 800000]]
)
EXPECTED_ORG_TYPES: Rows = [
    ["기관유형", "신청", "협약 기관", "협약체결 기관", "온누리 약정(천원)"],
    ["대기업", 0, 0, 0, 0],
    ["중견기업", 0, 0, 0, 0],
    ["중소기업", 1, 1, 1, 1000],
    ["유니콘기업", 0, 0, 0, 0],
    ["벤처기업", 0, 0, 0, 0],
    ["스타트업", 1, 0, 0, 0],
    ["대학", 1, 1, 0, 0],
    ["공공기관", 1, 0, 0, 0],
    ["협단체", 0, 0, 0, 0],
    ["군부대", 1, 1, 1, 700],
    ["기타", 0, 0, 0, 0],
    ["미상", 1, 0, 0, 0],
    ["합계", 6, 3, 2, 1700],
]
EXPECTED_FIELDS: Rows = [
    ["협력분야", "신청 기관", "협약 기관", "협력과제", "완료 과제"],
    ["전통시장가는날", 3, 3, 0, 0],
    ["물품구매", 2, 1, 0, 0],
    ["온누리상품권", 5, 2, 0, 0],
    ["특화프로그램", 1, 1, 0, 0],
    ["기타협력", 1, 0, 0, 0],
]
EXPECTED_MONTHLY: Rows = [
    ["월", "신규 협약(팀)", "활동(건)", "참여 인원(명)", "구매금액(원)", "온누리상품권(원)"],
    ["2024-05", 0, 2, 40, 600000, 800000],
    ["2024-06", 0, 0, 0, 0, 0],
    ["2024-07", 0, 1, 0, 1000000, 0],
    ["활동일 없음", 0, 1, 5, 100000, 0],
    ["합계", 0, 4, 45, 1700000, 800000],
]
EXPECTED_BEST: Rows = [
    [
        "매칭ID",
        "시장명",
        "기관명",
        "활동일",
        "활동유형",
        "내용",
        "참여인원",
        "구매금액(원)",
        "온누리상품권(원)",
        "증빙링크",
        "홍보동의",
    ],
    [
        "M-1",
        "못골시장",
        "(주)가나다전자",
        "2024-05-10",
        "전통시장가는날",
        "임직원 30명 장보기",
        30,
        600000,
        300000,
        "https://blog.example.com/1",
    ],
    ["M-2", "모란시장", "경기대학교", "2024-05-20", "온누리상품권구매", "(수식처럼 보여 뺐습니다)", 10, 0, 500000, ""],
]
EXPECTED = {
    "요약": EXPECTED_SUMMARY,
    "팀별활동": EXPECTED_TEAMS,
    "후속관리": EXPECTED_FOLLOW_UP,
    "시군별": EXPECTED_SIGUN,
    "기관유형별": EXPECTED_ORG_TYPES,
    "협력분야별": EXPECTED_FIELDS,
    "월별성과": EXPECTED_MONTHLY,
    "우수사례후보": EXPECTED_BEST,
}
MESSAGE = (
    "대시보드 탭을 다시 만들었습니다 — 요약 35행, 팀별활동 6행, 후속관리 4행, 시군별 34행, 기관유형별 14행, "
    "협력분야별 6행, 월별성과 6행, 우수사례후보 3행; 차트 5개 (기준 2024-05-20 09:30, 활동 기간 전체 기간)\n"
    + EXPECTED_SUMMARY[1][0]
    + "\n협약 팀 3, 협약체결 팀 2, 협력과제 0, 참여 기관 3, 참여 시장 3, 활동 4, 접수 6, 검증 통과 4, 매칭 제안 2, "
    "확정 3, 협약체결 2, 성과보고 3; 성과 행 4, 우수사례후보 2"
)


# -- helpers ----------------------------------------------------------------------------------


def fill(
    config: Config,
    apps: Sequence[Mapping[str, str]],
    markets: Sequence[Mapping[str, str]],
    matches: Sequence[Mapping[str, str]],
    staff: Sequence[Mapping[str, str]],
    market_tabs: Mapping[str, Sequence[Mapping[str, str]]],
) -> None:
    """init the three files, then append rows the way the jobs do (by header, as text)."""
    jobs.init(config)
    with Workbooks(config) as books:
        master = books.master
        for tab, rows in (("참여신청", apps), ("시장", markets), ("매칭", matches)):
            append_rows(master, SCHEMAS[tab], [dict(r) for r in rows])
        outcomes = books.outcomes
        outcomes.ensure_tabs(list(market_tabs))
        for title in market_tabs:
            outcomes.append(title, [SCHEMAS["성과보고"].headers])
        for title, rows in {"성과보고": staff, **market_tabs}.items():
            schema = tab_schema(SCHEMAS, title)
            append_rows(outcomes, schema, [dict(r) for r in rows])


def run_summary(config: Config, *, dry_run: bool = False) -> SummaryOutcome:
    with Workbooks(config) as books:
        return summary(books, SCHEMAS, dry_run=dry_run, today=AT)


def trimmed(rows: Sequence[Sequence[Any]]) -> Rows:
    """Cells as values with '' for empty, trailing empties and rows dropped (as a sheet reads)."""
    out = [["" if v is None else v for v in r] for r in rows]
    for r in out:
        while r and r[-1] == "":
            r.pop()
    while out and not out[-1]:
        out.pop()
    return out


def shown(value: Any) -> str:
    """What Google shows for a cell the dashboard wrote (numbers with their #,##0 format)."""
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.1f}" if isinstance(value, float) else str(value)


def as_text(rows: Rows) -> Rows:
    return trimmed([[shown(v) for v in r] for r in rows])


def xlsx_dashboard(config: Config) -> dict[str, Rows]:
    wb = openpyxl.load_workbook(config.workbooks["dashboard"])
    return {t: trimmed([[c.value for c in r] for r in wb[t].iter_rows()]) for t in DASHBOARD_TABS}


def fixed(config: Config) -> None:
    fill(config, APPS, MARKETS, MATCHES, STAFF_OUTCOMES, {MARKET_TAB: MARKET_OUTCOMES})


# -- aggregates vs the hand computation -----------------------------------------------------------


def test_dashboard_equals_the_hand_computation_on_xlsx(xlsx_config):
    fixed(xlsx_config)
    outcome = run_summary(xlsx_config)
    assert xlsx_dashboard(xlsx_config) == {t: trimmed(rows) for t, rows in EXPECTED.items()}
    assert outcome.step_report().message == MESSAGE
    assert outcome.step_report().counts == {"협약 팀": 3, "접수": 6, "확정": 3, "성과 행": 4, "우수사례후보": 2}
    ws = openpyxl.load_workbook(xlsx_config.workbooks["dashboard"])["우수사례후보"]
    assert ws["F3"].value == "(수식처럼 보여 뺐습니다)" and ws["F3"].data_type == "s"  # left out, never a formula
    assert ws["G2"].data_type == "n"


def test_dashboard_equals_the_hand_computation_on_google(gsheets, google_onemarket_config):
    fixed(google_onemarket_config)
    run_summary(google_onemarket_config)
    book = gsheets.books[KEYS["dashboard"]]
    assert [t.title for t in book.tabs] == list(DASHBOARD_TABS)
    assert {t: gsheets.values(KEYS["dashboard"], t) for t in DASHBOARD_TABS} == {
        t: as_text(rows) for t, rows in EXPECTED.items()
    }
    best = book.tab("우수사례후보")
    assert best.typed[(2, 5)] == {"stringValue": "(수식처럼 보여 뺐습니다)"} and not best.formulas
    assert best.typed[(1, 6)] == {"numberValue": 30}


def test_a_large_dashboard_goes_to_google_in_batches_of_whole_tabs(gsheets, google_onemarket_config, monkeypatch):
    from automation.sheets import google_format

    monkeypatch.setattr(google_format, "BATCH_BYTES", 20_000)  # as if the tabs were a hundred times larger
    fixed(google_onemarket_config)
    for _ in range(2):  # the second run deletes the charts the first one added, by their cached ids
        start = len(gsheets.requests())
        run_summary(google_onemarket_config)
        sent = [e for e in gsheets.requests()[start:] if e.path.startswith(f"/v4/spreadsheets/{KEYS['dashboard']}")]
        assert 2 <= [e.kind for e in sent].count("spreadsheets.batchUpdate") < len(DASHBOARD_TABS)
        assert {t: gsheets.values(KEYS["dashboard"], t) for t in DASHBOARD_TABS} == {
            t: as_text(rows) for t, rows in EXPECTED.items()
        }
        charts = {t.title: [c["spec"]["title"] for c in t.charts] for t in gsheets.books[KEYS["dashboard"]].tabs}
        assert charts == {t: CHART_TABS.get(t, []) for t in DASHBOARD_TABS}


def test_rounds_and_blank_tables_with_nothing_to_count():
    backends = make_backends([app(application_id="A1", validation_result="정상")])
    backends["dashboard"] = MemoryBackend({})
    summary(Workbooks.of(backends), SCHEMAS, today=AT)
    typed = backends["dashboard"].typed
    assert typed["요약"][4:6] == [["항목", "단위", "합계", "설명"], ["협약 팀", "팀", 0, LINES[0][3]]]
    assert ["접수", "건", 1, "참여신청 탭의 빈칸 아닌 행"] in typed["요약"]
    assert typed["월별성과"] == [
        ["월", "신규 협약(팀)", "활동(건)", "참여 인원(명)", "구매금액(원)", "온누리상품권(원)"],
        ["합계", 0, 0, 0, 0, 0],
    ]
    assert typed["우수사례후보"][1:] == [["우수사례추천이 Y인 성과 행이 아직 없습니다."]]
    assert typed["팀별활동"][1] == ["확정된 짝이 아직 없습니다."]
    assert [c.title for cs in backends["dashboard"].charts.values() for c in cs] == [
        "활동 구간별 협약체결 팀 수",
        "시군별 협약 팀",
        "협력분야별 신청 기관과 협약 기관",
    ]  # no monthly chart over no months


def test_an_empty_master_still_gives_every_tab():
    backends = make_backends([], [], [], [])
    backends["dashboard"] = MemoryBackend({})
    outcome = summary(Workbooks.of(backends), SCHEMAS, today=AT)
    assert set(outcome.totals.values()) == {0}
    typed = backends["dashboard"].typed
    assert list(typed) == list(DASHBOARD_TABS)
    assert typed["시군별"][-1] == ["합계", 0, 0, 0, 0, 0, 0] and typed["기관유형별"][-1] == ["합계", 0, 0, 0, 0]


def _random_set(seed: int) -> dict[str, MemoryBackend]:
    rnd = random.Random(seed)
    apps = [
        app(
            application_id=f"A{i}",
            org_type=rnd.choice(["대기업", "대학", "군부대", "?", ""]),
            wish_region=rnd.choice(["수원", "성남시", "", "서울"]),
            onnuri_thousand_won=rnd.choice(["", "0", "300", "1,000"]),
            market_day=rnd.choice("YN"),
            validation_result=rnd.choice(["정상", "경고", "오류", ""]),
        )
        for i in range(60)
    ]
    matches = [
        _match(
            f"M-{i}",
            rnd.choice(["1", "2", "3", ""]),
            f"A{rnd.randrange(70)}",
            rnd.choice(["M0000001", "M0000003", "M9"]),
            rnd.choice(["제안", "확정", "협약체결", "종료", "거절", "미배정"]),
        )
        for i in range(50)
    ]
    outcomes = [
        _outcome(
            f"M-{rnd.randrange(60)}",
            "모란시장",
            "기관",
            rnd.choice(["", "2024-03-05", "2024-09-30"]),
            "기타",
            "내용",
            str(rnd.randrange(20)),
            str(rnd.randrange(10**6)),
            str(rnd.randrange(10**5)),
            "",
            rnd.choice("YN"),
            rnd.choice(["정상", "오류"]),
        )
        for _ in range(40)
    ]
    backends = make_backends(apps, MARKETS, matches, outcomes)
    backends["dashboard"] = MemoryBackend({})
    return backends


@pytest.mark.parametrize("seed", range(5))
def test_tabs_agree_with_each_other(seed):
    backends = _random_set(seed)
    outcome = summary(Workbooks.of(backends), SCHEMAS, today=AT)
    t = backends["dashboard"].typed
    totals, sigun, types, monthly = outcome.totals, t["시군별"][-1], t["기관유형별"][-1], t["월별성과"][-1]
    head = {str(r[0]).strip(): r for r in t["요약"][5:21]}
    teams = [r for r in t["팀별활동"][1:] if len(r) == len(TEAM_HEADER)]
    assert sigun[1] == types[1] == totals["접수"] == 60
    assert sigun[2] == head["협약 팀"][2] == totals["협약 팀"] == len(teams)
    assert types[2] == head["참여 기관"][2] and sigun[3] == head["참여 시장"][2]
    assert types[3] <= types[2]
    assert sigun[4] == types[4] == head["온누리 약정"][2]  # 온누리 약정, three ways
    assert sigun[5] == monthly[2] == head["활동"][2] == outcome.outcome_rows  # every usable activity, once
    assert sigun[6] == monthly[5] == head["온누리 구매"][2]
    assert sum(r[9] for r in teams) <= head["활동"][2]  # rows of unknown teams count in 합계 only
    for label, row in head.items():
        if label not in ("참여 기관", "참여 시장"):  # distinct counts: one body may sit in two rounds
            assert sum(v for v in row[3:-1] if isinstance(v, int)) <= row[2]  # rounds never exceed 합계


# -- dry run ------------------------------------------------------------------------------------


def test_dry_run_writes_nothing(xlsx_config):
    fixed(xlsx_config)
    path = Path(xlsx_config.workbooks["dashboard"])
    before = path.read_bytes()
    outcome = run_summary(xlsx_config, dry_run=True)
    assert path.read_bytes() == before
    assert outcome.step_report().message == MESSAGE.replace(
        "대시보드 탭을 다시 만들었습니다 — ", "미리보기: 대시보드에 아무것도 쓰지 않았습니다. 실행하면 다시 만들 탭 — "
    )


def test_dry_run_creates_no_tab_and_says_which_it_would():
    backends = make_backends(APPS, MARKETS, MATCHES)
    backends["dashboard"] = MemoryBackend({})
    outcome = summary(Workbooks.of(backends), SCHEMAS, dry_run=True, today=AT)
    assert backends["dashboard"].tabs == {} and backends["dashboard"].requests == 0
    assert outcome.step_report().message.splitlines()[-1] == (
        "새로 만들 탭: 요약, 팀별활동, 후속관리, 시군별, 기관유형별, 협력분야별, 월별성과, 우수사례후보"
    )


# -- charts ---------------------------------------------------------------------------------------

CHART_TABS = {
    "요약": ["활동 구간별 협약체결 팀 수"],
    "시군별": ["시군별 협약 팀"],
    "협력분야별": ["협력분야별 신청 기관과 협약 기관"],
    "월별성과": ["월별 활동 수", "월별 온누리상품권 구매(원)"],
}


def test_xlsx_charts_exist_and_a_second_run_replaces_them(xlsx_config):
    fixed(xlsx_config)
    for _ in range(2):
        run_summary(xlsx_config)
        wb = openpyxl.load_workbook(xlsx_config.workbooks["dashboard"])
        titles = {t: [c.title.tx.rich.p[0].r[0].t for c in wb[t]._charts] for t in DASHBOARD_TABS}
        assert titles == {t: CHART_TABS.get(t, []) for t in DASHBOARD_TABS}
    assert wb["월별성과"]._charts[1].series[0].val.numRef.f == "'월별성과'!$F$2:$F$4"
    bars = wb["시군별"]._charts[0]
    assert bars.series[0].val.numRef.f == "'시군별'!$C$2:$C$33" and bars.type == "bar"
    assert bars.x_axis.tickLblSkip == 1 and not bars.x_axis.delete  # every 시군 label shows
    assert (bars.y_axis.scaling.min, bars.y_axis.scaling.max, bars.y_axis.majorUnit) == (0, 5, 1)  # whole numbers
    ws = wb["요약"]
    assert ws["C16"].value == 1700 and ws["C16"].number_format == "#,##0" and ws["C18"].number_format == "#,##0.0"
    assert wb["팀별활동"].freeze_panes == "A2" and ws.freeze_panes is None
    pictures = wb["시군별"]._images
    assert len(pictures) == 1 and pictures[0].anchor._from.col == 7 + 13 - 1  # the map, right of the chart


def test_google_charts_exist_and_a_second_run_replaces_them(gsheets, google_onemarket_config):
    fixed(google_onemarket_config)
    book = gsheets.books[KEYS["dashboard"]]
    ids = []
    for _ in range(2):
        start = len(gsheets.requests())
        run_summary(google_onemarket_config)
        charts = {t.title: [c["spec"]["title"] for c in t.charts] for t in book.tabs}
        assert charts == {t: CHART_TABS.get(t, []) for t in DASHBOARD_TABS}
        ids.append({c["chartId"] for t in book.tabs for c in t.charts})
        sent = [e for e in gsheets.requests()[start:] if e.path.startswith(f"/v4/spreadsheets/{KEYS['dashboard']}")]
        assert [e.kind for e in sent] == ["spreadsheets.get", "spreadsheets.get", "spreadsheets.batchUpdate"]  # 8 tabs
    assert not ids[0] & ids[1]  # new charts, the old ones deleted
    bars = book.tab("시군별").charts[0]["spec"]["basicChart"]
    assert bars["chartType"] == "BAR" and bars["legendPosition"] == "NO_LEGEND"
    assert bars["axis"][1] == {
        "position": "BOTTOM_AXIS",
        "viewWindowOptions": {"viewWindowMode": "EXPLICIT", "viewWindowMin": 0, "viewWindowMax": 5},
    }
    assert book.tab("시군별").charts[0]["position"]["overlayPosition"]["heightPixels"] == 100 + 22 * 32


# -- personal data --------------------------------------------------------------------------------

NAMES = ("김철수", "이영희", "박상인", "Park Jisoo", "최민준")
PII_APPS = [
    app(
        application_id="P1",
        org_name="김철수베이커리",
        representative="김철수",
        contact_name="이영희 과장",
        phone="010-2345-6789",
        email="younghee.lee@bakery.example.com",
        brn="116-82-00276",
        org_type="중소기업",
        onnuri_thousand_won="500",
        validation_result="정상",
    ),
    app(
        application_id="P2",
        org_name="글로벌랩",
        representative="Park Jisoo",
        contact_name="최민준님",
        phone="031-123-4567",
        email="mj.choi@lab.example.org",
        brn="220-81-62517",
        validation_result="정상",
    ),
]
PII_MARKETS = [
    {
        **MARKETS[0],
        "association_contact": "박상인",
        "association_phone": "031-255-0000",
        "association_email": "mot-gol@example.org",
    }
]
PII_MATCHES = [_match("M-1", "1", "P1", "M0000001", "확정"), _match("M-2", "1", "P2", "M0000001", "협약체결")]
LONG = "시장 골목 환경 개선과 공동 마케팅을 함께 진행했습니다. " * 10
PII_OUTCOMES = [
    _outcome(
        "M-1",
        "못골시장",
        "김철수베이커리",
        "2024-05-10",
        "전통시장가는날",
        "김 철수 대표님과 이영희님이 방문. 문의 010-9876-5432 / younghee.lee@bakery.example.com, 사업자 "
        "116-82-00276, 주민번호 900101-1234567, 상인회 박상인(031-255-0000), +82 10 2345 6789",
        "12",
        "250,000",
        "0",
        "https://example.com/r?tel=01098765432&mail=kim@bakery.example.com",
        "Y",
        "정상",
    ),
    _outcome(
        "M-2",
        "못골시장",
        "글로벌랩",
        "2024-06-03",
        "SNS홍보",
        "PARK JISOO 님과 최민준 씨 참석. " + LONG,
        "4",
        "0",
        "100,000",
        "https://blog.example.com/2206081234 (최민준 블로그)",
        "Y",
        "경고",
    ),
]
PATTERNS = {
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    "phone": re.compile(r"(?<!\d)(?:\+\s?82|0)[\s.)-]*\d{1,2}[\s.)-]*\d{3,4}[\s.-]*\d{4}(?!\d)"),
    "brn": re.compile(r"(?<!\d)\d{3}[\s.-]?\d{2}[\s.-]?\d{5}(?!\d)"),
    "rrn": re.compile(r"(?<!\d)\d{6}[\s-]?[1-8]\d{6}(?!\d)"),
}


def leaks(cells: dict[str, Rows]) -> list[str]:
    """Every (tab, text, kind) where personal data shows in a dashboard cell."""
    found = []
    for tab, rows in cells.items():
        for text in (str(v) for r in rows for v in r if v != ""):
            squeezed = "".join(text.split()).casefold()
            found += [f"{tab}: {text!r} ({kind})" for kind, p in PATTERNS.items() if p.search(text)]
            found += [f"{tab}: {text!r} ({n})" for n in NAMES if "".join(n.split()).casefold() in squeezed]
    return found


def _pii(config: Config) -> SummaryOutcome:
    fill(config, PII_APPS, PII_MARKETS, PII_MATCHES, PII_OUTCOMES, {})
    return run_summary(config)


def test_no_personal_data_in_the_xlsx_dashboard(xlsx_config):
    outcome = _pii(xlsx_config)
    cells = xlsx_dashboard(xlsx_config)
    assert leaks(cells) == []
    assert leaks({"report": [[json.dumps(outcome.as_dict(), ensure_ascii=False), outcome.step_report().message]]}) == []
    best = cells["우수사례후보"]
    assert best[1][1:6] == [
        "못골시장",
        "[개인정보 가림]베이커리",
        "2024-05-10",
        "전통시장가는날",
        "[개인정보 가림] 대표님과 [개인정보 가림]님이 방문. 문의 [개인정보 가림] / [개인정보 가림], "
        "사업자 [개인정보 가림], 주민번호 [개인정보 가림], 상인회 [개인정보 가림]([개인정보 가림]), "
        "[개인정보 가림]",
    ]
    assert best[1][9] == "https://example.com/r?tel=[개인정보 가림]&mail=[개인정보 가림]"
    assert len(best[2][5]) == 200 and best[2][5].startswith("[개인정보 가림] 님과 [개인정보 가림] 씨 참석.")
    assert best[2][5].endswith("…")


def test_no_personal_data_in_the_google_dashboard(gsheets, google_onemarket_config):
    _pii(google_onemarket_config)
    cells = {t: gsheets.values(KEYS["dashboard"], t) for t in DASHBOARD_TABS}
    assert leaks(cells) == []
    assert cells["우수사례후보"][2][9] == "https://blog.example.com/[개인정보 가림] ([개인정보 가림] 블로그)"


def test_the_scan_itself_finds_planted_personal_data():
    planted = {
        "요약": [
            ["김 철수"],
            ["a.b@c.example.com"],
            ["02-123-4567"],
            ["1168200276"],
            ["900101 1234567"],
            ["park jisoo"],
        ]
    }
    assert len(leaks(planted)) == 6


# -- the scrubber ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("담당 kim.cs@example.co.kr", "담당 [개인정보 가림]", id="email"),
        pytest.param("010-1234-5678로 연락", "[개인정보 가림]로 연락", id="mobile-dashes"),
        pytest.param("010 1234 5678", "[개인정보 가림]", id="mobile-spaces"),
        pytest.param("01012345678", "[개인정보 가림]", id="mobile-digits"),
        pytest.param("(031) 255-0000", "([개인정보 가림]", id="landline-brackets"),
        pytest.param("+82-10-1234-5678", "[개인정보 가림]", id="international"),
        pytest.param("116-82-00276 사업자", "[개인정보 가림] 사업자", id="brn"),
        pytest.param("번호 1168200276", "번호 [개인정보 가림]", id="brn-digits"),
        pytest.param("900101-1234567", "[개인정보 가림]", id="rrn"),
        pytest.param("김철수 대표", "[개인정보 가림] 대표", id="name"),
        pytest.param("김 철 수님", "[개인정보 가림]님", id="name-spaced"),
        pytest.param(
            "참여 1,200명, 구매 3,000,000원, 2024-05-10",
            "참여 1,200명, 구매 3,000,000원, 2024-05-10",
            id="numbers-and-dates-kept",
        ),
        pytest.param("과장님과 대표가 없음", "과장님과 대표가 없음", id="titles-are-not-names"),
    ],
)
def test_scrubber(text, expected):
    from automation.privacy import Detector

    assert Detector(["김철수", "이영희 과장", "없음"])(text) == expected


@pytest.mark.parametrize(
    "cell, names",
    [
        pytest.param("이영희 과장", {"이영희", "이영희 과장"}, id="name-and-title"),
        pytest.param("최민준님", {"최민준", "최민준님"}, id="honorific"),
        pytest.param("김철수, 박영희", {"김철수", "박영희", "김철수, 박영희"}, id="two-names"),
        pytest.param("없음", set(), id="placeholder"),
        pytest.param("김", set(), id="too-short"),
        pytest.param("메모 " * 30, {"메모"}, id="a-note-is-not-a-name"),
    ],
)
def test_name_variants(cell, names):
    from automation.privacy import name_variants

    assert name_variants(cell) == names
