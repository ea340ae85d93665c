"""Poll workers: choose a location, enter paper ballots, and confirm or reject a colleague's entries."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.models import PaperEntry, PollingLocation, Role, Round
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.paper import paper_ballots, polling
from app.services.voting import ballots
from app.services.voting.ballots import BallotCheck, BallotMarks, BallotRejected
from app.web.ballot_marks import marks_from
from app.web.organise.feedback import show_violation
from app.web.security import role_required
from app.web.stembureau.forms import DecisionForm, PaperBallotForm
from app.web.stembureau.labels import paper_labels

bp = Blueprint("stembureau", __name__, url_prefix="/stembureau")
bp.context_processor(paper_labels)
POLL_WORKERS = (Role.POLL_WORKER, Role.ORGANISER)


@bp.route("/")
@role_required(*POLL_WORKERS)
def index():  # type: ignore[no-untyped-def]
    return render_template("stembureau/index.html", locations=polling.open_locations(current_user))


@bp.route("/locatie/<int:location_id>/stembiljet", methods=["GET", "POST"])
@role_required(*POLL_WORKERS)
def enter(location_id: int):  # type: ignore[no-untyped-def]
    location, rnd = _location_or_404(location_id)
    form = PaperBallotForm()
    marks = marks_from(request.form)
    if not form.validate_on_submit():
        return _entry_page(location, rnd, form, marks, status=400 if form.errors else 200)
    try:
        paper_ballots.enter_paper_ballot(
            current_user,
            location.id,
            form.identity(),
            marks,
            assisted=bool(form.assisted.data),
            consent=bool(form.consent.data),
        )
    except BallotRejected as exc:
        return _entry_page(location, rnd, form, marks, check=exc.check, status=400)
    except RuleViolation as exc:
        status = _refused(form, exc)
        return _entry_page(location, rnd, form, marks, status=400 if status == 200 else status)
    flash(_("Saved. Another poll worker must now check and confirm this ballot."), "success")
    return redirect(url_for(".enter", location_id=location.id))


def _entry_page(
    location: PollingLocation,
    rnd: Round,
    form: PaperBallotForm,
    marks: BallotMarks,
    *,
    check: BallotCheck | None = None,
    status: int = 200,
) -> tuple[str, int]:
    shown = ballots.check_ballot(
        rnd, marks, for_poll_worker=True
    )  # what was marked, for the form; the problems come from `check`
    page = render_template(
        "stembureau/enter.html",
        location=location,
        round=rnd,
        form=form,
        parts=ballots.page_parts(rnd, check or shown, every_part=True),
        marked=shown,
        check=check,
        voting_open=ballots.voting_open(rnd),
        waiting=len(paper_ballots.pending_entries(current_user, location.id)),
    )
    return page, status


@bp.route("/locatie/<int:location_id>/controleren")
@role_required(*POLL_WORKERS)
def pending(location_id: int):  # type: ignore[no-untyped-def]
    location, rnd = _location_or_404(location_id)
    return _pending_page(location, rnd)


def _pending_page(
    location: PollingLocation, rnd: Round, *, errors: dict[int, Any] | None = None, status: int = 200
) -> tuple[str, int]:
    page = render_template(
        "stembureau/pending.html",
        location=location,
        round=rnd,
        entries=paper_ballots.pending_entries(current_user, location.id),
        form=DecisionForm(),
        errors=errors or {},
    )
    return page, status


@bp.route("/locatie/<int:location_id>/invoer/<int:entry_id>/bevestigen", methods=["POST"])
@role_required(*POLL_WORKERS)
def confirm(location_id: int, entry_id: int):  # type: ignore[no-untyped-def]
    location, rnd = _location_or_404(location_id)
    _entry_of_location(location, entry_id)
    if not DecisionForm().validate_on_submit():
        abort(400)
    try:
        receipt = paper_ballots.confirm_paper_entry(current_user, entry_id)
    except (NotFound, NotAllowed) as exc:
        _abort_for(exc)
    except RuleViolation as exc:
        flash(str(exc.message), "error")
        return redirect(url_for(".pending", location_id=location.id))
    # Shown once, in this answer only: the receipt is not kept anywhere that links it to the resident.
    return render_template("stembureau/receipt.html", location=location, round=rnd, receipt=receipt)


@bp.route("/locatie/<int:location_id>/invoer/<int:entry_id>/afwijzen", methods=["POST"])
@role_required(*POLL_WORKERS)
def reject(location_id: int, entry_id: int):  # type: ignore[no-untyped-def]
    location, rnd = _location_or_404(location_id)
    _entry_of_location(location, entry_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        paper_ballots.reject_paper_entry(current_user, entry_id, form.reason.data or "")
    except (NotFound, NotAllowed) as exc:
        _abort_for(exc)
    except RuleViolation as exc:
        if exc.field == "reason":
            return _pending_page(location, rnd, errors={entry_id: exc.message}, status=400)
        flash(str(exc.message), "error")
    else:
        flash(_("The paper ballot was rejected; nothing was counted."), "success")
    return redirect(url_for(".pending", location_id=location.id))


def _entry_of_location(location: PollingLocation, entry_id: int) -> None:
    """404 for an entry of another location: a location's page decides only its own entries."""
    entry = db.get_or_404(PaperEntry, entry_id)
    if entry.location_id != location.id:
        abort(404)


def _location_or_404(location_id: int) -> tuple[PollingLocation, Round]:
    location = db.get_or_404(PollingLocation, location_id)
    if not polling.works_at(current_user, location):
        abort(404)  # another wijk's location, or one this poll worker is not assigned to
    return location, db.session.get_one(Round, location.round_id)


def _abort_for(exc: RuleViolation) -> NoReturn:
    abort(404 if isinstance(exc, NotFound) else 403)


def _refused(form: PaperBallotForm, exc: RuleViolation) -> int:
    """Put the refusal next to its field (or above the form); 404/403 for what does not exist or is not yours."""
    if isinstance(exc, NotFound | NotAllowed):
        _abort_for(exc)
    return show_violation(form, exc)
