"""Smoke run of the embedded default: a fresh SQLite file built by the migrations, the demo seeded, and one
whole round walked through the web pages: propose, review, vote, close, count, publish, results."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.config import TestConfig
from app.demo.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo
from app.extensions import db
from app.models import Ballot, Project, Result, Round, User, Wijk

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    path: Path = tmp_path_factory.mktemp("embedded") / "wijkbudget.sqlite"
    application = create_app(TestConfig(f"sqlite:///{path}"))
    assert application.config["CELERY"]["task_always_eager"]
    with application.app_context():
        upgrade()
        assert db.engine.dialect.name == "sqlite"
    yield application


def log_in(client: FlaskClient, email: str) -> None:
    client.post("/uitloggen")
    response = client.post("/inloggen", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.headers["Location"].endswith("/inloggen/code"):  # the demo organiser: the demo key's code
        with client.application.app_context():  # a code works once; this test logs the organiser in twice
            user = db.session.scalars(select(User).where(User.email == email)).one()
            user.totp_last_step = None
            db.session.commit()
        response = client.post("/inloggen/code", data={"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
        assert response.status_code == 302, response.get_data(as_text=True)


def local(moment: datetime) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M")


def test_demo_seeds_a_published_round(sqlite_app: Flask) -> None:
    with sqlite_app.app_context():
        ids = seed_demo(voters=120)
        published = db.session.get(Round, ids["published_round"])
        assert published.phase == "published"
        result = db.session.scalars(select(Result).where(Result.round_id == published.id)).one()
        assert result.ballots_counted == 120 and result.selected_project_ids
    client = sqlite_app.test_client()
    page = client.get(f"/uitslag/{ids['published_round']}").get_data(as_text=True)
    assert "Geveltuintjes in de Kanaalstraat" in page


def test_whole_round_on_sqlite(sqlite_app: Flask) -> None:
    client = sqlite_app.test_client()
    now = datetime.now(UTC)
    with sqlite_app.app_context():
        wijk_id = db.session.scalar(select(Wijk.id).where(Wijk.name == "Lombok"))
    log_in(client, "organisator@demo.wijkbudget.nl")
    response = client.post(
        f"/organiseren/wijk/{wijk_id}/ronde/nieuw",
        data={
            "title": "Rookproef ronde",
            "budget_cents": "10.000",
            "min_project_cost_cents": "500",
            "max_project_cost_cents": "8000",
            "categories": "Groen\nSpelen",
            "ballot_type": "knapsack",
            "knapsack_min_spend_pct": "",
            "counting_rule": "greedy",
            "tie_break": "default",
            "leftover_policy": "return",
            "out_of_scope": "Onderhoud",
            "proposals_open_at": local(now - timedelta(hours=1)),
            "review_open_at": local(now + timedelta(days=1)),
            "voting_open_at": local(now + timedelta(days=2)),
            "voting_close_at": local(now + timedelta(days=3)),
            "results_at": local(now + timedelta(days=4)),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with sqlite_app.app_context():
        round_id = db.session.scalar(select(Round.id).where(Round.title == "Rookproef ronde"))
    assert (
        client.post(f"/organiseren/ronde/{round_id}/volgende-fase").status_code == 302
    )  # draft -> proposals

    log_in(client, "bewoner@demo.wijkbudget.nl")
    for title, cost in (("Bankjes", "3.000"), ("Speeltuin", "6000"), ("Bloemen", "2500,50")):
        response = client.post(
            f"/ronde/{round_id}/voorstel",
            data={
                "title": title,
                "description": f"{title} voor de buurt.",
                "cost": cost,
                "category": "Groen",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    with sqlite_app.app_context():
        projects = {
            p.title: p.id for p in db.session.scalars(select(Project).where(Project.round_id == round_id))
        }
    assert len(projects) == 3

    log_in(client, "organisator@demo.wijkbudget.nl")
    assert client.post(f"/organiseren/ronde/{round_id}/volgende-fase").status_code == 302  # -> review
    log_in(client, "toetser@demo.wijkbudget.nl")
    for title, verdict in (("Bankjes", "feasible"), ("Speeltuin", "feasible"), ("Bloemen", "infeasible")):
        response = client.post(
            f"/toets/voorstel/{projects[title]}",
            data={
                "verdict": verdict,
                "reason": "Getoetst door de gemeente.",
                "new_cost_cents": "",
                "cost_reason": "",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    log_in(client, "organisator@demo.wijkbudget.nl")
    assert client.post(f"/organiseren/ronde/{round_id}/volgende-fase").status_code == 302  # -> voting

    log_in(client, "bewoner@demo.wijkbudget.nl")
    response = client.post(
        f"/ronde/{round_id}/stemmen", data={"project_ids": [projects["Bankjes"]], "action": "cast"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    response = client.post(
        f"/ronde/{round_id}/stemmen",
        data={"project_ids": [projects["Bankjes"], projects["Speeltuin"]], "action": "cast"},
    )
    assert response.status_code == 302  # the changed ballot (EUR 9.000 of 10.000) replaces the first
    with sqlite_app.app_context():
        assert len(db.session.scalars(select(Ballot).where(Ballot.round_id == round_id)).all()) == 1

    log_in(client, "organisator@demo.wijkbudget.nl")
    assert client.post(f"/organiseren/ronde/{round_id}/stemming-sluiten").status_code == 302
    assert client.post(f"/organiseren/ronde/{round_id}/publiceren").status_code == 302
    with sqlite_app.app_context():
        rnd = db.session.get(Round, round_id)
        assert rnd.phase == "published"
        result = db.session.scalars(select(Result).where(Result.round_id == round_id)).one()
        assert set(result.selected_project_ids) == {projects["Bankjes"], projects["Speeltuin"]}

    page = client.get(f"/uitslag/{round_id}").get_data(as_text=True)
    assert "Bankjes" in page and "Speeltuin" in page
