"""One JSON log line per request, with a request id that the response and every line of the request carry.

The line names the route pattern and its numeric arguments, never the path or query string as sent (letter
codes arrive as `?code=` from the letters' QR codes, tokens in paths), nor the visitor's address.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from app.logs import bind_request_id, new_request_id, unbind_request_id

log = logging.getLogger("wijkbudget.request")


def init_request_log(app: Flask) -> None:
    @app.before_request
    def start() -> None:
        g.request_id = new_request_id(request.headers.get("X-Request-ID"))
        g.request_log_token = bind_request_id(g.request_id)
        g.request_started = time.perf_counter()

    @app.after_request
    def finish(response: Response) -> Response:
        if "request_id" not in g:
            return response
        response.headers["X-Request-ID"] = g.request_id
        rule = request.url_rule
        log.info(
            "request",
            extra={
                "method": request.method,
                "route": rule.rule if rule is not None else None,
                "route_args": {k: v for k, v in (request.view_args or {}).items() if isinstance(v, int)}
                or None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1),
            },
        )
        return response

    @app.teardown_request
    def unbind(exc: BaseException | None) -> None:
        token = g.pop("request_log_token", None)
        if token is not None:
            unbind_request_id(token)
