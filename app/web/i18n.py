"""Language choice: Dutch by default, English complete; the visitor can switch."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, session
from flask_babel import Babel, format_datetime
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    if current_user.is_authenticated and current_user.language in languages:
        return str(current_user.language)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def euro(cents: int | None) -> str:
    """Format integer cents as Dutch-style euros: EUR 1.234,50 -> '€ 1.234,50' (whole euros without ',00')."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    text = f"{whole:,}".replace(",", ".")
    if rest:
        text += f",{rest:02d}"
    return f"{sign}€\u00a0{text}"


def init_i18n(app: Flask, babel: Babel) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    app.jinja_env.filters["euro"] = euro

    def local_datetime(value: datetime | None, fmt: str = "d MMMM yyyy HH:mm") -> str:
        return "" if value is None else format_datetime(value, fmt)

    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.globals["current_locale"] = select_locale
