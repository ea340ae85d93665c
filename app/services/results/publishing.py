"""Publish a counted round, and read published results for the public pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import Phase, Result, Round
from app.models.audit import GENESIS_HASH
from app.models.base import utcnow
from app.services.audit import head_hash, record_event
from app.services.commitments.promises import create_commitments
from app.services.errors import NotFound, RuleViolation
from app.services.jobs import enqueue_job
from app.services.notifications.result_subscriptions import NOTIFY_TASK
from app.services.results.counting import count_round, lock_round, organiser_or_system, refuse, result_of
from app.services.results.election import LoadedRound
from app.services.results.record import write_record
from app.translated import lazy_gettext as _l


@dataclass(frozen=True)
class PublishedRound:
    round: Round
    result: Result


def publish_round(round_id: int, actor_id: int | None = None) -> Result:
    """Make a round's result public: set `published_at` and move the round to PUBLISHED.

    Rules: only after voting has closed (phase CLOSED). If there is no count yet, the round is counted first.
    Idempotent: a round that is already published returns its result unchanged. A published result can never
    change again (the model refuses it). `actor_id` is the organiser who publishes, or None for the system.
    Records "round.published" and writes the round's election record (`write_record`). One transaction; after
    it commits, the job that tells the residents who asked for it is enqueued (here, so every way of
    publishing - organiser, beat, CLI, demo - tells them).
    """
    actor = organiser_or_system(actor_id)
    rnd = lock_round(round_id)
    result = result_of(rnd.id)
    if result is not None and result.published_at is not None:
        db.session.commit()  # nothing to do; ends the transaction and its row lock
        return result
    # A round already marked PUBLISHED without a public result (set by hand) is repaired, not refused.
    if rnd.phase not in (Phase.CLOSED.value, Phase.PUBLISHED.value):
        refuse(RuleViolation(_l("The result can only be published after voting has closed.")))
    # The record pins the log's head as this transaction found it, before its own entries (the count, the
    # publication): those carry times, this does not, so a clean re-run of the same state writes the same record.
    audit_head = head_hash() or GENESIS_HASH
    loaded: list[LoadedRound] = []
    if result is None:
        result = count_round(rnd, None, actor, loaded_out=loaded)
    result.published_at = utcnow()
    rnd.phase = Phase.PUBLISHED.value
    create_commitments(
        rnd, result.selected_project_ids, now=result.published_at, amounts=funded_amounts(result)
    )
    record_event(
        actor,
        "round.published",
        round_id=rnd.id,
        subject=rnd.title,
        details={"result_id": result.id, "selected_project_ids": list(result.selected_project_ids)},
    )
    enqueue_job(NOTIFY_TASK, rnd.id, round_id=rnd.id)
    write_record(
        rnd, result, loaded[0] if loaded else None, audit_head=audit_head
    )  # in this same transaction
    db.session.commit()
    return result


def funded_amounts(result: Result) -> dict[int, int]:
    """The money each winner gets: its cost, or the part the leftover step gave it."""
    return {
        int(row["project_id"]): int(row.get("funded_cents") or row["cost_cents"])
        for row in result.project_results
        if row.get("selected")
    }


def published_result(round_id: int) -> PublishedRound:
    """The round with its published result. NotFound while the result is not published: counts stay hidden."""
    row = db.session.execute(
        select(Round, Result)
        .outerjoin(Result, (Result.round_id == Round.id) & Result.published_at.is_not(None))
        .where(Round.id == round_id)
    ).first()
    if row is None:
        raise NotFound(_l("This round does not exist."))
    if row[1] is None:
        raise NotFound(_l("The result of this round has not been published yet."))
    return PublishedRound(round=row[0], result=row[1])


def published_rounds() -> list[PublishedRound]:
    """Every round with a published result, the most recently published first."""
    rows = db.session.execute(
        select(Round, Result)
        .join(Result, Result.round_id == Round.id)
        .where(Result.published_at.is_not(None))
        .order_by(Result.published_at.desc(), Round.id.desc())
    ).all()
    return [PublishedRound(round=rnd, result=result) for rnd, result in rows]
