"""Replace a file without ever losing a save that another program made meanwhile.

The new content is written to a temporary file in the same folder (on Linux an unnamed
``O_TMPFILE`` that vanishes with the process if it is killed, so no half-written copy of personal
data is left behind), then swapped with the target in one ``renameat2(RENAME_EXCHANGE)`` (Linux;
``renamex_np(RENAME_SWAP)`` on macOS). The file that came out of the swap is exactly the one that
was in place at that instant: when its SHA-256 is not the one the job loaded, somebody saved in
between, so the swap is undone at once and the save refused. Elsewhere (Windows, or a file system
without the swap) the target is hashed and replaced right after; the window between the two is
what ``benchmarks/bench_xlsx_save.py`` measures. The replaced file is kept as the one backup.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import os
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from automation.errors import WorkbookError, WriteConflictError
from automation.processes import pid_alive

AT_FDCWD = -100
AT_SYMLINK_FOLLOW = 0x400
RENAME_EXCHANGE = 2  # Linux renameat2
RENAME_SWAP = 0x2  # macOS renamex_np
STRAY_AGE = 600.0  # seconds: a temporary file older than this belongs to a dead run
_libc: ctypes.CDLL | None = None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _c() -> ctypes.CDLL | None:
    global _libc
    if _libc is None and sys.platform != "win32":
        try:
            _libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        except OSError:
            return None
    return _libc


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False when this system or file system cannot."""
    libc = _c()
    if libc is None:
        return False
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        res = libc.renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        res = libc.renamex_np(os.fsencode(a), os.fsencode(b), RENAME_SWAP)
    else:
        return False
    if res == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a))


def stray_name(path: Path) -> str:
    return f".{path.name}.onemarket-{os.getpid()}-{secrets.token_hex(3)}.tmp"


def sweep_strays(path: Path, *, now: float | None = None) -> list[Path]:
    """Remove temporary copies left by a killed run: ours (``.name.onemarket-*.tmp``) and the older
    ``.name.<pid>.tmp`` spelling, when their process is gone or they are older than STRAY_AGE."""
    folder, removed = path.parent, list[Path]()
    if not folder.is_dir():
        return removed
    now = time.time() if now is None else now
    for candidate in folder.glob(f".{path.name}.*.tmp"):
        try:
            age = now - candidate.stat().st_mtime
        except FileNotFoundError:
            continue
        if age > STRAY_AGE or not pid_alive(_pid_of(candidate.name)):
            candidate.unlink(missing_ok=True)
            removed.append(candidate)
    return removed


def _pid_of(name: str) -> int:
    for part in name.replace("-", ".").split("."):
        if part.isdigit():
            return int(part)
    return 0


@dataclass
class SaveReport:
    swapped: bool  # the atomic swap was used (else hash-then-replace)
    window: float  # seconds in which another program's save could still have been lost


def _linkat(fd: int, target: Path) -> bool:
    libc = _c()
    if libc is None or not hasattr(libc, "linkat"):
        return False
    res = libc.linkat(AT_FDCWD, f"/proc/self/fd/{fd}".encode(), AT_FDCWD, os.fsencode(target), AT_SYMLINK_FOLLOW)
    if res == 0:
        return True
    err = ctypes.get_errno()
    raise OSError(err, os.strerror(err), str(target))


