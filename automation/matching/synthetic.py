"""Synthetic, seeded matching instances for tests and benchmarks (no real organisations).

* :func:`gyeonggi` — markets scattered (σ ≈ 3 km) around the real 시군 centres of
  :mod:`automation.geo`, more in the cities with 구; organisations at their 구 or 시군 centre (as a
  caller fills them from addresses); real 시군 adjacency from :mod:`automation.geo.areas`.
* :func:`national` — the same model on any set of market points (e.g. the 1,388 markets of the
  national standard data, grouped by 시도+시군구), or on generated clusters; neighbours there are
  the regions whose centres lie within 30 km (an approximation of adjacency).

Demand is high-contention: 1st and 2nd choices are drawn with probability ∝ popularity (Zipf over
a random ranking) × exp(−km/6) among markets within 25 km, so a few markets attract many.
Mix: 75 % name choices (80 % of them a 2nd), 20 % city-only (own 시군, or a neighbour 1 in 5),
5 % neither; 2 % have no location; traits at random.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from automation.geo import CENTROIDS, GU, SIGUN
from automation.geo.areas import GU_CENTROIDS, NEIGHBOURS
from automation.matching.allowed import km_to
from automation.matching.model import FIT, Applicant, Market

APP_TRAITS = tuple(p[0] for p in FIT)
MARKET_TRAITS = tuple(p[1] for p in FIT)


@dataclass(frozen=True)
class Instance:
    applicants: tuple[Applicant, ...]
    markets: tuple[Market, ...]
    neighbours: Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class _Area:
    sigun: str  # the 시군 (region) name used for wishes and neighbours
    points: tuple[tuple[float, float], ...]  # where organisations of the area are placed
    weight: float


def _jitter(rng: np.random.Generator, lat: float, lon: float, sigma_km: float) -> tuple[float, float]:
    dlat, dlon = rng.normal(0.0, sigma_km, 2)
    return (round(lat + dlat / 111.0, 6), round(lon + dlon / (111.0 * math.cos(math.radians(lat))), 6))


def _traits(rng: np.random.Generator, names: Sequence[str], p: float) -> frozenset[str]:
    return frozenset(t for t in names if rng.random() < p)


def gyeonggi(n_orgs: int, *, capacity: int = 1, n_markets: int = 246, seed: int = 0) -> Instance:
    rng = np.random.default_rng(seed)
    areas = [_Area(s, tuple(GU_CENTROIDS[s, g] for g in GU[s]) or (CENTROIDS[s],), 1.0 + 2 * len(GU[s])) for s in SIGUN]
    weights = np.array([a.weight for a in areas])
    markets = []
    for k, ai in enumerate(rng.choice(len(areas), n_markets, p=weights / weights.sum())):
        area = areas[int(ai)]
        lat, lon = _jitter(rng, *area.points[int(rng.integers(len(area.points)))], 3.0)
        markets.append(
            Market(
                f"M{k:04d}",
                f"{area.sigun} 시장{k}",
                area.sigun,
                lat,
                lon,
                capacity,
                participating=rng.random() < 0.96,
                traits=_traits(rng, MARKET_TRAITS, 0.3),
                had_partner=rng.random() < 0.4,
            )
        )
    neighbours = {s: NEIGHBOURS.get(s, frozenset()) for s in SIGUN}
    return Instance(_organisations(rng, n_orgs, areas, markets, neighbours), tuple(markets), neighbours)


def national(
    n_orgs: int = 20_000,
    *,
    n_markets: int = 1_400,
    max_capacity: int = 15,
    seed: int = 0,
    points: Sequence[tuple[float, float, str]] | None = None,
) -> Instance:
    """``points``: (lat, lon, region) of real markets, reused with jitter up to ``n_markets``."""
    rng = np.random.default_rng(seed)
    if not points:
        centres = [(34.8 + 3.3 * rng.random(), 126.5 + 2.8 * rng.random()) for _ in range(30)]
        gen: list[tuple[float, float, str]] = []
        for r in range(250):
            c = centres[int(rng.integers(len(centres)))]
            lat, lon = _jitter(rng, c[0], c[1], 15.0)
            gen.extend((*_jitter(rng, lat, lon, 3.0), f"R{r:03d}") for _ in range(int(rng.integers(2, 10))))
        points = gen
    base = list(points)
    while len(base) < n_markets:
        lat, lon, region = base[int(rng.integers(len(points)))]
        base.append((*_jitter(rng, lat, lon, 1.0), region))
    chosen = [base[int(k)] for k in rng.choice(len(base), n_markets, replace=False)]
    by_region: dict[str, list[tuple[float, float]]] = {}
    for lat, lon, region in chosen:
        by_region.setdefault(region, []).append((lat, lon))
    centre = {
        r: (float(np.mean([p[0] for p in v])), float(np.mean([p[1] for p in v]))) for r, v in sorted(by_region.items())
    }
    areas = [_Area(r, (c,), float(len(by_region[r]))) for r, c in centre.items()]
    names = list(centre)
    lat_a = np.array([centre[r][0] for r in names])
    lon_a = np.array([centre[r][1] for r in names])
    neighbours = {
        r: frozenset(names[k] for k in np.flatnonzero(km_to(c[0], c[1], lat_a, lon_a) <= 30.0) if names[k] != r)
        for r, c in centre.items()
    }
    markets = [
        Market(
            f"N{k:05d}",
            f"{region} 시장{k}",
            region,
            lat,
            lon,
            int(rng.integers(1, max_capacity + 1)),
            participating=rng.random() < 0.96,
            traits=_traits(rng, MARKET_TRAITS, 0.3),
            had_partner=rng.random() < 0.4,
        )
        for k, (lat, lon, region) in enumerate(chosen)
    ]
    return Instance(_organisations(rng, n_orgs, areas, markets, neighbours), tuple(markets), neighbours)


def _organisations(
    rng: np.random.Generator,
    n: int,
    areas: Sequence[_Area],
    markets: Sequence[Market],
    neighbours: Mapping[str, frozenset[str]],
) -> tuple[Applicant, ...]:
    mlat = np.array([m.lat for m in markets], dtype=np.float64)
    mlon = np.array([m.lon for m in markets], dtype=np.float64)
    popularity = 1.0 / np.arange(1, len(markets) + 1) ** 1.0
    popularity = popularity[rng.permutation(len(markets))]
    weights = np.array([a.weight for a in areas])
    pick_area = rng.choice(len(areas), n, p=weights / weights.sum())
    cache: dict[tuple[float, float], tuple[np.ndarray, np.ndarray]] = {}
    out = []
    for k in range(n):
        area = areas[int(pick_area[k])]
        lat, lon = area.points[int(rng.integers(len(area.points)))]
        if (lat, lon) not in cache:
            km = km_to(lat, lon, mlat, mlon)
            near = np.flatnonzero(km <= 25.0)
            w = popularity[near] * np.exp(-km[near] / 6.0)
            cache[lat, lon] = (near, w / w.sum() if len(near) else w)
        near, w = cache[lat, lon]
        kind = rng.random()
        choices: tuple[str, ...] = ()
        wish: str | None = None
        if kind < 0.75 and len(near):
            size = 2 if rng.random() < 0.8 and len(near) > 1 else 1
            choices = tuple(markets[int(near[c])].code for c in rng.choice(len(near), size, replace=False, p=w))
        elif kind < 0.95:
            nb = sorted(neighbours.get(area.sigun, frozenset()))
            wish = nb[int(rng.integers(len(nb)))] if nb and rng.random() < 0.2 else area.sigun
        located = rng.random() >= 0.02
        day = int(rng.integers(0, 60))
        app_id = f"O{k:05d}"
        out.append(
            Applicant(
                app_id,
                (f"2024-{3 + day // 30:02d}-{1 + day % 30:02d}", app_id),
                choices,
                wish,
                lat if located else None,
                lon if located else None,
                area.sigun if located else None,
                _traits(rng, APP_TRAITS, 0.25),
            )
        )
    return tuple(out)
