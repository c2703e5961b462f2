"""Why an applicant missed its 1st choice: who holds it, and what forcing it would cost.

For each applicant (not locked) whose 1st choice is not its assignment in ``result`` (a
:func:`~automation.matching.solve` result for the same inputs): the holders of that market, and —
from ONE re-solve of L1..L5 with the pair (applicant, 1st choice) locked — the cost
(optimum − optimum with the pair forced) on each level; only the pair's connected component of
the allowed graph is re-solved, as the others cannot change. A near-tie (no cost on L1..L4 and less
than one point on L5) names the published rule that decided it: the L5 score when it differs,
else "earlier application first" (with L1..L5 equal, the tie rule served someone who applied
earlier). The applicant-facing text never names the holder; the staff text does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from automation.matching.allowed import IntArray, Problem, build
from automation.matching.capacity import split_locks
from automation.matching.core import DENSE_CELLS, components, optimise
from automation.matching.model import (
    Applicant,
    Exclusion,
    Explanation,
    Lock,
    Market,
    MatchResult,
    Neighbours,
    Objective,
    Priority,
)
from automation.matching.reasons import (
    FIRST_NOT_AVAILABLE,
    MISSED_FIRST,
    cost_text,
    rule_for,
)
from automation.matching.solve import objective_of, solve


def with_lock(problem: Problem, i: int, j: int) -> Problem:
    """The same problem with applicant ``i`` locked to market ``j`` (which must have room)."""
    cap = problem.cap.copy()
    cap[j] -= 1
    keep = (problem.arc_app != i) & ((problem.arc_mkt != j) | (cap[j] > 0))
    return replace(
        problem,
        cap=cap,
        locked={**problem.locked, i: j},
        arc_app=problem.arc_app[keep],
        arc_mkt=problem.arc_mkt[keep],
        arc_lv=problem.arc_lv[keep],
        arc_km=problem.arc_km[keep],
        arc_rank=problem.arc_rank[keep],
    )


def forced_objective(problem: Problem, i: int, j: int, *, dense_cells: int = DENSE_CELLS) -> Objective:
    """The optimal L1..L5 with applicant ``i`` forced into market ``j``: one re-solve."""
    forced = with_lock(problem, i, j)
    return objective_of(forced, optimise(forced, dense_cells=dense_cells).asg)


def _only(problem: Problem, arcs: IntArray) -> Problem:
    """The problem restricted to some arcs (one component of the allowed graph)."""
    return replace(
        problem,
        arc_app=problem.arc_app[arcs],
        arc_mkt=problem.arc_mkt[arcs],
        arc_lv=problem.arc_lv[arcs],
        arc_km=problem.arc_km[arcs],
        arc_rank=problem.arc_rank[arcs],
    )


def explain(
    result: MatchResult,
    applicants: Iterable[Applicant],
    markets: Iterable[Market],
    *,
    locks: Iterable[Lock] = (),
    exclusions: Iterable[Exclusion] = (),
    neighbours: Neighbours | None = None,
    priority: Priority = "coverage",
) -> tuple[Explanation, ...]:
    """One :class:`Explanation` per applicant (published order) that missed its 1st choice in
    ``result``; the other arguments are the inputs ``result`` was solved from."""
    applicants, markets = tuple(applicants), tuple(markets)
    locks, exclusions = tuple(locks), tuple(exclusions)
    apps, plain, extra, _ = split_locks(applicants, locks, exclusions)
    problem = build(apps, markets, locks=plain, exclusions=extra, neighbours=neighbours, priority=priority)
    # with organisations wanting several markets, a forced pair is re-solved whole (stand-ins)
    many = any(a.wants > 1 for a in apps)
    excluded = {(e.app_id, e.market_code) for e in exclusions}
    held: dict[str, list[str]] = {}
    got: dict[str, set[str]] = {}
    for a in result.assignments:
        held.setdefault(a.market_code, []).append(a.app_id)
        got.setdefault(a.app_id, set()).add(a.market_code)
    # forcing a pair changes only its component of the allowed graph: re-solve that one alone
    comps = components(problem)
    component = {int(i): k for k, (apps, _) in enumerate(comps) for i in apps}
    parts = [_only(problem, arcs) for _, arcs in comps]
    base: dict[int, Objective] = {}
    out: list[Explanation] = []
    for i, app in enumerate(problem.apps):
        if not app.choices or i in problem.locked or app.choices[0] in got.get(app.id, ()):
            continue
        code = app.choices[0]
        holders = tuple(held.get(code, ()))
        j = problem.market_index.get(code)
        why: str | None = None
        if j is None:
            why = "시장 목록에 없는 시장"
        elif not problem.markets[j].participating:
            why = "참여하지 않는 시장"
        elif (app.id, code) in excluded:
            why = "거절된 조합"
        elif problem.cap[j] <= 0:
            why = "확정된 결연으로 정원이 모두 찼음"
        if why is not None:
            out.append(
                Explanation(
                    app.id,
                    code,
                    holders,
                    None,
                    False,
                    None,
                    FIRST_NOT_AVAILABLE,
                    f"1지망 시장({code})은 배정할 수 없습니다: {why}"
                    + (f" (보유: {', '.join(holders)})" if holders else ""),
                )
            )
            continue
        assert j is not None
        if many:
            forced = solve(
                applicants,
                markets,
                locks=(*locks, Lock(app.id, code)),
                exclusions=exclusions,
                neighbours=neighbours,
                priority=priority,
            )
            cost = result.objective.minus(forced.objective)
        else:
            k = component[i]  # (i, j) is an allowed pair, so i has arcs
            if k not in base:
                base[k] = objective_of(parts[k], optimise(parts[k]).asg)
            cost = base[k].minus(forced_objective(parts[k], i, j))
        rule = rule_for(cost)
        staff = (
            f"1지망 시장 {problem.markets[j].name}({code})은 {', '.join(holders) or '-'} 기관에 "
            f"배정되었습니다. 1지망에 강제 배정하면: {cost_text(cost)}"
        )
        if rule is not None:
            staff += f". {rule}"
        out.append(
            Explanation(
                app.id,
                code,
                holders,
                cost,
                rule is not None,
                rule,
                MISSED_FIRST if holders else FIRST_NOT_AVAILABLE,
                staff,
            )
        )
    return tuple(out)
