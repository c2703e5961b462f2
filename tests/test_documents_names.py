"""Agreement file names: cleaned stems and paths that stay inside the output folder."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from automation.documents.names import document_stem, path_inside
from automation.errors import DocumentError

ID = "M-2026-0007"
LONG_ORG = "가" * 300

STEMS = [
    # (id, org, market, expected stem)
    pytest.param(ID, "주식회사 한빛테크", "못골시장", "M-2026-0007_주식회사 한빛테크_못골시장", id="plain"),
    pytest.param(ID, "주식회사\n한빛테크", "못골\t시장", "M-2026-0007_주식회사 한빛테크_못골 시장", id="newline-tab"),
    pytest.param(ID, "  한빛   테크  ", "\r\n못골시장\r\n", "M-2026-0007_한빛 테크_못골시장", id="spaces-collapsed"),
    pytest.param(
        ID,
        unicodedata.normalize("NFD", "한빛테크"),
        unicodedata.normalize("NFD", "못골시장"),
        "M-2026-0007_한빛테크_못골시장",
        id="nfd-hangul",
    ),
    pytest.param(ID, "한빛\u202etxt.exe", "못골\u2066시장\u2069\u200e", "M-2026-0007_한빛txt.exe_못골시장", id="bidi"),
    pytest.param(ID, "한\u200b빛\ufeff테크\u200d", "못골\u00ad시장", "M-2026-0007_한빛테크_못골시장", id="zero-width"),
    pytest.param(ID, "../../x", "..", "M-2026-0007_.._.._x", id="dot-dot"),
    pytest.param(
        ID, "service_account.json", "못골시장", "M-2026-0007_service_account.json_못골시장", id="looks-like-a-file"
    ),
    pytest.param(ID, "A/B\\C", 'x:y*z?"<>|', "M-2026-0007_A_B_C_x_y_z", id="slashes-and-reserved-chars"),
    pytest.param(ID, "한빛 / 테크", "__못골__시장__", "M-2026-0007_한빛_테크_못골_시장", id="underscores-collapsed"),
    pytest.param(ID, "한빛🍎테크", "못골시장🏪", "M-2026-0007_한빛테크_못골시장", id="emoji-dropped"),
    pytest.param(ID, "👨‍👩‍👧 가족기업", "🇰🇷시장", "M-2026-0007_가족기업_시장", id="emoji-sequences-dropped"),
    pytest.param(ID, "㈜한빛테크", "못골시장©", "M-2026-0007_㈜한빛테크_못골시장©", id="ordinary-symbols-kept"),
    pytest.param(ID, "", "못골시장", "M-2026-0007_못골시장", id="empty-org"),
    pytest.param(ID, "한빛테크", "", "M-2026-0007_한빛테크", id="empty-market"),
    pytest.param(ID, "", "  ", "M-2026-0007", id="both-empty"),
    pytest.param(ID, "🍎", "\u200b", "M-2026-0007", id="only-invisible"),
    pytest.param(ID, "CON", "NUL", "M-2026-0007_CON_NUL", id="windows-reserved-after-id"),
    pytest.param("CON", "한빛", "못골", "_CON_한빛_못골", id="windows-reserved-id"),
    pytest.param("com1.x", "", "", "_com1.x", id="windows-reserved-id-with-dot"),
    pytest.param(".hidden", "한빛", "", "_hidden_한빛", id="leading-dot-id"),
    pytest.param(ID, LONG_ORG, "못골시장", "M-2026-0007_" + "가" * 46, id="300-chars-cut-to-150-bytes"),
    pytest.param(ID, "가" * 45 + "  " + "나", "시장", "M-2026-0007_" + "가" * 45, id="cut-then-trailing-space-trimmed"),
    pytest.param("M-" + "9" * 160, "한빛", "못골", "M-" + "9" * 160, id="id-never-cut"),
]


@pytest.mark.parametrize(("match_id", "org", "market", "expected"), STEMS)
def test_document_stem(match_id: str, org: str, market: str, expected: str) -> None:
    stem = document_stem(match_id, org, market)
    assert stem == expected
    assert len(stem.encode("utf-8")) <= 150 or stem == match_id


@pytest.mark.parametrize("max_bytes", [20, 40, 41, 42, 43, 150])
def test_stem_cut_on_a_character_boundary(max_bytes: int) -> None:
    stem = document_stem(ID, "가나다라마바사아자차카타파하" * 3, "시장", max_bytes=max_bytes)
    assert len(stem.encode("utf-8")) <= max_bytes
    assert stem.startswith(ID)
    stem.encode("utf-8").decode("utf-8")  # whole characters only


def test_empty_id_is_refused() -> None:
    with pytest.raises(DocumentError) as caught:
        document_stem(" \u200b ", "한빛", "못골")
    assert (
        caught.value.message
        == "매칭ID가 비어 있어 협약서 파일 이름을 만들 수 없습니다. 매칭 탭의 매칭ID 칸을 확인하세요."
    )


@pytest.mark.parametrize("stem_case", [row.values for row in STEMS], ids=[row.id for row in STEMS])
def test_every_stem_is_a_real_file_name(tmp_path: Path, stem_case: tuple[str, str, str, str]) -> None:
    match_id, org, market, _ = stem_case
    target = path_inside(tmp_path, document_stem(match_id, org, market) + ".docx")
    target.write_bytes(b"x")
    assert target.parent == tmp_path.resolve()
    assert os.listdir(tmp_path) == [target.name]


def test_path_inside_resolves_a_plain_name(tmp_path: Path) -> None:
    assert path_inside(tmp_path, "M-1_한빛_못골.docx") == tmp_path.resolve() / "M-1_한빛_못골.docx"


@pytest.mark.parametrize(
    "name",
    ["../x.docx", "../../etc/passwd", "sub/../../x.docx", "/etc/passwd", "..", ".", ""],
    ids=["parent", "grandparent", "down-and-up", "absolute", "dot-dot", "dot", "empty"],
)
def test_path_inside_refuses_to_leave(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "agreements"
    folder.mkdir()
    with pytest.raises(DocumentError) as caught:
        path_inside(folder, name)
    assert caught.value.message == (
        f"파일 이름 '{name}'이(가) 협약서 폴더 {folder.resolve()} 밖을 가리켜 쓰지 않았습니다. "
        "이름에서 '..'와 '/'를 빼거나, 그 자리에 있는 바로 가기(심볼릭 링크)를 지우세요."
    )


def test_path_inside_refuses_a_symlink_out(tmp_path: Path) -> None:
    folder = tmp_path / "agreements"
    folder.mkdir()
    secret = tmp_path / "service_account.json"
    secret.write_text("{}", encoding="utf-8")
    (folder / "M-1_한빛_못골.docx").symlink_to(secret)
    with pytest.raises(DocumentError, match="밖을 가리켜"):
        path_inside(folder, "M-1_한빛_못골.docx")


def test_path_inside_allows_a_symlink_that_stays_inside(tmp_path: Path) -> None:
    folder = tmp_path / "agreements"
    (folder / "old").mkdir(parents=True)
    (folder / "old" / "a.docx").write_bytes(b"x")
    (folder / "a.docx").symlink_to(folder / "old" / "a.docx")
    assert path_inside(folder, "a.docx") == folder.resolve() / "old" / "a.docx"


def test_path_inside_a_symlinked_folder(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    assert path_inside(tmp_path / "link", "a.docx") == real.resolve() / "a.docx"
