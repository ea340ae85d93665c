"""Reactions (reacties) to proposals: plain text, one level of replies, edits for 15 minutes, reports, and
moderation by organisers.

Rules:
- Any logged-in user reacts while the round is in the proposal or review phase; from voting on the
  reactions are read-only (still visible, and organisers may still hide one).
- Plain text only: a text with HTML tags is refused with a clear message (never stored, never rendered as
  HTML); links are shown as links by the page. At most BODY_LIMIT characters.
- A reply answers a reaction that is not itself a reply (one level), of the same proposal.
- The author may edit their reaction for EDIT_MINUTES after posting it, while reactions are open and it is
  not hidden.
- Any logged-in user reports a reaction once; organisers see the reported reactions.
- An organiser hides a reaction with a public reason shown in its place; the audit log keeps who and why.
- The proposer hears of new reactions, and so does every follower (in-app and by e-mail, via the outbox).
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Phase, Project, Reaction, ReactionReport, Round, User
from app.models.base import utcnow
from app.models.reaction import BODY_LIMIT
from app.services.accounts.wijk_access import in_held_wijken, require_wijk
from app.services.audit import record_event
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.insert_once import insert_once
from app.services.proposals.follows import tell_followers
from app.services.proposals.submissions import MAX_ID, public_project
from app.services.rounds.wijken import require_organiser
from app.translated import lazy_gettext as _l

EDIT_MINUTES = 15
REASON_MAX = 500
OPEN_PHASES = (Phase.PROPOSALS.value, Phase.REVIEW.value)
# A tag such as <b>, </p>, <a href=...> or <!-- -->: plain text has none ("3 < 4" and "<3" are fine).
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^<>]*>")


def reactions_open(project: Project) -> bool:
    return project.round.phase in OPEN_PHASES


def may_react(actor: User | None, project: Project) -> RuleViolation | None:
    """Why `actor` may not react to `project` now, or None when they may."""
    if not reactions_open(project):
        return RuleViolation(_l("Reactions are closed: voting has started. You can still read them."))
    if actor is None:
        return NotAllowed(_l("Log in to react."))
    return None


def body_problem(body: str) -> RuleViolation | None:
    """What is wrong with a reaction's text, or None when it may be stored."""
    text = _clean(body)
    if not text:
        return RuleViolation(_l("Write your reaction."), "body")
    if len(text) > BODY_LIMIT:
        return RuleViolation(
            _l(
                "Your reaction has %(n)d characters; at most %(max)d are allowed. Make it shorter.",
                n=len(text),
                max=BODY_LIMIT,
            ),
            "body",
        )
    if _HTML_TAG.search(text):
        return RuleViolation(
            _l(
                "Write plain text, without HTML codes (tags between angle brackets). You can paste a link as it is."
            ),
            "body",
        )
    return None


def _clean(text: str) -> str:
    return text.replace("\x00", "").replace("\r\n", "\n").strip()


def post_reaction(actor: User, project_id: int, body: str, parent_id: int | None = None) -> Reaction:
    """Store a reaction (or a reply to `parent_id`) and tell the proposer and the followers."""
    project = public_project(project_id)
    _refuse(may_react(actor, project) or body_problem(body))
    if parent_id is not None:
        parent = _reaction(parent_id)
        if parent.project_id != project.id or parent.parent_id is not None:
            raise RuleViolation(_l("You can only reply to a reaction on this proposal, not to a reply."))
    reaction = Reaction(project_id=project.id, parent_id=parent_id, author_id=actor.id, body=_clean(body))
    db.session.add(reaction)
    db.session.flush()
    tell_followers(
        project,
        actor,
        "proposal_reaction",
        reaction_id=reaction.id,
        name=actor.name,
        excerpt=_excerpt(reaction.body),
    )
    db.session.commit()
    return reaction


