"""Public entry points: :func:`solve` (the policy) and the shared result assembly."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace
from typing import Literal

import numpy as np

from automation.matching.allowed import IntArray, Problem, arc_objective, build, pair
from automation.matching.capacity import Expanded, collapse, expand
from automation.matching.core import DENSE_CELLS, optimise
from automation.matching.model import (
    PRIORITIES,
    UNITS_PER_POINT,
    Applicant,
    Assignment,
    Exclusion,
    Lock,
    Market,
    MatchResult,
    Neighbours,
    Objective,
    Priority,
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
    priority: Priority = "coverage",
) -> MatchResult:
    """The lexicographic optimum of docs/matching.md, ties broken by the published rule.

    ``priority`` orders the levels: ``"coverage"`` (organisations matched, places, 1st choices,
    2nd choices, 시군, score) or ``"wishes"`` (1st choices, 2nd choices, then matched, places,
    시군, score). Locked pairs never move and use up capacity; excluded pairs and
    non-participating markets are never proposed. An organisation with ``wants`` above one gets up
    to that many different markets (:mod:`.capacity`). ``neighbours`` maps a 시군 to its
    neighbouring 시군 (caller's geography). Output is in published order and identical for any
    order of the inputs.
    """
    if priority not in PRIORITIES:
        raise ValueError(f"unknown priority {priority!r}: one of {PRIORITIES}")
    applicants, locks = tuple(applicants), tuple(locks)
    if any(a.wants > 1 for a in applicants):
        return _solve_many(applicants, markets, locks, exclusions, neighbours, dense_cells, priority)
    t0 = time.perf_counter()
    problem = build(applicants, markets, locks=locks, exclusions=exclusions, neighbours=neighbours, priority=priority)
    t1 = time.perf_counter()
    face = optimise(problem, dense_cells=dense_cells)
    t2 = time.perf_counter()
    asg = serial_dictatorship(problem, face)
    t3 = time.perf_counter()
    stats = {"build_s": t1 - t0, "optimise_s": t2 - t1, "ties_s": t3 - t2, "arcs": len(problem.arc_app), **face.stats}
    return assemble(problem, asg, neighbours or {}, stats)


def _solve_many(
    applicants: tuple[Applicant, ...],
    markets: Iterable[Market],
    locks: tuple[Lock, ...],
    exclusions: Iterable[Exclusion],
    neighbours: Neighbours | None,
    dense_cells: int,
    priority: Priority,
) -> MatchResult:
    t0 = time.perf_counter()
    ex = expand(applicants, markets, locks=locks, exclusions=exclusions, neighbours=neighbours, priority=priority)
    t1 = time.perf_counter()
    face = optimise(ex.problem, dense_cells=dense_cells)
    t2 = time.perf_counter()
    asg = serial_dictatorship(ex.problem, face)
    t3 = time.perf_counter()
    stats = {
        "build_s": t1 - t0,
        "optimise_s": t2 - t1,
        "ties_s": t3 - t2,
        "arcs": len(ex.problem.arc_app),
        "stand_ins": len(ex.problem.apps) - len(ex.base.apps),
        **face.stats,
    }
    return assemble_many(ex, collapse(ex, asg), neighbours or {}, stats)


def assemble_many(
    ex: Expanded, got: dict[int, list[int]], neighbours: Neighbours, stats: dict[str, object]
) -> MatchResult:
    """:func:`assemble` for organisations that may hold several markets (locked ones first)."""
    base = ex.base
    starts = np.searchsorted(base.arc_app, np.arange(len(base.apps) + 1))

    def arc_of(i: int, j: int) -> int:  # an organisation's arcs are sorted by market
        lo, hi = int(starts[i]), int(starts[i + 1])
        return lo + int(np.searchsorted(base.arc_mkt[lo:hi], j))

    held = {i: list(js) for i, js in ex.held.items()}
    for i, j in base.locked.items():
        held[i] = [j]
    holders = np.zeros(len(base.markets), dtype=np.int64)
    for js in (*held.values(), *got.values()):
        for j in js:
            holders[j] += 1
    assignments: list[Assignment] = []
    unmatched: list[Unmatched] = []
    short: dict[str, int] = {}
    total = Objective()
    for i, app in enumerate(base.apps):
        mine = [*held.get(i, ()), *got.get(i, ())]
        if not mine:
            code: Literal["full", "no_options"] = "full" if base.geo_ok[i] else "no_options"
            unmatched.append(Unmatched(app.id, code, FULL if code == "full" else no_options(app)))
            continue
        if len(mine) < app.wants:
            short[app.id] = app.wants - len(mine)
        missed = bool(app.choices) and base.market_index.get(app.choices[0]) not in mine
        total = total.plus(Objective(matched=1))
        for n, j in enumerate(mine):
            market = base.markets[j]
            if n < len(held.get(i, ())):
                levels, km, _ = pair(app, market)
                total = total.plus(replace(levels, matched=0))
                reasons = (rank_reason(None, app, market, km, neighbours), *trait_reasons(app, market))
                assignments.append(Assignment(app.id, market.code, "locked", km, levels.score, reasons))
                continue
            arc = arc_of(i, j)
            lv = [int(v) for v in base.arc_lv[arc, :5]]
            levels = Objective(0, lv[1], lv[2], lv[3], lv[4], 1)
            total = total.plus(levels)
            km_raw = float(base.arc_km[arc])
            km = None if np.isnan(km_raw) else km_raw
            rank = int(base.arc_rank[arc])
            reasons_l = [rank_reason(rank, app, market, km, neighbours), *trait_reasons(app, market)]
            if missed and n == len(held.get(i, ())):
                first = base.market_index.get(app.choices[0])
                reasons_l.append(MISSED_FIRST if first is not None and holders[first] > 0 else FIRST_NOT_AVAILABLE)
            assignments.append(Assignment(app.id, market.code, _RANKS[rank], km, levels.score, tuple(reasons_l)))
    return MatchResult(tuple(assignments), tuple(unmatched), total, stats, short)


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
