"""Writing a document file so that a crash never leaves half of it under its final name."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomic(out: Path, content: bytes | Callable[[BinaryIO], object]) -> None:
    """``content`` (bytes, or a function writing to a binary handle) into a temporary file beside
    ``out``, then ``os.replace`` it onto ``out``.

    The temporary file is created with the umask's permissions (unlike mkstemp's 0600) and removed
    when anything fails; ``OSError`` reaches the caller, which says in Korean what could not be
    written.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{secrets.token_hex(6)}.onemarket.tmp"
    try:
        with tmp.open("xb") as handle:
            if isinstance(content, bytes):
                handle.write(content)
            else:
                content(handle)
        os.replace(tmp, out)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
