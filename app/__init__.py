"""wijkbudget: participatory budgeting for Dutch neighbourhoods."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from app.config import INSTANCE_DIR, Config


def create_app(config: Any = None) -> Flask:
    """Build the Flask app: config, extensions, blueprints, error handlers, CLI and Celery."""
    settings = config or Config()
    storage = Path(getattr(settings, "STORAGE_DIR", INSTANCE_DIR))
    app = Flask(__name__, instance_path=str(storage), template_folder="../templates", static_folder="static")
    app.config.from_object(settings)
    storage.mkdir(parents=True, exist_ok=True)

    from app import models  # noqa: F401  (register the models with the metadata)
    from app.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
    from app.sqlite_support import configure_sqlite
    from app.web import register_web
    from app.web.request_log import init_request_log
    from app.web.request_size import init_request_size
    from tasks.celery_app import init_celery

    # Before the extensions' hooks: a request CSRF refuses is logged too, and no hook reads a body over its cap.
    init_request_log(app)
    init_request_size(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(INSTANCE_DIR.parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    mail.init_app(app)
    from app.web.i18n import init_i18n

    init_i18n(app, babel)
    with app.app_context():
        configure_sqlite(db.engine)
    register_web(app)
    init_celery(app)
    return app
