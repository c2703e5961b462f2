"""Organisations wanting several markets (희망시장수) and the two priorities, on the pure engine.

The programme's shapes (1:1; one organisation with five markets, as LG전자 베스트샵 at the first
ceremony; three organisations at one market; two with two) under both priorities; brute force on
tiny instances (hypothesis); a networkx min-cost-flow cross-check at Gyeonggi scale; invariance
under shuffled input; locks of a several-market organisation.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from automation.matching import Applicant, Lock, Market, MatchResult, Objective, absorb, solve, ties
from automation.matching.allowed import pair
from automation.matching.capacity import expand
from automation.matching.model import Neighbours, Priority
from automation.matching.synthetic import gyeonggi

PRIORITIES: tuple[Priority, ...] = ("coverage", "wishes")


def _market(code: str, k: int, capacity: int = 1, sigun: str = "수원시") -> Market:
    return Market(code, f"{code}시장", sigun, 37.26 + 0.01 * k, 127.0, capacity=capacity)


def _org(oid: str, order: str, choices: tuple[str, ...] = (), wants: int = 1) -> Applicant:
    return Applicant(oid, (order,), choices, "수원시", 37.26, 127.0, "수원시", wants=wants)


def _pairs(result: MatchResult) -> set[tuple[str, str]]:
    return {(a.app_id, a.market_code) for a in result.assignments}


def _markets_of(result: MatchResult, oid: str) -> list[str]:
    return sorted(a.market_code for a in result.assignments if a.app_id == oid)


SHAPES = {
    "1:1": ([_org("a", "1", ("M0",))], [_market("M0", 0)], {"a": ["M0"]}),
    "1org-5markets": (
        [_org("lg", "1", ("M0", "M1"), wants=5)],
        [_market(f"M{k}", k, capacity=2) for k in range(6)],
        {"lg": ["M0", "M1", "M2", "M3", "M4"]},
    ),
    "3orgs-1market": (
        [_org(x, str(k), ("M0",)) for k, x in enumerate("abc")],
        [_market("M0", 0, capacity=3)],
        {"a": ["M0"], "b": ["M0"], "c": ["M0"]},
    ),
    "2orgs-2markets": (
        [_org("a", "1", ("M0", "M1"), wants=2), _org("b", "2", ("M1", "M0"), wants=2)],
        [_market("M0", 0, capacity=2), _market("M1", 1, capacity=2)],
        {"a": ["M0", "M1"], "b": ["M0", "M1"]},
    ),
}


@pytest.mark.parametrize("priority", PRIORITIES)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_the_programme_shapes(shape: str, priority: Priority) -> None:
    apps, markets, expected = SHAPES[shape]
    result = solve(apps, markets, priority=priority)
    assert {a.id: _markets_of(result, a.id) for a in apps} == expected
    assert not result.unmatched and not result.short


def test_a_five_market_organisation_is_short_when_only_four_are_allowed() -> None:
    result = solve([_org("lg", "1", wants=5)], [_market(f"M{k}", k, capacity=3) for k in range(4)])
    assert _markets_of(result, "lg") == ["M0", "M1", "M2", "M3"]
    assert result.short == {"lg": 1}
    assert result.objective.matched == 1 and result.objective.places == 4


def test_coverage_first_matches_another_organisation_before_a_second_market() -> None:
    """L1 counts organisations: the later one gets a market before the first gets its second."""
    markets = [_market("M0", 0), _market("M1", 1)]
    apps = [_org("lg", "1", ("M0", "M1"), wants=2), _org("b", "2", ("M1",))]
    coverage = solve(apps, markets)
    assert _pairs(coverage) == {("lg", "M0"), ("b", "M1")} and coverage.short == {"lg": 1}
    # wishes first: b's 1st choice outweighs lg's 2nd choice, so the same answer here
    assert _pairs(solve(apps, markets, priority="wishes")) == _pairs(coverage)


def test_wishes_first_has_no_justified_envy_where_coverage_has_one() -> None:
    """Coverage moves the earlier applicant off its 1st choice to match one more organisation (a
    later one that did not rank M0 first); wishes first keeps the 1st choice."""
    m0 = _market("M0", 0)
    m1 = replace(_market("M1", 1), sigun="화성시", lat=37.26, lon=127.3)  # far, only a's 2nd choice
    a = _org("a", "1", ("M0", "M1"))
    b = _org("b", "2")  # named no market: only 수원시's M0 is allowed to it
    coverage = solve([a, b], [m0, m1])
    wishes = solve([a, b], [m0, m1], priority="wishes")
    assert _pairs(coverage) == {("a", "M1"), ("b", "M0")}
    assert _pairs(wishes) == {("a", "M0")} and [u.app_id for u in wishes.unmatched] == ["b"]
    assert wishes.objective.key("wishes") > coverage.objective.key("wishes")
    assert coverage.objective.key("coverage") > wishes.objective.key("coverage")


def test_unknown_priority_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown priority"):
        solve([], [], priority="fastest")  # type: ignore[arg-type]


def test_locked_markets_count_and_are_never_proposed_again() -> None:
    markets = [_market(f"M{k}", k, capacity=3) for k in range(6)]
    lg = _org("lg", "1", ("M0",), wants=5)
    locks = [Lock("lg", "M0"), Lock("lg", "M3")]
    result = solve([lg], markets, locks=locks)
    mine = [a for a in result.assignments if a.app_id == "lg"]
    assert sorted(a.market_code for a in mine) == ["M0", "M1", "M2", "M3", "M4"]
    assert {a.market_code for a in mine if a.rank == "locked"} == {"M0", "M3"}
    full = solve([lg], markets, locks=[Lock("lg", f"M{k}") for k in range(5)])
    assert all(a.rank == "locked" for a in full.assignments) and not full.short


def test_locked_places_of_a_several_market_organisation_use_capacity() -> None:
    markets = [_market("M0", 0), _market("M1", 1)]
    result = solve(
        [_org("lg", "1", wants=2), _org("b", "2", ("M0",))],
        markets,
        locks=[Lock("lg", "M0")],
    )
    assert _pairs(result) == {("lg", "M0"), ("b", "M1")}


# --- brute force: every assignment of a tiny instance ------------------------------------------


def _value(apps: list[Applicant], markets: list[Market], chosen: dict[str, tuple[str, ...]]) -> Objective:
    by_code = {m.code: m for m in markets}
    total = Objective()
    for app in apps:
        codes = chosen.get(app.id, ())
        if codes:
            total = total.plus(Objective(matched=1))
        for code in codes:
            levels = pair(app, by_code[code])[0]
            total = total.plus(replace(levels, matched=0))
    return total


def _brute(
    apps: list[Applicant], markets: list[Market], priority: Priority, locks: tuple[Lock, ...] = ()
) -> tuple[int, ...]:
    base = expand(apps, markets, locks=locks).base
    allowed: dict[str, list[str]] = {a.id: [] for a in apps}
    for i, j in zip(base.arc_app.tolist(), base.arc_mkt.tolist(), strict=True):
        allowed[base.apps[i].id].append(base.markets[j].code)
    held = {a.id: tuple(x.market_code for x in locks if x.app_id == a.id) for a in apps}
    options = [
        [
            held[a.id] + c
            for k in range(min(a.wants - len(held[a.id]), len(allowed[a.id])) + 1)
            for c in itertools.combinations(allowed[a.id], k)
        ]
        for a in apps
    ]
    cap = {m.code: m.capacity for m in markets}
    best: tuple[int, ...] | None = None
    for combo in itertools.product(*options):
        used: dict[str, int] = {}
        for codes in combo:
            for c in codes:
                used[c] = used.get(c, 0) + 1
        if any(n > cap[c] for c, n in used.items()):
            continue
        key = _value(apps, markets, {a.id: c for a, c in zip(apps, combo, strict=True)}).key(priority)
        best = key if best is None or key > best else best
    assert best is not None
    return best


@st.composite
def tiny(draw: st.DrawFn) -> tuple[list[Applicant], list[Market], tuple[Lock, ...]]:
    n_m = draw(st.integers(1, 3))
    markets = [
        _market(f"M{k}", k * 3, capacity=draw(st.integers(1, 2)), sigun=draw(st.sampled_from(["수원시", "화성시"])))
        for k in range(n_m)
    ]
    codes = [m.code for m in markets]
    apps = []
    for k in range(draw(st.integers(1, 4))):
        choices = tuple(draw(st.lists(st.sampled_from(codes), max_size=2, unique=True)))
        wants = draw(st.integers(1, 3))
        apps.append(_org(f"o{k}", f"{k}", choices, wants))
    # a confirmed pair or two, within capacity and each organisation's wants
    locks: list[Lock] = []
    room = {m.code: m.capacity for m in markets}
    for app in apps:
        for code in draw(st.lists(st.sampled_from(codes), max_size=app.wants, unique=True)):
            if draw(st.booleans()) and room[code] > 0:
                room[code] -= 1
                locks.append(Lock(app.id, code))
    return apps, markets, tuple(locks)


@pytest.mark.parametrize("priority", PRIORITIES)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=tiny())
def test_brute_force_agrees(case: tuple[list[Applicant], list[Market], tuple[Lock, ...]], priority: Priority) -> None:
    apps, markets, locks = case
    result = solve(apps, markets, priority=priority, locks=locks)
    assert result.objective.key(priority) == _brute(apps, markets, priority, locks)
    assert {(x.app_id, x.market_code) for x in locks} <= _pairs(result)
    seen = [(a.app_id, a.market_code) for a in result.assignments]
    assert len(seen) == len(set(seen))  # never the same market twice
    per_org = {a.id: sum(1 for x, _ in seen if x == a.id) for a in apps}
    assert all(per_org[a.id] <= a.wants for a in apps)
    used = {m.code: sum(1 for _, c in seen if c == m.code) for m in markets}
    assert all(used[m.code] <= m.capacity for m in markets)


# --- networkx min-cost flow at Gyeonggi scale ---------------------------------------------------


def _flow_optimum(
    apps: list[Applicant], markets: list[Market], priority: Priority, neighbours: Neighbours
) -> tuple[int, ...]:
    """The optimum as one min-cost flow: source -> organisation (the first unit carries L1) ->
    market (unit arcs: never twice) -> sink; weights are powers of B with B above any level's total."""
    base = expand(apps, markets, neighbours=neighbours).base
    b = 10**8
    names = ("matched", "places", "first", "second", "city", "score_units")
    order = (
        [n for n in ("first", "second", "matched", "places", "city", "score_units")] if priority == "wishes" else names
    )
    weight = {name: b ** (len(order) - 1 - k) for k, name in enumerate(order)}
    g = nx.DiGraph()
    total = sum(a.wants for a in base.apps)
    g.add_node("S", demand=-total)
    g.add_node("T", demand=total)
    g.add_edge("S", "T", capacity=total, weight=0)
    for a in base.apps:
        g.add_edge("S", ("u", a.id), capacity=1, weight=-weight["matched"])
        g.add_edge(("u", a.id), ("o", a.id), capacity=1, weight=0)
        if a.wants > 1:
            g.add_edge("S", ("o", a.id), capacity=a.wants - 1, weight=0)
    for m in base.markets:
        g.add_edge(("m", m.code), "T", capacity=m.capacity, weight=0)
    for i, j in zip(base.arc_app.tolist(), base.arc_mkt.tolist(), strict=True):
        app, market = base.apps[i], base.markets[j]
        lv = pair(app, market)[0]
        value = sum(weight[n] * getattr(lv, n) for n in names if n != "matched")
        g.add_edge(("o", app.id), ("m", market.code), capacity=1, weight=-value)
    _, flow = nx.network_simplex(g)
    chosen: dict[str, tuple[str, ...]] = {}
    for a in base.apps:
        got = tuple(k[1] for k, f in flow[("o", a.id)].items() if f and k[0] == "m")
        chosen[a.id] = got
    return _value(apps, markets, chosen).key(priority)


