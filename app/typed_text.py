"""Text as people type it, made safe to store and to show: no control characters, no hidden direction.

A right-to-left override (U+202E) in a project title turns "Speeltuin‮gpj.exe" around on screen, and
control characters (NUL, escape, ...) cannot be seen, stored by PostgreSQL (NUL) or printed. Every name and
title that enters the app goes through `one_line`; longer texts (descriptions) through `multi_line`, which
keeps line breaks and tabs.
"""

from __future__ import annotations

import unicodedata

# Unicode's explicit direction marks, embeddings, overrides and isolates (and the Arabic letter mark):
# invisible, and able to reorder what is shown around them.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
KEPT_IN_TEXTS = frozenset("\n\t")


def _visible(ch: str, kept: frozenset[str]) -> bool:
    return ch in kept or (ch not in BIDI_CONTROLS and unicodedata.category(ch) != "Cc")


def one_line(text: str | None) -> str:
    """A name or title: control and direction characters removed, white space collapsed to single spaces."""
    text = "".join(" " if ch in "\t\n\r" else ch for ch in (text or ""))
    return " ".join("".join(ch for ch in text if _visible(ch, frozenset())).split())


def multi_line(text: str | None) -> str:
    """A longer text: the same characters removed, but line breaks (as \\n) and tabs kept; trimmed."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if _visible(ch, KEPT_IN_TEXTS)).strip()
