"""Stable IDs, and the rules for 시장, 매칭 and 성과보고 (references between tabs)."""

from __future__ import annotations

import json

import pytest

from tests.validation_helpers import MARKETS, app, app_cells, make_backends, run_validate


def ids(backends) -> list[str]:
    return [r[0] for r in backends["master"].tabs["참여신청"][1:]]


def test_ids_are_given_once_and_never_change(tmp_path):
    backends = make_backends([app(), app(org_name="둘째", brn=""), app(org_name="셋째", brn="")])
    first = run_validate(backends, tmp_path)
    assert first.ids_assigned == 3
    assert ids(backends) == ["A-2024-0001", "A-2024-0002", "A-2024-0003"]
    second = run_validate(backends, tmp_path)
    assert second.ids_assigned == 0
    assert ids(backends) == ["A-2024-0001", "A-2024-0002", "A-2024-0003"]


def test_a_deleted_newest_row_never_frees_its_number(tmp_path):
    backends = make_backends([app(), app(org_name="둘째", brn="")])
    run_validate(backends, tmp_path)
    del backends["master"].tabs["참여신청"][2]  # staff delete A-2024-0002
    backends["master"].tabs["참여신청"].append(["", *backends["master"].tabs["참여신청"][1][1:]])
    backends["master"].tabs["참여신청"][2][2] = "새 기관"
    run_validate(backends, tmp_path)
    assert ids(backends) == ["A-2024-0001", "A-2024-0003"]
    state = backends["master"].tabs["_작업상태"]
    assert [r[:4] for r in state[1:]] == [["ID|A-2024", "ID", "A-2024", "3"]]  # kept in the workbook
    assert not (tmp_path / "ids.json").exists()  # not on this computer


def test_copied_row_with_the_same_id_is_flagged_on_both_rows_not_renumbered(tmp_path):
    backends = make_backends([app(), app(org_name="다른기관", brn="")])
    run_validate(backends, tmp_path)
    tab = backends["master"].tabs["참여신청"]
    tab.append(list(tab[1]))  # a person copies row 2 to row 4
    result = run_validate(backends, tmp_path)
    assert ids(backends) == ["A-2024-0001", "A-2024-0002", "A-2024-0001"]
    for row, other in ((2, 4), (4, 2)):
        cells = app_cells(backends, row)
        assert cells["검증결과"] == "오류"
        assert cells["검증메시지"].startswith(
            f"신청ID: 중복 ID: 'A-2024-0001'이 {other}행에도 있습니다. 복사한 행이면 이 행의 신청ID를 비우세요"
        )
    assert result.ids_assigned == 0


def test_dry_run_writes_nothing_and_keeps_the_counter(tmp_path):
    backends = make_backends([app()])
    before = json.dumps(backends["master"].tabs)
    result = run_validate(backends, tmp_path, dry_run=True)
    assert result.ids_assigned == 1
    assert json.dumps(backends["master"].tabs) == before
    assert not (tmp_path / "ids.json").exists()


def test_an_older_workspace_ids_file_is_taken_into_the_workbook_once(tmp_path):
    """Upgrade path: .onemarket/ids.json's high-water mark moves into _작업상태; the file is retired."""
    (tmp_path / "ids.json").write_text('{"high_water": {"A-2024": 41}}', encoding="utf-8")
    backends = make_backends([app()])
    result = run_validate(backends, tmp_path)
    assert ids(backends) == ["A-2024-0042"]  # never a number given before the upgrade
    assert (tmp_path / "ids.json.migrated").exists() and not (tmp_path / "ids.json").exists()
    assert any(i.code == "legacy_state_moved" for i in result.write_issues)
    state = {r[0]: r[3] for r in backends["master"].tabs["_작업상태"][1:]}
    assert state == {"ID|A-2024": "42"}


def test_a_broken_older_ids_file_is_named_and_left_alone(tmp_path):
    (tmp_path / "ids.json").write_text("{not json")
    backends = make_backends([app()])
    result = run_validate(backends, tmp_path)
    assert any(i.code == "legacy_state_unreadable" and "ids.json" in i.message for i in result.write_issues)
    assert (tmp_path / "ids.json").exists()


