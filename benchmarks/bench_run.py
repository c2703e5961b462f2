"""A full ``onemarket run`` on N applications × the real Gyeonggi markets, three times; seconds and requests.

    uv run python benchmarks/bench_run.py --rows 10000 --markets all --confirm 200 [--backend xlsx|google|all]
    uv run python benchmarks/bench_run.py --rows 300 --confirm 10          # smoke: well under 60 s

Setup (not timed), per backend: ``jobs.init`` on the three files, the markets of bench_validate
(150 real 경기도 markets from ../shared/data; every one gets 상인회이메일 market-<code>@example.org
and 수용기관수 2), N applications from bench_validate's generator. Timed, each a fresh
``automation.pipeline.runner.run(config)`` as a new ``onemarket run`` would be:
  1. first run: every application validated (신청IDs assigned), matched, suggestions written;
  2. after staff confirm ``--confirm`` suggestions (``demo._confirm_some``): agreements (.docx, and
     PDF when LibreOffice is found), two notices per pair into the outbox, market tabs in the
     outcomes file, the dashboard;
  3. nothing new (a quiet run).
Whatever ``pipeline.STEPS`` holds is run; each step is timed by wrapping its func. A step's time
includes the commit (xlsx save) the pipeline does after it; 작업기록 is the run log written at the
end. Requests are Sheets API calls counted by the loopback server of tests/gsheets_server.py (token
requests left out; no Google latency), or saves for xlsx. ``--profile DIR`` writes a cProfile of
each run. With ``--signed K`` staff also mark K confirmed pairs 협약체결 after run 2 (run 3 is then
no longer quiet).

Measured on 2026-11-29, 2 cores (AMD EPYC VM), Python 3.11.7, openpyxl 3.1.5, gspread 6.2.1, LibreOffice
7.4.7 (PDF made), steps 구조점검…요약 (7), 10,000 applications, 150 markets (수용 2), 200 confirmed:
    backend  run 1            run 2 (200 docx+PDF, 400 .eml, 109 tabs)   run 3 (quiet)
    xlsx     54.5–55.7 s, 4 saves   104.1–104.5 s, 6 saves            40.6 s, 2 saves
    google   19.6 s, 31 requests    109.3 s, 1,237 requests            19.9 s, 25 requests
    google, after holding 성과준비's requests (deferred()): 24.4 s / 31 · 48.6 s / 43 · 20.7 s / 25
xlsx: every run opens the files (구조점검 8 s, 16–17 s once 매칭 has 10,000 rows and outcomes 110 tabs)
and every master save costs 6–8 s (openpyxl). google run 2 before the fix: 1,204 of the requests were
성과준비's (11 per new market tab: 5 spreadsheets.get, 5 spreadsheets.batchUpdate, 1 values.append);
after: 11 for all 109 tabs (55.3 s → 1.2 s for the step).
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import json
import pstats
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the loopback Sheets server
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_validate import applications, fill, load_markets

from automation.config import Config, load_config
from automation.demo.make import _confirm_some
from automation.documents.pdf import find_soffice
from automation.pipeline import runner as pipeline
from automation.pipeline.runner import Context, Step
from automation.report import StepReport
from automation.schema import default_schemas
from automation.setup import jobs
from automation.sheets import open_backend, transaction
from automation.sheets.writes import RowUpdate, write_rows

Kinds = Callable[[], list[str]]  # every Sheets request so far, as "<file>:<kind>"
RUNLOG = "runlog"
CONFIG = """\
[workbook]
backend = "{backend}"
{files}
[mail]
transport = "outbox"
outbox = "outbox"
max_per_run = 100000

