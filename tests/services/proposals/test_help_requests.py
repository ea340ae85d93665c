"""Help when residents ask: the author asks, a professional of the wijk picks it up and answers, the resident
sees who helps, organisers see what waits; nobody else reads a request."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask

from app.extensions import db
from app.models import HelpRequest, Notification, Phase, ProjectStatus, Role
from app.services.errors import NotAllowed, RuleViolation
from app.services.proposals import help_requests
from tests.factories import make_project, make_round, make_user, make_wijk
from tests.results_data import service_context


@pytest.fixture(autouse=True)
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with service_context(app, "en"):
        yield


def _asked(phase: Phase = Phase.PROPOSALS):  # type: ignore[no-untyped-def]
    rnd = make_round(phase=phase)
    author = make_user(wijk=rnd.wijk)
    project = make_project(rnd, status=ProjectStatus.SUBMITTED, author_id=author.id)
    request = help_requests.ask_for_help(
        author, project.id, "permit", "Heb ik een vergunning nodig voor bankjes?"
    )
    return request, author, rnd


def test_a_professional_of_the_wijk_picks_up_and_answers(db_session) -> None:
    request, author, rnd = _asked()
    helper = make_user(Role.PROFESSIONAL, wijk=rnd.wijk, name="Pim Professional")
    assert help_requests.requests_for_professional(helper) == [request]
    help_requests.pick_up(helper, request.id)
    with pytest.raises(RuleViolation, match="already helps"):
        help_requests.pick_up(make_user(Role.PROFESSIONAL, wijk=rnd.wijk), request.id)
    with pytest.raises(RuleViolation):
        help_requests.answer(helper, request.id, "   ")
    help_requests.answer(helper, request.id, "Nee, voor losse bankjes niet.")
    [seen] = help_requests.requests_of_project(author, request.project_id)
    assert seen.helper is not None and seen.helper.name == "Pim Professional"
    assert seen.answer == "Nee, voor losse bankjes niet."
    kinds = [
        n.kind for n in db.session.query(Notification).filter_by(user_id=author.id).order_by(Notification.id)
    ]
    assert kinds == ["help_picked_up", "help_answered"]


def test_nobody_else_reads_or_handles_a_request(db_session) -> None:
    request, _author, _rnd = _asked()
    other_wijk_professional = make_user(Role.PROFESSIONAL, wijken=[make_wijk()])
    assert help_requests.requests_for_professional(other_wijk_professional) == []
    with pytest.raises(NotAllowed):
        help_requests.pick_up(other_wijk_professional, request.id)
    with pytest.raises(NotAllowed):
        help_requests.requests_for_professional(make_user())
    with pytest.raises(NotAllowed):
        help_requests.requests_of_project(make_user(), request.project_id)
    with pytest.raises(NotAllowed):
        help_requests.open_requests_for_organiser(make_user(Role.PROFESSIONAL))


def test_only_the_author_asks_and_bad_questions_are_refused(db_session) -> None:
    request, author, rnd = _asked()
    with pytest.raises(NotAllowed):
        help_requests.ask_for_help(make_user(wijk=rnd.wijk), request.project_id, "permit", "Mag ik meedoen?")
    with pytest.raises(RuleViolation):
        help_requests.ask_for_help(author, request.project_id, "money", "Geld?")
    with pytest.raises(RuleViolation):
        help_requests.ask_for_help(author, request.project_id, "wording", "x" * 50_000)
    assert db.session.query(HelpRequest).count() == 1


def test_organisers_see_how_long_open_requests_wait(db_session) -> None:
    request, _author, _rnd = _asked()
    now = request.created_at + timedelta(hours=30)
    assert help_requests.open_requests_for_organiser(make_user(Role.ORGANISER), now) == [(request, 30)]
