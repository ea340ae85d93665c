"""review_project: verdicts, public reasons, cost changes within the kaders, phases, audit and notifications."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app.extensions import db
from app.models import AuditEvent, Notification, Phase, Project, ProjectStatus, Role
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.proposals.review import review_project, rounds_in_review
from tests.factories import make_project, make_round, make_user


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with app.test_request_context():
        yield


def _submitted(phase: Phase = Phase.REVIEW, cost: int = 500_000) -> Project:
    author = make_user()
    rnd = make_round(phase=phase)
    return make_project(rnd, cost_cents=cost, status=ProjectStatus.SUBMITTED, author_id=author.id)


def _unchanged(project: Project, status: str = "submitted", cost: int = 500_000) -> None:
    db.session.expire_all()
    fresh = db.session.get(Project, project.id)
    assert fresh.status == status
    assert fresh.cost_cents == cost
    assert fresh.reviewer_id is None
    assert db.session.query(AuditEvent).count() == 0
    assert db.session.query(Notification).count() == 0


def test_feasible_without_reason_is_stored_audited_and_notified(ctx: None) -> None:
    project = _submitted()
    pro = make_user(Role.PROFESSIONAL)
    review_project(pro, project.id, feasible=True, reason="  ", new_cost_cents=None, cost_reason=None)
    db.session.expire_all()
    fresh = db.session.get(Project, project.id)
    assert fresh.status == "feasible"
    assert fresh.review_reason is None
    assert fresh.reviewer_id == pro.id and fresh.reviewed_at is not None
    event = db.session.query(AuditEvent).one()
    assert (event.action, event.actor_id, event.round_id) == ("project.reviewed", pro.id, project.round_id)
    assert event.details["verdict"] == "feasible"
    assert event.details["old_cost_cents"] == event.details["new_cost_cents"] == 500_000
    note = db.session.query(Notification).one()
    assert (note.user_id, note.kind, note.project_id) == (project.author_id, "proposal_reviewed", project.id)
    assert note.details == {"title": project.title, "status": "feasible", "reason": ""}


def test_infeasible_needs_a_reason_and_nothing_is_stored(ctx: None) -> None:
    project = _submitted()
    with pytest.raises(RuleViolation) as exc:
        review_project(
            make_user(Role.PROFESSIONAL),
            project.id,
            feasible=False,
            reason=" ",
            new_cost_cents=None,
            cost_reason=None,
        )
    assert exc.value.field == "reason"
    assert "Leg uit waarom het project niet haalbaar is" in str(exc.value.message)
    _unchanged(project)


def test_infeasible_with_reason(ctx: None) -> None:
    project = _submitted()
    review_project(
        make_user(Role.PROFESSIONAL),
        project.id,
        feasible=False,
        reason="Grond is niet van de gemeente.",
        new_cost_cents=None,
        cost_reason=None,
    )
    db.session.expire_all()
    fresh = db.session.get(Project, project.id)
    assert (fresh.status, fresh.review_reason) == ("infeasible", "Grond is niet van de gemeente.")
    note = db.session.query(Notification).one()
    assert note.details == {
        "title": project.title,
        "status": "infeasible",
        "reason": "Grond is niet van de gemeente.",
    }


def test_cost_change_without_reason_is_refused(ctx: None) -> None:
    project = _submitted()
    with pytest.raises(RuleViolation) as exc:
        review_project(
            make_user(Role.PROFESSIONAL),
            project.id,
            feasible=True,
            reason="",
            new_cost_cents=700_000,
            cost_reason="",
        )
    assert exc.value.field == "cost_reason"
    _unchanged(project)


def test_cost_change_keeps_original_and_notifies(ctx: None) -> None:
    project = _submitted()
    pro = make_user(Role.PROFESSIONAL)
    review_project(
        pro, project.id, feasible=True, reason="", new_cost_cents=700_000, cost_reason="Tegels zijn duurder."
    )
    db.session.expire_all()
    fresh = db.session.get(Project, project.id)
    assert (fresh.cost_cents, fresh.original_cost_cents) == (700_000, 500_000)
    assert fresh.cost_change_reason == "Tegels zijn duurder."
    event = db.session.query(AuditEvent).one()
    assert (event.details["old_cost_cents"], event.details["new_cost_cents"]) == (500_000, 700_000)
    kinds = {n.kind: n.details for n in db.session.query(Notification).all()}
    assert kinds["cost_adjusted"] == {
        "old_cost_cents": 500_000,
        "new_cost_cents": 700_000,
        "reason": "Tegels zijn duurder.",
    }
    assert kinds["proposal_reviewed"]["status"] == "feasible"


@pytest.mark.parametrize("cost", [10_000, 2_500_000])
def test_feasible_cost_outside_kaders_is_refused(ctx: None, cost: int) -> None:
    project = _submitted()  # kaders: 500 to 20.000 euros
    with pytest.raises(RuleViolation) as exc:
        review_project(
            make_user(Role.PROFESSIONAL),
            project.id,
            feasible=True,
            reason="",
            new_cost_cents=cost,
            cost_reason="Duur",
        )
    assert exc.value.field == "new_cost_cents"
    assert "niet haalbaar" in str(exc.value.message)
    _unchanged(project)


def test_infeasible_with_cost_outside_kaders_is_allowed(ctx: None) -> None:
    project = _submitted()
    review_project(
        make_user(Role.PROFESSIONAL),
        project.id,
        feasible=False,
        reason="Veel te duur.",
        new_cost_cents=9_000_000,
        cost_reason="Offerte aannemer.",
    )
    db.session.expire_all()
    fresh = db.session.get(Project, project.id)
    assert (fresh.status, fresh.cost_cents, fresh.original_cost_cents) == ("infeasible", 9_000_000, 500_000)


def test_zero_cost_is_refused(ctx: None) -> None:
    project = _submitted()
    with pytest.raises(RuleViolation) as exc:
        review_project(
            make_user(Role.PROFESSIONAL),
            project.id,
            feasible=False,
            reason="x",
            new_cost_cents=0,
            cost_reason="x",
        )
    assert exc.value.field == "new_cost_cents"
    _unchanged(project)


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.CLOSED, Phase.PUBLISHED, Phase.DRAFT])
def test_review_outside_proposals_and_review_phases_is_refused(ctx: None, phase: Phase) -> None:
    project = _submitted(phase=phase)
    with pytest.raises(RuleViolation) as exc:
        review_project(
            make_user(Role.PROFESSIONAL),
            project.id,
            feasible=True,
            reason="",
            new_cost_cents=None,
            cost_reason=None,
        )
    assert exc.value.field is None
    _unchanged(project)


def test_review_during_proposals_phase_is_allowed(ctx: None) -> None:
    project = _submitted(phase=Phase.PROPOSALS)
    review_project(
        make_user(Role.ADMIN), project.id, feasible=True, reason="", new_cost_cents=None, cost_reason=None
    )
    assert db.session.get(Project, project.id).status == "feasible"


def test_re_review_last_verdict_counts_and_both_are_audited(ctx: None) -> None:
    project = _submitted()
    pro = make_user(Role.PROFESSIONAL)
    review_project(pro, project.id, feasible=True, reason="", new_cost_cents=None, cost_reason=None)
    review_project(
        pro, project.id, feasible=False, reason="Toch niet.", new_cost_cents=None, cost_reason=None
    )
    db.session.expire_all()
    assert db.session.get(Project, project.id).status == "infeasible"
    verdicts = [e.details["verdict"] for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert verdicts == ["feasible", "infeasible"]
    assert db.session.query(Notification).count() == 2


def test_residents_and_organisers_may_not_review(ctx: None) -> None:
    project = _submitted()
    for role in (Role.RESIDENT, Role.ORGANISER):
        with pytest.raises(NotAllowed):
            review_project(
                make_user(role), project.id, feasible=True, reason="", new_cost_cents=None, cost_reason=None
            )
    _unchanged(project)


def test_unknown_and_withdrawn_projects(ctx: None) -> None:
    pro = make_user(Role.PROFESSIONAL)
    with pytest.raises(NotFound):
        review_project(pro, 999_999, feasible=True, reason="", new_cost_cents=None, cost_reason=None)
    withdrawn = make_project(make_round(phase=Phase.REVIEW), status=ProjectStatus.WITHDRAWN)
    with pytest.raises(RuleViolation):
        review_project(pro, withdrawn.id, feasible=True, reason="", new_cost_cents=None, cost_reason=None)
    assert db.session.get(Project, withdrawn.id).status == "withdrawn"


def test_project_without_author_gets_no_notification(ctx: None) -> None:
    project = make_project(make_round(phase=Phase.REVIEW), status=ProjectStatus.SUBMITTED)
    review_project(
        make_user(Role.PROFESSIONAL),
        project.id,
        feasible=True,
        reason="",
        new_cost_cents=None,
        cost_reason=None,
    )
    assert db.session.query(Notification).count() == 0
    assert db.session.query(AuditEvent).count() == 1


def test_rounds_in_review_lists_only_proposals_and_review_phases(ctx: None) -> None:
    review = make_round(phase=Phase.REVIEW)
    proposals = make_round(phase=Phase.PROPOSALS)
    make_round(phase=Phase.VOTING)
    make_round(phase=Phase.DRAFT)
    assert [r.id for r in rounds_in_review(make_user(Role.PROFESSIONAL))] == [review.id, proposals.id]


def test_rounds_in_review_are_those_of_the_professionals_wijken(ctx: None) -> None:
    mine, other = make_round(phase=Phase.REVIEW), make_round(phase=Phase.REVIEW)
    professional = make_user(Role.PROFESSIONAL, wijken=[mine.wijk])
    assert [r.id for r in rounds_in_review(professional)] == [mine.id]
    assert {r.id for r in rounds_in_review(make_user(Role.ADMIN))} >= {mine.id, other.id}
