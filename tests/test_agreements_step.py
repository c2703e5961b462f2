"""`onemarket agreements` on real .xlsx files: what is rendered, when, where, and what the sheet says."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.pair_helpers import APP, MARKET, MATCH
from tests.step_helpers import job_state, match_rows, run_step, set_app_cell, set_match_cell, workbook

STEM = "M-2026-0001_주식회사 한빛테크_못골시장"


def _report(result):
    (report,) = result.reports
    return report


def test_confirmed_pair_gets_a_docx_and_its_path(tmp_path):
    config = workbook(tmp_path)
    result = run_step(config, "agreements")
    assert not result.failed and not result.data_errors
    docx = tmp_path / "agreements" / f"{STEM}.docx"
    assert docx.is_file()
    (row,) = match_rows(config)
    assert row["협약서"] == f"agreements/{STEM}.docx"
    assert row["상태"] == "확정" and row["처리일시"]
    assert _report(result).counts["만듦"] == 1


def test_nothing_is_rendered_again_when_nothing_changed(tmp_path):
    config = workbook(tmp_path)
    run_step(config, "agreements")
    docx = tmp_path / "agreements" / f"{STEM}.docx"
    before = docx.stat().st_mtime_ns
    again = _report(run_step(config, "agreements"))
    assert (again.counts["만듦"], again.counts["그대로"]) == (0, 1)
    assert docx.stat().st_mtime_ns == before


def test_changed_inputs_render_again_and_the_old_file_is_kept_aside(tmp_path):
    config = workbook(tmp_path)
    run_step(config, "agreements")
    # the organisation renames itself: a new file name, the earlier one moves to 지난판/
    set_app_cell(config, "기관명", "한빛테크 주식회사")
    report = _report(run_step(config, "agreements"))
    assert report.counts["만듦"] == 1
    new = tmp_path / "agreements" / "M-2026-0001_한빛테크 주식회사_못골시장.docx"
    assert new.is_file()
    assert (tmp_path / "agreements" / "지난판" / f"{STEM}.docx").is_file()
    assert not (tmp_path / "agreements" / f"{STEM}.docx").exists()
    assert match_rows(config)[0]["협약서"] == f"agreements/{new.name}"


def test_signed_pair_is_frozen(tmp_path):
    config = workbook(tmp_path)
    run_step(config, "agreements")
    set_match_cell(config, "M-2026-0001", "상태", "협약체결")
    set_app_cell(config, "특화프로그램", "전혀 다른 프로그램")
    report = _report(run_step(config, "agreements"))
    assert report.counts["만듦"] == 0
    assert "협약체결로 고정 1" in report.message


def test_signed_pair_without_a_document_gets_one(tmp_path):
    config = workbook(tmp_path, matches=[{**MATCH, "status": "협약체결"}])
    report = _report(run_step(config, "agreements"))
    assert report.counts["만듦"] == 1
    assert match_rows(config)[0]["협약서"] == f"agreements/{STEM}.docx"


def test_cleared_cell_is_restored_without_rendering(tmp_path):
    config = workbook(tmp_path)
    run_step(config, "agreements")
    set_match_cell(config, "M-2026-0001", "협약서", None)
    report = _report(run_step(config, "agreements"))
    assert report.counts["만듦"] == 0
    assert match_rows(config)[0]["협약서"] == f"agreements/{STEM}.docx"


@pytest.mark.parametrize(("status", "rendered"), [("제안", 0), ("거절", 0), ("미배정", 0), ("종료", 0), ("확정", 1)])
def test_only_confirmed_pairs(tmp_path, status, rendered):
    config = workbook(tmp_path, matches=[{**MATCH, "status": status}])
    assert _report(run_step(config, "agreements")).counts["만듦"] == rendered


def test_dry_run_renders_into_the_preview_folder_only(tmp_path):
    config = workbook(tmp_path)
    result = run_step(config, "agreements", dry_run=True)
    assert not result.failed
    assert (tmp_path / "preview" / "agreements" / f"{STEM}.docx").is_file()
    assert not (tmp_path / "agreements").exists()
    assert not (config.state_dir / "documents.json").exists()
    assert match_rows(config)[0]["협약서"] == ""


def test_market_deleted_after_matching_is_listed_and_gets_nothing(tmp_path):
    config = workbook(tmp_path, matches=[{**MATCH, "market_code": "GONE"}])
    result = run_step(config, "agreements")
    report = _report(result)
    assert [i.code for i in report.issues] == ["market_missing"]
    assert result.data_errors  # listed for review: exit code 1
    assert not (tmp_path / "agreements").exists() or not any((tmp_path / "agreements").iterdir())
    assert match_rows(config)[0]["협약서"] == ""


@pytest.mark.parametrize("org", ["../../x", "service_account.json", "한빛\n테크", "🙂기업/지사", "A" * 300])
def test_file_names_stay_inside_the_output_folder(tmp_path, org):
    config = workbook(tmp_path, apps=[{**APP, "org_name": org}])
    result = run_step(config, "agreements")
    assert not result.failed
    files = [p for p in (tmp_path / "agreements").rglob("*") if p.is_file()]
    assert len(files) == 1
    (path,) = files
    assert path.parent == tmp_path / "agreements"
    assert path.name.startswith("M-2026-0001_") and "\n" not in path.name and "/" not in path.name
    assert len(path.name.encode()) <= 160


def test_missing_address_waits_for_staff(tmp_path):
    config = workbook(tmp_path, apps=[{**APP, "address": ""}])
    report = _report(run_step(config, "agreements"))
    assert report.counts["만듦"] == 0
    assert [i.message for i in report.issues] == [
        "M-2026-0001: 참여신청.주소 칸이 비어 협약서를 만들지 않았습니다. 채우면 다음 실행에서 만듭니다."
    ]


def test_a_template_with_an_unknown_field_stops_before_anything(tmp_path):
    from docx import Document

    from automation.documents.docx import default_template

    custom = tmp_path / "my_template.docx"
    shutil.copy(default_template(), custom)
    doc = Document(str(custom))
    doc.add_paragraph("{{ 담당자전화 }}")
    doc.save(str(custom))
    config = workbook(tmp_path, documents=f'pdf = "never"\ntemplate = "{custom.name}"\n')
    result = run_step(config, "agreements")
    report = _report(result)
    assert report.failed
    assert "작업이 채울 수 없는 필드가 있습니다: 담당자전화" in report.message
    assert not (tmp_path / "agreements").exists()
    assert match_rows(config)[0]["협약서"] == ""


def test_manifest_records_the_inputs(tmp_path):
    config = workbook(tmp_path)
    run_step(config, "agreements")
    state = job_state(config)  # in the workbook, not on this computer
    assert [k for k in state if k[0] == "협약서"] == [("협약서", "M-2026-0001")]
    entry = json.loads(state[("협약서", "M-2026-0001")])
    assert entry["docx"] == f"{STEM}.docx" and entry["pdf"] == ""
    assert not (config.state_dir / "documents.json").exists()


def test_pdf_when_libreoffice_is_there(tmp_path):
    from automation.documents.pdf import find_soffice

    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    config = workbook(
        tmp_path,
        apps=[APP, {**APP, "application_id": "A-2026-0002", "org_name": "경기상회"}],
        markets=[MARKET],
        matches=[MATCH, {**MATCH, "match_id": "M-2026-0002", "application_id": "A-2026-0002", "org_name": "경기상회"}],
        documents='pdf = "always"\n',
    )
    report = _report(run_step(config, "agreements"))
    assert report.counts["PDF"] == 2
    assert sorted(r["협약서"] for r in match_rows(config)) == [
        f"agreements/{STEM}.pdf",
        "agreements/M-2026-0002_경기상회_못골시장.pdf",
    ]


@pytest.mark.parametrize(("mode", "failed"), [("auto", False), ("always", True)])
def test_libreoffice_not_found(tmp_path, mode, failed):
    config = workbook(tmp_path, documents=f'pdf = "{mode}"\nsoffice = "/nonexistent/soffice"\n')
    result = run_step(config, "agreements")
    report = _report(result)
    assert report.failed is failed
    where = (
        "[documents] soffice에 적은 '/nonexistent/soffice'에 LibreOffice(soffice)가 없습니다. 경로를 고치거나 지우세요."
    )
    if failed:
        assert report.message == f"PDF를 만들 수 없습니다: {where}"
        assert match_rows(config)[0]["협약서"] == ""
    else:
        assert f"PDF 없이 .docx만 만들었습니다: {where}" in report.message
        assert match_rows(config)[0]["협약서"] == f"agreements/{STEM}.docx"
