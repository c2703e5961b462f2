"""`onemarket outcomes`: a tab per partnered market, starter rows, ownership checks and reminders."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from automation.domain.outcome_records import collect_outcomes
from automation.domain.outcome_tabs import market_titles, tab_title
from automation.outcomes.step import outcomes
from automation.sheets import Workbooks
from automation.sheets.table import read_tables
from tests.pair_helpers import APP, MARKET, MATCH
from tests.step_helpers import journal_entries, mail_log, run_step, smtp_section, workbook
from tests.validation_helpers import SCHEMAS

MARKET2 = {**MARKET, "market_code": "MK2", "market_name": "지동시장", "association_email": "jidong@example.org"}
APP2 = {**APP, "application_id": "A-2026-0002", "org_name": "경기상회", "email": "kim@gyeonggi.example.com"}
MATCH2 = {
    **MATCH,
    "match_id": "M-2026-0002",
    "application_id": "A-2026-0002",
    "org_name": "경기상회",
    "market_code": "MK2",
    "market_name": "지동시장",
}
DAY = dt.date(2026, 11, 29)


def _two_markets(tmp_path, status="확정", mail=""):
    return workbook(
        tmp_path,
        apps=[APP, APP2],
        markets=[MARKET, MARKET2],
        matches=[{**MATCH, "status": status}, {**MATCH2, "status": status}],
        mail=mail,
    )


def _sheet(config, title):
    wb = openpyxl.load_workbook(config.workbooks["outcomes"], read_only=True)
    rows = [["" if v is None else str(v) for v in r] for r in wb[title].iter_rows(values_only=True)]
    wb.close()
    return rows


def _run(config, **kw):
    with Workbooks(config, save=not kw.get("dry_run", False)) as books:
        return outcomes(books, SCHEMAS, config, **kw)


def test_each_partnered_market_gets_its_own_tab_with_starter_rows(tmp_path):
    config = _two_markets(tmp_path)
    result = _run(config, today=DAY)
    assert result.tabs_created == ["성과_못골시장", "성과_지동시장"]
    header, *rows = _sheet(config, "성과_못골시장")
    assert header[:4] == ["성과ID", "매칭ID", "시장명", "기관명"]
    assert [r[1:4] for r in rows] == [["M-2026-0001", "못골시장", "주식회사 한빛테크"]]
    text = " ".join(" ".join(r) for r in _sheet(config, "성과_지동시장"))
    for personal in ("이담당", "010-2345-6789", "lee@hanbit.example.com", "116-82-00276", "김한빛"):
        assert personal not in text  # the outcomes file holds no applicant personal data
    again = _run(config, today=DAY)
    assert (again.tabs_created, again.starter_rows) == ([], 0)


@pytest.mark.parametrize("status", ["제안", "거절", "미배정"])
def test_no_tab_before_confirmation(tmp_path, status):
    config = _two_markets(tmp_path, status=status)
    assert _run(config, today=DAY).tabs_created == []


def test_same_market_name_in_two_cities_gets_distinct_tabs(tmp_path):
    config = workbook(
        tmp_path,
        markets=[
            {**MARKET, "market_name": "중앙시장", "sigun": "안양시"},
            {**MARKET2, "market_name": "중앙시장", "sigun": "평택시"},
        ],
    )
    master = read_tables(Workbooks(config).master, [SCHEMAS["시장"]])["시장"]
    assert market_titles(master) == {"MK1": "성과_중앙시장(안양시)", "MK2": "성과_중앙시장(평택시)"}


def test_same_name_in_the_same_city_gets_a_tab_each_told_apart_by_code(tmp_path):
    """Measured before: both markets shared one tab; the first market's pair got no starter row and
    only the second market could edit it, while the step reported success."""
    twins = [
        {**MARKET, "market_name": "중앙시장", "sigun": "안양시"},
        {**MARKET2, "market_name": "중앙시장", "sigun": "안양시"},
    ]
    config = workbook(
        tmp_path,
        apps=[APP, APP2],
        markets=twins,
        matches=[{**MATCH, "market_name": "중앙시장"}, {**MATCH2, "market_name": "중앙시장"}],
    )
    master = read_tables(Workbooks(config).master, [SCHEMAS["시장"]])["시장"]
    assert market_titles(master) == {"MK1": "성과_중앙시장(MK1)", "MK2": "성과_중앙시장(MK2)"}
    result = _run(config, today=DAY)
    assert sorted(result.tabs_created) == ["성과_중앙시장(MK1)", "성과_중앙시장(MK2)"]
    assert [r[1] for r in _sheet(config, "성과_중앙시장(MK1)")[1:]] == ["M-2026-0001"]
    assert [r[1] for r in _sheet(config, "성과_중앙시장(MK2)")[1:]] == ["M-2026-0002"]


@pytest.mark.parametrize(
    ("name", "sigun", "title"),
    [
        ("못골시장", "", "성과_못골시장"),
        ("수원 팔달문/지동 [연합]*시장", "", "성과_수원 팔달문_지동 _연합__시장"),
        ("가" * 40, "수원시", "성과_" + "가" * 23 + "(수원시)"),
    ],
)
def test_tab_titles_fit_excel(name, sigun, title):
    assert tab_title(name, sigun) == title and len(title) <= 31


def _type_outcome(config, title, cells):
    path = config.workbooks["outcomes"]
    wb = openpyxl.load_workbook(path)
    ws = wb[title]
    headers = [c.value for c in ws[1]]
    row = ws.max_row + 1
    for header, value in cells.items():
        ws.cell(row=row, column=headers.index(header) + 1, value=value)
    wb.save(path)


def test_a_market_cannot_report_for_someone_elses_match(tmp_path):
    config = _two_markets(tmp_path)
    _run(config, today=DAY)
    _type_outcome(
        config,
        "성과_못골시장",
        {
            "매칭ID": "M-2026-0002",
            "시장명": "못골시장",
            "기관명": "경기상회",
            "활동일": "2026-11-20",
            "활동유형": "물품구매",
            "구매금액(원)": "300000",
        },
    )
    _type_outcome(
        config,
        "성과_못골시장",
        {
            "매칭ID": "M-2026-0001",
            "시장명": "못골시장",
            "기관명": "주식회사 한빛테크",
            "활동일": "2026-11-21",
            "활동유형": "전통시장가는날",
            "참여인원": "25",
        },
    )
    result = run_step(config, "validate")
    header, *rows = _sheet(config, "성과_못골시장")
    col = {h: i for i, h in enumerate(header)}
    by_id = {r[col["매칭ID"]]: r for r in rows if r[col["활동일"]]}
    assert by_id["M-2026-0002"][col["검증결과"]] == "오류"
    assert (
        "'M-2026-0002'는 이 시장의 매칭ID가 아닙니다. 이 탭에는 이 시장의 협약(M-2026-0001)만 적을 수 있습니다. "
        "매칭ID를 확인하세요."
    ) in by_id["M-2026-0002"][col["검증메시지"]]
    assert by_id["M-2026-0001"][col["검증결과"]] == "정상"
    assert by_id["M-2026-0001"][col["성과ID"]].startswith("O-")
    starter = [r for r in rows if not r[col["활동일"]]]
    assert starter and all(r[col["검증결과"]] == "" for r in starter)  # starter rows are not records yet
    assert result.data_errors
    records = collect_outcomes(Workbooks(config).outcomes, SCHEMAS)
    assert sorted((r.match_id, r.usable) for r in records) == [("M-2026-0001", True), ("M-2026-0002", False)]


def test_reminder_once_per_period(tmp_path, smtp_server):
    config = _two_markets(tmp_path, status="협약체결", mail=smtp_section(smtp_server.port))
    assert _run(config, today=DAY).reminders == 0  # first seen signed today
    assert _run(config, today=DAY + dt.timedelta(days=29)).reminders == 0
    first = _run(config, today=DAY + dt.timedelta(days=30))
    assert first.reminders == 2
    assert sorted(s.message["To"] for s in smtp_server.messages) == ["jidong@example.org", "mot-gol@example.org"]
    subject = smtp_server.messages[0].message["Subject"]
    assert subject.startswith("[경기중기청] 1社-1市場 성과 보고 요청 — ")
    assert _run(config, today=DAY + dt.timedelta(days=45)).reminders == 0  # same period: never twice
    # 못골 reports something; only 지동 is reminded in the next period
    _type_outcome(
        config,
        "성과_못골시장",
        {"매칭ID": "M-2026-0001", "시장명": "못골시장", "활동일": "2026-12-20", "활동유형": "물품구매"},
    )
    second = _run(config, today=DAY + dt.timedelta(days=60))
    assert second.reminders == 1 and smtp_server.messages[-1].message["To"] == "jidong@example.org"
    assert sorted((e.match_id, e.template) for e in journal_entries(config)) == [
        ("M-2026-0001", "reminder-1"),
        ("M-2026-0002", "reminder-1"),
        ("M-2026-0002", "reminder-2"),
    ]


def test_reminder_dry_run_previews_only(tmp_path, smtp_server):
    config = _two_markets(tmp_path, status="협약체결", mail=smtp_section(smtp_server.port))
    _run(config, today=DAY)
    result = _run(config, today=DAY + dt.timedelta(days=31), dry_run=True)
    assert result.reminders == 2 and smtp_server.messages == []
    assert len(list((tmp_path / "preview" / "mail").glob("*.eml"))) == 2
    assert mail_log(config) == {}  # nothing recorded in the workbook (nor on disk)


def test_market_deleted_after_matching_is_listed(tmp_path):
    config = workbook(tmp_path, matches=[{**MATCH, "market_code": "GONE"}])
    result = _run(config, today=DAY)
    assert [i.code for i in result.issues] == ["market_missing"] and result.tabs_created == []


def test_google_market_tab_is_protected_for_that_market_only(gsheets, google_onemarket_config):
    """On Google the market's tab is editable by its 상인회이메일, the staff editors and the service
    account only; the job columns inside it stay service-account-only."""
    from google_fixtures import KEYS

    from automation.config import load_config
    from automation.setup import jobs
    from automation.sheets import open_backend
    from automation.sheets.writes import append_rows

    path = google_onemarket_config.path
    path.write_text(
        path.read_text(encoding="utf-8") + '\n[outcomes]\neditors = ["staff@gg.example.go.kr"]\n', encoding="utf-8"
    )
    config = load_config(path)
    jobs.init(config)
    master = open_backend(config, "master")
    for tab, rows in (("참여신청", [APP, APP2]), ("시장", [MARKET, MARKET2]), ("매칭", [MATCH, MATCH2])):
        append_rows(master, SCHEMAS[tab], rows)
    result = _run(config, today=DAY)
    assert result.tabs_created == ["성과_못골시장", "성과_지동시장"] and result.protected == 2
    tab = gsheets.tab(KEYS["outcomes"], "성과_못골시장")
    whole = [p for p in tab.protected if "startColumnIndex" not in p["range"]]
    (protection,) = whole
    users = protection["editors"]["users"]
    assert "mot-gol@example.org" in users and "staff@gg.example.go.kr" in users
    assert "jidong@example.org" not in users
    columns = [p for p in tab.protected if "startColumnIndex" in p["range"]]
    assert len(columns) == 3 and all("mot-gol@example.org" not in p["editors"]["users"] for p in columns)
    # a second run changes no protection (requests stay flat)
    start = gsheets.count("batchUpdate")
    assert _run(config, today=DAY).protected == 0
    assert gsheets.count("batchUpdate") == start


def _google_pairs(gsheets, google_onemarket_config, n):
    from automation.setup import jobs
    from automation.sheets import open_backend
    from automation.sheets.writes import append_rows

    jobs.init(google_onemarket_config)
    master = open_backend(google_onemarket_config, "master")
    apps = [{**APP, "application_id": f"A-2026-{i:04d}", "org_name": f"기관{i}"} for i in range(1, n + 1)]
    markets = [
        {**MARKET, "market_code": f"MK{i}", "market_name": f"시장{i}", "association_email": f"m{i}@example.org"}
        for i in range(1, n + 1)
    ]
    matches = [
        {
            **MATCH,
            "match_id": f"M-2026-{i:04d}",
            "application_id": f"A-2026-{i:04d}",
            "org_name": f"기관{i}",
            "market_code": f"MK{i}",
            "market_name": f"시장{i}",
        }
        for i in range(1, n + 1)
    ]
    for tab, rows in (("참여신청", apps), ("시장", markets), ("매칭", matches)):
        append_rows(master, SCHEMAS[tab], rows)
    start = gsheets.count()
    result = _run(google_onemarket_config, today=DAY)
    assert len(result.tabs_created) == n and result.starter_rows == n and result.protected == n
    return gsheets.count() - start


@pytest.mark.parametrize("n", [2, 12])
def test_google_requests_do_not_grow_with_the_number_of_new_market_tabs(gsheets, google_onemarket_config, n):
    """Measured before: ~11 requests per new tab (1,204 for 109 markets); now a fixed handful
    (15: the new tabs' headers and their starter rows are two guarded writes of two requests each, and
    the job state — the day each pair was first seen 협약체결, each tab's protection — one more)."""
    requests = _google_pairs(gsheets, google_onemarket_config, n)
    assert requests <= 15, gsheets.requests()[-requests:]


def test_an_unreadable_old_state_file_is_reported_and_the_workbook_state_is_used(tmp_path):
    """State lives in the workbook; an older workspace's broken outcomes.json is named, not taken in."""
    config = _two_markets(tmp_path)
    config.state_dir.mkdir(parents=True, exist_ok=True)
    (config.state_dir / "outcomes.json").write_text("{not json", encoding="utf-8")
    result = run_step(config, "outcomes")
    (report,) = result.reports
    assert not report.failed
    assert any(i.code == "legacy_state_unreadable" and "outcomes.json" in i.message for i in report.issues)


def test_a_markets_tab_lists_its_teams_and_their_tasks_and_owns_their_rows(tmp_path):
    """Outcomes follow teams: starter rows carry 협약ID, one more per 과제; a row may name any pair of
    the market's teams and a 과제 of that team, and nothing else."""
    from tests.step_helpers import match_rows, run_step, workbook
    from tests.test_teams_step import markets, orgs, pair

    rows = [pair(1, 1, 1, team="공동"), pair(2, 2, 2, team="공동"), pair(3, 3, 2)]
    config = workbook(tmp_path, apps=orgs(3), markets=markets(2), matches=rows)
    run_step(config, "teams")
    run_step(config, "outcomes")
    header, *tab = _sheet(config, "성과_시장1")
    col = {h: i for i, h in enumerate(header)}
    listed = [(r[col["매칭ID"]], r[col["협약ID"]], r[col["과제ID"]]) for r in tab]
    assert listed[0] == ("M-2026-0001", "공동", "")
    tasks = [t for _, team, t in listed[1:]]
    assert all(team == "공동" for _, team, _ in listed) and len(tasks) == len(set(tasks)) >= 4
    again = run_step(config, "outcomes")
    assert next(r for r in again.reports if r.step == "성과준비").counts["시작 행"] == 0
    # the market types three records: its team partner's pair is fine, a stranger's is not
    other_team = next(r["협약ID"] for r in match_rows(config) if r["매칭ID"] == "M-2026-0003")
    wb = openpyxl.load_workbook(config.workbooks["outcomes"])
    ws = wb["성과_시장1"]
    for match_id, team, task in (
        ("M-2026-0002", "공동", tasks[0]),
        ("M-2026-0003", other_team, ""),
        ("M-2026-0001", "공동", "P-9999-0001"),
    ):
        values = {"매칭ID": match_id, "협약ID": team, "과제ID": task, "활동일": "2026-11-02", "활동유형": "물품구매"}
        ws.append([values.get(h, "") for h in header])
    wb.save(config.workbooks["outcomes"])
    result = run_step(config, "validate")
    messages: dict[int, list[str]] = {}
    for issue in (i for r in result.reports for i in r.issues if i.tab == "성과_시장1"):
        messages.setdefault(issue.row, []).append(issue.message)
    last = len(tab) + 1
    assert last + 1 not in messages
    assert [m.split(" ", 2)[:2] for m in messages[last + 2]] == [
        ["매칭ID:", "'M-2026-0003'은"],
        ["협약ID:", f"'{other_team}'은"],
    ]
    assert messages[last + 2][1].endswith("이 탭에는 이 시장의 협약(공동)만 적을 수 있습니다. 협약ID를 확인하세요.")
    assert messages[last + 3] == ["과제ID: 'P-9999-0001'은 '협력과제' 탭에 없습니다. 과제ID를 확인하거나 비우세요."]
