"""Independent oracles for the matching engine (plain Python, written from MATCHING.md, sharing no
code with automation.matching beyond the dataclasses), and tests that the oracles agree with
hand-worked cases. Other test_matching_* modules import these."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence

import networkx as nx
import numpy as np
import pytest
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_bipartite_matching

from automation.geo import haversine_km
from automation.matching import Applicant, Exclusion, Lock, Market, MatchResult, Objective

Levels = tuple[int, int, int, int, int]
TRAIT_PAIRS = (
    ("onnuri", "onnuri"),
    ("mural", "idle_space"),
    ("sns", "culture_room"),
    ("online", "online_ready"),
    ("large_group", "large"),
)


def km(a: Applicant, m: Market) -> float | None:
    if a.lat is None or a.lon is None or m.lat is None or m.lon is None:
        return None
    return haversine_km(a.lat, a.lon, m.lat, m.lon)


def geo_allowed(a: Applicant, m: Market, neighbours: Mapping[str, frozenset[str]]) -> bool:
    """MATCHING.md §Hard constraints 4, ignoring capacity, participation and exclusions."""
    d = km(a, m)
    if m.code in a.choices[:2]:
        return True
    if a.wish_sigun is not None:
        if m.sigun == a.wish_sigun:
            return True
        if m.sigun in neighbours.get(a.wish_sigun, frozenset()) and d is not None and d <= 40.0:
            return True
    return d is not None and d <= 10.0


def levels(a: Applicant, m: Market) -> Levels:
    """L1..L5 of one pair; L5 in 0.01 points."""
    d = km(a, m)
    dist = 0 if d is None else round(1500 * max(0.0, 1.0 - d / 30.0))
    fit = 200 * sum(1 for mine, theirs in TRAIT_PAIRS if mine in a.traits and theirs in m.traits)
    first = bool(a.choices) and a.choices[0] == m.code
    second = not first and len(a.choices) > 1 and a.choices[1] == m.code
    city = not a.choices and a.wish_sigun is not None and m.sigun == a.wish_sigun
    return (1, int(first), int(second), int(city), dist + fit + (0 if m.had_partner else 100))


class Instance:
    """A small instance in plain Python form: who may go where, with how much room."""

    def __init__(
        self,
        apps: Sequence[Applicant],
        markets: Sequence[Market],
        locks: Iterable[Lock] = (),
        exclusions: Iterable[Exclusion] = (),
        neighbours: Mapping[str, frozenset[str]] | None = None,
    ):
        self.apps = sorted(apps, key=lambda a: (a.order, a.id))
        self.markets = sorted(markets, key=lambda m: m.code)
        self.by_code = {m.code: m for m in self.markets}
        self.neighbours = neighbours or {}
        self.locks = {lk.app_id: lk.market_code for lk in locks}
        known = {a.id for a in self.apps}
        self.room = {m.code: m.capacity for m in self.markets}
        for lk in locks:
            self.room[lk.market_code] -= 1
        self.room = {c: max(0, r) for c, r in self.room.items()}
        self.excluded = {(e.app_id, e.market_code) for e in exclusions}
        self.free = [a for a in self.apps if a.id not in self.locks]
        self.allowed = {
            a.id: [
                m.code
                for m in self.markets
                if m.participating
                and (a.id, m.code) not in self.excluded
                and self.room[m.code] > 0
                and geo_allowed(a, m, self.neighbours)
            ]
            for a in self.free
        }
        self.locked_levels = [
            levels(a, self.by_code[self.locks[a.id]]) for a in self.apps if a.id in self.locks and a.id in known
        ]

    def objective(self, assignment: Mapping[str, str]) -> Levels:
        total = [sum(col) for col in zip(*self.locked_levels, strict=True)] if self.locked_levels else [0] * 5
        for app_id, code in assignment.items():
            app = next(a for a in self.apps if a.id == app_id)
            for k, v in enumerate(levels(app, self.by_code[code])):
                total[k] += v
        return (total[0], total[1], total[2], total[3], total[4])

    def feasible(self) -> Iterable[dict[str, str]]:
        """Every assignment of the free applicants (brute force; tiny instances only)."""
        options = [[None, *self.allowed[a.id]] for a in self.free]
        for combo in itertools.product(*options):
            use: dict[str, int] = {}
            ok = True
            for code in combo:
                if code is not None:
                    use[code] = use.get(code, 0) + 1
                    ok &= use[code] <= self.room[code]
            if ok:
                yield {a.id: c for a, c in zip(self.free, combo, strict=True) if c is not None}

    def option_key(self, app: Applicant, code: str | None) -> tuple[object, ...]:
        """The published tie rule's preference of one applicant (smaller is better)."""
        if code is None:
            return (1,)
        d = km(app, self.by_code[code])
        return (0, *(-v for v in levels(app, self.by_code[code])), math.inf if d is None else d, code)


