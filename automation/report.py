"""Values that describe what a step found: a bad row is an :class:`Issue`, never an exception."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ERROR = "오류"
WARNING = "경고"


@dataclass(frozen=True)
class Issue:
    """One problem on one row (or on a whole tab when ``row`` is None)."""

    code: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    severity: str = ERROR
    tab: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class StepReport:
    """What one step did: counts for people, issues for rows, no personal data."""

    step: str
    counts: dict[str, int] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    message: str = ""
    failed: bool = False
    skipped: bool = False
    exit_code: int = 0          # of a failed step: 2 when the command could not start (see RunResult)

    def add(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    @property
    def result(self) -> str:
        if self.failed:
            return "실패"
        if self.skipped:
            return "건너뜀"
        if any(i.severity == ERROR for i in self.issues):
            return "경고"
        return "성공"

    def counts_text(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.counts.items())

    def as_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "result": self.result,
            "counts": dict(self.counts),
            "message": self.message,
            "issues": [i.as_dict() for i in self.issues],
        }
