"""The workbook is the only memory: what decides the next run lives in master's hidden job tabs, so
a lost, emptied, truncated or older local folder — or a second desk with its own folder — never
sends a mail twice, reuses an ID or re-renders an agreement. Real .xlsx files, real SMTP (aiosmtpd
on 127.0.0.1), real processes killed with SIGKILL."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from automation.config import load_config
from automation.mail.journal import State
from tests.pair_helpers import APP, MARKET, MATCH
from tests.step_helpers import BASE, journal_entries, match_rows, run_step, set_match_cell, smtp_section, workbook

N = 4
APPS = [
    {**APP, "application_id": f"A-2026-{i:04d}", "org_name": f"기관{i}", "email": f"org{i}@example.com"}
    for i in range(1, N + 1)
]
MARKETS = [
    {**MARKET, "market_code": f"MK{i}", "market_name": f"시장{i}", "association_email": f"mk{i}@example.org"}
    for i in range(1, N + 1)
]
MATCHES = [
    {
        **MATCH,
        "match_id": f"M-2026-{i:04d}",
        "application_id": f"A-2026-{i:04d}",
        "org_name": f"기관{i}",
        "market_code": f"MK{i}",
        "market_name": f"시장{i}",
    }
    for i in range(1, N + 1)
]


def _ready(folder: Path, port: int, **mail):
    config = workbook(folder, apps=APPS, markets=MARKETS, matches=MATCHES, mail=smtp_section(port, **mail))
    assert not run_step(config, "agreements").failed
    return config


def _digest(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.glob("*.docx"))
    }


def _recipients(*servers) -> Counter[str]:
    return Counter(s.message["To"] for server in servers for s in server.messages)


def _edit_tab(config, title: str, fn) -> None:
    wb = openpyxl.load_workbook(config.workbooks["master"])
    fn(wb, title)
    wb.save(config.workbooks["master"])


def _empty(wb, title):
    ws = wb[title]
    ws.delete_rows(2, ws.max_row)


def _delete(wb, title):
    del wb[title]


@pytest.mark.parametrize(
    "loss",
    [
        "folder-deleted",
        "legacy-journal-truncated",
        "journal-tab-emptied",
        "journal-tab-deleted",
        "journal-tab-from-an-older-copy",
    ],
)
def test_lost_state_never_resends_nor_rerenders(tmp_path, smtp_server, loss):
    config = _ready(tmp_path, smtp_server.port)
    first = [MATCHES[0]["match_id"], MATCHES[1]["match_id"]]
    for mid in (m["match_id"] for m in MATCHES[2:]):
        set_match_cell(config, mid, "상태", "제안")  # two pairs now, two later
    assert not run_step(config, "notify").failed
    older = [
        [c.value for c in row] for row in openpyxl.load_workbook(config.workbooks["master"])["_발송기록"].iter_rows()
    ]
    for mid in (m["match_id"] for m in MATCHES[2:]):
        set_match_cell(config, mid, "상태", "확정")
    assert not run_step(config, "agreements").failed
    assert not run_step(config, "notify").failed
    set_match_cell(config, first[0], "상태", "협약체결")  # its agreement is frozen now
    assert len(smtp_server.messages) == 2 * N
    documents = _digest(config.documents.output)

    if loss == "folder-deleted":
        shutil.rmtree(config.state_dir, ignore_errors=True)
    elif loss == "legacy-journal-truncated":
        config.state_dir.mkdir(parents=True, exist_ok=True)
        (config.state_dir / "mail.sqlite3").write_bytes(b"")
    elif loss == "journal-tab-emptied":
        _edit_tab(config, "_발송기록", _empty)
    elif loss == "journal-tab-deleted":
        _edit_tab(config, "_발송기록", _delete)
    else:

        def restore(wb, title):
            ws = wb[title]
            ws.delete_rows(1, ws.max_row)
            for row in older:
                ws.append(row)

        _edit_tab(config, "_발송기록", restore)

    config = load_config(config.path)
    result = run_step(config, "agreements")
    assert not result.failed, [r.message for r in result.reports]
    run_step(config, "notify")
    assert len(smtp_server.messages) == 2 * N  # nothing sent a second time
    assert _recipients(smtp_server).most_common(1)[0][1] == 1
    assert _digest(config.documents.output) == documents  # nothing rendered again


def _workspace(folder: Path, master_config, port: int) -> Path:
    """A second desk: its own folder (own .onemarket/), the same workbook files and agreements folder."""
    folder.mkdir(parents=True, exist_ok=True)
    wb = master_config.workbooks
    body = (
        BASE
        + "".join(f'{role} = "{wb[role]}"\n' for role in ("master", "outcomes", "dashboard"))
        + smtp_section(port)
        + f'[documents]\npdf = "never"\noutput = "{master_config.documents.output}"\n'
    )
    path = folder / "onemarket.toml"
    path.write_text(body, encoding="utf-8")
    return path


def _cli(config_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "ONEMARKET_CONFIG"}
    return subprocess.Popen(
        [sys.executable, "-m", "automation", "--config", str(config_path), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _new_applications(config, count: int) -> None:
    from automation.sheets import open_backend, transaction
    from automation.sheets.writes import append_rows
    from tests.validation_helpers import SCHEMAS

    backend = open_backend(config, "master")
    with transaction(backend):
        append_rows(
            backend,
            SCHEMAS["참여신청"],
            [
                {**APP, "application_id": "", "org_name": f"새기관{i}", "email": f"new{i}@example.com"}
                for i in range(count)
            ],
        )


def _ids(config) -> Counter[str]:
    wb = openpyxl.load_workbook(config.workbooks["master"], read_only=True)
    out: Counter[str] = Counter()
    for title, header in (("참여신청", "신청ID"), ("매칭", "매칭ID")):
        rows = list(wb[title].iter_rows(values_only=True))
        col = list(rows[0]).index(header)
        out.update(str(r[col]) for r in rows[1:] if r[col])
    wb.close()
    return out


@pytest.mark.parametrize("together", [False, True], ids=["one-after-another", "at-the-same-time"])
def test_two_workspaces_one_workbook_no_duplicate_mail_no_duplicate_id(tmp_path, smtp_server, together):
    desk_a = _ready(tmp_path / "a", smtp_server.port)
    _new_applications(desk_a, 6)
    desk_b = _workspace(tmp_path / "b", desk_a, smtp_server.port)
    if together:
        procs = [_cli(desk_a.path, "run", "--wait", "0"), _cli(desk_b, "run", "--wait", "0")]
        results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
    else:
        results = [(_cli(path, "run").wait(timeout=300), "") for path in (desk_a.path, desk_b)]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 1], [1, 1]), results
    for code, err in results:
        if code == 1 and err:
            assert (
                "다른 onemarket 작업이 같은 파일에 쓰는 중이라 'run'을(를) 건너뜁니다 — run, " in err
                or "오류" in err
                or not err
            ), err
    # the other one runs now (the second desk either waited its turn or stopped at the lock)
    for path in (desk_a.path, desk_b):
        _cli(path, "run").wait(timeout=300)
    sent = _recipients(smtp_server)
    assert sent and sent.most_common(1)[0][1] == 1, sent.most_common(3)
    ids = _ids(desk_a)
    assert ids and ids.most_common(1)[0][1] == 1, ids.most_common(3)
    assert not (tmp_path / "b" / ".onemarket" / "mail.sqlite3").exists()


@pytest.mark.parametrize("kill_after", [1, 2, 3, 5, 8])
def test_sigkill_anywhere_in_sending_then_staff_close_the_loop(tmp_path, make_smtp_server, kill_after):
    """Batches of 3; each message is stored by the server, then the reply waits 0.3 s: the job is
    killed right after message ``kill_after`` was stored (before its reply). Every recipient holds at
    most one copy; the uncertain ones show 확인필요; staff's 발송확인/재발송 then give exactly one each."""
    slow = make_smtp_server(hang_after_data=0.3)
    config = _ready(tmp_path, slow.port, batch=3)
    proc = _cli(config.path, "notify")
    deadline = time.monotonic() + 120
    while len(slow.messages) < kill_after and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _recipients(slow).most_common(1)[0][1] == 1

    healthy = make_smtp_server()
    config.path.write_text(
        config.path.read_text(encoding="utf-8").replace(f"port = {slow.port}", f"port = {healthy.port}"),
        encoding="utf-8",
    )
    config = load_config(config.path)
    run_step(config, "notify")
    got = _recipients(slow, healthy)
    assert got.most_common(1)[0][1] == 1, got  # never a second copy
    review = [e for e in journal_entries(config) if e.state == State.REVIEW]
    rows = {r["매칭ID"]: r for r in match_rows(config)}
    for e in review:
        assert rows[e.match_id]["기관안내" if e.role == "org" else "시장안내"] == "확인필요"
    # staff close the loop, one request per cell and run
    for _ in range(2 * N):
        review = [e for e in journal_entries(config) if e.state == State.REVIEW]
        if not review:
            break
        e = review[0]
        arrived = got[e.recipient] == 1
        side = "기관" if e.role == "org" else "시장"
        set_match_cell(config, e.match_id, "메일요청", f"{side} {'발송확인' if arrived else '재발송'}")
        run_step(config, "notify")
        got = _recipients(slow, healthy)
    assert sorted(got.values()) == [1] * (2 * N), got  # everyone exactly once
    assert {e.state for e in journal_entries(config)} == {State.SENT}


