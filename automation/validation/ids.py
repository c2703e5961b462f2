"""Stable IDs (신청ID A-2024-0001, 성과ID O-2024-0001): given once, never changed, never reused.

The next number is one more than the highest ever seen — in the tab *and* in a small state file
(``ids.json`` in the run state folder), so deleting the newest row never frees its number.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from automation.errors import ConfigError

PREFIXES = {"참여신청": "A", "성과보고": "O", "매칭": "M"}
_ID = re.compile(r"^([A-Z])-(\d{4})-(\d{4,})$")


class IdAllocator:
    def __init__(self, state_file: Path, year: int) -> None:
        self.path = state_file
        self.year = year
        self.high: dict[str, int] = {}
        if state_file.exists():
            try:
                data = json.loads(state_file.read_text(encoding="utf-8"))
                self.high = {str(k): int(v) for k, v in data.get("high_water", {}).items()}
            except (ValueError, AttributeError, TypeError) as exc:
                raise ConfigError(
                    f"ID 상태 파일 {state_file}이(가) 손상되었습니다 ({exc}). 백업에서 되살리거나, 지우면 "
                    "시트에 남은 가장 큰 번호 다음부터 이어 갑니다."
                ) from exc

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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"high_water": dict(sorted(self.high.items()))}, indent=1),
                       encoding="utf-8")
        os.replace(tmp, self.path)
