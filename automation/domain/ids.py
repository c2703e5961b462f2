"""Stable IDs (신청ID A-2024-0001, 성과ID O-2024-0001, 매칭ID M-2024-0001, 협약ID T-2024-0001, 과제ID P-2024-0001): given once, never changed, never reused.

The next number is one more than the highest ever seen — in the tab *and* in the workbook's job state
(``_작업상태``, kind "ID"), so deleting the newest row never frees its number, on any computer.
"""

from __future__ import annotations

import re

from automation.state import ID_MARK, WorkState

#: ID letter by tab role; a market's own outcome tab (a copy of 성과보고) uses O as well
PREFIXES = {"applications": "A", "outcomes": "O", "matches": "M", "teams": "T", "tasks": "P"}
_ID = re.compile(r"^([A-Z])-(\d{4})-(\d{4,})$")


class IdAllocator:
    def __init__(self, state: WorkState, year: int) -> None:
        self.state = state
        self.year = year
        self.high: dict[str, int] = {}
        for key, value in state.items(ID_MARK).items():
            try:
                self.high[key] = int(value)
            except ValueError:
                continue

    def _key(self, prefix: str) -> str:
        return f"{prefix}-{self.year}"

    def observe(self, value: str) -> None:
        m = _ID.match(value.strip())
        if m:
            key = f"{m.group(1)}-{m.group(2)}"
            self.high[key] = max(self.high.get(key, 0), int(m.group(3)))

    def next(self, prefix: str) -> str:
        key = self._key(prefix)
        number = self.high.get(key, 0) + 1
        self.high[key] = number
        return f"{key}-{number:04d}"

    def save(self) -> None:
        """Into the job state (written with the rows that got the new IDs)."""
        for key, number in sorted(self.high.items()):
            current = self.state.get(ID_MARK, key)
            if current is None or not current.isdigit() or int(current) < number:
                self.state.set(ID_MARK, key, str(number))
