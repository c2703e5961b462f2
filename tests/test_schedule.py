"""The scheduled job: `run --every` in a loop with a clean stop, and overlapping runs never double-send."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

import pytest

from automation.config import load_config
from automation.errors import UsageError
from automation.pipeline.schedule import parse_interval, run_every
from tests.step_helpers import smtp_section, workbook


@pytest.mark.parametrize(
    ("text", "seconds"), [("15m", 900), ("30s", 30), ("1h", 3600), ("90", 90), (" 2M ", 120), ("0.5s", 0.5)]
)
def test_parse_interval(text, seconds):
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "15분", "-5m", "m", "1d"])
def test_parse_interval_refuses(text):
    with pytest.raises(UsageError, match="예: 15m"):
        parse_interval(text)


def test_run_every_stops_when_asked(tmp_path):
    config = workbook(tmp_path)
    stop = threading.Event()
    results = []

    def on_result(result):
        results.append(result)
        if len(results) == 2:
            stop.set()

    runs = run_every(lambda: load_config(config.path), 0.01, stop=stop, on_result=on_result, on_skip=print)
    assert runs == 2 and all(not r.failed for r in results)


def _cli(config_path, *args):
    return subprocess.Popen(
        [sys.executable, "-m", "automation", "--config", str(config_path), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_every_loop_stops_cleanly_on_sigterm(tmp_path):
    config = workbook(tmp_path)
    proc = _cli(config.path, "run", "--every", "1s")
    lines: list[str] = []
    deadline = time.monotonic() + 120
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if sum(x.startswith("실행 R") for x in lines) >= 2:
            break
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "멈춤: " in out and "번 실행했습니다." in out


def test_overlapping_runs_never_send_twice(tmp_path, make_smtp_server):
    """The first run holds the lock while its mail server is slow; the second one exits at the lock."""
    server = make_smtp_server(hang_after_data=3)
    config = workbook(tmp_path, mail=smtp_section(server.port))
    first = _cli(config.path, "run")
    deadline = time.monotonic() + 120
    while not server.messages and time.monotonic() < deadline:  # the first run is inside notify now
        time.sleep(0.05)
    second = _cli(config.path, "run")
    _, err2 = second.communicate(timeout=120)
    out1, err1 = first.communicate(timeout=180)
    assert second.returncode == 1 and "다른 onemarket 작업이 같은 파일에 쓰는 중이라 'run'을(를) 건너뜁니다" in err2
    assert first.returncode == 0, out1 + err1
    assert len(server.messages) == 2  # org + market, once each
    third = _cli(config.path, "run", "--wait", "30")
    third.communicate(timeout=180)
    assert len(server.messages) == 2
