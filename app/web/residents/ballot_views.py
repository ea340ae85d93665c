"""The ballot (only while voting is open) and the receipt afterwards."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.models import Eligibility, Round
from app.services.rounds.parts import has_buurt_parts
from app.services.voting import ballots
from app.services.voting.ballots import BallotMarks
from app.web.ballot_marks import forget_draft, marks_from, recall_draft, remember_draft
from app.web.residents.blueprint import bp, refusal_page, round_or_404
from app.web.residents.forms import BallotForm
from app.web.residents.result_mail_views import result_mail_box


@bp.route("/ronde/<int:round_id>/stemmen", methods=["GET", "POST"])
@login_required
def ballot(round_id: int):  # type: ignore[no-untyped-def]
    rnd = round_or_404(round_id)
    refusal = ballots.may_vote(current_user, rnd)
    if refusal is not None:
        return refusal_page(rnd, refusal)
    form = BallotForm()
    page_key = f"round-{rnd.id}"
    if not form.validate_on_submit():
        draft = recall_draft(session, page_key) if request.args.get("nagekeken") else None
        if draft is not None:  # after "Check my choice" or a refused vote (Post/Redirect/Get)
            return _ballot_page(rnd, form, draft, checked=True)
        forget_draft(session)
        current = ballots.stored_marks(ballots.current_ballot(current_user, rnd.id))
        return _ballot_page(rnd, form, current, checked=False)
    marks = marks_from(request.form)
    if (
        request.form.get("action") != "check"
    ):  # "Check my choice" shows the totals and problems, saves nothing
        try:
            _stored, created = ballots.cast_ballot(current_user, rnd.id, marks)
        except ballots.BallotRejected:
            created = None
        if created is not None:
            forget_draft(session)
            flash(_("Your vote has been saved.") if created else _("Your vote has been changed."), "success")
            return redirect(url_for("residents.receipt", round_id=rnd.id))
    # A redirect, so that Back never asks to send the form again; the marks wait in the session.
    remember_draft(session, page_key, marks)
    return redirect(
        url_for("residents.ballot", round_id=rnd.id, nagekeken=1, _anchor="ballot-result"), code=303
    )


@bp.route("/ronde/<int:round_id>/stembewijs")
@login_required
def receipt(round_id: int):  # type: ignore[no-untyped-def]
    rnd = round_or_404(round_id)
    stored = ballots.current_ballot(current_user, rnd.id)
    if stored is None:
        flash(_("You have not voted in this round yet."), "info")
        return redirect(url_for("residents.round_page", round_id=rnd.id))
    return render_template(
        "residents/receipt.html",
        round=rnd,
        ballot=stored,
        projects=ballots.chosen_projects(stored),
        values=ballots.choice_values(stored),
        can_change=ballots.may_vote(current_user, rnd) is None,
        result_mail=result_mail_box(rnd, "receipt"),
    )


def _ballot_page(
    rnd: Round, form: BallotForm, marks: BallotMarks, *, checked: bool, status: int = 200
) -> tuple[str, int]:
    buurt = ballots.account_buurt(current_user, rnd)
    check = ballots.check_ballot(rnd, marks, register_buurt_id=buurt)
    page = render_template(
        "residents/ballot.html",
        round=rnd,
        form=form,
        options=ballots.ballot_options(rnd),
        parts=ballots.page_parts(rnd, check, register_buurt_id=buurt),
        buurt_choice=rnd.eligibility == Eligibility.OPEN.value and has_buurt_parts(rnd),
        check=check,
        checked=checked,
        has_voted=ballots.current_ballot(current_user, rnd.id) is not None,
    )
    return page, status
