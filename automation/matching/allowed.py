"""The allowed set (docs/matching.md §Hard constraints) and the per-pair levels L1..L5, as arrays.

:func:`build` turns the plain inputs into a :class:`Problem`: applicants in published order
(``order``, then ``id``), markets by code, the capacity left after locks, and one *arc* per allowed
(applicant, market) pair carrying its five integer levels, distance and rank class.

A market is allowed for an applicant when it participates, the pair is not excluded, capacity is
left after locks, and one of: it is the applicant's 1st or 2nd choice; it lies in the wished 시군;
it lies in a 시군 that ``neighbours[wish]`` lists and is at most 40 km away; it is at most 10 km
away. Distances are haversine km from the applicant's (lat, lon) to the market's. Without a point
(either side) the distance is *unknown*: only the named choices and markets in the wished 시군 are
allowed, the pair gets no distance points, and the tie rule treats it as the farthest.
시군 names are compared as given: callers pass normalised names (``automation.geo.normalize_sigun``)
for markets, wishes and the ``neighbours`` map alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from automation.matching.model import (
    DISTANCE_POINTS,
    FIRST_PARTNER_BONUS,
    FIT,
    FIT_POINTS,
    NEAR_KM,
    NEIGHBOUR_KM,
    UNITS_PER_POINT,
    ZERO_POINTS_KM,
    Applicant,
    Exclusion,
    Lock,
    Market,
    Neighbours,
    Objective,
    Priority,
)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

FIRST, SECOND, CITY, NEAR = 0, 1, 2, 3  # rank classes of an arc

# Columns of ``Problem.arc_lv``: L1..L5 as in the policy, then two columns that only an organisation
# wanting several markets uses (:mod:`.capacity`): G (its stand-in structure holds) and P (places).
L1, L2, L3, L4, L5, G, P = range(7)
LEVELS = 7
#: the lexicographic order of the columns for each priority (G always first: it is structure)
ORDER: dict[Priority, tuple[int, ...]] = {
    "coverage": (G, L1, P, L2, L3, L4, L5),
    "wishes": (G, L2, L3, L1, P, L4, L5),
}
LABEL = {L1: "L1", L2: "L2", L3: "L3", L4: "L4", L5: "L5", G: "G", P: "P"}
EARTH_KM = 6371.0088  # as automation.geo.haversine_km


@dataclass
class Problem:
    apps: tuple[Applicant, ...]  # published order
    markets: tuple[Market, ...]  # by code
    app_index: dict[str, int]
    market_index: dict[str, int]
    cap: IntArray  # capacity left after locks
    locked: dict[int, int]  # applicant -> market, known applicants only
    arc_app: IntArray  # arcs sorted by (applicant, market)
    arc_mkt: IntArray
    arc_lv: IntArray  # (E, 5): L1..L5 of the pair
    arc_km: FloatArray  # nan: unknown
    arc_rank: npt.NDArray[np.int8]
    geo_ok: BoolArray  # applicant had an allowed market before capacity was counted
    order: tuple[int, ...] = ORDER["coverage"]  # columns of arc_lv, highest level first


def km_to(lat: float, lon: float, mlat: FloatArray, mlon: FloatArray) -> FloatArray:
    """Haversine km from one point to many (same formula and radius as ``geo.haversine_km``)."""
    p1, p2 = np.radians(lat), np.radians(mlat)
    dp, dl = p2 - p1, np.radians(mlon - lon)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out: FloatArray = 2 * EARTH_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    return out


def distance_units(km: FloatArray) -> IntArray:
    """Distance part of L5 in 0.01 points: 15 points at 0 km, linear to 0 at >= 30 km; 0 if unknown."""
    full = DISTANCE_POINTS * UNITS_PER_POINT
    frac = np.clip(1.0 - np.nan_to_num(km, nan=ZERO_POINTS_KM) / ZERO_POINTS_KM, 0.0, 1.0)
    out: IntArray = np.rint(full * frac).astype(np.int64)
    return out


def fit_mask(traits: frozenset[str], market: bool) -> int:
    side = 1 if market else 0
    return sum(1 << k for k, pair in enumerate(FIT) if pair[side] in traits)


_POPCOUNT = np.array([bin(k).count("1") for k in range(1 << len(FIT))], dtype=np.int64)


def _canonical(
    applicants: Iterable[Applicant], markets: Iterable[Market]
) -> tuple[tuple[Applicant, ...], tuple[Market, ...]]:
    apps = tuple(sorted(applicants, key=lambda a: (a.order, a.id)))
    mkts = tuple(sorted(markets, key=lambda m: m.code))
    for what, ids in (("applicant id", [a.id for a in apps]), ("market code", [m.code for m in mkts])):
        dup = [k for k, c in Counter(ids).items() if c > 1]
        if dup:
            raise ValueError(f"duplicate {what}: {sorted(dup)[:5]}")
    bad = [m.code for m in mkts if m.capacity < 0]
    if bad:
        raise ValueError(f"negative capacity: {bad[:5]}")
    return apps, mkts


@dataclass
class _Group:
    km: FloatArray  # to every market (nan: unknown)
    geo: BoolArray  # allowed by place (10 km, wished 시군, its neighbours within 40 km), participating
    idx: IntArray  # ... and with room left
    km_idx: FloatArray
    ok: bool


def _group(
    key: tuple[float | None, float | None, str | None],
    mlat: FloatArray,
    mlon: FloatArray,
    msig: IntArray,
    sig_id: dict[str | None, int],
    neighbours: Neighbours,
    participating: BoolArray,
    open_: BoolArray,
) -> _Group:
    lat, lon, wish = key
    km = km_to(lat, lon, mlat, mlon) if lat is not None and lon is not None else np.full(len(mlat), np.nan)
    far = np.nan_to_num(km, nan=np.inf)
    geo = far <= NEAR_KM
    if wish is not None:
        geo |= msig == sig_id.get(wish, -2)
        near_ids = [sig_id[s] for s in neighbours.get(wish, frozenset()) if s in sig_id]
        if near_ids:
            geo |= np.isin(msig, near_ids) & (far <= NEIGHBOUR_KM)
    geo &= participating
    idx = np.flatnonzero(geo & open_).astype(np.int64)
    return _Group(km, geo, idx, km[idx], bool(geo.any()))


def build(
    applicants: Iterable[Applicant],
    markets: Iterable[Market],
    *,
    locks: Iterable[Lock] = (),
    exclusions: Iterable[Exclusion] = (),
    neighbours: Neighbours | None = None,
    priority: Priority = "coverage",
) -> Problem:
    """The problem for organisations wanting one market each (several: :func:`.capacity.expand`)."""
    apps, mkts = _canonical(applicants, markets)
    neighbours = neighbours or {}
    app_index = {a.id: i for i, a in enumerate(apps)}
    market_index = {m.code: j for j, m in enumerate(mkts)}
    n = len(apps)

    cap = np.array([m.capacity for m in mkts], dtype=np.int64)
    locked: dict[int, int] = {}
    for lock in locks:
        j = market_index.get(lock.market_code)
        if j is None:
            raise ValueError(f"lock on an unknown market: {lock.market_code!r}")
        i = app_index.get(lock.app_id)
        if i is not None:
            if locked.get(i, j) != j:
                raise ValueError(f"applicant {lock.app_id!r} is locked to two markets")
            if i in locked:
                continue  # the same lock twice
            locked[i] = j
        cap[j] -= 1  # an unknown applicant's lock still holds its place
    cap = np.maximum(cap, 0)

    excluded: dict[int, set[int]] = {}
    for ex in exclusions:
        i, j = app_index.get(ex.app_id), market_index.get(ex.market_code)
        if i is not None and j is not None:
            excluded.setdefault(i, set()).add(j)

    mlat = np.array([np.nan if m.lat is None else m.lat for m in mkts], dtype=np.float64)
    mlon = np.array([np.nan if m.lon is None else m.lon for m in mkts], dtype=np.float64)
    sig_id: dict[str | None, int] = {None: -1}
    msig = np.array([sig_id.setdefault(m.sigun, len(sig_id)) for m in mkts], dtype=np.int64)
    participating = np.array([m.participating for m in mkts], dtype=np.bool_)
    open_ = participating & (cap > 0)
    mfit = np.array([fit_mask(m.traits, True) for m in mkts], dtype=np.int64)
    fresh = np.array([not m.had_partner for m in mkts], dtype=np.int64)

    # applicants at the same point with the same wish share their allowed set (as with area centres)
    groups: dict[tuple[float | None, float | None, str | None], _Group] = {}
    parts_m: list[IntArray] = []
    parts_km: list[FloatArray] = []
    lens = np.zeros(n, dtype=np.int64)
    geo_ok = np.zeros(n, dtype=np.bool_)
    for i, a in enumerate(apps):
        if i in locked:
            continue
        key = (a.lat, a.lon, a.wish_sigun) if a.lat is not None and a.lon is not None else (None, None, a.wish_sigun)
        g = groups.get(key)
        if g is None:
            g = groups[key] = _group(key, mlat, mlon, msig, sig_id, neighbours, participating, open_)
        idx, kms, ok = g.idx, g.km_idx, g.ok
        drop = excluded.get(i)
        named = [j for c in a.choices[:2] if (j := market_index.get(c)) is not None and participating[j]]
        extra = [j for j in named if not g.geo[j] and (not drop or j not in drop)]
        if drop and g.geo[sorted(drop)].any():  # an excluded pair among the place-allowed ones
            chosen = (set(idx.tolist()) | {j for j in extra if open_[j]}) - drop
            idx = np.array(sorted(chosen), dtype=np.int64)
            kms = g.km[idx]
            ok = bool(extra) or bool(set(np.flatnonzero(g.geo).tolist()) - drop)
        elif extra:  # named markets beyond the place rules
            ok = True
            add = [j for j in extra if open_[j]]
            if add:
                idx = np.sort(np.concatenate((idx, np.array(add, dtype=np.int64))))
                kms = g.km[idx]
        geo_ok[i] = ok
        lens[i] = len(idx)
        parts_m.append(idx)
        parts_km.append(kms)

    arc_app = np.repeat(np.arange(n, dtype=np.int64), lens)
    arc_mkt = np.concatenate(parts_m) if parts_m else np.zeros(0, dtype=np.int64)
    arc_km = np.concatenate(parts_km) if parts_km else np.zeros(0, dtype=np.float64)

    def per_app(values: list[int]) -> IntArray:
        return np.array(values, dtype=np.int64).reshape(n)

    first = per_app([market_index.get(a.choices[0], -1) if a.choices else -1 for a in apps])
    second = per_app([market_index.get(a.choices[1], -1) if len(a.choices) > 1 else -1 for a in apps])
    wish = per_app([sig_id.get(a.wish_sigun, -2) if a.wish_sigun is not None else -2 for a in apps])
    city_only = np.array([a.city_only for a in apps], dtype=np.bool_).reshape(n)
    afit = per_app([fit_mask(a.traits, False) for a in apps])

    is_first = arc_mkt == first[arc_app]
    is_second = (arc_mkt == second[arc_app]) & ~is_first
    in_city = msig[arc_mkt] == wish[arc_app]
    lv = np.zeros((len(arc_app), LEVELS), dtype=np.int64)
    lv[:, 0] = 1
    lv[:, 1] = is_first
    lv[:, 2] = is_second
    lv[:, 3] = in_city & city_only[arc_app]
    lv[:, 4] = (
        distance_units(arc_km)
        + FIT_POINTS * UNITS_PER_POINT * _POPCOUNT[afit[arc_app] & mfit[arc_mkt]]
        + FIRST_PARTNER_BONUS * UNITS_PER_POINT * fresh[arc_mkt]
    )
    rank = np.where(is_first, FIRST, np.where(is_second, SECOND, np.where(in_city, CITY, NEAR)))
    return Problem(
        apps,
        mkts,
        app_index,
        market_index,
        cap,
        locked,
        arc_app,
        arc_mkt,
        lv,
        arc_km,
        rank.astype(np.int8),
        geo_ok,
        ORDER[priority],
    )


def preference_keys(problem: Problem, arcs: IntArray) -> list[npt.NDArray[np.generic]]:
    """``np.lexsort`` keys ranking arcs best first: the pair's levels in priority order (not the
    structural G), then shorter distance (unknown = farthest), then market code (= market number)."""
    lv = problem.arc_lv[arcs]
    km = np.nan_to_num(problem.arc_km[arcs], nan=np.inf)
    levels = [-lv[:, c] for c in reversed(problem.order) if c != G]
    return [problem.arc_mkt[arcs], km, *levels]


def pair(app: Applicant, market: Market) -> tuple[Objective, float | None, int]:
    """Levels, km and rank class of one pair, whether or not it is allowed (for locked pairs)."""
    km: float | None = None
    if None not in (app.lat, app.lon, market.lat, market.lon):
        km = float(
            km_to(
                float(app.lat or 0),
                float(app.lon or 0),
                np.array([market.lat], dtype=np.float64),
                np.array([market.lon], dtype=np.float64),
            )[0]
        )
    first = bool(app.choices) and app.choices[0] == market.code
    second = not first and len(app.choices) > 1 and app.choices[1] == market.code
    in_city = app.wish_sigun is not None and market.sigun == app.wish_sigun
    units = int(distance_units(np.array([np.nan if km is None else km], dtype=np.float64))[0])
    units += FIT_POINTS * UNITS_PER_POINT * bin(fit_mask(app.traits, False) & fit_mask(market.traits, True)).count("1")
    units += FIRST_PARTNER_BONUS * UNITS_PER_POINT * (not market.had_partner)
    rank = FIRST if first else SECOND if second else CITY if in_city else NEAR
    return Objective(1, int(first), int(second), int(in_city and app.city_only), units, 1), km, rank


def arc_objective(problem: Problem, arcs: IntArray) -> Objective:
    """Sum of the levels of the given arcs (of organisations wanting one market: a place each)."""
    s = problem.arc_lv[arcs, :5].sum(axis=0) if len(arcs) else np.zeros(5, dtype=np.int64)
    v = [int(x) for x in s]
    return Objective(v[0], v[1], v[2], v[3], v[4], len(arcs))
