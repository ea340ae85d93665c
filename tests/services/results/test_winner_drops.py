"""Comply or explain: a dropped winner's money goes to the next projects by the round's own rule."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.counting import Ballot as CountedBallot
from app.counting import Election, count
from app.counting import Project as CountedProject
from app.extensions import db
from app.models import (
    AuditEvent,
    Commitment,
    CommitmentStatus,
    Phase,
    Project,
    Result,
    Role,
    Round,
    WinnerDrop,
)
from app.services.errors import NotAllowed, RuleViolation
from app.services.results.drops import current_winners, drop_winner, round_drops
from app.services.results.election import counting_id
from app.services.results.publishing import publish_round
from tests.commitments_data import commitment_of, published_greedy_round
from tests.factories import make_project, make_round, make_user
from tests.results_data import cast_ballot, realistic_round, service_context

REASON = "De grond is vervuild; de gemeente mag hier niet bouwen."


def engine_winners(rnd: Round, ballots: Sequence[Sequence[Project]], without: Sequence[Project]) -> list[int]:
    """What `app.counting.count` chooses with the round's rule when `without` is not on the ballot."""
    gone = {p.id for p in without}
    projects = [p for p in rnd.projects if p.on_ballot and p.id not in gone]
    election = Election.build(
        rnd.budget_cents,
        [CountedProject(counting_id(p.id), p.cost_cents) for p in projects],
        [CountedBallot(tuple(counting_id(p.id) for p in ballot if p.id not in gone)) for ballot in ballots],
        "approval",
    )
    return [int(pid) for pid in count(election, rnd.counting_rule, tie_break=rnd.tie_break).selected]


def nested_ballots(votes: dict[Project, int]) -> list[list[Project]]:
    """The ballots `cast_votes` casts: ballot i names every project with more than i votes."""
    return [[p for p, n in votes.items() if n > i] for i in range(max(votes.values()))]


def test_greedy_drop_funds_the_next_projects_by_the_rule(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    organiser = make_user(Role.ORGANISER)
    votes = {data.a: 40, data.b: 30, data.c: 20, data.d: 10, data.e: 5}
    expected = engine_winners(data.round, nested_ballots(votes), without=[data.b])
    assert expected == [data.a.id, data.c.id, data.d.id, data.e.id]  # the engine's own verdict, not ours
    with service_context(app):
        drop = drop_winner(organiser, data.round.id, data.b.id, f"  {REASON} ")
    assert drop.reason == REASON
    assert drop.added_project_ids == [pid for pid in expected if pid not in {data.a.id, data.c.id}]
    assert drop.rerun["rerun_selected_ids"] == expected
    assert drop.rerun["removed_project_ids"] == [data.b.id]
    assert drop.rerun["kept_winners_not_rechosen"] == []
    result = db.session.scalars(select(Result).where(Result.round_id == data.round.id)).one()
    assert result.selected_project_ids == [
        data.a.id,
        data.b.id,
        data.c.id,
    ]  # the published result is untouched
    assert current_winners(result, round_drops(data.round.id)) == [data.a.id, data.c.id, data.d.id, data.e.id]
    assert commitment_of(data.b).status == CommitmentStatus.DROPPED.value
    for added in (data.d, data.e):
        commitment = commitment_of(added)
        assert commitment.added_by_drop_id == drop.id
        assert commitment.budget_cents == added.cost_cents
        assert commitment.status == CommitmentStatus.PLANNED.value
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "winner.dropped")).one()
    assert event.actor_id == organiser.id
    assert event.details["reason"] == REASON
    assert event.details["project_id"] == data.b.id


