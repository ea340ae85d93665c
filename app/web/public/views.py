"""Public results pages of published rounds. No login; nothing is shown before publication."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_babel import gettext as _

from app.services import audit
from app.services.errors import NotFound
from app.services.results import publishing, record
from app.services.rounds import amendments, buurt_maps
from app.web.page_cache import cached_page
from app.web.public.presenter import ResultPage, as_json, present, votes_chart

bp = Blueprint("public", __name__, url_prefix="/uitslag")


@bp.route("/")
@cached_page("results_index")
def index():  # type: ignore[no-untyped-def]
    return render_template("public/index.html", published=publishing.published_rounds())


@bp.route("/<int:round_id>")
@cached_page("results", round_arg="round_id")
def results(round_id: int):  # type: ignore[no-untyped-def]
    try:
        page = _page(round_id)
    except NotFound as missing:
        return _not_published(missing), 404
    return render_template(
        "public/results.html",
        page=page,
        chart=votes_chart(page),
        amendments=amendments.amendments_of(round_id),
        has_map=buurt_maps.has_map(page.round.wijk),
        eligible=record.published_eligible_voters(round_id),
    )


@bp.route("/vingerafdruk")
def audit_fingerprint():  # type: ignore[no-untyped-def]
    """The audit log's head right now: on a page of its own, because it moves with every logged action."""
    return render_template("public/audit_fingerprint.html", audit_head=audit.head_hash())


@bp.route("/<int:round_id>.json")
@cached_page("results_json", round_arg="round_id")
def results_json(round_id: int):  # type: ignore[no-untyped-def]
    try:
        page = _page(round_id)
    except NotFound as missing:
        return jsonify({"error": str(missing.message)}), 404
    return jsonify(as_json(page))


def _page(round_id: int) -> ResultPage:
    return present(publishing.published_result(round_id))


def _not_published(missing: NotFound) -> str:
    return render_template("errors.html", code=404, title=_("No result yet"), message=missing.message)
