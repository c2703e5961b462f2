"""Generated instances (hypothesis): hard constraints, coverage certificate, a second exact solver,
shuffle invariance, FCFS never ahead on (L1, L2), rounds keep locks and exclusions."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_matching_oracles import Instance, as_levels, max_matching_size, networkx_objective, violations

from automation.matching import Applicant, Exclusion, Lock, Market, fcfs, solve

SIGUN = ("A", "B", "C", "D")
NEIGHBOURS = {"A": frozenset({"B"}), "B": frozenset({"A", "C"}), "C": frozenset({"B"}), "D": frozenset()}
APP_TRAITS = ("onnuri", "mural", "sns", "online", "large_group")
MARKET_TRAITS = ("onnuri", "idle_space", "culture_room", "online_ready", "large")
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Case:
    apps: list[Applicant]
    markets: list[Market]
    locks: list[Lock]
    exclusions: list[Exclusion]

    def solve(self, **kw: object) -> object:
        return solve(self.apps, self.markets, locks=self.locks, exclusions=self.exclusions, neighbours=NEIGHBOURS, **kw)  # type: ignore[arg-type]

    def oracle(self) -> Instance:
        return Instance(self.apps, self.markets, self.locks, self.exclusions, NEIGHBOURS)


# points on a coarse grid in a ~0.5° box: many exact distance ties (as with area centres)
coords = st.tuples(
    st.sampled_from([37.0, 37.05, 37.1, 37.2, 37.35, 37.5]), st.sampled_from([127.0, 127.05, 127.1, 127.25, 127.5])
)


def traits(names: tuple[str, ...]) -> st.SearchStrategy[frozenset[str]]:
    # mostly none: identical organisations and markets make exact ties, which the tie rule decides
    return st.one_of(st.just(frozenset()), st.just(frozenset()), st.frozensets(st.sampled_from(names), max_size=2))


@st.composite
def cases(draw: st.DrawFn, max_apps: int = 7, max_markets: int = 4, locks: bool = True) -> Case:
    nm = draw(st.integers(1, max_markets))
    markets = []
    for k in range(nm):
        at = draw(st.one_of(st.none(), coords)) if draw(st.integers(0, 9)) == 0 else draw(coords)
        markets.append(
            Market(
                f"M{k}",
                f"m{k}",
                draw(st.sampled_from(SIGUN)),
                *(at or (None, None)),
                capacity=draw(st.integers(0, 3)),
                participating=draw(st.integers(0, 7)) > 0,
                traits=draw(traits(MARKET_TRAITS)),
                had_partner=draw(st.booleans()),
            )
        )
    codes = [m.code for m in markets] + ["ZZ"]
    apps = []
    for k in range(draw(st.integers(0, max_apps))):
        kind = draw(st.integers(0, 3))
        choices = tuple(draw(st.lists(st.sampled_from(codes), min_size=1, max_size=3))) if kind <= 1 else ()
        wish = draw(st.sampled_from(SIGUN)) if kind in (1, 2) else None
        at = None if draw(st.integers(0, 7)) == 0 else draw(coords)
        apps.append(
            Applicant(
                f"a{k}",
                (f"2024-01-{draw(st.integers(1, 3)):02d}", f"a{k}"),
                choices,
                wish,
                *(at or (None, None)),
                None,
                draw(traits(APP_TRAITS)),
            )
        )
    lock_list: list[Lock] = []
    if locks and apps:
        for a in draw(st.lists(st.sampled_from(apps), max_size=2, unique_by=lambda a: a.id)):
            lock_list.append(Lock(a.id, draw(st.sampled_from(markets)).code))
        if draw(st.booleans()):
            lock_list.append(Lock("someone-else", draw(st.sampled_from(markets)).code))
    exclusions = (
        [
            Exclusion(draw(st.sampled_from(apps)).id, draw(st.sampled_from(codes)))
            for _ in range(draw(st.integers(0, 3)))
        ]
        if apps
        else []
    )
    return Case(apps, markets, lock_list, exclusions)


@FAST
@given(cases(max_apps=9, max_markets=5))
def test_never_violates_hard_constraints(case: Case) -> None:
    result = case.solve()
    assert violations(result, case.oracle()) == []  # type: ignore[arg-type]


@FAST
@given(cases(max_apps=12, max_markets=5))
def test_coverage_is_the_maximum_matching(case: Case) -> None:
    result = case.solve()
    inst = case.oracle()
    free = {a.id for a in inst.free}
    matched = sum(1 for a in result.assignments if a.app_id in free)  # type: ignore[attr-defined]
    assert matched == max_matching_size(inst)


@FAST
@given(cases(max_apps=10, max_markets=5))
def test_second_solver_reaches_the_same_objective(case: Case) -> None:
    result = case.solve()
    assert as_levels(result.objective) == networkx_objective(case.oracle())  # type: ignore[attr-defined]


@FAST
@given(cases(max_apps=10, max_markets=5), st.randoms(use_true_random=False))
def test_shuffled_input_gives_identical_output(case: Case, rnd: random.Random) -> None:
    first = case.solve()
    apps, markets = case.apps[:], case.markets[:]
    rnd.shuffle(apps)
    rnd.shuffle(markets)
    again = solve(apps, markets, locks=case.locks[::-1], exclusions=case.exclusions[::-1], neighbours=NEIGHBOURS)
    assert again == first
    assert case.solve() == first  # repeated run


@FAST
@given(cases(max_apps=10, max_markets=5))
def test_fcfs_never_beats_the_optimum_on_l1_l2(case: Case) -> None:
    opt = case.solve().objective  # type: ignore[attr-defined]
    base = fcfs(case.apps, case.markets, locks=case.locks, exclusions=case.exclusions, neighbours=NEIGHBOURS).objective
    assert (base.matched, base.first) <= (opt.matched, opt.first)
    assert base.matched <= opt.matched
    assert as_levels(base) <= as_levels(opt)


def test_fcfs_can_have_more_first_choices_at_lower_coverage() -> None:
    """Why the L2 comparison is lexicographic after L1: FCFS can win L2 by losing L1."""
    m = [Market("X", "x", "A", 37.0, 127.0), Market("Y", "y", "A", 37.0, 127.01)]
    a = Applicant("a", ("1",), ("X",), None, 37.0, 127.0)
    b = Applicant("b", ("2",), ("X",), None, 37.5, 127.5)  # far: only its choice X is allowed
    opt, base = solve([a, b], m).objective, fcfs([a, b], m).objective
    assert (base.matched, base.first) == (1, 1) and (opt.matched, opt.first) == (2, 1)


@FAST
@given(cases(max_apps=10, max_markets=4, locks=False), st.data())
def test_rounds_keep_locks_and_exclusions(case: Case, data: st.DataObject) -> None:
    round1 = case.solve()
    made = list(round1.assignments)  # type: ignore[attr-defined]
    signed = data.draw(st.lists(st.sampled_from(made), unique_by=lambda a: a.app_id)) if made else []
    refused = data.draw(st.lists(st.sampled_from(made), unique_by=lambda a: a.app_id)) if made else []
    locks = [Lock(a.app_id, a.market_code) for a in signed]
    locked_ids = {lk.app_id for lk in locks}
    exclusions = [
        *case.exclusions,
        *(Exclusion(a.app_id, a.market_code) for a in refused if a.app_id not in locked_ids),
    ]
    newcomers = [
        Applicant(f"n{k}", ("2024-02-01", f"n{k}"), (case.markets[0].code,), None, 37.0, 127.0)
        for k in range(data.draw(st.integers(0, 3)))
    ]
    round2 = solve(case.apps + newcomers, case.markets, locks=locks, exclusions=exclusions, neighbours=NEIGHBOURS)
    got = {a.app_id: (a.market_code, a.rank) for a in round2.assignments}
    for lk in locks:
        assert got[lk.app_id] == (lk.market_code, "locked")
    for ex in exclusions:
        assert got.get(ex.app_id, ("", ""))[0] != ex.market_code or ex.app_id in locked_ids
    inst = Instance(case.apps + newcomers, case.markets, locks, exclusions, NEIGHBOURS)
    assert violations(round2, inst) == []


@pytest.mark.parametrize("seed", range(3), ids=lambda s: f"seed-{s}")
def test_medium_instances_against_second_solver(seed: int) -> None:
    from automation.matching.synthetic import gyeonggi

    inst = gyeonggi(60, capacity=1 + seed % 2, n_markets=30, seed=seed)
    result = solve(inst.applicants, inst.markets, neighbours=inst.neighbours)
    oracle = Instance(inst.applicants, inst.markets, neighbours=inst.neighbours)
    assert violations(result, oracle) == []
    assert as_levels(result.objective) == networkx_objective(oracle)
    free = {a.id for a in oracle.free}
    assert sum(1 for a in result.assignments if a.app_id in free) == max_matching_size(oracle)
