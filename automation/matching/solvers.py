"""Max-weight capacitated assignment of one chunk: three interchangeable exact solvers.

All take arcs (applicant, market, integer value >= 0) of ``na`` applicants and ``nm`` markets with
capacities, and return the chosen arc per applicant (-1 = unmatched). Values stay <= 2**51, so
the float64 arithmetic inside scipy is exact; :func:`automation.matching.core.prices` certifies
every answer anyway.

* :func:`dense` — ``linear_sum_assignment`` on applicants × capacity slots (only the markets of
  this component); milliseconds at Gyeonggi sizes.
* :func:`flow` — primal-dual min-cost flow (source → applicant → market → sink, plus an
  "unmatched" node): Dijkstra on reduced costs (``scipy.sparse.csgraph.dijkstra``), then a
  maximum flow (``maximum_flow``, Dinic) on the zero-reduced-cost arcs, repeated. Capacities stay
  on the market → sink arcs, so nothing is replicated; the number of phases is the number of
  distinct shortest-path lengths, small when the chunk has few distinct values (L1..L3).
  Returns None when ``max_phases`` is exceeded.
* :func:`sparse` — ``min_weight_full_bipartite_matching`` with one row per capacity unit and one
  column per applicant plus an "empty" column per slot (the fallback for chunks with many
  distinct values; slots are replicated, so :mod:`.core` runs it on pruned arcs).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_array
from scipy.sparse.csgraph import (
    dijkstra,
    maximum_flow,
    min_weight_full_bipartite_matching,
)

from automation.matching.allowed import BoolArray, IntArray


def _slots(mkt: IntArray, cap: IntArray) -> tuple[IntArray, IntArray, int]:
    """Each arc repeated once per unit of its market's capacity: (arc, slot column, #slots)."""
    off = np.concatenate(([0], np.cumsum(cap)))
    reps = cap[mkt]
    arc = np.repeat(np.arange(len(mkt)), reps)
    within = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    return arc, off[mkt][arc] + within, int(off[-1])


def _stair_slots(mkt: IntArray, cap: IntArray) -> tuple[IntArray, IntArray, int]:
    """Like :func:`_slots`, but each arc reaches only the slots an optimal assignment needs: a
    market's slots are identical, so when ``n`` arcs reach a market of capacity ``c`` (in a fixed
    order, the arc at position ``p``) any choice of at most ``c`` of them can be laid into slots in
    increasing order with slot ``max(p - (n - c), t)`` for the ``t``-th chosen arc, which lies in
    ``[max(0, p - max(0, n - c)), min(p, c - 1)]``. Each arc gets at most ``min(c, n - c + 1)``
    slots instead of ``c``: a market nearly as large as its demand (an organisation's SPARE in
    :mod:`.capacity`) costs a few slots per arc, not ``c``."""
    nm = len(cap)
    order = np.lexsort((np.arange(len(mkt)), mkt))
    n = np.bincount(mkt, minlength=nm)
    first = np.concatenate(([0], np.cumsum(n)[:-1]))
    pos = np.empty(len(mkt), dtype=np.int64)
    pos[order] = np.arange(len(mkt)) - first[mkt[order]]
    c = cap[mkt]
    lo = np.maximum(0, pos - np.maximum(0, n[mkt] - c))
    hi = np.minimum(pos, c - 1)
    reps = np.maximum(hi - lo + 1, 0)
    arc = np.repeat(np.arange(len(mkt)), reps)
    within = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    off = np.concatenate(([0], np.cumsum(cap)))
    return arc, off[mkt][arc] + lo[arc] + within, int(off[-1])


def dense(na: int, app: IntArray, mkt: IntArray, val: IntArray, cap: IntArray) -> IntArray:
    arc, col, nslots = _slots(mkt, cap)
    weight = np.zeros((na, nslots), dtype=np.float64)
    arc_of = np.full((na, nslots), -1, dtype=np.int64)
    weight[app[arc], col] = val[arc]
    arc_of[app[arc], col] = arc
    r, c = linear_sum_assignment(weight, maximize=True)
    asg = np.full(na, -1, dtype=np.int64)
    picked = arc_of[r, c]
    asg[r[picked >= 0]] = picked[picked >= 0]
    return asg


