"""``onemarket run --every 15m``: the scheduled job in a loop, for a small always-on machine.

Each round reloads the config, takes the same lock as cron-started runs (an overlapping run is
skipped, never doubled) and reports through a callback. SIGTERM or Ctrl-C ask the loop to stop:
a run in progress finishes its current step sequence (no mail is cut in half), then the loop
ends with exit code 0. A second Ctrl-C stops at once (the journal's "sending" marks make even
that safe: an interrupted send becomes 확인필요, never a duplicate).
"""

from __future__ import annotations

import logging
import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from automation.config import Config
from automation.errors import ConfigError, RunLockedError, UsageError
from automation.pipeline.runner import RunResult, run

log = logging.getLogger("onemarket.schedule")
_UNITS = {"s": 1, "m": 60, "h": 3600}
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$", re.IGNORECASE)


def parse_interval(text: str) -> float:
    """'15m' → 900.0, '30s' → 30.0, '1h' → 3600.0, '90' → 90.0 seconds."""
    m = _INTERVAL.match(text)
    if not m or float(m.group(1)) <= 0:
        raise UsageError(f"--every 값 '{text}'을(를) 알 수 없습니다. 예: 15m (15분), 30s (30초), 1h (1시간).")
    return float(m.group(1)) * _UNITS[(m.group(2) or "s").lower()]


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM/SIGINT set ``stop`` (the second SIGINT raises KeyboardInterrupt as usual)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGINT and stop.is_set():
            raise KeyboardInterrupt
        log.warning("signal %s: stopping after the current run", signum)
        stop.set()

    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    for s in saved:
        signal.signal(s, handler)
    try:
        yield
    finally:
        for s, previous in saved.items():
            signal.signal(s, previous)


def run_every(
    load: Callable[[], Config],
    interval: float,
    *,
    stop: threading.Event,
    on_result: Callable[[RunResult], None],
    on_skip: Callable[[str], None],
    dry_run: bool = False,
    max_runs: int | None = None,
) -> int:
    """Run, wait ``interval`` seconds (or until ``stop``), repeat; return how many runs happened."""
    runs = 0
    while not stop.is_set():
        try:
            result = run(load(), dry_run=dry_run)
        except RunLockedError as exc:
            on_skip(exc.message)
        except ConfigError as exc:  # staff broke onemarket.toml meanwhile: say so, try again next round
            on_skip(exc.message)
        else:
            runs += 1
            on_result(result)
        if max_runs is not None and runs >= max_runs:
            break
        stop.wait(interval)
    return runs
