"""automation.matching on hand-made cases: allowed set, levels, locks, exclusions, reasons,
unmatched reasons, FCFS, metrics, and the three solver paths giving the same answer."""

from __future__ import annotations

import pytest
from test_matching_oracles import Instance, as_levels, violations

from automation.matching import (
    Applicant,
    Exclusion,
    Lock,
    Market,
    Objective,
    fcfs,
    metrics,
    solve,
)
from automation.matching import core as core_mod
from automation.matching.synthetic import gyeonggi, national

HANAM = (37.539, 127.214)  # 하남시 (a point, not the official centre)
NEAR_HANAM = (37.545, 127.225)  # ~1.2 km away
GURI = (37.601, 127.128)  # ~10.3 km from HANAM
GAPYEONG = (37.831, 127.510)  # ~41 km from HANAM
NB = {"하남시": frozenset({"구리시"}), "구리시": frozenset({"하남시"})}


def mk(code: str, sigun: str | None, at: tuple[float, float] | None, cap: int = 1, **kw: object) -> Market:
    lat, lon = at if at else (None, None)
    return Market(code, f"{code}시장", sigun, lat, lon, cap, **kw)  # type: ignore[arg-type]


def ap(
    app_id: str,
    choices: tuple[str, ...] = (),
    wish: str | None = None,
    at: tuple[float, float] | None = HANAM,
    day: int = 1,
    **kw: object,
) -> Applicant:
    lat, lon = at if at else (None, None)
    return Applicant(app_id, (f"2024-01-{day:02d}", app_id), choices, wish, lat, lon, "하남시" if at else None, **kw)  # type: ignore[arg-type]


def placed(result: object) -> dict[str, str]:
    return {a.app_id: a.market_code for a in result.assignments}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("app", "market", "allowed"),
    [
        (ap("a", ("F",)), mk("F", "가평군", GAPYEONG), True),
        (ap("a", ("X", "F")), mk("F", "가평군", GAPYEONG), True),
        (ap("a", ("X", "Y", "F")), mk("F", "가평군", GAPYEONG), False),
        (ap("a", wish="가평군"), mk("F", "가평군", GAPYEONG), True),
        (ap("a", wish="하남시"), mk("G", "구리시", GURI), True),
        (ap("a", wish="하남시", at=None), mk("G", "구리시", GURI), False),
        (ap("a", wish="하남시", at=None), mk("H", "하남시", HANAM), True),
        (ap("a", wish="하남시", at=(37.9, 127.9)), mk("G", "구리시", GURI), False),
        (ap("a"), mk("N", "하남시", NEAR_HANAM), True),
        (ap("a", at=None), mk("N", "하남시", NEAR_HANAM), False),
        (ap("a"), mk("N", "하남시", None), False),
        (ap("a"), mk("G", "구리시", GURI), False),
    ],
    ids=[
        "1st-far",
        "2nd-far",
        "3rd-ignored",
        "wished-city-far",
        "neighbour-within-40",
        "neighbour-no-point",
        "wished-city-no-point",
        "neighbour-beyond-40",
        "within-10km",
        "no-point-no-near",
        "market-no-point",
        "just-over-10km",
    ],
)
def test_allowed_set(app: Applicant, market: Market, allowed: bool) -> None:
    result = solve([app], [market], neighbours=NB)
    assert (placed(result) == {"a": market.code}) is allowed


def test_never_nonparticipating_excluded_or_beyond_capacity() -> None:
    apps = [ap(f"a{k}", ("M",), day=k + 1) for k in range(4)]
    markets = [mk("M", "하남시", HANAM, 2), mk("N", "하남시", NEAR_HANAM, participating=False)]
    result = solve(apps, markets, exclusions=[Exclusion("a0", "M")], neighbours=NB)
    assert placed(result) == {"a1": "M", "a2": "M"}
    assert {u.app_id: u.reason_code for u in result.unmatched} == {"a0": "no_options", "a3": "full"}


