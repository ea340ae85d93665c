"""Which Celery app serves a Flask app, and whether it has a broker (the embedded default has none)."""

from __future__ import annotations

from celery import Celery
from flask import Flask


def celery_for(app: Flask) -> Celery:
    """The Celery app that belongs to a Flask app (to enqueue on it explicitly)."""
    celery_app: Celery = app.extensions["celery"]
    return celery_app


def has_broker(app: Flask) -> bool:
    """False in the embedded default: jobs then run in-process."""
    return not app.config["CELERY"].get("task_always_eager", False)
