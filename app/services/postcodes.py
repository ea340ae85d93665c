"""Dutch postcodes as people type them ("1234ab", "1234 AB") in the one form the register stores ("1234AB")."""

from __future__ import annotations

import re

# Four digits (never starting with 0), then two letters; spaces between them are allowed.
_POSTCODE = re.compile(r"([1-9][0-9]{3})\s*([A-Za-z]{2})")


def normalise_postcode(text: str | None) -> str | None:
    """The postcode as "1234AB", or None when `text` is not a Dutch postcode."""
    match = _POSTCODE.fullmatch((text or "").strip())
    if match is None:
        return None
    return (match.group(1) + match.group(2)).upper()
