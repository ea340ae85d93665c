"""The municipality's theme as a stylesheet of its own: colours from settings, never inline styles (CSP)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

bp = Blueprint("assets", __name__)


@bp.get("/thema.css")
def theme_stylesheet() -> Response:
    response = Response(current_app.config["THEME"].stylesheet(), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
