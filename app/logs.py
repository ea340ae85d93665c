"""Logs as one JSON object per line, with the request id of the request or job they belong to.

A log line must never carry a password, a letter code (stemcode), a receipt code or a voter's IP address:
the request and task lines are built from safe fields only (the route pattern, never the path or query), and
every message passes `redact` besides, so a line from a library (werkzeug, Celery, gunicorn) cannot leak one.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

_request_id: ContextVar[str | None] = ContextVar("wijkbudget_request_id", default=None)

# Structured fields a line may carry (given as `extra=`); anything else in a record is left out.
FIELDS = ("method", "route", "route_args", "status", "duration_ms", "task", "task_id", "state")

REDACTED = "[redacted]"
_PATTERNS = (
    # Query values (codes arrive as ?code=... from the letters' QR codes); keys stay readable.
    (re.compile(r"([?&][^=\s&#\"']{1,64})=[^&\s#\"']*"), rf"\1={REDACTED}"),
    # Letter codes (5 groups of 4) and receipt codes (3 groups of 4), and their compact forms.
    # (Upper case only: that is how they are printed and normalised; Celery's task ids are lower-case.)
    (re.compile(r"\b[0-9A-Z]{4}(?:[- ][0-9A-Z]{4}){2,4}\b"), REDACTED),
    (re.compile(r"\b[0-9A-Z]{20}\b"), REDACTED),
    (re.compile(r"\b[0-9A-Z]{12}\b"), REDACTED),
    # Signed tokens in paths (e-mail confirmation, password reset): long URL-safe segments.
    (re.compile(r"/[A-Za-z0-9_.-]{24,}"), f"/{REDACTED}"),
    # IP addresses, v4 and v6.
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b"), "[ip]"),
    (re.compile(r"\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b", re.IGNORECASE), "[ip]"),
    (
        re.compile(
            r"(?<![\w:])(?:[0-9a-f]{0,4}:){1,6}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,5})?(?![\w:])", re.I
        ),
        "[ip]",
    ),
    # "password=..." or "wachtwoord: ..." in any message.
    (
        re.compile(r"(password|passwd|wachtwoord)([\"']?\s*[=:]\s*[\"']?)[^\s&\"',]+", re.IGNORECASE),
        rf"\1\2{REDACTED}",
    ),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def new_request_id(offered: str | None = None) -> str:
    """The id a reverse proxy gave (X-Request-ID) when it looks like one, else a fresh one."""
    if offered and re.fullmatch(r"[A-Za-z0-9-]{8,64}", offered):
        return offered
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return _request_id.get()


def bind_request_id(request_id: str | None) -> object:
    """Make `request_id` the current one; returns a token for `unbind_request_id`."""
    return _request_id.set(request_id)


def unbind_request_id(token: object) -> None:
    _request_id.reset(token)  # type: ignore[arg-type]


class RedactingFilter(logging.Filter):
    """For the development server, whose lines stay plain text: redact its request lines ("ADDRESS - - [time]
    ..."), and leave its start-up lines (" * Running on http://127.0.0.1:5000") readable."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if " - - [" in message:
            record.msg, record.args = redact(message), None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for field in FIELDS:
            value = getattr(record, field, None)
            if value is not None:  # built by us from safe values (route patterns, ids), not redacted
                entry[field] = value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO", stream: Any = None) -> logging.Handler:
    """Send every logger's lines, as JSON, to stderr (or `stream`). Replaces an earlier JSON handler (such as
    the one gunicorn.conf.py sets up), so calling it again never doubles a line."""
    root = logging.getLogger()
    for earlier in list(root.handlers):
        if isinstance(earlier.formatter, JsonFormatter):
            root.removeHandler(earlier)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    return handler
