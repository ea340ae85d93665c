"""Buurt outlines for the map: organisers upload GeoJSON (e.g. the CBS wijk- en buurtkaart, RD New or WGS84),
and proposals are placed inside the wijk by point-in-polygon.

Features are matched to the wijk's buurten by name (case and spacing do not matter). A file that is not
GeoJSON polygons, or names no buurt of the wijk, is refused and nothing changes; names the wijk does not have
are reported and left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app import geo
from app.extensions import db
from app.models import Buurt, User, Wijk
from app.services.accounts.wijk_access import require_wijk
from app.services.audit import record_event
from app.services.errors import NotFound, RuleViolation
from app.services.rounds.wijken import require_organiser
from app.translated import lazy_gettext as _l

MAX_BOUNDARY_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class BoundaryUpload:
    matched: list[str]
    unknown: list[str]


def upload_boundaries(actor: User, wijk_id: int, data: bytes) -> BoundaryUpload:
    require_organiser(actor)
    wijk = db.session.get(Wijk, wijk_id)
    if wijk is None:
        raise NotFound(_l("This neighbourhood does not exist."))
    require_wijk(actor, wijk.id)
    outlines = _read(data)
    by_name = {_key(b.name): b for b in wijk.buurten}
    matched = {by_name[_key(name)]: shape for name, shape in outlines.items() if _key(name) in by_name}
    unknown = sorted(name for name in outlines if _key(name) not in by_name)
    if not matched:
        raise RuleViolation(
            _l(
                "None of the names in the file is a buurt of %(wijk)s. Check the names of the buurten.",
                wijk=wijk.name,
            ),
            "file",
        )
    for buurt, shape in matched.items():
        buurt.boundary = shape
    names = sorted(b.name for b in matched)
    record_event(
        actor,
        "wijk.boundaries_uploaded",
        subject=f"wijk {wijk.id}: {wijk.name}"[:120],
        details={"buurten": names, "unknown": unknown},
    )
    db.session.commit()
    return BoundaryUpload(names, unknown)


def _read(data: bytes) -> dict[str, dict]:  # type: ignore[type-arg]
    refused = RuleViolation(
        _l(
            "This file is not a GeoJSON file with buurt outlines. Export the buurten as GeoJSON (for example from the CBS wijk- en buurtkaart)."
        ),
        "file",
    )
    if len(data) > MAX_BOUNDARY_BYTES:
        raise RuleViolation(_l("The file is too large: at most 20 MB."), "file")
    try:
        return geo.boundaries(json.loads(data.decode("utf-8-sig")))
    except (UnicodeDecodeError, json.JSONDecodeError, geo.GeoError, RecursionError):
        raise refused from None


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def buurt_at(wijk: Wijk, longitude: float, latitude: float) -> Buurt | None:
    """The buurt of `wijk` whose outline holds the point, or None when it lies outside all of them."""
    for buurt in wijk.buurten:
        if buurt.boundary and geo.contains(buurt.boundary, longitude, latitude):
            return buurt
    return None


def has_map(wijk: Wijk) -> bool:
    return any(b.boundary for b in wijk.buurten)


def location_problem(
    wijk: Wijk, latitude: float | None, longitude: float | None, buurt_id: int | None
) -> RuleViolation | None:
    """What is wrong with a proposal's place, or None (no place, or a place inside the wijk that fits its buurt)."""
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return RuleViolation(
            _l("Fill in both latitude and longitude, for example 52.0907 and 5.1214, or leave both empty."),
            "latitude",
        )
    if not has_map(wijk):
        return RuleViolation(
            _l(
                "%(wijk)s has no map yet, so a place cannot be checked. Leave the place empty and choose a buurt.",
                wijk=wijk.name,
            ),
            "latitude",
        )
    buurt = buurt_at(wijk, longitude, latitude)
    if buurt is None:
        return RuleViolation(
            _l("This place is outside %(wijk)s. Choose a place inside the neighbourhood.", wijk=wijk.name),
            "latitude",
        )
    if buurt_id is not None and buurt.id != buurt_id:
        return RuleViolation(
            _l(
                "This place is in buurt %(name)s. Choose that buurt, or the whole neighbourhood.",
                name=buurt.name,
            ),
            "buurt_id",
        )
    return None
