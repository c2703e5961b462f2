"""Read the master tabs and write one step's results for N applications; print seconds and requests.

    uv run python benchmarks/bench_sheets.py --rows 10000 [--backend xlsx|google|all]

The Google numbers come from gspread's real client talking HTTP to the loopback Sheets API test
server in tests/gsheets_server.py (Google itself is unreachable here), so they count requests
exactly but say nothing about Google's own latency.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from automation.demo.data import sample_applications
from automation.domain.tabs import init_workbooks
from automation.schema import default_schemas
from automation.sheets.base import Backend
from automation.sheets.table import read_tables
from automation.sheets.writes import RowUpdate, append_rows, write_rows

MASTER_TABS = ("참여신청", "시장", "매칭", "작업기록")


def applications(n: int) -> list[dict[str, str]]:
    base = [r for r in sample_applications(7) if r.get("org_name")]
    out = []
    for i in range(n):
        row = dict(base[i % len(base)])
        row["application_id"] = f"A-2024-{i + 1:05d}"
        row["org_name"] = f"{row['org_name']} {i}"
        out.append(row)
    return out


def measure(name: str, n: int, backend: Backend, reopen: Callable[[], Backend]) -> dict[str, object]:
    """Set up N applications, then time a cold read of the master tabs and one step's write."""
    schemas = default_schemas()
    init_workbooks({"master": backend, "outcomes": _Null(), "dashboard": _Null()}, schemas)
    append_rows(backend, schemas["참여신청"], applications(n))
    backend.commit()
    out: dict[str, object] = {"backend": name, "rows": n}
    t0 = time.perf_counter()
    backend = reopen()
    out["open_seconds"] = round(time.perf_counter() - t0, 3)
    start_requests = backend.requests
    t0 = time.perf_counter()
    tables = read_tables(backend, [schemas[t] for t in MASTER_TABS])
    out["read_seconds"] = round(time.perf_counter() - t0, 3)
    out["read_requests"] = backend.requests - start_requests
    rows = tables["참여신청"].data_rows()
    updates = [RowUpdate({"validation_result": "정상", "validation_message": ""}, id=r["application_id"]) for r in rows]
    start_requests = backend.requests
    t0 = time.perf_counter()
    result = write_rows(backend, schemas["참여신청"], updates)
    backend.commit()
    out["write_seconds"] = round(time.perf_counter() - t0, 3)
    out["write_requests"] = backend.requests - start_requests
    out["written_cells"] = result.written_cells
    out["issues"] = len(result.issues)
    return out


class _Null(Backend):
    """Stands in for the files a benchmark does not touch."""

    def list_tabs(self):
        return []  # type: ignore[no-untyped-def]

    def read(self, titles):
        return {}  # type: ignore[no-untyped-def]

    def write(self, updates):
        pass  # type: ignore[no-untyped-def]

    def append(self, title, rows):
        pass  # type: ignore[no-untyped-def]

    def ensure_tabs(self, titles):
        return []  # type: ignore[no-untyped-def]

    def remove_blank_default_tab(self):
        return False  # type: ignore[no-untyped-def]

    def style_header(self, title, style):
        pass  # type: ignore[no-untyped-def]

    def set_dropdowns(self, title, dropdowns):
        pass  # type: ignore[no-untyped-def]

    def protect_columns(self, title, cols, description):
        pass  # type: ignore[no-untyped-def]


def bench_xlsx(n: int) -> dict[str, object]:
    from automation.sheets.xlsx import XlsxBackend

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "master.xlsx"
        return measure("xlsx (requests = saves)", n, XlsxBackend(path, create=True), lambda: XlsxBackend(path))


def bench_google(n: int) -> dict[str, object]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from cryptography.hazmat.primitives.asymmetric import rsa
    from google_fixtures import SERVICE_EMAIL, service_account_json
    from gsheets_server import SheetsServer

    from automation.config import GoogleConfig
    from automation.sheets.google import GoogleBackend

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with SheetsServer(key.public_key(), SERVICE_EMAIL) as server, tempfile.TemporaryDirectory() as tmp:
        creds = Path(tmp) / "credentials.json"
        creds.write_text(json.dumps(service_account_json(key, server.token_uri)), encoding="utf-8")
        server.create_spreadsheet("bench")
        cfg = GoogleConfig(credentials=creds, endpoint=server.url)
        out = measure(
            "google (loopback)",
            n,
            GoogleBackend.from_config(cfg, "bench"),
            lambda: GoogleBackend.from_config(cfg, "bench"),
        )
        out["request_kinds"] = [r.kind for r in server.requests() if r.kind != "token"][-6:]
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[10, 10_000])
    parser.add_argument("--backend", choices=["xlsx", "google", "all"], default="all")
    args = parser.parse_args()
    for n in args.rows:
        if args.backend in ("xlsx", "all"):
            print(json.dumps(bench_xlsx(n), ensure_ascii=False))
        if args.backend in ("google", "all"):
            print(json.dumps(bench_google(n), ensure_ascii=False))


if __name__ == "__main__":
    main()