def brute_force(inst: Instance, force: tuple[str, str] | None = None) -> tuple[Levels, dict[str, str]]:
    """The optimum objective and the tie-broken assignment (serial dictatorship over all optima).

    ``force=(app, market)``: that applicant is locked to that market first (explain's re-solve).
    """
    if force is not None:
        inst = Instance(
            inst.apps,
            inst.markets,
            [*(Lock(a, c) for a, c in inst.locks.items()), Lock(*force)],
            [Exclusion(a, c) for a, c in inst.excluded],
            inst.neighbours,
        )
    every = list(inst.feasible())
    best = max(inst.objective(x) for x in every)
    optimal = [x for x in every if inst.objective(x) == best]
    for app in inst.free:
        top = min(inst.option_key(app, x.get(app.id)) for x in optimal)
        optimal = [x for x in optimal if inst.option_key(app, x.get(app.id)) == top]
    assert len(optimal) == 1
    return best, {**optimal[0], **{a: c for a, c in inst.locks.items() if a in {x.id for x in inst.apps}}}


def max_matching_size(inst: Instance) -> int:
    """Hopcroft–Karp on the allowed graph with each market replicated once per unit of room."""
    slots = [(code, k) for code in inst.room for k in range(inst.room[code])]
    col = {s: j for j, s in enumerate(slots)}
    rows, cols = [], []
    for i, a in enumerate(inst.free):
        for code in inst.allowed[a.id]:
            for k in range(inst.room[code]):
                rows.append(i)
                cols.append(col[code, k])
    if not rows:
        return 0
    graph = csr_array((np.ones(len(rows)), (rows, cols)), shape=(len(inst.free), len(slots)))
    match = maximum_bipartite_matching(graph, perm_type="column")
    return int((match >= 0).sum())


def networkx_objective(inst: Instance) -> Levels:
    """A second exact solver: networkx min-cost flow with the same lexicographic integer weights
    (Python integers, so the weights may be as large as needed)."""
    n = len(inst.free) + 1
    w5 = 1
    w4 = n * 2700 + 1
    w3 = n * (w4 + 2700) + 1
    w2 = n * (w3 + w4 + 2700) + 1
    w1 = n * (w2 + w3 + w4 + 2700) + 1
    g = nx.DiGraph()
    g.add_node("s", demand=-len(inst.free))
    g.add_node("t", demand=len(inst.free))
    for a in inst.free:
        g.add_edge("s", ("a", a.id), capacity=1, weight=0)
        g.add_edge(("a", a.id), "t", capacity=1, weight=0)  # unmatched
        for code in inst.allowed[a.id]:
            lv = levels(a, inst.by_code[code])
            value = w1 * lv[0] + w2 * lv[1] + w3 * lv[2] + w4 * lv[3] + w5 * lv[4]
            g.add_edge(("a", a.id), ("m", code), capacity=1, weight=-value)
    for code, room in inst.room.items():
        g.add_edge(("m", code), "t", capacity=room, weight=0)
    flow = nx.min_cost_flow(g)
    assignment = {
        a.id: code for a in inst.free for code in inst.allowed[a.id] if flow[("a", a.id)].get(("m", code), 0) > 0
    }
    return inst.objective(assignment)