def _write_temp(path: Path, write: Callable[[BinaryIO], object], mode: int) -> Path:
    """Write the new content; return the named temporary file holding it (fsynced)."""
    named = path.with_name(stray_name(path))
    fd = -1
    unnamed = False
    if hasattr(os, "O_TMPFILE"):
        try:
            fd = os.open(path.parent, os.O_TMPFILE | os.O_RDWR, 0o600)
            unnamed = True
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
                raise
    if fd < 0:
        fd = os.open(named, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    try:
        with os.fdopen(fd, "w+b", closefd=False) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        if unnamed and not _linkat(fd, named):
            raise OSError(errno.ENOTSUP, "linkat unavailable", str(named))
    except BaseException:
        if not unnamed:
            named.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
    return named


def _fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _conflict(path: Path) -> WriteConflictError:
    return WriteConflictError(
        f"{path.name}이(가) 작업 중에 다른 프로그램(엑셀, 동기화 프로그램 등)에서 저장되어 이번 단계의 변경을 저장하지 "
        "않았습니다 (그 저장을 덮어쓰지 않으려고). 파일은 그대로입니다. 다음 실행에서 다시 처리합니다."
    )


def _keep_backup(old: Path, backup: Path | None) -> None:
    if backup is None:
        old.unlink(missing_ok=True)
        return
    backup.parent.mkdir(exist_ok=True)
    os.replace(old, backup)


def replace_file(
    path: Path, write: Callable[[BinaryIO], object], expected: str | None, backup: Path | None = None
) -> SaveReport:
    """Write a new version of ``path`` unless it changed since the version hashed ``expected``
    (None: the file must not exist yet). Raises WriteConflictError (nothing changed) or
    WorkbookError with a Korean message for a folder that cannot be written or a full disk."""
    try:
        return _replace(path, write, expected, backup)
    except OSError as exc:
        raise os_error(path, exc) from exc


def _replace(path: Path, write: Callable[[BinaryIO], object], expected: str | None, backup: Path | None) -> SaveReport:
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644 & ~_umask()
    named = _write_temp(path, write, mode)
    ours = sha256_file(named)
    try:
        if expected is None:
            os.link(named, path)  # fails if someone created the file meanwhile
            named.unlink()
            _fsync_dir(path.parent)
            return SaveReport(False, 0.0)
        if not path.exists():
            raise _conflict(path)
        if exchange(named, path):
            if sha256_file(named) != expected:  # `named` now holds what was in place
                _undo_swap(path, named, ours)
                raise _conflict(path)
            seen = _stamp(named)
            held = path.with_name(stray_name(path))
            os.link(named, held)  # the old file, whatever name it ends up under
            try:
                _keep_backup(named, backup)
                if _stamp(held) != seen and sha256_file(held) != expected:
                    # a program that saves in place (it opened the file before our swap) wrote
                    # into the old file after we checked it: put its save back, refuse ours
                    exchange(held, path)
                    raise _conflict(path)
            finally:
                held.unlink(missing_ok=True)
            _fsync_dir(path.parent)
            return SaveReport(True, 0.0)
        return _hash_then_replace(path, named, expected, backup)
    finally:
        named.unlink(missing_ok=True)


def _stamp(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_mtime_ns, st.st_size


def _undo_swap(path: Path, named: Path, ours: str) -> None:
    """Put the other program's file back. If yet another save replaced ours on ``path`` while we
    hashed, swap once more so the newest file stays in place; what is left in ``named`` goes."""
    exchange(named, path)
    if named.exists() and sha256_file(named) != ours:
        exchange(named, path)
    named.unlink(missing_ok=True)


def _hash_then_replace(path: Path, named: Path, expected: str, backup: Path | None) -> SaveReport:
    held = path.with_name(stray_name(path))
    if sha256_file(path) != expected:
        raise _conflict(path)
    started = time.perf_counter()
    os.link(path, held)  # the old version, for the backup: a link, not a copy
    os.replace(named, path)
    window = time.perf_counter() - started
    try:
        _keep_backup(held, backup)
    finally:
        held.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    return SaveReport(False, window)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def os_error(path: Path, exc: OSError) -> WorkbookError:
    """A Korean message for what the operating system refused, naming the file and the fix."""
    folder = path.parent
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return WorkbookError(
            f"디스크 공간이 부족해 {path.name}을(를) 저장하지 못했습니다 ({folder}). 공간을 비운 뒤 다시 실행하세요. "
            "원래 파일은 그대로이고 임시 파일은 남기지 않았습니다."
        )
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return WorkbookError(
            f"폴더 {folder}에 쓸 수 없어 {path.name}을(를) 저장하지 못했습니다 (읽기 전용이거나 권한 없음). 폴더에 쓰기 "
            "권한을 주거나 onemarket.toml의 [workbook] 경로를 쓸 수 있는 곳으로 옮기세요. 원래 파일은 그대로입니다."
        )
    return WorkbookError(
        f"{path.name}을(를) 저장하지 못했습니다 ({exc.strerror or exc}). 원래 파일은 그대로입니다. 다시 실행하세요."
    )
