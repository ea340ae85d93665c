"""A worker killed with SIGKILL in the middle of publishing: after a restart, one record, the clean run's hash,
every e-mail once, and nobody had to click anything.

To kill it at a known point, the test holds a lock that the publication's last insert (the election record) must
wait for: the worker has counted, written the result and the commitments, and blocks there. It is killed while it
waits, the way an out-of-memory killer would; PostgreSQL rolls its transaction back.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from flask import Flask
from sqlalchemy import func, insert, select
from sqlalchemy.orm import scoped_session, sessionmaker

from app.extensions import db
from app.models import (
    Ballot,
    BallotChoice,
    ElectionRecord,
    OutboxJob,
    Phase,
    Result,
    ResultSubscription,
    Role,
    Round,
    User,
)
from app.services.results.publishing import publish_round
from app.services.rounds import phases
from tests.conftest import database_url_for_tests
from tests.factories import make_project, make_round, make_user
from tests.faults.conftest import production_env
from tests.faults.processes import CeleryWorker, RedisServer, wait_for
from tests.mail_support import CollectingHandler

BALLOTS = 20_000
SUBSCRIBERS = 4


def _round_with_ballots(count: int) -> int:
    """A closed round with 12 projects and `count` ballots, written in bulk (the casting path is tested
    elsewhere; here only the publication is)."""
    rnd = make_round(phase=Phase.CLOSED, budget_cents=10_000_000, max_project_cost_cents=5_000_000)
    rng = random.Random(20_000)
    projects = [make_project(rnd, cost_cents=rng.randrange(5, 50) * 100_000) for _ in range(12)]
    weights = [rng.random() for _ in projects]
    for start in range(0, count, 2_000):
        rows = [
            {"round_id": rnd.id, "voter_key": uuid.uuid4().hex, "receipt_code": uuid.uuid4().hex[:16]}
            for _ in range(min(2_000, count - start))
        ]
        ids = db.session.scalars(insert(Ballot).returning(Ballot.id), rows).all()
        choices = [
            {"ballot_id": ballot_id, "project_id": p.id, "round_id": rnd.id}
            for ballot_id in ids
            for p, w in zip(projects, weights, strict=True)
            if rng.random() < w
        ]
        if choices:
            db.session.execute(insert(BallotChoice), choices)
        db.session.commit()
    return rnd.id


@contextmanager
def _rolled_back_session(app: Flask) -> Iterator[None]:
    """Everything done inside is rolled back at the end (the services' commits become savepoints)."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
        original = db.session
        db.session = session
        try:
            yield
        finally:
            db.session = original
            session.remove()
            outer.rollback()
            connection.close()


def _libpq_url() -> str:
    return database_url_for_tests().replace("postgresql+psycopg://", "postgresql://")


def _publish_job(app: Flask) -> OutboxJob:
    with app.app_context():
        db.session.expire_all()
        return db.session.scalars(select(OutboxJob).where(OutboxJob.name == "wijkbudget.publish_round")).one()


def test_a_worker_killed_while_publishing_20000_ballots(
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
        round_id = _round_with_ballots(BALLOTS)
        for n in range(SUBSCRIBERS):
            subscriber = make_user(email=f"abonnee{n}@voorbeeld.nl")
            db.session.add(ResultSubscription(user_id=subscriber.id, round_id=round_id))
        organiser_id = make_user(Role.ORGANISER).id
        db.session.commit()

    with web.app_context():  # the organiser asks once; the job waits in Redis (no worker yet)
        phases.request_publication(db.session.get(User, organiser_id), round_id)
    assert _publish_job(app).state == "published"

    with _rolled_back_session(app):  # what a clean publication of this very state writes
        publish_round(round_id, actor_id=organiser_id)
        clean_hash = db.session.scalar(
            select(ElectionRecord.record_sha256).where(ElectionRecord.round_id == round_id)
        )
    assert clean_hash

    blocker = psycopg.connect(_libpq_url())
    blocker.execute("LOCK TABLE election_records IN SHARE MODE")  # inserts wait; no row of a round is locked
    watch = psycopg.connect(_libpq_url(), autocommit=True)
    worker = CeleryWorker(env, tmp_path / "worker.log")
    try:
        worker.start()

        def waiting_on_the_record() -> bool:
            row = watch.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE 'INSERT INTO election_records%%' AND pid <> pg_backend_pid()"
            ).fetchone()
            return bool(row and row[0])

        wait_for(waiting_on_the_record, 120, "the worker to reach the election record")
        assert _publish_job(app).state == "running"
        worker.kill()  # mid-publication: counted, result and commitments written, not committed
        blocker.rollback()
        wait_for(
            lambda: not waiting_on_the_record(), 30, "PostgreSQL to drop the killed worker's transaction"
        )
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Result)) == 0
            assert db.session.get(Round, round_id).phase == Phase.CLOSED.value

        worker.start()  # the same worker name: it takes back what it held when it was killed

        def told_everyone() -> bool:
            with app.app_context():
                db.session.expire_all()
                states = set(db.session.scalars(select(OutboxJob.state)))
                return len(handler.messages) >= SUBSCRIBERS and states == {"done"}

        wait_for(told_everyone, 180, "the publication and its e-mails")
    except BaseException:
        print(worker.log_tail())
        raise
    finally:
        blocker.close()
        watch.close()
        worker.stop()

    with app.app_context():
        records = db.session.scalars(select(ElectionRecord).where(ElectionRecord.round_id == round_id)).all()
        assert [r.record_sha256 for r in records] == [clean_hash]
        assert db.session.get(Round, round_id).phase == Phase.PUBLISHED.value
        result = db.session.scalars(select(Result).where(Result.round_id == round_id)).one()
        assert result.ballots_counted == BALLOTS
    job = _publish_job(app)
    assert (job.state, job.attempts) == ("done", 2)  # killed once, then finished: no organiser click
    recipients = sorted(m["To"] for m in handler.messages)
    assert recipients == sorted(f"abonnee{n}@voorbeeld.nl" for n in range(SUBSCRIBERS))
