"""First-come-first-served baseline (for benchmarks) and docs/matching.md's quality figures."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from automation.matching.allowed import build
from automation.matching.model import (
    Applicant,
    Exclusion,
    Lock,
    Market,
    MatchResult,
    Metrics,
    Neighbours,
)
from automation.matching.solve import assemble


def fcfs(
    applicants: Iterable[Applicant],
    markets: Iterable[Market],
    *,
    locks: Iterable[Lock] = (),
    exclusions: Iterable[Exclusion] = (),
    neighbours: Neighbours | None = None,
) -> MatchResult:
    """Applicants in published order each take their best allowed market with room left:
    1st choice, 2nd choice, wished 시군, near; then shorter distance; then market code."""
    problem = build(applicants, markets, locks=locks, exclusions=exclusions, neighbours=neighbours)
    left = problem.cap.copy()
    asg = np.full(len(problem.apps), -1, dtype=np.int64)
    km = np.nan_to_num(problem.arc_km, nan=math.inf)
    # markets are numbered in code order, so the market number is the code tie-break
    order = np.lexsort((problem.arc_mkt, km, problem.arc_rank, problem.arc_app))
    starts = np.searchsorted(problem.arc_app[order], np.arange(len(problem.apps) + 1))
    for i in range(len(problem.apps)):
        for arc in order[starts[i] : starts[i + 1]].tolist():
            j = int(problem.arc_mkt[arc])
            if left[j] > 0:
                left[j] -= 1
                asg[i] = arc
                break
    return assemble(problem, asg, neighbours or {}, {"method": "fcfs"})


def metrics(result: MatchResult, applicants: Sequence[Applicant], markets: Iterable[Market] = ()) -> Metrics:
    """Matched %, 1st % (of those naming one), 2nd % (of those naming one), city-only applicants
    placed in their 시군 % (locked pairs count when ``markets`` gives their 시군), unmatched %,
    mean km of the assignments with a known distance."""
    sigun = {m.code: m.sigun for m in markets}
    by_id = {a.app_id: a for a in result.assignments}
    n = len(applicants)
    matched = first = second = city = 0
    with_first = with_second = city_only = 0
    kms: list[float] = []
    for app in applicants:
        a = by_id.get(app.id)
        with_first += bool(app.choices)
        with_second += len(app.choices) > 1
        city_only += app.city_only
        if a is None:
            continue
        matched += 1
        first += bool(app.choices) and a.market_code == app.choices[0]
        second += len(app.choices) > 1 and a.market_code == app.choices[1] and a.market_code != app.choices[0]
        in_city = a.rank == "city" or (a.rank == "locked" and sigun.get(a.market_code) == app.wish_sigun)
        city += app.city_only and in_city
        if a.km is not None:
            kms.append(a.km)

    def pct(k: int, of: int) -> float:
        return 100.0 * k / of if of else 0.0

    return Metrics(
        n,
        pct(matched, n),
        pct(first, with_first),
        pct(second, with_second),
        pct(city, city_only),
        pct(n - matched, n),
        sum(kms) / len(kms) if kms else None,
    )
