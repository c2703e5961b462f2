"""Matching engine: organisations × markets under MATCHING.md's policy — pure functions on plain
dataclasses, no spreadsheet I/O.

* :func:`solve` — exact lexicographic optimum of L1..L5 within the allowed set, ties broken by
  the published rule (serial dictatorship in application order over all optimal assignments).
* :func:`explain` — for each missed 1st choice: holders and the cost of forcing it (one re-solve).
* :func:`fcfs` — first-come-first-served baseline; :func:`metrics` — the quality figures.
"""

from automation.matching.baseline import fcfs, metrics
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
    "Objective",
    "Unmatched",
    "explain",
    "fcfs",
    "metrics",
    "solve",
]
