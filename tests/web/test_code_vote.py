"""Voting with a letter code in the browser's way (plain forms, no JavaScript), and the failed-try limit."""

from __future__ import annotations

import logging
import os
import re

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from app.config import TestConfig
from app.extensions import db, limiter
from app.models import Ballot, Phase
from app.services.voting.voter_keys import format_voting_code, new_voting_code
from app.web.code_vote.views import HideCodesInRequestLines
from tests.ballot_box import sealed_session
from tests.conftest import database_url_for_tests
from tests.factories import give_code, make_letter_code_round, make_project, make_register_entry

# The run's own Redis database (REDIS_URL): parallel test runs on one machine each flush only their own.
REDIS_TEST_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/13"


@pytest.fixture(autouse=True)
def _app_context(app):
    with app.app_context():
        yield


@pytest.fixture
def voting(db_session):
    rnd = make_letter_code_round(phase=Phase.VOTING)
    projects = [make_project(rnd, cost_cents=1_000_000), make_project(rnd, cost_cents=2_000_000)]
    entry = make_register_entry(rnd, postcode="3512AB")
    return rnd, projects, entry, give_code(entry)


def _cast(client: FlaskClient, code: str, postcode: str, project_ids: list[int], receipt: str = "", **kw):
    data = {
        "code": code,
        "postcode": postcode,
        "receipt": receipt,
        "project_ids": project_ids,
        "action": "cast",
    }
    return client.post("/stemmen/code/stem", data=data, **kw)


def _session_of(app: Flask, client: FlaskClient) -> dict:
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    if cookie is None:
        return {}
    return dict(app.session_interface.get_signing_serializer(app).loads(cookie.value))


def test_the_qr_link_fills_in_the_code_and_leaks_it_nowhere(client, voting):
    _rnd, _projects, _entry, code = voting
    response = client.get(f"/stemmen/code?code={code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(rf'name="code"[^>]*value="{code}"', page)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_request_lines_in_the_server_log_hide_the_code():
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        "",
        0,
        '%s - - "%s" %s',
        ("127.0.0.1", "GET /stemmen/code?code=K7QM9XRTCAWF2HPDM4N6&x=1 HTTP/1.1", "200"),
        None,
    )
    assert HideCodesInRequestLines().filter(record)
    assert "K7QM" not in record.getMessage() and "code=[hidden]&x=1" in record.getMessage()
    assert any(isinstance(f, HideCodesInRequestLines) for f in logging.getLogger("werkzeug").filters)


def test_code_and_postcode_then_ballot_then_receipt(app, client, voting):
    rnd, projects, _entry, code = voting
    step1 = client.post("/stemmen/code", data={"code": format_voting_code(code), "postcode": "3512 ab"})
    page = step1.get_data(as_text=True)
    assert step1.status_code == 200
    assert 'action="/stemmen/code/stem"' in page
    assert re.search(rf'type="hidden"[^>]*value="{code}"|value="{code}"[^>]*type="hidden"', page)
    assert projects[0].title in page

    check = client.post(
        "/stemmen/code/stem",
        data={"code": code, "postcode": "3512AB", "project_ids": [projects[0].id], "action": "check"},
    )
    assert check.status_code == 200 and sealed_session().scalar(select(Ballot.id)) is None

    done = _cast(client, code, "3512AB", [projects[0].id])
    receipt_page = done.get_data(as_text=True)
    ballot = sealed_session().scalars(select(Ballot).where(Ballot.round_id == rnd.id)).one()
    assert done.status_code == 200
    assert ballot.receipt_code in receipt_page
    assert "stembewijscode" in receipt_page  # how to change the vote (one name for the receipt code)
    assert code not in str(_session_of(app, client))


def test_wrong_postcode_and_typo_get_clear_answers(client, voting):
    _rnd, _projects, _entry, code = voting
    wrong = client.post("/stemmen/code", data={"code": code, "postcode": "9999ZZ"})
    assert wrong.status_code == 400
    assert "We herkennen deze combinatie van stemcode en postcode niet" in wrong.get_data(as_text=True)
    typo = code[:5] + ("A" if code[5] != "A" else "B") + code[6:]
    answer = client.post("/stemmen/code", data={"code": typo, "postcode": "3512AB"})
    assert answer.status_code == 400
    assert "Dit is geen geldige stemcode" in answer.get_data(as_text=True)


def test_a_used_code_changes_its_vote_only_with_the_receipt(client, voting):
    rnd, projects, _entry, code = voting
    _cast(client, code, "3512AB", [projects[0].id])
    receipt = sealed_session().scalars(select(Ballot.receipt_code).where(Ballot.round_id == rnd.id)).one()

    again = client.post("/stemmen/code", data={"code": code, "postcode": "3512AB"})
    assert again.status_code == 409
    assert "Met deze stemcode is al gestemd" in again.get_data(as_text=True)

    with_receipt = client.post("/stemmen/code", data={"code": code, "postcode": "3512AB", "receipt": receipt})
    assert with_receipt.status_code == 200
    assert re.search(rf'value="{projects[0].id}"[^>]*checked', with_receipt.get_data(as_text=True))
    changed = _cast(client, code, "3512AB", [projects[1].id], receipt)
    assert changed.status_code == 200
    ballot = sealed_session().scalars(select(Ballot).where(Ballot.round_id == rnd.id)).one()
    assert ballot.project_ids == [projects[1].id] and ballot.receipt_code == receipt


