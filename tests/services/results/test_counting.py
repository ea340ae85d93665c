"""Counting a closed round through the service: winners, reasons, tie-breaks, phases, idempotence."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import AuditEvent, Phase, Result, Role
from app.models.freeze import seeding
from app.services.errors import NotAllowed, RuleViolation
from app.services.results.counting import ResultAlreadyPublished, tally_round
from app.services.results.election import counting_id, load_election
from tests.factories import make_project, make_round, make_user
from tests.results_data import cast_ballot, cast_votes, realistic_round, service_context


def _by_title(result: Result) -> dict[str, dict]:
    return {row["title"]: row for row in result.project_results}


def test_greedy_count_of_a_realistic_round(app: Flask, db_session) -> None:
    data = realistic_round()
    with service_context(app):
        result = tally_round(data.round.id)

    assert result.published_at is None
    assert result.rule == "greedy"
    assert result.ballots_counted == 45  # the 5 empty ballots are part of the turnout
    assert result.selected_project_ids == [p.id for p in data.winners]
    assert result.total_cost_cents == 5_000_000
    rows = _by_title(result)
    assert "Parkeergarage" not in rows  # infeasible projects are not on the ballot
    assert [row["title"] for row in result.project_results] == [
        "Speeltuin Noord",
        "Bankjes bij de vijver",
        "Groene daken",
        "Buurtfeest",
        "Moestuin",
        "Kunstwerk",
    ]
    assert rows["Speeltuin Noord"]["votes"] == 40
    assert rows["Speeltuin Noord"]["explanation"]["code"] == "selected"
    assert rows["Groene daken"]["selected"] is False
    assert rows["Groene daken"]["explanation"] == {
        "code": "did_not_fit",
        "details": {"score": 30, "cost": 3_000_000, "budget_left": 2_500_000},
    }
    assert rows["Kunstwerk"]["explanation"]["code"] == "did_not_fit"
    assert rows["Kunstwerk"]["explanation"]["details"]["budget_left"] == 0
    assert rows["Moestuin"]["explanation"]["details"]["budget_left"] == 0


def test_count_records_audit_event_and_stays_hidden(app: Flask, db_session) -> None:
    data = realistic_round()
    with service_context(app):
        result = tally_round(data.round.id)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.round_id == data.round.id)).all()
    assert [e.action for e in events] == ["round.counted"]
    assert events[0].details["result_id"] == result.id
    assert db.session.get(type(data.round), data.round.id).phase == Phase.CLOSED.value


def test_recount_replaces_the_unpublished_result(app: Flask, db_session) -> None:
    data = realistic_round()
    with service_context(app):
        first = tally_round(data.round.id)
    first_id = first.id
    for _ in range(30):  # a late batch of postal votes for Kunstwerk, registered before publication
        cast_ballot(data.round, [data.kunst])
    db.session.commit()
    with service_context(app):
        second = tally_round(data.round.id)
    assert second.id == first_id
    assert db.session.scalar(select(func.count(Result.id)).where(Result.round_id == data.round.id)) == 1
    assert second.ballots_counted == 75
    assert data.kunst.id in second.selected_project_ids


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.REVIEW, Phase.PROPOSALS])
def test_count_refused_before_voting_closed(app: Flask, db_session, phase: Phase) -> None:
    rnd = make_round(phase=phase)
    project = make_project(rnd)
    cast_votes(rnd, {project: 3})
    with service_context(app), pytest.raises(RuleViolation) as refused:
        tally_round(rnd.id)
    assert "nadat het stemmen is gesloten" in str(refused.value)
    assert db.session.scalar(select(func.count(Result.id))) == 0


def test_count_refused_once_published(app: Flask, db_session) -> None:
    from app.services.results.publishing import publish_round

    data = realistic_round()
    with service_context(app):
        published = publish_round(data.round.id)
        published_at = published.published_at
        with pytest.raises(ResultAlreadyPublished) as refused:
            tally_round(data.round.id)
    assert refused.value.result_id == published.id
    assert db.session.get(Result, published.id).published_at == published_at


def test_only_organisers_or_the_system_count(app: Flask, db_session) -> None:
    data = realistic_round()
    resident = make_user(Role.RESIDENT)
    organiser = make_user(Role.ORGANISER)
    with service_context(app), pytest.raises(NotAllowed):
        tally_round(data.round.id, actor_id=resident.id)
    with service_context(app):
        tally_round(data.round.id, actor_id=organiser.id)
    event_row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.counted"))
    assert event_row.actor_id == organiser.id


def _tie_round(*costs: int, votes: int = 10, **kaders) -> tuple:
    rnd = make_round(
        phase=Phase.CLOSED,
        budget_cents=1_000_000,
        min_project_cost_cents=100_000,
        max_project_cost_cents=1_000_000,
        **kaders,
    )
    projects = [make_project(rnd, cost_cents=cost, title=f"Plan {i}") for i, cost in enumerate(costs)]
    cast_votes(rnd, dict.fromkeys(projects, votes))
    return rnd, projects


def test_default_tie_break_takes_the_cheaper_project_first(app: Flask, db_session) -> None:
    rnd, (dear, cheap) = _tie_round(800_000, 600_000)
    with service_context(app):
        result = tally_round(rnd.id)
    assert result.selected_project_ids == [cheap.id]
    assert result.tie_break == "default"
    assert result.tie_break_detail["ties"] == [[cheap.id, dear.id]]
    assert result.tie_break_detail["lot_decided"] == []
    assert result.tie_break_detail["lot_mattered"] is False
    rows = _by_title(result)
    assert rows[dear.title]["explanation"]["details"]["budget_left"] == 400_000


@pytest.mark.parametrize("first", [0, 1])
def test_default_tie_break_uses_the_lot_when_cost_and_votes_are_equal(
    app: Flask, db_session, first: int
) -> None:
    rnd, projects = _tie_round(600_000, 600_000)
    lot = [projects[first].id, projects[1 - first].id]
    with seeding(db.session):  # the lot drawn when voting opened
        rnd.tie_break_lot = lot
        db.session.commit()
    with service_context(app):
        result = tally_round(rnd.id)
    assert result.selected_project_ids == [projects[first].id]
    detail = result.tie_break_detail
    assert detail["lot"] == lot
    assert detail["fallback_to_id_order"] is False
    assert detail["lot_decided"] == [lot]
    assert detail["lot_mattered"] is True


def test_lot_that_misses_a_project_is_refused(app: Flask, db_session) -> None:
    rnd, projects = _tie_round(600_000, 600_000)
    with seeding(db.session):
        rnd.tie_break_lot = [projects[0].id]
        db.session.commit()
    with service_context(app), pytest.raises(RuleViolation):
        tally_round(rnd.id)
    assert db.session.scalar(select(func.count(Result.id))) == 0


def test_lexicographic_tie_break_ignores_cost(app: Flask, db_session) -> None:
    rnd, projects = _tie_round(600_000, 500_000, tie_break="lexicographic")
    with service_context(app):
        result = tally_round(rnd.id)
    # Project ids are compared as text, as pabutools does.
    expected = min(projects, key=lambda p: str(p.id))
    assert result.selected_project_ids == [expected.id]
    assert result.tie_break_detail["mode"] == "lexicographic"
    assert result.tie_break_detail["lot"] is None


def test_round_without_ballots_is_counted(app: Flask, db_session) -> None:
    rnd = make_round(phase=Phase.CLOSED)
    make_project(rnd)
    with service_context(app):
        result = tally_round(rnd.id)
    assert result.ballots_counted == 0


def test_unknown_counting_rule_is_refused_cleanly(app: Flask, db_session) -> None:
    rnd = make_round(phase=Phase.CLOSED, counting_rule="dobbelsteen")
    make_project(rnd)
    with service_context(app), pytest.raises(RuleViolation) as refused:
        tally_round(rnd.id)
    assert "dobbelsteen" in str(refused.value)


def test_equal_shares_round_is_counted_with_explanations(app: Flask, db_session) -> None:
    data = realistic_round()
    with seeding(db.session):
        data.round.counting_rule = "equalshares/add1"
        db.session.commit()
    with service_context(app):
        result = tally_round(data.round.id)
    assert result.rule == "equalshares/add1"
    assert result.total_cost_cents <= data.round.budget_cents
    assert result.project_results[0]["selected"] is True
    assert all(row["explanation"]["code"] for row in result.project_results)


def test_election_loads_choices_without_a_query_per_ballot(app: Flask, db_session) -> None:
    data = realistic_round()
    rnd = db.session.get(type(data.round), data.round.id)
    statements: list[str] = []

    def count_statement(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count_statement)
    try:
        with service_context(app):
            loaded = load_election(rnd)
    finally:
        event.remove(engine, "before_cursor_execute", count_statement)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # The round's kaders (parts, caps, buurten), the feasible projects, then every ballot with its choices in
    # one query: a fixed handful, whatever the number of ballots.
    assert len(selects) <= 8
    assert sum("ballot_choices" in s for s in selects) == 1
    assert loaded.ballots_counted == 45
    assert set(loaded.election.projects) == {
        counting_id(p.id)
        for p in (data.speeltuin, data.bankjes, data.daken, data.feest, data.moestuin, data.kunst)
    }
