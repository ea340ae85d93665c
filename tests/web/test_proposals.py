"""Residents submit, edit and withdraw proposals, within the kaders and only during the proposal phase."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Phase, Project, ProjectStatus, Role, Round, User
from tests.factories import login, make_project, make_round, make_user, make_wijk


def _resident_and_round(client: FlaskClient, phase: Phase = Phase.PROPOSALS) -> tuple[User, Round]:
    rnd = make_round(phase=phase)
    user = make_user(wijk=rnd.wijk)
    login(client, user)
    return user, rnd


def _form(rnd: Round, **overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Bankjes in het Zonnepark",
        "description": "Vier bankjes langs het pad, zodat ouderen onderweg kunnen uitrusten.",
        "cost": "2.500,50",
        "category": "Groen",
        "buurt_id": str(rnd.wijk.buurten[0].id),
    }
    data.update(overrides)
    return data


def _projects() -> list[Project]:
    return db.session.query(Project).all()


def test_propose_page_shows_the_form_and_the_kaders(client: FlaskClient) -> None:
    _user, rnd = _resident_and_round(client)
    page = client.get(f"/ronde/{rnd.id}/voorstel")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Geschatte kosten in euro" in body
    assert "De spelregels van deze ronde" in body  # the kaders macro
    assert "Groen" in body and "Noord" in body


def test_valid_proposal_is_stored_with_cost_in_cents(client: FlaskClient) -> None:
    user, rnd = _resident_and_round(client)
    response = client.post(f"/ronde/{rnd.id}/voorstel", data=_form(rnd))
    assert response.status_code == 302
    [project] = _projects()
    assert project.author_id == user.id and project.round_id == rnd.id
    assert project.cost_cents == project.original_cost_cents == 250_050
    assert project.status == ProjectStatus.SUBMITTED.value
    assert project.buurt_id == rnd.wijk.buurten[0].id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bankjes in het Zonnepark" in page and "Wacht op de haalbaarheidstoets" in page


@pytest.mark.parametrize("cost", ["1234", "1234.50", "1.234,50", "€ 1.234"])
def test_common_ways_of_writing_euros_are_accepted(client: FlaskClient, cost: str) -> None:
    _user, rnd = _resident_and_round(client)
    assert client.post(f"/ronde/{rnd.id}/voorstel", data=_form(rnd, cost=cost)).status_code == 302
    assert _projects()[0].cost_cents in (123_400, 123_450)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Gebruik 5 tot 120 tekens voor de titel."),
        ("title", "x" * 121, "Gebruik 5 tot 120 tekens voor de titel."),
        ("description", "Te kort", "Gebruik 20 tot 5000 tekens voor de beschrijving."),
        ("cost", "", "Vul de geschatte kosten in euro in."),
        ("cost", "heel veel", "Schrijf het bedrag in euro"),
        ("cost", "100", "De geschatte kosten moeten minimaal € 500 en maximaal € 20.000 zijn."),
        ("cost", "20.000,01", "De geschatte kosten moeten minimaal € 500 en maximaal € 20.000 zijn."),
        ("category", "Parkeren", "Kies een van de thema's van deze ronde."),
        ("category", "", "Kies een van de thema's van deze ronde."),
        ("buurt_id", "abc", "Kies een buurt van"),
        ("buurt_id", "99999999999", "Kies een buurt van"),
    ],
)
def test_each_invalid_field_gets_a_message_and_nothing_is_stored(
    client: FlaskClient, field: str, value: str, message: str
) -> None:
    _user, rnd = _resident_and_round(client)
    response = client.post(f"/ronde/{rnd.id}/voorstel", data=_form(rnd, **{field: value}))
    body = response.get_data(as_text=True).replace("\u00a0", " ")
    assert response.status_code == 400
    assert message in body
    assert f'id="{field}-error"' in body  # next to the field, linked by the field macro
    assert 'error-summary"' in body  # the design system's error alert, class utrecht-alert ... error-summary
    assert _projects() == []


def test_nul_characters_are_a_clear_refusal_not_a_database_error(client: FlaskClient) -> None:
    _user, rnd = _resident_and_round(client)
    response = client.post(f"/ronde/{rnd.id}/voorstel", data=_form(rnd, title="Bank\x00jes in het park"))
    assert response.status_code == 400
    assert "NUL-byte" in response.get_data(as_text=True)
    assert _projects() == []


def test_buurt_of_another_wijk_is_refused(client: FlaskClient) -> None:
    _user, rnd = _resident_and_round(client)
    elsewhere = make_wijk(buurten=("Elders",))
    response = client.post(
        f"/ronde/{rnd.id}/voorstel", data=_form(rnd, buurt_id=str(elsewhere.buurten[0].id))
    )
    assert response.status_code == 400
    assert "Kies een buurt van" in response.get_data(as_text=True)
    assert _projects() == []


def test_all_problems_are_listed_at_once(client: FlaskClient) -> None:
    _user, rnd = _resident_and_round(client)
    response = client.post(
        f"/ronde/{rnd.id}/voorstel", data=_form(rnd, title="", description="kort", cost="1", category="X")
    )
    body = response.get_data(as_text=True)
    for field in ("title", "description", "cost", "category"):
        assert f'id="{field}-error"' in body
    assert _projects() == []


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.VOTING, Phase.PUBLISHED])
def test_proposals_outside_the_phase_are_refused(client: FlaskClient, phase: Phase) -> None:
    _user, rnd = _resident_and_round(client, phase)
    assert client.get(f"/ronde/{rnd.id}/voorstel").status_code == 409
    response = client.post(f"/ronde/{rnd.id}/voorstel", data=_form(rnd))
    assert response.status_code == 409
    assert "alleen indienen of wijzigen zolang de indieningsfase open is" in response.get_data(as_text=True)
    assert _projects() == []


def test_resident_of_another_wijk_cannot_propose(client: FlaskClient) -> None:
    rnd = make_round()
    login(client, make_user(wijk=make_wijk()))
    response = client.post(f"/ronde/{rnd.id}/voorstel", data=_form(rnd))
    assert response.status_code == 403
    assert f"Alleen bewoners van {rnd.wijk.name}" in response.get_data(as_text=True)
    assert _projects() == []


def test_anonymous_visitor_is_sent_to_log_in(client: FlaskClient) -> None:
    rnd = make_round()
    response = client.post(f"/ronde/{rnd.id}/voorstel", data=_form(rnd))
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert _projects() == []


def test_author_edits_own_proposal(client: FlaskClient) -> None:
    user, rnd = _resident_and_round(client)
    project = make_project(rnd, status=ProjectStatus.SUBMITTED, author_id=user.id, cost_cents=100_000)
    page = client.get(f"/voorstel/{project.id}/bewerken").get_data(as_text=True)
    assert 'value="1000"' in page and "De spelregels van deze ronde" in page
    response = client.post(f"/voorstel/{project.id}/bewerken", data=_form(rnd, cost="1.500"))
    assert response.status_code == 302
    db.session.refresh(project)
    assert project.title == "Bankjes in het Zonnepark"
    assert project.cost_cents == project.original_cost_cents == 150_000


def test_invalid_edit_changes_nothing(client: FlaskClient) -> None:
    user, rnd = _resident_and_round(client)
    project = make_project(rnd, status=ProjectStatus.SUBMITTED, author_id=user.id, title="Oude titel")
    response = client.post(f"/voorstel/{project.id}/bewerken", data=_form(rnd, cost="999.999"))
    assert response.status_code == 400
    db.session.refresh(project)
    assert project.title == "Oude titel" and project.cost_cents == 500_000


def test_editing_someone_elses_proposal_is_forbidden(client: FlaskClient) -> None:
    _user, rnd = _resident_and_round(client)
    other = make_user(wijk=rnd.wijk)
    project = make_project(rnd, status=ProjectStatus.SUBMITTED, author_id=other.id, title="Van een ander")
    assert client.get(f"/voorstel/{project.id}/bewerken").status_code == 403
    assert client.post(f"/voorstel/{project.id}/bewerken", data=_form(rnd)).status_code == 403
    assert client.post(f"/voorstel/{project.id}/intrekken").status_code == 403
    db.session.refresh(project)
    assert project.title == "Van een ander" and project.status == ProjectStatus.SUBMITTED.value


def test_edit_after_the_proposal_phase_is_refused(client: FlaskClient) -> None:
    user, rnd = _resident_and_round(client)
    project = make_project(rnd, status=ProjectStatus.SUBMITTED, author_id=user.id, title="Oude titel")
    rnd.phase = Phase.REVIEW.value
    db.session.commit()
    assert client.get(f"/voorstel/{project.id}/bewerken").status_code == 409
    assert client.post(f"/voorstel/{project.id}/bewerken", data=_form(rnd)).status_code == 409
    assert client.post(f"/voorstel/{project.id}/intrekken").status_code == 409
    db.session.refresh(project)
    assert project.title == "Oude titel" and project.status == ProjectStatus.SUBMITTED.value


def test_author_withdraws_proposal_and_it_is_marked_on_the_projects_page(client: FlaskClient) -> None:
    user, rnd = _resident_and_round(client)
    project = make_project(rnd, status=ProjectStatus.SUBMITTED, author_id=user.id, title="Speeltuin")
    confirm = client.get(f"/voorstel/{project.id}/intrekken")
    assert confirm.status_code == 200 and "Ja, trek mijn voorstel in" in confirm.get_data(as_text=True)
    assert client.post(f"/voorstel/{project.id}/intrekken").status_code == 302
    db.session.refresh(project)
    assert project.status == ProjectStatus.WITHDRAWN.value
    page = client.get(f"/ronde/{rnd.id}/projecten").get_data(as_text=True)
    assert "Speeltuin" in page and "Ingetrokken door de indiener" in page
    assert client.post(f"/voorstel/{project.id}/intrekken").status_code == 409  # already withdrawn


def test_reviewed_proposal_can_no_longer_be_edited(client: FlaskClient) -> None:
    user, rnd = _resident_and_round(client)
    project = make_project(rnd, status=ProjectStatus.FEASIBLE, author_id=user.id, title="Al getoetst")
    assert client.post(f"/voorstel/{project.id}/bewerken", data=_form(rnd)).status_code == 409
    db.session.refresh(project)
    assert project.title == "Al getoetst"


def test_staff_outside_the_wijk_cannot_propose(client: FlaskClient) -> None:
    rnd = make_round()
    login(client, make_user(Role.ORGANISER))
    assert client.post(f"/ronde/{rnd.id}/voorstel", data=_form(rnd)).status_code == 403
    assert _projects() == []
