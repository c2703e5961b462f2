"""A choropleth of the 31 경기 시군 as PNG (matplotlib, Agg): the dashboard's 시군별 tab and the
report place it.

The boundaries ship with the package (``automation/geo/gyeonggi_sigun.geojson``, simplified from
KOSTAT 2018 — source and licence in ``automation/geo/BOUNDARIES.md``). Korean labels need a
Korean font: NanumGothic (Debian/Ubuntu ``fonts-nanum``) or Noto Sans CJK KR is looked up by
file; without one, :class:`MapFontMissing` says what to install. The same counts give the same
bytes (no timestamp in the file, one font, fixed size and DPI).
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from automation.errors import DocumentError

FONT_FILES = (
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/truetype/nanum/NanumBarunGothic.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/Library/Fonts/NanumGothic.ttf",
    "C:/Windows/Fonts/malgun.ttf",
)
BLUES = ("#f0f0f0", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")  # 0, then five steps
WIDTH_IN, HEIGHT_IN, DPI = 6.4, 7.2, 130
Ring = list[tuple[float, float]]


class MapFontMissing(DocumentError):
    """No Korean font to draw the map's labels with."""


def korean_font() -> Path:
    for name in FONT_FILES:
        if Path(name).is_file():
            return Path(name)
    raise MapFontMissing(
        "지도·차트·카드뉴스에 쓸 한글 글꼴이 없습니다. 'sudo apt-get install fonts-nanum'(우분투·데비안)으로 나눔고딕을 "
        "설치하거나 맑은 고딕이 있는 PC에서 실행하세요."
    )


@cache
def boundaries() -> dict[str, list[Ring]]:
    """시군 → its polygons' outer rings (lon, lat)."""
    text = resources.files("automation.geo").joinpath("gyeonggi_sigun.geojson").read_text(encoding="utf-8")
    out: dict[str, list[Ring]] = {}
    for feature in json.loads(text)["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        out[feature["properties"]["sigun"]] = [[(float(x), float(y)) for x, y in poly[0]] for poly in polygons]
    return out


def _area_centre(ring: Ring) -> tuple[float, float, float]:
    """(area, x, y) of a ring by the shoelace formula."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if not a:
        return 0.0, ring[0][0], ring[0][1]
    return abs(a) / 2, cx / (3 * a), cy / (3 * a)


def label_point(rings: Sequence[Ring]) -> tuple[float, float, float]:
    """(x, y, area) of the centre of a 시군's largest polygon."""
    area, x, y = max(_area_centre(r) for r in rings)
    return x, y, area


SMALL = 0.0065  # deg²: below this a 시군 gets one short line (name and figure) in small type
#: labels moved off the centre where small 시군 crowd each other (lon, lat offsets)
NUDGE = {
    "과천시": (0.01, 0.0),
    "의왕시": (0.0, -0.01),
    "군포시": (-0.01, -0.008),
    "안양시": (0.0, 0.006),
    "광명시": (-0.012, 0.0),
}


def steps(largest: int) -> list[int]:
    """Upper bounds of the five colour steps above 0 (whole numbers)."""
    if largest <= 5:
        return list(range(1, 6))
    size = math.ceil(largest / 5)
    return [size * k for k in range(1, 6)]


def colour(value: int, bounds: Sequence[int]) -> str:
    if value <= 0:
        return BLUES[0]
    for k, top in enumerate(bounds, start=1):
        if value <= top:
            return BLUES[k]
    return BLUES[-1]


def _legend(bounds: Sequence[int], unit: str) -> list[tuple[str, str]]:
    out = [(BLUES[0], "0")]
    low = 1
    for k, top in enumerate(bounds, start=1):
        out.append((BLUES[k], f"{low}" if low == top else f"{low}–{top}"))
        low = top + 1
    return [(c, f"{text}{unit}") for c, text in out]


def short(sigun: str) -> str:
    return sigun[:-1] if len(sigun) > 2 else sigun


def choropleth_png(
    values: Mapping[str, int], labels: Mapping[str, str], title: str, note: str, unit: str = "팀"
) -> bytes:
    """The map: each 시군 filled by ``values`` (0 grey), named, with ``labels`` under the name (e.g.
    '3팀 · 활동 5'); a small 시군 shows its name and value on one line."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager, patheffects
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Polygon

    font = korean_font()
    font_manager.fontManager.addfont(str(font))
    family = font_manager.FontProperties(fname=str(font)).get_name()
    shapes = boundaries()
    bounds = steps(max(values.values(), default=0))
    aspect = 1 / math.cos(math.radians(37.5))
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    ax = fig.add_axes((0.02, 0.1, 0.96, 0.82))
    text: dict[str, Any] = {"family": family}
    for sigun, rings in shapes.items():
        fill = colour(values.get(sigun, 0), bounds)
        for ring in rings:
            ax.add_patch(Polygon(ring, closed=True, facecolor=fill, edgecolor="#555555", linewidth=0.5))
        x, y, area = label_point(rings)
        dx, dy = NUDGE.get(sigun, (0.0, 0.0))
        shade = "white" if fill in BLUES[4:] else "#222222"
        # a halo of the area's own colour keeps a label readable across the boundary lines
        halo = {**text, "path_effects": [patheffects.withStroke(linewidth=1.6, foreground=fill)]}
        if area < SMALL:
            figure = values.get(sigun, 0)
            line = f"{short(sigun)} {figure}" if figure else short(sigun)
            ax.text(x + dx, y + dy, line, ha="center", va="center", fontsize=5, color=shade, **halo)
            continue
        ax.text(x + dx, y + dy + 0.012, short(sigun), ha="center", va="center", fontsize=6.5, color=shade, **halo)
        extra = labels.get(sigun, "")
        if extra:
            ax.text(x + dx, y + dy - 0.012, extra, ha="center", va="center", fontsize=5.5, color=shade, **halo)
    ax.set_xlim(126.35, 127.9)
    ax.set_ylim(36.85, 38.35)
    ax.set_aspect(aspect)
    ax.axis("off")
    fig.suptitle(title, fontsize=12, y=0.97, **text)
    handles = [Patch(facecolor=c, edgecolor="#555555", label=t) for c, t in _legend(bounds, unit)]
    ax.legend(handles=handles, loc="lower right", fontsize=7, frameon=False, prop={"family": family, "size": 7})
    fig.text(0.02, 0.03, note, fontsize=6.5, color="#444444", **text)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels from the PNG header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
