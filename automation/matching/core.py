"""The exact lexicographic optimum of L1..L5 and the set of *all* optimal assignments.

Per connected component of the allowed graph (the objective is a sum over components, so the
lexicographic optimum is the union of the components' optima), levels are solved in *chunks*:

1. Stack as many consecutive levels as fit into one integer value per arc: each level's weight
   exceeds the most the levels below it can add up to (bounded by the applicants *and* by the
   capacity of the markets concerned), with the stacked total at most ``LIMIT`` = 2**51, inside
   float64's exact integers (2**53) with room to spare. Measured on the synthetic Gyeonggi
   instances: capacity 1 takes L1..L5 in one solve up to 1,000 organisations; capacity 3 with
   600 organisations needs two (L1..L4, then L5); 20,000 organisations take L1..L3, then L4..L5.
2. Applicants with a single option left are fixed (they use up capacity) and markets left without
   room drop out; the rest is one max-weight capacitated assignment (:mod:`.solvers`): dense
   ``linear_sum_assignment`` when applicants × slots is small; otherwise column generation —
   solve on each applicant's best arcs, each market's best arcs and the previous optimum, price
   out all arcs, add those of negative reduced cost, repeat — with the primal-dual flow when the
   chunk has few distinct values (L1..L3) and the slot-replicated sparse matching otherwise.
3. :func:`prices` certifies the answer in exact int64 arithmetic: market prices from shortest
   paths over the markets (an applicant at market a that may use market b is an arc a→b of length
   v_a − v_b) and the applicants' surpluses form an optimal dual — no negative cycle, zero price
   on every market with room and on "unmatched". A failed certificate raises :class:`NotOptimal`.
4. By complementary slackness the optimal assignments are exactly those that use only arcs of
   zero reduced cost and fill every market with a positive price. Only those arcs stay *live*;
   markets that must stay full and applicants that must stay matched get a bonus level above the
   next chunk, which therefore optimises inside the optimal set of the previous ones.

The result is the optimal *face* (live arcs, must-full markets, may-be-unmatched applicants): its
feasible assignments are exactly the lexicographic optima. :mod:`.ties` picks one by the
published rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from automation.matching import absorb, solvers
from automation.matching.allowed import L5, LABEL, BoolArray, G, IntArray, P, Problem

LIMIT = 2**51
DENSE_CELLS = 3_000_000  # applicants × slots up to which the dense solver is used
PRUNE_K = 4  # column generation starts from each applicant's best arcs,
MARKET_K = 6  # each market's best MARKET_K × capacity arcs and the last optimum
MAX_PHASES = 40  # primal-dual phases before switching to the sparse matching
FLOW_VALUES = 64  # distinct arc values up to which the primal-dual flow is tried


class NotOptimal(RuntimeError):
    """The optimality certificate failed (a solver returned a non-optimal assignment)."""


@dataclass
class Face:
    """All lexicographically optimal assignments, and one of them (``asg``).

    ``live``: arcs (indices into the problem's arcs) usable in an optimal assignment;
    ``may_unmatch`` and ``asg`` (an arc index, -1 = unmatched) per applicant; ``full`` per market.
    """

    live: BoolArray
    may_unmatch: BoolArray
    full: BoolArray
    asg: IntArray
    stats: dict[str, object] = field(default_factory=dict)


def _level_ranges(lv: IntArray, app: IntArray, mkt: IntArray, cap: IntArray) -> list[int]:
    """An upper bound on each level's total over all feasible assignments of these arcs."""
    out = []
    for k in range(lv.shape[1]):
        pos = lv[:, k] > 0
        if not pos.any():
            out.append(0)
            continue
        slots = int(cap[np.bincount(mkt[pos], minlength=len(cap)) > 0].sum())
        best = _per_app_max(app[pos], lv[pos, k])
        best = np.sort(best)[::-1]
        out.append(min(len(best), slots) if int(best[0]) == 1 else int(best[:slots].sum()))
    return out


def _per_app_max(app: IntArray, values: IntArray) -> IntArray:
    """Largest value of each applicant present in ``app`` (sorted ascending)."""
    starts = np.flatnonzero(np.concatenate(([True], app[1:] != app[:-1])))
    out: IntArray = np.maximum.reduceat(values, starts)
    return out


def _distinct(x: IntArray) -> IntArray:
    s = np.sort(x)
    out: IntArray = s[np.concatenate(([True], s[1:] != s[:-1]))] if len(s) else s
    return out


def _plan(ranges: list[int], start: int, forced: int, limit: int = LIMIT) -> tuple[list[int], list[int]]:
    """Levels ``start..`` taken greedily, with their weights, so the stacked total stays <= limit.

    Returns (levels, weights) where weights[-1] is the bonus weight of the forced level.
    """
    best: tuple[list[int], list[int]] | None = None
    for end in range(start + 1, len(ranges) + 1):
        weights = [0] * (end - start)
        span = 0
        for pos in range(end - start - 1, -1, -1):
            weights[pos] = span + 1
            span += weights[pos] * ranges[start + pos]
        bonus = span + 1
        if span + bonus * forced > limit:
            break
        best = (list(range(start, end)), [*weights, bonus])
    if best is None:
        raise NotOptimal("a single level does not fit in exact float arithmetic")
    return best


def components(problem: Problem) -> list[tuple[IntArray, IntArray]]:
    """(applicants, arcs) of each connected component of the allowed graph, largest first."""
    n, nm = len(problem.apps), len(problem.markets)
    if not len(problem.arc_app):
        return []
    graph = coo_array((np.ones(len(problem.arc_app)), (problem.arc_app, n + problem.arc_mkt)), shape=(n + nm, n + nm))
    _, label = connected_components(graph, directed=False)
    arc_label = label[problem.arc_app]
    order = np.argsort(arc_label, kind="stable")
    cuts = np.flatnonzero(np.diff(arc_label[order])) + 1
    out = [(_distinct(problem.arc_app[arcs]), arcs) for arcs in np.split(order, cuts)]
    return sorted(out, key=lambda c: (-len(c[0]), int(c[0][0])))


def prices(
    nm: int, app: IntArray, mkt: IntArray, val: IntArray, cap: IntArray, asg: IntArray, may_unmatch: BoolArray
) -> tuple[IntArray, IntArray]:
    """Exact optimal market prices (index ``nm`` is "unmatched") and applicant surpluses of an
    assignment, or :class:`NotOptimal` when the assignment is not optimal."""
    u = nm
    matched = asg >= 0
    cur_node = np.where(matched, mkt[np.maximum(asg, 0)], u)
    cur_val = np.where(matched, val[np.maximum(asg, 0)], 0)
    occ = np.bincount(mkt[asg[matched]], minlength=nm)
    if (occ > cap).any():
        raise NotOptimal("capacity exceeded")
    if (~matched & ~may_unmatch).any():
        raise NotOptimal("an applicant that must be matched is not")
    mv = mkt != cur_node[app]
    out = matched & may_unmatch
    src = np.concatenate((cur_node[app[mv]], cur_node[out]))
    dst = np.concatenate((mkt[mv], np.full(int(out.sum()), u)))
    w = np.concatenate((cur_val[app[mv]] - val[mv], cur_val[out]))
    d = np.zeros(nm + 1, dtype=np.int64)
    if len(src):
        key = dst * (nm + 1) + src  # parallel arcs: keep the shortest
        order = np.lexsort((w, key))
        first = np.concatenate(([True], key[order][1:] != key[order][:-1]))
        src, dst, w = src[order][first], dst[order][first], w[order][first]
        starts = np.concatenate(([0], np.flatnonzero(dst[1:] != dst[:-1]) + 1))
        heads = dst[starts]
        for _ in range(nm + 2):  # Bellman-Ford rounds over the markets, from all at once
            new = np.minimum(d[heads], np.minimum.reduceat(d[src] + w, starts))
            if (new == d[heads]).all():
                break
            d[heads] = new
        else:
            raise NotOptimal("negative cycle: an improving exchange exists")
    price = -d
    if price[u] != 0 or (price[:nm][occ < cap] != 0).any():
        raise NotOptimal("a market with room (or 'unmatched') has a positive price")
    surplus = cur_val - price[cur_node]
    return price, surplus


def optimise(problem: Problem, *, dense_cells: int = DENSE_CELLS) -> Face:
    """The optimal face of L1..L5 for a built problem (locked applicants have no arcs)."""
    n, nm, na = len(problem.apps), len(problem.markets), len(problem.arc_app)
    face = Face(
        np.zeros(na, dtype=np.bool_),
        np.ones(n, dtype=np.bool_),
        np.zeros(nm, dtype=np.bool_),
        np.full(n, -1, dtype=np.int64),
    )
    solves: list[str] = []
    for apps, arcs in components(problem):
        _component(problem, apps, arcs, face, solves, dense_cells)
    face.stats["solves"] = solves
    return face


def _component(
    problem: Problem, apps: IntArray, arcs: IntArray, face: Face, solves: list[str], dense_cells: int
) -> None:
    mk = _distinct(problem.arc_mkt[arcs])
    local_app = np.zeros(len(problem.apps), dtype=np.int64)
    local_app[apps] = np.arange(len(apps))
    local_mkt = np.zeros(len(problem.markets), dtype=np.int64)
    local_mkt[mk] = np.arange(len(mk))
    la, lm = local_app[problem.arc_app[arcs]], local_mkt[problem.arc_mkt[arcs]]  # local numbers
    na, nm = len(apps), len(mk)
    cap = problem.cap[mk]
    # the levels in priority order; G and P only where an organisation wants several markets
    cols = [c for c in problem.order if c not in (G, P) or problem.arc_lv[arcs, c].any()]
    lv = problem.arc_lv[arcs][:, cols]
    score = problem.arc_lv[arcs, L5]
    depth = len(cols)
    live = np.ones(len(arcs), dtype=np.bool_)
    may_u = np.ones(na, dtype=np.bool_)
    full = np.zeros(nm, dtype=np.bool_)
    asg = np.full(na, -1, dtype=np.int64)
    level, limit = 0, LIMIT
    while level < depth:
        fixed, left = _fix_single(la, lm, live, may_u, cap, na)
        prev, asg = asg, np.where(fixed >= 0, fixed, -1)
        flex = (fixed < 0) & (np.bincount(la[live], minlength=na) > 0)
        ids = np.flatnonzero(live & flex[la])
        if not len(ids):
            break
        rows = np.flatnonzero(flex)
        local_row = np.cumsum(flex) - 1
        a, m, sub = local_row[la[ids]], lm[ids], lv[ids]
        mu = may_u[rows]
        forced = int((~mu).sum() + left[full].sum())
        levels, weights = _plan(_level_ranges(sub, a, m, left), level, forced, limit)
        val = sub[:, levels] @ np.array(weights[:-1], dtype=np.int64)
        val = val + weights[-1] * ((~mu[a]).astype(np.int64) + full[m])
        start = np.searchsorted(ids, prev[rows][prev[rows] >= 0])  # the last optimum: feasible here
        try:
            local, price, surplus, how = _solve(
                len(rows), nm, a, m, score[ids], val, left, mu, full, start, dense_cells
            )
        except NotOptimal:
            if len(levels) == 1:
                raise
            limit = int(val.max()) >> 16  # not exact after all (never seen): stack fewer levels
            asg = prev
            continue
        limit = LIMIT
        solves.append(
            f"{na} organisations ({len(rows)} not fixed, {len(ids)} arcs), "
            f"{LABEL[cols[levels[0]]]}..{LABEL[cols[levels[-1]]]}: {how}"
        )
        live[ids[surplus[a] - (val - price[m]) != 0]] = False
        may_u[rows] &= surplus == 0
        full |= price[:nm] > 0
        asg[rows] = np.where(local >= 0, ids[np.maximum(local, 0)], -1)
        level = levels[-1] + 1
    face.live[arcs[live]] = True
    face.may_unmatch[apps] = may_u
    face.full[mk[full]] = True
    face.asg[apps] = np.where(asg >= 0, arcs[np.maximum(asg, 0)], -1)


def _fix_single(
    la: IntArray, lm: IntArray, live: BoolArray, may_u: BoolArray, cap: IntArray, na: int
) -> tuple[IntArray, IntArray]:
    """Applicants whose only option is one live arc (fixed: arc index, else -1), and the room left.

    Arcs into markets that fixed applicants fill are never usable: they stop being live (in place).
    """
    fixed = np.full(na, -1, dtype=np.int64)
    while True:
        ids = np.flatnonzero(live)
        deg = np.bincount(la[ids], minlength=na)
        single = (deg == 1) & ~may_u & (fixed < 0)
        pick = ids[single[la[ids]]]
        fixed[la[pick]] = pick
        used = np.bincount(lm[fixed[fixed >= 0]], minlength=len(cap))
        left = cap - used
        dead = live & (left[lm] <= 0) & (fixed[la] < 0)
        if not dead.any():
            return fixed, left
        live &= ~dead


def _solve(
    na: int,
    nm: int,
    app: IntArray,
    mkt: IntArray,
    score: IntArray,
    val: IntArray,
    cap: IntArray,
    may_u: BoolArray,
    full: BoolArray,
    start: IntArray,
    dense_cells: int,
) -> tuple[IntArray, IntArray, IntArray, str]:
    slots = int(cap[np.bincount(mkt, minlength=len(cap)) > 0].sum())
    if na * slots <= dense_cells:
        asg = solvers.dense(na, app, mkt, val, cap)
        return (asg, *prices(nm, app, mkt, val, cap, asg, may_u), "linear_sum_assignment")
    used: list[str] = []
    few_values = len(_distinct(val)) <= FLOW_VALUES

    def solver(a: IntArray, m: IntArray, v: IntArray) -> IntArray:
        if few_values and (not used or used[-1] == "flow"):
            got = solvers.flow(na, nm, a, m, v, cap, may_u, max_phases=MAX_PHASES)
            if got is not None:
                used.append("flow")
                return got
        used.append("sparse")
        small = absorb.reduce(na, a, m, v, cap, full)
        if small is not None:
            kept, m_small, v_small, cap_small, blocks = small
            try:
                got = solvers.sparse(na, a[kept], m_small, v_small, cap_small, full)
                got = absorb.expand(got, kept, m_small, a, m, cap, blocks, na)
                prices(nm, a, m, v, cap, got, may_u)  # the seat blocks held an optimum
                used[-1] = "sparse (seat blocks)"
                return got
            except (NotOptimal, ValueError, KeyError):
                pass
        return solvers.sparse(na, a, m, v, cap, full)

    asg, price, surplus = _columns(na, nm, app, mkt, score, val, cap, may_u, start, solver)
    return asg, price, surplus, " + ".join(used)


def _columns(
    na: int,
    nm: int,
    app: IntArray,
    mkt: IntArray,
    score: IntArray,
    val: IntArray,
    cap: IntArray,
    may_u: BoolArray,
    start: IntArray,
    solver: Callable[[IntArray, IntArray, IntArray], IntArray],
) -> tuple[IntArray, IntArray, IntArray]:
    """Solve on each applicant's best ``PRUNE_K`` arcs, each market's best ``MARKET_K`` × capacity
    arcs and the arcs ``start`` (a feasible assignment), then price out every arc; add the arcs of negative reduced cost and repeat
    (column generation). The final prices certify the assignment optimal on *all* arcs."""
    _, rank_val = np.unique(val, return_inverse=True)
    goodness = rank_val * 4096 + score  # by value, then L5 (< 4096)
    span = 4096 * (int(rank_val.max()) + 1)

    def best(group: IntArray, groups: int, k: IntArray) -> IntArray:
        order = np.argsort(group * span - goodness)
        rank = np.arange(len(order)) - np.searchsorted(group[order], np.arange(groups))[group[order]]
        out: IntArray = order[rank < k[group[order]]]
        return out

    keep = np.zeros(len(app), dtype=np.bool_)
    keep[best(app, na, np.full(na, PRUNE_K))] = True
    keep[best(mkt, nm, MARKET_K * cap)] = True  # so that room anywhere is seen at once
    keep[start] = True
    sel = np.flatnonzero(keep)
    for _ in range(100):
        local = solver(app[sel], mkt[sel], val[sel])
        price, surplus = prices(nm, app[sel], mkt[sel], val[sel], cap, local, may_u)
        bad = np.flatnonzero(surplus[app] - (val - price[mkt]) < 0)
        if not len(bad):
            return np.where(local >= 0, sel[np.maximum(local, 0)], -1), price, surplus
        keep[bad] = True
        sel = np.flatnonzero(keep)
    raise NotOptimal("column generation did not converge")