def sparse(na: int, app: IntArray, mkt: IntArray, val: IntArray, cap: IntArray, full: BoolArray) -> IntArray:
    """min_weight_full_bipartite_matching with rows = capacity slots (fewer than applicants when
    demand is high) and columns = applicants plus a "left empty" column for each slot of a market
    that optimal assignments need not fill (``full`` marks those they must fill); each arc reaches
    only the slots of :func:`_stair_slots`."""
    arc, row, nslots = _stair_slots(mkt, cap)
    k = float(val.max()) + 1.0  # costs k - value >= 1: no explicit zeros
    may_empty = np.flatnonzero(~np.repeat(full, cap))
    rows = np.concatenate((row, may_empty))
    cols = np.concatenate((app[arc], na + np.arange(len(may_empty))))
    cost = np.concatenate((k - val[arc].astype(np.float64), np.full(len(may_empty), k)))
    r, c = min_weight_full_bipartite_matching(csr_array((cost, (rows, cols)), shape=(nslots, na + len(may_empty))))
    real = c < na
    slot_mkt = np.repeat(np.arange(len(cap)), cap)
    key = app * len(cap) + mkt  # the applicant's arc into the slot's market
    order = np.argsort(key)
    asg = np.full(na, -1, dtype=np.int64)
    asg[c[real]] = order[np.searchsorted(key[order], c[real] * len(cap) + slot_mkt[r[real]])]
    return asg


def flow(
    na: int,
    nm: int,
    app: IntArray,
    mkt: IntArray,
    val: IntArray,
    cap: IntArray,
    may_unmatch: BoolArray,
    max_phases: int = 60,
) -> IntArray | None:
    src, a0, m0 = 0, 1, 1 + na
    unm, sink = m0 + nm, m0 + nm + 1
    nodes = sink + 1
    best = np.zeros(na, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], app[1:] != app[:-1])))
    best[app[starts]] = np.maximum.reduceat(val, starts)  # arcs come sorted by applicant
    du = np.flatnonzero(may_unmatch)
    # arcs: source→applicant, applicant→market, applicant→unmatched, market→sink, unmatched→sink;
    # costs shifted per applicant (best - value >= 0) so that zero potentials start feasible
    tail = np.concatenate((np.full(na, src), a0 + app, a0 + du, m0 + np.arange(nm), [unm]))
    head = np.concatenate((a0 + np.arange(na), m0 + mkt, np.full(len(du), unm), np.full(nm, sink), [sink]))
    cost = np.concatenate(
        (np.zeros(na, dtype=np.int64), best[app] - val, best[du], np.zeros(nm, dtype=np.int64), [0])
    ).astype(np.float64)
    capa = np.concatenate((np.ones(na + len(app) + len(du), dtype=np.int64), cap, [na]))
    x = np.zeros(len(tail), dtype=np.int64)
    pot = np.zeros(nodes, dtype=np.float64)
    sent = 0
    for _ in range(max_phases):
        if sent == na:
            break
        fw, bw = x < capa, x > 0
        rc = cost + pot[tail] - pot[head]
        graph = csr_array(
            (
                np.concatenate((rc[fw], -rc[bw])),
                (np.concatenate((tail[fw], head[bw])), np.concatenate((head[fw], tail[bw]))),
            ),
            shape=(nodes, nodes),
        )
        dist = dijkstra(graph, indices=src)
        if not np.isfinite(dist[sink]):
            raise ValueError("no full assignment (an applicant that must be matched cannot be)")
        pot += np.minimum(dist, dist[sink])
        rc = cost + pot[tail] - pot[head]
        af, ab = np.flatnonzero(fw & (rc == 0)), np.flatnonzero(bw & (rc == 0))
        t = np.concatenate((tail[af], head[ab]))
        h = np.concatenate((head[af], tail[ab]))
        room = np.concatenate(((capa - x)[af], x[ab])).astype(np.int32)
        res = maximum_flow(csr_array((room, (t, h)), shape=(nodes, nodes)), src, sink, method="dinic")
        pushed = np.maximum(np.asarray(res.flow[t, h]).ravel(), 0).astype(np.int64)
        x[af] += pushed[: len(af)]
        x[ab] -= pushed[len(af) :]
        sent += int(res.flow_value)
    if sent < na:
        return None
    asg = np.full(na, -1, dtype=np.int64)
    used = np.flatnonzero(x[na : na + len(app)] > 0)
    asg[app[used]] = used
    return asg
