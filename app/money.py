"""Money as the platform handles it: integer euro cents, read from what people type, shown the Dutch way.

Pure Python so services, forms and filters share one reading and one way of writing amounts. Amounts are
written the Dutch way in every language ("€ 1.234,50"; in a form field "1234,50"), because a resident reads
them next to Dutch letters and council papers; `parse_euros` reads both the Dutch and the English way.
"""

from __future__ import annotations

import re
from fractions import Fraction

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
    cleaned = re.sub(r"\s|€|(?i:euros|euro|eur)", "", text)
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


def euro_input_text(cents: int | None) -> str:
    """Integer cents as an editable amount, the way `parse_euros` reads it back: "1234" or "1234,50"."""
    if cents is None:
        return ""
    whole, rest = divmod(int(cents), 100)
    return f"{whole},{rest:02d}" if rest else str(whole)


def whole_cents(value: int | float | str | Fraction) -> int:
    """An exact amount of cents (an int, a Fraction, or its text "numerator/denominator") to the nearest cent.

    Equal-shares explanations keep fractions of a cent so a recount can check them; people see whole cents.
    """
    return round(Fraction(value))
