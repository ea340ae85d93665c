"""Residents who asked for an e-mail when a round's result is published.

Rules: any logged-in user may ask, for a round residents can see, until its result is published; asking twice
is asking once (UNIQUE user and round); stopping is always possible. After publication every subscriber is told
exactly once: `notified_at` is set in the same transaction as the notification and its e-mail.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Phase, ResultSubscription, Round, User
from app.models.base import utcnow
from app.services.errors import RuleViolation
from app.services.notifications.inbox import notify
from app.services.proposals.submissions import visible_round
from app.translated import lazy_gettext as _l

NOTIFY_TASK = "wijkbudget.notify_results_published"


def is_subscribed(actor: User, round_id: int) -> bool:
    """Whether `actor` asked for an e-mail about this round's result (and has not stopped)."""
    return (
        db.session.scalar(
            select(ResultSubscription.id).where(
                ResultSubscription.user_id == actor.id, ResultSubscription.round_id == round_id
            )
        )
        is not None
    )


def subscribe(actor: User, round_id: int) -> None:
    """Ask for an e-mail when the result of the round is published. Idempotent. One transaction.

    Refused (RuleViolation) once the result is published; NotFound for rounds residents cannot see.
    """
    rnd = visible_round(round_id)
    if rnd.phase == Phase.PUBLISHED.value:
        raise RuleViolation(_l("The result has already been published. You can read it now."))
    if is_subscribed(actor, rnd.id):
        return
    db.session.add(ResultSubscription(user_id=actor.id, round_id=rnd.id))
    try:
        db.session.commit()
    except IntegrityError:  # the same request twice at once: the other one stored it
        db.session.rollback()


def unsubscribe(actor: User, round_id: int) -> None:
    """Stop the e-mail about this round's result. Idempotent. One transaction."""
    db.session.execute(
        delete(ResultSubscription).where(
            ResultSubscription.user_id == actor.id, ResultSubscription.round_id == round_id
        )
    )
    db.session.commit()


def notify_subscribers(round_id: int) -> int:
    """Notify (in-app and by e-mail) every subscriber not yet told that the result is published.

    Does nothing before publication. Running it again, or twice at once (rows being handled by another job
    are skipped), tells nobody twice. Returns how many were notified now. One transaction.
    """
    rnd = db.session.get(Round, round_id)
    if rnd is None or rnd.phase != Phase.PUBLISHED.value:
        db.session.commit()
        return 0
    pending = db.session.scalars(
        select(ResultSubscription)
        .where(ResultSubscription.round_id == rnd.id, ResultSubscription.notified_at.is_(None))
        .order_by(ResultSubscription.id)
        .with_for_update(skip_locked=True)
    ).all()
    users = {
        u.id: u for u in db.session.scalars(select(User).where(User.id.in_([s.user_id for s in pending])))
    }
    now = utcnow()
    for subscription in pending:
        notify(users[subscription.user_id], "results_published", round_id=rnd.id, title=rnd.title)
        subscription.notified_at = now
    db.session.commit()
    return len(pending)


def rounds_with_untold_subscribers() -> list[int]:
    """Published rounds with subscribers not yet notified (their job was lost, e.g. the broker was down)."""
    return list(
        db.session.scalars(
            select(Round.id)
            .join(ResultSubscription, ResultSubscription.round_id == Round.id)
            .where(Round.phase == Phase.PUBLISHED.value, ResultSubscription.notified_at.is_(None))
            .distinct()
            .order_by(Round.id)
        )
    )


def notify_untold_rounds() -> list[int]:
    """The sweep's step: tell the subscribers of every published round nobody told yet; returns those rounds.

    Normally the job publication asked for has done this; this catches a round whose job gave up.
    """
    round_ids = rounds_with_untold_subscribers()
    for round_id in round_ids:
        notify_subscribers(round_id)
    return round_ids
