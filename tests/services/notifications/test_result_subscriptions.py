"""Asking for an e-mail when a round's result is published, and telling every subscriber exactly once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, OutgoingEmail, Phase, ResultSubscription
from app.services.errors import NotFound, RuleViolation
from app.services.notifications import result_subscriptions as subs
from app.services.results.publishing import publish_round
from tests.factories import make_round, make_user
from tests.results_data import realistic_round


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with app.app_context():
        yield


def test_subscribe_twice_is_once_and_unsubscribe_stops_it(ctx: None) -> None:
    user, rnd = make_user(), make_round(phase=Phase.VOTING)
    assert not subs.is_subscribed(user, rnd.id)
    subs.subscribe(user, rnd.id)
    subs.subscribe(user, rnd.id)
    assert subs.is_subscribed(user, rnd.id)
    assert db.session.scalars(select(ResultSubscription)).all()[0].user_id == user.id
    assert len(db.session.scalars(select(ResultSubscription)).all()) == 1
    subs.unsubscribe(user, rnd.id)
    subs.unsubscribe(user, rnd.id)
    assert not subs.is_subscribed(user, rnd.id)


def test_no_subscription_for_a_published_round_or_a_draft(ctx: None) -> None:
    user = make_user()
    with pytest.raises(RuleViolation):
        subs.subscribe(user, make_round(phase=Phase.PUBLISHED).id)
    with pytest.raises(NotFound):
        subs.subscribe(user, make_round(phase=Phase.DRAFT).id)
    assert db.session.scalars(select(ResultSubscription)).all() == []


def test_publishing_tells_every_subscriber_exactly_once(ctx: None, outbox: list) -> None:
    data = realistic_round()
    first, second, stopped = make_user(language="nl"), make_user(language="en"), make_user()
    for user in (first, second, stopped):
        subs.subscribe(user, data.round.id)
    subs.unsubscribe(stopped, data.round.id)

    publish_round(data.round.id)  # the job runs in-process after the publish commit

    assert sorted(m.to[0] for m in outbox) == sorted([first.email, second.email])
    assert {m.to[0]: m.subject for m in outbox}[second.email] == (
        "The result of “Bewonersbudget Lombok 2026” has been published"
    )
    assert publish_round(data.round.id).published_at is not None  # publishing again
    assert subs.notify_subscribers(data.round.id) == 0  # and running the job again
    assert len(outbox) == 2
    notes = db.session.scalars(select(Notification).where(Notification.kind == "results_published")).all()
    assert sorted(n.user_id for n in notes) == sorted([first.id, second.id])
    assert all(n.details == {"round_id": data.round.id, "title": data.round.title} for n in notes)
    assert db.session.scalars(select(OutgoingEmail.status)).all() == ["sent", "sent"]
    assert subs.rounds_with_untold_subscribers() == []


def test_nobody_is_told_before_publication(ctx: None, outbox: list) -> None:
    rnd = make_round(phase=Phase.CLOSED)
    subs.subscribe(make_user(), rnd.id)
    assert subs.notify_subscribers(rnd.id) == 0
    assert outbox == []
    assert subs.rounds_with_untold_subscribers() == []
