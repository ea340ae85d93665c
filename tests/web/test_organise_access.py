"""Every review and organise route: residents get 403, anonymous visitors go to the login page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from app.extensions import db
from app.models import HelpRequest, Phase, ProjectStatus, Reaction, RegisterImport, Role, Round
from app.models.freeze import seeding
from tests.factories import login, make_location, make_project, make_round, make_user

ORGANISE_ROUTES = [
    ("GET", "/organiseren/"),
    ("GET", "/organiseren/wijk/nieuw"),
    ("POST", "/organiseren/wijk/nieuw"),
    ("GET", "/organiseren/wijk/{wijk}/bewerken"),
    ("POST", "/organiseren/wijk/{wijk}/bewerken"),
    ("GET", "/organiseren/wijk/{wijk}/ronde/nieuw"),
    ("POST", "/organiseren/wijk/{wijk}/ronde/nieuw"),
    ("GET", "/organiseren/ronde/{round}"),
    ("GET", "/organiseren/ronde/{round}/bewerken"),
    ("POST", "/organiseren/ronde/{round}/bewerken"),
    ("GET", "/organiseren/ronde/{round}/volgende-fase"),
    ("POST", "/organiseren/ronde/{round}/volgende-fase"),
    ("GET", "/organiseren/ronde/{round}/stemming-sluiten"),
    ("POST", "/organiseren/ronde/{round}/stemming-sluiten"),
    ("POST", "/organiseren/ronde/{round}/tellen"),
    ("GET", "/organiseren/ronde/{round}/publiceren"),
    ("POST", "/organiseren/ronde/{round}/publiceren"),
    ("GET", "/organiseren/ronde/{round}/logboek"),
    ("GET", "/organiseren/ronde/{round}/correctie"),
    ("POST", "/organiseren/ronde/{round}/correctie"),
    ("GET", "/organiseren/ronde/{round}/stembureaus"),
    ("POST", "/organiseren/ronde/{round}/stembureaus"),
    ("GET", "/organiseren/stembureau/{location}/bewerken"),
    ("POST", "/organiseren/stembureau/{location}/bewerken"),
    ("POST", "/organiseren/stembureau/{location}/stembureauleden"),
    ("POST", "/organiseren/stembureau/{location}/stembureauleden/{user}/weg"),
    ("GET", "/organiseren/stembureauleden"),
    ("POST", "/organiseren/stembureauleden/{user}"),
    ("GET", "/organiseren/ronde/{round}/opkomst"),
    ("GET", "/organiseren/ronde/{round}/register"),
    ("POST", "/organiseren/ronde/{round}/register"),
    ("GET", "/organiseren/ronde/{round}/register/import/{import}"),
    ("GET", "/organiseren/ronde/{round}/register/wissen"),
    ("POST", "/organiseren/ronde/{round}/register/wissen"),
    ("GET", "/organiseren/wijk/{wijk}/kaart"),
    ("POST", "/organiseren/wijk/{wijk}/kaart"),
    ("GET", "/organiseren/hulpvragen"),
    ("GET", "/organiseren/reacties"),
    ("GET", "/organiseren/reactie/{reaction}/verbergen"),
    ("POST", "/organiseren/reactie/{reaction}/verbergen"),
    ("POST", "/organiseren/reactie/{reaction}/meldingen-afhandelen"),
]
REVIEW_ROUTES = [
    ("GET", "/toets/"),
    ("GET", "/toets/voorstel/{project}"),
    ("POST", "/toets/voorstel/{project}"),
    ("GET", "/toets/hulp"),
    ("POST", "/toets/hulp/{help}/oppakken"),
    ("GET", "/toets/hulp/{help}"),
    ("POST", "/toets/hulp/{help}"),
]


def _register_import(rnd: Round) -> int:
    job = RegisterImport(round_id=rnd.id, filename="register.csv", status="done", errors=[])
    with seeding(db.session):  # imported before voting opened
        db.session.add(job)
        db.session.commit()
    return job.id


def _reaction(project_id: int, user_id: int) -> int:
    reaction = Reaction(project_id=project_id, author_id=user_id, body="Een reactie")
    db.session.add(reaction)
    db.session.commit()
    return reaction.id


def _help_request(project_id: int, user_id: int) -> int:
    request = HelpRequest(
        project_id=project_id, asker_id=user_id, topic="permit", question="Welke vergunning?"
    )
    db.session.add(request)
    db.session.commit()
    return request.id


def _call(client: FlaskClient, method: str, path: str) -> int:
    rnd = make_round(phase=Phase.CLOSED)
    project = make_project(rnd, status=ProjectStatus.SUBMITTED)
    location, user = make_location(rnd), make_user(Role.RESIDENT)
    url = path.format(
        wijk=rnd.wijk_id,
        round=rnd.id,
        project=project.id,
        location=location.id,
        user=user.id,
        reaction=_reaction(project.id, user.id),
        help=_help_request(project.id, user.id),
        **{"import": _register_import(rnd)},
    )
    send: Callable[..., object] = client.get if method == "GET" else client.post
    response = send(url, data={"verdict": "feasible", "name": "x"})
    return response.status_code  # type: ignore[attr-defined,no-any-return]


def test_all_routes_are_listed(client: FlaskClient) -> None:
    rules = {
        r.rule
        for r in client.application.url_map.iter_rules()
        if r.endpoint.split(".")[0] in ("organise", "review")
    }
    listed = {
        p.replace("{wijk}", "<int:wijk_id>")
        .replace("{round}", "<int:round_id>")
        .replace("{project}", "<int:project_id>")
        .replace("{location}", "<int:location_id>")
        .replace("{user}", "<int:user_id>")
        .replace("{import}", "<int:import_id>")
        .replace("{reaction}", "<int:reaction_id>")
        .replace("{help}", "<int:request_id>")
        for _, p in ORGANISE_ROUTES + REVIEW_ROUTES
    }
    assert rules == listed


@pytest.mark.parametrize(("method", "path"), ORGANISE_ROUTES + REVIEW_ROUTES)
def test_resident_gets_403(client: FlaskClient, method: str, path: str) -> None:
    login(client, make_user(Role.RESIDENT))
    assert _call(client, method, path) == 403


@pytest.mark.parametrize(("method", "path"), ORGANISE_ROUTES)
def test_professional_gets_403_on_organise_routes(client: FlaskClient, method: str, path: str) -> None:
    login(client, make_user(Role.PROFESSIONAL))
    assert _call(client, method, path) == 403


@pytest.mark.parametrize(("method", "path"), REVIEW_ROUTES)
def test_organiser_gets_403_on_review_routes(client: FlaskClient, method: str, path: str) -> None:
    login(client, make_user(Role.ORGANISER))
    assert _call(client, method, path) == 403


@pytest.mark.parametrize(("method", "path"), ORGANISE_ROUTES + REVIEW_ROUTES)
def test_anonymous_visitor_is_sent_to_login(client: FlaskClient, method: str, path: str) -> None:
    rnd = make_round(phase=Phase.CLOSED)
    project = make_project(rnd, status=ProjectStatus.SUBMITTED)
    url = path.format(
        wijk=rnd.wijk_id,
        round=rnd.id,
        project=project.id,
        location=1,
        user=1,
        reaction=1,
        help=1,
        **{"import": _register_import(rnd)},
    )
    response = client.get(url) if method == "GET" else client.post(url)
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]


@pytest.mark.parametrize(("method", "path"), [r for r in ORGANISE_ROUTES + REVIEW_ROUTES if r[0] == "GET"])
def test_admin_may_open_every_page(client: FlaskClient, method: str, path: str) -> None:
    login(client, make_user(Role.ADMIN))
    assert _call(client, method, path) == 200
