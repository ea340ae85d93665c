"""Lazy translated messages that are safe to put into a page.

Flask-Babel's lazy strings have `__html__`, so Jinja prints them as they are: a wijk named
`Oost<script>` put into `lazy_gettext("Only residents of %(wijk)s ...", wijk=...)` would run in the
visitor's browser. These messages escape every value (never the translated text itself) when
they go into HTML, and stay plain text everywhere else (e-mail, CSV, logs, `str()`). Every module
imports `lazy_gettext as _l` from here; `tests/test_translated.py` keeps it that way.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_translations, gettext, ngettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup


class EscapedLazyString(LazyString):  # type: ignore[misc]
    """A LazyString whose values are escaped (and the message kept) when Jinja prints it."""

    def __init__(self, template: Any, *args: Any, **values: Any) -> None:
        super().__init__(*args, **values)
        self._template = template

    def __html__(self) -> Markup:
        translated, values = self._template()
        # The translated text is ours (code and catalogue), trusted as HTML; only the values are not.
        message = Markup(translated)  # noqa: S704
        # Without values gettext formats nothing (a later `%` may), so neither do we.
        return message % values if values else message


def lazy_gettext(string: str, **variables: Any) -> EscapedLazyString:
    def template() -> tuple[str, dict[str, Any]]:
        return get_translations().ugettext(string), variables

    return EscapedLazyString(template, gettext, string, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, **variables: Any) -> EscapedLazyString:
    def template() -> tuple[str, dict[str, Any]]:
        return get_translations().ungettext(singular, plural, num), {"num": num, **variables}

    return EscapedLazyString(template, ngettext, singular, plural, num, **variables)
