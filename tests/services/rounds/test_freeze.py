"""Frozen kaders: from VOTING on, every change path to a round's kaders and projects is refused.

Service level: each service refuses with a clear message and changes nothing. ORM level: a write that
skips the services (a forgotten path) is refused at flush by `app.models.freeze`, except the lot drawn
when voting opens and the texts an amendment corrects.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale

from app.extensions import db
from app.models import (
    AuditEvent,
    FrozenRoundError,
    Phase,
    Project,
    ProjectStatus,
    Role,
    Round,
    RoundBuurtBudget,
    RoundCap,
)
from app.models.freeze import amending
from app.services.errors import RuleViolation
from app.services.proposals import review
from app.services.proposals import submissions as proposals
from app.services.rounds import phases
from app.services.rounds.kaders import AMOUNT_FIELDS, RoundSettings
from tests.factories import make_project, make_register_entry, make_round, make_user

FROZEN_PHASES = [Phase.VOTING, Phase.CLOSED, Phase.PUBLISHED]
PROPOSAL = {
    "title": "Bankje bij de speeltuin",
    "description": "Een bankje zodat ouders kunnen zitten bij de speeltuin.",
    "cost_cents": 250_000,
    "category": "Groen",
    "buurt_id": None,
}


@pytest.fixture
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with app.test_request_context(), force_locale("nl"):
        yield


def _audit_count() -> int:
    return db.session.query(AuditEvent).count()


def _fresh(obj: Any) -> Any:
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


# --- service level -----------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", FROZEN_PHASES)
def test_no_proposal_can_be_added_once_voting_opened(ctx: None, phase: Phase) -> None:
    rnd = make_round(phase=phase)
    with pytest.raises(RuleViolation) as refused:
        proposals.submit_proposal(make_user(wijk=rnd.wijk), rnd.id, **PROPOSAL)
    assert "voorstellen" in str(refused.value.message)
    assert db.session.query(Project).filter_by(round_id=rnd.id).count() == 0


@pytest.mark.parametrize("phase", FROZEN_PHASES)
def test_proposal_cannot_be_edited_or_withdrawn_once_voting_opened(ctx: None, phase: Phase) -> None:
    rnd = make_round(phase=phase)
    author = make_user(wijk=rnd.wijk)
    project = make_project(rnd, author_id=author.id, status=ProjectStatus.SUBMITTED, title="Oude titel")
    with pytest.raises(RuleViolation):
        proposals.edit_proposal(author, project.id, **PROPOSAL)
    with pytest.raises(RuleViolation):
        proposals.withdraw_proposal(author, project.id)
    fresh = _fresh(project)
    assert (fresh.title, fresh.status) == ("Oude titel", ProjectStatus.SUBMITTED.value)


@pytest.mark.parametrize("phase", FROZEN_PHASES)
@pytest.mark.parametrize(
    ("feasible", "new_cost"), [(False, None), (True, 600_000)], ids=["verdict", "cost_change"]
)
def test_review_verdict_and_cost_are_refused_once_voting_opened(
    ctx: None, phase: Phase, feasible: bool, new_cost: int | None
) -> None:
    rnd = make_round(phase=phase)
    project = make_project(rnd, cost_cents=500_000)
    with pytest.raises(RuleViolation) as refused:
        review.review_project(
            make_user(Role.PROFESSIONAL),
            project.id,
            feasible=feasible,
            reason="Toch niet haalbaar.",
            new_cost_cents=new_cost,
            cost_reason="Duurder geworden.",
        )
    assert "voordat het stemmen begint" in str(refused.value.message)
    fresh = _fresh(project)
    assert (fresh.status, fresh.cost_cents) == (ProjectStatus.FEASIBLE.value, 500_000)
    assert _audit_count() == 0


def test_opening_voting_draws_the_lot_once_and_then_freezes_it(ctx: None) -> None:
    rnd = make_round(phase=Phase.REVIEW)
    ids = {make_project(rnd).id for _ in range(3)}
    phases.advance_phase(make_user(Role.ORGANISER), rnd.id)
    fresh = _fresh(rnd)
    assert fresh.phase == Phase.VOTING.value and set(fresh.tie_break_lot) == ids
    fresh.tie_break_lot = list(reversed(fresh.tie_break_lot))  # always a different order
    with pytest.raises(FrozenRoundError):
        db.session.flush()


# --- ORM level: a path that skips the services --------------------------------------------------------

_NEW_VALUES: dict[str, Any] = {
    "title": "Andere titel",
    "budget_cents": 5_000_100,
    "min_project_cost_cents": 50_100,
    "max_project_cost_cents": 1_999_900,
    "categories": ["Anders"],
    "ballot_type": "approval",
    "min_choices": 2,
    "max_choices": 4,
    "knapsack_min_spend_pct": 30,
    "counting_rule": "equalshares/add1",
    "tie_break": "lexicographic",
    "leftover_policy": "next_round",
    "out_of_scope": "Iets anders.",
    "eligibility": "letter_codes",
    "register_level": "household",
    "min_age": 16,
    "register_retention_days": 30,
    "accounts_per_address": 2,
    "points_total": 10,
    "points_per_project": 3,
    "min_votes": 25,
}
# Caps and buurt budgets are rows of their own: see the RoundCap / RoundBuurtBudget tests below.
_ROUND_COLUMNS = [f.name for f in dataclasses.fields(RoundSettings) if f.name not in AMOUNT_FIELDS]
_ROUND_COLUMNS.append("wijk_id")


def _new_value(rnd: Round, name: str) -> Any:
    if name in _NEW_VALUES:
        return _NEW_VALUES[name]
    if name == "wijk_id":
        from tests.factories import make_wijk

        return make_wijk().id
    return getattr(rnd, name) + timedelta(minutes=1)  # a phase date


@pytest.mark.parametrize("phase", FROZEN_PHASES)
@pytest.mark.parametrize("name", _ROUND_COLUMNS)
def test_orm_refuses_every_kaders_change_of_a_frozen_round(ctx: None, phase: Phase, name: str) -> None:
    rnd = make_round(phase=phase)
    before = getattr(rnd, name)
    setattr(rnd, name, _new_value(rnd, name))
    with pytest.raises(FrozenRoundError):
        db.session.commit()
    db.session.rollback()
    assert getattr(_fresh(rnd), name) == before


@pytest.mark.parametrize("name", ["budget_cents", "counting_rule", "tie_break", "categories", "title"])
def test_orm_allows_kaders_changes_before_voting(ctx: None, name: str) -> None:
    rnd = make_round(phase=Phase.REVIEW)
    setattr(rnd, name, _NEW_VALUES[name])
    db.session.commit()
    assert getattr(_fresh(rnd), name) == _NEW_VALUES[name]


def test_orm_refuses_kaders_change_in_the_flush_that_opens_voting(ctx: None) -> None:
    rnd = make_round(phase=Phase.REVIEW)
    rnd.phase = Phase.VOTING.value
    rnd.budget_cents = 5_000_100
    with pytest.raises(FrozenRoundError):
        db.session.flush()


def _with_caps_and_budgets(phase: Phase) -> Round:
    rnd = make_round(phase=Phase.REVIEW)
    noord, zuid = sorted(rnd.wijk.buurten, key=lambda b: b.name)
    rnd.caps = [
        RoundCap(category="Groen", cap_cents=1_000_000),
        RoundCap(buurt_id=noord.id, cap_cents=900_000),
    ]
    rnd.buurt_budgets = [RoundBuurtBudget(buurt_id=zuid.id, budget_cents=800_000)]
    db.session.commit()
    rnd.phase = phase.value
    db.session.commit()
    return rnd


@pytest.mark.parametrize("phase", FROZEN_PHASES)
@pytest.mark.parametrize(
    "change", ["cap_amount", "cap_added", "cap_removed", "budget_amount", "budget_removed"]
)
def test_orm_refuses_every_change_of_caps_and_buurt_budgets_of_a_frozen_round(
    ctx: None, phase: Phase, change: str
) -> None:
    rnd = _with_caps_and_budgets(phase)
    if change == "cap_amount":
        rnd.caps[0].cap_cents = 1
    elif change == "cap_added":
        db.session.add(RoundCap(round_id=rnd.id, category="Spelen", cap_cents=5))
    elif change == "cap_removed":
        db.session.delete(rnd.caps[0])
    elif change == "budget_amount":
        rnd.buurt_budgets[0].budget_cents = 1
    else:
        db.session.delete(rnd.buurt_budgets[0])
    with pytest.raises(FrozenRoundError):
        db.session.flush()
    db.session.rollback()
    fresh = _fresh(rnd)
    assert sorted(c.cap_cents for c in fresh.caps) == [900_000, 1_000_000]
    assert [b.budget_cents for b in fresh.buurt_budgets] == [800_000]


def test_orm_allows_the_lot_and_phase_in_the_flush_that_opens_voting(ctx: None) -> None:
    rnd = make_round(phase=Phase.REVIEW)
    project = make_project(rnd)
    rnd.phase, rnd.tie_break_lot = Phase.VOTING.value, [project.id]
    db.session.commit()
    rnd.phase = Phase.CLOSED.value  # moving forward stays possible
    db.session.commit()
    assert _fresh(rnd).tie_break_lot == [project.id]


def test_orm_refuses_a_frozen_round_going_back_to_review(ctx: None) -> None:
    rnd = make_round(phase=Phase.VOTING)
    rnd.phase = Phase.REVIEW.value
    with pytest.raises(FrozenRoundError):
        db.session.flush()


def test_orm_refuses_adding_a_project_to_a_frozen_round(ctx: None) -> None:
    rnd = make_round(phase=Phase.VOTING)
    db.session.add(
        Project(
            round_id=rnd.id,
            title="Laat voorstel",
            description="Te laat ingediend voorstel.",
            cost_cents=100_000,
            original_cost_cents=100_000,
            category="Groen",
            status=ProjectStatus.FEASIBLE.value,
        )
    )
    with pytest.raises(FrozenRoundError):
        db.session.flush()


_PROJECT_CHANGES: dict[str, Any] = {
    "title": "Nieuwe titel",
    "description": "Een heel andere beschrijving van het plan.",
    "category": "Spelen",
    "cost_cents": 600_000,
    "original_cost_cents": 600_000,
    "status": ProjectStatus.WITHDRAWN.value,
    "review_reason": "Andere reden.",
    "author_id": None,
}


@pytest.mark.parametrize("phase", FROZEN_PHASES)
@pytest.mark.parametrize("name", sorted(_PROJECT_CHANGES))
def test_orm_refuses_every_project_change_in_a_frozen_round(ctx: None, phase: Phase, name: str) -> None:
    rnd = make_round(phase=phase)
    project = make_project(rnd, author_id=make_user(wijk=rnd.wijk).id)
    before = getattr(project, name)
    setattr(project, name, _PROJECT_CHANGES[name])
    with pytest.raises(FrozenRoundError):
        db.session.commit()
    db.session.rollback()
    assert getattr(_fresh(project), name) == before


def test_orm_refuses_deleting_a_project_of_a_frozen_round(ctx: None) -> None:
    project = make_project(make_round(phase=Phase.VOTING))
    db.session.delete(project)
    with pytest.raises(FrozenRoundError):
        db.session.flush()


@pytest.mark.parametrize("by_relationship", [False, True])
def test_orm_refuses_moving_a_project_into_or_out_of_a_frozen_round(ctx: None, by_relationship: bool) -> None:
    frozen, open_round = make_round(phase=Phase.VOTING), make_round(phase=Phase.REVIEW)
    into = make_project(open_round)
    out_of = make_project(frozen)
    if by_relationship:
        into.round = frozen
    else:
        into.round_id = frozen.id
    with pytest.raises(FrozenRoundError):
        db.session.flush()
    db.session.rollback()
    out_of.round_id = open_round.id
    with pytest.raises(FrozenRoundError):
        db.session.flush()


def test_amending_lets_only_the_amendable_texts_through(ctx: None) -> None:
    rnd = make_round(phase=Phase.VOTING)
    project = make_project(rnd)
    with amending(db.session):
        rnd.title, rnd.out_of_scope = "Gecorrigeerde titel", "Gecorrigeerd."
        project.title, project.description, project.category = "Bankje", "Een gecorrigeerde tekst.", "Spelen"
        db.session.commit()
        project.cost_cents = 600_000
        with pytest.raises(FrozenRoundError):
            db.session.flush()
    db.session.rollback()
    assert _fresh(rnd).title == "Gecorrigeerde titel"
    assert (_fresh(project).category, _fresh(project).cost_cents) == ("Spelen", 500_000)
    project = _fresh(project)
    project.title = "Buiten een amendement"
    with pytest.raises(FrozenRoundError):
        db.session.flush()


# --- The register and the code batch freeze with the kaders -------------------------------------------


def test_the_register_cannot_change_once_voting_opened(ctx: None) -> None:
    from app.models import CodeBatch, RegisterEntry

    rnd = make_round(phase=Phase.VOTING, eligibility="letter_codes")
    entry = make_register_entry(rnd)
    db.session.add(RegisterEntry(round_id=rnd.id, reference="LATE-1", postcode="3512AB", house_number=9))
    with pytest.raises(FrozenRoundError):
        db.session.flush()
    db.session.rollback()
    entry = db.session.get(RegisterEntry, entry.id)
    entry.postcode = "3513CD"
    with pytest.raises(FrozenRoundError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(RegisterEntry, entry.id))
    with pytest.raises(FrozenRoundError):
        db.session.flush()
    db.session.rollback()
    db.session.add(CodeBatch(round_id=rnd.id))
    with pytest.raises(FrozenRoundError):
        db.session.flush()


def test_the_poll_book_mark_and_register_work_before_voting_still_change(ctx: None) -> None:
    from app.models import RegisterEntry

    before = make_round(phase=Phase.REVIEW, eligibility="letter_codes")
    entry = make_register_entry(before)
    entry.postcode = "3513CD"
    db.session.flush()
    voting = make_round(phase=Phase.VOTING, eligibility="letter_codes")
    marked = make_register_entry(voting)
    marked.voted_channel = "paper"
    db.session.flush()
    assert db.session.get(RegisterEntry, marked.id).voted_channel == "paper"