@pytest.mark.parametrize("priority", PRIORITIES)
@pytest.mark.parametrize("seed", [1, 2])
def test_min_cost_flow_cross_check(seed: int, priority: Priority) -> None:
    inst = gyeonggi(220, capacity=2, n_markets=60, seed=seed)
    rng = random.Random(seed)
    apps = [replace(a, wants=rng.choice([1, 1, 1, 2, 3, 5])) for a in inst.applicants]
    result = solve(apps, inst.markets, neighbours=inst.neighbours, priority=priority)
    assert result.objective.key(priority) == _flow_optimum(apps, list(inst.markets), priority, inst.neighbours)


def test_shuffled_input_gives_the_same_answer() -> None:
    inst = gyeonggi(150, capacity=2, n_markets=50, seed=7)
    rng = random.Random(7)
    apps = [replace(a, wants=rng.choice([1, 2, 4])) for a in inst.applicants]
    first = solve(apps, inst.markets, neighbours=inst.neighbours)
    shuffled = apps[:]
    rng.shuffle(shuffled)
    markets = list(inst.markets)
    rng.shuffle(markets)
    again = solve(shuffled, markets, neighbours=inst.neighbours)
    assert first.assignments == again.assignments and first.unmatched == again.unmatched
    assert first.short == again.short


