"""Residents support proposals on the project page; everyone sees the count, nobody sees who."""

from __future__ import annotations

from flask.testing import FlaskClient

from app.models import Phase, ProjectStatus, Role
from app.services.proposals import support
from tests.factories import login, make_project, make_round, make_user, make_wijk


def test_supporting_and_taking_it_back_on_the_project_page(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.PROPOSALS, support_threshold=25)
    project = make_project(rnd, status=ProjectStatus.SUBMITTED)
    resident = make_user(wijk=rnd.wijk, name="Fatima de Steuner")
    login(client, resident)
    page = client.get(f"/project/{project.id}").get_data(as_text=True)
    assert "0 steunbetuigingen van de 25 nodig" in page and "Steun dit voorstel" in page
    response = client.post(f"/project/{project.id}/steunen")
    assert response.status_code == 302
    page = client.get(f"/project/{project.id}").get_data(as_text=True)
    assert "1 steunbetuiging van de 25 nodig" in page and "Trek mijn steun in" in page
    assert "Fatima de Steuner" not in page.split("</header>")[-1]  # the supporter's name appears nowhere
    client.post(f"/project/{project.id}/steun-intrekken")
    assert support.support_count(project.id) == 0


def test_visitors_see_the_count_and_are_asked_to_log_in(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.PROPOSALS)
    project = make_project(rnd, status=ProjectStatus.SUBMITTED)
    support.support_proposal(make_user(wijk=rnd.wijk), project.id)
    page = client.get(f"/project/{project.id}").get_data(as_text=True)
    assert "1 bewoner steunt dit voorstel" in page and "Log in om een voorstel te steunen" in page
    assert client.post(f"/project/{project.id}/steunen").status_code == 302  # to the login page
    assert support.support_count(project.id) == 1


def test_a_resident_of_another_wijk_is_refused_with_a_reason(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.PROPOSALS)
    project = make_project(rnd, status=ProjectStatus.SUBMITTED)
    login(client, make_user(wijk=make_wijk()))
    response = client.post(f"/project/{project.id}/steunen")
    assert response.status_code == 403
    assert f"Alleen bewoners van {rnd.wijk.name}" in response.get_data(as_text=True)
    assert support.support_count(project.id) == 0


def test_not_enough_support_is_shown_with_the_numbers(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.REVIEW, support_threshold=25)
    project = make_project(rnd, status=ProjectStatus.NOT_ENOUGH_SUPPORT)
    page = client.get(f"/ronde/{rnd.id}/projecten").get_data(as_text=True)
    assert "Niet genoeg steun" in page
    assert "0 bewoners steunden dit voorstel; er waren er 25 nodig" in page
    assert "25 bewoners" in client.get(f"/ronde/{rnd.id}").get_data(as_text=True)  # the kaders in plain words
    assert project.status == ProjectStatus.NOT_ENOUGH_SUPPORT.value


def test_the_organiser_sets_the_threshold_in_the_round_form(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.PROPOSALS)
    login(client, make_user(Role.ORGANISER))
    page = client.get(f"/organiseren/ronde/{rnd.id}/bewerken").get_data(as_text=True)
    assert "Steun die een voorstel nodig heeft" in page
