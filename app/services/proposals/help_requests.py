"""Help when residents ask (hulp vragen): a resident asks for help with their own proposal (a cost estimate,
a permit, finding volunteers, putting it into words); a professional of the wijk picks it up and answers in
the platform.

Rules: only the author asks, while the round is in the proposal or review phase. Professionals see the open
requests of their own wijk (admins of every wijk); one picks a request up (the first one wins: the row is
locked) and answers it. The resident sees who helps them. Organisers see open requests and how long each has
waited. Nothing about a request is public: every read names its reader.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from app.extensions import db
from app.models import Phase, Project, Role, Round, User
from app.models.base import utcnow
from app.models.help_request import HelpRequest, HelpStatus, HelpTopic
from app.services.accounts.wijk_access import holds_wijk, in_held_wijken
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.notifications.inbox import notify
from app.services.proposals.submissions import MAX_ID, own_proposal
from app.translated import lazy_gettext as _l

QUESTION_MAX = 2000
OPEN_PHASES = (Phase.PROPOSALS.value, Phase.REVIEW.value)


def ask_for_help(actor: User, project_id: int, topic: str, question: str) -> HelpRequest:
    project = own_proposal(actor, project_id)
    if project.round.phase not in OPEN_PHASES:
        raise RuleViolation(_l("You can ask for help until voting starts."))
    if topic not in {t.value for t in HelpTopic}:
        raise RuleViolation(_l("Choose what you would like help with."), "topic")
    text = question.replace("\x00", "").strip()
    if not text:
        raise RuleViolation(_l("Write your question."), "question")
    if len(text) > QUESTION_MAX:
        raise RuleViolation(_l("Use at most %(n)d characters.", n=QUESTION_MAX), "question")
    request = HelpRequest(project_id=project.id, asker_id=actor.id, topic=topic, question=text)
    db.session.add(request)
    db.session.commit()
    return request


def _require_professional(actor: User) -> None:
    if not actor.has_role(Role.PROFESSIONAL):
        raise NotAllowed(_l("Only professionals can help with proposals."))


def _in_their_wijk(actor: User, project: Project) -> bool:
    return holds_wijk(actor, project.round.wijk_id)


def _in_held_wijken(actor: User, query: Select[Any]) -> Select[Any]:
    """Only the requests of proposals in the wijken the actor holds (in SQL, not row by row)."""
    return (
        query.join(Project, Project.id == HelpRequest.project_id)
        .join(Round, Round.id == Project.round_id)
        .where(in_held_wijken(actor, Round.wijk_id))
    )


def requests_for_professional(actor: User) -> list[HelpRequest]:
    """Open requests of the professional's wijk, and the ones they help with; oldest first."""
    _require_professional(actor)
    return list(
        db.session.scalars(
            _in_held_wijken(actor, select(HelpRequest))
            .where((HelpRequest.status == HelpStatus.OPEN.value) | (HelpRequest.helper_id == actor.id))
            .order_by(HelpRequest.created_at, HelpRequest.id)
        )
    )


def pick_up(actor: User, request_id: int) -> HelpRequest:
    _require_professional(actor)
    request = _locked(request_id)
    if not _in_their_wijk(actor, request.project):
        raise NotAllowed(_l("This request is for the professionals of another neighbourhood."))
    if request.status != HelpStatus.OPEN.value:
        raise RuleViolation(_l("Someone else already helps with this request."))
    request.status, request.helper_id, request.picked_up_at = HelpStatus.PICKED_UP.value, actor.id, utcnow()
    notify(request.asker, "help_picked_up", project_id=request.project_id, helper=actor.name)
    db.session.commit()
    return request


def answer(actor: User, request_id: int, text: str) -> HelpRequest:
    request = _locked(request_id)
    if request.helper_id != actor.id:
        raise NotAllowed(_l("Only the professional who picked up this request answers it."))
    text = text.replace("\x00", "").strip()
    if not text:
        raise RuleViolation(_l("Write your answer."), "answer")
    if len(text) > QUESTION_MAX:
        raise RuleViolation(_l("Use at most %(n)d characters.", n=QUESTION_MAX), "answer")
    request.answer, request.status, request.answered_at = text, HelpStatus.ANSWERED.value, utcnow()
    notify(request.asker, "help_answered", project_id=request.project_id, helper=actor.name)
    db.session.commit()
    return request


def requests_of_project(actor: User, project_id: int) -> list[HelpRequest]:
    """The author's own requests for their proposal (nobody else reads them here)."""
    project = own_proposal(actor, project_id)
    return list(
        db.session.scalars(
            select(HelpRequest).where(HelpRequest.project_id == project.id).order_by(HelpRequest.id)
        )
    )


def open_requests_for_organiser(actor: User, now: datetime | None = None) -> list[tuple[HelpRequest, int]]:
    """Requests nobody has answered yet, with how many hours each has waited; oldest first."""
    if not actor.has_role(Role.ORGANISER):
        raise NotAllowed(_l("Only organisers may do this."))
    now = now or utcnow()
    rows = db.session.scalars(
        _in_held_wijken(actor, select(HelpRequest))
        .where(HelpRequest.status != HelpStatus.ANSWERED.value)
        .order_by(HelpRequest.created_at, HelpRequest.id)
    )
    return [(r, int((now - r.created_at).total_seconds() // 3600)) for r in rows]


def _locked(request_id: int) -> HelpRequest:
    found = (
        db.session.execute(
            select(HelpRequest)
            .where(HelpRequest.id == request_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if 0 < request_id <= MAX_ID
        else None
    )
    if found is None:
        raise NotFound(_l("This help request does not exist."))
    return found
