"""Public pages from a cache: rendered once, served with ETag and Cache-Control, dropped by exactly the writes
that change them (and not by ballots), never shared with a logged-in visitor, and harmless when Redis is down."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.config import TestConfig
from app.extensions import cache, db
from app.models import Phase, Role
from app.services.results.drops import drop_winner
from app.services.rounds.phases import advance_phase
from app.web import page_cache
from app.web.page_cache import page_key
from tests.factories import login, make_project, make_round, make_user
from tests.results_data import cast_ballot, realistic_round, service_context

REASON = "De grond is vervuild; de gemeente mag hier niet bouwen."


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The templates rendered during the test: a page served from the cache renders none."""
    import flask

    seen: list[str] = []
    original = flask.templating._render

    def counting(app, template, context):  # type: ignore[no-untyped-def]
        seen.append(template.name)
        return original(app, template, context)

    monkeypatch.setattr(flask.templating, "_render", counting)
    return seen


def _cached(app: Flask, key: str) -> object:
    with app.app_context():
        return cache.get(key)


def _published(app: Flask):  # type: ignore[no-untyped-def]
    from app.services.results.publishing import publish_round

    data = realistic_round()
    with service_context(app):
        publish_round(data.round.id)
    return data


def test_results_page_is_rendered_once_and_revalidates_with_its_etag(
    app: Flask, client: FlaskClient, renders: list[str]
) -> None:
    data = _published(app)
    url = f"/uitslag/{data.round.id}"
    first = client.get(url)
    assert first.status_code == 200
    assert renders.count("public/results.html") == 1
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    assert "Cookie" in first.headers["Vary"]
    etag = first.headers["ETag"]

    second = client.get(url)
    assert second.get_data() == first.get_data()
    assert renders.count("public/results.html") == 1  # served from the cache
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304

    json_first = client.get(f"/uitslag/{data.round.id}.json")
    client.get(f"/uitslag/{data.round.id}.json")
    assert json_first.is_json and json_first.headers["ETag"]


def test_each_language_has_its_own_copy(app: Flask, client: FlaskClient) -> None:
    data = _published(app)
    url = f"/uitslag/{data.round.id}"
    dutch = client.get(url).get_data(as_text=True)
    with client.session_transaction() as session:
        session["lang"] = "en"
    english = client.get(url).get_data(as_text=True)
    assert "Uitslag" in dutch and "Result" in english
    assert dutch != english


def test_dropping_a_winner_changes_the_cached_results_page(app: Flask, client: FlaskClient) -> None:
    data = _published(app)
    url = f"/uitslag/{data.round.id}"
    before = client.get(url).get_data(as_text=True)
    assert REASON not in before
    organiser = make_user(Role.ORGANISER)
    with service_context(app):
        drop_winner(organiser, data.round.id, data.winners[0].id, REASON)
    after = client.get(url).get_data(as_text=True)
    assert REASON in after


def test_a_phase_change_and_a_new_project_change_the_cached_round_and_home_pages(
    app: Flask, client: FlaskClient
) -> None:
    rnd = make_round(phase=Phase.PROPOSALS)
    db.session.commit()
    round_url = f"/ronde/{rnd.id}"
    assert client.get("/").status_code == 200
    client.get(round_url)

    assert _cached(app, page_key("round", rnd.id, "nl")) is not None
    with app.app_context():  # as in every request, task and command; the cache lives in the app
        make_project(rnd, title="Bankjes bij de vijver")
    assert _cached(app, page_key("round", rnd.id, "nl")) is None
    assert _cached(app, page_key("home", None, "nl")) is None

    before = client.get(round_url).get_data()
    with service_context(app):
        advance_phase(make_user(Role.ORGANISER), rnd.id)
    assert client.get(round_url).get_data() != before


def test_a_ballot_does_not_empty_the_cache(app: Flask, client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING)
    project = make_project(rnd)
    db.session.commit()
    client.get(f"/ronde/{rnd.id}")
    key = page_key("round", rnd.id, "nl")
    assert _cached(app, key) is not None
    with app.app_context():  # where a commit reaches the cache, as in the request that casts
        cast_ballot(rnd, [project])
        db.session.commit()
    assert _cached(app, key) is not None
    with app.app_context():  # while a real change to the round drops it: the test can fail
        make_project(rnd, title="Nog een plan")
    assert _cached(app, key) is None


def test_a_logged_in_visitor_gets_their_own_page(app: Flask, client: FlaskClient, renders: list[str]) -> None:
    rnd = make_round(phase=Phase.PROPOSALS)
    db.session.commit()
    client.get(f"/ronde/{rnd.id}")
    resident = make_user(Role.RESIDENT, wijk=rnd.wijk)
    db.session.commit()
    login(client, resident)
    page = client.get(f"/ronde/{rnd.id}")
    assert renders.count("residents/round.html") == 2
    assert "public" not in page.headers.get("Cache-Control", "")
    assert resident.name in page.get_data(as_text=True) or "Uitloggen" in page.get_data(as_text=True)


def test_a_page_holding_a_csrf_token_is_not_stored(app: Flask, client: FlaskClient) -> None:
    @page_cache.cached_page("home")
    def view() -> str:
        return '<form><input type="hidden" name="csrf_token" value="one-visitors-token"></form>'

    with app.test_request_context("/"):
        view()
        assert _cached(app, page_key("home", None, "nl")) is None


@pytest.fixture
def redis_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The production cache: Redis (REDIS_URL, as in CI)."""
    import os

    from app import create_app
    from tests.conftest import database_url_for_tests

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail("REDIS_URL must point at the test Redis")
    monkeypatch.setenv("REDIS_URL", url)
    config = TestConfig(database_url_for_tests())
    config.CACHE_TYPE = "RedisCache"
    config.CACHE_REDIS_URL = url
    config.CACHE_OPTIONS = {"socket_connect_timeout": 0.3, "socket_timeout": 0.3}
    application = create_app(config)
    with application.app_context():
        cache.clear()
    yield application
    with application.app_context():
        cache.clear()


def test_pages_are_kept_in_redis_and_dropped_there(redis_app: Flask) -> None:
    with redis_app.test_request_context("/"):
        page_cache._set("page:home:0:nl", page_cache.CachedPage(b"<p>hallo</p>", "text/html", "abc"), 60)
        assert page_cache._get("page:home:0:nl") == page_cache.CachedPage(b"<p>hallo</p>", "text/html", "abc")
        page_cache.invalidate([12345])
        assert page_cache._get("page:home:0:nl") is None


def test_a_redis_that_is_down_serves_the_page_uncached(monkeypatch: pytest.MonkeyPatch) -> None:
    from app import create_app
    from tests.conftest import database_url_for_tests

    config = TestConfig(database_url_for_tests())
    config.CACHE_TYPE = "RedisCache"
    config.CACHE_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    config.CACHE_OPTIONS = {"socket_connect_timeout": 0.3, "socket_timeout": 0.3}
    application = create_app(config)

    @page_cache.cached_page("home")
    def view() -> str:
        return "<p>de pagina</p>"

    with application.test_request_context("/"):
        response = view()
        assert response.status_code == 200 and b"de pagina" in response.get_data()
        page_cache.invalidate([1])  # logs, never raises
