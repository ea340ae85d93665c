"""Helpers for mail tests: a local SMTP server, reading the outbox folder, switching the mail backend."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask


class CollectingHandler:
    """Accepts every message, or refuses recipients with a fixed SMTP answer."""

    def __init__(self, refuse_with: str | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse_with = refuse_with

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.refuse_with:
            return self.refuse_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server(refuse_with: str | None = None) -> Iterator[tuple[CollectingHandler, int]]:
    handler = CollectingHandler(refuse_with)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def use_backend(monkeypatch: pytest.MonkeyPatch, app: Flask, backend: str, **settings: Any) -> None:
    """Switch Flask-Mailman's backend for one test (the state is read when a message is sent)."""
    state = app.extensions["mailman"]
    monkeypatch.setattr(state, "backend", backend)
    for name, value in settings.items():
        monkeypatch.setattr(state, name, value)


def read_outbox(folder: Path) -> list[EmailMessage]:
    """The messages the file backend wrote (one per file), in file-name order."""
    messages = []
    for path in sorted(folder.iterdir()):
        raw = path.read_bytes().split(b"\n" + b"-" * 79 + b"\n")[0]
        messages.append(email.message_from_bytes(raw, policy=email.policy.default))
    return messages
