"""The published tie rule and explain(), against brute force on tiny instances.

The tie rule is a deterministic post-pass (automation.matching.ties): among all assignments that
are optimal on L1..L5, applicants in published order each get their best possible market (pair
L1..L5, then shorter distance, then market code). Brute force enumerates every assignment, keeps
the optimal ones and applies exactly that rule; the engine must agree assignment for assignment.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from test_matching_oracles import Instance, as_levels, brute_force
from test_matching_properties import FAST, NEIGHBOURS, Case, cases

from automation.matching import Applicant, Lock, Market, explain, solve
from automation.matching import core as core_mod
from automation.matching.allowed import build
from automation.matching.core import optimise


def _placed(result: object) -> dict[str, str]:
    return {a.app_id: a.market_code for a in result.assignments}  # type: ignore[attr-defined]


@FAST
@given(cases(max_apps=6, max_markets=3))
def test_tie_rule_matches_brute_force(case: Case) -> None:
    best, chosen = brute_force(case.oracle())
    result = case.solve()
    assert as_levels(result.objective) == best  # type: ignore[attr-defined]
    assert _placed(result) == chosen


@FAST
@given(cases(max_apps=5, max_markets=3))
def test_explain_counterfactual_matches_brute_force(case: Case) -> None:
    result = case.solve()
    inst = case.oracle()
    base, _ = brute_force(inst)
    for e in explain(
        result,
        case.apps,
        case.markets,
        locks=case.locks,  # type: ignore[arg-type]
        exclusions=case.exclusions,
        neighbours=NEIGHBOURS,
    ):
        assert e.first_choice != _placed(result).get(e.app_id)
        assert "다른 기관" not in e.applicant or e.holders
        assert all(h not in e.applicant for h in e.holders)  # the applicant text names nobody
        if e.cost is None:
            continue
        forced, _ = brute_force(inst, force=(e.app_id, e.first_choice))
        assert as_levels(e.cost) == tuple(b - f for b, f in zip(base, forced, strict=True))
        assert e.near_tie == (as_levels(e.cost)[:4] == (0, 0, 0, 0) and e.cost.score_units < 100)


@FAST
@given(cases(max_apps=6, max_markets=3))
def test_level_by_level_equals_one_stack(case: Case) -> None:
    """Every level its own solve (as for large instances: optimal face, fixed applicants, bonus
    level for must-full markets and must-match applicants): still brute force's answer."""
    best, chosen = brute_force(case.oracle())
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(core_mod, "_plan", _one_level)
        result = case.solve()
    assert as_levels(result.objective) == best  # type: ignore[attr-defined]
    assert _placed(result) == chosen


def _one_level(ranges: list[int], start: int, forced: int, limit: int = 0) -> tuple[list[int], list[int]]:
    return [start], [1, ranges[start] + 1]


