"""Markup in anything a resident or organiser can type is shown as text on every page, never run.

Flask-Babel's lazy strings count as safe HTML, so a value put into a translated message reached the
page unescaped (a wijk named `Oost<script ...>` ran on the round page). Every text below carries a
script tag; no page may contain it raw, and the pages that name the value show it escaped.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Buurt, Phase, ProjectStatus, Role, Round, RoundBuurtBudget, Wijk
from app.models.freeze import seeding
from app.services.commitments.feedback import give_feedback
from app.services.commitments.progress import post_progress
from app.services.commitments.promises import update_commitment
from app.services.results.drops import drop_winner
from app.services.results.publishing import publish_round
from tests.commitments_data import commitment_of
from tests.factories import (
    login,
    make_location,
    make_project,
    make_round,
    make_user,
    make_wijk,
    next_postcode_area,
)
from tests.results_data import cast_votes, service_context
from tests.web.test_organise_forms import round_form

SCRIPT = "<script data-probe>alert(1)</script>"
ESCAPED = "&lt;script data-probe&gt;"


def marked(text: str) -> str:
    return f"{text}{SCRIPT}"


def _wijk() -> Wijk:
    wijk = make_wijk(name=marked("Oost"), buurten=(marked("Noord"), marked("Zuid")))
    wijk.municipality = marked("Utrecht")
    db.session.commit()
    return wijk


def _round(wijk: Wijk, phase: Phase, **kaders: Any) -> Round:
    return make_round(
        wijk,
        phase,
        title=marked("Bewonersbudget"),
        categories=[marked("Groen"), "Spelen"],
        out_of_scope=marked("Onderhoud"),
        **kaders,
    )


def _projects(rnd: Round, buurt: Buurt | None = None) -> list[Any]:
    return [
        make_project(
            rnd,
            title=marked(f"Plan {n}"),
            description=marked("Een mooi plan voor de buurt"),
            category=marked("Groen"),
            cost_cents=cost,
            buurt_id=buurt.id if buurt is not None else None,
        )
        for n, cost in ((1, 500_000), (2, 300_000))
    ] + [
        make_project(
            rnd,
            title=marked("Kunstgras"),
            description=marked("Te duur"),
            status=ProjectStatus.INFEASIBLE,
            review_reason=marked("Niet haalbaar"),
        )
    ]


def _outsider(client: FlaskClient) -> None:
    """A resident whose postcode lies outside the wijk: the pages tell them the wijk's name."""
    login(
        client,
        make_user(Role.RESIDENT, name=marked("Jan"), postcode=f"{next_postcode_area()}XY"),
    )


def _assert_escaped(
    client: FlaskClient, url: str, *, named: bool = True, method: str = "get", **kw: Any
) -> str:
    response = getattr(client, method)(url, **kw)
    body = response.get_data(as_text=True)
    assert response.status_code < 500, url
    assert SCRIPT.split(">")[0] not in body, f"raw markup on {url}"
    if named:
        assert ESCAPED in body, f"{url} does not show the value at all"
    return body


def _checked_ballot(client: FlaskClient, round_id: int, data: dict[str, Any]) -> str:
    """Post the ballot (Post/Redirect/Get): the answer is a redirect to the checked ballot, whose page shows the
    errors."""
    response = client.post(f"/ronde/{round_id}/stemmen", data=data)
    assert response.status_code == 303 and SCRIPT.split(">")[0] not in response.get_data(as_text=True)
    location = response.headers["Location"]
    assert "nagekeken=1" in location
    return location


def test_open_round_pages_escape_wijk_round_and_project_texts(client: FlaskClient) -> None:
    wijk = _wijk()
    rnd = _round(wijk, Phase.VOTING)
    projects = _projects(rnd)
    _outsider(client)
    body = _assert_escaped(client, f"/ronde/{rnd.id}")
    assert f"Oost{ESCAPED}" in body  # "Only residents of <wijk> can vote in this round."
    _assert_escaped(client, f"/ronde/{rnd.id}/stemmen")
    _assert_escaped(client, f"/ronde/{rnd.id}/projecten")
    for project in projects:
        _assert_escaped(client, f"/project/{project.id}")
    _assert_escaped(client, "/", named=False)


def test_ballot_errors_escape_project_titles(client: FlaskClient) -> None:
    wijk = _wijk()
    rnd = _round(wijk, Phase.VOTING)
    *feasible, infeasible = _projects(rnd)
    login(client, make_user(Role.RESIDENT, wijk=wijk))
    data = {"project_ids": [str(infeasible.id)], "action": "cast"}
    body = _assert_escaped(client, _checked_ballot(client, rnd.id, data))
    assert f"Kunstgras{ESCAPED}" in body  # "“<title>” is not on the ballot."


def test_ballot_errors_escape_buurt_names(client: FlaskClient) -> None:
    wijk = _wijk()
    noord, zuid = wijk.buurten
    rnd = _round(wijk, Phase.VOTING)
    with seeding(db.session):  # buurt budgets are kaders, set before voting opened
        db.session.add_all(
            [RoundBuurtBudget(round_id=rnd.id, buurt_id=b.id, budget_cents=1_000_000) for b in (noord, zuid)]
        )
        db.session.commit()
    project = _projects(rnd, buurt=noord)[0]
    login(client, make_user(Role.RESIDENT, wijk=wijk))
    data = {"project_ids": [str(project.id)], "action": "cast", "buurt_id": str(zuid.id)}
    _assert_escaped(client, _checked_ballot(client, rnd.id, data))


