"""One lock for every command that writes (init, import-markets, validate, match, agreements, notify,
outcomes, summary, run, demo), so two of them never interleave their writes.

Where it lives is where the data is. For .xlsx beside the master workbook (``.onemarket.lock`` in
its folder; ``[run] lock`` overrides it), so two configs in different folders that point at the same
files still share one lock: a :mod:`filelock` lock (fcntl on Linux/macOS, msvcrt on Windows) that
the operating system releases when the holder dies. A small ``.holder`` file beside it, while it is
held, names the command, process and start time (Seoul) for the message a second command prints.
For Google inside the master spreadsheet (:mod:`automation.sheets.google_lock`): any desk with the
same config and credentials sees it; it expires after ``[run] lock_ttl`` seconds unless renewed, so
a crashed holder's lock does not stay. A ``--dry-run`` on Google writes nothing and takes no lock.
Taking it again inside the same thread (``demo`` runs ``run``) is a no-op.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from filelock import FileLock, Timeout

from automation.clock import SEOUL
from automation.config import Config
from automation.errors import RunLockedError

_held: dict[tuple[Path, int], int] = {}  # (lock, thread) → depth: nesting inside one thread only
_guard = threading.Lock()


def lock_path(config: Config) -> Path:
    """The lock file for this config's workbooks."""
    if config.lock_explicit:
        return config.lock_path
    if config.backend == "xlsx":
        master = Path(config.workbook_location("master"))
        return master.parent / ".onemarket.lock"
    return config.lock_path


def _holder_text(path: Path) -> str:
    try:
        info = json.loads(path.with_name(path.name + ".holder").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return (
        f" — {info.get('command', '?')}, {info.get('host', '?')} PID {info.get('pid', '?')}, "
        f"{info.get('since', '?')}부터"
    )


def _write_holder(path: Path, command: str) -> None:
    info = {
        "command": command,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": dt.datetime.now(SEOUL).strftime("%Y-%m-%d %H:%M:%S"),
    }
    with suppress(OSError):
        path.with_name(path.name + ".holder").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")


@contextmanager
def job_lock(config: Config, command: str, wait: float = 0.0, *, dry_run: bool = False) -> Iterator[None]:
    """Hold the config's lock while ``command`` writes; a second holder waits ``wait`` seconds, then
    :class:`RunLockedError` (exit 1) with the holder named."""
    if config.backend == "google":
        with _google_lock(config, command, wait, dry_run):
            yield
        return
    path = lock_path(config).resolve()
    key = (path, threading.get_ident())
    with _guard:
        nested = bool(_held.get(key))
        if nested:
            _held[key] += 1
    if nested:
        try:
            yield
        finally:
            with _guard:
                _held[key] -= 1
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunLockedError(
            f"잠금 파일 폴더 {path.parent}를 만들 수 없습니다 ({exc.strerror}). 폴더 권한을 확인하세요."
        ) from exc
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=wait)
    except Timeout as exc:
        raise RunLockedError(
            f"다른 onemarket 작업이 같은 파일에 쓰는 중이라 '{command}'을(를) 건너뜁니다{_holder_text(path)} "
            f"(잠금: {path}). 끝난 뒤 다시 실행하거나 --wait 초를 주세요."
        ) from exc
    with _guard:
        _held[key] = 1
    _write_holder(path, command)
    try:
        yield
    finally:
        with _guard:
            _held.pop(key, None)
        with suppress(OSError):  # nobody holds it now: no name left that could be mistaken for a holder
            path.with_name(path.name + ".holder").unlink()
        lock.release()


@contextmanager
def _google_lock(config: Config, command: str, wait: float, dry_run: bool) -> Iterator[None]:
    key = (Path("google:" + config.workbook_location("master")), threading.get_ident())
    with _guard:
        nested = bool(_held.get(key))
        _held[key] = _held.get(key, 0) + 1
    try:
        if nested or dry_run:
            yield
            return
        from automation.sheets.google import GoogleBackend
        from automation.sheets.google_lock import SpreadsheetLock

        # a backend of its own: the renewal thread never shares a connection with the steps
        backend = GoogleBackend.from_config(config.google, config.workbook_location("master"))
        lock = SpreadsheetLock(backend, command, ttl=config.lock_ttl)
        lock.acquire(wait)
        lock.start_renewing()
        try:
            yield
        finally:
            lock.release()
    finally:
        with _guard:
            _held[key] -= 1
            if not _held[key]:
                del _held[key]
