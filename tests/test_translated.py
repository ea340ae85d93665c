"""Translated messages escape their values in HTML and nowhere else; every module uses them."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, render_template_string

from app.translated import lazy_gettext, lazy_ngettext

ROOT = Path(__file__).resolve().parents[1]


def test_values_are_escaped_in_html_and_plain_elsewhere(app: Flask) -> None:
    with app.test_request_context():
        message = lazy_gettext("Only residents of %(wijk)s can vote in this round.", wijk="Oost & <b>")
        assert str(message).endswith("Oost & <b> can vote in this round.")  # e-mail, CSV, logs
        page = render_template_string("{{ m }}", m=message)
        assert "Oost &amp; &lt;b&gt;" in page and "<b>" not in page


def test_a_message_inside_a_message_is_escaped_once(app: Flask) -> None:
    with app.test_request_context():
        inner = lazy_gettext("Buurt %(name)s", name="<i>")
        outer = lazy_gettext("%(part)s: %(problem)s", part=inner, problem="<u>")
        page = render_template_string("{{ m }}", m=outer)
        assert page.endswith("&lt;i&gt;: &lt;u&gt;")
        plural = lazy_ngettext("%(num)d vote for %(t)s", "%(num)d votes for %(t)s", 2, t="<i>")
        assert render_template_string("{{ m }}", m=plural).endswith("votes for &lt;i&gt;")


def test_no_module_takes_lazy_strings_from_flask_babel_directly() -> None:
    direct = re.compile(r"from flask_babel import .*lazy_|flask_babel\.lazy_")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("app", "tasks")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "translated.py" and direct.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
