"""The proposal services, called directly: the rules hold whatever the form did."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import scoped_session

from app.extensions import db
from app.models import AuditEvent, Notification, Phase, Project, ProjectStatus
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.proposals import submissions as proposals
from tests.factories import make_project, make_round, make_user, make_wijk

VALID: dict[str, Any] = {
    "title": "Bankjes in het park",
    "description": "Vier bankjes langs het pad voor wie even wil uitrusten.",
    "cost_cents": 250_000,
    "category": "Groen",
    "buurt_id": None,
}


def test_submit_stores_a_submitted_proposal_and_an_audit_event(
    app: Flask, db_session: scoped_session
) -> None:
    with app.app_context():
        rnd = make_round()
        author = make_user(wijk=rnd.wijk)
        project = proposals.submit_proposal(author, rnd.id, **{**VALID, "title": "  Bankjes in het park  "})
        assert project.title == "Bankjes in het park"
        assert project.status == ProjectStatus.SUBMITTED.value
        assert project.cost_cents == project.original_cost_cents == 250_000
        event = db.session.query(AuditEvent).filter_by(action="proposal.submitted").one()
        assert event.actor_id == author.id and event.subject == f"project:{project.id}"


def test_every_broken_kader_is_reported_at_once(app: Flask, db_session: scoped_session) -> None:
    with app.app_context():
        rnd = make_round()
        foreign_buurt = make_wijk().buurten[0]
        author = make_user(wijk=rnd.wijk)
        with pytest.raises(proposals.ProposalRejected) as caught:
            proposals.submit_proposal(
                author,
                rnd.id,
                title="Kort",
                description="x" * 5001,
                cost_cents=2_000_001,
                category="Parkeren",
                buurt_id=foreign_buurt.id,
            )
        assert [p.field for p in caught.value.problems] == [
            "title",
            "description",
            "cost",
            "category",
            "buurt_id",
        ]
        assert db.session.query(Project).count() == 0


@pytest.mark.parametrize("cost", [None, 0, 49_999, 2_000_001])
def test_cost_outside_the_limits_is_refused(app: Flask, db_session: scoped_session, cost: int | None) -> None:
    with app.app_context():
        rnd = make_round()
        with pytest.raises(proposals.ProposalRejected) as caught:
            proposals.submit_proposal(make_user(wijk=rnd.wijk), rnd.id, **{**VALID, "cost_cents": cost})
        assert caught.value.field == "cost"


def test_cost_limits_are_inclusive(app: Flask, db_session: scoped_session) -> None:
    with app.app_context():
        rnd = make_round()
        author = make_user(wijk=rnd.wijk)
        for cost in (50_000, 2_000_000):
            proposals.submit_proposal(author, rnd.id, **{**VALID, "cost_cents": cost})
        assert db.session.query(Project).count() == 2


def test_phase_wijk_and_round_are_checked(app: Flask, db_session: scoped_session) -> None:
    with app.app_context():
        closed = make_round(phase=Phase.REVIEW)
        with pytest.raises(RuleViolation) as caught:
            proposals.submit_proposal(make_user(wijk=closed.wijk), closed.id, **VALID)
        assert not isinstance(caught.value, NotAllowed)
        rnd = make_round()
        with pytest.raises(NotAllowed):
            proposals.submit_proposal(make_user(wijk=make_wijk()), rnd.id, **VALID)
        with pytest.raises(NotFound):
            proposals.submit_proposal(make_user(wijk=rnd.wijk), 999_999, **VALID)
        draft = make_round(phase=Phase.DRAFT)
        with pytest.raises(NotFound):
            proposals.submit_proposal(make_user(wijk=draft.wijk), draft.id, **VALID)
        assert db.session.query(Project).count() == 0


def test_only_the_author_edits_or_withdraws(app: Flask, db_session: scoped_session) -> None:
    with app.app_context():
        rnd = make_round()
        author, other = make_user(wijk=rnd.wijk), make_user(wijk=rnd.wijk)
        project = proposals.submit_proposal(author, rnd.id, **VALID)
        with pytest.raises(NotAllowed):
            proposals.edit_proposal(other, project.id, **{**VALID, "title": "Gekaapt voorstel"})
        with pytest.raises(NotAllowed):
            proposals.withdraw_proposal(other, project.id)
        edited = proposals.edit_proposal(author, project.id, **{**VALID, "cost_cents": 300_000})
        assert edited.cost_cents == edited.original_cost_cents == 300_000
        assert proposals.withdraw_proposal(author, project.id).status == ProjectStatus.WITHDRAWN.value
        with pytest.raises(RuleViolation):
            proposals.edit_proposal(author, project.id, **VALID)


def test_no_changes_after_the_proposal_phase(app: Flask, db_session: scoped_session) -> None:
    with app.app_context():
        rnd = make_round()
        author = make_user(wijk=rnd.wijk)
        project = proposals.submit_proposal(author, rnd.id, **VALID)
        rnd.phase = Phase.REVIEW.value
        db.session.commit()
        with pytest.raises(RuleViolation):
            proposals.edit_proposal(author, project.id, **{**VALID, "title": "Te laat gewijzigd"})
        with pytest.raises(RuleViolation):
            proposals.withdraw_proposal(author, project.id)
        db.session.refresh(project)
        assert project.title == VALID["title"] and project.status == ProjectStatus.SUBMITTED.value


def test_mark_notifications_read_touches_only_the_actors_own(app: Flask, db_session: scoped_session) -> None:
    with app.app_context():
        rnd = make_round()
        author, other = make_user(wijk=rnd.wijk), make_user(wijk=rnd.wijk)
        project = make_project(rnd, author_id=author.id)
        mine = Notification(user_id=author.id, kind="proposal_reviewed", project_id=project.id, details={})
        theirs = Notification(user_id=other.id, kind="proposal_reviewed", project_id=project.id, details={})
        unrelated = Notification(user_id=author.id, kind="something_else", details={})
        db.session.add_all([mine, theirs, unrelated])
        db.session.commit()
        assert [n.id for n in proposals.proposal_notifications(author)] == [mine.id]
        assert proposals.mark_notifications_read(author, [mine.id, theirs.id]) == 1
        assert mine.read_at is not None and theirs.read_at is None


def test_rounds_for_puts_the_users_wijk_first_and_hides_drafts(
    app: Flask, db_session: scoped_session
) -> None:
    with app.app_context():
        first = make_round(phase=Phase.VOTING)
        second = make_round(phase=Phase.PROPOSALS)
        make_round(phase=Phase.DRAFT)
        user = make_user(wijk=second.wijk)
        assert [r.id for r in proposals.rounds_for(user)] == [second.id, first.id]
        assert {r.id for r in proposals.rounds_for(None)} == {first.id, second.id}
