"""Organisers upload the buurt outlines of a wijk (GeoJSON) for the maps and the check of proposal places."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from app.models import Role, Wijk
from app.services.errors import RuleViolation
from app.services.rounds import buurt_maps
from app.translated import lazy_gettext as _l
from app.web.organise.feedback import show_violation
from app.web.organise.views import bp
from app.web.security import owned_or_404, role_required


class BoundaryUploadForm(FlaskForm):
    file = FileField(
        _l("Buurt outlines (GeoJSON)"),
        validators=[FileRequired(_l("Choose the GeoJSON file with the buurt outlines."))],
        description=_l(
            "A GeoJSON FeatureCollection with one polygon per buurt and its name (for example “buurtnaam” from "
            "the CBS wijk- en buurtkaart), in RD New or WGS84. The names must match the buurten of the neighbourhood."
        ),
    )


@bp.route("/wijk/<int:wijk_id>/kaart", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def wijk_map(wijk_id: int):  # type: ignore[no-untyped-def]
    request.max_content_length = buurt_maps.MAX_BOUNDARY_BYTES + 512 * 1024
    wijk = owned_or_404(Wijk, wijk_id)
    form = BoundaryUploadForm()
    status = 200
    if form.validate_on_submit():
        try:
            upload = buurt_maps.upload_boundaries(current_user, wijk.id, form.file.data.read())
        except RuleViolation as exc:
            status = show_violation(form, exc)
        else:
            flash(_("Outlines saved for: %(names)s.", names=", ".join(upload.matched)), "success")
            if upload.unknown:
                flash(
                    _(
                        "Not a buurt of this neighbourhood, left out: %(names)s.",
                        names=", ".join(upload.unknown),
                    ),
                    "warning",
                )
            return redirect(url_for(".wijk_map", wijk_id=wijk.id))
    status = 400 if form.errors and status == 200 else status
    return render_template("organise/wijk_map.html", form=form, wijk=wijk), status