def test_staff_set_market_survives_runs(tmp_path):
    """Staff type a market into a 제안 row; `run` keeps it run after run (see test_match_step too)."""
    from tests.validation_helpers import app

    apps = [
        app(org_name="첫째기관", brn="", received_on="2024-05-01", wish_market_1="시장1", application_id=""),
        app(org_name="둘째기관", brn="", received_on="2024-05-02", wish_market_1="시장2", application_id=""),
    ]
    markets = [{**m, "capacity": "1"} for m in MARKETS[:3]]
    config = workbook(tmp_path, apps=apps, markets=markets, matches=())
    assert not run_step(config, "validate").failed
    run_step(config, "match")
    first = next(r for r in match_rows(config) if r["기관명"] == "첫째기관")
    set_match_cell(config, first["매칭ID"], "시장코드", "MK3")
    set_match_cell(config, first["매칭ID"], "시장명", "")
    for _ in range(2):
        shutil.rmtree(config.state_dir, ignore_errors=True)  # any desk, any folder
        run_step(config, "match")
        row = next(r for r in match_rows(config) if r["기관명"] == "첫째기관")
        assert (row["시장코드"], row["시장명"], row["상태"]) == ("MK3", "시장3", "제안")
        assert row["추천사유"].startswith("직원이 고른 시장입니다")


