"""Sheets as people really leave them: merged cells, a stray value at the last row or column, hidden
rows, filters, frozen panes, look-alike tab names, damaged files, a read-only folder, a full disk,
a job killed in the middle of a save. Each ends in a Korean message naming the file and the fix,
the documented exit code, and no half-written file or stray copy left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tracemalloc
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest

from automation.config import load_config
from automation.demo.data import sample_applications, sample_markets
from automation.errors import WorkbookError
from automation.pipeline.runner import STEP_BY_NAME, run
from automation.schema import default_schemas
from automation.setup import jobs
from automation.sheets import open_backend, transaction
from automation.sheets.writes import append_rows
from automation.sheets.xlsx import XlsxBackend
from tests.conftest import write_config
from tests.test_cli import cli

SCHEMAS = default_schemas()


def fresh(tmp_path: Path, apps: int = 6):
    config = load_config(write_config(tmp_path))
    jobs.init(config)
    backend = open_backend(config, "master")
    with transaction(backend):
        append_rows(backend, SCHEMAS["시장"], sample_markets())
        append_rows(backend, SCHEMAS["참여신청"], sample_applications()[:apps])
    return config


def master(config) -> Path:
    return Path(config.workbooks["master"])


def column(ws, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


# -- merged cells ---------------------------------------------------------------------------------


def test_merged_job_cells_are_reported_on_their_rows_and_the_rest_is_written(tmp_path):
    """Measured before: two merged 검증결과 cells crashed every run (AttributeError: 'MergedCell')."""
    config = fresh(tmp_path)
    path = master(config)
    wb = openpyxl.load_workbook(path)
    ws = wb["참여신청"]
    col = openpyxl.utils.get_column_letter(column(ws, "검증결과"))
    ws.merge_cells(f"{col}3:{col}4")
    wb.save(path)
    proc = cli("validate", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "3행의 '검증결과' 칸이 병합되어 있어 쓰지 않았습니다. 병합을 풀면 다음 실행에서 씁니다." in proc.stdout
    ws = openpyxl.load_workbook(path)["참여신청"]
    results = {r: ws.cell(r, column(ws, "검증결과")).value for r in (2, 5, 6)}
    assert all(results.values()), results  # the other rows got their results
    assert str(ws.merged_cells) == f"{col}3:{col}4"  # the person's merge is kept


# -- a stray value far away -----------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["A1048576", "XFD1", "XFD7"])
def test_a_stray_value_at_the_edge_costs_one_cell_not_a_million(tmp_path, cell):
    """Measured before: one space typed in A1048576 made validate --dry-run take 2 min 16 s and 6.9 GB."""
    config = fresh(tmp_path)
    path = master(config)
    wb = openpyxl.load_workbook(path)
    wb["참여신청"][cell] = " " if cell == "A1048576" else "x"
    wb.save(path)
    tracemalloc.start()
    started = time.perf_counter()
    raw = XlsxBackend(path).read(["참여신청"])["참여신청"]
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(raw.rows) <= 8
    assert peak < 100 * 2**20, f"{peak / 2**20:.0f} MB"
    assert seconds < 30  # generous: the bug took minutes
    assert run(config, dry_run=True, steps=[STEP_BY_NAME["validate"]]).reports[0].failed is False


# -- things staff set that a save must keep ---------------------------------------------------------


def test_hidden_rows_filters_and_frozen_panes_survive_a_run_and_init(tmp_path):
    config = fresh(tmp_path)
    path = master(config)
    wb = openpyxl.load_workbook(path)
    ws = wb["참여신청"]
    ws.row_dimensions[3].hidden = True
    ws.auto_filter.ref = "A1:F7"
    ws.freeze_panes = "D2"
    wb.save(path)
    assert not run(config).failed
    jobs.init(config)
    ws = openpyxl.load_workbook(path)["참여신청"]
    assert ws.row_dimensions[3].hidden is True
    assert ws.auto_filter.ref == "A1:F7"
    assert ws.freeze_panes == "D2"  # measured before: init reset it to A2


def test_init_keeps_a_freeze_staff_chose_on_google(gsheets, google_onemarket_config):
    from google_fixtures import KEYS

    jobs.init(google_onemarket_config)
    tab = gsheets.tab(KEYS["master"], "참여신청")
    tab.frozen_rows = 2
    jobs.init(google_onemarket_config)
    assert gsheets.tab(KEYS["master"], "참여신청").frozen_rows == 2


# -- look-alike tab names -------------------------------------------------------------------------

LOOK_ALIKES = [
    ("nfd", unicodedata.normalize("NFD", "참여신청")),
    ("trailing-space", "참여신청 "),
    ("nbsp-inside", "참여\u00a0신청"),
    ("zero-width", "참여\u200b신청"),
]


@pytest.mark.parametrize("title", [t for _, t in LOOK_ALIKES], ids=[i for i, _ in LOOK_ALIKES])
def test_a_look_alike_tab_is_the_same_tab_and_init_puts_its_name_back(tmp_path, title):
    """Measured before: renamed to NFD (as macOS does) and then init, as the message advised: two
    identical-looking 참여신청 tabs, and 75 job rows turned 미배정."""
    config = fresh(tmp_path)
    assert not run(config).failed
    path = master(config)
    wb = openpyxl.load_workbook(path)
    wb["참여신청"].title = title
    wb.save(path)
    before = openpyxl.load_workbook(path)["매칭"]
    statuses = [r[8] for r in before.iter_rows(min_row=2, values_only=True)]
    assert not run(config).failed  # found as the same tab
    result = jobs.init(config)
    assert result[0].tabs_renamed == {title: "참여신청"} and result[0].tabs_created == []
    wb = openpyxl.load_workbook(path)
    assert [t for t in wb.sheetnames if unicodedata.normalize("NFC", t).strip() == "참여신청"] == ["참여신청"]
    assert [r[8] for r in wb["매칭"].iter_rows(min_row=2, values_only=True)] == statuses


def test_two_look_alike_tabs_stop_the_step_with_a_message(tmp_path):
    config = fresh(tmp_path)
    path = master(config)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet(unicodedata.normalize("NFD", "참여신청"))
    wb.save(path)
    proc = cli("validate", cwd=tmp_path)
    assert proc.returncode == 2
    assert "'참여신청' 탭과 이름이 같아 보이는 탭이 여러 개입니다" in proc.stderr
    assert "하나만 남기고 나머지는 이름을 바꾸거나 지운 뒤 다시 실행하세요" in proc.stderr


def test_a_look_alike_tab_on_google_is_found(gsheets, google_onemarket_config):
    from google_fixtures import KEYS

    jobs.init(google_onemarket_config)
    gsheets.tab(KEYS["master"], "참여신청").title = unicodedata.normalize("NFD", "참여신청")
    assert not run(google_onemarket_config, steps=[STEP_BY_NAME["validate"]]).failed
    result = jobs.init(google_onemarket_config)
    assert result[0].tabs_renamed and result[0].tabs_created == []
    assert [t.title for t in gsheets.books[KEYS["master"]].tabs].count("참여신청") == 1


# -- damaged files --------------------------------------------------------------------------------


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
        return
    if how == "not-a-zip":
        path.write_bytes(b"this is not a spreadsheet")
        return
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    if how == "malformed-xml":
        parts[sheet] = parts[sheet][: len(parts[sheet]) // 2]
    elif how == "undefined-entity":
        parts[sheet] = parts[sheet].replace(b"<sheetData>", b"<sheetData>&nosuchentity;", 1)
    with zipfile.ZipFile(path, "w") as z:
        for name, body in parts.items():
            z.writestr(name, body)


@pytest.mark.parametrize("how", ["truncated", "not-a-zip", "malformed-xml", "undefined-entity"])
def test_a_damaged_workbook_is_named_with_the_fix_and_nothing_is_written(tmp_path, how):
    config = fresh(tmp_path)
    path = master(config)
    _damage(path, how)
    damaged = path.read_bytes()
    proc = cli("run", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "master.xlsx을(를) .xlsx로 읽을 수 없습니다 (파일이 손상됨" in proc.stdout + proc.stderr
    assert ".onemarket-backup/master.xlsx" in proc.stdout + proc.stderr
    assert path.read_bytes() == damaged


# -- a folder that cannot be written ----------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A real, tiny file system (tmpfs) mounted in tmp_path; skipped where mounting is not allowed."""
    where = tmp_path / "disk"
    where.mkdir()

    def mount(options: str) -> Path:
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.decode().strip()})")
        return where

    yield mount
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _workbook_in(folder: Path, tmp_path: Path):
    body = (
        f'[workbook]\nbackend = "xlsx"\nmaster = "{folder}/master.xlsx"\noutcomes = "{folder}/outcomes.xlsx"\n'
        f'dashboard = "{folder}/dashboard.xlsx"\n[run]\nlock = "{tmp_path}/run.lock"\n'
    )
    config = load_config(write_config(tmp_path / "cfg", body))
    jobs.init(config)
    return config


