"""The 협약 step on real .xlsx files: every 확정 pair in a team, the programme's team shapes, the
grouping mistakes staff make, pairs following their team's 상태, and old workbooks migrating."""

from __future__ import annotations

import openpyxl
import pytest

from tests.pair_helpers import APP, MARKET, MATCH
from tests.step_helpers import job_state, match_rows, run_step, set_cell, set_match_cell, tab_rows, workbook
from tests.validation_helpers import SCHEMAS

YEAR = __import__("automation.clock", fromlist=["now"]).now().year


def orgs(n: int) -> list[dict[str, str]]:
    return [{**APP, "application_id": f"A-2026-{i:04d}", "org_name": f"기관{i}", "brn": ""} for i in range(1, n + 1)]


def markets(n: int) -> list[dict[str, str]]:
    return [
        {**MARKET, "market_code": f"MK{i}", "market_name": f"시장{i}", "association_email": f"m{i}@x.org"}
        for i in range(1, n + 1)
    ]


def pair(k: int, org: int, market: int, status: str = "확정", team: str = "") -> dict[str, str]:
    return {
        **MATCH,
        "match_id": f"M-2026-{k:04d}",
        "application_id": f"A-2026-{org:04d}",
        "org_name": f"기관{org}",
        "market_code": f"MK{market}",
        "market_name": f"시장{market}",
        "status": status,
        "team_id": team,
    }


def team_rows(config, tab: str = "협약") -> list[dict[str, str]]:
    return tab_rows(config, tab)


def task_rows(config) -> list[dict[str, str]]:
    return tab_rows(config, "협력과제")


def set_team_cell(config, team_id: str, header: str, value: str) -> None:
    set_cell(config, "협약", "협약ID", team_id, header, value)


def teams_report(result):
    return next(r for r in result.reports if r.step == "협약")


def test_a_confirmed_pair_becomes_its_own_team_once(tmp_path):
    config = workbook(tmp_path)
    result = run_step(config, "teams")
    assert result.exit_code == 0
    (team,) = team_rows(config)
    assert team["협약ID"] == f"T-{YEAR}-0001"
    assert (team["차수"], team["상태"], team["점검"]) == ("1", "준비", "")
    assert team["협약명"] == "주식회사 한빛테크 – 못골시장 협약"
    assert team["구성"] == "1사-1시장 · 기관 1곳: 주식회사 한빛테크 · 시장 1곳: 못골시장 (매칭 M-2026-0001)"
    assert match_rows(config)[0]["협약ID"] == team["협약ID"]
    assert teams_report(result).message.splitlines() == [
        "협약 1팀 (여러 기관·시장이 묶인 팀 0) — 1사-1시장 1",
        "새 협약 1, 매칭 탭에 협약ID 1건 씀, 협약 상태를 따른 짝 0, 새 협력과제 5",
    ]
    before = (team_rows(config), match_rows(config))
    again = run_step(config, "teams")
    assert (team_rows(config), match_rows(config)) == before
    assert "새 협약 0, 매칭 탭에 협약ID 0건 씀" in teams_report(again).message


