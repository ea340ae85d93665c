"""The map data of a round as JSON: buurt outlines and the proposals with a place (or, after publication and
with `?winnaars=1`, only the winners). Drawn by app/static/proposal_map.js; pages list the same by buurt."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request, url_for

from app.models import ProjectStatus, Round
from app.services.errors import NotFound
from app.services.results import publishing
from app.web.residents.blueprint import bp, round_or_404


@bp.route("/ronde/<int:round_id>/kaart.json")
def round_map(round_id: int):  # type: ignore[no-untyped-def]
    rnd = round_or_404(round_id)
    projects = [
        p for p in rnd.projects if p.latitude is not None and p.status != ProjectStatus.WITHDRAWN.value
    ]
    if request.args.get("winnaars"):
        projects = [p for p in projects if p.id in _winner_ids(rnd)]
    return jsonify(
        {
            "buurten": _outlines(rnd),
            "proposals": [
                {
                    "id": p.id,
                    "title": p.title,
                    "latitude": p.latitude,
                    "longitude": p.longitude,
                    "url": url_for("residents.project", project_id=p.id),
                }
                for p in projects
            ],
        }
    )


def _winner_ids(rnd: Round) -> set[int]:
    try:
        return set(publishing.published_result(rnd.id).result.selected_project_ids)
    except NotFound:
        abort(404)


def _outlines(rnd: Round) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": b.name}, "geometry": b.boundary}
            for b in rnd.wijk.buurten
            if b.boundary
        ],
    }
