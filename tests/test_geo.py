"""Pure geometry: RD New to WGS84, and point-in-polygon with holes."""

from __future__ import annotations

import pytest

from app import geo
from tests.geo_data import INSIDE_NOORD, OUTSIDE, WEST


def test_rd_new_converts_to_wgs84_within_metres() -> None:
    assert geo.rd_to_wgs84(155000, 463000) == pytest.approx((5.38720621, 52.15517440), abs=1e-6)  # Amersfoort
    # The Westertoren, the usual test point of the approximation: RD (120700.723, 487525.501).
    assert geo.rd_to_wgs84(120700.723, 487525.501) == pytest.approx((4.88352559, 52.37453253), abs=1e-6)


def test_point_in_polygon_with_a_hole() -> None:
    square = {
        "type": "Polygon",
        "coordinates": [
            [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
            [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
        ],
    }
    assert geo.contains(square, 2, 2)
    assert not geo.contains(square, 5, 5)  # in the hole
    assert not geo.contains(square, 11, 5)


def test_cbs_outlines_in_rd_are_read_as_wgs84() -> None:
    shapes = geo.boundaries(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"buurtnaam": "Noord"},
                    "geometry": {"type": "Polygon", "coordinates": [WEST]},
                }
            ],
        }
    )
    lat, lon = INSIDE_NOORD
    assert geo.contains(shapes["Noord"], lon, lat)
    lat, lon = OUTSIDE
    assert not geo.contains(shapes["Noord"], lon, lat)


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"type": "Feature"},
        {"type": "FeatureCollection", "features": []},
        {
            "type": "FeatureCollection",
            "features": [
                {"properties": {"naam": "X"}, "geometry": {"type": "Point", "coordinates": [5, 52]}}
            ],
        },
        {
            "type": "FeatureCollection",
            "features": [
                {"properties": {"naam": "X"}, "geometry": {"type": "Polygon", "coordinates": [[["a", 1]]]}}
            ],
        },
    ],
    ids=["list", "feature", "empty", "point", "text-coordinates"],
)
def test_unusable_files_are_refused(bad: object) -> None:
    with pytest.raises(geo.GeoError):
        geo.boundaries(bad)
