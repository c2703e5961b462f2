"""Validate N applications against the real Gyeonggi markets, twice; print seconds and requests.

    uv run python benchmarks/bench_validate.py --rows 10000 [--backend xlsx|google|all]

Setup (not timed): the 경기도 markets of the national 전국전통시장표준데이터 CSV in ../shared/data
(else the 45 demo markets, said in the output), N applications built from
``sample_applications`` with distinct names, e-mails and 사업자등록번호, wishes among the real
market names (~5% typos or spacing variants) and ~3% bad rows, in a master (참여신청, 시장, 매칭,
작업기록) and an outcomes file (성과보고 empty). Timed: a first ``validate`` (N new 신청IDs and
검증결과/검증메시지 on every row), then a second one (nothing to change); each opens the files
afresh as a new ``onemarket validate`` would. Requests are Google API calls, or saves for xlsx.
The Google numbers come from the loopback server of tests/gsheets_server.py, as in
bench_sheets.py: exact request counts, no Google latency.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the loopback Sheets server
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_sheets import _Null

from automation.demo.data import BAD_ROWS, brn_check_digit, sample_applications, sample_markets
from automation.domain.markets_csv import market_rows, read_market_csv
from automation.domain.tabs import init_workbooks
from automation.geo import parse_address
from automation.schema import default_schemas
from automation.sheets.base import Backend
from automation.sheets.writes import append_rows
from automation.validation import validate
from automation.validation.cells import parse_cell

ROOT = Path(__file__).resolve().parent.parent
MARKET_CSV = ROOT.parent / "shared" / "data" / "std_traditional_markets_national_20241104.csv"
TODAY = dt.date(2024, 8, 1)
SCHEMAS = default_schemas()
Files = tuple[Backend, Backend]  # master, outcomes
# ~3% of rows get one of these faults (the kinds of demo_data.BAD_ROWS, and a few more)
FAULTS: tuple[Callable[[dict[str, str]], dict[str, str]], ...] = (
    lambda r: {"phone": r["phone"][:-1]},
    lambda r: {"email": r["email"] + ", hr@example.net"},
    lambda r: {"brn": r["brn"][:-1] + str((int(r["brn"][-1]) + 1) % 10)} if r["brn"] else {"org_name": ""},
    lambda r: {"privacy_consent": "N"},
    lambda r: {"org_name": ""},
    lambda r: {"wish_market_1": "서울 광장시장", "wish_region": ""},
    lambda r: {"received_on": "2024-02-30"},
    lambda r: {
        "market_day": "N",
        "purchase": "N",
        "onnuri_thousand_won": "",
        "special_program": "",
        "other_cooperation": "",
    },
)


def load_markets() -> tuple[list[dict[str, str]], str]:
    if MARKET_CSV.exists():
        return market_rows(read_market_csv(MARKET_CSV), "경기도"), f"{MARKET_CSV.name} (경기도)"
    return sample_markets(), f"demo_data.sample_markets() — {MARKET_CSV} not found"


def _variant(rng: random.Random, name: str, sigun: str) -> str:
    """'못골 시장', '수원 못골시장', '못골시장 ', '못골시잔'."""
    kind = rng.randrange(4)
    if kind == 0 and "시장" in name:
        return name.replace("시장", " 시장")
    if kind == 1 and sigun:
        return f"{sigun[:-1]} {name}"
    if kind == 3 and name.endswith("장"):
        return name[:-1] + "잔"
    return name + " "


def applications(n: int, markets: list[dict[str, str]]) -> list[dict[str, str]]:
    rng = random.Random(7)
    bad = set(BAD_ROWS.values())
    pool = [
        r
        for seed in range(1, 11)
        for r in sample_applications(seed)
        if r["org_name"] and not any((k, r[k]) in bad for k, _ in bad)
    ]
    names = [m["market_name"] for m in markets]
    by_sigun: dict[str, list[str]] = defaultdict(list)
    for m in markets:
        by_sigun[m["sigun"]].append(m["market_name"])
    out = []
    for i in range(n):
        row = dict(pool[i % len(pool)])
        row["org_name"] = f"{row['org_name']} {i + 1}"
        local_part, domain = row["email"].split("@")
        row["email"] = f"{local_part}.{i + 1}@{domain}"
        if row["brn"]:
            head = f"{101 + i // 10000:03d}{row['brn'][4:6]}{i % 10000:04d}"
            row["brn"] = f"{head[:3]}-{head[3:5]}-{head[5:]}{brn_check_digit(head)}"
        sigun = parse_address(row["address"]).sigun or ""
        local = by_sigun.get(sigun) or names
        if row["wish_market_1"]:
            row["wish_market_1"] = rng.choice(local)
            if rng.random() < 0.05:
                row["wish_market_1"] = _variant(rng, row["wish_market_1"], sigun)
        if row["wish_market_2"]:
            row["wish_market_2"] = rng.choice(names if rng.random() < 0.3 else local)
        if rng.random() < 0.03:
            row.update(rng.choice(FAULTS)(row))
        out.append(row)
    return out


def fill(files: Files, markets: list[dict[str, str]], apps: list[dict[str, str]]) -> None:
    master, outcomes = files
    init_workbooks({"master": master, "outcomes": outcomes, "dashboard": _Null()}, SCHEMAS)
    for tab, rows in (("시장", markets), ("참여신청", apps)):
        append_rows(master, SCHEMAS[tab], rows)
    master.commit()
    outcomes.commit()


def run(
    label: str,
    n: int,
    number: int,
    open_files: Callable[[], Files],
    state_dir: Path,
    kinds: Callable[[], list[str]] | None = None,
) -> dict[str, object]:
    t0 = time.perf_counter()
    master, outcomes = open_files()
    opened = time.perf_counter() - t0
    before, kinds_before = master.requests + outcomes.requests, Counter(kinds() if kinds else [])
    files = {"master": master, "outcomes": outcomes}
    parse_cell.cache_clear()  # each CLI run is a new process: start cold
    t0 = time.perf_counter()
    result = validate(files.__getitem__, SCHEMAS, state_dir, today=TODAY)
    t1 = time.perf_counter()
    master.commit()
    outcomes.commit()
    t2 = time.perf_counter()
    counts = {s.tab: {"정상": s.ok, "경고": s.warnings, "오류": s.errors} for s in result.summaries}
    out: dict[str, object] = {
        "backend": label,
        "rows": n,
        "run": number,
        "open_seconds": round(opened, 3),
        "seconds": round(t2 - t0, 3),
        "validate_seconds": round(t1 - t0, 3),
        "requests": master.requests + outcomes.requests - before,
        "rows_per_second": round(n / (t2 - t0)),
        "ids_assigned": result.ids_assigned,
        "write_issues": len(result.write_issues),
        "counts": counts,
    }
    if label == "xlsx":
        out["save_seconds"] = round(t2 - t1, 3)
    if kinds:
        out["request_kinds"] = dict(Counter(kinds()) - kinds_before)
    return out


@contextmanager
def xlsx_files() -> Iterator[tuple[Callable[[bool], Files], None]]:
    from automation.sheets.xlsx import XlsxBackend

    with tempfile.TemporaryDirectory() as tmp:
        paths = Path(tmp) / "master.xlsx", Path(tmp) / "outcomes.xlsx"
        yield (lambda create: (XlsxBackend(paths[0], create=create), XlsxBackend(paths[1], create=create))), None


@contextmanager
def google_files() -> Iterator[tuple[Callable[[bool], Files], Callable[[], list[str]]]]:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from google_fixtures import SERVICE_EMAIL, service_account_json
    from gsheets_server import SheetsServer

    from automation.config import GoogleConfig
    from automation.sheets.google import GoogleBackend

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with SheetsServer(key.public_key(), SERVICE_EMAIL) as server, tempfile.TemporaryDirectory() as tmp:
        creds = Path(tmp) / "credentials.json"
        creds.write_text(json.dumps(service_account_json(key, server.token_uri)), encoding="utf-8")
        for name in ("master", "outcomes"):
            server.create_spreadsheet(name)
        cfg = GoogleConfig(credentials=creds, endpoint=server.url)
        yield (
            (lambda _: (GoogleBackend.from_config(cfg, "master"), GoogleBackend.from_config(cfg, "outcomes"))),
            lambda: [r.kind for r in server.requests() if r.kind != "token"],
        )


def summary(m: dict[str, object]) -> str:
    apps = m["counts"]["참여신청"]  # type: ignore[index]
    save = f" + save {m['save_seconds']} s" if "save_seconds" in m else ""
    unit = "saves" if m["backend"] == "xlsx" else "API requests"
    return (
        f"{m['backend']:<6} run {m['run']}: {m['seconds']} s (validate {m['validate_seconds']} s{save}), "
        f"{m['requests']} {unit}, {m['rows_per_second']} rows/s, 신청ID {m['ids_assigned']}개 부여 — "
        f"참여신청 정상 {apps['정상']} / 경고 {apps['경고']} / 오류 {apps['오류']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--backend", choices=["xlsx", "google", "all"], default="all")
    args = parser.parse_args()
    markets, source = load_markets()
    print(f"# markets: {len(markets)} from {source}; applications: {args.rows}", flush=True)
    results = []
    for name, files in (("xlsx", xlsx_files), ("google", google_files)):
        if args.backend not in (name, "all"):
            continue
        apps = applications(args.rows, markets)
        with files() as (open_files, kinds), tempfile.TemporaryDirectory() as state:
            fill(open_files(True), markets, apps)
            for number in (1, 2):  # the second run finds nothing to change
                m = run(name, args.rows, number, partial(open_files, False), Path(state), kinds)
                print(json.dumps(m, ensure_ascii=False), flush=True)
                results.append(m)
    print("\n".join(summary(m) for m in results))


if __name__ == "__main__":
    main()
