"""`/healthz` for load balancers and container health checks: 200 or 503, with no details."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from app.extensions import limiter
from app.services import health

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@limiter.exempt
def healthz() -> Response:
    ok = health.healthy(current_app.config.get("REDIS_URL", ""))
    response = Response("ok\n" if ok else "unavailable\n", status=200 if ok else 503, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response