# --- the failed-try limit -----------------------------------------------------------------------------


@pytest.fixture(params=["memory", "redis", "redis-down"])
def limited_client(request, app: Flask, db_session):
    """A client of an app with the limiter on: in memory, on the real Redis (DB 13), or on a Redis that is
    down (the limiter must then fall back to counting in memory). Same database transaction as the test."""
    storage = {"memory": "memory://", "redis": REDIS_TEST_URL, "redis-down": "redis://127.0.0.1:1/13"}[
        request.param
    ]
    if request.param == "redis":
        redis.Redis.from_url(
            REDIS_TEST_URL
        ).flushdb()  # Redis is part of the test environment: fail if absent
    config = TestConfig(database_url_for_tests())
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_STORAGE_URI = storage
    limited_app = create_app(config)
    yield limited_app.test_client(), request.param
    if request.param == "redis":
        redis.Redis.from_url(REDIS_TEST_URL).flushdb()  # memory counts go with the next app's fresh storage
    limiter.enabled = False  # the shared test app runs without limits, as configured


def test_the_eleventh_failure_from_one_address_is_blocked_but_successes_never_count(limited_client):
    client, storage = limited_client
    rnd = make_letter_code_round(phase=Phase.VOTING)
    project = make_project(rnd)
    codes = [give_code(make_register_entry(rnd, postcode="3512AB")) for _ in range(16)]
    shared_address = {"REMOTE_ADDR": "10.1.2.3"}

    def guess() -> object:  # brute force: codes that look right but belong to nobody
        return client.post(
            "/stemmen/code",
            data={"code": new_voting_code(), "postcode": "3512AB"},
            environ_base=shared_address,
        )

    # A buurthuis with one internet connection: many successful voters are never counted against it.
    for code in codes[:12]:
        assert _cast(client, code, "3512AB", [project.id], environ_base=shared_address).status_code == 200
    # Ten failed tries, with successful voters in between who still get through.
    for attempt in range(10):
        assert guess().status_code == 400, attempt
        if attempt in (3, 7):
            success = _cast(
                client, codes[12 + attempt // 4], "3512AB", [project.id], environ_base=shared_address
            )
            assert success.status_code == 200
    blocked = guess()
    assert blocked.status_code == 429
    text = blocked.get_data(as_text=True)
    assert "Te veel pogingen" in text and "Wacht tien minuten" in text
    # The address stays blocked for guesses, but a resident there with a right code and postcode votes.
    assert guess().status_code == 429
    assert _cast(client, codes[15], "3512AB", [project.id], environ_base=shared_address).status_code == 200

    if storage == "redis":
        assert redis.Redis.from_url(REDIS_TEST_URL).keys("*"), "the counts live in Redis"
    if storage == "redis-down":
        assert limiter._storage_dead, "counted in memory while Redis is down"

    other_address = {"REMOTE_ADDR": "10.9.9.9"}
    assert _cast(client, codes[14], "3512AB", [project.id], environ_base=other_address).status_code == 200
    assert (
        sealed_session().scalar(select(db.func.count()).select_from(Ballot).where(Ballot.round_id == rnd.id))
        == 16
    )


def test_a_stolen_code_cannot_be_tried_with_postcode_after_postcode(limited_client):
    client, _storage = limited_client
    rnd = make_letter_code_round(phase=Phase.VOTING)
    project = make_project(rnd)
    code = give_code(make_register_entry(rnd, postcode="3512AB"))
    # Five wrong postcodes, each from another address, so the per-address limit never triggers.
    for n, postcode in enumerate(["3512AC", "3512AD", "3512AE", "3512AF", "3512AG"]):
        wrong = client.post(
            "/stemmen/code",
            data={"code": code, "postcode": postcode},
            environ_base={"REMOTE_ADDR": f"10.7.0.{n}"},
        )
        assert wrong.status_code == 400
    # Now even the right postcode is refused for this code for a while: no oracle for the sixth guess.
    right = client.post(
        "/stemmen/code", data={"code": code, "postcode": "3512AB"}, environ_base={"REMOTE_ADDR": "10.7.0.99"}
    )
    assert right.status_code == 429
    # Other codes are not affected.
    other = give_code(make_register_entry(rnd, postcode="3512AB"))
    assert (
        _cast(client, other, "3512AB", [project.id], environ_base={"REMOTE_ADDR": "10.7.0.99"}).status_code
        == 200
    )
