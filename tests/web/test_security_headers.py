"""Browser security headers (issue 11, item 6): a CSP without 'unsafe-inline' that forbids framing, a
Referrer-Policy, nosniff, HSTS behind HTTPS; and no inline script or style left for that CSP to block."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.config import TestConfig
from tests.conftest import database_url_for_tests

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)


def _policy(header: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def test_every_page_sends_a_strict_content_security_policy(client: FlaskClient) -> None:
    response = client.get("/")
    policy = _policy(response.headers["Content-Security-Policy"])
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_error_pages_and_the_one_button_forms_cannot_be_framed(client: FlaskClient) -> None:
    for path in ("/bestaat-niet", "/organiseren"):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_hsts_only_when_the_site_runs_behind_https(app: Flask, client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/", base_url="https://localhost").headers
    config = TestConfig(database_url_for_tests())
    config.SESSION_COOKIE_SECURE = True
    secure = create_app(config).test_client()
    assert (
        secure.get("/", base_url="https://localhost")
        .headers["Strict-Transport-Security"]
        .startswith("max-age=31536000")
    )
    # Plain HTTP (a health check past the proxy) gets no HSTS and no redirect: HTTPS is the proxy's job.
    plain = secure.get("/")
    assert plain.status_code == 200
    assert "Strict-Transport-Security" not in plain.headers


def test_no_template_has_an_inline_script_or_style() -> None:
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, STYLE_ATTRIBUTE, STYLE_ELEMENT):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)!r}" for m in pattern.finditer(text)]
    assert offenders == []


def test_no_python_code_writes_a_style_attribute() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "app").rglob("*.py"))
        if 'style="' in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_the_theme_is_a_stylesheet_of_its_own(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'href="/thema.css"' in page
    response = client.get("/thema.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert ".voorbeeld-theme" in response.get_data(as_text=True)
