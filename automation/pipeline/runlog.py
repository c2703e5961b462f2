"""작업기록: one row per step of every run — run id, time, step, result, counts, message.

No personal data goes here: counts and short Korean summaries only.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from automation.clock import now
from automation.report import StepReport
from automation.schema import TabSchema
from automation.sheets.base import Backend
from automation.sheets.writes import TabWrite, write_tables

MAX_MESSAGE = 500


_SUFFIX = "abcdefghjkmnpqrstuvwxyz"


def new_run_id(at: dt.datetime | None = None) -> str:
    at = at or now()
    # a letters-only suffix: "R…-020346-0402" would read as a phone number and be masked in output
    return f"R{at:%Y%m%d-%H%M%S}-{''.join(secrets.choice(_SUFFIX) for _ in range(4))}"


def runlog_rows(run_id: str, reports: Sequence[StepReport], at: dt.datetime | None = None) -> list[dict[str, str]]:
    at = at or now()
    rows = []
    for index, report in enumerate(reports, start=1):
        message = report.message.replace("\n", " / ")
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 1] + "…"
        rows.append(
            {
                "entry_id": f"{run_id}-{index:02d}",
                "run_id": run_id,
                "time": at.strftime("%Y-%m-%d %H:%M:%S"),
                "step": report.step,
                "result": report.result,
                "counts": report.counts_text(),
                "message": message,
            }
        )
    return rows


def append_runlog(backend: Backend, schema: TabSchema, run_id: str, reports: Sequence[StepReport]) -> None:
    """Append the run's rows to 작업기록 (header checked at write time; one guarded write)."""
    write_tables(backend, [TabWrite(schema, appends=runlog_rows(run_id, reports))])
