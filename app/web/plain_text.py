"""Residents' plain text on a page: every character escaped, web addresses shown as links, line breaks kept.

Never renders the text as HTML: the only tags in the result are the ones made here (`a` and `br`).
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# http(s) addresses up to the next space; trailing punctuation belongs to the sentence, not the address.
_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)]}"


def plain_text_with_links(text: str | None) -> Markup:
    if not text:
        return Markup("")
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(url)
        parts.append(str(escape(text[position : match.start()])))
        parts.append(f'<a href="{escape(url)}" rel="nofollow ugc noopener">{escape(url)}</a>')
        position = end
    parts.append(str(escape(text[position:])))
    return Markup("<br>\n".join("".join(parts).split("\n")))  # noqa: S704 - every part escaped above
