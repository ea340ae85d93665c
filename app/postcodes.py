"""Dutch postcodes: "1234ab", "1234 AB" and " 1234ab " are one postcode, stored as "1234AB", shown as "1234 AB".

Pure Python: the register import, the services and the forms share this one reading of a postcode.
"""

from __future__ import annotations

import re

# Four digits (never starting with 0), then two letters. PostNL never issues the letter pairs SA, SD and SS.
STORED_POSTCODE = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")
NEVER_ISSUED_LETTERS = frozenset({"SA", "SD", "SS"})


def postcode_problem(text: str | None) -> tuple[str | None, str | None]:
    """(the stored form, None) for a Dutch postcode, else (None, why): "missing", "invalid" or "letters_unused"."""
    if not text or not text.strip():
        return None, "missing"
    compact = (text if len(text) == 6 else "".join(text.split())).upper()
    if not STORED_POSTCODE.fullmatch(compact):
        return None, "invalid"
    if compact[4:] in NEVER_ISSUED_LETTERS:
        return None, "letters_unused"
    return compact, None


def normalise_postcode(text: str | None) -> str | None:
    """The postcode in its stored form ("1234AB"), or None when the text is not a Dutch postcode."""
    return postcode_problem(text)[0]


def format_postcode(stored: str) -> str:
    """A stored postcode as people write it: "1234 AB"."""
    return f"{stored[:4]} {stored[4:]}" if len(stored) == 6 else stored


def postcode_area(stored: str) -> str:
    """The four digits (PC4) that say which wijk a postcode belongs to."""
    return stored[:4]
