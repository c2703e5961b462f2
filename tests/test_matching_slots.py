"""The sparse solver's slot arcs: a market's capacity slots are identical, so each arc reaches only
the few slots an optimal assignment needs (:func:`automation.matching.solvers._stair_slots`). The
optimum must not change: checked against the dense solver on random instances (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from automation.matching import solvers


@st.composite
def instances(draw):  # type: ignore[no-untyped-def]
    na = draw(st.integers(1, 9))
    nm = draw(st.integers(1, 4))
    cap = np.array(draw(st.lists(st.integers(0, 6), min_size=nm, max_size=nm)), dtype=np.int64)
    pairs = sorted(draw(st.sets(st.tuples(st.integers(0, na - 1), st.integers(0, nm - 1)), min_size=1)))
    app = np.array([a for a, _ in pairs], dtype=np.int64)
    mkt = np.array([m for _, m in pairs], dtype=np.int64)
    val = np.array(draw(st.lists(st.integers(1, 50), min_size=len(pairs), max_size=len(pairs))), dtype=np.int64)
    return na, app, mkt, val, cap


def _value(asg, val) -> int:  # type: ignore[no-untyped-def]
    return int(val[asg[asg >= 0]].sum())


@settings(max_examples=300, deadline=None)
@given(instances())
def test_stair_slots_keep_the_optimum(inst):  # type: ignore[no-untyped-def]
    na, app, mkt, val, cap = inst
    full = np.zeros(len(cap), dtype=np.bool_)
    got = solvers.sparse(na, app, mkt, val, cap, full)
    assert _value(got, val) == _value(solvers.dense(na, app, mkt, val, cap), val)
    used = np.bincount(mkt[got[got >= 0]], minlength=len(cap))
    assert (used <= cap).all() and all(app[got[k]] == k for k in np.flatnonzero(got >= 0))


def test_a_market_nearly_as_large_as_its_demand_costs_few_slot_arcs():
    # 54 stand-ins of one organisation reach its SPARE of room 51: 4 slots each, not 51
    mkt = np.zeros(54, dtype=np.int64)
    arc, slot, nslots = solvers._stair_slots(mkt, np.array([51], dtype=np.int64))
    assert nslots == 51 and len(arc) == 54 * 4 - (1 + 2 + 3) * 2
    assert set(slot.tolist()) == set(range(51))


def test_objective_sums_every_field():
    import dataclasses

    from automation.matching.model import Objective

    names = [f.name for f in dataclasses.fields(Objective)]
    a = Objective(**{n: k + 1 for k, n in enumerate(names)})
    b = Objective(**{n: 10 * (k + 1) for k, n in enumerate(names)})
    assert a.plus(b) == Objective(**{n: 11 * (k + 1) for k, n in enumerate(names)})
    assert b.minus(a) == Objective(**{n: 9 * (k + 1) for k, n in enumerate(names)})