SHAPES = {
    # LG전자 베스트샵 at the first ceremony: one company, five markets
    "1사-5시장": (1, 5, [(1, m) for m in range(1, 6)]),
    # 가평잣고을시장: three public bodies and one market in one document
    "3사-1시장": (3, 1, [(o, 1) for o in range(1, 4)]),
    "2사-2시장": (2, 2, [(1, 1), (1, 2), (2, 1), (2, 2)]),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_staff_form_a_multi_party_team_by_one_team_id(tmp_path, shape):
    n_orgs, n_markets, pairs = SHAPES[shape]
    rows = [pair(k, o, m, team="가평협약" if k == 1 else "") for k, (o, m) in enumerate(pairs, start=1)]
    config = workbook(tmp_path, apps=orgs(n_orgs), markets=markets(n_markets), matches=rows)
    run_step(config, "teams")  # the first pair's typed ID is a team; the others get teams of their own
    for k in range(2, len(pairs) + 1):
        set_match_cell(config, f"M-2026-{k:04d}", "협약ID", "가평협약")
    result = run_step(config, "teams")
    by_id = {t["협약ID"]: t for t in team_rows(config)}
    team = by_id["가평협약"]
    assert team["구성"].startswith(f"{shape} · 기관 {n_orgs}곳: ")
    assert team["점검"] == ""
    assert "(매칭 " + ", ".join(f"M-2026-{k:04d}" for k in range(1, len(pairs) + 1)) + ")" in team["구성"]
    empties = [t for tid, t in by_id.items() if tid != "가평협약"]
    assert len(empties) == len(pairs) - 1  # the one-pair teams the regrouping emptied: a warning each
    assert all(
        t["구성"] == "(비어 있음)" and t["점검"].startswith("경고: 이 협약에 속한 확정 짝이 없습니다") for t in empties
    )
    assert f"협약 1팀 (여러 기관·시장이 묶인 팀 1) — {shape} 1" in teams_report(result).message
    assert result.exit_code == 0  # warnings only


def test_the_job_given_name_follows_the_members_until_staff_rename(tmp_path):
    config = workbook(tmp_path, apps=orgs(3), markets=markets(1), matches=[pair(k, k, 1) for k in (1, 2, 3)])
    run_step(config, "teams")
    first = f"T-{YEAR}-0001"
    for k in (2, 3):
        set_match_cell(config, f"M-2026-{k:04d}", "협약ID", first)
    run_step(config, "teams")
    names = {t["협약ID"]: t["협약명"] for t in team_rows(config)}
    assert names[first] == "기관1·기관2·기관3 – 시장1 협약"
    set_team_cell(config, first, "협약명", "가평 3사-1시장 협약")
    set_match_cell(config, "M-2026-0003", "협약ID", f"T-{YEAR}-0003")
    run_step(config, "teams")
    team = next(t for t in team_rows(config) if t["협약ID"] == first)
    assert team["협약명"] == "가평 3사-1시장 협약"  # staff's name stands
    assert team["구성"].startswith("2사-1시장")


def test_a_cell_naming_two_teams_is_an_error_on_both_teams(tmp_path):
    config = workbook(
        tmp_path, apps=orgs(3), markets=markets(1), matches=[pair(1, 1, 1, team="T1"), pair(2, 2, 1, team="T2")]
    )
    run_step(config, "teams")
    set_match_cell(config, "M-2026-0001", "협약ID", "T1, T2")
    result = run_step(config, "teams")
    assert result.exit_code == 1
    issue = next(i for i in teams_report(result).issues if i.code == "team_two_ids")
    assert (issue.tab, issue.row, issue.column, issue.value) == ("매칭", 2, "협약ID", "T1, T2")
    assert issue.message == "협약ID에 협약이 2개 적혀 있습니다 (T1, T2). 한 짝은 한 협약에만 속합니다. 하나만 남기세요."
    checks = {t["협약ID"]: t["점검"] for t in team_rows(config)}
    assert checks["T1"].startswith("오류: 매칭 2행(M-2026-0001)의 협약ID에 이 협약과 다른 협약이 함께 적혀 있습니다.")
    assert checks["T2"].startswith("오류: 매칭 2행(M-2026-0001)의 협약ID에")
    assert match_rows(config)[0]["협약ID"] == "T1, T2"  # staff's cell is never changed


def test_the_same_pair_in_two_teams_is_an_error_and_neither_team_follows(tmp_path):
    rows = [pair(1, 1, 1, team="T1"), pair(2, 1, 1, team="T2"), pair(3, 2, 1, team="T2")]
    config = workbook(tmp_path, apps=orgs(2), markets=markets(1), matches=rows)
    run_step(config, "teams")
    set_team_cell(config, "T2", "상태", "협약체결")
    result = run_step(config, "teams")
    assert result.exit_code == 1
    checks = {t["협약ID"]: t["점검"] for t in team_rows(config)}
    assert checks["T1"] == (
        "오류: 같은 짝(기관1 – 시장1)이 다른 협약(T2)에도 들어 있습니다 (매칭 2행, 3행). 한 협약의 협약ID만 남기세요."
    )
    assert "다른 협약(T1)" in checks["T2"]
    assert [r["상태"] for r in match_rows(config)] == ["확정", "확정", "확정"]  # held: nobody follows


def test_pairs_follow_their_team_to_signed_and_ended(tmp_path):
    config = workbook(tmp_path, apps=orgs(3), markets=markets(1), matches=[pair(k, k, 1, team="T") for k in (1, 2, 3)])
    run_step(config, "teams")
    set_team_cell(config, "T", "상태", "협약체결")
    result = run_step(config, "teams")
    assert [r["상태"] for r in match_rows(config)] == ["협약체결"] * 3
    assert "협약 상태를 따른 짝 3" in teams_report(result).message
    assert job_state(config)[("협약구성", "T")] == "A-2026-0001/MK1|A-2026-0002/MK1|A-2026-0003/MK1"
    set_team_cell(config, "T", "상태", "종료")
    run_step(config, "teams")
    assert [r["상태"] for r in match_rows(config)] == ["종료"] * 3


def test_a_signed_team_changed_afterwards_is_an_error_until_put_back(tmp_path):
    rows = [pair(1, 1, 1, team="T"), pair(2, 2, 1, team="T"), pair(3, 3, 1)]
    config = workbook(tmp_path, apps=orgs(3), markets=markets(1), matches=rows)
    run_step(config, "teams")
    set_team_cell(config, "T", "상태", "협약체결")
    run_step(config, "teams")
    signed = next(t for t in team_rows(config) if t["협약ID"] == "T")["구성"]
    set_match_cell(config, "M-2026-0003", "협약ID", "T")
    result = run_step(config, "teams")
    assert result.exit_code == 1
    team = next(t for t in team_rows(config) if t["협약ID"] == "T")
    assert team["점검"] == (
        "오류: 협약체결 뒤에 구성이 바뀌었습니다 (더해진 짝 A-2026-0003/MK1). 서명한 협약서와 다릅니다. "
        "매칭 탭의 협약ID·상태를 되돌리거나, 바뀐 구성으로 다시 협약하려면 이 협약의 상태를 준비로 돌리세요."
    )
    assert team["구성"] == signed  # still what was signed
    assert match_rows(config)[2]["상태"] == "확정"  # the added pair does not follow a held team
    set_match_cell(config, "M-2026-0003", "협약ID", f"T-{YEAR}-0001")
    assert run_step(config, "teams").exit_code == 0
    assert next(t for t in team_rows(config) if t["협약ID"] == "T")["점검"] == ""


def test_an_id_on_a_row_that_is_not_confirmed_is_a_warning_and_no_team(tmp_path):
    config = workbook(tmp_path, matches=[{**MATCH, "status": "제안", "team_id": "T9"}])
    result = run_step(config, "teams")
    assert team_rows(config) == []
    (issue,) = teams_report(result).issues
    assert issue.message == "협약ID가 있지만 상태가 '제안'이라 협약에 넣지 않았습니다. 확정하면 이 협약에 들어갑니다."


def test_a_team_row_staff_add_without_an_id_gets_one(tmp_path):
    config = workbook(tmp_path, matches=[])
    path = config.workbooks["master"]
    wb = openpyxl.load_workbook(path)
    ws = wb["협약"]
    headers = [c.value for c in ws[1]]
    ws.cell(row=2, column=headers.index("협약명") + 1, value="수원 상생 협약")
    ws.cell(row=2, column=headers.index("상태") + 1, value="준비")
    wb.save(path)
    run_step(config, "teams")
    (team,) = team_rows(config)
    assert (team["협약ID"], team["협약명"]) == (f"T-{YEAR}-0001", "수원 상생 협약")
    assert team["점검"].startswith("경고: 이 협약에 속한 확정 짝이 없습니다")


def test_old_signed_pairs_become_signed_one_pair_teams(tmp_path):
    rows = [pair(1, 1, 1, status="협약체결"), pair(2, 2, 2, status="종료"), pair(3, 3, 3, status="거절")]
    config = workbook(tmp_path, apps=orgs(3), markets=markets(3), matches=rows)
    run_step(config, "teams")
    assert [(t["협약ID"], t["상태"]) for t in team_rows(config)] == [
        (f"T-{YEAR}-0001", "협약체결"),
        (f"T-{YEAR}-0002", "종료"),
    ]
    assert [r["상태"] for r in match_rows(config)] == ["협약체결", "종료", "거절"]


def test_a_person_typing_a_team_id_meanwhile_wins(tmp_path, monkeypatch):
    config = workbook(tmp_path)
    import automation.teams.step as step

    real = step.write_tables

    def person_first(backend, writes):  # the person saves the file between the job's read and write
        set_match_cell(config, "M-2026-0001", "협약ID", "사람이 적은 협약")
        return real(backend, writes)

    monkeypatch.setattr(step, "write_tables", person_first)
    run_step(config, "teams")
    assert match_rows(config)[0]["협약ID"] == "사람이 적은 협약"


def test_a_new_team_gets_its_tasks_from_the_application_and_the_market_once(tmp_path):
    config = workbook(tmp_path)
    run_step(config, "teams")
    team = f"T-{YEAR}-0001"
    assert [(t["과제ID"], t["협약ID"], t["과제명"], t["분야"], t["주체"], t["상태"]) for t in task_rows(config)] == [
        (f"P-{YEAR}-0001", team, "전통시장 가는 날 운영", "전통시장가는날", "기관", "계획"),
        (f"P-{YEAR}-0002", team, "전통시장 물품 구매", "물품구매", "기관", "계획"),
        (f"P-{YEAR}-0003", team, "온누리상품권 구매 (연 1,200천원)", "온누리상품권구매", "기관", "계획"),
        (f"P-{YEAR}-0004", team, "특화프로그램: 임직원 봉사와 SNS 홍보", "SNS홍보", "기관", "계획"),
        (f"P-{YEAR}-0005", team, "유휴공간 제공", "행사협력", "시장", "계획"),
    ]
    assert task_rows(config)[4]["내용"] == "못골시장의 고객지원센터 2층 교육장을 주식회사 한빛테크의 행사·교육에 제공"
    # staff delete two 과제 and edit one: nothing comes back, nothing is rewritten
    path = config.workbooks["master"]
    wb = openpyxl.load_workbook(path)
    ws = wb["협력과제"]
    ws.delete_rows(2, 2)
    ws.cell(row=2, column=3, value="온누리상품권 구매 (연 200만원)")
    wb.save(path)
    kept = task_rows(config)
    run_step(config, "teams")
    assert task_rows(config) == kept


def test_a_pair_joining_a_seeded_team_brings_its_own_tasks(tmp_path):
    apps = [{**a, "purchase": "N", "onnuri_thousand_won": "", "special_program": ""} for a in orgs(2)]
    config = workbook(
        tmp_path, apps=apps, markets=[{**m, "idle_space": ""} for m in markets(1)], matches=[pair(1, 1, 1)]
    )
    run_step(config, "teams")
    assert [t["내용"] for t in task_rows(config)] == ["기관1 임직원이 시장1을 찾아 장보기"]
    wb = openpyxl.load_workbook(config.workbooks["master"])
    joining = pair(2, 2, 1, team=f"T-{YEAR}-0001")
    wb["매칭"].append([joining.get(c.key, "") for c in SCHEMAS["매칭"].columns])
    wb.save(config.workbooks["master"])
    run_step(config, "teams")
    assert [t["내용"] for t in task_rows(config)] == [
        "기관1 임직원이 시장1을 찾아 장보기",
        "기관2 임직원이 시장1을 찾아 장보기",
    ]


def test_a_team_whose_tasks_staff_wrote_first_is_never_seeded(tmp_path):
    config = workbook(tmp_path, matches=[{**MATCH, "team_id": "수원협약"}])
    wb = openpyxl.load_workbook(config.workbooks["master"])
    wb["협력과제"].append(["", "수원협약", "직원이 정한 과제", "기타", "공동", "", "", "", "계획", ""])
    wb.save(config.workbooks["master"])
    run_step(config, "teams")
    assert [t["과제명"] for t in task_rows(config)] == ["직원이 정한 과제"]
    assert task_rows(config)[0]["과제ID"] == f"P-{YEAR}-0001"  # a 과제 staff added gets its ID


def test_signed_old_pairs_get_no_tasks(tmp_path):
    config = workbook(tmp_path, matches=[{**MATCH, "status": "협약체결"}])
    run_step(config, "teams")
    assert task_rows(config) == []


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("차수", "둘", "차수: "),
        ("협약식", "100", "협약식: 100은(는) 범위 밖입니다. 1부터 99까지의 정수로 적으세요."),
        ("협약일", "2026-13-45", "협약일: "),
        ("상태", "체결", "상태: '체결'은(는) 준비, 협약체결, 종료 중 하나여야 합니다. 목록에서 고르세요."),
    ],
    ids=["round-text", "ceremony-range", "date", "status"],
)
def test_a_wrong_cell_on_a_team_row_is_an_error_naming_the_column(tmp_path, header, value, message):
    config = workbook(tmp_path)
    run_step(config, "teams")
    set_team_cell(config, f"T-{YEAR}-0001", header, value)
    result = run_step(config, "teams")
    assert result.exit_code == 1
    (team,) = team_rows(config)
    assert team["점검"].startswith("오류: " + message)
    assert team[header] == value  # staff's cell stays as typed


