"""Dutch postcodes: "1234ab", "1234 AB" and " 1234ab " are one postcode, stored as "1234AB", shown as "1234 AB"."""

from __future__ import annotations

import re

# Four digits (never starting with 0), then two letters; spaces between them are allowed. PostNL never
# issues the letter pairs SA, SD and SS.
_POSTCODE = re.compile(r"([1-9][0-9]{3})\s*([A-Z]{2})")
_NEVER_ISSUED = frozenset({"SA", "SD", "SS"})


def normalise_postcode(text: str | None) -> str | None:
    """The postcode in its stored form ("1234AB"), or None when the text is not a Dutch postcode."""
    match = _POSTCODE.fullmatch((text or "").strip().upper())
    if match is None or match.group(2) in _NEVER_ISSUED:
        return None
    return match.group(1) + match.group(2)


def format_postcode(stored: str) -> str:
    """A stored postcode as people write it: "1234 AB"."""
    return f"{stored[:4]} {stored[4:]}" if len(stored) == 6 else stored


def postcode_area(stored: str) -> str:
    """The four digits (PC4) that say which wijk a postcode belongs to."""
    return stored[:4]