[documents]
output = "agreements"
pdf = "auto"
{google}"""


@dataclass
class Probe:
    """Timestamps and request counts at the start of each step, and when the run log starts."""

    kinds: Kinds | None
    ctx: Context | None = None
    marks: list[tuple[str, float, int]] = field(default_factory=list)
    func_seconds: dict[str, float] = field(default_factory=dict)

    def count(self) -> int:
        if self.kinds is not None:
            return len(self.kinds())
        opened = self.ctx.workbooks.opened.values() if self.ctx else []
        return sum(b.requests for b in opened)  # xlsx saves

    def mark(self, name: str) -> None:
        self.marks.append((name, time.perf_counter(), self.count()))


def _timed(step: Step, probe: Probe, ctx: Context) -> StepReport:
    probe.ctx = ctx
    probe.mark(step.name)
    t0 = time.perf_counter()
    try:
        return step.func(ctx)
    finally:
        probe.func_seconds[step.name] = time.perf_counter() - t0


@contextmanager
def _runlog_marked(probe: Probe) -> Iterator[None]:
    """Mark the start of 작업기록 (wraps pipeline.append_runlog for the run, then puts it back)."""
    original = getattr(pipeline, "append_runlog")  # noqa: B009 - not re-exported; looked up at call time

    def marked(*args: Any, **kwargs: Any) -> None:
        probe.mark(RUNLOG)
        original(*args, **kwargs)

    setattr(pipeline, "append_runlog", marked)  # noqa: B010
    try:
        yield
    finally:
        setattr(pipeline, "append_runlog", original)  # noqa: B010


def timed_run(config: Config, number: int, kinds: Kinds | None, profile: Path | None) -> dict[str, Any]:
    probe = Probe(kinds)
    steps = [dataclasses.replace(s, func=partial(_timed, s, probe)) for s in pipeline.STEPS]
    profiler = cProfile.Profile() if profile else None
    start = (time.perf_counter(), probe.count())
    with _runlog_marked(probe):
        if profiler:
            profiler.enable()
        result = pipeline.run(config, steps=steps)
        if profiler:
            profiler.disable()
    probe.mark("end")
    if profiler and profile:
        profiler.dump_stats(profile / f"{config.backend}-run{number}.prof")
    _, t_end, n_end = probe.marks[-1]
    out: dict[str, Any] = {
        "backend": config.backend,
        "run": number,
        "seconds": round(t_end - start[0], 2),
        "requests": n_end - start[1],
        "steps": {},
    }
    all_kinds = kinds() if kinds else []
    for (name, t, n), (_, t_next, n_next) in zip(probe.marks, probe.marks[1:], strict=False):
        step: dict[str, Any] = {"seconds": round(t_next - t, 2), "requests": n_next - n}
        if name in probe.func_seconds:
            step["commit_seconds"] = round(t_next - t - probe.func_seconds[name], 2)
        if kinds:
            step["kinds"] = dict(Counter(all_kinds[n:n_next]))
        out["steps"][name] = step
    if kinds:
        out["request_kinds"] = dict(Counter(all_kinds[start[1] : n_end]))
    out["reports"] = [
        {"step": r.step, "result": r.result, "counts": r.counts, "message": r.message} for r in result.reports
    ]
    out["failed"] = [f"{r.step}: {r.message}" for r in result.reports if r.failed]
    return out


def artefacts(config: Config) -> dict[str, int]:
    """What the runs left behind so far (not timed; on Google this reads after the run's count)."""
    docs = config.documents.output
    return {
        "docx": len(list(docs.rglob("*.docx"))),
        "pdf": len(list(docs.rglob("*.pdf"))),
        "eml": len(list(config.mail.outbox.rglob("*.eml"))),
        "outcome_tabs": len(open_backend(config, "outcomes").list_tabs()),
        "dashboard_tabs": len(open_backend(config, "dashboard").list_tabs()),
    }


def setup(config: Config, markets: list[dict[str, str]], apps: list[dict[str, str]]) -> None:
    jobs.init(config)
    markets = [
        m | {"association_email": f"market-{m['market_code'].lower()}@example.org", "capacity": "2"} for m in markets
    ]
    master, outcomes = open_backend(config, "master"), open_backend(config, "outcomes")
    fill((master, outcomes), markets, apps)


def sign(config: Config, match_ids: list[str]) -> None:
    """Staff mark pairs 협약체결 (after the agreements are signed)."""
    schemas = default_schemas()
    backend = open_backend(config, "master")
    with transaction(backend):
        write_rows(
            backend,
            schemas["매칭"],
            [RowUpdate({"status": "협약체결"}, id=m) for m in match_ids],
            allow=frozenset({"status"}),
        )


@contextmanager
def xlsx_config() -> Iterator[tuple[Config, Kinds | None]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "onemarket.toml"
        path.write_text(CONFIG.format(backend="xlsx", files="", google=""), encoding="utf-8")
        yield load_config(path), None


@contextmanager
def google_config() -> Iterator[tuple[Config, Kinds | None]]:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from google_fixtures import SERVICE_EMAIL, service_account_json
    from gsheets_server import SheetsServer

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with SheetsServer(key.public_key(), SERVICE_EMAIL) as server, tempfile.TemporaryDirectory() as tmp:
        creds = Path(tmp) / "credentials.json"
        creds.write_text(json.dumps(service_account_json(key, server.token_uri)), encoding="utf-8")
        roles = ("master", "outcomes", "dashboard")
        for name in roles:
            server.create_spreadsheet(name)
        files = "".join(f'{r} = "{r}"\n' for r in roles)
        google = f'\n[google]\ncredentials = "credentials.json"\nendpoint = "{server.url}"\ntimeout = 120\n'
        path = Path(tmp) / "onemarket.toml"
        path.write_text(CONFIG.format(backend="google", files=files, google=google), encoding="utf-8")
        yield (
            load_config(path),
            lambda: [f"{r.path.split('/')[3].split(':')[0]}:{r.kind}" for r in server.requests() if r.kind != "token"],
        )


def bench(name: str, args: argparse.Namespace, markets: list[dict[str, str]]) -> list[dict[str, Any]]:
    opener = xlsx_config if name == "xlsx" else google_config
    with opener() as (config, kinds):
        t0 = time.perf_counter()
        setup(config, markets, applications(args.rows, markets))
        print(f"# {name}: setup {time.perf_counter() - t0:.1f} s (not timed)", file=sys.stderr, flush=True)
        results, confirmed = [], []
        for number in (1, 2, 3):
            if number == 2:
                confirmed = _confirm_some(config, args.confirm)
                print(f"# {name}: staff confirmed {len(confirmed)} pairs", file=sys.stderr, flush=True)
            if number == 3 and args.signed:
                sign(config, confirmed[: args.signed])
                print(
                    f"# {name}: staff marked {len(confirmed[: args.signed])} pairs 협약체결",
                    file=sys.stderr,
                    flush=True,
                )
            m = timed_run(config, number, kinds, args.profile)
            m["artefacts"] = artefacts(config)
            print(f"# {name} run {number}: {m['seconds']} s", file=sys.stderr, flush=True)
            results.append(m)
        return results


def table(results: list[dict[str, Any]]) -> str:
    names = list(dict.fromkeys(n for m in results for n in m["steps"]))
    head = f"{'backend':<7} {'run':>3} {'total s':>8} " + " ".join(f"{n[:10]:>10}" for n in names)
    lines = ["seconds per step (incl. the commit after it)", head]
    for m in results:
        cells = " ".join(f"{m['steps'].get(n, {}).get('seconds', ''):>10}" for n in names)
        lines.append(f"{m['backend']:<7} {m['run']:>3} {m['seconds']:>8} {cells}")
    lines += ["requests per step (google: Sheets API calls, no token; xlsx: saves)", head.replace("total s", "total")]
    for m in results:
        cells = " ".join(f"{m['steps'].get(n, {}).get('requests', ''):>10}" for n in names)
        lines.append(f"{m['backend']:<7} {m['run']:>3} {m['requests']:>8} {cells}")
    for m in results:
        a = m["artefacts"]
        lines.append(
            f"{m['backend']} run {m['run']}: docx {a['docx']}, pdf {a['pdf']}, eml {a['eml']}, "
            f"outcome tabs {a['outcome_tabs']}, dashboard tabs {a['dashboard_tabs']}"
            + (f"; FAILED {m['failed']}" if m["failed"] else "")
            + (f"; kinds {m['request_kinds']}" if "request_kinds" in m else "")
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--markets", default="all", help="all, or the first N markets")
    parser.add_argument("--confirm", type=int, default=200)
    parser.add_argument("--signed", type=int, default=0, help="confirmed pairs marked 협약체결 before run 3")
    parser.add_argument("--backend", choices=["xlsx", "google", "all"], default="all")
    parser.add_argument("--profile", type=Path, help="write a cProfile (.prof) of each run into this folder")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON document")
    args = parser.parse_args()
    markets, source = load_markets()
    if args.markets != "all":
        markets = markets[: int(args.markets)]
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    soffice = find_soffice()
    pdf = f"PDF via {soffice}" if soffice else "no LibreOffice: .docx only"
    print(
        f"# markets: {len(markets)} from {source}; applications: {args.rows}; confirm {args.confirm}; {pdf}",
        file=sys.stderr,
        flush=True,
    )
    results = [m for name in ("xlsx", "google") if args.backend in (name, "all") for m in bench(name, args, markets)]
    if args.json:
        print(
            json.dumps(
                {
                    "markets": len(markets),
                    "rows": args.rows,
                    "confirm": args.confirm,
                    "pdf": bool(soffice),
                    "steps": [s.name for s in pipeline.STEPS],
                    "runs": results,
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        print(table(results))
    if args.profile:
        for prof in sorted(args.profile.glob("*.prof")):
            print(f"\n## {prof.name}: top 12 by cumulative time", file=sys.stderr)
            pstats.Stats(str(prof), stream=sys.stderr).sort_stats("cumulative").print_stats(12)


if __name__ == "__main__":
    main()
