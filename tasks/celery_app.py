"""Celery bound to the Flask app, following Flask's own Celery pattern.

Each Flask app gets its own Celery app whose tasks (`tasks.base.JobTask`) run inside that Flask app's context.
Several Flask apps can live in one process (the tests run an in-process app and a real Redis worker side by
side): whenever a Flask app context is pushed, its Celery app becomes the current one in that thread.

Without REDIS_URL there is no broker: the relay (`tasks.relay`) runs each job in-process right after the commit
that wrote it, from the outbox table, and `wijkbudget run` sweeps for due work every minute.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from flask import Flask, appcontext_pushed

from tasks import task_log  # noqa: F401  (one log line per task)
from tasks.base import JobTask

TASK_MODULES = (
    "tasks.codes",
    "tasks.commitments",
    "tasks.counting",
    "tasks.eligibility",
    "tasks.mail",
    "tasks.registers",
    "tasks.sweep",
)


def init_celery(app: Flask) -> Celery:
    celery_app = Celery(app.import_name, task_cls=JobTask, set_as_current=False)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.flask_app = app  # JobTask runs every task inside this app
    app.extensions["celery"] = celery_app

    def make_current(sender: Flask, **extra: Any) -> None:
        celery_app.set_current()

    appcontext_pushed.connect(make_current, sender=app, weak=False)
    celery_app.set_default()
    celery_app.set_current()
    # Importing the task modules registers them (shared_task) on every Celery app, this one included.
    for module in TASK_MODULES:
        __import__(module)
    return celery_app
