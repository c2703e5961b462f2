"""Make automation/geo/gyeonggi_sigun.geojson (the 31 시군 of 경기도, simplified) from the KOSTAT 2018
시군구 polygons (see automation/geo/BOUNDARIES.md for source and licence).

Run once, by hand, when the source changes; shapely is needed only here:

    uv run --with shapely python tools/make_boundaries.py SOURCE.geojson automation/geo/gyeonggi_sigun.geojson
"""

from __future__ import annotations

import json
import sys

from shapely.geometry import mapping, shape
from shapely.ops import unary_union

TOLERANCE = 0.002  # degrees (about 200 m): the map is drawn about 700 px wide
DIGITS = 4  # about 10 m
MIN_AREA = 2e-5  # islands smaller than about 0.2 km² are dropped


def _round(coords: object) -> object:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), DIGITS) for c in coords]
    return [_round(c) for c in coords]  # type: ignore[union-attr]


def main(source: str, target: str) -> None:
    data = json.load(open(source, encoding="utf-8"))
    parts: dict[str, list[object]] = {}
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        kept = [[ring for ring in poly if len(ring) >= 4] for poly in polygons]  # the source has stray 3-point rings
        kept = [poly for poly in kept if poly]
        clean = {"type": "MultiPolygon", "coordinates": kept}
        parts.setdefault(feature["properties"]["sigun"], []).append(shape(clean).buffer(0))
    features = []
    for sigun in sorted(parts):
        merged = unary_union(parts[sigun]).buffer(0)
        simple = merged.simplify(TOLERANCE, preserve_topology=True)
        if simple.geom_type == "MultiPolygon":
            simple = type(simple)([p for p in simple.geoms if p.area >= MIN_AREA])
        geometry = mapping(simple)
        geometry = {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])}
        features.append({"type": "Feature", "properties": {"sigun": sigun}, "geometry": geometry})
    out = {"type": "FeatureCollection", "features": features}
    with open(target, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
