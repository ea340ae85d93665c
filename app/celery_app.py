"""Celery bound to the Flask app, following Flask's own Celery pattern.

Without REDIS_URL the tasks run in-process (task_always_eager) so the embedded default needs no broker.

Each Flask app gets its own Celery app, whose tasks run inside that Flask app's context. Several Flask apps
can live in one process (the tests run an eager app and a real Redis worker side by side): whenever a Flask
app context is pushed, its Celery app becomes the current one in that thread, so `some_task.delay()` goes to
the broker of the Flask app that is handling the request or job.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, Task
from flask import Flask, appcontext_pushed
from flask_babel import force_locale

log = logging.getLogger(__name__)


def init_celery(app: Flask) -> Celery:
    celery_app = Celery(app.import_name, task_cls=_flask_task_class(app), set_as_current=False)
    celery_app.config_from_object(app.config["CELERY"])
    app.extensions["celery"] = celery_app

    def make_current(sender: Flask, **extra: Any) -> None:
        celery_app.set_current()

    appcontext_pushed.connect(make_current, sender=app, weak=False)
    celery_app.set_default()
    celery_app.set_current()
    # Importing the task modules registers them (shared_task) on every Celery app, this one included.
    import tasks.codes  # noqa: F401
    import tasks.commitments  # noqa: F401
    import tasks.counting  # noqa: F401
    import tasks.eligibility  # noqa: F401
    import tasks.mail  # noqa: F401
    import tasks.phases  # noqa: F401
    import tasks.registers  # noqa: F401

    return celery_app


def celery_for(app: Flask) -> Celery:
    """The Celery app that belongs to a Flask app (to enqueue on it explicitly)."""
    celery_app: Celery = app.extensions["celery"]
    return celery_app


def _flask_task_class(app: Flask) -> type[Task]:
    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            # A job has no visitor, so messages it builds (refusals, audit reasons) use the default language.
            with app.app_context(), force_locale(app.config.get("BABEL_DEFAULT_LOCALE", "nl")):
                return self.run(*args, **kwargs)

        def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
            log.error("task %s[%s] failed for %r: %r", self.name, task_id, args, exc)

    return FlaskTask