def test_locks_hold_and_use_capacity() -> None:
    apps = [ap("a", ("M",), day=1), ap("b", ("M",), day=2)]
    markets = [mk("M", "하남시", HANAM, 1), mk("N", "하남시", NEAR_HANAM)]
    result = solve(apps, markets, locks=[Lock("b", "M")], neighbours=NB)
    assert placed(result) == {"a": "N", "b": "M"}
    assert [a.rank for a in result.assignments if a.app_id == "b"] == ["locked"]
    # a lock of an applicant not in this round still holds its place
    result = solve(apps[:1], markets, locks=[Lock("gone", "M")], neighbours=NB)
    assert placed(result) == {"a": "N"}
    with pytest.raises(ValueError, match="unknown market"):
        solve(apps, markets, locks=[Lock("a", "ZZ")])
    with pytest.raises(ValueError, match="two markets"):
        solve(apps, markets, locks=[Lock("a", "M"), Lock("a", "N")])
    with pytest.raises(ValueError, match="duplicate applicant"):
        solve([apps[0], apps[0]], markets)


def test_coverage_before_first_choices() -> None:
    # a could take its 1st choice M, but then b (only M allowed) is left out: L1 wins
    apps = [ap("a", ("M",), day=1), ap("b", ("M",), at=(37.9, 127.9), day=2)]
    markets = [mk("M", "하남시", HANAM), mk("N", "하남시", NEAR_HANAM)]
    result = solve(apps, markets)
    assert placed(result) == {"a": "N", "b": "M"}
    assert result.objective == Objective(2, 1, 0, 0, result.objective.score_units, places=2)
    base = fcfs(apps, markets)
    assert placed(base) == {"a": "M"}  # first come, first served


def test_city_only_in_city_beats_score() -> None:
    # c (city-only, 하남시) gets the 하남 market although d sits right on it (L4 above L5)
    apps = [ap("c", wish="하남시", at=NEAR_HANAM, day=2), ap("d", at=HANAM, day=1)]
    markets = [mk("H", "하남시", HANAM), mk("X", "구리시", (37.56, 127.20))]
    result = solve(apps, markets, neighbours=NB)
    assert placed(result) == {"c": "H", "d": "X"}
    assert result.objective.city == 1
    assert [a.rank for a in result.assignments] == ["near", "city"]  # published order: d, c


def test_reasons_korean() -> None:
    apps = [
        ap("a", ("M",), day=2, traits=frozenset({"onnuri", "mural"})),
        ap("b", ("M",), day=1),
        ap("c", wish="하남시", day=3),
        ap("d", at=None, day=4),
    ]
    markets = [
        mk("M", "하남시", HANAM, traits=frozenset({"onnuri", "idle_space"})),
        mk("N", "하남시", NEAR_HANAM, had_partner=True),
        mk("P", "하남시", HANAM, had_partner=True),
    ]
    result = solve(apps, markets, neighbours=NB)
    by = {a.app_id: a for a in result.assignments}
    assert by["a"].reasons[:3] == ("1지망 시장 · 0.0km", "온누리상품권 가맹", "유휴공간 보유(벽화)")
    assert "첫 결연 시장" in by["a"].reasons and by["a"].rank == "first"
    assert by["c"].reasons[0].startswith("희망 시·군(하남시) 내 시장 · ")
    assert "1지망 시장은 다른 기관에 배정되었습니다" in by["b"].reasons
    (d,) = result.unmatched
    assert d.reason == "조건에 맞는 시장이 없습니다 (희망시장·희망지역 없음, 주소 위치 없음)"
    assert by["a"].score == pytest.approx(15 + 4 + 1)


def test_unmatched_full_versus_nothing_allowed() -> None:
    apps = [ap("a", ("M",), day=1), ap("b", ("M",), day=2), ap("c", ("ZZ",), at=None, day=3)]
    result = solve(apps, [mk("M", "하남시", HANAM)])
    reasons = {u.app_id: (u.reason_code, u.reason) for u in result.unmatched}
    assert reasons["b"] == ("full", "허용된 시장이 모두 찼습니다 (다음 차수 배정 대상)")
    assert reasons["c"][0] == "no_options" and "희망시장 배정 불가" in reasons["c"][1]