def test_a_read_only_folder_is_named_and_the_file_stays_whole(tmp_path, small_disk):
    folder = small_disk("size=8m")
    config = _workbook_in(folder, tmp_path)
    path = Path(config.workbooks["master"])
    backend = open_backend(config, "master")
    append_rows(backend, SCHEMAS["참여신청"], sample_applications()[:3])
    before = path.read_bytes()
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    try:
        with pytest.raises(WorkbookError) as info:
            backend.commit()
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(folder)], check=True)
    assert info.value.message.startswith(f"폴더 {folder}에 쓸 수 없어 master.xlsx을(를) 저장하지 못했습니다")
    assert "[workbook] 경로를 쓸 수 있는 곳으로 옮기세요" in info.value.message
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".master")) == []


def test_a_full_disk_is_named_and_leaves_no_half_file(tmp_path, small_disk):
    folder = small_disk("size=160k")
    config = _workbook_in(folder, tmp_path)
    path = Path(config.workbooks["master"])
    before = path.read_bytes()
    backend = open_backend(config, "master")
    big = [{"org_name": f"기관{i}", "other_cooperation": os.urandom(600).hex()} for i in range(400)]  # incompressible
    append_rows(backend, SCHEMAS["참여신청"], big)
    with pytest.raises(WorkbookError) as info:
        backend.commit()
    assert info.value.message.startswith("디스크 공간이 부족해 master.xlsx을(를) 저장하지 못했습니다")
    assert path.read_bytes() == before
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


# -- a kill in the middle of a save -----------------------------------------------------------------

SAVER = """
import sys
from automation.sheets.xlsx import XlsxBackend
from automation.sheets.base import CellWrite
b = XlsxBackend(sys.argv[1])
n = 0
while True:
    n += 1
    b.write({"참여신청": [CellWrite(2 + n % 50, 30, f"v{n}" * 200)]})
    b.commit()
"""


def test_a_job_killed_while_saving_leaves_no_copy_of_the_workbook_behind(tmp_path):
    config = fresh(tmp_path, apps=40)
    path = master(config)
    for trial in range(12):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(path)], cwd=tmp_path)
        time.sleep(0.4 + 0.05 * trial)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        XlsxBackend(path)  # the next run opens the file: leftovers of a dead run are swept
        leftovers = [p.name for p in path.parent.iterdir() if p.name.startswith(".master.xlsx.")]
        assert leftovers == [], leftovers
        openpyxl.load_workbook(path)  # and the file itself is whole
