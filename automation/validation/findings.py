"""What validation found on each row: Korean messages for the sheet, Issues for the report."""

from __future__ import annotations

from dataclasses import dataclass, field

from automation.domain.status import RowResult
from automation.report import ERROR, WARNING, Issue, Severity

OK = RowResult.OK
MAX_MESSAGE_CELL = 5_000  # a 검증메시지 cell stays readable (and far below Sheets' 50,000 limit)


@dataclass
class RowFindings:
    """Findings for one sheet row; ``values`` are the normalised cells (by column key)."""

    tab: str
    row: int
    values: dict[str, str] = field(default_factory=dict)
    fixes: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    def add(self, severity: Severity, code: str, *, column: str | None, value: str | None, message: str) -> None:
        text = f"{column}: {message}" if column else message
        if any(i.message == text for i in self.issues):
            return
        self.issues.append(
            Issue(code=code, row=self.row, column=column, value=value, message=text, severity=severity, tab=self.tab)
        )

    def error(self, code: str, *, column: str | None, value: str | None, message: str) -> None:
        self.add(ERROR, code, column=column, value=value, message=message)

    def warn(self, code: str, *, column: str | None, value: str | None, message: str) -> None:
        self.add(WARNING, code, column=column, value=value, message=message)

    @property
    def status(self) -> str:
        severities = {i.severity for i in self.issues}
        if ERROR in severities:
            return ERROR
        return WARNING if WARNING in severities else OK

    def message(self) -> str:
        """The 검증메시지 cell: errors first, one per line."""
        ordered = [i for i in self.issues if i.severity == ERROR] + [i for i in self.issues if i.severity == WARNING]
        text = "\n".join(i.message for i in ordered)
        if len(text) > MAX_MESSAGE_CELL:
            text = text[: MAX_MESSAGE_CELL - 20] + "\n…(이하 생략)"
        return text
