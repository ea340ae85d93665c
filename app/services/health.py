"""Is this installation able to serve? The database answers, and the broker does when one is configured.

Used by `/healthz` for load balancers and container health checks. Each check has a short timeout of its own
and says only yes or no: the reason goes to the log, never to whoever asked.
"""

from __future__ import annotations

import logging

import redis
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

log = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 1.0


def database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError as exc:
        log.warning("health: the database does not answer: %s", type(getattr(exc, "orig", exc)).__name__)
        return False
    finally:
        db.session.rollback()


def broker_answers(broker_url: str) -> bool:
    """True without a broker (the embedded default runs jobs in-process); else whether Redis answers a PING."""
    if not broker_url:
        return True
    client = redis.Redis.from_url(
        broker_url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS, socket_timeout=BROKER_TIMEOUT_SECONDS
    )
    try:
        return bool(client.ping())
    except redis.RedisError as exc:
        log.warning("health: the broker does not answer: %s", type(exc).__name__)
        return False
    finally:
        client.close()


def healthy(broker_url: str) -> bool:
    return database_answers() and broker_answers(broker_url)
