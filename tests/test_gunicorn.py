"""The production web server as configured in gunicorn.conf.py: a real gunicorn process on the test database.

Its stderr is what a production log holds: JSON lines only, and never a letter code, receipt code, password or
visitor address (gunicorn's own access log would print the path with `?code=` and the address).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from app.services.voting.voter_keys import new_receipt_code, new_voting_code
from tests.conftest import database_url_for_tests
from tests.faults.processes import ROOT, free_port, wait_for


@dataclass
class Gunicorn:
    url: str
    log: Path
    process: subprocess.Popen[bytes]

    def get(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> int:
        request = urllib.request.Request(self.url + path, data=data, headers=headers or {})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own local server
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def answers(self) -> bool:
        try:
            return self.get("/healthz") == 200
        except OSError:
            return False

    def stop(self) -> list[str]:
        self.process.terminate()
        self.process.wait(30)
        return [line for line in self.log.read_text().splitlines() if line.strip()]


@pytest.fixture
def gunicorn(app: Flask, tmp_path: Path) -> Iterator[Gunicorn]:
    """gunicorn -c gunicorn.conf.py app.wsgi:app, one worker, no broker, on the (migrated) test database."""
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url_for_tests(),
        "SECRET_KEY": "gunicorn-test",
        "STORAGE_DIR": str(tmp_path / "storage"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "RATELIMIT_ENABLED": "0",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and config
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "app.wsgi:app"],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Gunicorn(f"http://127.0.0.1:{port}", log, process)
    try:
        wait_for(lambda: process.poll() is not None or server.answers(), 60, "gunicorn")
        assert process.poll() is None, log.read_text()
        yield server
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_gunicorn_logs_json_lines_without_codes_receipts_passwords_or_addresses(gunicorn: Gunicorn) -> None:
    code, receipt = new_voting_code(), new_receipt_code()
    forwarded = {"X-Forwarded-For": "198.51.100.23"}
    assert gunicorn.get(f"/stemmen/code?code={code}", headers=forwarded) == 200
    assert gunicorn.get(f"/uitslag/stembewijs?code={receipt}&round_id=1", headers=forwarded) == 200
    login = b"email=bewoner%40voorbeeld.nl&password=mijn-geheime-wachtwoord"
    assert gunicorn.get("/inloggen", data=login) == 400  # no CSRF token: refused, still logged
    lines = gunicorn.stop()

    entries = [json.loads(line) for line in lines]  # every line is JSON
    text = "\n".join(lines)
    for secret in (
        code,
        code.replace("-", ""),
        receipt,
        "mijn-geheime-wachtwoord",
        "198.51.100.23",
        "127.0.0.1",
    ):
        assert secret not in text
    routes = [e.get("route") for e in entries if e["logger"] == "wijkbudget.request"]
    assert routes[-3:] == ["/stemmen/code", "/uitslag/stembewijs", "/inloggen"]
    assert any(e["logger"] == "gunicorn.error" for e in entries)  # gunicorn's own lines are JSON too


def test_the_config_uses_threads_timeouts_and_no_access_log() -> None:
    import runpy

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["worker_class"] == "gthread" and settings["threads"] >= 4
    assert 0 < settings["timeout"] <= 60 and settings["keepalive"] <= 10
    assert settings["accesslog"] is None
    assert settings["logconfig_dict"]["loggers"]["gunicorn.access"]["handlers"] == []
