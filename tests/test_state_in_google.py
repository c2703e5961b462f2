"""The workbook is the only memory, on Google Sheets: a lost local folder, an emptied or deleted job
tab, or a second desk with its own folder never sends a mail twice, reuses an ID or re-renders a
signed agreement. gspread's real client against the loopback Sheets-API test server (the stand-in
for Google, which is unreachable here), real SMTP (aiosmtpd on 127.0.0.1), real subprocesses."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from automation.config import Config, load_config
from automation.demo.data import sample_applications, sample_markets
from automation.demo.make import _confirm_some
from automation.pipeline.runner import run
from automation.schema import default_schemas
from automation.setup import jobs
from automation.sheets import open_backend, transaction
from automation.sheets.writes import RowUpdate, append_rows, write_rows
from tests.google_fixtures import KEYS

SCHEMAS = default_schemas()
JOB_TABS = ("_발송기록", "_작업상태")


def _with_smtp(config: Config, port: int) -> Config:
    path = config.path
    path.write_text(
        path.read_text(encoding="utf-8")
        + (
            f'\n[mail]\ntransport = "smtp"\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n'
            '[documents]\npdf = "never"\n'
        ),
        encoding="utf-8",
    )
    return load_config(path)


def _filled(config: Config, apps: int = 20) -> None:
    jobs.init(config)
    backend = open_backend(config, "master")
    append_rows(backend, SCHEMAS["시장"], sample_markets())
    append_rows(backend, SCHEMAS["참여신청"], sample_applications()[:apps])


def _column(gsheets, title: str, header: str) -> list[str]:
    head, *rows = gsheets.values(KEYS["master"], title)
    i = head.index(header)
    return [r[i] if i < len(r) else "" for r in rows]


def _sign(config: Config, match_ids: list[str]) -> None:
    backend = open_backend(config, "master")
    with transaction(backend):
        write_rows(
            backend,
            SCHEMAS["매칭"],
            [RowUpdate({"status": "협약체결"}, id=m) for m in match_ids],
            allow=frozenset({"status"}),
        )


def _digest(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.glob("*.docx"))
    }


def _recipients(server) -> Counter[str]:
    return Counter(m.message["To"] for m in server.messages)


def _lose(gsheets, config: Config, loss: str) -> None:
    book = gsheets.books[KEYS["master"]]
    if loss == "folder-deleted":
        shutil.rmtree(config.state_dir, ignore_errors=True)
    elif loss == "journal-emptied":
        gsheets.set_values(KEYS["master"], "_발송기록", gsheets.values(KEYS["master"], "_발송기록")[:1])
    elif loss == "job-tabs-deleted":
        book.tabs = [t for t in book.tabs if t.title not in JOB_TABS]
        shutil.rmtree(config.state_dir, ignore_errors=True)


@pytest.mark.parametrize("loss", ["folder-deleted", "journal-emptied", "job-tabs-deleted"])
def test_google_lost_state_never_resends_reuses_or_rerenders(gsheets, google_onemarket_config, smtp_server, loss):
    config = _with_smtp(google_onemarket_config, smtp_server.port)
    _filled(config)
    assert not run(config).failed
    confirmed = _confirm_some(config, 3)
    assert not run(config).failed
    sent = _recipients(smtp_server)
    assert sent and max(sent.values()) == 1
    _sign(config, confirmed)
    assert not run(config).failed  # the signed agreements are frozen from here on
    docs = _digest(config.documents.output)
    ids_before = set(_column(gsheets, "참여신청", "신청ID")) | set(_column(gsheets, "매칭", "매칭ID"))

    _lose(gsheets, config, loss)
    backend = open_backend(config, "master")
    append_rows(backend, SCHEMAS["참여신청"], sample_applications()[20:23])
    result = run(config)

    assert not result.failed, [r.message for r in result.reports]
    assert _recipients(smtp_server) == sent  # nothing resent
    assert _digest(config.documents.output) == docs  # nothing re-rendered
    ids_after = [i for i in _column(gsheets, "참여신청", "신청ID") + _column(gsheets, "매칭", "매칭ID") if i]
    assert len(ids_after) == len(set(ids_after))  # no ID given twice
    assert len(set(ids_after) - ids_before) >= 3  # the newcomers got fresh ones
    labels = [v for v in _column(gsheets, "매칭", "기관안내") if v]
    assert labels and all(not v.startswith("발송 중") for v in labels)


@pytest.mark.parametrize("together", [False, True], ids=["one-after-another", "at-the-same-time"])
def test_google_two_desks_one_spreadsheet_no_duplicate_mail_or_id(
    gsheets, google_onemarket_config, smtp_server, tmp_path, together
):
    """Two members of staff, each with their own folder and .onemarket/, run `onemarket run` against
    the same spreadsheets: every recipient gets at most one copy and no ID is given twice; a desk that
    finds the other one running exits 1 naming it."""
    config = _with_smtp(google_onemarket_config, smtp_server.port)
    _filled(config)
    assert not run(config).failed
    _confirm_some(config, 4)
    desks = [config.path.parent]
    desk2 = tmp_path / "desk2"
    desk2.mkdir()
    shutil.copy(config.path, desk2 / "onemarket.toml")
    shutil.copy(config.path.parent / "credentials.json", desk2 / "credentials.json")
    desks.append(desk2)

    def start(desk: Path) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "automation", "run"],
            cwd=desk,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    outcomes = []
    if together:
        procs = [start(d) for d in desks]
        outcomes = [(p.wait(180), *p.communicate()) for p in procs]
    else:
        for d in desks:
            p = start(d)
            outcomes.append((p.wait(180), *p.communicate()))
    # the demo data holds deliberately bad rows, so a completed run exits 1 too: tell them apart by output
    skipped = [err for _, _, err in outcomes if "건너뜁니다" in err]
    for code, out, err in outcomes:
        assert code in (0, 1) and "Traceback" not in err, err
        if "건너뜁니다" in err:
            assert code == 1 and "같은 스프레드시트에 쓰는 중이라 'run'을(를) 건너뜁니다 — run, 컴퓨터 " in err, err
        else:
            assert "안내메일" in out, out
    assert len(skipped) <= (1 if together else 0)
    # both desks once more, one after the other: still nothing twice
    for d in desks:
        p = start(d)
        code, (out, err) = p.wait(180), p.communicate()
        assert code in (0, 1) and "건너뜁니다" not in err and "안내메일" in out, err
    sent = _recipients(smtp_server)
    assert sent and max(sent.values()) == 1, sent
    match_ids = [i for i in _column(gsheets, "매칭", "매칭ID") if i]
    app_ids = [i for i in _column(gsheets, "참여신청", "신청ID") if i]
    assert len(match_ids) == len(set(match_ids)) and len(app_ids) == len(set(app_ids))
    journal = [r for r in gsheets.values(KEYS["master"], "_발송기록")[1:] if any(r)]
    keys = [r[0] for r in journal]
    assert len(keys) == len(set(keys))