def _excerpt(text: str, length: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


def may_edit(actor: User | None, reaction: Reaction) -> RuleViolation | None:
    if actor is None or reaction.author_id != actor.id:
        return NotAllowed(_l("Only the writer can change a reaction."))
    if reaction.hidden_at is not None:
        return RuleViolation(_l("This reaction has been hidden and can no longer be changed."))
    if utcnow() - reaction.created_at > timedelta(minutes=EDIT_MINUTES):
        return RuleViolation(
            _l("A reaction can only be changed in the first %(n)d minutes after posting it.", n=EDIT_MINUTES)
        )
    return may_react(actor, _project_of(reaction))


def edit_reaction(actor: User, reaction_id: int, body: str) -> Reaction:
    reaction = _reaction(reaction_id)
    _refuse(may_edit(actor, reaction) or body_problem(body))
    reaction.body = _clean(body)
    reaction.edited_at = utcnow()
    db.session.commit()
    return reaction


def report_reaction(actor: User, reaction_id: int, reason: str) -> Reaction:
    """Tell the organisers about a reaction (once per user; reporting again changes nothing)."""
    reaction = _reaction(reaction_id)
    reason = _clean(reason)
    if len(reason) > REASON_MAX:
        raise RuleViolation(_l("Use at most %(n)d characters.", n=REASON_MAX), "reason")
    insert_once(
        ReactionReport,
        ["reaction_id", "reporter_id"],
        reaction_id=reaction.id,
        reporter_id=actor.id,
        reason=reason,
    )
    db.session.commit()
    return reaction


def hide_reaction(actor: User, reaction_id: int, reason: str) -> Reaction:
    """An organiser hides a reaction; the public reason takes its place. Audited as "reaction.hidden"."""
    require_organiser(actor)
    reaction = reaction_to_moderate(actor, reaction_id)
    reason = _clean(reason)
    if not reason:
        raise RuleViolation(_l("Explain why the reaction is hidden. Everyone sees this reason."), "reason")
    if len(reason) > REASON_MAX:
        raise RuleViolation(_l("Use at most %(n)d characters.", n=REASON_MAX), "reason")
    if reaction.hidden_at is not None:
        raise RuleViolation(_l("This reaction has already been hidden."))
    reaction.hidden_at, reaction.hidden_reason, reaction.hidden_by_id = utcnow(), reason, actor.id
    for report in db.session.scalars(select(ReactionReport).where(ReactionReport.reaction_id == reaction.id)):
        report.handled_at = reaction.hidden_at
    project = _project_of(reaction)
    record_event(
        actor,
        "reaction.hidden",
        round_id=project.round_id,
        subject=f"reaction {reaction.id} on project {project.id}",
        details={"reaction_id": reaction.id, "project_id": project.id, "reason": reason},
    )
    db.session.commit()
    return reaction


def dismiss_reports(actor: User, reaction_id: int) -> None:
    """An organiser read the reports and leaves the reaction as it is."""
    require_organiser(actor)
    reaction = reaction_to_moderate(actor, reaction_id)
    now = utcnow()
    for report in db.session.scalars(
        select(ReactionReport).where(
            ReactionReport.reaction_id == reaction.id, ReactionReport.handled_at.is_(None)
        )
    ):
        report.handled_at = now
    record_event(actor, "reaction.reports_dismissed", subject=f"reaction {reaction.id}")
    db.session.commit()


def reactions_of(project_id: int) -> list[Reaction]:
    """The top-level reactions of a proposal, oldest first; each carries its replies."""
    return list(
        db.session.scalars(
            select(Reaction)
            .where(Reaction.project_id == project_id, Reaction.parent_id.is_(None))
            .order_by(Reaction.created_at, Reaction.id)
        )
    )


def reaction_counts(project_ids: list[int]) -> dict[int, int]:
    if not project_ids:
        return {}
    rows = db.session.execute(
        select(Reaction.project_id, func.count())
        .where(Reaction.project_id.in_(project_ids))
        .group_by(Reaction.project_id)
    )
    return {project_id: count for project_id, count in rows}


def reported_reactions(actor: User) -> list[tuple[Reaction, int]]:
    """Reactions in the actor's wijken with reports no organiser has handled yet, with their number of
    reports, oldest first."""
    rows = db.session.execute(
        select(Reaction, func.count(ReactionReport.id))
        .join(ReactionReport, ReactionReport.reaction_id == Reaction.id)
        .join(Project, Project.id == Reaction.project_id)
        .join(Round, Round.id == Project.round_id)
        .where(ReactionReport.handled_at.is_(None), in_held_wijken(actor, Round.wijk_id))
        .group_by(Reaction.id)
        .order_by(func.min(ReactionReport.created_at))
    )
    return [(reaction, count) for reaction, count in rows]


def reaction_for(reaction_id: int) -> Reaction:
    return _reaction(reaction_id)


def reaction_to_moderate(actor: User, reaction_id: int) -> Reaction:
    """A reaction for staff to moderate: to staff of another wijk it does not exist."""
    reaction = _reaction(reaction_id)
    require_wijk(actor, _project_of(reaction).round.wijk_id)
    return reaction


def _reaction(reaction_id: int) -> Reaction:
    reaction = db.session.get(Reaction, reaction_id) if 0 < reaction_id <= MAX_ID else None
    if reaction is None or public_project(reaction.project_id) is None:
        raise NotFound(_l("This reaction does not exist."))
    return reaction


def _project_of(reaction: Reaction) -> Project:
    return public_project(reaction.project_id)


def _refuse(problem: RuleViolation | None) -> None:
    if problem is not None:
        raise problem
