"""Is a process still there? (The sweeps of leftovers from killed runs ask: temporary .xlsx copies,
LibreOffice work folders.)"""

from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    """True when a process with this PID exists (also when it belongs to another user)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
