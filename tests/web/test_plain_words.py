"""The wording issue 14 found when the site was tried as a new user would: one name per thing, messages that name
the real problem, and dates that say what happened."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, format_datetime

from app.extensions import db
from app.models import CommitmentStatus, Phase, ProjectStatus, Role
from app.models.base import utcnow
from app.models.freeze import seeding
from app.services.codes.code_votes import identify_code_voter
from app.services.codes.letters import _instructions
from app.services.errors import RuleViolation
from app.services.paper.voter_lookup import CodeIdentity, find_voter
from app.services.proposals.review import review_project
from app.services.results.outcomes import Outcome, project_outcome
from app.services.rounds.wijken import InvalidFields
from app.services.voting.ballots import BallotMarks, check_ballot
from tests.commitments_data import commitment_of, published_greedy_round
from tests.factories import login, make_letter_code_round, make_project, make_round, make_user
from tests.results_data import service_context

CATALOGUE = Path(__file__).resolve().parents[2] / "app/translations/nl/LC_MESSAGES/messages.po"


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).replace("\xa0", " ")


def _problem(call) -> str:  # type: ignore[no-untyped-def]
    try:
        call()
    except InvalidFields as exc:
        return " ".join(str(m) for m in exc.errors.values())
    except RuleViolation as exc:
        return str(exc.message)
    raise AssertionError("no problem was raised")


def test_the_receipt_code_has_one_dutch_name(client: FlaskClient) -> None:
    msgstrs = [
        line for line in CATALOGUE.read_text(encoding="utf-8").splitlines() if line.startswith("msgstr")
    ]
    assert not [line for line in msgstrs if "ontvangstcode" in line.lower()]
    assert "Stembewijscode (alleen om je stem te veranderen)" in _text(client.get("/stemmen/code"))


def test_a_published_round_does_not_say_its_result_twice(client: FlaskClient) -> None:
    make_round(phase=Phase.PUBLISHED, title="Ronde met uitslag")
    page = _text(client.get("/"))
    assert "De uitslag is bekend." in page
    assert "De uitslag is gepubliceerd" not in page


def test_a_receipt_of_twelve_characters_is_refused_for_what_is_wrong_with_it(
    app: Flask, client: FlaskClient
) -> None:
    rnd = published_greedy_round(app).round
    wrong_letters = _text(
        client.get("/uitslag/stembewijs", query_string={"round_id": rnd.id, "code": "K7QO-9XRT-CAW1"})
    )
    assert "Een stembewijscode bevat nooit 1 O" in wrong_letters
    assert "heeft 12 letters en cijfers" not in wrong_letters
    too_short = _text(
        client.get("/uitslag/stembewijs", query_string={"round_id": rnd.id, "code": "K7QM-9XRT-CAW"})
    )
    assert "je typte er 11" in too_short


def test_an_empty_code_is_asked_for_not_called_invalid(app: Flask, db_session: object) -> None:
    rnd = make_letter_code_round(phase=Phase.VOTING)
    with service_context(app):
        assert _problem(lambda: identify_code_voter("   ", "3512AB")) == "Vul de stemcode van je brief in."
        paper = _problem(lambda: find_voter(rnd, CodeIdentity("", "3512 AB")))
    assert "Vul de stemcode van de brief in" in paper and "geen geldige" not in paper


def test_a_cost_above_the_maximum_is_refused_for_that_before_any_reason_is_asked(
    app: Flask, db_session: object
) -> None:
    rnd = make_round(phase=Phase.REVIEW, max_project_cost_cents=2_000_000)
    project = make_project(rnd, cost_cents=1_000_000, status=ProjectStatus.SUBMITTED)
    professional = make_user(Role.PROFESSIONAL)
    with service_context(app):
        said = _problem(
            lambda: review_project(
                professional, project.id, feasible=True, reason="", new_cost_cents=2_500_000, cost_reason=""
            )
        )
    assert "buiten de grenzen van deze ronde" in said and "Leg uit waarom" not in said


def test_a_poll_worker_is_told_about_the_ballot_not_addressed_as_the_voter(
    app: Flask, db_session: object
) -> None:
    rnd = make_round(phase=Phase.REVIEW, budget_cents=1_000_000, max_project_cost_cents=1_000_000)
    big = [make_project(rnd, cost_cents=800_000).id for _ in range(2)]
    with service_context(app):
        for_voter = str(check_ballot(rnd, big).problems[0]).replace("\xa0", " ")
        for_poll_worker = str(check_ballot(rnd, big, for_poll_worker=True).problems[0]).replace("\xa0", " ")
    assert for_voter.startswith("Je keuze kost")
    assert for_poll_worker.startswith("De keuze op dit stembiljet kost € 16.000")


def test_a_poll_worker_is_not_addressed_as_the_voter_on_points_and_ranks_either(
    app: Flask, db_session: object
) -> None:
    points = make_round(phase=Phase.REVIEW, ballot_type="points", points_total=3, points_per_project=2)
    play, garden = make_project(points), make_project(points)
    ranked = make_round(phase=Phase.REVIEW, ballot_type="ranked", min_choices=1, max_choices=2)
    first, second = make_project(ranked), make_project(ranked)
    too_many = BallotMarks(points={str(play.id): "2", str(garden.id): "2"})
    same_place = BallotMarks(ranks={str(first.id): "1", str(second.id): "1"})
    with service_context(app):
        said = [
            str(p)
            for rnd, marks in ((points, too_many), (ranked, same_place))
            for p in check_ballot(rnd, marks, for_poll_worker=True).problems
        ]
        to_voter = [str(p) for p in check_ballot(points, too_many).problems]
    assert said and not any(s.startswith("Je ") or " je " in s for s in said), said
    assert any("dit stembiljet" in s for s in said), said
    assert any(s.startswith("Je ") for s in to_voter), to_voter


def test_a_delivered_winner_is_labelled_delivered(app: Flask, client: FlaskClient) -> None:
    data = published_greedy_round(app)
    with seeding(db.session):
        commitment_of(data.a).status = CommitmentStatus.DELIVERED.value
        db.session.commit()
    with service_context(app):
        assert project_outcome(data.a) is Outcome.DELIVERED
        assert project_outcome(data.b) is Outcome.CHOSEN
        assert project_outcome(data.d) is Outcome.NOT_CHOSEN
    page = _text(client.get(f"/project/{data.a.id}"))
    assert "Gekozen en uitgevoerd" in page and "staat op het stembiljet" not in page
    assert "Stond op het stembiljet, niet gekozen" in _text(client.get(f"/project/{data.d.id}"))


def test_a_step_whose_date_has_passed_is_not_called_planned(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.REVIEW)
    with seeding(db.session):
        rnd.voting_open_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    login(client, make_user(Role.ORGANISER))
    page = _text(client.get(f"/organiseren/ronde/{rnd.id}"))
    assert "De volgende stap stond gepland op" in page and "Volgende stap gepland" not in page


def test_voting_opened_early_shows_the_real_start_in_letters_and_on_the_turnout_page(
    app: Flask, client: FlaskClient
) -> None:
    rnd = make_letter_code_round(phase=Phase.VOTING)
    opened = rnd.voting_open_at - timedelta(days=3)
    with seeding(db.session):
        rnd.voting_opened_at = opened
        db.session.commit()
    with service_context(app), force_locale("nl"):
        _heading, paragraphs = _instructions(rnd)
        start = format_datetime(opened, "d MMMM yyyy HH:mm")
    assert f"Stemmen kan van {start} tot" in paragraphs[0]
    login(client, make_user(Role.ORGANISER))
    turnout = _text(client.get(f"/organiseren/ronde/{rnd.id}/opkomst"))
    assert "Het stemmen begon op" in turnout