def _as_legacy_journal(config, entries) -> None:
    """The workspace as the previous version left it: the journal in .onemarket/mail.sqlite3 only."""
    import sqlite3

    config.state_dir.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(config.state_dir / "mail.sqlite3")
    db.execute(
        "CREATE TABLE mail (match_id TEXT, role TEXT, template TEXT, recipient TEXT, cc TEXT, subject TEXT, "
        "message_id TEXT, state TEXT, reason TEXT, attempts INTEGER, created_at TEXT, updated_at TEXT)"
    )
    db.executemany(
        "INSERT INTO mail VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                e.match_id,
                e.role,
                e.template,
                e.recipient,
                ",".join(e.cc),
                e.subject,
                e.message_id,
                e.state.value,
                e.reason,
                e.attempts,
                e.created_at,
                e.updated_at,
            )
            for e in entries
        ],
    )
    db.commit()
    db.close()


def test_an_older_workspace_moves_its_journal_into_the_workbook_on_the_first_run(tmp_path, smtp_server):
    """Upgrade path: the journal lived in .onemarket/mail.sqlite3 and the 안내 cells were cleared by
    someone; the first run takes the file in and writes it into _발송기록 even though it sends
    nothing, retires the file, and from then on the folder can go."""
    config = _ready(tmp_path, smtp_server.port)
    assert not run_step(config, "notify").failed
    sent = _recipients(smtp_server)
    entries = journal_entries(config)
    assert len(entries) == 2 * N and max(sent.values()) == 1
    _as_legacy_journal(config, entries)
    _edit_tab(config, "_발송기록", _empty)
    for m in MATCHES:
        set_match_cell(config, m["match_id"], "기관안내", None)
        set_match_cell(config, m["match_id"], "시장안내", None)

    assert not run_step(config, "notify").failed
    assert _recipients(smtp_server) == sent
    assert {e.key for e in journal_entries(config)} == {e.key for e in entries}  # in the workbook now
    assert not (config.state_dir / "mail.sqlite3").exists()
    assert (config.state_dir / "mail.sqlite3.migrated").exists()
    shutil.rmtree(config.state_dir)
    assert not run_step(config, "notify").failed
    assert _recipients(smtp_server) == sent
    assert all(r["기관안내"].startswith("발송완료") for r in match_rows(config))
