"""The matching priority setting: config key, the match summary's comparison line."""

from __future__ import annotations

import pytest

from automation.config import load_config
from automation.errors import ConfigError
from automation.match.step import _compare_line
from tests.conftest import write_config
from tests.step_helpers import BASE
from tests.test_match_step import prepared, run_match


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        pytest.param("", "coverage", id="default"),
        pytest.param('[matching]\npriority = "coverage"\n', "coverage", id="coverage"),
        pytest.param('[matching]\npriority = "wishes"\n', "wishes", id="wishes"),
    ],
)
def test_priority_is_read_from_the_config(tmp_path, section, expected):
    assert load_config(write_config(tmp_path, BASE + section)).matching.priority == expected


def test_an_unknown_priority_stops_before_any_write(tmp_path):
    path = write_config(tmp_path, BASE + '[matching]\npriority = "fastest"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.message == (
        'onemarket.toml: [matching] priority는 "coverage"(매칭 기관 수 우선) 또는 "wishes"(1·2지망 우선) '
        "중 하나여야 합니다 (현재: 'fastest')."
    )


@pytest.mark.parametrize(
    ("priority", "compare", "line"),
    [
        pytest.param(
            "coverage",
            {"coverage": (12, 8, 2), "wishes": (11, 9, 2)},
            '우선순위 매칭 기관 수 우선(확정 포함): 매칭 12, 1지망 8, 2지망 2 · 1·2지망 우선([matching] priority = "wishes")이면: '
            "매칭 11, 1지망 9, 2지망 2",
            id="coverage-differs",
        ),
        pytest.param(
            "wishes",
            {"coverage": (12, 8, 2), "wishes": (11, 9, 2)},
            '우선순위 1·2지망 우선(확정 포함): 매칭 11, 1지망 9, 2지망 2 · 매칭 기관 수 우선([matching] priority = "coverage")이면: '
            "매칭 12, 1지망 8, 2지망 2",
            id="wishes-differs",
        ),
        pytest.param(
            "coverage",
            {"coverage": (3, 1, 1), "wishes": (3, 1, 1)},
            "우선순위 매칭 기관 수 우선(확정 포함): 매칭 3, 1지망 1, 2지망 1 (1·2지망 우선으로 바꿔도 같음)",
            id="same",
        ),
    ],
)
def test_the_comparison_line(priority, compare, line):
    assert _compare_line(priority, compare) == line


@pytest.mark.parametrize("priority", ["coverage", "wishes"])
def test_match_solves_both_and_reports_them(tmp_path, priority):
    backends = prepared(tmp_path)
    outcome = run_match(backends, tmp_path, priority=priority, dry_run=True)
    assert outcome.priority == priority
    assert outcome.as_dict()["compare"] == {
        "coverage": {"matched": 3, "first": 1, "second": 1},
        "wishes": {"matched": 3, "first": 1, "second": 1},
    }
    assert outcome.summary_lines()[1].startswith("우선순위 ")
