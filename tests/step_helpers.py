"""Real .xlsx workbooks with confirmed pairs, and one pipeline step run on them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl

from automation.config import Config, load_config
from automation.pipeline.runner import STEP_BY_NAME, RunResult, run
from automation.setup import jobs
from automation.sheets import open_backend, transaction
from automation.sheets.writes import append_rows
from tests.conftest import write_config
from tests.pair_helpers import APP, MARKET, MATCH
from tests.validation_helpers import SCHEMAS

BASE = '[workbook]\nbackend = "xlsx"\n'


def smtp_section(port: int, **extra: object) -> str:
    values: dict[str, object] = {
        "transport": "smtp",
        "host": "127.0.0.1",
        "port": port,
        "starttls": False,
        "sender": "onemarket@gg.example.go.kr",
        "cc": ["staff@gg.example.go.kr"],
        **extra,
    }
    lines = ["[mail]"] + [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def workbook(
    folder: Path,
    *,
    apps: Sequence[Mapping[str, str]] = (APP,),
    markets: Sequence[Mapping[str, str]] = (MARKET,),
    matches: Sequence[Mapping[str, str]] = (MATCH,),
    mail: str = "",
    documents: str = 'pdf = "never"\n',
) -> Config:
    path = write_config(folder, BASE + mail + "[documents]\n" + documents)
    config = load_config(path)
    jobs.init(config)
    backend = open_backend(config, "master")
    with transaction(backend):
        for tab, rows in (("참여신청", apps), ("시장", markets), ("매칭", matches)):
            append_rows(backend, SCHEMAS[tab], [dict(r) for r in rows])
    return config


def run_step(config: Config, name: str, *, dry_run: bool = False) -> RunResult:
    return run(config, dry_run=dry_run, steps=[STEP_BY_NAME[name]])


def tab_rows(config: Config, tab: str) -> list[dict[str, str]]:
    """A tab of master.xlsx as header → cell text, read straight from the file with openpyxl."""
    wb = openpyxl.load_workbook(config.workbooks["master"], read_only=True)
    rows = [["" if v is None else str(v) for v in r] for r in wb[tab].iter_rows(values_only=True)]
    wb.close()
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:] if any(r)]


def match_rows(config: Config) -> list[dict[str, str]]:
    """The 매칭 tab as header → cell text."""
    return tab_rows(config, "매칭")


def set_cell(config: Config, tab: str, key_header: str, key: str, header: str, value: str | None) -> None:
    """A person edits one cell of a master tab (the row whose ``key_header`` holds ``key``) and saves."""
    path = config.workbooks["master"]
    wb = openpyxl.load_workbook(path)
    ws = wb[tab]
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[headers.index(key_header)].value == key:
            row[headers.index(header)].value = value
    wb.save(path)


def set_match_cell(config: Config, match_id: str, header: str, value: str | None) -> None:
    """A person edits one cell of the 매칭 tab and saves the file."""
    set_cell(config, "매칭", "매칭ID", match_id, header, value)


def set_app_cell(config: Config, header: str, value: str, row: int = 2) -> None:
    """A person edits one cell of the 참여신청 tab (sheet row ``row``) and saves the file."""
    path = config.workbooks["master"]
    wb = openpyxl.load_workbook(path)
    ws = wb["참여신청"]
    headers = [c.value for c in ws[1]]
    ws.cell(row=row, column=headers.index(header) + 1, value=value)
    wb.save(path)


def job_tab(config: Config, title: str) -> list[dict[str, str]]:
    """A hidden job tab (_작업상태, _발송기록) of master.xlsx as header → text."""
    wb = openpyxl.load_workbook(config.workbooks["master"], read_only=True)
    if title not in wb.sheetnames:
        wb.close()
        return []
    rows = [["" if v is None else str(v) for v in r] for r in wb[title].iter_rows(values_only=True)]
    wb.close()
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:] if any(r)]


def job_state(config: Config) -> dict[tuple[str, str], str]:
    """_작업상태 as (종류, 항목) → 값."""
    return {(r["종류"], r["항목"]): r["값"] for r in job_tab(config, "_작업상태")}


def mail_log(config: Config) -> dict[tuple[str, str, str], dict[str, str]]:
    """_발송기록 as (매칭ID, 받는쪽, 양식) → the row."""
    return {(r["매칭ID"], r["받는쪽"], r["양식"]): r for r in job_tab(config, "_발송기록")}


def journal_entries(config: Config) -> list:
    """The mail journal as the job sees it: master's _발송기록 tab."""
    from automation.mail.journal import MailJournal

    return MailJournal(open_backend(config, "master"), SCHEMAS, create=False).entries()
