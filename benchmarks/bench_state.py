"""Where state lives: Sheets API requests per run and per 50 mails, and seconds for a run with 50 confirmed pairs.

    uv run python benchmarks/bench_state.py                       # 300 applications, 50 confirmed, google + xlsx
    uv run python benchmarks/bench_state.py --confirm 50 --backend google --json

Three ``onemarket run``s as bench_run.py does them (a first run; a run after staff confirm
``--confirm`` suggestions: agreements, two notices per pair, market tabs, dashboard; a quiet run), but
the notices go over real SMTP to an aiosmtpd server on 127.0.0.1 in its own process, so the mail
journal's writes and the sends are both in the time. Printed per run: seconds, Sheets API requests
(loopback server of tests/gsheets_server.py, token requests left out; xlsx: saves) in total and for
the 안내메일 step, mails the server stored, and the 안내메일 step's requests per 50 mails.

"Before" numbers: run this file from a worktree of an earlier commit (copy it into that tree's
benchmarks/ first); it only uses bench_run.py's helpers, which that tree has too.

Measured on 2026-12-02, 2 cores (AMD EPYC VM), Python 3.11.7, 300 applications × 150 real 경기도 markets
(수용 2), 50 confirmed pairs (100 notices over SMTP), LibreOffice PDF on; two runs each, same numbers:
                         run 1        run 2 (50 pairs)                  run 3 (quiet)
    before (649705c)    google 27 req  38 req, 4.6–4.8 s; notify 3 req   23 req
                        xlsx 4 saves   6 saves, 4.9 s; notify 1 save     2 saves
    after, batch 20     google 29 req  64 req, 5.0–5.1 s; notify 23 req  25 req  (+2: the lock tab)
                        xlsx 4 saves   16 saves, 5.9 s; notify 11 saves  2 saves
    notify requests = 4 per batch + 3: batch 1 → 403 (9.5 s), 20 → 23, 50 → 11, 100 → 7.
Before, the journal was a local SQLite file (no requests, and no protection against a second desk).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the loopback servers
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_run
from bench_run import artefacts, setup, timed_run
from bench_validate import applications, load_markets
from smtp_server import SmtpServer

from automation.demo.make import _confirm_some

NOTIFY = "notify"  # the 안내메일 step
MAIL = """[mail]
transport = "smtp"
host = "127.0.0.1"
port = {port}
starttls = false
sender = "onemarket@example.go.kr"
max_per_run = 100000
{batch}"""


def _serve(conn: Connection) -> None:
    """aiosmtpd in its own process (in-process it would share the GIL with the job)."""
    with SmtpServer() as server:
        conn.send(server.port)
        while conn.recv() == "count":
            conn.send(len(server.messages))


def _smtp_config(port: int, batch: int) -> str:
    head, _, rest = bench_run.CONFIG.partition("[mail]")
    _, _, tail = rest.partition("[documents]")
    return head + MAIL.format(port=port, batch=f"batch = {batch}\n" if batch else "") + "\n[documents]" + tail


def bench(name: str, rows: int, confirm: int, markets: list[dict[str, str]], batch: int) -> list[dict[str, Any]]:
    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.Process(target=_serve, args=(theirs,), daemon=True)
    child.start()
    original = bench_run.CONFIG
    bench_run.CONFIG = _smtp_config(ours.recv(), batch)
    opener = bench_run.xlsx_config if name == "xlsx" else bench_run.google_config
    results: list[dict[str, Any]] = []
    try:
        with opener() as (config, kinds):
            setup(config, markets, applications(rows, markets))
            for number in (1, 2, 3):
                if number == 2:
                    _confirm_some(config, confirm)
                ours.send("count")
                before = ours.recv()
                m = timed_run(config, number, kinds, None)
                ours.send("count")
                m["stored_mails"] = ours.recv() - before
                m["artefacts"] = artefacts(config)
                print(
                    f"# {name} run {number}: {m['seconds']} s, {m['requests']} requests, {m['stored_mails']} mails",
                    file=sys.stderr,
                    flush=True,
                )
                results.append(m)
    finally:
        bench_run.CONFIG = original
        ours.send("stop")
        child.join(10)
    return results


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        f"{'backend':<7} {'run':>3} {'seconds':>8} {'requests':>8} {'notify s':>9} {'notify req':>10} "
        f"{'mails':>6} {'req/50 mails':>12}  failed"
    ]
    for m in results:
        step = m["steps"].get(NOTIFY, {})
        mails, req = m["stored_mails"], step.get("requests", 0)
        per50 = f"{req * 50 / mails:.1f}" if mails else "-"
        lines.append(
            f"{m['backend']:<7} {m['run']:>3} {m['seconds']:>8} {m['requests']:>8} "
            f"{step.get('seconds', ''):>9} {req:>10} {mails:>6} {per50:>12}  {m['failed'] or ''}"
        )
    for m in results:
        if "request_kinds" in m and m["run"] == 2:
            lines.append(f"{m['backend']} run 2 {NOTIFY} kinds: {m['steps'].get(NOTIFY, {}).get('kinds')}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--confirm", type=int, default=50)
    parser.add_argument("--backend", choices=["xlsx", "google", "all"], default="all")
    parser.add_argument("--batch", type=int, default=0, help="[mail] batch (0: the default; older trees have none)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    markets, source = load_markets()
    print(
        f"# markets: {len(markets)} from {source}; applications {args.rows}; confirm {args.confirm}",
        file=sys.stderr,
        flush=True,
    )
    started = time.perf_counter()
    results = [
        m
        for name in ("google", "xlsx")
        if args.backend in (name, "all")
        for m in bench(name, args.rows, args.confirm, markets, args.batch)
    ]
    if args.json:
        print(json.dumps({"rows": args.rows, "confirm": args.confirm, "runs": results}, ensure_ascii=False, indent=1))
    else:
        print(table(results))
    print(f"# total {time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
