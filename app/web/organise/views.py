"""Organisers: wijken, rounds and their kaders, phases, counting and publication."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.models import Role
from app.web.security import role_required

bp = Blueprint("organise", __name__, url_prefix="/organiseren")


@bp.route("/")
@role_required(Role.ORGANISER)
def index():  # type: ignore[no-untyped-def]
    return render_template("organise/index.html")