def test_proposal_phase_pages_escape_the_wijk_name(client: FlaskClient) -> None:
    wijk = _wijk()
    rnd = _round(wijk, Phase.PROPOSALS)
    _outsider(client)
    body = _assert_escaped(client, f"/ronde/{rnd.id}")
    assert f"Oost{ESCAPED}" in body  # "Only residents of <wijk> can submit proposals in this round."
    _assert_escaped(client, f"/ronde/{rnd.id}/voorstel")


def test_published_round_pages_escape_titles_categories_and_reasons(client: FlaskClient, app: Flask) -> None:
    wijk = _wijk()
    rnd = _round(wijk, Phase.CLOSED, budget_cents=600_000, max_project_cost_cents=600_000)
    first, second, _infeasible = _projects(rnd)
    cast_votes(rnd, {first: 10, second: 5})
    with service_context(app):
        publish_round(rnd.id)
    _outsider(client)
    for url in (f"/uitslag/{rnd.id}", f"/uitslag/{rnd.id}/toezeggingen", f"/project/{first.id}"):
        _assert_escaped(client, url)
    body = _assert_escaped(client, f"/project/{first.id}")
    assert f"Oost{ESCAPED}" in body  # "Only residents of <wijk> and the proposer can respond ..."
    _assert_escaped(client, "/uitslag/")


def test_commitment_texts_are_escaped_on_every_page_that_shows_them(client: FlaskClient, app: Flask) -> None:
    wijk = _wijk()
    rnd = _round(wijk, Phase.CLOSED, budget_cents=600_000, max_project_cost_cents=600_000)
    first, second, _infeasible = _projects(rnd)
    cast_votes(rnd, {first: 10, second: 5})
    with service_context(app):
        publish_round(rnd.id)
    organiser = make_user(Role.ORGANISER, name=marked("Organisator"))
    resident = make_user(Role.RESIDENT, wijk=wijk, name=marked("Bewoner"))
    with app.test_request_context():
        commitment = commitment_of(first)
        update_commitment(
            organiser,
            commitment.id,
            department=marked("Stadsbeheer"),
            responsible_user_id=None,
            planned_delivery_on=None,
        )
        post_progress(
            organiser,
            commitment.id,
            status="in_progress",
            spent_cents=100,
            text=marked("Gestart"),
            photo=None,
        )
        give_feedback(resident, commitment.id, kind="report_problem", text=marked("Kapot"))
        drop_winner(organiser, rnd.id, first.id, marked("Te duur geworden"))
    for url in (f"/project/{first.id}", f"/project/{second.id}", f"/uitslag/{rnd.id}/toezeggingen"):
        _assert_escaped(client, url)
    login(client, organiser)
    _assert_escaped(client, f"/organiseren/ronde/{rnd.id}/logboek")
    _assert_escaped(client, f"/toezeggingen/{commitment.id}/instellen")


def test_organiser_pages_escape_what_organisers_and_residents_typed(client: FlaskClient) -> None:
    wijk = _wijk()
    rnd = _round(wijk, Phase.REVIEW)
    _projects(rnd)
    location = make_location(rnd, name=marked("Buurthuis"))
    login(client, make_user(Role.ORGANISER, name=marked("Organisator")))
    for url in (
        f"/organiseren/ronde/{rnd.id}/stembureaus",
        f"/organiseren/stembureau/{location.id}/bewerken",
        "/organiseren/",
        f"/organiseren/ronde/{rnd.id}",
        f"/organiseren/ronde/{rnd.id}/logboek",
        f"/organiseren/ronde/{rnd.id}/bewerken",
        f"/organiseren/wijk/{wijk.id}/bewerken",
    ):
        _assert_escaped(client, url)
    body = _assert_escaped(client, f"/organiseren/wijk/{wijk.id}/ronde/nieuw")
    assert f"Buurten: Noord{ESCAPED}" in body


@pytest.mark.parametrize(
    "changes",
    [
        {"buurt_budgets": marked("Oost") + ": 4.000"},
        {"category_caps": marked("Verkeer") + ": 10"},
        {"category_caps": "Groen: " + marked("tien")},
        {"category_caps": f"{marked('Groen')}: 10\n{marked('Groen')}: 20", "categories": marked("Groen")},
    ],
)
def test_form_errors_escape_the_text_they_repeat(client: FlaskClient, changes: dict[str, str]) -> None:
    wijk = make_wijk()
    login(client, make_user(Role.ORGANISER))
    url = f"/organiseren/wijk/{wijk.id}/ronde/nieuw"
    _assert_escaped(client, url, method="post", data=round_form(**changes))
    assert db.session.query(Round).count() == 0


def test_wijk_form_errors_escape_the_buurt_they_repeat(client: FlaskClient) -> None:
    wijk = make_wijk()
    login(client, make_user(Role.ORGANISER))
    twice = f"{marked('Noord')}\n{marked('Noord')}"
    data = {"name": "Oost", "municipality": "Utrecht", "buurten": twice, "postcodes": wijk.postcodes[0]}
    _assert_escaped(client, f"/organiseren/wijk/{wijk.id}/bewerken", method="post", data=data)
