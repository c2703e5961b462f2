from __future__ import annotations

from pathlib import Path

import pytest

from automation.errors import SchemaError
from automation.schema import ROLE_ORDER, load_schemas, schema_dir

# DESIGN.md §3 (contract): the exact headers of every tab, in order.
DESIGN_HEADERS = {
    "참여신청": [
        "신청ID",
        "접수일",
        "기관명",
        "기관유형",
        "대표자",
        "사업자등록번호",
        "주소",
        "담당자명",
        "담당자직위",
        "연락처",
        "이메일",
        "제품·서비스",
        "전통시장가는날",
        "물품구매",
        "온누리상품권(천원)",
        "특화프로그램",
        "기타협력",
        "희망시장1",
        "희망시장2",
        "희망지역",
        "개인정보동의",
        "제3자제공동의",
        "검증결과",
        "검증메시지",
    ],
    "시장": [
        "시장코드",
        "시장명",
        "시장유형",
        "시군",
        "구",
        "도로명주소",
        "지번주소",
        "위도",
        "경도",
        "점포수",
        "취급품목",
        "사용가능상품권",
        "주차장",
        "유휴공간",
        "문화공간",
        "상인회담당자",
        "상인회연락처",
        "상인회이메일",
        "수용기관수",
        "참여여부",
        "검증결과",
        "검증메시지",
    ],
    "매칭": [
        "매칭ID",
        "차수",
        "신청ID",
        "기관명",
        "시장코드",
        "시장명",
        "점수",
        "추천사유",
        "상태",
        "담당자메모",
        "협약서",
        "기관안내",
        "시장안내",
        "처리일시",
    ],
    "성과보고": [
        "성과ID",
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
        "우수사례추천",
        "검증결과",
        "검증메시지",
    ],
}
JOB_OWNED = {
    "참여신청": {"신청ID", "원본파일", "재제출", "검증결과", "검증메시지"},
    "시장": {"검증결과", "검증메시지"},
    "매칭": {"매칭ID", "점수", "추천사유", "협약서", "기관안내", "시장안내", "처리일시"},
    "성과보고": {"성과ID", "검증결과", "검증메시지"},
}


#: columns added after the contract, optional so workbooks without them keep working (init adds them)
ADDED = {
    "매칭": ["협약ID", "메일요청"],
    "참여신청": ["희망시장수", "원본파일", "재제출"],
    "성과보고": ["홍보동의", "사진", "협약ID", "과제ID"],
}
_WISH = DESIGN_HEADERS["참여신청"].index("희망지역")
_MEMO = DESIGN_HEADERS["매칭"].index("담당자메모")
#: the headers init writes on a fresh workbook: the added columns in the schema's order
FRESH_HEADERS = {
    **DESIGN_HEADERS,
    "참여신청": [
        *DESIGN_HEADERS["참여신청"][:_WISH],
        "희망시장수",
        *DESIGN_HEADERS["참여신청"][_WISH:-2],
        "원본파일",
        "재제출",
        *DESIGN_HEADERS["참여신청"][-2:],
    ],
    "매칭": [*DESIGN_HEADERS["매칭"][:_MEMO], "협약ID", *DESIGN_HEADERS["매칭"][_MEMO:-1], "메일요청", "처리일시"],
    "성과보고": [
        *DESIGN_HEADERS["성과보고"][:-2],
        "홍보동의",
        "사진",
        "협약ID",
        "과제ID",
        *DESIGN_HEADERS["성과보고"][-2:],
    ],
}
#: DESIGN.md §3 "Added for teams" (contract): the tabs a later version added, optional as whole tabs
TEAM_TABS = {
    "협약": ["협약ID", "차수", "협약명", "협약식", "협약일", "상태", "구성", "담당자메모", "점검", "처리일시"],
    "협력과제": ["과제ID", "협약ID", "과제명", "분야", "주체", "내용", "시작", "종료예정", "상태", "담당자메모"],
    "협약식": ["차수", "일시", "장소", "비고"],
}


@pytest.mark.parametrize("tab", list(TEAM_TABS))
def test_team_tabs_match_design_contract(schemas, tab):
    assert [c.header for c in schemas[tab].columns if not c.optional] == TEAM_TABS[tab]
    assert [c.header for c in schemas[tab].columns if c.optional] == (["협약체결"] if tab == "협약식" else [])
    assert schemas[tab].optional and schemas[tab].workbook == "master"


