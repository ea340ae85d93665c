"""One JSON line per request and per task, with a request id; never a code, receipt, password or address."""

from __future__ import annotations

import io
import json
from typing import Any

from flask.testing import FlaskClient

from app.models import Role
from app.services.voting.voter_keys import new_receipt_code, new_voting_code
from tests.factories import PASSWORD, login, make_letter_code_round, make_register_entry, make_user

VISITOR = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "198.51.100.23"}


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _requests(stream: io.StringIO) -> list[dict[str, Any]]:
    return [entry for entry in _lines(stream) if entry["logger"] == "wijkbudget.request"]


def test_a_request_line_names_the_route_never_the_code_or_address(
    client: FlaskClient, log_lines: io.StringIO
) -> None:
    code, receipt = new_voting_code(), new_receipt_code()
    first = client.get(f"/stemmen/code?code={code}", environ_base=VISITOR)
    second = client.get(f"/uitslag/stembewijs?round_id=1&code={receipt}", environ_base=VISITOR)
    text = log_lines.getvalue()
    for secret in (code, code.replace("-", ""), receipt, "203.0.113.9", "198.51.100.23"):
        assert secret not in text
    one, two = _requests(log_lines)
    assert (one["method"], one["route"], one["status"]) == ("GET", "/stemmen/code", 200)
    assert two["route"] == "/uitslag/stembewijs"
    assert one["request_id"] == first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    assert isinstance(one["duration_ms"], float)


def test_a_login_line_has_no_password(client: FlaskClient, db_session: Any, log_lines: io.StringIO) -> None:
    user = make_user(Role.RESIDENT)
    client.post(
        "/inloggen", data={"email": user.email, "password": PASSWORD + "-wrong"}, environ_base=VISITOR
    )
    login(client, user)
    assert PASSWORD not in log_lines.getvalue()
    assert [entry["route"] for entry in _requests(log_lines)] == ["/inloggen", "/inloggen"]


def test_numeric_route_arguments_are_kept_and_a_proxy_request_id_too(
    client: FlaskClient, log_lines: io.StringIO
) -> None:
    response = client.get("/uitslag/123456", headers={"X-Request-ID": "nginx-0123456789abcdef"})
    assert response.headers["X-Request-ID"] == "nginx-0123456789abcdef"
    (line,) = _requests(log_lines)
    assert line["route"] == "/uitslag/<int:round_id>" and line["route_args"] == {"round_id": 123456}
    assert line["request_id"] == "nginx-0123456789abcdef"


def test_an_unknown_path_is_not_written_down(client: FlaskClient, log_lines: io.StringIO) -> None:
    client.get("/wachtwoord-herstellen/eyJhbGciOi.secret-token-value-here")
    (line,) = _requests(log_lines)
    assert "route" not in line and line["status"] == 404
    assert "secret-token" not in log_lines.getvalue()


def test_a_job_logs_one_task_line_under_the_request_that_asked_for_it(
    app: Any, client: FlaskClient, db_session: Any, log_lines: io.StringIO, tmp_path: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "LETTERS_DIR", str(tmp_path))
    login(client, make_user(Role.ORGANISER))
    rnd = make_letter_code_round()
    make_register_entry(rnd)
    response = client.post(f"/organiseren/ronde/{rnd.id}/stemcodes/maken")
    request_id = response.headers["X-Request-ID"]
    (task,) = [entry for entry in _lines(log_lines) if entry["logger"] == "wijkbudget.task"]
    assert task["task"] == "wijkbudget.generate_codes" and task["state"] == "SUCCESS"
    assert task["request_id"] == request_id
