"""Values that describe what a step found: a bad row is an :class:`Issue`, never an exception."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad an :class:`Issue` is; the value is what 검증결과 and the report show."""

    ERROR = "오류"  # the row is not used until a person fixes it
    WARNING = "경고"  # the row is used; a person should look


ERROR = Severity.ERROR
WARNING = Severity.WARNING


@dataclass(frozen=True, kw_only=True)
class Issue:
    """One problem on one row (or on a whole tab when ``row`` is None). Every field is a keyword:
    ``Issue(code="row_gone", tab="매칭", row=7, column="매칭ID", value="M-1", message="…")``."""

    code: str
    message: str
    severity: Severity = Severity.ERROR
    tab: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

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
    exit_code: int = 0  # of a failed step: 2 when the command could not start (see RunResult)

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
