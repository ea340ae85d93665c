"""Sentences for the reason codes of the register import (`app.register_csv`), in the reader's language.

Reasons are stored as codes with the value involved, so an organiser reading in English sees English even
though the task ran in Dutch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.translated import lazy_gettext as _l

COLUMN_NAMES = {
    "reference": _l("reference number (referentie)"),
    "postcode": _l("postcode"),
    "house_number": _l("house number (huisnummer)"),
}

REASONS: dict[str, Any] = {
    # The whole file.
    "not_utf8": _l(
        "The file is not saved as UTF-8 text. In Excel choose “CSV UTF-8” when you save it, then upload it again."
    ),
    "not_text": _l("This is not a CSV text file. Save the register as CSV (UTF-8) and upload it again."),
    "empty": _l("The file is empty, or its first line (the header row with the column names) is empty."),
    "no_lines": _l("The file has a header row but no lines with residents."),
    "too_large": _l("The file is too large: at most %(detail)s MB."),
    "names": _l(
        "The column “%(detail)s” holds names. The register may never contain names: "
        "remove this column and upload the file again. Nothing has been stored."
    ),
    "bsn": _l(
        "The column “%(detail)s” holds citizen service numbers (BSN). Use the municipality's own "
        "reference number instead: remove this column and upload the file again. Nothing has been stored."
    ),
    "column_twice": _l("Two columns mean the same (“%(detail)s”). Keep one of them."),
    "column_missing": _l(
        "The file has no column for the %(detail)s. The header row needs at least: "
        "referentie, postcode, huisnummer."
    ),
    "birth_date_column_missing": _l(
        "This round checks each person's birth date, so the file needs a column “geboortedatum”."
    ),
    # One line.
    "unreadable": _l("This line cannot be read. Check the quotation marks."),
    "too_many_columns": _l("This line has more columns than the header row. Check the separators."),
    "reference_missing": _l("The reference number is missing."),
    "reference_too_long": _l("The reference number is longer than %(detail)s characters."),
    "reference_twice": _l("This reference number is also on line %(detail)s of this file."),
    "reference_stored": _l("This reference number is already in the register."),
    "postcode_missing": _l("The postcode is missing."),
    "postcode_invalid": _l(
        "“%(detail)s” is not a Dutch postcode (four digits, the first not 0, then two letters)."
    ),
    "postcode_letters_unused": _l("“%(detail)s” is not a Dutch postcode: SA, SD and SS are never used."),
    "house_number_missing": _l("The house number is missing."),
    "house_number_invalid": _l(
        "“%(detail)s” is not a house number: use a whole number from 1 to 99999 and put letters in "
        "the addition column."
    ),
    "addition_too_long": _l("The addition “%(detail)s” is longer than 10 characters."),
    "birth_date_missing": _l("The birth date is missing; this round needs it to check who may vote."),
    "birth_date_invalid": _l("“%(detail)s” is not a birth date. Use YYYY-MM-DD or DD-MM-YYYY."),
    "birth_date_future": _l("The birth date “%(detail)s” lies in the future."),
    "too_young": _l("Left out: %(detail)s years old when voting opens, younger than the minimum age."),
    "buurt_unknown": _l(
        "The buurt “%(detail)s” is not part of this neighbourhood. Add it to the neighbourhood first, "
        "or leave the cell empty."
    ),
    "confidential_invalid": _l(
        "“%(detail)s” is not a yes or no for the confidential column (use ja or nee)."
    ),
    # Why an import stopped.
    "voting_opened": _l(
        "Voting has opened, so the register is fixed: the rest of the file was not imported."
    ),
    "cleared": _l("Stopped because the register was cleared."),
    "gave_up": _l("The import stopped because of a technical problem. Upload the file again."),
}


def reason_text(code: str, detail: str = "") -> str:
    """The sentence for a reason code, in the current language; an unknown code is shown as it is."""
    message = REASONS.get(code)
    if message is None:
        return code if not detail else f"{code}: {detail}"
    if code == "column_missing":
        detail = str(COLUMN_NAMES.get(detail, detail))
    # Every sentence is a %-format with at most the `detail` placeholder (a mapping ignores unused keys).
    return str(message) % {"detail": detail}


def error_text(error: Mapping[str, Any]) -> str:
    """A stored line error ({"line", "code", "detail"}) as its sentence."""
    return reason_text(str(error.get("code", "")), str(error.get("detail", "")))
