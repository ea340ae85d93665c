"""Residents: the rounds, a round's page, its projects, and one's own proposals.

Proposal and ballot routes live in their own modules, registered on the same blueprint below.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import render_template, request, session
from flask_login import current_user, login_required

from app.models import Eligibility, Round
from app.services.eligibility import matches as register_matches
from app.services.paper import polling
from app.services.proposals import finding, follows, pictures, reactions, support
from app.services.proposals import submissions as proposals
from app.services.rounds import amendments, buurt_maps
from app.services.voting import ballots
from app.web.page_cache import cached_page
from app.web.residents.blueprint import bp, round_or_404
from app.web.residents.forms import ProposalFilterForm, ReactionForm, RegisterMatchForm, WithdrawForm
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
        has_map=buurt_maps.has_map(rnd.wijk),
        locations=polling.locations_of(rnd.id),
    )
    return page, status


@bp.route("/ronde/<int:round_id>/projecten")
def projects(round_id: int):  # type: ignore[no-untyped-def]
    rnd = round_or_404(round_id)
    form = ProposalFilterForm(request.args, meta={"csrf": False})
    form.set_choices(rnd)
    supports = support.support_counts(rnd.id)
    found = finding.find_proposals(rnd, form.query(), supports, _visitor_seed())
    return render_template(
        "residents/projects.html",
        round=rnd,
        projects=found,
        all_count=len(rnd.projects),
        filter_form=form,
        supports=supports,
        supported=support.supported_ids(_user(), rnd.id),
        pictures=pictures.pictures_of([p.id for p in found]),
    )


def _visitor_seed() -> str:
    """A random seed kept in the visitor's session: their "random" order stays the same while they browse."""
    if "proposal_order_seed" not in session:
        session["proposal_order_seed"] = secrets.token_hex(8)
    return str(session["proposal_order_seed"])


@bp.route("/project/<int:project_id>")
def project(project_id: int):  # type: ignore[no-untyped-def]
    return project_page(project_id)


def project_page(
    project_id: int, reaction_form: ReactionForm | None = None, status: int = 200, **extra: Any
) -> Any:
    """The proposal with its support, reactions and review; `reaction_form` carries a refused reaction,
    `extra` other forms with their problems (a delivery feedback form)."""
    item = proposals.public_project(project_id)
    user = _user()
    page = render_template(
        "residents/project.html",
        project=item,
        round=item.round,
        mine=user is not None and item.author_id == user.id,
        amendments=amendments.amendments_of(item.round_id, project_id=item.id),
        support_count=support.support_count(item.id),
        supported=support.has_supported(user, item.id),
        support_refusal=support.may_support(user, item),
        support_form=WithdrawForm(),
        reactions=reactions.reactions_of(item.id),
        react_refusal=reactions.may_react(user, item),
        reaction_form=reaction_form or ReactionForm(formdata=None),
        may_edit=lambda r: reactions.may_edit(user, r) is None,
        following=follows.follows(user, item.id),
        pictures=pictures.pictures_of([item.id]).get(item.id, []),
        **extra,
    )
    return page, status


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
from app.web.residents import (  # noqa: E402, F401
    ballot_views,
    help_views,
    map_views,
    match_views,
    picture_views,
    proposal_views,
    reaction_views,
    support_views,
)
