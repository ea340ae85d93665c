"""Professionals: the feasibility review (haalbaarheidstoets) before voting."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.models import Role
from app.web.security import role_required

bp = Blueprint("review", __name__, url_prefix="/toets")


@bp.route("/")
@role_required(Role.PROFESSIONAL)
def index():  # type: ignore[no-untyped-def]
    return render_template("review/index.html")
