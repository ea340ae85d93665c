"""Money as the platform handles it: integer euro cents, read from what people type, shown the Dutch way.

Pure Python so services, forms and filters share one reading and one way of writing amounts.
"""

from __future__ import annotations

import re

MAX_CENTS = 2_000_000_000  # stays inside a 32-bit integer column

_AMOUNT = re.compile(
    r"(?P<whole>\d{1,3}(?P<sep>[.,])\d{3}(?:(?P=sep)\d{3})*|\d+)(?:(?P<dec>[.,])(?P<frac>\d{1,2}))?"
)


def parse_euros(text: str) -> int:
    """Euros as typed ("1.234,50", "1,234.50", "1234.50", "1234", "€ 25,-") to integer cents.

    A separator followed by exactly three digits groups thousands (Dutch "50.000" is fifty thousand); the
    last separator followed by one or two digits is the decimal one. Signs, letters, exponents and more than
    two decimals are refused rather than guessed: ValueError; an amount above MAX_CENTS: OverflowError.
    """
    cleaned = re.sub(r"\s|€|(?i:eur)", "", text)
    cleaned = re.sub(r"[.,]-{1,2}$", "", cleaned)
    match = _AMOUNT.fullmatch(cleaned)
    if not match or (match["sep"] and match["sep"] == match["dec"]):
        raise ValueError(text)
    whole = int(re.sub(r"[.,]", "", match["whole"]))
    cents = whole * 100 + int((match["frac"] or "0").ljust(2, "0"))
    if cents > MAX_CENTS:
        raise OverflowError(text)
    return cents


def euro_text(cents: int | None) -> str:
    """Integer cents as Dutch-style euros: 123450 -> "€ 1.234,50"; whole euros without ",00"."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    text = f"{whole:,}".replace(",", ".")
    if rest:
        text += f",{rest:02d}"
    return f"{sign}€\u00a0{text}"
