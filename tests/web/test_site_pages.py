"""Contact, privacy and accessibility pages: filled from settings, linked from every page's footer, in Dutch and
English."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

PAGES = ("/contact", "/privacy", "/toegankelijkheid")


@pytest.fixture
def organisation(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "ORGANISATION_NAME": "Gemeente Utrecht",
        "CONTACT_ADDRESS": "Postbus 16200; 3500 CE Utrecht",
        "CONTACT_EMAIL": "wijkbudget@utrecht.example",
        "HELPDESK_PHONE": "14 030",
        "PRIVACY_OFFICER_EMAIL": "privacy@utrecht.example",
        "ACCESSIBILITY_STATUS": "B",
        "ACCESSIBILITY_STATEMENT_DATE": "2026-12-01",
    }.items():
        monkeypatch.setitem(app.config, name, value)


def _english(client: FlaskClient) -> None:
    with client.session_transaction() as session:
        session["lang"] = "en"


@pytest.mark.parametrize("path", ["/", "/uitslag/", "/inloggen", "/bestaat-niet", *PAGES])
def test_every_page_links_the_three_pages_in_its_footer(client: FlaskClient, path: str) -> None:
    page = client.get(path).get_data(as_text=True)
    footer = page[page.index('<footer class="utrecht-page-footer site-footer">') :]
    for link in PAGES:
        assert f'href="{link}"' in footer


def test_contact_details_come_from_settings(client: FlaskClient, organisation: None) -> None:
    page = client.get("/contact").get_data(as_text=True)
    assert "Deze website is van Gemeente Utrecht." in page
    assert "Postbus 16200<br>3500 CE Utrecht" in page
    assert 'href="mailto:wijkbudget@utrecht.example"' in page and 'href="tel:14030"' in page


def test_privacy_says_what_why_how_long_and_whom_to_ask(client: FlaskClient, organisation: None) -> None:
    page = client.get("/privacy").get_data(as_text=True)
    assert "Gemeente Utrecht is verantwoordelijk voor de persoonsgegevens" in page
    assert "Waarom" in page and "Hoe lang" in page and "Het kiezersregister" in page
    assert "Vragen over privacy: privacy@utrecht.example." in page
    assert "Autoriteit Persoonsgegevens" in page


def test_accessibility_statement_follows_the_model(client: FlaskClient, organisation: None) -> None:
    page = client.get("/toegankelijkheid").get_data(as_text=True)
    for heading in ("Verklaring", "Nalevingsstatus", "Opstellen van deze verklaring", "Feedback en contact"):
        assert f"<h2>{heading}</h2>" in page
    assert "Deze website voldoet gedeeltelijk aan WCAG 2.1 niveau AA." in page
    assert "Deze verklaring is opgesteld op 2026-12-01." in page
    assert "Nationale ombudsman" in page and "14 030" in page


def test_an_unknown_status_says_it_is_not_known(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "ACCESSIBILITY_STATUS", "Z")
    assert "We weten nog niet in hoeverre" in client.get("/toegankelijkheid").get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
def test_the_pages_in_english(client: FlaskClient, organisation: None, path: str) -> None:
    _english(client)
    page = client.get(path).get_data(as_text=True)
    assert '<html lang="en" ' in page and "Gemeente Utrecht" in page
    for dutch in ("Deze website", "Wat we bewaren", "Nalevingsstatus", "Je rechten"):
        assert dutch not in page


def test_the_organisation_name_is_escaped(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "ORGANISATION_NAME", "Oost<script>alert(1)</script>")
    for path in PAGES:
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page and "Oost&lt;script&gt;" in page
