"""Every error page is a styled page of the site, in the visitor's language, 405 included."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from app.models import Role
from tests.factories import login, make_user


def _page(client: FlaskClient, method: str, path: str) -> tuple[int, str]:
    response = client.open(path, method=method)
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "path", "code", "title"),
    [
        ("GET", "/uitloggen", 405, "Deze pagina werkt niet op deze manier"),
        ("GET", "/bestaat-niet", 404, "Pagina niet gevonden"),
        ("GET", "/uitslag/99999", 404, "niet"),
    ],
)
def test_error_pages_are_styled_and_in_dutch(
    client: FlaskClient, method: str, path: str, code: int, title: str
) -> None:
    status, html = _page(client, method, path)
    assert status == code
    assert title in html
    assert 'class="utrecht-page-layout"' in html and "/thema.css" in html  # the site's own layout and theme
    assert 'lang="nl"' in html


def test_405_says_which_methods_work_and_speaks_english_when_chosen(client: FlaskClient) -> None:
    client.post("/taal", data={"lang": "en", "next": "/"})
    response = client.get("/uitloggen")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "This page cannot be used this way" in response.get_data(as_text=True)


def test_403_is_styled_for_a_resident_on_a_staff_page(client: FlaskClient) -> None:
    login(client, make_user(Role.RESIDENT))
    status, html = _page(client, "GET", "/organiseren/")
    assert status == 403
    assert "Geen toegang" in html and 'class="utrecht-page-layout"' in html
