"""Two writers at once: another program saving the .xlsx while the job saves, and two onemarket
commands started together (xlsx and Google)."""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from automation.config import load_config
from automation.demo.data import sample_applications, sample_markets
from automation.errors import WriteConflictError
from automation.schema import default_schemas
from automation.setup import jobs
from automation.sheets import open_backend, transaction
from automation.sheets.base import CellWrite
from automation.sheets.writes import append_rows
from automation.sheets.xlsx import XlsxBackend
from tests.conftest import write_config

SCHEMAS = default_schemas()


def _workbook(tmp_path: Path, apps: int) -> Path:
    config = load_config(write_config(tmp_path))
    jobs.init(config)
    backend = open_backend(config, "master")
    with transaction(backend):
        append_rows(backend, SCHEMAS["시장"], sample_markets())
        append_rows(backend, SCHEMAS["참여신청"], (sample_applications() * 4)[:apps])
    return Path(config.workbooks["master"])


def _their_version(base: bytes, trial: int) -> bytes:
    """What the other program will save: the file as it was, plus its own edit."""
    wb = openpyxl.load_workbook(io.BytesIO(base))
    wb["참여신청"]["C2"] = f"그쪽 편집 {trial}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _save_like_excel(path: Path, data: bytes) -> None:
    tmp = path.with_name(f"~other{random.randrange(10**6)}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _save_in_place(path: Path, data: bytes) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(0)
        fh.write(data)


@pytest.mark.parametrize("writer", [_save_like_excel, _save_in_place], ids=["write-and-rename", "in-place"])
def test_another_program_saving_during_the_jobs_save_never_loses_its_save(tmp_path, writer):
    """100 trials; the other program saves at a random instant around the job's save. Measured
    before: its edit was lost silently in 16 to 29 of 30 trials. Now never: the job's save is
    refused with a message (and the step retries next run), or comes before theirs."""
    path = _workbook(tmp_path, 80)
    base = path.read_bytes()
    started = time.perf_counter()
    XlsxBackend(path).commit()
    probe = XlsxBackend(path)
    probe.write({"참여신청": [CellWrite(3, 24, "x")]})
    t0 = time.perf_counter()
    probe.commit()
    save_time = time.perf_counter() - t0
    path.write_bytes(base)
    outcomes: Counter[str] = Counter()
    rng = random.Random(7)
    for trial in range(100):
        path.write_bytes(base)
        theirs = _their_version(base, trial)
        job = XlsxBackend(path)
        job.write({"참여신청": [CellWrite(3, 24, f"작업 {trial}")]})
        delay = rng.uniform(0, 2.5 * save_time)
        other = threading.Thread(target=lambda d=delay, data=theirs: (time.sleep(d), writer(path, data)))
        other.start()
        try:
            job.commit()
            outcomes["job saved"] += 1
        except WriteConflictError as exc:
            assert "다른 프로그램(엑셀, 동기화 프로그램 등)에서 저장되어" in exc.message
            outcomes["job refused"] += 1
        other.join()
        ws = openpyxl.load_workbook(path)["참여신청"]
        assert ws["C2"].value == f"그쪽 편집 {trial}", (trial, dict(outcomes))
    assert sum(outcomes.values()) == 100

    assert time.perf_counter() - started < 600


def _match_twice(tmp_path: Path, env_extra: dict[str, str] | None = None) -> list[subprocess.CompletedProcess[str]]:
    env = {k: v for k, v in os.environ.items() if k != "ONEMARKET_CONFIG"} | (env_extra or {})
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "automation", "match"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=300)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


def _one_job_row_each(rows: list[list[str]]) -> None:
    header = rows[0]
    mid, app, status = header.index("매칭ID"), header.index("신청ID"), header.index("상태")
    code = header.index("시장코드")
    body = [r + [""] * (len(header) - len(r)) for r in rows[1:] if any(r)]
    ids = Counter(r[mid] for r in body)
    assert all(n == 1 for n in ids.values()), ids.most_common(3)
    # one job row per (organisation, market) — and one 미배정 row — even for several-market organisations
    live = Counter((r[app], r[code]) for r in body if r[status] in ("제안", "미배정"))
    assert all(n == 1 for n in live.values()), live.most_common(3)


def test_two_match_commands_started_together_on_xlsx(tmp_path):
    """Measured before: match took no lock; two at once left duplicate job rows."""
    path = _workbook(tmp_path, 40)
    subprocess.run([sys.executable, "-m", "automation", "validate"], cwd=tmp_path, capture_output=True, check=False)
    results = _match_twice(tmp_path)
    codes = sorted(r.returncode for r in results)
    assert codes in ([0, 0], [0, 1]), [r.stderr for r in results]  # the second waits its turn or stops at the lock
    for r in results:
        if r.returncode == 1:
            assert "다른 onemarket 작업이 같은 파일에 쓰는 중이라 'match'을(를) 건너뜁니다" in r.stderr
    ws = openpyxl.load_workbook(path)["매칭"]
    _one_job_row_each([["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)])


def test_two_match_commands_started_together_on_google(gsheets, google_onemarket_config):
    """Measured before: match + match together on Google left 160 job rows for 80 applicants."""
    from google_fixtures import KEYS

    config = google_onemarket_config
    jobs.init(config)
    master = open_backend(config, "master")
    append_rows(master, SCHEMAS["시장"], sample_markets())
    append_rows(master, SCHEMAS["참여신청"], (sample_applications() * 4)[:40])
    folder = config.path.parent
    subprocess.run([sys.executable, "-m", "automation", "validate"], cwd=folder, capture_output=True, check=False)
    results = _match_twice(folder)
    assert sorted(r.returncode for r in results) in ([0, 0], [0, 1]), [r.stderr for r in results]
    _one_job_row_each(gsheets.values(KEYS["master"], "매칭"))
