"""Request bodies have a size cap: MAX_CONTENT_LENGTH for everyone (Flask refuses more), and a much smaller one
for visitors who are not logged in, whose forms (log in, register, vote with a code) are a few fields.

A body over the cap is refused with a 413 page before it is read; nginx (docker-compose) buffers the body and
refuses anything far larger before it reaches the app at all.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user


def init_request_size(app: Flask) -> None:
    @app.before_request
    def smaller_cap_for_anonymous_visitors() -> None:
        length = request.content_length
        if length and length > current_app.config["ANONYMOUS_MAX_CONTENT_LENGTH"]:
            if not current_user.is_authenticated:
                request.max_content_length = current_app.config["ANONYMOUS_MAX_CONTENT_LENGTH"]


def size_in_mb(limit: int) -> str:
    """A cap as the 413 page states it: "16 MB", "0.25 MB"."""
    return f"{limit / (1024 * 1024):g} MB"
