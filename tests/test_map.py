"""The 시군 choropleth: shipped boundaries, a Korean font, the same bytes for the same numbers,
and the picture on the xlsx dashboard (looked at: /tmp copies are not kept)."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from matplotlib.ft2font import FT2Font

from automation.documents.map import boundaries, choropleth_png, korean_font, label_point, png_size, steps
from automation.geo import SIGUN


def test_the_shipped_boundaries_cover_the_31_sigun_and_stay_small():
    data = resources.files("automation.geo").joinpath("gyeonggi_sigun.geojson")
    assert len(data.read_bytes()) < 80_000
    assert set(boundaries()) == set(SIGUN)
    names = {f["properties"]["sigun"] for f in json.loads(data.read_text(encoding="utf-8"))["features"]}
    assert names == set(SIGUN)
    assert (
        resources.files("automation.geo").joinpath("BOUNDARIES.md").read_text(encoding="utf-8").count("공공누리") >= 1
    )


@pytest.mark.parametrize("sigun", ["수원시", "가평군", "연천군", "평택시", "과천시"])
def test_every_label_point_lies_inside_gyeonggi(sigun):
    x, y, area = label_point(boundaries()[sigun])
    assert 126.3 < x < 127.9 and 36.8 < y < 38.4 and area > 0


@pytest.mark.parametrize(
    "largest, expected",
    [
        pytest.param(0, [1, 2, 3, 4, 5], id="nothing"),
        pytest.param(5, [1, 2, 3, 4, 5], id="five"),
        pytest.param(8, [2, 4, 6, 8, 10], id="eight"),
        pytest.param(57, [12, 24, 36, 48, 60], id="fifty-seven"),
    ],
)
def test_colour_steps_are_whole_numbers(largest, expected):
    assert steps(largest) == expected


def test_the_font_draws_korean():
    font = FT2Font(str(korean_font()))
    assert all(font.get_char_index(ord(ch)) for ch in "경기도수원시협약팀활동")


def test_the_same_numbers_give_the_same_png():
    values = {"수원시": 3, "가평군": 1}
    labels = {"수원시": "3팀 · 활동 5", "가평군": "1팀 · 활동 0"}
    first = choropleth_png(values, labels, "시군별 협약 팀", "기준: 2026-05-20 09:30")
    assert first == choropleth_png(values, labels, "시군별 협약 팀", "기준: 2026-05-20 09:30")
    assert first[:8] == b"\x89PNG\r\n\x1a\n" and png_size(first) == (832, 936)
    assert b"tEXt" not in first or b"Software" not in first  # no tool stamp inside
    assert first != choropleth_png({**values, "수원시": 4}, labels, "시군별 협약 팀", "기준: 2026-05-20 09:30")
