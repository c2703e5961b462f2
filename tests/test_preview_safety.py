"""``--dry-run`` writes only into a preview folder the product made: a preview path that overlaps a
real output is refused when the config is read, and a folder without the product's marker is never
emptied. Measured before: ``preview = ""`` or ``"."`` made ``run --dry-run`` delete the real
agreements folder (a frozen 협약체결 document, a signed scan, 지난판/) and, with ``outbox = "mail"``,
the .eml copies of notices already sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation.config import load_config
from automation.errors import ConfigError
from automation.preview import MARKER, preview_folder
from tests.conftest import write_config
from tests.step_helpers import BASE, run_step, workbook


@pytest.mark.parametrize(
    ("documents", "mail", "overlaps"),
    [
        pytest.param('preview = ""\n', "", "협약서 폴더([documents] output)", id="empty-is-the-config-folder"),
        pytest.param('preview = "."\n', "", "협약서 폴더([documents] output)", id="dot"),
        pytest.param('preview = "agreements"\n', "", "협약서 폴더([documents] output)", id="equal-to-agreements"),
        pytest.param('preview = "agreements/preview"\n', "", "협약서 폴더([documents] output)", id="inside-agreements"),
        pytest.param(
            'output = "out/agreements"\npreview = "out"\n', "", "협약서 폴더([documents] output)", id="above-agreements"
        ),
        pytest.param(
            'preview = "preview"\n',
            '[mail]\noutbox = "preview/mail"\n',
            "메일 보관 폴더([mail] outbox)",
            id="outbox-inside-preview",
        ),
        pytest.param('preview = ".onemarket"\n', "", "작업 폴더([run] state_dir)", id="state-folder"),
        pytest.param('preview = ".."\n', "", "협약서 폴더([documents] output)", id="parent-folder"),
    ],
)
def test_a_preview_overlapping_a_real_output_is_refused_at_config_load(tmp_path, documents, mail, overlaps):
    path = write_config(tmp_path, BASE + mail + "[documents]\n" + documents)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.message.startswith("onemarket.toml: [documents] preview(")
    assert overlaps in info.value.message
    assert 'preview를 따로 된 폴더(기본값 "preview")로 바꾸세요.' in info.value.message


def test_a_separate_preview_folder_is_accepted(tmp_path):
    path = write_config(tmp_path, BASE + '[documents]\npreview = "미리보기"\n')
    assert load_config(path).documents.preview == (tmp_path / "미리보기").resolve()


def test_a_folder_without_the_marker_that_holds_other_files_is_never_emptied(tmp_path):
    folder = tmp_path / "shared"
    (folder / "agreements").mkdir(parents=True)
    (folder / "agreements" / "서명본.pdf").write_bytes(b"signed scan")
    (folder / "회의록.hwp").write_bytes(b"minutes")
    with pytest.raises(ConfigError) as info:
        preview_folder(folder, "agreements")
    assert f"미리보기 폴더 {folder}에 onemarket이 만든 표시({MARKER})가 없고" in info.value.message
    assert (folder / "agreements" / "서명본.pdf").read_bytes() == b"signed scan"


@pytest.mark.parametrize(
    "before",
    [
        pytest.param(None, id="new"),
        pytest.param(["agreements/old.docx", "mail/old.eml"], id="made-by-an-earlier-version"),
        pytest.param([MARKER, "agreements/old.docx", "notes.txt"], id="marked"),
    ],
)
def test_the_products_own_preview_folder_is_marked_and_emptied(tmp_path, before):
    folder = tmp_path / "preview"
    for name in before or []:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x")
    sub = preview_folder(folder, "agreements")
    assert sub == folder / "agreements" and not sub.exists()
    assert (folder / MARKER).is_file()


def test_run_dry_run_leaves_the_real_agreements_alone(tmp_path):
    config = workbook(tmp_path)
    real = config.documents.output
    real.mkdir(parents=True, exist_ok=True)
    (real / "서명본.pdf").write_bytes(b"signed scan")
    result = run_step(config, "agreements", dry_run=True)
    assert not result.failed, [r.message for r in result.reports]
    assert (real / "서명본.pdf").read_bytes() == b"signed scan"
    assert (config.documents.preview / MARKER).is_file()
    assert isinstance(config.documents.preview, Path)
