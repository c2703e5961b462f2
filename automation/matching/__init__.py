"""Matching engine: organisations × markets under docs/matching.md's policy — pure functions on plain
dataclasses (:mod:`.model`), no spreadsheet I/O.

* :func:`solve` — the exact lexicographic optimum of L1..L5 within the allowed set
  (:mod:`.allowed`), by stacked integer weights in as few exact solves as possible and the optimal
  face in between (:mod:`.core`, :mod:`.solvers`); ties broken by the published rule as a
  deterministic post-pass (:mod:`.ties`): serial dictatorship in application order over all
  optimal assignments, so the output never depends on row order.
* :func:`explain` — for each missed 1st choice: its holders and the cost on L1..L5 of forcing it
  (one re-solve), naming the rule that decided a near-tie (:mod:`.explain`).
* :func:`fcfs` — first-come-first-served baseline; :func:`metrics` — the quality figures
  (:mod:`.baseline`); :mod:`.synthetic` — seeded instances for tests and benchmarks.
"""

from automation.matching.baseline import fcfs, metrics
from automation.matching.core import NotOptimal
from automation.matching.explain import explain
from automation.matching.model import (
    Applicant,
    Assignment,
    Exclusion,
    Explanation,
    Lock,
    Market,
    MatchResult,
    Metrics,
    Objective,
    Rank,
    Unmatched,
)
from automation.matching.solve import solve

__all__ = [
    "Applicant",
    "Assignment",
    "Exclusion",
    "Explanation",
    "Lock",
    "Market",
    "MatchResult",
    "Metrics",
    "NotOptimal",
    "Objective",
    "Rank",
    "Unmatched",
    "explain",
    "fcfs",
    "metrics",
    "solve",
]
