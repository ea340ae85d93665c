"""Residents vote on the feasible projects of their own wijk while voting is open; one secret ballot each."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import inspect

from app.extensions import db
from app.models import Ballot, BallotChoice, Phase, Project, ProjectStatus, Role, Round, User
from app.models.freeze import seeding
from tests.ballot_box import sealed_session
from tests.factories import login, make_project, make_round, make_user, make_wijk


def _voting_round(**kaders: Any) -> tuple[Round, list[Project]]:
    """A knapsack round (budget € 50.000) with three feasible projects of € 20.000, € 15.000 and € 10.000."""
    rnd = make_round(phase=Phase.VOTING, **kaders)
    projects = [
        make_project(rnd, cost_cents=cost, title=title)
        for cost, title in ((2_000_000, "Speeltuin"), (1_500_000, "Moestuin"), (1_000_000, "Bankjes"))
    ]
    return rnd, projects


def _voter(client: FlaskClient, rnd: Round, role: Role = Role.RESIDENT) -> User:
    user = make_user(role, wijk=rnd.wijk)
    login(client, user)
    return user


def _vote(client: FlaskClient, rnd: Round, ids: list[Any], action: str = "cast") -> Any:
    """Post the ballot; a checked or refused one answers 303 (Post/Redirect/Get), followed here to its page."""
    response = client.post(
        f"/ronde/{rnd.id}/stemmen", data={"project_ids": [str(i) for i in ids], "action": action}
    )
    if response.status_code == 303:
        followed = client.get(response.headers["Location"].split("#")[0])
        followed.posted_status = 303
        return followed
    return response


def _refused(response: Any) -> bool:
    """The vote was not cast: the POST was redirected back to the ballot, which lists the problems."""
    return getattr(
        response, "posted_status", None
    ) == 303 and "Je keuze past nog niet binnen de regels" in _text(response)


def _ballots() -> list[Ballot]:
    return sealed_session().query(Ballot).all()


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True)).replace("\u00a0", " ")


def test_ballot_page_lists_feasible_projects_and_the_kaders(client: FlaskClient) -> None:
    rnd, _projects = _voting_round()
    make_project(rnd, status=ProjectStatus.INFEASIBLE, title="Kunstgras")
    make_project(rnd, status=ProjectStatus.WITHDRAWN, title="Ingetrokken plan")
    _voter(client, rnd)
    page = client.get(f"/ronde/{rnd.id}/stemmen")
    body = _text(page)
    assert page.status_code == 200
    assert "Speeltuin" in body and "Moestuin" in body and "Bankjes" in body
    assert "Kunstgras" not in body and "Ingetrokken plan" not in body
    assert "De spelregels van deze ronde" in body
    assert "Bereken totaal" in body and "Breng mijn stem uit" in body
    assert "Budget: € 50.000" in body


def test_valid_knapsack_ballot_is_stored_and_receipt_shown(client: FlaskClient) -> None:
    rnd, (play, garden, _benches) = _voting_round()
    _voter(client, rnd)
    response = _vote(client, rnd, [play.id, garden.id])
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/ronde/{rnd.id}/stembewijs"
    )
    [ballot] = _ballots()
    assert ballot.round_id == rnd.id
    assert ballot.project_ids == sorted([play.id, garden.id])
    receipt = _text(client.get(f"/ronde/{rnd.id}/stembewijs"))
    assert ballot.receipt_code in receipt
    assert "Speeltuin" in receipt and "Moestuin" in receipt and "Totaal: € 35.000" in receipt
    assert "Je kunt je stem wijzigen tot" in receipt


def test_valid_approval_ballot_is_stored(client: FlaskClient) -> None:
    rnd, projects = _voting_round(ballot_type="approval", min_choices=1, max_choices=2)
    _voter(client, rnd)
    assert _vote(client, rnd, [projects[0].id, projects[2].id]).status_code == 302
    assert _ballots()[0].project_ids == sorted([projects[0].id, projects[2].id])


@pytest.mark.parametrize(
    ("count", "message"),
    [(3, "Kies hoogstens 2 projecten; je koos er 3."), (1, "Kies minstens 2 projecten; je koos er 1.")],
)
def test_approval_ballot_with_too_many_or_too_few_is_refused(
    client: FlaskClient, count: int, message: str
) -> None:
    rnd, projects = _voting_round(ballot_type="approval", min_choices=2, max_choices=2)
    _voter(client, rnd)
    response = _vote(client, rnd, [p.id for p in projects[:count]])
    assert _refused(response)
    assert message in _text(response)
    assert _ballots() == []


def test_empty_ballot_is_refused(client: FlaskClient) -> None:
    rnd, _projects = _voting_round()
    _voter(client, rnd)
    response = _vote(client, rnd, [])
    assert _refused(response) and "Kies minstens één project." in _text(response)
    assert _ballots() == []


def test_knapsack_over_budget_is_refused(client: FlaskClient) -> None:
    rnd, projects = _voting_round(budget_cents=4_000_000, max_project_cost_cents=2_000_000)
    _voter(client, rnd)
    response = _vote(client, rnd, [p.id for p in projects])
    assert _refused(response)
    assert "Je keuze kost € 45.000. Dat is € 5.000 meer dan het budget van € 40.000." in _text(response)
    assert _ballots() == []


def test_knapsack_under_minimum_share_is_refused(client: FlaskClient) -> None:
    rnd, projects = _voting_round(knapsack_min_spend_pct=50)
    _voter(client, rnd)
    response = _vote(client, rnd, [projects[2].id])
    assert _refused(response)
    assert "minstens 50% van het budget gebruiken (€ 25.000); nu is dat € 10.000." in _text(response)
    assert _ballots() == []
    assert _vote(client, rnd, [projects[0].id, projects[1].id]).status_code == 302  # € 35.000 is enough


@pytest.mark.parametrize(
    "status", [ProjectStatus.INFEASIBLE, ProjectStatus.SUBMITTED, ProjectStatus.WITHDRAWN]
)
def test_injected_project_not_on_the_ballot_is_refused(client: FlaskClient, status: ProjectStatus) -> None:
    rnd, projects = _voting_round()
    hidden = make_project(rnd, status=status, title="Niet toegelaten")
    _voter(client, rnd)
    response = _vote(client, rnd, [projects[0].id, hidden.id])
    assert _refused(response)
    assert "“Niet toegelaten” staat niet op het stembiljet." in _text(response)
    assert _ballots() == []


@pytest.mark.parametrize("bad_id", ["999999", "abc", "-1", "1.5"])
def test_unknown_project_id_is_refused(client: FlaskClient, bad_id: str) -> None:
    rnd, projects = _voting_round()
    _voter(client, rnd)
    response = _vote(client, rnd, [projects[0].id, bad_id])
    assert _refused(response)
    assert "Een of meer gekozen projecten bestaan niet in deze ronde." in _text(response)
    assert _ballots() == []


def test_project_of_another_round_is_refused(client: FlaskClient) -> None:
    rnd, projects = _voting_round()
    other_round, other_projects = _voting_round()
    _voter(client, rnd)
    response = _vote(client, rnd, [projects[0].id, other_projects[0].id])
    assert _refused(response)
    assert "Een of meer gekozen projecten bestaan niet in deze ronde." in _text(response)
    assert _ballots() == []


def test_all_problems_are_listed_at_once(client: FlaskClient) -> None:
    rnd, projects = _voting_round(budget_cents=4_000_000, max_project_cost_cents=2_000_000)
    hidden = make_project(rnd, status=ProjectStatus.INFEASIBLE, title="Kunstgras")
    _voter(client, rnd)
    body = _text(_vote(client, rnd, [*(p.id for p in projects), hidden.id, 424242]))
    assert "Je keuze kost € 45.000" in body
    assert "“Kunstgras” staat niet op het stembiljet." in body
    assert "Een of meer gekozen projecten bestaan niet in deze ronde." in body
    assert _ballots() == []


def test_check_button_shows_total_and_problems_but_saves_nothing(client: FlaskClient) -> None:
    rnd, projects = _voting_round(budget_cents=4_000_000, max_project_cost_cents=2_000_000)
    _voter(client, rnd)
    over = _vote(client, rnd, [p.id for p in projects], action="check")
    body = _text(over)
    assert over.status_code == 200
    assert "Je keuze past nog niet binnen de regels" in body and "Je keuze kost € 45.000" in body
    assert 'Gekozen: <strong data-total="spent">€ 45.000</strong>' in body
    assert 'Nog over: <strong data-total="left">-€ 5.000</strong>' in body
    fine = _text(_vote(client, rnd, [projects[0].id], action="check"))
    assert "Je keuze past binnen de regels. Hij is nog niet opgeslagen" in fine
    assert f'value="{projects[0].id}" id="project-{projects[0].id}" data-cost="2000000"' in fine
    assert _ballots() == []


def test_changing_a_ballot_replaces_choices_and_keeps_the_receipt(client: FlaskClient) -> None:
    rnd, (play, garden, benches) = _voting_round()
    _voter(client, rnd)
    _vote(client, rnd, [play.id, garden.id])
    [first] = _ballots()
    receipt, ballot_id = first.receipt_code, first.id
    page = _text(client.get(f"/ronde/{rnd.id}/stemmen"))
    assert "Je hebt al gestemd" in page
    assert re.search(
        rf'id="project-{play.id}" data-cost="2000000"\s+aria-describedby="project-{play.id}-info" checked',
        page,
    )
    assert _vote(client, rnd, [benches.id, garden.id]).status_code == 302
    db.session.expire_all()
    [ballot] = _ballots()
    assert ballot.id == ballot_id and ballot.receipt_code == receipt
    assert ballot.project_ids == sorted([garden.id, benches.id])
    assert sealed_session().query(BallotChoice).filter_by(ballot_id=ballot.id).count() == 2


def test_ballot_row_holds_no_user_column(client: FlaskClient) -> None:
    rnd, projects = _voting_round()
    user = _voter(client, rnd)
    _vote(client, rnd, [projects[0].id])
    columns = {c["name"] for c in inspect(db.session.connection()).get_columns("ballots")}
    assert columns == {"id", "round_id", "voter_key", "receipt_code", "channel", "status"}
    # The only reference a ballot holds is its round: nothing points at a user, code or register entry.
    foreign_keys = inspect(db.session.connection()).get_foreign_keys("ballots")
    assert [fk["referred_table"] for fk in foreign_keys] == ["rounds"]
    choice_columns = {c["name"] for c in inspect(db.session.connection()).get_columns("ballot_choices")}
    # Points and rank are the voter's marks (points and ranked ballots), nothing about the voter.
    assert choice_columns == {"ballot_id", "project_id", "round_id", "points", "rank"}
    [ballot] = _ballots()
    assert str(user.id) != ballot.voter_key and len(ballot.voter_key) == 64


@pytest.mark.parametrize("phase", [Phase.PROPOSALS, Phase.REVIEW, Phase.CLOSED, Phase.PUBLISHED])
def test_voting_outside_the_voting_phase_is_refused(client: FlaskClient, phase: Phase) -> None:
    rnd = make_round(phase=phase)
    project = make_project(rnd)
    _voter(client, rnd)
    page = client.get(f"/ronde/{rnd.id}/stemmen")
    assert page.status_code == 409 and "alleen stemmen zolang de stemming open is" in _text(page)
    assert _vote(client, rnd, [project.id]).status_code == 409
    assert _ballots() == []


def test_voting_after_the_closing_date_is_refused_even_before_the_phase_task_ran(client: FlaskClient) -> None:
    rnd, projects = _voting_round()
    _voter(client, rnd)
    now = datetime.now(UTC)
    with seeding(db.session):  # the calendar has moved on; the dates are frozen for services
        rnd.proposals_open_at = now - timedelta(days=4)
        rnd.review_open_at = now - timedelta(days=3)
        rnd.voting_open_at = now - timedelta(days=2)
        rnd.voting_close_at = now - timedelta(minutes=1)
        db.session.commit()
    assert _vote(client, rnd, [projects[0].id]).status_code == 409
    assert _ballots() == []


def test_resident_of_another_wijk_is_refused(client: FlaskClient) -> None:
    rnd, projects = _voting_round()
    login(client, make_user(wijk=make_wijk()))
    page = client.get(f"/ronde/{rnd.id}/stemmen")
    assert page.status_code == 403
    assert f"Alleen bewoners van {rnd.wijk.name} kunnen in deze ronde stemmen." in _text(page)
    assert _vote(client, rnd, [projects[0].id]).status_code == 403
    assert _ballots() == []


def test_staff_vote_only_in_their_own_wijk(client: FlaskClient) -> None:
    rnd, projects = _voting_round()
    login(client, make_user(Role.ORGANISER))  # no wijk
    assert _vote(client, rnd, [projects[0].id]).status_code == 403
    assert _ballots() == []
    client.post("/uitloggen")
    _voter(client, rnd, Role.PROFESSIONAL)
    assert _vote(client, rnd, [projects[0].id]).status_code == 302
    assert len(_ballots()) == 1


def test_anonymous_visitor_is_sent_to_log_in(client: FlaskClient) -> None:
    rnd, projects = _voting_round()
    response = _vote(client, rnd, [projects[0].id])
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert _ballots() == []


def test_receipt_without_a_ballot_sends_back_to_the_round(client: FlaskClient) -> None:
    rnd, _projects = _voting_round()
    _voter(client, rnd)
    response = client.get(f"/ronde/{rnd.id}/stembewijs")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/ronde/{rnd.id}")


def test_two_residents_get_two_ballots_with_different_receipts(client: FlaskClient) -> None:
    rnd, projects = _voting_round()
    _voter(client, rnd)
    _vote(client, rnd, [projects[0].id])
    client.post("/uitloggen")
    _voter(client, rnd)
    _vote(client, rnd, [projects[1].id])
    first, second = _ballots()
    assert first.voter_key != second.voter_key and first.receipt_code != second.receipt_code
