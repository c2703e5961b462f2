"""Public entry points: :func:`solve` (the policy) and the shared result assembly."""

from __future__ import annotations

import time
from collections.abc import Iterable

import numpy as np

from automation.matching.allowed import IntArray, Problem, arc_objective, build, pair
from automation.matching.core import DENSE_CELLS, optimise
from automation.matching.model import (
    UNITS_PER_POINT,
    Applicant,
    Assignment,
    Exclusion,
    Lock,
    Market,
    MatchResult,
    Neighbours,
    Objective,
    Rank,
    Unmatched,
)
from automation.matching.reasons import (
    FIRST_NOT_AVAILABLE,
    FULL,
    MISSED_FIRST,
    no_options,
    rank_reason,
    trait_reasons,
)
from automation.matching.ties import serial_dictatorship

_RANKS: tuple[Rank, ...] = ("first", "second", "city", "near")


def solve(
    applicants: Iterable[Applicant],
    markets: Iterable[Market],
    *,
    locks: Iterable[Lock] = (),
    exclusions: Iterable[Exclusion] = (),
    neighbours: Neighbours | None = None,
    dense_cells: int = DENSE_CELLS,
) -> MatchResult:
    """The lexicographic optimum of docs/matching.md (L1..L5), ties broken by the published rule.

    Locked pairs never move and use up capacity; excluded pairs and non-participating markets are
    never proposed. ``neighbours`` maps a 시군 to its neighbouring 시군 (caller's geography).
    Output is in published order and identical for any order of the inputs.
    """
    t0 = time.perf_counter()
    problem = build(applicants, markets, locks=locks, exclusions=exclusions, neighbours=neighbours)
    t1 = time.perf_counter()
    face = optimise(problem, dense_cells=dense_cells)
    t2 = time.perf_counter()
    asg = serial_dictatorship(problem, face)
    t3 = time.perf_counter()
    stats = {"build_s": t1 - t0, "optimise_s": t2 - t1, "ties_s": t3 - t2, "arcs": len(problem.arc_app), **face.stats}
    return assemble(problem, asg, neighbours or {}, stats)


def objective_of(problem: Problem, asg: IntArray) -> Objective:
    """L1..L5 totals of an assignment plus the locked pairs of known applicants."""
    total = arc_objective(problem, asg[asg >= 0])
    for i, j in problem.locked.items():
        total = total.plus(pair(problem.apps[i], problem.markets[j])[0])
    return total


def assemble(
    problem: Problem, asg: IntArray, neighbours: Neighbours, stats: dict[str, object] | None = None
) -> MatchResult:
    """Assignments with reasons, unmatched applicants with reasons, and the objective."""
    holder_count = np.bincount(problem.arc_mkt[asg[asg >= 0]], minlength=len(problem.markets))
    for j in problem.locked.values():
        holder_count[j] += 1
    assignments: list[Assignment] = []
    unmatched: list[Unmatched] = []
    for i, app in enumerate(problem.apps):
        if i in problem.locked:
            market = problem.markets[problem.locked[i]]
            levels, km, _ = pair(app, market)
            reasons = (rank_reason(None, app, market, km, neighbours), *trait_reasons(app, market))
            assignments.append(Assignment(app.id, market.code, "locked", km, levels.score, reasons))
            continue
        arc = int(asg[i])
        if arc < 0:
            if problem.geo_ok[i]:
                unmatched.append(Unmatched(app.id, "full", FULL))
            else:
                unmatched.append(Unmatched(app.id, "no_options", no_options(app)))
            continue
        market = problem.markets[int(problem.arc_mkt[arc])]
        rank = int(problem.arc_rank[arc])
        km_raw = float(problem.arc_km[arc])
        km = None if np.isnan(km_raw) else km_raw
        reasons_l = [rank_reason(rank, app, market, km, neighbours), *trait_reasons(app, market)]
        if app.choices and app.choices[0] != market.code:
            first = problem.market_index.get(app.choices[0])
            held = first is not None and holder_count[first] > 0
            reasons_l.append(MISSED_FIRST if held else FIRST_NOT_AVAILABLE)
        assignments.append(
            Assignment(
                app.id, market.code, _RANKS[rank], km, int(problem.arc_lv[arc, 4]) / UNITS_PER_POINT, tuple(reasons_l)
            )
        )
    return MatchResult(tuple(assignments), tuple(unmatched), objective_of(problem, asg), dict(stats or {}))
