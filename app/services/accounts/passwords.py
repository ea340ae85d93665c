"""The password rule: long enough and not guessable, checked with zxcvbn (a maintained estimator that knows
common and breached passwords, keyboard patterns, dates and repeats), with the reason in the user's language.

zxcvbn's own feedback is English only, so the reason is chosen from the kind of weakness it found.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from zxcvbn import zxcvbn

from app.services.errors import RuleViolation
from app.translated import lazy_gettext as _l

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200  # zxcvbn slows down on very long input; nobody types more
MIN_SCORE = 3  # zxcvbn's "safely unguessable: moderate protection from offline attacks"


def check_password(password: str, personal: Iterable[str] = ()) -> None:
    """RuleViolation (field "password") with the reason when `password` is too short, too long or easy to
    guess; `personal` (name, e-mail address) counts as easy to guess too."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise RuleViolation(
            _l("Choose a password of at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field="password"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise RuleViolation(
            _l("Choose a password of at most %(n)d characters.", n=MAX_PASSWORD_LENGTH), field="password"
        )
    inputs = [part for text in personal for part in _words(text)]
    result = zxcvbn(password, user_inputs=inputs)
    if result["score"] < MIN_SCORE or _mostly_personal(password, result["sequence"]):
        raise RuleViolation(_reason(result["sequence"]), field="password")


def _mostly_personal(password: str, sequence: list[dict[str, Any]]) -> bool:
    """Half or more of the password is the person's own name or address: whoever knows them guesses it, even
    when zxcvbn's score (which assumes a stranger) is high."""
    personal = sum(len(m["token"]) for m in sequence if m.get("dictionary_name") == "user_inputs")
    return personal * 2 >= len(password)


def _words(text: str) -> list[str]:
    """A name or address and its parts ("jan.de.vries@example.nl" also gives "jan", "vries", ...)."""
    lowered = text.strip().lower()
    parts = [p for p in lowered.replace("@", " ").replace(".", " ").replace("-", " ").split() if len(p) > 2]
    return [lowered, *parts] if lowered else parts


def _reason(sequence: list[dict[str, Any]]) -> Any:
    patterns = {match.get("pattern") for match in sequence}
    dictionaries = {match.get("dictionary_name") for match in sequence}
    if "user_inputs" in dictionaries:
        return _l("This password contains your name or e-mail address. Choose one that does not.")
    if "passwords" in dictionaries:
        return _l(
            "This password is on the lists of common or leaked passwords, so it is easy to guess. "
            "Choose another one, for example four words that do not belong together."
        )
    if "spatial" in patterns:
        return _l("This password follows the keys on a keyboard, so it is easy to guess. Choose another one.")
    if patterns & {"repeat", "sequence"}:
        return _l("This password repeats characters or follows a series like abc or 123. Choose another one.")
    if patterns & {"date", "regex"}:
        return _l("Dates and years are easy to guess. Choose a password without them, or make it longer.")
    return _l(
        "This password is easy to guess. Make it longer, for example with four words that do not belong "
        "together."
    )
