"""Seats whose occupants do not matter: a smaller matching for :func:`.solvers.sparse`.

An *absorber* is a market that must be full and whose arcs all carry one value — an organisation's
SPARE and OFF seats in :mod:`.capacity` once the earlier levels are fixed. A full absorber adds the
same value whoever sits in it, so only *how many* of each kind of applicant sit there matters. An
*absorbed* applicant has arcs into absorbers only (a stand-in whose real market is out of reach).

Take a connected group of absorbed applicants ``Q`` and the absorbers they reach, ``A``, where every
member reaches every seat of ``A`` (an organisation's stand-ins and its two seats). In some optimum
every member of ``Q`` sits in ``A`` (one left out can swap with any other applicant sitting there, at
the same value), so the other applicants fill exactly ``r = room(A) − |Q|`` seats of ``A`` (none when
``|Q|`` ≥ room). When one seat of ``A`` is reached by every other applicant that reaches ``A`` and
has room for ``r`` (the organisation's SPARE), any ``r`` of them fit there, so ``A`` becomes that one
seat with room ``r``, one arc per applicant, all of one value, and ``Q`` leaves the matching. The
answer is mapped back (the others to that seat, ``Q`` into the rest); the caller certifies it
(:func:`.core.prices`) and solves the whole chunk when that fails.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components

from automation.matching.allowed import BoolArray, IntArray


def _absorbed(app: IntArray, mkt: IntArray, val: IntArray, cap: IntArray, full: BoolArray, na: int) -> BoolArray:
    """Applicants whose every arc goes into an absorber."""
    nm = len(cap)
    low = np.full(nm, np.iinfo(np.int64).max, dtype=np.int64)
    high = np.full(nm, -1, dtype=np.int64)
    np.minimum.at(low, mkt, val)
    np.maximum.at(high, mkt, val)
    absorber = full & (low == high)
    out: BoolArray = (np.bincount(app[~absorber[mkt]], minlength=na) == 0) & (np.bincount(app, minlength=na) > 0)
    return out


def reduce(
    na: int, app: IntArray, mkt: IntArray, val: IntArray, cap: IntArray, full: BoolArray
) -> tuple[IntArray, IntArray, IntArray, IntArray, dict[int, tuple[list[int], list[int]]]] | None:
    """The smaller chunk (arc indices kept, their markets, values, capacities) and, per seat block
    (its first absorber), the block's absorbers and absorbed members; None when nothing reduces."""
    nm = len(cap)
    absorbed = _absorbed(app, mkt, val, cap, full, na)
    arcs = np.flatnonzero(absorbed[app])
    if not len(arcs):
        return None
    qa, qm = app[arcs], mkt[arcs]
    _, part = connected_components(
        csr_array((np.ones(len(arcs)), (qa, na + qm)), shape=(na + nm, na + nm)), directed=False
    )
    parts = part[na + qm]
    order = np.argsort(parts, kind="stable")
    others: dict[int, set[int]] = {}  # seat -> the other applicants that reach it
    into_seats = np.flatnonzero(~absorbed[app] & np.isin(mkt, qm))
    for i, j in zip(app[into_seats].tolist(), mkt[into_seats].tolist(), strict=True):
        others.setdefault(j, set()).add(i)
    blocks: dict[int, tuple[list[int], list[int]]] = {}
    new_cap = cap.copy()
    rep = np.arange(nm)  # seat -> the seat its block keeps
    bounds = np.flatnonzero(np.concatenate(([True], parts[order][1:] != parts[order][:-1], [True])))
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        group = order[lo:hi]
        members = sorted(set(qa[group].tolist()))
        seats = sorted(set(qm[group].tolist()))
        if len(group) != len(members) * len(seats):
            continue  # not every member reaches every seat
        left = max(0, int(cap[seats].sum()) - len(members))
        reaching = set().union(*(others.get(j, set()) for j in seats))
        # a seat every other applicant reaches, with room for all ``left`` of them
        keep_seat = next(
            (
                j
                for j in sorted(seats, key=lambda j: -int(cap[j]))
                if cap[j] >= left and reaching <= others.get(j, set())
            ),
            None,
        )
        if keep_seat is None:
            continue
        blocks[keep_seat] = (seats, members)
        new_cap[seats] = 0
        new_cap[keep_seat] = left
        rep[seats] = keep_seat
    if not blocks:
        return None
    gone = np.zeros(na, dtype=np.bool_)
    for _, members in blocks.values():
        gone[members] = True
    m2 = rep[mkt]
    keep = ~gone[app]
    # one arc per (applicant, seat block), all of one value: the block's total is fixed
    key = app * nm + m2
    first = np.zeros(len(app), dtype=np.bool_)
    idx = np.flatnonzero(keep)
    _, at = np.unique(key[idx], return_index=True)
    first[idx[at]] = True
    kept = np.flatnonzero(first)
    # one value per block (the highest of its seats'): the block's total is fixed, whoever sits
    in_block = np.zeros(nm, dtype=np.bool_)
    in_block[[s for seats, _ in blocks.values() for s in seats]] = True
    head_val = np.zeros(nm, dtype=np.int64)
    into = in_block[mkt]
    np.maximum.at(head_val, m2[into], val[into])
    block_val = np.where(into, head_val[m2], val)
    return kept, m2[kept], block_val[kept], new_cap, blocks


def expand(
    small: IntArray,
    kept: IntArray,
    m_small: IntArray,
    app: IntArray,
    mkt: IntArray,
    cap: IntArray,
    blocks: dict[int, tuple[list[int], list[int]]],
    na: int,
) -> IntArray:
    """The chunk's assignment (arc per applicant) from the smaller one's: each applicant the small
    matching put into a seat block goes to a seat of it that it reaches, the block's members fill the
    rest (``KeyError`` if that cannot be, which the caller treats as a failed reduction)."""
    asg = np.full(na, -1, dtype=np.int64)
    chosen = np.flatnonzero(small >= 0)
    arcs = kept[small[chosen]]
    heads = m_small[small[chosen]]
    in_block = np.isin(heads, list(blocks))
    asg[chosen[~in_block]] = arcs[~in_block]
    seats_all = [s for seats, _ in blocks.values() for s in seats]
    near = np.flatnonzero(np.isin(mkt, seats_all))
    by_pair = {(int(app[k]), int(mkt[k])): int(k) for k in near}
    room = cap.copy()
    for head, (seats, members) in blocks.items():
        for i in chosen[in_block & (heads == head)].tolist():
            asg[i] = by_pair[(i, head)]  # every other applicant of the block reaches its kept seat
            room[head] -= 1
        for i in members:
            free = next((s for s in seats if room[s] > 0), None)
            if free is None:
                break
            asg[i] = by_pair[(i, free)]
            room[free] -= 1
    return asg