def test_a_second_drop_reruns_without_every_dropped_project(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    organiser = make_user(Role.ORGANISER)
    votes = {data.a: 40, data.b: 30, data.c: 20, data.d: 10, data.e: 5}
    with service_context(app):
        drop_winner(organiser, data.round.id, data.b.id, REASON)
        second = drop_winner(organiser, data.round.id, data.d.id, "Het toestel is niet meer leverbaar.")
    assert second.rerun["removed_project_ids"] == [data.b.id, data.d.id]
    assert second.rerun["rerun_selected_ids"] == engine_winners(
        data.round, nested_ballots(votes), without=[data.b, data.d]
    )
    assert second.added_project_ids == []  # E was already added; nothing else is on the ballot
    assert commitment_of(data.d).status == CommitmentStatus.DROPPED.value


def test_greedy_keeps_an_original_winner_the_rerun_passes_over(app: Flask, db_session) -> None:
    # Without Bankjes (€ 5.000) the re-run funds Groene daken (€ 30.000) before Buurtfeest and Moestuin, but the
    # residents' original winners stay: Groene daken does not fit next to them and nothing is added.
    data = realistic_round()
    with service_context(app):
        publish_round(data.round.id)
        drop = drop_winner(make_user(Role.ORGANISER), data.round.id, data.bankjes.id, REASON)
    assert drop.rerun["rerun_selected_ids"] == [data.speeltuin.id, data.daken.id]
    assert drop.rerun["kept_winners_not_rechosen"] == [data.feest.id, data.moestuin.id]
    assert drop.rerun["not_added_no_room"] == [data.daken.id]
    assert drop.added_project_ids == []
    assert commitment_of(data.feest).status == CommitmentStatus.PLANNED.value


def test_equal_shares_adds_what_the_rerun_chooses_and_keeps_original_winners(app: Flask, db_session) -> None:
    rnd = make_round(
        phase=Phase.CLOSED,
        counting_rule="equalshares",
        budget_cents=1_000_000,
        min_project_cost_cents=50_000,
        max_project_cost_cents=600_000,
    )
    a, b, c, d, e = (
        make_project(rnd, cost_cents=cost, title=f"Project {name}")
        for name, cost in zip("ABCDE", (500_000, 500_000, 200_000, 300_000, 600_000), strict=True)
    )
    ballots = [[b, c]] * 8 + [[a, c, d]] * 8 + [[a]] * 2
    for ballot in ballots:
        cast_ballot(rnd, ballot)
    db.session.commit()
    with service_context(app):
        result = publish_round(rnd.id)
        assert result.selected_project_ids == engine_winners(rnd, ballots, without=[]) == [c.id, d.id]
        drop = drop_winner(make_user(Role.ORGANISER), rnd.id, c.id, REASON)
    rerun = engine_winners(rnd, ballots, without=[c])
    assert rerun == [a.id]  # equal shares would now leave D out ...
    assert drop.rerun["rerun_selected_ids"] == rerun
    assert drop.rerun["kept_winners_not_rechosen"] == [d.id]  # ... but D stays a winner
    assert drop.added_project_ids == [a.id]  # € 3.000 + € 5.000 fits the € 10.000 budget
    assert commitment_of(d).status == CommitmentStatus.PLANNED.value
    assert commitment_of(a).added_by_drop_id == drop.id
    assert e.id not in drop.added_project_ids


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_reason_is_required(app: Flask, db_session, reason: str) -> None:
    data = published_greedy_round(app)
    with service_context(app), pytest.raises(RuleViolation) as refused:
        drop_winner(make_user(Role.ORGANISER), data.round.id, data.b.id, reason)
    assert refused.value.field == "reason"
    assert db.session.scalar(select(func.count(WinnerDrop.id))) == 0
    assert commitment_of(data.b).status == CommitmentStatus.PLANNED.value


def test_the_database_refuses_a_drop_without_reason(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    db.session.add(
        WinnerDrop(round_id=data.round.id, project_id=data.b.id, reason="  ", added_project_ids=[], rerun={})
    )
    with pytest.raises(Exception, match="drop_has_reason"):
        db.session.flush()
    db.session.rollback()


def test_only_a_current_winner_can_be_dropped(app: Flask, db_session) -> None:
    data = published_greedy_round(app)
    organiser = make_user(Role.ORGANISER)
    with service_context(app):
        with pytest.raises(RuleViolation):
            drop_winner(organiser, data.round.id, data.d.id, REASON)  # lost the vote
        drop_winner(organiser, data.round.id, data.b.id, REASON)
        with pytest.raises(RuleViolation):
            drop_winner(organiser, data.round.id, data.b.id, REASON)  # already dropped
        other = published_greedy_round(app)
        with pytest.raises(RuleViolation):
            drop_winner(organiser, data.round.id, other.a.id, REASON)  # a winner of another round
    assert db.session.scalar(select(func.count(WinnerDrop.id))) == 1


@pytest.mark.parametrize("role", [Role.PROFESSIONAL, Role.RESIDENT])
def test_only_organisers_drop_a_winner(app: Flask, db_session, role: Role) -> None:
    data = published_greedy_round(app)
    with service_context(app), pytest.raises(NotAllowed):
        drop_winner(make_user(role), data.round.id, data.b.id, REASON)
    assert db.session.scalar(select(func.count(WinnerDrop.id))) == 0


def test_an_unpublished_round_has_no_winner_to_drop(app: Flask, db_session) -> None:
    data = realistic_round()
    with service_context(app), pytest.raises(RuleViolation):
        drop_winner(make_user(Role.ORGANISER), data.round.id, data.speeltuin.id, REASON)
    assert db.session.scalar(select(func.count(Commitment.id))) == 0


def test_dropping_a_buurt_winner_reruns_only_that_part_with_its_budget(app: Flask, db_session) -> None:
    """The money of a dropped buurt project goes back to that buurt's part, by its own budget and ballots; the
    wijk's part is not touched. A winner funded in part counts with its part."""
    from app.models import RoundBuurtBudget
    from app.models.freeze import seeding
    from tests.results_data import cast_votes

    rnd = make_round(phase=Phase.CLOSED, budget_cents=2_000_000, max_project_cost_cents=2_000_000)
    noord = sorted(rnd.wijk.buurten, key=lambda b: b.name)[0]
    with seeding(db.session):
        rnd.buurt_budgets = [RoundBuurtBudget(buurt_id=noord.id, budget_cents=700_000)]
        rnd.leftover_policy = "partial"
        db.session.commit()
    park = make_project(rnd, cost_cents=1_500_000, title="Park")
    plein = make_project(rnd, cost_cents=1_000_000, title="Plein")
    bank = make_project(rnd, cost_cents=400_000, title="Bank", buurt_id=noord.id)
    boom = make_project(rnd, cost_cents=500_000, title="Boom", buurt_id=noord.id)
    cast_votes(rnd, {park: 9, plein: 8, bank: 7, boom: 6})
    with service_context(app):
        result = publish_round(rnd.id)
        # Wijk: Park, then Plein gets the € 5.000 left; Noord: Bank, then Boom gets the € 3.000 left.
        assert result.selected_project_ids == [park.id, plein.id, bank.id, boom.id]
        drop = drop_winner(make_user(Role.ORGANISER), rnd.id, bank.id, REASON)
    assert drop.rerun["budget_cents"] == 700_000
    assert drop.rerun["rerun_selected_ids"] == [boom.id]
    # Boom was already a (partly funded) winner; with Bank gone there is room, but it is kept, not added twice.
    assert drop.added_project_ids == []
    assert current_winners(result, round_drops(rnd.id)) == [park.id, plein.id, boom.id]
