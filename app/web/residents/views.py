"""Residents: the rounds, a round's page, its projects, and one's own proposals.

Proposal and ballot routes live in their own modules, registered on the same blueprint below.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_login import current_user, login_required

from app.models import Eligibility, Round
from app.services.eligibility import matches as register_matches
from app.services.proposals import submissions as proposals
from app.services.rounds import amendments
from app.services.voting import ballots
from app.web.page_cache import cached_page
from app.web.residents.blueprint import bp, round_or_404
from app.web.residents.forms import RegisterMatchForm
from app.web.residents.result_mail_views import result_mail_box

__all__ = ["bp"]


def _user():  # type: ignore[no-untyped-def]
    return current_user if current_user.is_authenticated else None


@bp.route("/")
@cached_page("home")
def home():  # type: ignore[no-untyped-def]
    user = _user()
    rounds = proposals.rounds_for(user)
    own_wijk_id = user.wijk_id if user else None
    own = [r for r in rounds if own_wijk_id is not None and r.wijk_id == own_wijk_id]
    others = [r for r in rounds if r not in own]
    return render_template("residents/home.html", own_rounds=own, other_rounds=others)


@bp.route("/ronde/<int:round_id>")
@cached_page("round", round_arg="round_id")
def round_page(round_id: int):  # type: ignore[no-untyped-def]
    return round_page_response(round_or_404(round_id))


def round_page_response(rnd: Round, match_form: RegisterMatchForm | None = None, status: int = 200) -> Any:
    """The round page; in register-match rounds with the resident's match and the form to ask for one."""
    user = _user()
    match = None
    if user is not None and rnd.eligibility == Eligibility.REGISTER_MATCH.value:
        match = register_matches.latest_match(user.id, rnd.id)
        match_form = match_form or RegisterMatchForm(formdata=None)
    page = render_template(
        "residents/round.html",
        round=rnd,
        propose_refusal=proposals.may_propose(user, rnd),
        vote_refusal=ballots.may_vote(user, rnd),
        ballot=ballots.current_ballot(user, rnd.id) if user else None,
        result_mail=result_mail_box(rnd, "round"),
        amendments=amendments.amendments_of(rnd.id),
        match=match,
        match_reason=register_matches.rejection_text(match) if match and match.reason else None,
        match_form=match_form,
    )
    return page, status


@bp.route("/ronde/<int:round_id>/projecten")
def projects(round_id: int):  # type: ignore[no-untyped-def]
    rnd = round_or_404(round_id)
    return render_template("residents/projects.html", round=rnd, projects=rnd.projects)


@bp.route("/project/<int:project_id>")
def project(project_id: int):  # type: ignore[no-untyped-def]
    item = proposals.public_project(project_id)
    user = _user()
    mine = user is not None and item.author_id == user.id
    corrections = amendments.amendments_of(item.round_id, project_id=item.id)
    return render_template(
        "residents/project.html", project=item, round=item.round, mine=mine, amendments=corrections
    )


@bp.route("/mijn-voorstellen")
@login_required
def my_proposals():  # type: ignore[no-untyped-def]
    own = proposals.proposals_of(current_user)
    notes = proposals.proposal_notifications(current_user)
    unread = [n.id for n in notes if n.read_at is None]
    page = render_template(
        "residents/my_proposals.html",
        projects=own,
        projects_by_id={p.id: p for p in own},
        notifications=notes,
        unread=set(unread),
    )
    proposals.mark_notifications_read(current_user, unread)
    return page


# Register the proposal and ballot routes on the blueprint.
from app.web.residents import ballot_views, match_views, proposal_views  # noqa: E402, F401
