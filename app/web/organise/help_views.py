"""Organisers see residents' help requests nobody has answered yet, and how long each has waited."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from app.models import Role
from app.services.proposals import help_requests
from app.web.help_forms import TOPIC_LABELS
from app.web.organise.views import bp
from app.web.security import role_required


@bp.route("/hulpvragen")
@role_required(Role.ORGANISER)
def open_help_requests():  # type: ignore[no-untyped-def]
    return render_template(
        "organise/help_requests.html",
        waiting=help_requests.open_requests_for_organiser(current_user),
        topics=TOPIC_LABELS,
    )
