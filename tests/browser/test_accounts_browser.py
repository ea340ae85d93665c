"""Account pages in headless Chromium with CSRF on and JavaScript off: a new organiser's first login with the
two-step set-up, the staff page and the forgotten-password form, each without a WCAG 2.1 AA violation."""

from __future__ import annotations

import re

import pyotp
import pytest
from flask import Flask

from app.models import Role
from tests.browser.helpers import assert_accessible, log_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def no_js_page(browser, live_server: str, committed_db: None):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server, locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_first_login_of_an_organiser_sets_up_two_step_login_without_javascript(
    no_js_page, browser_app: Flask
) -> None:  # type: ignore[no-untyped-def]
    page = no_js_page
    with browser_app.app_context():
        email = make_user(Role.ORGANISER, totp_secret=None).email
    page.goto("/inloggen")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/inloggen/tweede-stap-instellen$"))
    assert page.locator("main img[alt]").evaluate("img => img.naturalWidth") > 0  # the QR code loads
    secret = page.inner_text("#secret").replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("main form button[type=submit]")
    assert len(page.locator("ul.recovery-codes li").all()) == 10
    page.click("text=Ik heb de codes bewaard, ga verder")
    page.goto("/organiseren/")
    assert page.url.endswith("/organiseren/")


def test_account_pages_are_accessible(page, browser_app: Flask) -> None:  # type: ignore[no-untyped-def]
    with browser_app.app_context():
        admin = make_user(Role.ADMIN, email="beheer@example.nl")
        make_user(Role.PROFESSIONAL)
        organiser = make_user(Role.ORGANISER, totp_secret=None)
        organiser_email = organiser.email
        admin_email = admin.email
    page.goto("/inloggen")
    assert_accessible(page)
    page.click("text=Wachtwoord vergeten?")
    assert_accessible(page)
    page.fill("#email", "iemand@example.nl")
    page.click("main form button[type=submit]")
    assert "Kijk in je mailbox" in page.inner_text("main")
    assert_accessible(page)

    page.goto("/inloggen")
    page.fill("#email", organiser_email)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/inloggen/tweede-stap-instellen$"))
    assert_accessible(page)
    page.context.clear_cookies()

    log_in(page, admin_email, PASSWORD)
    page.goto("/beheer/medewerkers/")
    assert_accessible(page)
    page.fill("#name", "Nieuwe Collega")
    page.fill("#email", "collega@example.nl")
    page.select_option("#role", "organiser")
    page.click("section[aria-labelledby=invite-heading] button[type=submit]")
    assert "We hebben een uitnodiging gestuurd naar collega@example.nl" in page.inner_text("main")
    assert_accessible(page)
    page.goto("/profiel")
    assert_accessible(page)
