"""Language choice: Dutch by default, English complete; the visitor can switch."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, has_request_context, session
from flask_babel import Babel, format_datetime, format_percent
from flask_login import current_user

from app.money import euro_text


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI, tasks and the demo speak the default language
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    if current_user.is_authenticated and current_user.language in languages:
        return str(current_user.language)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def init_i18n(app: Flask, babel: Babel) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    app.jinja_env.filters["euro"] = euro_text

    def local_datetime(value: datetime | None, fmt: str = "d MMMM yyyy HH:mm") -> str:
        return "" if value is None else format_datetime(value, fmt)

    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["percent"] = lambda share: format_percent(share, "#,##0.0%")
    app.jinja_env.globals["current_locale"] = select_locale