@pytest.mark.parametrize("priority", PRIORITIES)
@pytest.mark.parametrize("seed", [3, 4])
def test_backward_search_gives_the_tie_rule_of_the_full_search(
    seed: int, priority: Priority, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tie rule's shortcut (answer from the markets that reach i's market backwards) changes
    nothing: with it switched off every step takes the full forward search."""
    inst = gyeonggi(260, capacity=2, n_markets=60, seed=seed)
    rng = random.Random(seed)
    apps = [replace(a, wants=rng.choice([1, 1, 1, 2, 3, 5])) for a in inst.applicants]
    quick = solve(apps, inst.markets, neighbours=inst.neighbours, priority=priority)
    monkeypatch.setattr(ties, "BACK_LIMIT", -1)
    full = solve(apps, inst.markets, neighbours=inst.neighbours, priority=priority)
    assert quick.assignments == full.assignments and quick.unmatched == full.unmatched


@pytest.mark.parametrize("priority", PRIORITIES)
@pytest.mark.parametrize("seed", [5, 6])
def test_seat_blocks_give_the_answer_of_the_whole_matching(
    seed: int, priority: Priority, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sparse solver's seat blocks (matching/absorb.py) change nothing: forced onto the sparse
    path, with and without them, the tie-broken output equals the dense solver's."""
    inst = gyeonggi(260, capacity=2, n_markets=60, seed=seed)
    rng = random.Random(seed)
    apps = [replace(a, wants=rng.choice([1, 1, 2, 3, 5])) for a in inst.applicants]
    dense = solve(apps, inst.markets, neighbours=inst.neighbours, priority=priority)
    blocks = solve(apps, inst.markets, neighbours=inst.neighbours, priority=priority, dense_cells=0)
    assert any("seat blocks" in s for s in blocks.stats["solves"])  # type: ignore[attr-defined]
    monkeypatch.setattr(absorb, "reduce", lambda *args: None)
    whole = solve(apps, inst.markets, neighbours=inst.neighbours, priority=priority, dense_cells=0)
    assert not any("seat blocks" in s for s in whole.stats["solves"])  # type: ignore[attr-defined]
    for other in (blocks, whole):
        assert other.assignments == dense.assignments and other.unmatched == dense.unmatched
        assert other.short == dense.short