def test_team_enums_match_design(schemas):
    assert schemas["협약"].column("status").enum == ("준비", "협약체결", "종료")
    assert schemas["협력과제"].column("party").enum == ("기관", "시장", "공동")
    assert schemas["협력과제"].column("status").enum == ("계획", "진행", "완료", "보류")
    assert schemas["협력과제"].column("field").enum == schemas["성과보고"].column("activity_type").enum
    assert {c.header for c in schemas["협약"].job_columns} == {"협약ID", "구성", "점검", "처리일시"}


@pytest.mark.parametrize("tab", list(DESIGN_HEADERS))
def test_headers_match_design_contract(schemas, tab):
    assert [c.header for c in schemas[tab].columns if not c.optional] == DESIGN_HEADERS[tab]
    assert [c.header for c in schemas[tab].columns if c.optional] == ADDED.get(tab, [])


@pytest.mark.parametrize("tab", list(JOB_OWNED))
def test_job_owned_columns_match_design(schemas, tab):
    assert {c.header for c in schemas[tab].job_columns} == JOB_OWNED[tab]


def test_enums_match_design(schemas):
    assert schemas["참여신청"].column("org_type").enum == (
        "대기업",
        "중견기업",
        "중소기업",
        "유니콘기업",
        "벤처기업",
        "스타트업",
        "대학",
        "공공기관",
        "협단체",
        "군부대",
        "기타",
    )
    assert "벽화·환경개선" in schemas["성과보고"].column("activity_type").enum
    assert schemas["매칭"].column("status").enum[:5] == ("제안", "확정", "거절", "협약체결", "종료")


def test_every_tab_has_a_file_and_workbook(schemas):
    assert [t.role for t in schemas.tabs.values()][: len(ROLE_ORDER)] == list(ROLE_ORDER)
    assert list(schemas.tabs)[:5] == ["참여신청", "시장", "매칭", "작업기록", "성과보고"]  # DESIGN.md §3
    assert [t.name for t in schemas.for_workbook("outcomes")] == ["성과보고"]
    assert [t.name for t in schemas.for_workbook("master") if t.hidden] == ["_작업상태", "_발송기록"] or [
        t.name for t in schemas.for_workbook("master") if t.hidden
    ] == ["_발송기록", "_작업상태"]


def _copy_schemas(tmp_path: Path) -> Path:
    target = tmp_path / "schemas"
    target.mkdir()
    for f in schema_dir().glob("*.toml"):
        (target / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    return target


BROKEN = [
    ("toml-syntax", "tab = \n", "스키마 파일 runlog.toml이(가) 잘못되었습니다: TOML 문법 오류"),
    ("unknown-type", 'type = "owner"', "열 'entry_id'의 type 'nonsense'은(는) 없습니다"),
    ("unknown-owner", 'owner = "job"', "열 'entry_id'의 owner 'robot'은(는) staff, job, market 중 하나여야 합니다"),
    ("enum-without-values", 'type = "enum"\nenum = []', "enum 열 'result'에 enum 값 목록이 없습니다"),
    ("duplicate-header", 'header = "실행ID"', "머리글/별칭 '실행ID'이(가) 열"),
]


@pytest.mark.parametrize(("case", "needle", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_schema_is_a_clear_error(tmp_path, case, needle, message):
    folder = _copy_schemas(tmp_path)
    path = folder / "runlog.toml"
    text = path.read_text(encoding="utf-8")
    if case == "toml-syntax":
        text = needle + text
    elif case == "unknown-type":
        text = text.replace(
            'key = "entry_id"\nheader = "기록ID"\ntype = "id"', 'key = "entry_id"\nheader = "기록ID"\ntype = "nonsense"'
        )
    elif case == "unknown-owner":
        text = text.replace('type = "id"\nowner = "job"', 'type = "id"\nowner = "robot"', 1)
    elif case == "enum-without-values":
        text = text.replace('enum = ["성공", "경고", "실패", "건너뜀"]', "enum = []")
    elif case == "duplicate-header":
        text = text.replace('header = "기록ID"', 'header = "실행ID"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemaError) as info:
        load_schemas(folder)
    assert message in info.value.message


def test_missing_tab_file_is_reported(tmp_path):
    folder = _copy_schemas(tmp_path)
    (folder / "matches.toml").unlink()
    with pytest.raises(SchemaError, match=r"스키마 파일 matches\.toml이\(가\) .*에 없습니다"):
        load_schemas(folder)


def test_the_status_enum_and_the_schemas_drop_down_hold_the_same_words():
    from automation.domain.status import Status
    from automation.schema import default_schemas

    assert set(default_schemas()["매칭"].column("status").enum) == {s.value for s in Status}
