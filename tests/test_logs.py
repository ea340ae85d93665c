"""Log lines are JSON and never carry a password, a letter code, a receipt code or an IP address."""

from __future__ import annotations

import io
import json
import logging

import pytest

from app.logs import REDACTED, RedactingFilter, bind_request_id, redact, unbind_request_id
from app.services.voting.voter_keys import new_compact_voting_code, new_receipt_code, new_voting_code

LETTER_CODE = new_voting_code()
COMPACT_CODE = new_compact_voting_code()
RECEIPT = new_receipt_code()


@pytest.mark.parametrize(
    ("secret", "line"),
    [
        (LETTER_CODE, f"GET /stemmen/code?code={LETTER_CODE} HTTP/1.1"),
        (LETTER_CODE, f"code {LETTER_CODE} was typed"),
        (COMPACT_CODE, f"looked up {COMPACT_CODE}"),
        (RECEIPT, f"receipt {RECEIPT} checked"),
        (RECEIPT.replace("-", ""), f"receipt {RECEIPT.replace('-', '')} checked"),
        ("geheim-wachtwoord", "login failed password=geheim-wachtwoord"),
        ("hunter2", 'payload {"password": "hunter2"}'),
        ("203.0.113.7", '203.0.113.7 - - "GET / HTTP/1.1" 200'),
        ("2001:db8::17", "from 2001:db8::17 port 443"),
        ("2001:0db8:0000:0000:0000:ff00:0042:8329", "from 2001:0db8:0000:0000:0000:ff00:0042:8329"),
        ("a.b.c-d" * 5, "/e-mail-bevestigen/" + "a.b.c-d" * 5),
    ],
)
def test_redact_removes_secrets_and_addresses(secret: str, line: str) -> None:
    assert secret not in redact(line)


def test_redact_keeps_what_is_harmless() -> None:
    line = "job 12 (wijkbudget.generate_codes) done at 03:10:17.120 in 0.8 s"
    assert redact(line) == line
    assert redact("/stembewijs?code=X&round_id=3") == f"/stembewijs?code={REDACTED}&round_id={REDACTED}"


def test_a_line_is_one_json_object_with_the_request_id(log_lines: io.StringIO) -> None:
    token = bind_request_id("req-12345678")
    try:
        logging.getLogger("wijkbudget.test").warning("code %s from %s", LETTER_CODE, "198.51.100.4")
    finally:
        unbind_request_id(token)
    (line,) = log_lines.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["request_id"] == "req-12345678"
    assert entry["level"] == "WARNING" and entry["logger"] == "wijkbudget.test"
    assert LETTER_CODE not in line and "198.51.100.4" not in line


def test_the_development_servers_request_lines_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("wijkbudget.test.devserver")
    logger.addFilter(RedactingFilter())
    try:
        with caplog.at_level(logging.INFO, logger=logger.name):
            logger.info(
                '%s - - [08/Dec/2026 03:10:17] "%s" 200 -',
                "192.0.2.5",
                f"GET /stemmen/code?code={LETTER_CODE}",
            )
    finally:
        logger.filters.clear()
    (line,) = caplog.messages
    assert LETTER_CODE not in line and "192.0.2.5" not in line and "/stemmen/code?code=" in line
