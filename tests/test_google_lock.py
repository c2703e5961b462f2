"""The run lock for Google lives inside the master spreadsheet (a hidden, protected ``_잠금`` tab),
so two desks with their own local folders share it. Against the loopback Sheets-API test server
(the one stand-in for Google; gspread's real HTTP client talks to it)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from google_fixtures import KEYS, SERVICE_EMAIL

from automation.errors import RunLockedError
from automation.locking import job_lock
from automation.sheets.google import GoogleBackend
from automation.sheets.google_lock import LOCK_TAB, SpreadsheetLock


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _lock(config, command="run", clock=None, ttl=600.0) -> SpreadsheetLock:
    backend = GoogleBackend.from_config(config.google, KEYS["master"])
    clock = clock or Clock()
    return SpreadsheetLock(backend, command, ttl=ttl, clock=clock, sleep=clock.sleep, poll=1.0)


def test_lock_is_a_hidden_protected_tab_and_goes_on_release(gsheets, google_onemarket_config):
    lock = _lock(google_onemarket_config, "match")
    lock.acquire()
    tab = gsheets.books[KEYS["master"]].tab(LOCK_TAB)
    assert tab.hidden
    assert [p["editors"]["users"] for p in tab.protected] == [[SERVICE_EMAIL]]
    header, row = gsheets.values(KEYS["master"], LOCK_TAB)[:2]
    assert header[:6] == ["작업", "컴퓨터", "PID", "실행ID", "시작", "만료"]
    assert row[0] == "match" and row[3] == lock.run_id
    lock.release()
    assert LOCK_TAB not in [t.title for t in gsheets.books[KEYS["master"]].tabs]


def test_second_desk_is_refused_with_the_holder_named(google_onemarket_config):
    first, clock = _lock(google_onemarket_config, "run"), Clock()
    first.acquire()
    second = _lock(google_onemarket_config, "notify", clock)
    with pytest.raises(RunLockedError) as info:
        second.acquire(wait=10)
    message = info.value.message
    assert message.startswith(
        "다른 onemarket 작업이 같은 스프레드시트에 쓰는 중이라 'notify'을(를) 건너뜁니다 — run, 컴퓨터 "
    )
    assert f"실행 {first.run_id}" in message and "부터, 만료 " in message and "--wait" in message
    assert clock.now >= 1_800_000_010  # it waited --wait seconds first
    first.release()
    second.acquire()  # free now
    second.release()


def test_a_crashed_holders_lock_expires_and_is_broken_once(google_onemarket_config):
    clock = Clock()
    crashed = _lock(google_onemarket_config, "run", clock, ttl=60)
    crashed.acquire()  # ... and never releases (killed)
    a, b = _lock(google_onemarket_config, "run", clock), _lock(google_onemarket_config, "run", clock)
    with pytest.raises(RunLockedError):
        a.acquire()
    clock.now += 61
    a.acquire()  # expired: broken, taken
    with pytest.raises(RunLockedError):
        b.acquire()  # the breaker holds it now, not expired
    assert not crashed.renew() and crashed.lost  # the old holder learns its lock was taken over
    crashed.release()  # and does not remove the new holder's lock
    _sid, who = b.holder()
    assert who is not None and who.run_id == a.run_id
    a.release()


def test_two_desks_breaking_the_same_stale_lock_cannot_both_win(google_onemarket_config):
    clock = Clock()
    stale = _lock(google_onemarket_config, "run", clock, ttl=60)
    stale.acquire()
    clock.now += 120
    a, b = _lock(google_onemarket_config, "run", clock), _lock(google_onemarket_config, "run", clock)
    sid, _ = a.holder()
    assert a._try(sid) is True
    assert b._try(sid) is False  # its delete names a tab that is gone: the batch fails whole
    a.release()


def test_renewal_moves_the_expiry(google_onemarket_config, gsheets):
    clock = Clock()
    lock = _lock(google_onemarket_config, "run", clock, ttl=60)
    lock.acquire()
    before = gsheets.values(KEYS["master"], LOCK_TAB)[1][6]
    clock.now += 50
    assert lock.renew()
    after = gsheets.values(KEYS["master"], LOCK_TAB)[1][6]
    assert round(float(after) - float(before), 3) == 50
    other = _lock(google_onemarket_config, "run", clock)
    clock.now += 20  # past the first expiry, within the renewed one
    with pytest.raises(RunLockedError):
        other.acquire()
    lock.release()


def test_job_lock_on_google_two_threads_one_at_a_time(google_onemarket_config):
    inside, overlaps = [], []

    def work(n: int) -> None:
        with job_lock(google_onemarket_config, f"job{n}", wait=60):
            if inside:
                overlaps.append(n)
            inside.append(n)
            time.sleep(0.3)
            inside.remove(n)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == []


def test_dry_run_takes_no_lock_on_google(gsheets, google_onemarket_config):
    with job_lock(google_onemarket_config, "run", dry_run=True):
        assert LOCK_TAB not in [t.title for t in gsheets.books[KEYS["master"]].tabs]


def test_a_stalled_holder_renews_in_the_background(gsheets, google_onemarket_config):
    config = dataclasses.replace(google_onemarket_config, lock_ttl=0.6)
    with job_lock(config, "run"):
        first = gsheets.values(KEYS["master"], LOCK_TAB)[1][6]
        time.sleep(0.9)
        assert float(gsheets.values(KEYS["master"], LOCK_TAB)[1][6]) > float(first)


def test_two_desks_with_their_own_folders_share_the_spreadsheet_lock(gsheets, google_onemarket_config, tmp_path: Path):
    """Two members of staff, each with their own folder (own .onemarket/), one spreadsheet: the
    second `onemarket run` exits 1 naming the holder (the first holds it here by hand)."""
    desk2 = tmp_path / "desk2"
    desk2.mkdir()
    (desk2 / "onemarket.toml").write_text(google_onemarket_config.path.read_text(encoding="utf-8"), encoding="utf-8")
    (desk2 / "credentials.json").write_bytes((google_onemarket_config.path.parent / "credentials.json").read_bytes())
    holder = _lock(google_onemarket_config, "notify")
    holder.acquire()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "automation", "run"],
            cwd=desk2,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        holder.release()
    assert done.returncode == 1, done.stderr
    assert "같은 스프레드시트에 쓰는 중이라 'run'을(를) 건너뜁니다 — notify, 컴퓨터 " in done.stderr
