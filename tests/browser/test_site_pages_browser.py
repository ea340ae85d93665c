"""The contact, privacy and accessibility pages are reached from the footer and pass axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import pytest

from tests.browser.helpers import assert_accessible

pytestmark = pytest.mark.browser


def test_the_footer_leads_to_accessible_contact_privacy_and_accessibility_pages(page, live_server) -> None:  # type: ignore[no-untyped-def]
    for link, heading in (
        ("Contact", "Contact"),
        ("Privacy", "Privacyverklaring"),
        ("Toegankelijkheid", "Toegankelijkheidsverklaring"),
    ):
        page.goto(live_server + "/")
        page.locator("footer").get_by_role("link", name=link, exact=True).click()
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert_accessible(page)
