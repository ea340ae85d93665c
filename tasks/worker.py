"""Entry point for `celery -A tasks.worker worker` and `celery -A tasks.worker beat`.

Builds the Flask app from the environment (REDIS_URL, DATABASE_URL) and exposes its Celery app.
"""

from typing import Any

from celery.signals import worker_process_init

from app import create_app
from app.celery_app import celery_for
from app.extensions import db

flask_app = create_app()
celery = celery_app = celery_for(flask_app)


@worker_process_init.connect
def _fresh_database_connections(**_: Any) -> None:
    """A forked worker process must not reuse the parent's database connections."""
    with flask_app.app_context():
        db.engine.dispose(close=False)
