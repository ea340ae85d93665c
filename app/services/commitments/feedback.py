"""Residents tell whether a promised project was really delivered, or report a problem with it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Commitment, CommitmentStatus, DeliveryFeedback, FeedbackKind, User
from app.services.commitments.promises import get_commitment
from app.services.errors import NotAllowed, RuleViolation
from app.translated import lazy_gettext as _l
from app.typed_text import multi_line

TEXT_MAX = 1000


def may_give_feedback(actor: User | None, commitment: Commitment) -> RuleViolation | None:
    """Why `actor` may not give feedback on this commitment, or None when they may.

    Residents of the round's wijk and the project's proposer may; not on a dropped commitment.
    """
    if commitment.status == CommitmentStatus.DROPPED.value:
        return RuleViolation(_l("This project has been dropped; its commitment can no longer change."))
    if actor is None:
        return NotAllowed(_l("Log in to confirm delivery or report a problem."))
    rnd = commitment.project.round
    if actor.wijk_id != rnd.wijk_id and actor.id != commitment.project.author_id:
        return NotAllowed(
            _l("Only residents of %(wijk)s and the proposer can respond to this project.", wijk=rnd.wijk.name)
        )
    return None


def give_feedback(actor: User, commitment_id: int, *, kind: str, text: str) -> DeliveryFeedback:
    """Record a resident's public confirmation of delivery or problem report.

    Rules: see `may_give_feedback`; delivery can be confirmed once the commitment says "delivered"; a problem
    report needs a text (at most 1000 characters); once per resident per kind (also a UNIQUE constraint).
    """
    commitment = get_commitment(commitment_id)
    problem = may_give_feedback(actor, commitment)
    if problem is not None:
        raise problem
    text = multi_line(text)
    _check(commitment, actor, kind, text)
    feedback = DeliveryFeedback(commitment_id=commitment.id, resident_id=actor.id, kind=kind, text=text)
    db.session.add(feedback)
    try:
        db.session.commit()
    except IntegrityError:  # the same resident, twice at the same moment
        db.session.rollback()
        raise _already(kind) from None
    return feedback


def _check(commitment: Commitment, actor: User, kind: str, text: str) -> None:
    if kind not in (FeedbackKind.CONFIRM_DELIVERED.value, FeedbackKind.REPORT_PROBLEM.value):
        raise RuleViolation(_l("Choose one of the options."), field="kind")
    if kind == FeedbackKind.CONFIRM_DELIVERED.value and commitment.status != CommitmentStatus.DELIVERED.value:
        raise RuleViolation(_l("You can confirm delivery once the municipality reports it as delivered."))
    if kind == FeedbackKind.REPORT_PROBLEM.value and not text:
        raise RuleViolation(_l("Describe the problem in a few words."), field="text")
    if len(text) > TEXT_MAX:
        raise RuleViolation(_l("Use at most %(n)d characters.", n=TEXT_MAX), field="text")
    given = db.session.scalar(
        select(DeliveryFeedback.id).where(
            DeliveryFeedback.commitment_id == commitment.id,
            DeliveryFeedback.resident_id == actor.id,
            DeliveryFeedback.kind == kind,
        )
    )
    if given is not None:
        raise _already(kind)


def _already(kind: str) -> RuleViolation:
    if kind == FeedbackKind.CONFIRM_DELIVERED.value:
        return RuleViolation(_l("You have already confirmed the delivery of this project."))
    return RuleViolation(_l("You have already reported a problem with this project."))
