"""Entry point for `celery -A tasks.worker worker` and `celery -A tasks.worker beat`.

Builds the Flask app from the environment (REDIS_URL, DATABASE_URL) and exposes its Celery app.
"""

import logging
from typing import Any

from celery.signals import setup_logging, worker_process_init, worker_ready

from app import create_app
from app.extensions import db
from app.logs import configure_logging
from app.services import jobs
from tasks import relay
from tasks.broker import celery_for

log = logging.getLogger(__name__)


@setup_logging.connect
def _json_logs(loglevel: Any = None, **_: Any) -> None:
    """Celery leaves logging to us when this signal has a receiver: JSON lines, redacted, like the web app."""
    configure_logging(loglevel or "INFO")


flask_app = create_app()
celery = celery_app = celery_for(flask_app)


@worker_process_init.connect
def _fresh_database_connections(**_: Any) -> None:
    """A forked worker process must not reuse the parent's database connections."""
    with flask_app.app_context():
        db.engine.dispose(close=False)


@worker_ready.connect
def _take_back_own_jobs(sender: Any = None, **_: Any) -> None:
    """A worker that starts runs nothing yet, so jobs still marked as running under its name were lost when
    it stopped (killed, crashed): hand them over again now instead of after their lease."""
    hostname = getattr(sender, "hostname", None)
    if not hostname:
        return
    with flask_app.app_context():
        released = jobs.release_worker_jobs(hostname)
        if released:
            log.warning(
                "%d jobs of %s were lost when it stopped; handing them over again", released, hostname
            )
            relay.hand_over_due()
