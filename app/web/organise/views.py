"""Organisers: wijken, rounds and their kaders, phases, counting and publication."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import AuditEvent, Result, Role, Round, User, Wijk
from app.services import audit, jobs
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.rounds import amendments, phases, wijken
from app.services.rounds import kaders as rounds
from app.web.organise.feedback import show_violation
from app.web.organise.forms import ConfirmForm, RoundForm, WijkForm, split_lines, split_postcodes
from app.web.organise.labels import label_helpers, phase_name
from app.web.security import role_required

bp = Blueprint("organise", __name__, url_prefix="/organiseren")
bp.context_processor(label_helpers)


@bp.route("/")
@role_required(Role.ORGANISER)
def index():  # type: ignore[no-untyped-def]
    all_wijken = db.session.scalars(
        select(Wijk).options(selectinload(Wijk.rounds).selectinload(Round.projects)).order_by(Wijk.name)
    ).all()
    results = {r.round_id: r for r in db.session.scalars(select(Result)).all()}
    actions = {
        rnd.id: phases.pending_actions(rnd, results.get(rnd.id)) for w in all_wijken for rnd in w.rounds
    }
    return render_template(
        "organise/index.html",
        wijken=all_wijken,
        actions=actions,
        phases=phases,
        jobs=jobs.jobs_needing_attention(),
    )


# --- wijken -------------------------------------------------------------------------------------------


@bp.route("/wijk/nieuw", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def wijk_new():  # type: ignore[no-untyped-def]
    form = WijkForm()
    status = 200
    if form.validate_on_submit():
        try:
            wijk = wijken.create_wijk(current_user, **_wijk_values(form))
        except RuleViolation as exc:
            status = _refuse(form, exc)
        else:
            flash(_("The neighbourhood “%(name)s” has been created.", name=wijk.name), "success")
            return redirect(url_for(".index"))
    return render_template("organise/wijk_form.html", form=form, wijk=None), status


@bp.route("/wijk/<int:wijk_id>/bewerken", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def wijk_edit(wijk_id: int):  # type: ignore[no-untyped-def]
    wijk = db.get_or_404(Wijk, wijk_id)
    form = WijkForm(**(_wijk_form_data(wijk) if request.method == "GET" else {}))
    status = 200
    if form.validate_on_submit():
        try:
            wijken.update_wijk(current_user, wijk.id, **_wijk_values(form))
        except RuleViolation as exc:
            status = _refuse(form, exc)
        else:
            flash(_("The neighbourhood “%(name)s” has been saved.", name=wijk.name), "success")
            return redirect(url_for(".index"))
    frozen_by = wijken.frozen_by_round(wijk)
    return render_template("organise/wijk_form.html", form=form, wijk=wijk, frozen_by=frozen_by), status


def _wijk_values(form: WijkForm) -> dict[str, Any]:
    return {
        "name": form.name.data or "",
        "municipality": form.municipality.data or "",
        "buurten": split_lines(form.buurten.data),
        "postcodes": split_postcodes(form.postcodes.data),
    }


def _wijk_form_data(wijk: Wijk) -> dict[str, Any]:
    return {
        "name": wijk.name,
        "municipality": wijk.municipality,
        "buurten": "\n".join(b.name for b in wijk.buurten),
        "postcodes": "\n".join(wijk.postcodes or []),
    }


# --- rounds: kaders and dates -------------------------------------------------------------------------


@bp.route("/wijk/<int:wijk_id>/ronde/nieuw", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def round_new(wijk_id: int):  # type: ignore[no-untyped-def]
    wijk = db.get_or_404(Wijk, wijk_id)
    form = RoundForm()
    form.set_buurten([b.name for b in wijk.buurten])
    status = 200
    if form.validate_on_submit():
        try:
            rnd = rounds.create_round(current_user, wijk.id, _round_settings(form, wijk))
        except RuleViolation as exc:
            status = _refuse(form, exc)
        else:
            flash(_("The round has been created as a draft."), "success")
            return redirect(url_for(".round_detail", round_id=rnd.id))
    return render_template("organise/round_form.html", form=form, wijk=wijk, round=None), status


@bp.route("/ronde/<int:round_id>/bewerken", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def round_edit(round_id: int):  # type: ignore[no-untyped-def]
    rnd = db.get_or_404(Round, round_id)
    if rnd.kaders_frozen:
        # Nothing can change any more; a POST is refused whatever it contains.
        return render_template(
            "organise/round_frozen.html", round=rnd
        ), 409 if request.method == "POST" else 200
    form = RoundForm(**(_round_form_data(rnd) if request.method == "GET" else {}))
    form.set_buurten([b.name for b in rnd.wijk.buurten])
    status = 200
    if form.validate_on_submit():
        try:
            rounds.update_round(current_user, rnd.id, _round_settings(form, rnd.wijk))
        except RuleViolation as exc:
            status = _refuse(form, exc)
        else:
            flash(_("The rules of the round have been saved."), "success")
            return redirect(url_for(".round_detail", round_id=round_id))
    return render_template("organise/round_form.html", form=form, wijk=rnd.wijk, round=rnd), status


def _round_settings(form: RoundForm, wijk: Wijk) -> rounds.RoundSettings:
    values = {name: form[name].data for name in rounds.RoundSettings.__dataclass_fields__}
    values["title"] = values["title"] or ""
    values["out_of_scope"] = values["out_of_scope"] or ""
    values["categories"] = tuple(split_lines(form.categories.data))
    ids = {b.name: b.id for b in wijk.buurten}  # the form checked the names against the wijk's buurten
    for name in ("buurt_caps", "buurt_budgets"):
        values[name] = {ids[buurt]: cents for buurt, cents in (values[name] or {}).items() if buurt in ids}
    values["category_caps"] = values["category_caps"] or {}
    return rounds.RoundSettings(**values)


def _round_form_data(rnd: Round) -> dict[str, Any]:
    values = asdict(rounds.settings_of(rnd))
    values["categories"] = "\n".join(values["categories"])
    names = {b.id: b.name for b in rnd.wijk.buurten}
    for name in ("buurt_caps", "buurt_budgets"):
        values[name] = {names[b]: cents for b, cents in values[name].items() if b in names}
    return values


def _refuse(form: Any, exc: RuleViolation) -> int:
    if isinstance(exc, NotFound):
        abort(404)
    if isinstance(exc, NotAllowed):
        abort(403)
    return show_violation(form, exc)


# --- one round: overview, phases, count and publication ----------------------------------------------


@bp.route("/ronde/<int:round_id>")
@role_required(Role.ORGANISER)
def round_detail(round_id: int):  # type: ignore[no-untyped-def]
    rnd = db.get_or_404(Round, round_id)
    result = phases.hidden_result(rnd.id)
    titles = {p.id: p.title for p in rnd.projects}
    return render_template(
        "organise/round.html",
        round=rnd,
        result=result,
        titles=titles,
        actions=phases.pending_actions(rnd, result),
        phases=phases,
        form=ConfirmForm(),
        amendments=amendments.amendments_of(rnd.id),
        jobs=jobs.jobs_needing_attention(rnd.id),
    )


@bp.route("/ronde/<int:round_id>/volgende-fase", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def round_advance(round_id: int):  # type: ignore[no-untyped-def]
    rnd = db.get_or_404(Round, round_id)
    form = ConfirmForm()
    blocked = None
    if form.validate_on_submit():
        try:
            phases.advance_phase(current_user, rnd.id)
        except RuleViolation as exc:
            blocked = exc
        else:
            flash(_("The round is now in the phase “%(phase)s”.", phase=phase_name(rnd.phase)), "success")
            return redirect(url_for(".round_detail", round_id=round_id))
    return render_template(
        "organise/confirm_advance.html", round=rnd, form=form, blocked=blocked, phases=phases
    ), (409 if blocked else 200)


@bp.route("/ronde/<int:round_id>/stemming-sluiten", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def round_close(round_id: int):  # type: ignore[no-untyped-def]
    rnd = db.get_or_404(Round, round_id)
    form = ConfirmForm()
    refused = None
    if form.validate_on_submit():
        try:
            phases.close_voting(current_user, rnd.id)
        except RuleViolation as exc:
            refused = exc
        else:
            flash(_("Voting is closed. You can now start the count."), "success")
            return redirect(url_for(".round_detail", round_id=round_id))
    return render_template("organise/confirm_close.html", round=rnd, form=form, refused=refused), (
        409 if refused else 200
    )


@bp.route("/ronde/<int:round_id>/tellen", methods=["POST"])
@role_required(Role.ORGANISER)
def round_count(round_id: int):  # type: ignore[no-untyped-def]
    rnd = db.get_or_404(Round, round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        phases.request_count(current_user, rnd.id)
    except RuleViolation as exc:
        return render_template("organise/refused.html", round=rnd, message=exc.message), 409
    flash(
        _("The count has started.") + " " + _("Refresh this page in a moment to see the outcome."), "success"
    )
    return redirect(url_for(".round_detail", round_id=round_id))


@bp.route("/ronde/<int:round_id>/publiceren", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def round_publish(round_id: int):  # type: ignore[no-untyped-def]
    rnd = db.get_or_404(Round, round_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("organise/confirm_publish.html", round=rnd, form=form)
    try:
        phases.request_publication(current_user, rnd.id)
    except RuleViolation as exc:
        return render_template("organise/refused.html", round=rnd, message=exc.message), 409
    flash(
        _("Publication has started.") + " " + _("Refresh this page in a moment to see the outcome."),
        "success",
    )
    return redirect(url_for(".round_detail", round_id=round_id))


@bp.route("/ronde/<int:round_id>/logboek")
@role_required(Role.ORGANISER)
def round_audit(round_id: int):  # type: ignore[no-untyped-def]
    rnd = db.get_or_404(Round, round_id)
    events = db.session.execute(
        select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.round_id == rnd.id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    ).all()
    return render_template("organise/audit.html", round=rnd, events=events, audit_head=audit.head_hash())


# Register the amendment, polling-location, poll-worker, turnout and register routes on this blueprint.
from app.web.organise import amend_views, polling_views, register_views  # noqa: E402, F401
