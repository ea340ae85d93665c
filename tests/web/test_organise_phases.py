"""Organiser round page, phase buttons, count and publish buttons, audit log and dashboard."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import scoped_session

from app.extensions import db
from app.models import AuditEvent, OutboxJob, Phase, ProjectStatus, Result, Role, Round, User
from app.models.base import utcnow
from tests.factories import login, make_project, make_round, make_user


@pytest.fixture
def organiser(client: FlaskClient) -> User:
    user = make_user(Role.ORGANISER, name="Olga Organisator")
    login(client, user)
    return user


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch, db_session: scoped_session) -> list[Any]:  # type: ignore[type-arg]
    """Records commits and the jobs handed to the workers in order, so a test can check a job leaves only after
    the commit that wrote its outbox row (the jobs are recorded, not run)."""
    import tasks.relay

    log: list[Any] = []
    event.listen(db_session(), "after_commit", lambda session: log.append("commit"))

    def record(job_ids: Any) -> None:
        for job_id in job_ids:
            job = db.session.get(OutboxJob, job_id)
            committed = db.session.query(AuditEvent).filter(AuditEvent.action.like("%.requested")).count()
            log.append((job.name, tuple(job.args), committed))

    monkeypatch.setattr(tasks.relay, "hand_over", record)
    return log


def _phase(rnd: Round) -> str:
    db.session.expire_all()
    return db.session.get(Round, rnd.id).phase


def test_dashboard_shows_wijken_rounds_and_pending_actions(client: FlaskClient, organiser: User) -> None:
    rnd = make_round(phase=Phase.CLOSED, title="Ronde Oost")
    body = client.get("/organiseren/").get_data(as_text=True)
    assert rnd.wijk.name in body
    assert "Ronde Oost" in body
    assert "Stemmen gesloten" in body
    assert "Stemmen gesloten: start de telling." in body
    assert "Volgende stap gepland" in body


def test_advance_by_hand_with_confirmation(client: FlaskClient, organiser: User) -> None:
    rnd = make_round(phase=Phase.DRAFT)
    page = client.get(f"/organiseren/ronde/{rnd.id}/volgende-fase").get_data(as_text=True)
    assert "Concept" in page and "Voorstellen" in page
    response = client.post(f"/organiseren/ronde/{rnd.id}/volgende-fase")
    assert response.status_code == 302
    assert _phase(rnd) == "proposals"
    event_ = db.session.query(AuditEvent).filter_by(action="phase.advanced").one()
    assert event_.actor_id == organiser.id


def test_voting_blocked_lists_the_waiting_proposals(client: FlaskClient, organiser: User) -> None:
    rnd = make_round(phase=Phase.REVIEW)
    make_project(rnd, status=ProjectStatus.FEASIBLE)
    make_project(rnd, status=ProjectStatus.SUBMITTED, title="Bankje bij de vijver")
    page = client.get(f"/organiseren/ronde/{rnd.id}/volgende-fase").get_data(as_text=True)
    assert "Bankje bij de vijver" in page
    response = client.post(f"/organiseren/ronde/{rnd.id}/volgende-fase")
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "1 voorstel wacht nog op de haalbaarheidstoets" in body
    assert "Bankje bij de vijver" in body
    assert _phase(rnd) == "review"


def test_opening_voting_by_hand_draws_the_lot(client: FlaskClient, organiser: User) -> None:
    rnd = make_round(phase=Phase.REVIEW)
    ids = {make_project(rnd).id, make_project(rnd).id}
    make_project(rnd, status=ProjectStatus.INFEASIBLE)
    assert client.post(f"/organiseren/ronde/{rnd.id}/volgende-fase").status_code == 302
    db.session.expire_all()
    fresh = db.session.get(Round, rnd.id)
    assert fresh.phase == "voting" and set(fresh.tie_break_lot) == ids
    assert "Loting bij gelijke stand" in client.get(f"/organiseren/ronde/{rnd.id}").get_data(as_text=True)


def test_no_hand_advance_into_published(client: FlaskClient, organiser: User) -> None:
    rnd = make_round(phase=Phase.CLOSED)
    assert client.post(f"/organiseren/ronde/{rnd.id}/volgende-fase").status_code == 409
    assert _phase(rnd) == "closed"


def test_close_voting_now(client: FlaskClient, organiser: User) -> None:
    rnd = make_round(phase=Phase.VOTING)
    assert "Ja, sluit het stemmen" in client.get(f"/organiseren/ronde/{rnd.id}/stemming-sluiten").get_data(
        as_text=True
    )
    assert client.post(f"/organiseren/ronde/{rnd.id}/stemming-sluiten").status_code == 302
    db.session.expire_all()
    fresh = db.session.get(Round, rnd.id)
    assert fresh.phase == "closed" and fresh.voting_closed_at is not None


def test_close_voting_refused_outside_voting(client: FlaskClient, organiser: User) -> None:
    rnd = make_round(phase=Phase.REVIEW)
    response = client.post(f"/organiseren/ronde/{rnd.id}/stemming-sluiten")
    assert response.status_code == 409
    assert "alleen worden gesloten terwijl het open is" in response.get_data(as_text=True)
    assert _phase(rnd) == "review"


def test_count_button_enqueues_after_the_commit(
    client: FlaskClient, organiser: User, jobs: list[Any]
) -> None:
    rnd = make_round(phase=Phase.CLOSED)
    jobs.clear()
    response = client.post(f"/organiseren/ronde/{rnd.id}/tellen")
    assert response.status_code == 302
    assert jobs == ["commit", ("wijkbudget.tally_round", (rnd.id,), 1)]
    assert (
        db.session.query(AuditEvent).filter_by(action="count.requested", actor_id=organiser.id).count() == 1
    )
    assert "De telling is gestart." in client.get(f"/organiseren/ronde/{rnd.id}").get_data(as_text=True)


def test_publish_button_enqueues_after_the_commit(
    client: FlaskClient, organiser: User, jobs: list[Any]
) -> None:
    rnd = make_round(phase=Phase.CLOSED)
    assert "Ja, publiceer de uitslag" in client.get(f"/organiseren/ronde/{rnd.id}/publiceren").get_data(
        as_text=True
    )
    jobs.clear()
    assert client.post(f"/organiseren/ronde/{rnd.id}/publiceren").status_code == 302
    assert jobs == ["commit", ("wijkbudget.publish_round", (rnd.id, organiser.id), 1)]
    assert db.session.query(AuditEvent).filter_by(action="publish.requested").count() == 1


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.VOTING, Phase.PUBLISHED])
def test_count_and_publish_only_when_closed(
    client: FlaskClient, organiser: User, jobs: list[Any], phase: Phase
) -> None:
    rnd = make_round(phase=phase)
    jobs.clear()
    for path in ("tellen", "publiceren"):
        response = client.post(f"/organiseren/ronde/{rnd.id}/{path}")
        assert response.status_code == 409
        assert "pas nadat het stemmen is gesloten" in response.get_data(as_text=True)
    assert jobs == []
    assert db.session.query(AuditEvent).count() == 0
    assert _phase(rnd) == phase.value


def test_broker_down_is_no_error_and_the_job_waits_in_the_outbox(
    client: FlaskClient, organiser: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tasks.relay

    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks.relay, "has_broker", lambda app: True)
    monkeypatch.setattr(client.application.extensions["celery"], "send_task", down)
    tasks.relay.reset_breaker()
    rnd = make_round(phase=Phase.CLOSED)
    try:
        response = client.post(f"/organiseren/ronde/{rnd.id}/tellen", follow_redirects=True)
    finally:
        tasks.relay.reset_breaker()
    assert response.status_code == 200
    assert "De telling is gestart." in response.get_data(as_text=True)
    job = db.session.query(OutboxJob).filter_by(name="wijkbudget.tally_round").one()
    assert (job.state, job.args) == ("pending", [rnd.id])  # the sweep hands it over once Redis is back


def test_round_page_shows_the_hidden_count_to_organisers(client: FlaskClient, organiser: User) -> None:
    rnd = make_round(phase=Phase.CLOSED)
    winner = make_project(rnd, title="Moestuin")
    loser = make_project(rnd, title="Fietsenrek")
    db.session.add(
        Result(
            round_id=rnd.id,
            rule="greedy",
            tie_break="default",
            project_results=[],
            selected_project_ids=[winner.id],
            total_cost_cents=500_000,
            ballots_counted=42,
        )
    )
    db.session.commit()
    body = client.get(f"/organiseren/ronde/{rnd.id}").get_data(as_text=True)
    assert "Telling (nog niet openbaar)" in body
    assert "42 stemmen" in body
    selected = body.split("Gekozen projecten", 1)[1].split("</ol>", 1)[0]
    assert "Moestuin" in selected and loser.title not in selected
    assert "Publiceer de uitslag" in body


def test_round_page_shows_publication_time(client: FlaskClient, organiser: User) -> None:
    rnd = make_round(phase=Phase.PUBLISHED)
    db.session.add(
        Result(
            round_id=rnd.id,
            rule="greedy",
            tie_break="default",
            total_cost_cents=0,
            ballots_counted=0,
            published_at=utcnow(),
        )
    )
    db.session.commit()
    body = client.get(f"/organiseren/ronde/{rnd.id}").get_data(as_text=True)
    assert "Gepubliceerd op" in body
    assert "nog niet openbaar" not in body


def test_audit_log_shows_who_what_when(client: FlaskClient, organiser: User) -> None:
    rnd = make_round(phase=Phase.DRAFT)
    client.post(f"/organiseren/ronde/{rnd.id}/volgende-fase")
    body = client.get(f"/organiseren/ronde/{rnd.id}/logboek").get_data(as_text=True)
    assert "Olga Organisator" in body
    assert "Fase gewijzigd" in body
    assert "proposals" in body
