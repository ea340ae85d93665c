"""The review pages for professionals: list, proposal page, verdict form with field messages."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from app.extensions import db
from app.models import AuditEvent, Notification, Phase, Project, ProjectStatus, Role
from tests.factories import login, make_project, make_round, make_user


def _setup(client: FlaskClient, phase: Phase = Phase.REVIEW, role: Role = Role.PROFESSIONAL) -> Project:
    author = make_user()
    rnd = make_round(phase=phase)
    project = make_project(
        rnd,
        status=ProjectStatus.SUBMITTED,
        author_id=author.id,
        title="Speeltuin Noord",
        description="Een glijbaan.",
    )
    login(client, make_user(role))
    return project


def _assert_unchanged(project_id: int) -> None:
    db.session.expire_all()
    project = db.session.get(Project, project_id)
    assert (project.status, project.cost_cents, project.reviewer_id) == ("submitted", 500_000, None)
    assert db.session.query(AuditEvent).count() == 0
    assert db.session.query(Notification).count() == 0


def test_index_lists_rounds_open_for_review(client: FlaskClient) -> None:
    project = _setup(client)
    voting = make_round(phase=Phase.VOTING, title="Al aan het stemmen")
    body = client.get("/toets/").get_data(as_text=True)
    assert project.round.title in body
    assert "Speeltuin Noord" in body
    assert "1 voorstel wacht op de toets." in body
    assert voting.title not in body


def test_project_page_shows_the_full_proposal_and_kaders(client: FlaskClient) -> None:
    project = _setup(client)
    response = client.get(f"/toets/voorstel/{project.id}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Een glijbaan." in body
    assert "Oordeel opslaan" in body
    assert "De spelregels van deze ronde" in body


def test_feasible_verdict_is_saved(client: FlaskClient) -> None:
    project = _setup(client)
    response = client.post(f"/toets/voorstel/{project.id}", data={"verdict": "feasible", "reason": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).status == "feasible"
    assert db.session.query(AuditEvent).filter_by(action="project.reviewed").count() == 1
    assert db.session.query(Notification).filter_by(kind="proposal_reviewed").count() == 1


def test_infeasible_without_reason_shows_message_and_stores_nothing(client: FlaskClient) -> None:
    project = _setup(client)
    response = client.post(f"/toets/voorstel/{project.id}", data={"verdict": "infeasible", "reason": "  "})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Leg uit waarom het project niet haalbaar is." in body
    assert 'id="reason-error"' in body
    _assert_unchanged(project.id)


def test_missing_verdict_is_explained(client: FlaskClient) -> None:
    project = _setup(client)
    response = client.post(f"/toets/voorstel/{project.id}", data={"reason": "x"})
    assert response.status_code == 200
    assert "Kies haalbaar of niet haalbaar." in response.get_data(as_text=True)
    _assert_unchanged(project.id)


def test_cost_change_without_reason_shows_message(client: FlaskClient) -> None:
    project = _setup(client)
    response = client.post(
        f"/toets/voorstel/{project.id}",
        data={"verdict": "feasible", "new_cost_cents": "7.000,00", "cost_reason": ""},
    )
    assert response.status_code == 200
    assert "Leg uit waarom de kosten veranderen." in response.get_data(as_text=True)
    _assert_unchanged(project.id)


def test_bad_amount_is_explained(client: FlaskClient) -> None:
    project = _setup(client)
    response = client.post(
        f"/toets/voorstel/{project.id}",
        data={"verdict": "feasible", "new_cost_cents": "zeven", "cost_reason": "x"},
    )
    assert response.status_code == 200
    assert "Vul een bedrag in euro in, bijvoorbeeld 1.234,50." in response.get_data(as_text=True)
    _assert_unchanged(project.id)


def test_cost_outside_kaders_must_be_infeasible(client: FlaskClient) -> None:
    project = _setup(client)
    response = client.post(
        f"/toets/voorstel/{project.id}",
        data={"verdict": "feasible", "new_cost_cents": "25000", "cost_reason": "Offerte"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "valt buiten de grenzen van deze ronde" in body
    assert "€\xa025.000" in body
    _assert_unchanged(project.id)


def test_cost_change_with_reason_is_saved_in_cents(client: FlaskClient) -> None:
    project = _setup(client)
    response = client.post(
        f"/toets/voorstel/{project.id}",
        data={"verdict": "feasible", "new_cost_cents": "7.250,50", "cost_reason": "Duurdere tegels."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    fresh = db.session.get(Project, project.id)
    assert (fresh.cost_cents, fresh.original_cost_cents) == (725_050, 500_000)
    assert db.session.query(Notification).filter_by(kind="cost_adjusted").count() == 1


def test_review_during_voting_is_refused(client: FlaskClient) -> None:
    project = _setup(client, phase=Phase.VOTING)
    page = client.get(f"/toets/voorstel/{project.id}").get_data(as_text=True)
    assert "kan niet meer worden getoetst" in page
    response = client.post(f"/toets/voorstel/{project.id}", data={"verdict": "feasible"})
    assert response.status_code == 409
    assert "Toetsen kan alleen voordat het stemmen begint." in response.get_data(as_text=True)
    _assert_unchanged(project.id)


def test_re_review_form_starts_from_the_last_verdict(client: FlaskClient) -> None:
    project = _setup(client, role=Role.ADMIN)
    client.post(f"/toets/voorstel/{project.id}", data={"verdict": "infeasible", "reason": "Te groot plan."})
    body = client.get(f"/toets/voorstel/{project.id}").get_data(as_text=True)
    assert "Te groot plan." in body
    assert re.search(r'<input checked id="verdict-1" name="verdict" type="radio" value="infeasible">', body)


def test_unknown_project_is_404(client: FlaskClient) -> None:
    login(client, make_user(Role.PROFESSIONAL))
    assert client.get("/toets/voorstel/999999").status_code == 404
