"""Buurt outlines for map tests: two squares side by side, as the CBS buurtkaart gives them (RD New metres)."""

from __future__ import annotations

import json
from typing import Any

# Utrecht, around the Dom: x 136000-137000 (west: Noord), 137000-138000 (east: Zuid), y 455000-456000.
WEST = [[136000, 455000], [137000, 455000], [137000, 456000], [136000, 456000], [136000, 455000]]
EAST = [[137000, 455000], [138000, 455000], [138000, 456000], [137000, 456000], [137000, 455000]]
INSIDE_NOORD = (52.0870, 5.1160)  # (latitude, longitude) inside the west square
INSIDE_ZUID = (52.0870, 5.1300)
OUTSIDE = (52.3731, 4.8932)  # the Dam in Amsterdam


def cbs_geojson(names: tuple[str, str] = ("Noord", "Zuid")) -> bytes:
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "properties": {"buurtnaam": name},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for name, ring in zip(names, (WEST, EAST), strict=True)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()