MATCH = {
    "match_id": "M-2024-0001",
    "round": "1",
    "application_id": "A-2024-0001",
    "org_name": "(주)가나다전자",
    "market_code": "M0000001",
    "market_name": "못골시장",
    "status": "제안",
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, None),
        (
            {"application_id": "A-2024-0999"},
            "신청ID: 'A-2024-0999'는 '참여신청' 탭에 없습니다. 값을 확인하세요 (삭제된 행이면 담당자에게 알리세요).",
        ),
        (
            {"market_code": "M9999999"},
            "시장코드: 'M9999999'는 '시장' 탭에 없습니다. 값을 확인하세요 (삭제된 행이면 담당자에게 알리세요).",
        ),
        ({"status": "확정됨"}, None),
    ],
    ids=["good", "unknown-application", "unknown-market", "bad-status"],
)
def test_match_rows_reference_existing_rows(tmp_path, changes, message):
    backends = make_backends([app()], matches=[{**MATCH, **changes}])
    run_validate(backends, tmp_path)  # gives A-2024-0001 to the application
    result = run_validate(backends, tmp_path)
    issues = [i for i in result.issues if i.tab == "매칭"]
    if not changes:
        assert issues == []
    elif message:
        assert [i.message for i in issues] == [message]
    else:
        assert issues and issues[0].column == "상태"
    # 매칭 has no 검증 columns: nothing is written into it
    assert backends["master"].tabs["매칭"][1] == [
        {**MATCH, **changes}.get(c, "")
        for c in (
            "match_id",
            "round",
            "application_id",
            "org_name",
            "market_code",
            "market_name",
            "score",
            "reason",
            "status",
            "team_id",
            "staff_memo",
            "agreement",
            "org_notice",
            "market_notice",
            "mail_request",
            "processed_at",
        )
    ]


def test_outcome_rows_reference_an_existing_match_and_get_an_id(tmp_path):
    outcome = {
        "match_id": "M-2024-0001",
        "activity_date": "2024-06-01",
        "activity_type": "물품구매",
        "participants": "30명",
        "purchase_won": "120만원",
        "best_practice": "Y",
    }
    backends = make_backends(
        [app()], matches=[MATCH], outcomes=[outcome, {**outcome, "match_id": "M-2024-0404", "activity_type": "기타"}]
    )
    run_validate(backends, tmp_path)
    rows = backends["outcomes"].tabs["성과보고"]
    assert [r[0] for r in rows[1:]] == ["O-2024-0001", "O-2024-0002"]
    assert rows[1][-2:] == ["정상", ""]
    assert rows[2][-2] == "오류"
    assert (
        rows[2][-1]
        == "매칭ID: 'M-2024-0404'는 '매칭' 탭에 없습니다. 값을 확인하세요 (삭제된 행이면 담당자에게 알리세요)."
    )


def test_market_rows_are_checked_too(tmp_path):
    markets = [
        *MARKETS,
        {
            "market_code": "M0000001",
            "market_name": "복사된시장",
            "sigun": "수원",
            "association_email": "a@x.com; b@y.com",
            "capacity": "-1",
        },
    ]
    backends = make_backends([app()], markets=markets)
    run_validate(backends, tmp_path)
    tab = backends["master"].tabs["시장"]
    header = tab[0]
    last = dict(zip(header, tab[-1], strict=False))
    assert last["검증결과"] == "오류"
    assert "시장코드: 중복 ID: 'M0000001'이 2행에도 있습니다." in last["검증메시지"]
    assert "상인회이메일:" in last["검증메시지"] and "수용기관수:" in last["검증메시지"]
    assert last["시군"] == "수원"  # the staff cell keeps what was typed (no --fix)


def test_a_partnered_market_without_an_address_is_a_warning_on_its_row(tmp_path):
    """Measured before: it validated as 정상, and the agreement then had no market address."""
    import openpyxl

    from tests.pair_helpers import APP, MARKET, MATCH
    from tests.step_helpers import run_step, workbook

    config = workbook(
        tmp_path,
        apps=[APP],
        markets=[{**MARKET, "road_address": "", "lot_address": ""}],
        matches=[{**MATCH, "status": "확정"}],
    )
    run_step(config, "validate")
    ws = openpyxl.load_workbook(config.workbooks["master"])["시장"]
    header = [c.value for c in ws[1]]
    row = {h: c.value for h, c in zip(header, ws[2], strict=False)}
    assert row["검증결과"] == "경고"
    assert "확정된 짝(M-2026-0001)이 있는 시장인데 도로명주소와 지번주소가 비어 있습니다" in row["검증메시지"]
