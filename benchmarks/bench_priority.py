"""The matching priority (coverage vs wishes) and organisations wanting several markets.

    uv run python benchmarks/bench_priority.py [--seeds 5] [--skip-national]

Part 1 — the 150 real Gyeonggi markets × synthetic organisations (bench_matching's contended
instances): per 100 applicants, organisations matched, 1st and 2nd choices given, and cases of
justified envy (an applicant that lost its 1st choice to a later one that did not rank that
market first), under ``priority="coverage"`` and ``"wishes"``.
Part 2 — speed with several-market organisations: Gyeonggi (246 markets, capacity 3, 600
organisations) and national scale (1,400 markets, 20,000 organisations), once with every
organisation wanting one market and once with some wanting 2–5 (희망시장수).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_matching import NATIONAL_CSV, _market_points, real_gyeonggi_instance

from automation.matching import Applicant, MatchResult, solve
from automation.matching.model import Priority
from automation.matching.synthetic import Instance, gyeonggi, national


def envy(result: MatchResult, apps: tuple[Applicant, ...]) -> int:
    """Applicants that lost their 1st choice to a later applicant that did not rank it first."""
    by_id = {a.id: a for a in apps}
    holders: dict[str, list[Applicant]] = {}
    got: dict[str, set[str]] = {}
    for x in result.assignments:
        holders.setdefault(x.market_code, []).append(by_id[x.app_id])
        got.setdefault(x.app_id, set()).add(x.market_code)
    count = 0
    for a in apps:
        if not a.choices or a.choices[0] in got.get(a.id, ()):
            continue
        first = a.choices[0]
        if any(
            (b.order, b.id) > (a.order, a.id) and (not b.choices or b.choices[0] != first)
            for b in holders.get(first, ())
        ):
            count += 1
    return count


def _counts(result: MatchResult, apps: tuple[Applicant, ...]) -> tuple[int, int, int, int]:
    o = result.objective
    return o.matched, o.first, o.second, envy(result, apps)


def priority_table(seeds: int) -> None:
    print("## priority on the 150 real Gyeonggi markets; per 100 applicants, mean of", seeds, "seeds\n")
    print("| orgs | priority | matched | 1st | 2nd | justified envy | solve ms |")
    print("|---|---|---|---|---|---|---|")
    for n in (150, 300):
        rows: dict[Priority, list[tuple[int, int, int, int]]] = {"coverage": [], "wishes": []}
        ms: dict[Priority, list[float]] = {"coverage": [], "wishes": []}
        for seed in range(seeds):
            inst = real_gyeonggi_instance(n, seed)
            if inst is None:
                print(f"(skipped: {NATIONAL_CSV} not present)")
                return
            for priority in rows:
                t0 = time.perf_counter()
                result = solve(inst.applicants, inst.markets, neighbours=inst.neighbours, priority=priority)
                ms[priority].append(1000 * (time.perf_counter() - t0))
                rows[priority].append(_counts(result, inst.applicants))
        for priority, got in rows.items():
            cells = " | ".join(f"{100 * statistics.fmean(r[k] for r in got) / n:.2f}" for k in range(4))
            print(f"| {n} | {priority} | {cells} | {statistics.fmean(ms[priority]):.0f} |")
    print()


def _with_wants(inst: Instance, share: float, seed: int) -> Instance:
    rng = random.Random(seed)
    apps = tuple(replace(a, wants=rng.choice((2, 3, 5))) if rng.random() < share else a for a in inst.applicants)
    return Instance(apps, inst.markets, inst.neighbours)


def _time(inst: Instance, repeats: int) -> tuple[float, MatchResult]:
    best, result = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = solve(inst.applicants, inst.markets, neighbours=inst.neighbours)
        best = min(best, time.perf_counter() - t0)
    assert result is not None
    return best, result


def wants_table(repeats: int, national_orgs: int) -> None:
    print(f"## several-market organisations: seconds (best of {repeats})\n")
    print("| instance | wanting 2–5 | seconds | stand-ins | organisations matched | places | short |")
    print("|---|---|---|---|---|---|---|")
    cases = [("Gyeonggi 246 markets × 600, capacity 3", gyeonggi(600, capacity=3, seed=1))]
    if national_orgs:
        points = _market_points()
        cases.append((f"national 1,400 markets × {national_orgs:,}", national(national_orgs, seed=1, points=points)))
    for label, inst in cases:
        for share in (0.0, 0.02, 0.10):
            case = _with_wants(inst, share, seed=1) if share else inst
            seconds, result = _time(case, repeats)
            o = result.objective
            print(
                f"| {label} | {share:.0%} | {seconds:.2f} | {result.stats.get('stand_ins', 0)} | "
                f"{o.matched:,} | {o.places:,} | {sum(result.short.values()):,} |"
            )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--national-orgs", type=int, default=20_000)
    parser.add_argument("--skip-national", action="store_true")
    args = parser.parse_args()
    priority_table(args.seeds)
    wants_table(args.repeats, 0 if args.skip_national else args.national_orgs)


if __name__ == "__main__":
    main()
