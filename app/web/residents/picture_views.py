"""Pictures of a proposal: the author adds and removes them; everyone sees them (served from PICTURE_DIR)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from app.models import ProposalPicture
from app.services.errors import RuleViolation
from app.services.proposals import pictures
from app.services.proposals import submissions as proposals
from app.web.residents.blueprint import bp, refusal_page
from app.web.residents.forms import PictureForm, WithdrawForm

# A picture may be 10 MB; the rest of the form is small. Larger requests are refused before they are read.
MAX_PICTURE_REQUEST = pictures.MAX_PICTURE_BYTES + 512 * 1024


@bp.route("/voorstel/<int:project_id>/fotos", methods=["GET", "POST"])
@login_required
def proposal_pictures(project_id: int):  # type: ignore[no-untyped-def]
    request.max_content_length = MAX_PICTURE_REQUEST
    project = proposals.own_proposal(current_user, project_id)
    refusal = pictures.may_change_pictures(current_user, project)
    if refusal is not None:
        return refusal_page(project.round, refusal)
    form = PictureForm()
    if form.validate_on_submit():
        upload = form.picture.data
        data = upload.read(pictures.MAX_PICTURE_BYTES + 1) if upload else None
        try:
            pictures.add_picture(current_user, project.id, data, form.alt_text.data or "")
        except RuleViolation as problem:
            form[problem.field or "picture"].errors = [problem.message]
        else:
            flash(_("The picture has been added."), "success")
            return redirect(url_for("residents.proposal_pictures", project_id=project.id))
    return _page(form, project), 400 if form.errors else 200


def _page(form: PictureForm, project: Any) -> str:
    return render_template(
        "residents/pictures.html",
        form=form,
        project=project,
        round=project.round,
        pictures=pictures.pictures_of([project.id]).get(project.id, []),
        max_pictures=pictures.MAX_PICTURES,
        remove_form=WithdrawForm(),
    )


@bp.route("/voorstel/foto/<int:picture_id>/verwijderen", methods=["POST"])
@login_required
def remove_picture(picture_id: int):  # type: ignore[no-untyped-def]
    if not WithdrawForm().validate_on_submit():
        abort(400)
    try:
        project_id = pictures.picture_project_id(picture_id)
        pictures.remove_picture(current_user, picture_id)
    except RuleViolation as problem:
        return refusal_page(None, problem)
    flash(_("The picture has been removed."), "success")
    return redirect(url_for("residents.proposal_pictures", project_id=project_id))


@bp.route("/foto/<name>")
def picture(name: str):  # type: ignore[no-untyped-def]
    path = pictures.picture_file(name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=pictures.mimetype(name), max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.app_template_global("first_picture")
def first_picture(project_id: int) -> ProposalPicture | None:
    """A project's first picture, for the ballot and the results page; one query per round and request."""
    cache: dict[int, ProposalPicture | None] = g.setdefault("first_pictures", {})
    if project_id not in cache:
        cache.update(pictures.first_pictures_in_round_of(project_id))
        cache.setdefault(project_id, None)
    return cache[project_id]


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge) -> Any:
    message = _("The picture is too large: at most 10 MB. Nothing has been saved.")
    return render_template("errors.html", code=413, title=_("The file is too large"), message=message), 413
