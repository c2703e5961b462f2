"""Nothing lost: after validate, every cell outside the job-owned columns is byte-identical,
on real .xlsx files and on the loopback Google Sheets server; rows read add up."""

from __future__ import annotations

import openpyxl
import pytest
from google_fixtures import KEYS

from automation.demo.data import sample_applications, sample_markets
from automation.schema import default_schemas
from automation.setup import jobs
from automation.sheets import open_backend, transaction
from automation.sheets.base import CellWrite
from automation.sheets.table import read_tables
from automation.sheets.writes import append_rows
from automation.validation import validate_files

SCHEMAS = default_schemas()
JOB_HEADERS = {tab: {c.header for c in SCHEMAS[tab].job_columns} for tab in ("참여신청", "시장", "성과보고")}


def seed(config) -> None:
    """Sample data plus the awkward things staff do: an extra column, blank rows, odd cells."""
    jobs.init(config)
    backend = open_backend(config, "master")
    with transaction(backend):
        tables = read_tables(backend, [SCHEMAS["시장"], SCHEMAS["참여신청"]])
        append_rows(backend, SCHEMAS["시장"], sample_markets())
        apps = sample_applications(11)
        apps[3]["phone"] = "1012345678"
        apps[4]["other_cooperation"] = "=1+1"
        apps[5]["special_program"] = "대표 900101-1234567"
        apps[6]["org_name"] = "가나\u202e다 🙂"
        append_rows(backend, SCHEMAS["참여신청"], apps[:40])
        append_rows(backend, SCHEMAS["참여신청"], [{}, {}])  # blank rows
        append_rows(backend, SCHEMAS["참여신청"], apps[40:])
        width = len(tables["참여신청"].header.schema.headers)
        backend.write(
            {
                "참여신청": [
                    CellWrite(1, width + 2, "직원 메모"),
                    *[CellWrite(r, width + 2, f"메모 {r}") for r in range(2, 90, 7)],
                ]
            }
        )


def snapshot(config) -> dict[str, list[list[str]]]:
    out = {}
    for role, tabs in (("master", ("참여신청", "시장", "매칭")), ("outcomes", ("성과보고",))):
        raws = open_backend(config, role).read(list(tabs))
        for tab, raw in raws.items():
            job = {i for i, h in enumerate(raw.header) if h in JOB_HEADERS.get(tab, set())}
            out[tab] = [[c for i, c in enumerate(row) if i not in job] for row in raw.values]
            width = max(len(r) for r in out[tab])
            out[tab] = [r + [""] * (width - len(r)) for r in out[tab]]
    return out


def check(config) -> None:
    seed(config)
    before = snapshot(config)
    result = validate_files(config)
    assert snapshot(config) == before
    for s in result.summaries:
        assert s.read == s.ok + s.warnings + s.errors + s.blank
    apps = next(s for s in result.summaries if s.tab == "참여신청")
    # two blank rows in the middle, two after, and a row holding only a staff memo
    assert apps.blank == 5 and apps.errors >= 6
    again = validate_files(config)
    assert snapshot(config) == before
    assert again.ids_assigned == 0


def test_nothing_lost_on_xlsx(xlsx_config):
    check(xlsx_config)
    ws = openpyxl.load_workbook(xlsx_config.workbooks["master"])["참여신청"]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)  # nothing became a formula


def test_nothing_lost_on_google(gsheets, google_onemarket_config):
    check(google_onemarket_config)
    assert all(r.query.get("valueInputOption", ["RAW"]) == ["RAW"] for r in gsheets.requests("values.batchUpdate"))
    header = gsheets.values(KEYS["master"], "참여신청")[0]
    assert "직원 메모" in header


@pytest.mark.parametrize("role", ["master", "outcomes"])
def test_a_broken_header_stops_validate_before_any_write(xlsx_config, role):
    seed(xlsx_config)
    tab = "참여신청" if role == "master" else "성과보고"
    path = xlsx_config.workbooks[role]
    wb = openpyxl.load_workbook(path)
    wb[tab]["B1"] = "이상한머리글"
    wb.save(path)
    files = {r: open(p, "rb").read() for r, p in xlsx_config.workbooks.items()}  # noqa: SIM115
    from automation.errors import HeaderError

    with pytest.raises(HeaderError):
        validate_files(xlsx_config)
    assert {r: open(p, "rb").read() for r, p in xlsx_config.workbooks.items()} == files  # noqa: SIM115
