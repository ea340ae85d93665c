"""Through the web: every change to a frozen round is refused with a clear page (never a 500); texts are
corrected by public amendment and shown on the round, project and results pages with the audit head hash."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Amendment, FrozenRoundError, Phase, Project, ProjectStatus, Role, Round
from app.services.audit import head_hash
from app.services.results.publishing import publish_round
from tests.factories import login, make_project, make_round, make_user
from tests.results_data import service_context

FROZEN = "liggen daarom vast"


def _text(response: object) -> str:
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _proposal_form() -> dict[str, str]:
    return {
        "title": "Bankjes in het Zonnepark",
        "description": "Vier bankjes langs het pad, zodat ouderen kunnen uitrusten.",
        "cost": "2.500",
        "category": "Groen",
    }


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.CLOSED, Phase.PUBLISHED])
def test_every_web_change_path_is_refused_once_voting_opened(client: FlaskClient, phase: Phase) -> None:
    rnd = make_round(phase=phase, title="Vaste ronde")
    author = make_user(wijk=rnd.wijk)
    project = make_project(rnd, author_id=author.id, status=ProjectStatus.SUBMITTED, title="Vast project")
    login(client, author)
    for url, data in (
        (f"/ronde/{rnd.id}/voorstel", _proposal_form()),
        (f"/voorstel/{project.id}/bewerken", _proposal_form()),
        (f"/voorstel/{project.id}/intrekken", {}),
    ):
        assert client.post(url, data=data).status_code == 409, url
    login(client, make_user(Role.PROFESSIONAL))
    for data in (
        {"verdict": "infeasible", "reason": "Nee."},
        {"verdict": "feasible", "new_cost_cents": "9.000", "cost_reason": "Duurder."},
    ):
        response = client.post(f"/toets/voorstel/{project.id}", data=data)
        assert response.status_code == 409 and "voordat het stemmen begint" in _text(response)
    login(client, make_user(Role.ORGANISER))
    response = client.post(f"/organiseren/ronde/{rnd.id}/bewerken", data={"title": "Andere titel"})
    assert response.status_code == 409 and FROZEN in _text(response)
    db.session.expire_all()
    assert db.session.get(Round, rnd.id).title == "Vaste ronde"
    fresh = db.session.get(Project, project.id)
    assert (fresh.title, fresh.status, fresh.cost_cents) == ("Vast project", "submitted", 500_000)
    assert db.session.query(Project).filter_by(round_id=rnd.id).count() == 1


def test_a_write_that_slips_past_the_services_gives_a_clear_409(app: Flask, client: FlaskClient) -> None:
    with app.test_request_context():
        response = app.make_response(app.handle_user_exception(FrozenRoundError("budget_cents")))
    assert response.status_code == 409
    assert FROZEN in _text(response)


def _amend(client: FlaskClient, rnd: Round, target: str, value: str, reason: str = "Typefout") -> object:
    return client.post(
        f"/organiseren/ronde/{rnd.id}/correctie",
        data={"target": target, "new_value": value, "reason": reason},
    )


def test_amendment_form_starts_from_the_current_text(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING)
    project = make_project(rnd, description="Een bankje bij de vijfer.")
    login(client, make_user(Role.ORGANISER))
    page = client.get(f"/organiseren/ronde/{rnd.id}/correctie?doel=project:{project.id}:description")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Een bankje bij de vijfer." in html
    assert f'<option selected value="project:{project.id}:description">' in html
    assert f"/organiseren/ronde/{rnd.id}/correctie" in client.get(f"/organiseren/ronde/{rnd.id}").get_data(
        as_text=True
    )


def test_amendment_is_shown_on_round_project_and_organise_pages(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING)
    project = make_project(rnd, title="Bankje bij de vijfer")
    login(client, make_user(Role.ORGANISER))
    response = _amend(
        client, rnd, f"project:{project.id}:title", "Bankje bij de vijver", "Spelfout in de titel"
    )
    assert response.status_code == 302  # type: ignore[attr-defined]
    for url in (f"/ronde/{rnd.id}", f"/project/{project.id}", f"/organiseren/ronde/{rnd.id}"):
        text = _text(client.get(url))
        assert "Correcties nadat het stemmen begon" in text, url
        assert "Spelfout in de titel" in text and "Bankje bij de vijfer" in text, url
    assert "Bankje bij de vijver" in _text(client.get(f"/project/{project.id}"))
    other = make_project(make_round(phase=Phase.VOTING))
    assert "Correcties" not in _text(client.get(f"/project/{other.id}"))


def test_amendment_without_reason_or_of_money_is_refused_on_the_form(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING, title="Oude titel")
    login(client, make_user(Role.ORGANISER))
    response = _amend(client, rnd, "round:title", "Nieuwe titel", reason="")
    assert response.status_code == 200 and "Leg uit waarom" in _text(response)  # type: ignore[attr-defined]
    response = _amend(client, rnd, "round:budget_cents", "1")
    assert response.status_code == 200 and "Kies een van de mogelijkheden" in _text(response)  # type: ignore[attr-defined]
    assert db.session.query(Amendment).count() == 0
    db.session.expire_all()
    assert db.session.get(Round, rnd.id).title == "Oude titel"


def test_amendment_of_an_open_round_and_by_a_resident_is_refused(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.REVIEW)
    login(client, make_user(Role.ORGANISER))
    response = _amend(client, rnd, "round:title", "Nieuwe titel")
    assert response.status_code == 409 and "nog niet begonnen" in _text(response)  # type: ignore[attr-defined]
    frozen = make_round(phase=Phase.VOTING)
    login(client, make_user(wijk=frozen.wijk))
    assert _amend(client, frozen, "round:title", "Nieuwe titel").status_code == 403  # type: ignore[attr-defined]
    assert db.session.query(Amendment).count() == 0


def test_results_and_audit_pages_show_amendments_and_the_head_hash(app: Flask, client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.CLOSED, title="Ronde met fuot")
    make_project(rnd)
    login(client, make_user(Role.ORGANISER))
    assert _amend(client, rnd, "round:title", "Ronde zonder fout", "Typefout").status_code == 302  # type: ignore[attr-defined]
    with service_context(app):
        publish_round(rnd.id)
    text = _text(client.get(f"/uitslag/{rnd.id}"))
    assert "Ronde met fuot" in text and "Typefout" in text
    head = head_hash()
    assert head is not None and head not in text  # it moves with every action: on a page of its own
    assert "De vingerafdruk van het logboek op dit moment" in text
    assert head in _text(client.get("/uitslag/vingerafdruk"))
    assert head in _text(client.get(f"/organiseren/ronde/{rnd.id}/logboek"))
