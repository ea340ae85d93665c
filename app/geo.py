"""Buurt boundaries and points: GeoJSON polygons, RD New (EPSG:28992) to WGS84, and point-in-polygon.

Pure Python. Coordinates follow GeoJSON: [longitude, latitude]. The CBS wijk- en buurtkaart comes in RD New
(metres); PDOK's services can also give WGS84. Both are accepted; RD is converted with the published
approximation of Schreutelkamp and Strang van Hees (within a metre in the Netherlands), enough to decide in
which buurt a bench goes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Ring = list[list[float]]
NAME_KEYS = ("buurtnaam", "BU_NAAM", "statnaam", "naam", "name", "NAME")
# RD New's false origin (Amersfoort) and the coefficients of the approximation.
_X0, _Y0, _PHI0, _LAM0 = 155000.0, 463000.0, 52.15517440, 5.38720621
_K = (
    (0, 1, 3235.65389),
    (2, 0, -32.58297),
    (0, 2, -0.24750),
    (2, 1, -0.84978),
    (0, 3, -0.06550),
    (2, 2, -0.01709),
    (1, 0, -0.00738),
    (4, 0, 0.00530),
    (2, 3, -0.00039),
    (4, 1, 0.00033),
    (1, 1, -0.00012),
)
_L = ((1, 0, 5260.52916), (1, 1, 105.94684), (1, 2, 2.45656), (3, 0, -0.81885), (1, 3, 0.05594),
      (3, 1, -0.05607), (0, 1, 0.01199), (3, 2, -0.00256), (1, 4, 0.00128), (0, 2, 0.00022), (2, 0, -0.00022),
      (5, 0, 0.00026))  # fmt: skip


class GeoError(ValueError):
    """The file is not GeoJSON with (multi)polygons we can use; the message says why (in English, for logs)."""


def rd_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """RD New metres to (longitude, latitude) in degrees."""
    dx, dy = (x - _X0) * 1e-5, (y - _Y0) * 1e-5
    phi = _PHI0 + sum(c * dx**p * dy**q for p, q, c in _K) / 3600
    lam = _LAM0 + sum(c * dx**p * dy**q for p, q, c in _L) / 3600
    return round(lam, 7), round(phi, 7)


def _is_rd(x: float, y: float) -> bool:
    return 0 <= x <= 300_000 and 280_000 <= y <= 630_000


def _points(geometry: dict[str, Any]) -> Iterator[list[float]]:
    for polygon in _polygons(geometry):
        for ring in polygon:
            yield from ring


def _polygons(geometry: dict[str, Any]) -> list[list[Ring]]:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        return [coordinates]  # type: ignore[list-item]
    if kind == "MultiPolygon":
        return list(coordinates or [])
    raise GeoError(f"geometry type {kind!r} is not a polygon")


def boundaries(collection: Any) -> dict[str, dict[str, Any]]:
    """{buurt name: WGS84 geometry} from a GeoJSON FeatureCollection; raises GeoError for unusable input."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise GeoError("not a GeoJSON FeatureCollection")
    found: dict[str, dict[str, Any]] = {}
    for feature in collection.get("features") or []:
        properties = (feature or {}).get("properties") or {}
        name = next((str(properties[k]).strip() for k in NAME_KEYS if properties.get(k)), "")
        geometry = (feature or {}).get("geometry") or {}
        if not name:
            raise GeoError("a feature has no buurt name")
        found[name] = _in_wgs84(geometry)
    if not found:
        raise GeoError("no features")
    return found


def _in_wgs84(geometry: dict[str, Any]) -> dict[str, Any]:
    try:
        polygons = _polygons(geometry)
        points = [(float(p[0]), float(p[1])) for polygon in polygons for ring in polygon for p in ring]
    except (TypeError, ValueError, IndexError) as bad:
        raise GeoError("coordinates are not numbers") from bad
    if len(points) < 4:
        raise GeoError("a polygon needs at least four points")
    rd = all(_is_rd(x, y) for x, y in points)
    if not rd and not all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in points):
        raise GeoError("coordinates are neither WGS84 degrees nor RD New metres")
    convert = rd_to_wgs84 if rd else (lambda x, y: (round(x, 7), round(y, 7)))
    converted = [
        [[list(convert(float(p[0]), float(p[1]))) for p in ring] for ring in polygon] for polygon in polygons
    ]
    return {"type": "MultiPolygon", "coordinates": converted}


def contains(geometry: dict[str, Any], longitude: float, latitude: float) -> bool:
    """Whether the point lies inside the (multi)polygon: inside an outer ring and outside its holes."""
    for polygon in _polygons(geometry):
        if (
            polygon
            and _in_ring(polygon[0], longitude, latitude)
            and not any(_in_ring(hole, longitude, latitude) for hole in polygon[1:])
        ):
            return True
    return False


def _in_ring(ring: Ring, x: float, y: float) -> bool:
    """Ray casting: a ray to the right crosses the ring's edges an odd number of times from inside."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=False):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def centre(geometry: dict[str, Any]) -> tuple[float, float]:
    """The middle of the bounding box, as (longitude, latitude): where the map starts."""
    xs, ys = zip(*((p[0], p[1]) for p in _points(geometry)), strict=True)
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