def violations(result: MatchResult, inst: Instance) -> list[str]:
    """Capacity, locks, exclusions, allowed set and participation, checked from scratch."""
    out = []
    got = {a.app_id: a.market_code for a in result.assignments}
    if len(got) != len(result.assignments):
        out.append("an applicant assigned twice")
    for app_id, code in inst.locks.items():
        if app_id in {a.id for a in inst.apps} and got.get(app_id) != code:
            out.append(f"lock {app_id}->{code} moved")
    use: dict[str, int] = {}
    for app_id, code in got.items():
        if app_id in inst.locks:
            continue
        use[code] = use.get(code, 0) + 1
        if (app_id, code) in inst.excluded:
            out.append(f"excluded pair {app_id}->{code}")
        if code not in inst.allowed.get(app_id, []):
            out.append(f"not allowed {app_id}->{code}")
        if not inst.by_code[code].participating:
            out.append(f"market {code} does not participate")
    out.extend(f"capacity of {code} exceeded" for code, k in use.items() if k > inst.room[code])
    ids = {a.id for a in inst.apps}
    listed = [a.app_id for a in result.assignments] + [u.app_id for u in result.unmatched]
    if sorted(listed) != sorted(ids):
        out.append("applicants lost or duplicated in the result")
    return out


def as_levels(obj: Objective) -> Levels:
    return (obj.matched, obj.first, obj.second, obj.city, obj.score_units)


# --- the oracles themselves -------------------------------------------------------------------

HANAM, GURI = (37.539, 127.214), (37.599, 127.130)


def _m(code: str, sigun: str, at: tuple[float, float] | None, cap: int = 1, **kw: object) -> Market:
    lat, lon = at if at else (None, None)
    return Market(code, code, sigun, lat, lon, cap, **kw)  # type: ignore[arg-type]


def test_oracle_levels_and_allowed() -> None:
    a = Applicant("a", ("1",), ("M1",), None, *HANAM, "하남시", frozenset({"onnuri", "mural"}))
    m = _m("M1", "하남시", HANAM, traits=frozenset({"onnuri", "idle_space"}), had_partner=False)
    assert levels(a, m) == (1, 1, 0, 0, 1500 + 400 + 100)
    far = _m("M2", "구리시", (37.9, 127.5))
    assert not geo_allowed(a, far, {}) and geo_allowed(a, _m("M3", "x", (37.54, 127.22)), {})
    city = Applicant("c", ("2",), (), "하남시", None, None, None)
    assert geo_allowed(city, _m("M4", "하남시", None), {})
    assert not geo_allowed(city, _m("M5", "구리시", GURI), {"하남시": frozenset({"구리시"})})  # no point


def test_oracle_brute_force_tie_rule() -> None:
    # two identical applicants, one market: the earlier one gets it, whatever the ids say
    ms = [_m("M1", "s", HANAM)]
    early = Applicant("z", ("2024-01-01", "z"), ("M1",), None, *HANAM, "s")
    late = Applicant("a", ("2024-01-02", "a"), ("M1",), None, *HANAM, "s")
    inst = Instance([late, early], ms)
    best, chosen = brute_force(inst)
    assert chosen == {"z": "M1"} and best[0] == 1
    assert max_matching_size(inst) == 1
    assert networkx_objective(inst) == best


@pytest.mark.parametrize("cap", [0, 1, 2], ids=lambda c: f"capacity-{c}")
def test_oracle_max_matching_counts_capacity(cap: int) -> None:
    ms = [_m("M1", "s", HANAM, cap)]
    apps = [Applicant(f"a{k}", (str(k),), ("M1",), None, *HANAM, "s") for k in range(3)]
    assert max_matching_size(Instance(apps, ms)) == cap
