"""The NL Design System look: vendored CSS and fonts with their licences, the theme, the print stylesheet."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from app.models import Phase
from tests.factories import make_round

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"


def test_the_design_system_is_vendored_with_its_licences() -> None:
    vendor = STATIC / "vendor"
    for built in ("utrecht/component-library.css", "utrecht/html.css", "voorbeeld/design-tokens.css"):
        assert (vendor / built).stat().st_size > 10_000
    assert (
        "EUROPEAN UNION PUBLIC LICENCE" in (vendor / "utrecht/LICENSE-component-library-css.md").read_text()
    )
    assert (
        "EUROPEAN UNION PUBLIC LICENCE"
        in (vendor / "voorbeeld/LICENSE-voorbeeld-design-tokens.md").read_text()
    )
    assert "SIL OPEN FONT LICENSE" in (vendor / "fonts/LICENSE-noto-sans-OFL.txt").read_text().upper()
    versions = (vendor / "VERSIONS.txt").read_text()
    assert "@utrecht/component-library-css@9.0.4 sha512-" in versions


def test_every_page_loads_the_components_the_theme_and_a_print_stylesheet(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.VOTING)
    for path in ("/", f"/ronde/{rnd.id}", "/inloggen"):
        html = client.get(path).get_data(as_text=True)
        assert 'class="utrecht-html voorbeeld-theme"' in html
        assert "/static/vendor/utrecht/component-library.css" in html and 'href="/thema.css"' in html
        assert 'href="/static/print.css" media="print"' in html
        assert "Gemeente Voorbeeld" in html


def test_the_print_stylesheet_prints_the_content_only() -> None:
    css = (STATIC / "print.css").read_text()
    assert ".site-header" in css and ".site-nav" in css and "display: none" in css


def test_the_kaders_are_one_collapsible_section_on_resident_pages(client: FlaskClient) -> None:
    rnd = make_round(phase=Phase.PROPOSALS)
    html = client.get(f"/ronde/{rnd.id}").get_data(as_text=True)
    assert f'<details class="disclosure kaders" id="kaders-{rnd.id}">' in html
    assert html.index("Wat je nu kunt doen") < html.index('<details class="disclosure kaders"')