def test_metrics_and_fcfs_baseline() -> None:
    inst = gyeonggi(120, capacity=1, seed=3)
    opt = solve(inst.applicants, inst.markets, neighbours=inst.neighbours)
    base = fcfs(inst.applicants, inst.markets, neighbours=inst.neighbours)
    check = Instance(inst.applicants, inst.markets, neighbours=inst.neighbours)
    assert violations(opt, check) == [] and violations(base, check) == []
    mo, mb = metrics(opt, inst.applicants, inst.markets), metrics(base, inst.applicants, inst.markets)
    assert mo.applicants == 120 and mo.matched_pct + mo.unmatched_pct == pytest.approx(100)
    assert (mo.matched_pct, mo.first_pct) >= (mb.matched_pct, mb.first_pct)
    assert as_levels(opt.objective) >= as_levels(base.objective)


@pytest.mark.parametrize("capacity", [1, 3], ids=["capacity-1", "capacity-3"])
def test_solver_paths_agree(capacity: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dense LSA, primal-dual flow and the sparse matching give the same tie-broken output."""
    inst = gyeonggi(150, capacity=capacity, seed=11)
    args = (inst.applicants, inst.markets)
    dense = solve(*args, neighbours=inst.neighbours)
    monkeypatch.setattr(core_mod, "FLOW_VALUES", 10**9)
    monkeypatch.setattr(core_mod, "MAX_PHASES", 10**6)
    flow = solve(*args, neighbours=inst.neighbours, dense_cells=0)
    monkeypatch.setattr(core_mod, "FLOW_VALUES", 0)
    sparse = solve(*args, neighbours=inst.neighbours, dense_cells=0)
    assert dense.assignments == flow.assignments == sparse.assignments
    assert dense.unmatched == flow.unmatched == sparse.unmatched
    used = " ".join(str(s) for r in (dense, flow, sparse) for s in r.stats["solves"])  # type: ignore[attr-defined]
    assert "linear_sum_assignment" in used and "flow" in used and "sparse" in used


@pytest.mark.parametrize("path", ["dense", "flow", "sparse"])
def test_level_by_level_paths_agree_with_one_stack(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """One solve per level (optimal face in between) on each solver gives the stacked answer."""
    inst = gyeonggi(200, capacity=2, n_markets=80, seed=5)
    args = (inst.applicants, inst.markets)
    stacked = solve(*args, neighbours=inst.neighbours)
    monkeypatch.setattr(core_mod, "_plan", lambda ranges, start, forced, limit=0: ([start], [1, ranges[start] + 1]))
    monkeypatch.setattr(core_mod, "FLOW_VALUES", 10**9 if path == "flow" else 0)
    monkeypatch.setattr(core_mod, "MAX_PHASES", 10**6)
    split = solve(*args, neighbours=inst.neighbours, dense_cells=10**9 if path == "dense" else 0)
    assert split.assignments == stacked.assignments and split.unmatched == stacked.unmatched
    assert len(split.stats["solves"]) > len(stacked.stats["solves"])  # type: ignore[arg-type]


def test_synthetic_instances_are_seeded() -> None:
    assert gyeonggi(40, seed=1) == gyeonggi(40, seed=1) != gyeonggi(40, seed=2)
    small = national(300, n_markets=60, max_capacity=4, seed=3)
    assert small == national(300, n_markets=60, max_capacity=4, seed=3)
    assert len(small.markets) == 60 and {m.capacity for m in small.markets} <= {1, 2, 3, 4}


def test_national_style_instance_all_paths() -> None:
    inst = national(400, n_markets=60, max_capacity=6, seed=4)
    args = (inst.applicants, inst.markets)
    dense = solve(*args, neighbours=inst.neighbours)
    large_path = solve(*args, neighbours=inst.neighbours, dense_cells=0)  # column generation
    assert violations(dense, Instance(*args, neighbours=inst.neighbours)) == []
    assert dense.assignments == large_path.assignments and dense.unmatched == large_path.unmatched
