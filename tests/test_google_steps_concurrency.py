"""The cases measured in the concurrent-writes issue, replayed through whole steps on the loopback
Sheets server: each one measured wrong before, and now ends right (or reported)."""

from __future__ import annotations

import csv

import pytest
from google_fixtures import KEYS
from gsheets_server import Fault
from people import EDITOR, OWNER, Edit

from automation.demo.data import sample_applications, sample_markets
from automation.pipeline.runner import STEP_BY_NAME, run
from automation.schema import default_schemas
from automation.setup import jobs
from automation.setup.markets import import_markets
from automation.sheets import open_backend
from automation.sheets.writes import append_rows

SCHEMAS = default_schemas()
MASTER = KEYS["master"]
MATCH_COL = {c.key: i for i, c in enumerate(SCHEMAS["매칭"].columns, start=1)}


def _ready(config, n: int = 24):
    jobs.init(config)
    master = open_backend(config, "master")
    append_rows(master, SCHEMAS["시장"], sample_markets())
    append_rows(master, SCHEMAS["참여신청"], (sample_applications() * 3)[:n])
    assert not run(config, steps=[STEP_BY_NAME["validate"], STEP_BY_NAME["match"]]).failed


def _matches(gsheets) -> list[dict[str, str]]:
    rows = gsheets.values(MASTER, "매칭")
    return [dict(zip(rows[0], r + [""] * (len(rows[0]) - len(r)), strict=False)) for r in rows[1:] if any(r)]


def _match_kinds(gsheets, start: int) -> list[str]:
    return [r.kind for r in gsheets.requests() if r.kind != "token"][start:]


@pytest.mark.parametrize("who", [EDITOR, OWNER])
def test_a_pair_confirmed_while_match_rewrites_it_stays_confirmed(gsheets, google_onemarket_config, who):
    """Measured before: staff set 상태 = 확정 after the job's locate read; the job wrote 미배정 over
    it and blanked the market, reporting nothing."""
    config = google_onemarket_config
    _ready(config)
    rows = _matches(gsheets)
    target = next(r for r in rows if r["상태"] == "제안")
    # the market it was offered becomes unavailable, so the next match run wants to rewrite this row
    market_rows = gsheets.values(MASTER, "시장")
    col = market_rows[0].index("참여여부")
    for i, r in enumerate(market_rows[1:], start=2):
        if r[market_rows[0].index("시장코드")] == target["시장코드"]:
            gsheets.person(MASTER, "시장", Edit("type", row=i, col=col + 1, value="N"))
    confirm = Edit("type", target=target["매칭ID"], key_col=1, col=MATCH_COL["status"], value="확정", who=who)
    # requests: the run lock (1), metadata (2), the step's read (3), the window's open (4), its close (5);
    # an editor types after the job's read: before its window; an owner may type inside it
    when = 5 if who == OWNER else 4
    gsheets.before_request(when, lambda s: s.person(MASTER, "매칭", confirm))
    result = run(config, steps=[STEP_BY_NAME["match"]])
    assert not result.failed
    after = {r["매칭ID"]: r for r in _matches(gsheets)}
    assert after[target["매칭ID"]]["상태"] == "확정"
    assert after[target["매칭ID"]]["시장코드"] == target["시장코드"]
    codes = {i.code for i in result.reports[0].issues}
    assert codes & {"row_changed"}, codes


def test_a_refused_close_leaves_no_half_step_and_the_next_run_completes_it(gsheets, google_onemarket_config):
    """Measured before: with a 503 on the append, the match step's updates landed but its new rows
    did not. Now updates and new rows are one batch: all or nothing; the next run does it once."""
    config = google_onemarket_config
    jobs.init(config)
    master = open_backend(config, "master")
    append_rows(master, SCHEMAS["시장"], sample_markets())
    append_rows(master, SCHEMAS["참여신청"], sample_applications()[:12])
    assert not run(config, steps=[STEP_BY_NAME["validate"]]).failed
    before = gsheets.values(MASTER, "매칭")
    # a new run: the run lock (1), metadata (2), the step's read (3), the window's open (4), its close
    # (5): Google answers the close with 503 for every attempt the retry policy makes (max_attempts = 3)
    gsheets.before_request(5, lambda s: s.script(*[Fault(503, kind="spreadsheets.batchUpdate") for _ in range(3)]))
    result = run(config, steps=[STEP_BY_NAME["match"]])
    assert result.reports[0].failed
    assert "Google 응답 없음" in result.reports[0].message
    assert gsheets.values(MASTER, "매칭") == before  # nothing of the step landed
    assert not [p for p in gsheets.tab(MASTER, "매칭").protected if "window" in p.get("description", "")]
    again = run(config, steps=[STEP_BY_NAME["match"]])
    assert not again.failed
    ids = [r["매칭ID"] for r in _matches(gsheets)]
    assert len(ids) == len(set(ids)) == 12 - sum(1 for a in sample_applications()[:12] if not a.get("org_name"))


def test_import_markets_while_a_row_is_inserted_above_keeps_every_address_on_its_market(
    gsheets, google_onemarket_config, tmp_path
):
    """Measured before: a market's 도로명주소 got another market's address."""
    config = google_onemarket_config
    jobs.init(config)
    path = tmp_path / "markets.csv"
    header = ["시장명", "시장유형", "소재지도로명주소", "소재지지번주소", "위도", "경도", "점포수", "개설년도"]
    rows = [
        [f"시장{i}", "상설장", f"경기도 수원시 팔달구 시장로 {i}", "", "37.2", "127.0", "10", "1990"]
        for i in range(1, 9)
    ]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    assert import_markets(config, path).added == 8
    rows = [
        [f"시장{i}", "상설장", f"경기도 수원시 팔달구 새길 {i}", "", "37.2", "127.0", "10", "1990"] for i in range(1, 9)
    ]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    blank = [""] * len(SCHEMAS["시장"].columns)
    blank[[c.key for c in SCHEMAS["시장"].columns].index("market_name")] = "직원이 넣은 시장"
    # the run lock (1), metadata (2), the read (3), the window's open (4): the owner inserts a row
    # inside the window, just before its close (5)
    gsheets.before_request(5, lambda s: s.person(MASTER, "시장", Edit("insert", row=2, values=tuple(blank))))
    result = import_markets(config, path)
    assert result.updated == 8
    table = gsheets.values(MASTER, "시장")
    name, road = table[0].index("시장명"), table[0].index("도로명주소")
    for r in table[1:]:
        r = r + [""] * (len(table[0]) - len(r))
        if r[name].startswith("시장"):
            assert r[road] == f"경기도 수원시 팔달구 새길 {r[name][2:]}", r
        else:
            assert r[road] == "", r
