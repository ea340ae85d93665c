"""The residents' blueprint and what its views share: finding a round, refusal pages, service errors."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template
from werkzeug.exceptions import NotFound as HTTPNotFound

from app.models import Round
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.proposals import submissions as proposals

bp = Blueprint("residents", __name__)


def round_or_404(round_id: int) -> Round:
    try:
        return proposals.visible_round(round_id)
    except NotFound:
        abort(404)


def refusal_page(rnd: Round | None, problem: RuleViolation) -> tuple[str, int]:
    """Explain why an action is not possible now: 403 for who you are, 409 for the phase of the round."""
    status = 403 if isinstance(problem, NotAllowed) else 409
    page = render_template("residents/refused.html", round=rnd, message=problem.message, problem=problem)
    return page, status


@bp.errorhandler(NotFound)
def _not_found(exc: NotFound) -> Any:
    return current_app.handle_http_exception(HTTPNotFound())


@bp.errorhandler(RuleViolation)
def _refused(exc: RuleViolation) -> Any:
    """A rule said no between showing the page and saving (e.g. the phase changed): explain, never a 500."""
    return refusal_page(None, exc)
