"""Redis stops: votes go on at normal speed, and every job asked for meanwhile runs once when Redis is back.

A real Celery worker (with beat) runs against a Redis server this test starts and stops; the web app is built
from the same production environment. Nothing here waits for a human: the minute sweep (every 2 s here) hands
over what could not be published while the broker was down.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Ballot, CodeBatch, OutboxJob, Phase, RegisterEntry, Role, VotingCode
from tests.factories import (
    give_code,
    login,
    make_letter_code_round,
    make_project,
    make_register_entries,
    make_register_entry,
    make_user,
)
from tests.faults.conftest import letter_batch_done, production_env
from tests.faults.processes import CeleryWorker, RedisServer, wait_for
from tests.mail_support import CollectingHandler

OUTAGE_SECONDS = 120
VOTES = 300
REGISTRATIONS = 5


def _vote(client: FlaskClient, code: str, project_id: int) -> float:
    started = time.monotonic()
    response = client.post(
        "/stemmen/code/stem",
        data={"code": code, "postcode": "3512AB", "project_ids": [project_id], "action": "cast"},
    )
    took = time.monotonic() - started
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return took


def _register(client: FlaskClient, n: int, wijk_id: int) -> None:
    response = client.post(
        "/registreren",
        data={
            "name": f"Bewoner {n}",
            "email": f"bewoner{n}@voorbeeld.nl",
            "wijk_id": str(wijk_id),
            "password": "een lang wachtwoord 12",
            "confirm": "een lang wachtwoord 12",
            "language": "nl",
        },
        environ_base={"REMOTE_ADDR": f"10.5.0.{n}"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def _jobs() -> list[OutboxJob]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxJob).order_by(OutboxJob.id)))


def test_redis_down_for_two_minutes_while_300_code_votes_are_cast(
    app: Flask,
    production_app: object,
    redis_server: RedisServer,
    smtp: tuple[CollectingHandler, int],
    committed_db: None,
    tmp_path: Path,
) -> None:
    handler, smtp_port = smtp
    env = production_env(tmp_path, redis_server.url, smtp_port)
    web = production_app(env)  # type: ignore[operator]
    with app.app_context():
        rnd = make_letter_code_round(phase=Phase.VOTING)
        project_id = make_project(rnd).id
        wijk_id = rnd.wijk_id
        codes = [give_code(make_register_entry(rnd, postcode="3512AB")) for _ in range(VOTES)]
        round_id = rnd.id
    worker = CeleryWorker(env, tmp_path / "worker.log").start()
    try:
        before = [_vote(web.test_client(), code, project_id) for code in codes[:20]]

        redis_server.stop()
        outage_end = time.monotonic() + OUTAGE_SECONDS
        during: list[float] = []
        pending_codes = codes[20:280]
        for n, code in enumerate(pending_codes):
            during.append(_vote(web.test_client(), code, project_id))
            if n % 50 == 0 and n // 50 < REGISTRATIONS:
                _register(web.test_client(), n // 50, wijk_id)
            left = outage_end - time.monotonic()
            time.sleep(max(0.0, left / max(1, len(pending_codes) - n - 1)) if left > 0 else 0)
        while time.monotonic() < outage_end:
            time.sleep(0.5)
        with app.app_context():  # the jobs asked for wait in the outbox, none lost
            waiting = [job for job in _jobs() if job.name == "wijkbudget.send_email"]
            assert len(waiting) == REGISTRATIONS and {j.state for j in waiting} == {"pending"}

        redis_server.start()
        after = [_vote(web.test_client(), code, project_id) for code in codes[280:]]

        def all_sent() -> bool:
            with app.app_context():
                return len(handler.messages) >= REGISTRATIONS and all(j.state == "done" for j in _jobs())

        wait_for(all_sent, 60, "the jobs asked for during the outage")
        time.sleep(3)  # a few more sweeps: nothing may run a second time
    except BaseException:
        print(worker.log_tail())
        raise
    finally:
        worker.stop()

    # Every vote was accepted, at normal speed, exactly once.
    assert len(before) + len(during) + len(after) == VOTES
    assert max(during) < 2.0, f"a vote waited {max(during):.2f} s on the broker"
    assert statistics.median(during) < max(0.5, 5 * statistics.median(before))
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.round_id == round_id))
            == VOTES
        )
        used = select(func.count()).select_from(VotingCode).where(VotingCode.round_id == round_id)
        assert db.session.scalar(used.where(VotingCode.status == "used")) == VOTES
        jobs = _jobs()
    # Each job asked for during the outage ran exactly once once Redis was back.
    assert [(j.name, j.state, j.attempts) for j in jobs] == [
        ("wijkbudget.send_email", "done", 1)
    ] * REGISTRATIONS
    recipients = sorted(m["To"] for m in handler.messages)
    assert recipients == sorted(f"bewoner{n}@voorbeeld.nl" for n in range(REGISTRATIONS))


def test_a_letter_batch_whose_first_publish_failed_is_made_once_the_broker_is_back(
    app: Flask,
    production_app: object,
    smtp: tuple[CollectingHandler, int],
    committed_db: None,
    tmp_path: Path,
) -> None:
    broker = RedisServer()  # not started: the broker is down when the organiser asks
    env = production_env(tmp_path, broker.url, smtp[1])
    web = production_app(env)  # type: ignore[operator]
    with app.app_context():
        rnd = make_letter_code_round(phase=Phase.REVIEW)
        make_register_entries(rnd, 30)
        organiser = make_user(Role.ORGANISER)
        round_id = rnd.id
        client = web.test_client()
        login(client, organiser)
    started = time.monotonic()
    response = client.post(f"/organiseren/ronde/{round_id}/stemcodes/maken")
    assert response.status_code == 302
    assert time.monotonic() - started < 2.0, "the request waited for the broker"
    with app.app_context():
        (job,) = _jobs()
        assert (job.name, job.state) == ("wijkbudget.generate_codes", "pending")
        assert db.session.scalars(select(CodeBatch.status)).one() == "queued"

    broker.start()
    worker = CeleryWorker(env, tmp_path / "worker.log").start()
    try:
        wait_for(
            lambda: letter_batch_done(app), 60, "the letter batch"
        )  # no second request: the sweep handed it over
    except BaseException:
        print(worker.log_tail())
        raise
    finally:
        worker.stop()
        broker.stop()
    with app.app_context():
        (job,) = _jobs()
        assert (job.state, job.attempts) == ("done", 1)
        assert db.session.scalar(select(func.count()).select_from(VotingCode)) == 30
        assert db.session.scalar(select(func.count()).select_from(RegisterEntry)) == 30
