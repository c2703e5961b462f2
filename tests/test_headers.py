"""Headers are found by name in any order; problems stop the step with a Korean message."""

from __future__ import annotations

import pytest

from automation.errors import HeaderError
from automation.sheets.table import resolve_header


def runlog_header(*, drop=(), rename=None, extra_at=None):
    header = ["기록ID", "실행ID", "시각", "단계", "결과", "건수", "메시지"]
    header = [h for h in header if h not in drop]
    if rename:
        header = [rename.get(h, h) for h in header]
    if extra_at is not None:
        header.insert(extra_at, "직원메모")
    return header


def test_any_order_and_extra_columns(schemas):
    header = [*reversed(runlog_header()), "", "직원메모", "  "]
    hm = resolve_header(schemas["작업기록"], header)
    assert hm.col("entry_id") == 7
    assert hm.col("message") == 1
    assert hm.extra == (9,)


ALIASES = [
    ("renamed-with-alias", "연락처", "담당자 연락처"),
    ("trailing-space", "연락처", "연락처 "),
    ("full-width-and-spaces", "이메일", "담당자 이메일"),
    ("nfd-hangul", "기관명", "\u1100\u1175\u1100\u116a\u11ab\u1106\u1167\u11bc"),
]


@pytest.mark.parametrize(("original", "renamed"), [a[1:] for a in ALIASES], ids=[a[0] for a in ALIASES])
def test_aliases_and_normalisation_resolve(schemas, original, renamed):
    schema = schemas["참여신청"]
    header = [renamed if h == original else h for h in schema.headers]
    hm = resolve_header(schema, header)
    assert hm.col(schema.column_by_header(original).key) == header.index(renamed) + 1


MISSING_MESSAGE = (
    "'작업기록' 탭의 머리글(1행)을 고쳐야 합니다:\n"
    "- 헤더 '단계'를 찾을 수 없습니다. 1행에 '단계' 머리글을 되돌리거나 'onemarket init'으로 빠진 머리글을 추가하세요."
)
DUPLICATE_MESSAGE = (
    "'작업기록' 탭의 머리글(1행)을 고쳐야 합니다:\n"
    "- '결과' 머리글이 여러 번 있습니다 (E열, H열). 하나만 남기고 나머지 머리글 이름을 바꾸세요."
)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (runlog_header(drop=("단계",)), MISSING_MESSAGE),
        (runlog_header(rename={"단계": ""}), MISSING_MESSAGE),
        ([*runlog_header(), "결과"], DUPLICATE_MESSAGE),
    ],
    ids=["missing", "blanked", "duplicated"],
)
def test_header_problems_are_exact_korean_messages(schemas, header, message):
    with pytest.raises(HeaderError) as info:
        resolve_header(schemas["작업기록"], header)
    assert info.value.message == message
    assert info.value.exit_code == 2


def test_missing_header_names_aliases(schemas):
    schema = schemas["참여신청"]
    header = [h for h in schema.headers if h != "연락처"]
    with pytest.raises(HeaderError) as info:
        resolve_header(schema, header)
    assert "헤더 '연락처'를 찾을 수 없습니다 (다른 이름 허용: 담당자 연락처" in info.value.message


def test_two_blank_header_cells_are_fine(schemas):
    header = ["", "", *runlog_header()]
    assert resolve_header(schemas["작업기록"], header).col("entry_id") == 3


def test_only_needed_columns_are_required(schemas):
    header = runlog_header(drop=("메시지",))
    hm = resolve_header(schemas["작업기록"], header, required=["entry_id"])
    assert "message" not in hm.positions
