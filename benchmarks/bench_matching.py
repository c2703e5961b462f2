"""Matching quality and speed on synthetic high-contention instances (docs/matching.md §Quality bars).

    uv run python benchmarks/bench_matching.py [--seeds 3] [--skip-national]

Part 1 — 246 markets around the real 시군 centres × 60/246/600 organisations, capacity 1 and 3:
docs/matching.md's figures for the policy (``solve``) and first-come-first-served (``fcfs``) side by
side, averaged over seeds, plus the solve time.
Part 2 — the 150 real Gyeonggi markets of ../shared/data × synthetic organisations (skipped when
the national CSV is absent).
Part 3 — 1,400 markets × 20,000 organisations, capacities 1..15: seconds per stage and peak
memory (tracemalloc: Python and numpy allocations during the solve; ru_maxrss: the process).
Market points are the real 전국전통시장 coordinates when ../shared/data holds the national CSV
(regions = 시도+시군구), else generated clusters; organisations and their wishes are synthetic.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from automation.domain.markets_csv import market_rows, read_market_csv
from automation.geo import CENTROIDS
from automation.geo.areas import NEIGHBOURS
from automation.matching import Applicant, Market, MatchResult, Metrics, fcfs, metrics, solve
from automation.matching.allowed import build
from automation.matching.core import optimise
from automation.matching.solve import assemble
from automation.matching.synthetic import Instance, gyeonggi, national
from automation.matching.ties import serial_dictatorship

ROOT = Path(__file__).resolve().parent.parent
NATIONAL_CSV = ROOT.parent / "shared" / "data" / "std_traditional_markets_national_20241104.csv"
FIELDS = (
    ("matched_pct", "matched %"),
    ("first_pct", "1st %"),
    ("second_pct", "2nd %"),
    ("city_pct", "city-only in city %"),
    ("unmatched_pct", "unmatched %"),
    ("mean_km", "mean km"),
)


def _mean(ms: list[Metrics], name: str) -> float:
    return statistics.fmean(float(getattr(m, name) or 0.0) for m in ms)


def gyeonggi_table(seeds: int) -> None:
    print("## 246 markets (Gyeonggi 시군 centres), high contention; mean of", seeds, "seeds\n")
    print("| capacity | orgs | method | " + " | ".join(label for _, label in FIELDS) + " | solve ms |")
    print("|---|---|---|" + "---|" * (len(FIELDS) + 1))
    for capacity in (1, 3):
        for n in (60, 246, 600):
            rows: dict[str, list[Metrics]] = {"solve": [], "fcfs": []}
            ms: list[float] = []
            for seed in range(seeds):
                inst = gyeonggi(n, capacity=capacity, seed=seed)
                t0 = time.perf_counter()
                opt = solve(inst.applicants, inst.markets, neighbours=inst.neighbours)
                ms.append(1000 * (time.perf_counter() - t0))
                base = fcfs(inst.applicants, inst.markets, neighbours=inst.neighbours)
                rows["solve"].append(metrics(opt, inst.applicants, inst.markets))
                rows["fcfs"].append(metrics(base, inst.applicants, inst.markets))
            for method, got in rows.items():
                cells = " | ".join(f"{_mean(got, name):.1f}" for name, _ in FIELDS)
                timing = f"{statistics.fmean(ms):.0f}" if method == "solve" else ""
                print(f"| {capacity} | {n} | {method} | {cells} | {timing} |")
    print()


def real_gyeonggi_instance(n_orgs: int, seed: int) -> Instance | None:
    """The 150 real Gyeonggi markets (capacity 1) and synthetic organisations placed at their 시군
    centres: 1st/2nd choices drawn towards large markets of their own 시군 (high contention),
    one in five naming only a 시군."""
    if not NATIONAL_CSV.is_file():
        return None
    rng = random.Random(seed)
    rows = market_rows(read_market_csv(NATIONAL_CSV), "경기도")
    markets = tuple(
        Market(
            r["market_code"],
            r["market_name"],
            r["sigun"],
            float(r["latitude"]),
            float(r["longitude"]),
            1,
            True,
            frozenset({"large"}) if int(r["store_count"] or 0) >= 150 else frozenset(),
        )
        for r in rows
    )
    by_sigun: dict[str, list[Market]] = {}
    for m in markets:
        by_sigun.setdefault(m.sigun or "", []).append(m)
    siguns = sorted(by_sigun)
    apps = []
    for i in range(n_orgs):
        home = rng.choice(siguns)
        lat, lon = CENTROIDS.get(home) or (37.4, 127.0)
        pool = by_sigun[home]
        weights = [1 + (i % 3) * ("large" in m.traits) * 4 for m in pool]
        picks = rng.choices(pool, weights=weights, k=2)
        city_only = rng.random() < 0.2
        choices = () if city_only else tuple(dict.fromkeys(m.code for m in picks))
        apps.append(
            Applicant(
                f"A{i:05d}",
                (f"2024-05-{1 + i % 28:02d}", f"A{i:05d}"),
                choices,
                home,
                lat + rng.gauss(0, 0.03),
                lon + rng.gauss(0, 0.03),
                home,
                frozenset({"large_group"}) if rng.random() < 0.3 else frozenset(),
            )
        )
    return Instance(tuple(apps), markets, NEIGHBOURS)


def real_gyeonggi_table(seeds: int) -> None:
    print("## the 150 real Gyeonggi markets (capacity 1) × synthetic organisations; mean of", seeds, "seeds\n")
    print("| orgs | method | " + " | ".join(label for _, label in FIELDS) + " | solve ms |")
    print("|---|---|" + "---|" * (len(FIELDS) + 1))
    for n in (60, 150, 300):
        rows: dict[str, list[Metrics]] = {"solve": [], "fcfs": []}
        ms: list[float] = []
        for seed in range(seeds):
            inst = real_gyeonggi_instance(n, seed)
            if inst is None:
                print(f"(skipped: {NATIONAL_CSV} not present)")
                return
            t0 = time.perf_counter()
            opt = solve(inst.applicants, inst.markets, neighbours=inst.neighbours)
            ms.append(1000 * (time.perf_counter() - t0))
            rows["solve"].append(metrics(opt, inst.applicants, inst.markets))
            rows["fcfs"].append(
                metrics(fcfs(inst.applicants, inst.markets, neighbours=inst.neighbours), inst.applicants, inst.markets)
            )
        for method, got in rows.items():
            cells = " | ".join(f"{_mean(got, name):.1f}" for name, _ in FIELDS)
            timing = f"{statistics.fmean(ms):.0f}" if method == "solve" else ""
            print(f"| {n} | {method} | {cells} | {timing} |")
    print()


def _market_points() -> list[tuple[float, float, str]] | None:
    if not NATIONAL_CSV.is_file():
        return None
    from automation.domain.markets_csv import read_market_csv

    points = []
    for row in read_market_csv(NATIONAL_CSV):
        try:
            lat, lon = float(row["위도"]), float(row["경도"])
        except (KeyError, ValueError):
            continue
        address = (row.get("소재지도로명주소") or row.get("소재지지번주소") or "").split()
        points.append((lat, lon, " ".join(address[:2])))
    return points


def _stages(inst: Instance) -> tuple[list[float], MatchResult, list[str], int]:
    t0 = time.perf_counter()
    problem = build(inst.applicants, inst.markets, neighbours=inst.neighbours)
    t1 = time.perf_counter()
    face = optimise(problem)
    t2 = time.perf_counter()
    asg = serial_dictatorship(problem, face)
    t3 = time.perf_counter()
    result = assemble(problem, asg, inst.neighbours)
    t4 = time.perf_counter()
    return [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0], result, list(face.stats["solves"]), len(problem.arc_app)  # type: ignore[call-overload]


def national_run(n_orgs: int, seed: int, repeats: int) -> None:
    points = _market_points()
    inst = national(n_orgs, seed=seed, points=points)
    where = f"{len(points)} real market points" if points else "generated clusters"
    print(
        f"## {len(inst.markets)} markets ({where}) × {len(inst.applicants)} organisations, "
        f"capacity 1..15 (total {sum(m.capacity for m in inst.markets)})\n"
    )
    runs = [_stages(inst) for _ in range(repeats)]
    best = [min(r[0][k] for r in runs) for k in range(5)]
    _, result, solves, arcs = runs[0]
    print(f"- allowed pairs: {arcs:,} (mean {arcs / len(inst.applicants):.0f} per organisation)")
    print(
        f"- seconds (best of {repeats}): allowed set {best[0]:.2f}, optimum L1..L5 {best[1]:.2f}, "
        f"tie rule {best[2]:.2f}, reasons {best[3]:.2f}; total {best[4]:.2f} "
        f"(all runs: {', '.join(f'{r[0][4]:.2f}' for r in runs)})"
    )
    for line in solves[:3]:
        print(f"  - {line}")
    tracemalloc.start()
    _stages(inst)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"- peak memory: {peak / 2**20:.0f} MiB allocated during the solve (tracemalloc, numpy "
        f"included); process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    t5 = time.perf_counter()
    base = fcfs(inst.applicants, inst.markets, neighbours=inst.neighbours)
    print(f"- fcfs: {time.perf_counter() - t5:.2f} s\n")
    print("| method | " + " | ".join(label for _, label in FIELDS) + " |")
    print("|---|" + "---|" * len(FIELDS))
    for method, res in (("solve", result), ("fcfs", base)):
        m = metrics(res, inst.applicants, inst.markets)
        print(f"| {method} | " + " | ".join(f"{float(getattr(m, name) or 0):.1f}" for name, _ in FIELDS) + " |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--national-orgs", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-national", action="store_true")
    args = parser.parse_args()
    gyeonggi_table(args.seeds)
    real_gyeonggi_table(args.seeds)
    if not args.skip_national:
        national_run(args.national_orgs, seed=1, repeats=args.repeats)


if __name__ == "__main__":
    main()
