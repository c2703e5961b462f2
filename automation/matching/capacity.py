"""Organisations that want several markets (희망시장수 above one), on the same engine.

:func:`expand` rewrites such an organisation as *stand-ins*, one per market allowed to it, so that
the engine's "each applicant takes at most one market" still holds, the organisation never gets the
same market twice, and the levels of docs/matching.md keep their meaning. For an organisation
wanting ``w`` more markets with ``d`` allowed (``w' = min(w, d)``), each stand-in either takes its
market (the real arc), or goes to one of two markets of the organisation alone:

* SPARE (room ``d - w'``): filling it scores the structural level G, above every other level, so
  SPARE is always full and at most ``w'`` stand-ins take a real market;
* OFF (room ``w' - 1``, or ``w'`` once the organisation has a confirmed market).

Every placed stand-in (real, SPARE or OFF) scores 1 on L1, so the organisation's L1 is a constant
plus 1 exactly when at least one stand-in takes a real market (otherwise one must stay unplaced):
L1 still counts *organisations* matched. Each real arc scores 1 on P (places; so does every arc of
an organisation wanting one market) and the pair's own L2..L5, so after L1 the engine gives organisations as many of their wanted markets as it can
(coverage first: a sixth organisation matched beats a fifth market for one that has four).

Confirmed (locked) pairs of such an organisation hold their market's place as *ghost locks* and
exclude the pair, so it is never proposed twice. Stand-ins are listed in the organisation's
published place, best market first (the pair's levels, distance, code), so the tie rule serves the
organisation's markets best first. :func:`collapse` maps an assignment back to (organisation,
market) pairs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from automation.matching.allowed import L1, LEVELS, NEAR, FloatArray, G, IntArray, P, Problem, build, preference_keys
from automation.matching.model import Applicant, Exclusion, Lock, Market, Neighbours, Priority

GHOST = "\x00"  # prefix of the ids the engine makes up (never a real sheet id)


@dataclass
class Expanded:
    """The stand-in problem, and how to read its answer back."""

    problem: Problem  # stand-ins and pseudo-markets
    base: Problem  # the organisations as given (their multi-market locks as ghosts)
    owner: IntArray  # stand-in -> organisation (index into base.apps)
    real_markets: int  # markets [0, real_markets) are real; the rest are SPARE/OFF
    held: dict[int, tuple[int, ...]]  # organisation -> its locked markets (several-market ones)


def split_locks(
    applicants: Iterable[Applicant], locks: Iterable[Lock], exclusions: Iterable[Exclusion]
) -> tuple[tuple[Applicant, ...], tuple[Lock, ...], tuple[Exclusion, ...], dict[str, tuple[str, ...]]]:
    """Locks of organisations wanting several markets become ghost locks plus exclusions."""
    apps = tuple(applicants)
    many = {a.id for a in apps if a.wants > 1}
    plain: list[Lock] = []
    extra: list[Exclusion] = list(exclusions)
    held: dict[str, list[str]] = {}
    for lock in dict.fromkeys(locks):  # the same lock twice counts once
        if lock.app_id in many:
            held.setdefault(lock.app_id, []).append(lock.market_code)
            plain.append(Lock(f"{GHOST}{lock.app_id}{GHOST}{lock.market_code}", lock.market_code))
            extra.append(Exclusion(lock.app_id, lock.market_code))
        else:
            plain.append(lock)
    return apps, tuple(plain), tuple(extra), {k: tuple(sorted(v)) for k, v in held.items()}


def expand(
    applicants: Iterable[Applicant],
    markets: Iterable[Market],
    *,
    locks: Iterable[Lock] = (),
    exclusions: Iterable[Exclusion] = (),
    neighbours: Neighbours | None = None,
    priority: Priority = "coverage",
) -> Expanded:
    apps, plain, extra, held_codes = split_locks(applicants, locks, exclusions)
    base = build(apps, markets, locks=plain, exclusions=extra, neighbours=neighbours, priority=priority)
    held = {base.app_index[k]: tuple(base.market_index[c] for c in v) for k, v in held_codes.items()}
    nm = len(base.markets)
    starts = np.searchsorted(base.arc_app, np.arange(len(base.apps) + 1))
    new_apps: list[Applicant] = []
    owner: list[int] = []
    caps: list[int] = []
    pseudo: list[Market] = []
    parts: list[_Arcs] = []
    locked: dict[int, int] = {}
    geo_ok: list[bool] = []

    def add_market(code: str, room: int) -> int:
        pseudo.append(Market(f"{GHOST}{code}", "", None, None, None, capacity=room, participating=True))
        caps.append(room)
        return nm + len(pseudo) - 1

    for i, app in enumerate(base.apps):
        arcs = np.arange(starts[i], starts[i + 1])
        if i in base.locked or app.wants <= 1:
            k = len(new_apps)
            new_apps.append(app)
            owner.append(i)
            geo_ok.append(bool(base.geo_ok[i]))
            if i in base.locked:
                locked[k] = base.locked[i]
            else:
                parts.append(_same(k, arcs, base))
            continue
        had = len(held.get(i, ()))
        want = min(app.wants - had, len(arcs))
        if want <= 0:  # every wanted market confirmed, or none allowed: no stand-ins
            if not had:
                new_apps.append(app)  # stays as itself: unmatched, with its reason
                owner.append(i)
                geo_ok.append(bool(base.geo_ok[i]))
            continue
        spare = add_market(f"spare{GHOST}{app.id}", len(arcs) - want) if len(arcs) > want else -1
        room_off = want if had else want - 1
        off = add_market(f"off{GHOST}{app.id}", room_off) if room_off > 0 else -1
        best = _best_first(arcs, base)
        parts.append(_stand_ins(len(new_apps), best, base, spare, off))
        for j in base.arc_mkt[best].tolist():
            new_apps.append(Applicant(f"{app.id}{GHOST}{base.markets[j].code}", app.order, app.choices))
            owner.append(i)
            geo_ok.append(True)
    mkts = base.markets + tuple(pseudo)
    cap = np.concatenate((base.cap, np.array(caps, dtype=np.int64)))
    parts = parts or [_EMPTY]
    a: IntArray = np.concatenate([p[0] for p in parts])
    m: IntArray = np.concatenate([p[1] for p in parts])
    lv: IntArray = np.concatenate([p[2] for p in parts])
    km: FloatArray = np.concatenate([p[3] for p in parts])
    rank: IntArray = np.concatenate([p[4] for p in parts])
    problem = Problem(
        tuple(new_apps),
        mkts,
        {x.id: k for k, x in enumerate(new_apps)},
        {x.code: j for j, x in enumerate(mkts)},
        cap,
        locked,
        a,
        m,
        lv.reshape(-1, LEVELS),
        km.astype(np.float64),
        rank.astype(np.int8),
        np.array(geo_ok, dtype=np.bool_),
        base.order,
    )
    return Expanded(problem, base, np.array(owner, dtype=np.int64), nm, held)


_Arcs = tuple[IntArray, IntArray, IntArray, FloatArray, IntArray]
_EMPTY: _Arcs = (
    np.zeros(0, dtype=np.int64),
    np.zeros(0, dtype=np.int64),
    np.zeros((0, LEVELS), dtype=np.int64),
    np.zeros(0, dtype=np.float64),
    np.zeros(0, dtype=np.int64),
)


def _same(k: int, arcs: IntArray, base: Problem) -> _Arcs:
    """An organisation wanting one market keeps its arcs; each is a place (P)."""
    lv = base.arc_lv[arcs].copy()
    lv[:, P] = 1
    return (
        np.full(len(arcs), k, dtype=np.int64),
        base.arc_mkt[arcs],
        lv,
        base.arc_km[arcs],
        base.arc_rank[arcs].astype(np.int64),
    )


def _stand_ins(k0: int, arcs: IntArray, base: Problem, spare: int, off: int) -> _Arcs:
    """Stand-ins ``k0, k0+1, …`` for the given arcs; each one's arcs by market number: its real
    market, then SPARE, then OFF (pseudo-markets are numbered after the real ones, SPARE first)."""
    d = len(arcs)
    pseudo = [j for j in (spare, off) if j >= 0]
    width = 1 + len(pseudo)
    real = base.arc_lv[arcs].copy()
    real[:, P] = 1
    lv = np.zeros((d, width, LEVELS), dtype=np.int64)
    lv[:, 0] = real
    lv[:, 1:, L1] = 1
    if spare >= 0:
        lv[:, 1, G] = 1
    mkt = np.empty((d, width), dtype=np.int64)
    mkt[:, 0] = base.arc_mkt[arcs]
    mkt[:, 1:] = pseudo
    km = np.full((d, width), np.nan)
    km[:, 0] = base.arc_km[arcs]
    rank = np.full((d, width), NEAR, dtype=np.int64)
    rank[:, 0] = base.arc_rank[arcs]
    return (
        np.repeat(np.arange(k0, k0 + d, dtype=np.int64), width),
        mkt.reshape(-1),
        lv.reshape(-1, LEVELS),
        km.reshape(-1),
        rank.reshape(-1),
    )


def _best_first(arcs: IntArray, base: Problem) -> IntArray:
    """An organisation's arcs, best pair first (the tie rule's order)."""
    out: IntArray = arcs[np.lexsort(preference_keys(base, arcs))]
    return out


def collapse(ex: Expanded, asg: IntArray) -> dict[int, list[int]]:
    """Organisation (index into ``ex.base.apps``) -> its proposed markets (not locked), best first."""
    out: dict[int, list[int]] = {}
    problem = ex.problem
    for k in np.flatnonzero(asg >= 0).tolist():
        j = int(problem.arc_mkt[asg[k]])
        if j < ex.real_markets:
            out.setdefault(int(ex.owner[k]), []).append(j)
    return out
