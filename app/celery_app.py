"""Celery bound to the Flask app, following Flask's own Celery pattern.

Without REDIS_URL the tasks run in-process (task_always_eager) so the embedded default needs no broker.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask


def init_celery(app: Flask) -> Celery:
    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    # Importing the task modules registers them on the default app.
    import tasks.counting  # noqa: F401
    import tasks.phases  # noqa: F401

    return celery_app
