"""Organisers: the polling locations of a round, who the poll workers are, and the turnout dashboard."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_percent
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.local_time import local_date
from app.models import PollingLocation, Role, Round
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.paper import polling
from app.services.rounds import wijken
from app.services.voting import turnout
from app.web.organise.forms import ConfirmForm
from app.web.organise.polling_forms import LocationForm, UserSearchForm
from app.web.organise.views import _refuse, bp
from app.web.security import owned_or_404, role_required, round_or_404
from app.web.stembureau.labels import channel_name, location_kind


@bp.route("/ronde/<int:round_id>/stembureaus", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def locations(round_id: int):  # type: ignore[no-untyped-def]
    rnd = round_or_404(round_id)
    form = LocationForm()
    status = 200
    if form.validate_on_submit():
        try:
            location = polling.create_location(
                current_user, rnd.id, form.name.data or "", form.kind.data or "", **form.details()
            )
        except RuleViolation as exc:
            status = _refuse(form, exc)
        else:
            flash(_("The location “%(name)s” has been added.", name=location.name), "success")
            return redirect(url_for(".locations", round_id=rnd.id))
    all_here = polling.locations_of(rnd.id)
    return render_template(
        "organise/locations.html",
        round=rnd,
        form=form,
        locations=all_here,
        assigned={location.id: polling.assigned_poll_workers(location.id) for location in all_here},
        poll_workers=polling.poll_workers_of_wijk(rnd.wijk_id),
        confirm_form=ConfirmForm(),
        location_kind=location_kind,
    ), status


@bp.route("/stembureau/<int:location_id>/stembureauleden", methods=["POST"])
@role_required(Role.ORGANISER)
def location_assign(location_id: int):  # type: ignore[no-untyped-def]
    location = owned_or_404(PollingLocation, location_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        worker = polling.assign_poll_worker(
            current_user, location.id, request.form.get("user_id", 0, type=int)
        )
    except (NotFound, NotAllowed) as exc:
        abort(404 if isinstance(exc, NotFound) else 403)
    except RuleViolation as exc:
        flash(str(exc.message), "error")
    else:
        flash(
            _("%(name)s now works at %(location)s.") % {"name": worker.name, "location": location.name},
            "success",
        )
    return redirect(url_for(".locations", round_id=location.round_id))


@bp.route("/stembureau/<int:location_id>/stembureauleden/<int:user_id>/weg", methods=["POST"])
@role_required(Role.ORGANISER)
def location_unassign(location_id: int, user_id: int):  # type: ignore[no-untyped-def]
    location = owned_or_404(PollingLocation, location_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        polling.unassign_poll_worker(current_user, location.id, user_id)
    except NotFound:
        abort(404)
    flash(_("The poll worker no longer works at %(location)s.") % {"location": location.name}, "success")
    return redirect(url_for(".locations", round_id=location.round_id))


@bp.route("/stembureau/<int:location_id>/bewerken", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def location_edit(location_id: int):  # type: ignore[no-untyped-def]
    location = owned_or_404(PollingLocation, location_id)
    form = LocationForm(obj=location if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        try:
            polling.update_location(
                current_user, location.id, form.name.data or "", form.kind.data or "", **form.details()
            )
        except RuleViolation as exc:
            status = _refuse(form, exc)
        else:
            flash(_("The location has been saved."), "success")
            return redirect(url_for(".locations", round_id=location.round_id))
    rnd = db.session.get_one(Round, location.round_id)
    return render_template("organise/location_form.html", round=rnd, location=location, form=form), status


@bp.route("/stembureauleden")
@role_required(Role.ADMIN)  # only an admin makes someone a poll worker
def poll_workers():  # type: ignore[no-untyped-def]
    search = UserSearchForm(request.args)
    return render_template(
        "organise/poll_workers.html",
        search=search,
        users=polling.users_by_email(search.q.data or ""),
        wijken=wijken.all_wijken(),
        form=ConfirmForm(),
    )


@bp.route("/stembureauleden/<int:user_id>", methods=["POST"])
@role_required(Role.ADMIN)
def poll_worker_set(user_id: int):  # type: ignore[no-untyped-def]
    if not ConfirmForm().validate_on_submit():
        abort(400)
    grant = request.form.get("grant") == "1"
    wijk_id = request.form.get("wijk_id", type=int)
    try:
        user = polling.set_poll_worker(
            current_user, user_id, grant=grant, wijk_ids=[wijk_id] if grant and wijk_id else []
        )
    except (NotFound, NotAllowed) as exc:
        abort(404 if isinstance(exc, NotFound) else 403)
    except RuleViolation as exc:
        flash(str(exc.message), "error")
    else:
        message = (
            _("%(email)s is now a poll worker.") if grant else _("%(email)s is no longer a poll worker.")
        )
        flash(message % {"email": user.email}, "success")
    return redirect(url_for(".poll_workers", q=request.form.get("q", "")))


@bp.route("/ronde/<int:round_id>/opkomst")
@role_required(Role.ORGANISER)
def round_turnout(round_id: int):  # type: ignore[no-untyped-def]
    rnd = round_or_404(round_id)
    numbers = turnout.round_turnout(current_user, rnd.id)
    return render_template(
        "organise/turnout.html",
        round=rnd,
        turnout=numbers,
        age_on=format_date(numbers.age_on, "d MMMM yyyy"),
        opened_early=rnd.voting_opened_at is not None and local_date(rnd.voting_opened_at) < numbers.age_on,
        percent=_percent,
        channel_name=channel_name,
        min_group=turnout.MIN_GROUP,
    )


def _percent(share: Any) -> str:
    return "" if share is None else str(format_percent(float(share), "#,##0.0%"))
