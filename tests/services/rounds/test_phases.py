"""Phase moves by hand and by date: only forward, never into PUBLISHED, the lot drawn once over the feasible ids."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from app.extensions import db
from app.models import AuditEvent, Phase, ProjectStatus, Result, Role, Round
from app.services.errors import NotAllowed, RuleViolation
from app.services.rounds import phases
from app.services.rounds.phases import VotingBlocked, advance_due_rounds, advance_phase, close_voting
from tests.factories import make_project, make_round, make_user, phase_dates

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with app.test_request_context():
        yield


def _round(phase: Phase, dates_for: Phase | None = None) -> Round:
    """A round in `phase` whose dates say it should be in `dates_for` at NOW."""
    return make_round(phase=phase, **phase_dates(dates_for or phase, NOW))


def _fresh(rnd: Round) -> Round:
    db.session.expire_all()
    return db.session.get(Round, rnd.id)


def _actions(rnd: Round) -> list[str]:
    return [e.action for e in db.session.query(AuditEvent).filter_by(round_id=rnd.id).order_by(AuditEvent.id)]


# --- by hand ------------------------------------------------------------------------------------------


def test_advance_by_hand_moves_one_step_and_audits(ctx: None) -> None:
    organiser = make_user(Role.ORGANISER)
    rnd = _round(Phase.DRAFT)
    advance_phase(organiser, rnd.id)
    assert _fresh(rnd).phase == "proposals"
    advance_phase(organiser, rnd.id)
    assert _fresh(rnd).phase == "review"
    events = db.session.query(AuditEvent).filter_by(round_id=rnd.id).order_by(AuditEvent.id).all()
    assert [(e.details["from"], e.details["to"], e.details["by"]) for e in events] == [
        ("draft", "proposals", "hand"),
        ("proposals", "review", "hand"),
    ]
    assert all(e.actor_id == organiser.id for e in events)


def test_voting_is_blocked_while_proposals_wait_for_review(ctx: None) -> None:
    rnd = _round(Phase.REVIEW)
    make_project(rnd, status=ProjectStatus.FEASIBLE)
    waiting = make_project(rnd, status=ProjectStatus.SUBMITTED, title="Nog te toetsen")
    with pytest.raises(VotingBlocked) as exc:
        advance_phase(make_user(Role.ORGANISER), rnd.id)
    assert [p.id for p in exc.value.projects] == [waiting.id]
    assert "1 voorstel wacht nog" in str(exc.value.message)
    fresh = _fresh(rnd)
    assert (fresh.phase, fresh.tie_break_lot, fresh.voting_opened_at) == ("review", None, None)
    assert _actions(rnd) == []


def test_voting_is_blocked_without_feasible_projects(ctx: None) -> None:
    rnd = _round(Phase.REVIEW)
    make_project(rnd, status=ProjectStatus.INFEASIBLE)
    with pytest.raises(VotingBlocked) as exc:
        advance_phase(make_user(Role.ORGANISER), rnd.id)
    assert exc.value.reason == "no_feasible_projects"
    assert _fresh(rnd).phase == "review"


def test_opening_voting_draws_the_lot_over_exactly_the_feasible_projects(ctx: None) -> None:
    rnd = _round(Phase.REVIEW)
    feasible = {make_project(rnd, status=ProjectStatus.FEASIBLE).id for _ in range(5)}
    make_project(rnd, status=ProjectStatus.INFEASIBLE)
    make_project(rnd, status=ProjectStatus.WITHDRAWN)
    advance_phase(make_user(Role.ORGANISER), rnd.id)
    fresh = _fresh(rnd)
    assert fresh.phase == "voting"
    assert fresh.voting_opened_at is not None
    assert sorted(fresh.tie_break_lot) == sorted(feasible)
    lot_event = db.session.query(AuditEvent).filter_by(action="tie_break.lot_drawn").one()
    assert lot_event.details["lot"] == fresh.tie_break_lot


def test_hand_advance_never_publishes(ctx: None) -> None:
    organiser = make_user(Role.ORGANISER)
    closed = _round(Phase.CLOSED)
    with pytest.raises(RuleViolation):
        advance_phase(organiser, closed.id)
    assert _fresh(closed).phase == "closed"
    published = _round(Phase.PUBLISHED)
    with pytest.raises(RuleViolation):
        advance_phase(organiser, published.id)
    assert _fresh(published).phase == "published"


def test_close_voting(ctx: None) -> None:
    organiser = make_user(Role.ORGANISER)
    rnd = _round(Phase.VOTING)
    close_voting(organiser, rnd.id)
    fresh = _fresh(rnd)
    assert fresh.phase == "closed" and fresh.voting_closed_at is not None
    assert _actions(rnd) == ["phase.advanced"]
    with pytest.raises(RuleViolation):
        close_voting(organiser, rnd.id)
    review = _round(Phase.REVIEW)
    with pytest.raises(RuleViolation):
        close_voting(organiser, review.id)
    assert _fresh(review).phase == "review"


def test_only_organisers_move_phases(ctx: None) -> None:
    rnd = _round(Phase.VOTING)
    for role in (Role.RESIDENT, Role.PROFESSIONAL):
        with pytest.raises(NotAllowed):
            advance_phase(make_user(role), rnd.id)
        with pytest.raises(NotAllowed):
            close_voting(make_user(role), rnd.id)
    assert _fresh(rnd).phase == "voting"


# --- by date ------------------------------------------------------------------------------------------


def test_nothing_moves_before_its_date(ctx: None) -> None:
    for phase in (Phase.DRAFT, Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING):
        rnd = make_round(phase=phase, **phase_dates(Phase.DRAFT, NOW))  # all dates in the future
        make_project(rnd)
    assert advance_due_rounds(NOW) == []
    assert db.session.query(AuditEvent).count() == 0


def test_one_step_by_date(ctx: None) -> None:
    rnd = _round(Phase.DRAFT, dates_for=Phase.PROPOSALS)
    assert advance_due_rounds(NOW) == [rnd.id]
    assert _fresh(rnd).phase == "proposals"
    event = db.session.query(AuditEvent).one()
    assert (event.actor_id, event.details["by"]) == (None, "date")


def test_several_steps_at_once_open_and_close_voting_but_never_publish(ctx: None) -> None:
    rnd = _round(Phase.PROPOSALS, dates_for=Phase.PUBLISHED)  # every date, results_at too, has passed
    feasible = [make_project(rnd, status=ProjectStatus.FEASIBLE).id for _ in range(3)]
    make_project(rnd, status=ProjectStatus.INFEASIBLE)
    assert advance_due_rounds(NOW) == [rnd.id]
    fresh = _fresh(rnd)
    assert fresh.phase == "closed"
    assert fresh.voting_opened_at == NOW and fresh.voting_closed_at == NOW
    assert sorted(fresh.tie_break_lot) == sorted(feasible)
    lot = list(fresh.tie_break_lot)
    assert _actions(rnd) == ["phase.advanced", "tie_break.lot_drawn", "phase.advanced", "phase.advanced"]

    assert advance_due_rounds(NOW + 30 * DAY) == []
    again = _fresh(rnd)
    assert again.phase == "closed"
    assert again.tie_break_lot == lot
    assert db.session.query(AuditEvent).filter_by(action="tie_break.lot_drawn").count() == 1


def test_blocked_by_date_stays_in_review_and_is_recorded_once(ctx: None) -> None:
    rnd = _round(Phase.REVIEW, dates_for=Phase.VOTING)
    make_project(rnd, status=ProjectStatus.FEASIBLE)
    waiting = make_project(rnd, status=ProjectStatus.SUBMITTED)
    assert advance_due_rounds(NOW) == []
    assert advance_due_rounds(NOW + timedelta(minutes=1)) == []
    assert _fresh(rnd).phase == "review"
    blocked = db.session.query(AuditEvent).filter_by(action="phase.blocked").one()
    assert blocked.details == {"reason": "proposals_waiting", "project_ids": [waiting.id]}


def test_blocked_round_moves_once_the_review_is_done(ctx: None) -> None:
    rnd = _round(Phase.REVIEW, dates_for=Phase.VOTING)
    waiting = make_project(rnd, status=ProjectStatus.SUBMITTED)
    advance_due_rounds(NOW)
    waiting.status = ProjectStatus.FEASIBLE.value
    db.session.commit()
    assert advance_due_rounds(NOW) == [rnd.id]
    fresh = _fresh(rnd)
    assert fresh.phase == "voting" and fresh.tie_break_lot == [waiting.id]


def test_a_draft_round_with_past_dates_stops_at_review_without_projects(ctx: None) -> None:
    rnd = _round(Phase.DRAFT, dates_for=Phase.CLOSED)
    assert advance_due_rounds(NOW) == [rnd.id]
    assert _fresh(rnd).phase == "review"
    assert _actions(rnd)[-1] == "phase.blocked"


def test_voting_closes_by_date(ctx: None) -> None:
    rnd = _round(Phase.VOTING, dates_for=Phase.CLOSED)
    assert advance_due_rounds(NOW) == [rnd.id]
    fresh = _fresh(rnd)
    assert fresh.phase == "closed" and fresh.voting_closed_at == NOW


def test_a_failing_round_does_not_hold_back_the_others(ctx: None, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _round(Phase.DRAFT, dates_for=Phase.PROPOSALS)
    second = _round(Phase.DRAFT, dates_for=Phase.PROPOSALS)
    real = phases._advance_by_date

    def flaky(round_id: int, now: datetime) -> bool:
        if round_id == first.id:
            raise RuntimeError("boom")
        return real(round_id, now)

    monkeypatch.setattr(phases, "_advance_by_date", flaky)
    assert advance_due_rounds(NOW) == [second.id]
    assert (_fresh(first).phase, _fresh(second).phase) == ("draft", "proposals")


# --- count and publication requests, pending actions --------------------------------------------------


def test_count_and_publication_requests_only_after_voting_closed(ctx: None, held_jobs: list) -> None:
    organiser = make_user(Role.ORGANISER)
    voting = _round(Phase.VOTING)
    for request in (phases.request_count, phases.request_publication):
        with pytest.raises(RuleViolation):
            request(organiser, voting.id)
    assert _actions(voting) == []
    closed = _round(Phase.CLOSED)
    phases.request_count(organiser, closed.id)
    phases.request_publication(organiser, closed.id)
    assert _actions(closed) == ["count.requested", "publish.requested"]
    assert held_jobs == [
        ("wijkbudget.tally_round", [closed.id]),
        ("wijkbudget.publish_round", [closed.id, organiser.id]),
    ]


def test_pending_actions(ctx: None) -> None:
    draft = _round(Phase.DRAFT)
    assert phases.pending_actions(draft, None, NOW) == ["finish_draft"]
    review = _round(Phase.REVIEW, dates_for=Phase.VOTING)
    make_project(review, status=ProjectStatus.SUBMITTED)
    assert phases.pending_actions(review, None, NOW) == ["reviews_waiting", "voting_blocked"]
    closed = _round(Phase.CLOSED)
    assert phases.pending_actions(closed, None, NOW) == ["start_count"]
    result = Result(
        round_id=closed.id, rule="greedy", tie_break="default", total_cost_cents=0, ballots_counted=0
    )
    assert phases.pending_actions(closed, result, NOW) == ["publish"]
    assert phases.next_phase_date(closed) == closed.results_at
    assert phases.next_phase(_round(Phase.PUBLISHED)) is None


@pytest.mark.parametrize("eligibility", ["letter_codes", "register_match"])
def test_a_register_round_cannot_open_voting_without_a_register(ctx: None, eligibility: str) -> None:
    from tests.factories import make_register_entry

    rnd = make_round(phase=Phase.REVIEW, eligibility=eligibility)
    make_project(rnd)
    organiser = make_user(Role.ORGANISER)
    with pytest.raises(VotingBlocked) as blocked:
        phases.advance_phase(organiser, rnd.id)
    assert blocked.value.reason == "no_register"
    make_register_entry(rnd)
    assert phases.advance_phase(organiser, rnd.id).phase == Phase.VOTING.value
