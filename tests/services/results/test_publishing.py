"""Publishing a round: phase rules, idempotence, immutability of the published result."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Phase, PublishedResultError, Result, Role, Round
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.results.counting import tally_round
from app.services.results.publishing import publish_round, published_result, published_rounds
from tests.factories import make_project, make_round, make_user
from tests.results_data import cast_votes, realistic_round, service_context


def _events(round_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.round_id == round_id).order_by(AuditEvent.id)
        )
    )


def test_publish_counts_when_needed_and_moves_the_round(app: Flask, db_session) -> None:
    data = realistic_round()
    organiser = make_user(Role.ORGANISER)
    with service_context(app):
        result = publish_round(data.round.id, actor_id=organiser.id)
    assert result.published_at is not None
    assert result.selected_project_ids == [p.id for p in data.winners]
    assert db.session.get(Round, data.round.id).phase == Phase.PUBLISHED.value
    assert _events(data.round.id) == ["round.counted", "round.published"]
    published = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.published"))
    assert published.actor_id == organiser.id


def test_publish_keeps_the_count_that_was_made(app: Flask, db_session) -> None:
    data = realistic_round()
    with service_context(app):
        counted = tally_round(data.round.id)
        counted_id, computed_at = counted.id, counted.computed_at
        published = publish_round(data.round.id)
    assert published.id == counted_id
    assert published.computed_at == computed_at
    assert _events(data.round.id) == ["round.counted", "round.published"]


def test_publish_is_idempotent(app: Flask, db_session) -> None:
    data = realistic_round()
    with service_context(app):
        first = publish_round(data.round.id)
        first_id, published_at = first.id, first.published_at
        again = publish_round(data.round.id)
    assert again.id == first_id
    assert again.published_at == published_at
    assert db.session.scalar(select(func.count(Result.id)).where(Result.round_id == data.round.id)) == 1
    assert _events(data.round.id).count("round.published") == 1


@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING])
def test_publish_refused_before_voting_closed(app: Flask, db_session, phase: Phase) -> None:
    rnd = make_round(phase=phase)
    project = make_project(rnd)
    cast_votes(rnd, {project: 2})
    with service_context(app), pytest.raises(RuleViolation):
        publish_round(rnd.id)
    assert db.session.get(Round, rnd.id).phase == phase.value
    assert db.session.scalar(select(func.count(Result.id))) == 0
    assert _events(rnd.id) == []


def test_only_organisers_publish(app: Flask, db_session) -> None:
    data = realistic_round()
    professional = make_user(Role.PROFESSIONAL)
    with service_context(app), pytest.raises(NotAllowed):
        publish_round(data.round.id, actor_id=professional.id)
    assert db.session.get(Round, data.round.id).phase == Phase.CLOSED.value


def test_published_result_cannot_be_edited(app: Flask, db_session) -> None:
    data = realistic_round()
    with service_context(app):
        result_id = publish_round(data.round.id).id
    result = db.session.get(Result, result_id)
    assert result.published_at is not None
    result.total_cost_cents = 1
    with pytest.raises(PublishedResultError):
        db.session.flush()
    db.session.rollback()
    result = db.session.get(Result, result_id)
    result.published_at = None  # "unpublishing" is an edit too
    with pytest.raises(PublishedResultError):
        db.session.flush()
    db.session.rollback()
    result = db.session.get(Result, result_id)
    assert result.published_at is not None
    db.session.delete(result)
    with pytest.raises(PublishedResultError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Result, result_id).total_cost_cents == 5_000_000


def test_published_result_cannot_be_edited_even_when_expired(app: Flask, db_session) -> None:
    data = realistic_round()
    with service_context(app):
        result = publish_round(data.round.id)
    result.total_cost_cents = 1  # the object was expired by the commit; nothing has loaded it since
    with pytest.raises(PublishedResultError):
        db.session.flush()


def test_counted_result_is_hidden_until_published(app: Flask, db_session) -> None:
    data = realistic_round()
    with service_context(app):
        tally_round(data.round.id)
        with pytest.raises(NotFound):
            published_result(data.round.id)
        assert published_rounds() == []
        publish_round(data.round.id)
        shown = published_result(data.round.id)
        assert shown.round.id == data.round.id
        assert [p.round.id for p in published_rounds()] == [data.round.id]


def test_round_marked_published_without_a_result_is_repaired(app: Flask, db_session) -> None:
    data = realistic_round(phase=Phase.PUBLISHED)
    with service_context(app):
        result = publish_round(data.round.id)
    assert result.published_at is not None
    assert result.selected_project_ids == [p.id for p in data.winners]