def test_marking_the_ceremony_signed_signs_its_teams_and_their_pairs(tmp_path):
    rows = [pair(1, 1, 1, team="A"), pair(2, 2, 1, team="A"), pair(3, 3, 2, team="B")]
    config = workbook(tmp_path, apps=orgs(3), markets=markets(2), matches=rows)
    run_step(config, "teams")
    set_team_cell(config, "B", "협약식", "2")  # B signs at the next ceremony
    wb = openpyxl.load_workbook(config.workbooks["master"])
    wb["협약식"].append(["1", "2024-05-16 14:00", "수원 영동시장", "", "Y"])
    wb.save(config.workbooks["master"])
    result = run_step(config, "teams")
    teams = {t["협약ID"]: t for t in team_rows(config)}
    assert (teams["A"]["상태"], teams["A"]["협약일"]) == ("협약체결", "2024-05-16")
    assert (teams["B"]["상태"], teams["B"]["협약일"]) == ("준비", "")
    assert [r["상태"] for r in match_rows(config)] == ["협약체결", "협약체결", "확정"]
    assert "협약 상태를 따른 짝 2" in teams_report(result).message


def test_a_team_whose_pairs_staff_signed_one_by_one_is_signed_too(tmp_path):
    config = workbook(
        tmp_path, apps=orgs(2), markets=markets(1), matches=[pair(1, 1, 1, team="T"), pair(2, 2, 1, team="T")]
    )
    run_step(config, "teams")
    for k in (1, 2):
        set_match_cell(config, f"M-2026-{k:04d}", "상태", "협약체결")
    run_step(config, "teams")
    assert team_rows(config)[0]["상태"] == "협약체결"
    assert job_state(config)[("협약구성", "T")] == "A-2026-0001/MK1|A-2026-0002/MK1"
