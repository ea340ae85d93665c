"""Malformed requests get a clear 400 or 404, never a 500.

Two kinds reached the database and failed there (33 of 5,200 fuzzed form posts, 98 of 408 oversized ids):
- a NUL byte anywhere in a form, query string or path: PostgreSQL text cannot hold one, so nothing can
  use it; the request is refused (400, with a page that says why) as soon as the form is read, which the
  CSRF check does before any view runs;
- an id in a URL beyond PostgreSQL's integer (`/uitslag/99999999999999999999`): the `int` converter only
  matches ids a row can have, so such a URL is simply not found.
Oversized ids typed into forms already get a form error (`tests/web/test_malformed_input.py` checks both).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, Request, request
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER, the type of every id column


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` for ids: whole numbers from 0 to MAX_ID, else the route does not match (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # type: ignore[no-untyped-def]  # noqa: A002
        super().__init__(map, fixed_digits, min, max if max is not None else MAX_ID, signed)


class UnstorableInput(BadRequest):
    """The request holds characters no field can store (a NUL byte)."""


def _has_nul(pairs: Iterable[tuple[str, str]]) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)


class CheckedRequest(Request):
    """Checks the form for NUL bytes when it is parsed: whoever reads it first (the CSRF check, a view) gets
    UnstorableInput. Parsing stays lazy, so a view's own upload limit (`max_content_length`) still holds."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        files = ((key, f.filename or "") for key, f in self.files.items(multi=True))
        if _has_nul(self.form.items(multi=True)) or _has_nul(files):
            raise UnstorableInput()


def _refuse_unstorable_url() -> None:
    if "\x00" in request.path:
        raise NotFound()
    if _has_nul(request.args.items(multi=True)):
        raise UnstorableInput()


def init_malformed_input(app: Flask) -> None:
    """Install the id converter (before the blueprints add their rules) and the NUL checks."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.request_class = CheckedRequest
    app.before_request(_refuse_unstorable_url)