@pytest.mark.parametrize("path", ["dense", "flow", "sparse"])
def test_level_by_level_keeps_a_contested_market_full(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two organisations can only use M (35 km away, in a neighbouring 시군: L2..L5 all zero).
    After L1 either may be the one placed, but M must stay full in every later level."""
    market = Market("M", "m", "B", 37.5 + 35 / 111, 127.0, had_partner=True)
    apps = [Applicant(x, (x,), (), "A", 37.5, 127.0) for x in ("c", "d")]
    monkeypatch.setattr(core_mod, "_plan", _one_level)
    monkeypatch.setattr(core_mod, "FLOW_VALUES", 10 if path == "flow" else 0)
    result = solve(apps, [market], neighbours={"A": frozenset({"B"})}, dense_cells=10 if path == "dense" else 0)
    assert _placed(result) == {"c": "M"}
    label = {"dense": "linear_sum_assignment", "flow": "flow", "sparse": "sparse"}[path]
    assert len(result.stats["solves"]) == 5 and all(label in s for s in result.stats["solves"])  # type: ignore[attr-defined]


def test_certificate_rejects_a_wrong_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    at = (37.5, 127.0)
    markets = [Market("M1", "가", "A", *at)]
    apps = [Applicant("a", ("1",), ("M1",), None, *at)]
    monkeypatch.setattr(core_mod.solvers, "dense", lambda na, *_: np.full(na, -1, dtype=np.int64))
    with pytest.raises(core_mod.NotOptimal):
        solve(apps, markets)


def _two(early_first: bool) -> tuple[list[Applicant], list[Market]]:
    """Two organisations at the same point want the same market; the other is as good for both."""
    at = (37.5, 127.0)
    markets = [Market("M1", "가", "A", *at), Market("M2", "나", "A", *at)]
    apps = [
        Applicant("b", ("2024-01-02" if early_first else "2024-01-01", "b"), ("M1",), None, *at),
        Applicant("a", ("2024-01-01" if early_first else "2024-01-02", "a"), ("M1",), None, *at),
    ]
    return apps, markets


@pytest.mark.parametrize("early_first", [True, False], ids=["a-applied-first", "b-applied-first"])
def test_exact_tie_goes_to_the_earlier_application(early_first: bool) -> None:
    apps, markets = _two(early_first)
    winner = "a" if early_first else "b"
    for order in (apps, apps[::-1]):
        result = solve(order, markets[::-1])
        assert _placed(result)[winner] == "M1"
    (e,) = explain(solve(apps, markets), apps, markets)
    assert e.holders == (winner,) and e.near_tie and e.cost is not None
    assert as_levels(e.cost) == (0, 0, 0, 0, 0)
    assert e.rule is not None and "먼저 신청한 기관 우선" in e.rule
    assert e.applicant == "1지망 시장은 다른 기관에 배정되었습니다" and winner in e.staff


def test_post_pass_changes_the_solver_answer_here() -> None:
    """A case (found by random search) where the solver's optimal answer is not the published
    one: the post-pass moves three organisations, and brute force agrees with the result."""
    m = [
        Market("M0", "m0", "A", 37.05, 127.0, 2),
        Market("M1", "m1", "A", 37.0, 127.0, 1),
        Market("M2", "m2", "A", 37.0, 127.0, 2),
    ]
    apps = [
        Applicant("a0", ("2", "a0"), (), None, 37.05, 127.0),
        Applicant("a1", ("3", "a1"), ("M1",), None, 37.0, 127.05),
        Applicant("a2", ("1", "a2"), ("M1",), None, 37.05, 127.0),
        Applicant("a3", ("3", "a3"), (), "A", 37.05, 127.0),
    ]
    problem = build(apps, m, neighbours={})
    face = optimise(problem)
    raw = {
        problem.apps[i].id: problem.markets[int(problem.arc_mkt[k])].code
        for i, k in enumerate(face.asg.tolist())
        if k >= 0
    }
    final = _placed(solve(apps, m))
    assert raw != final
    assert final == brute_force(Instance(apps, m))[1]


def test_then_shorter_distance() -> None:
    """Both markets are beyond 30 km (no distance points): the nearer one is chosen."""
    a = Applicant("a", ("1",), (), "A", 37.0, 127.0)
    near, far = Market("Z", "z", "A", 37.3, 127.0), Market("Y", "y", "A", 37.4, 127.0)
    assert _placed(solve([a], [far, near])) == {"a": "Z"}


def test_near_tie_decided_by_score() -> None:
    """Forcing costs ~0.7 point of L5: a near-tie decided by the score, and said so."""
    at = (37.5, 127.0)
    markets = [Market("M1", "가", "A", *at, had_partner=True), Market("M2", "나", "A", 37.5, 127.008)]
    late = Applicant("late", ("2", "late"), ("M1",), None, 37.5, 127.008)  # ~0.7 km east: at M2
    early = Applicant("early", ("1", "early"), ("M1",), None, *at)
    result = solve([late, early], markets)
    (e,) = explain(result, [late, early], markets)
    assert e.app_id == "late" and e.cost is not None and e.near_tie
    assert as_levels(e.cost)[:4] == (0, 0, 0, 0) and 0 < e.cost.score_units < 100
    assert e.rule is not None and "거리·적합도·첫 결연 점수가" in e.rule


def test_explain_locked_holder_and_refused_first_choice() -> None:
    at = (37.5, 127.0)
    markets = [Market("M1", "가", "A", *at), Market("M2", "나", "A", *at)]
    apps = [Applicant("a", ("1",), ("M1",), None, *at), Applicant("b", ("2",), ("M1",), None, *at)]
    result = solve(apps, markets, locks=[Lock("b", "M1")])
    (e,) = explain(result, apps, markets, locks=[Lock("b", "M1")])
    assert e.cost is None and e.holders == ("b",) and "확정" in e.staff
    assert Instance(apps, markets).apps[0].id == "a"
